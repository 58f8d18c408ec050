import { Chart } from 'cdk8s';
import type { CnpgCluster } from '../cluster/cluster';
import { CnpgDatabase, CnpgDatabaseProps } from '../cluster/database';
import { ExternalTls } from '../cluster/external-cluster';
import { ManagedRole, ManagedRoleOptions } from '../cluster/roles';
import { DrillMarkerJobs, DrillMarkerJobsProps } from '../drills/marker-job';
import { addReplicationRole, CnpgPublication, CnpgPublicationProps, IPublication } from '../replication/publication';
import { CnpgSubscription } from '../replication/subscription';
import { CnpgUserCredential } from '../secrets/sealed-credential';
import { SealedValues } from '../secrets/sealed-values';

/** A database of the platform's cluster, managed with a `Database` resource (extensions, schemas). */
export interface PlatformDatabaseOptions extends Omit<CnpgDatabaseProps, 'cluster'> {}

/** A managed role of the platform's cluster. */
export interface PlatformRoleOptions extends Omit<ManagedRoleOptions, 'credential'> {
  /**
   * Name of the role's sealed basic-auth credential in the database namespace (`npm run seal` generates its password).
   * `false`: no password is managed (a group role, or a role logging in otherwise).
   * @default `cnpg-<role>` (underscores become hyphens) when `login` is true, no credential otherwise
   */
  readonly secretName?: string | false;
}

/** The replication role subscribers log in as, with its sealed credential. */
export interface PlatformReplicationRoleOptions {
  /** The role's name, e.g. `warehouse_sync`. */
  readonly name: string;
  /**
   * Name of its sealed credential. The publisher's and the subscriber's copies hold the same password, sealed for
   * each namespace.
   * @default `cnpg-<role>` (underscores become hyphens)
   */
  readonly secretName?: string;
}

/** A publication of the platform's cluster, with the replication role its subscribers use. */
export interface PlatformPublicationOptions extends Omit<CnpgPublicationProps, 'cluster'> {
  /**
   * The replication role (`LOGIN REPLICATION`, member of `pg_read_all_data`) and its sealed credential.
   * @default - no role (declare it with `roles`)
   */
  readonly replicationRole?: PlatformReplicationRoleOptions;
}

/** A subscription of the platform's cluster to a publication of another cluster (this or another environment). */
export interface PlatformSubscriptionOptions {
  /** The publication: `PublicationRef.fromAttributes({ publicationName, dbname, publisher: ClusterEndpoint.of(name, ns) })`. */
  readonly publication: IPublication;
  /** The publisher's replication role; its credential is sealed for this platform's namespace (same password). */
  readonly replicationRole: PlatformReplicationRoleOptions;
  /**
   * How the publisher is verified. Across namespaces: a copied CA (`ExternalTls.verifyFull`) or, explicitly,
   * `ExternalTls.encryptedUnverified()`.
   * @default - the publisher's CA when it is in the same namespace
   */
  readonly tls?: ExternalTls;
  /**
   * The subscription's name.
   * @default - the publication's name
   */
  readonly subscriptionName?: string;
  /**
   * The subscriber's database.
   * @default - the cluster's application database
   */
  readonly dbname?: string;
  /**
   * Subscription parameters.
   * @default - none
   */
  readonly parameters?: Record<string, string>;
}

/** A drill run's marker Jobs (docs/drills/). */
export interface PlatformDrillOptions extends Omit<DrillMarkerJobsProps, 'cluster'> {}

/** The day-2 operations of a platform: databases, roles, logical replication and drills. */
export interface PlatformDay2Options {
  /**
   * Databases managed with `Database` resources (extensions, schemas), e.g. the application database with
   * `pg_stat_statements` and `vector`.
   * @default - none
   */
  readonly databases?: PlatformDatabaseOptions[];
  /**
   * Roles managed by the operator (`spec.managed.roles`), each login role with a sealed credential.
   * @default - none
   */
  readonly roles?: PlatformRoleOptions[];
  /**
   * Publications of the cluster (the source of logical replication).
   * @default - none
   */
  readonly publications?: PlatformPublicationOptions[];
  /**
   * Subscriptions of the cluster (e.g. a warehouse).
   * @default - none
   */
  readonly subscriptions?: PlatformSubscriptionOptions[];
  /**
   * Drill runs: marker Jobs written into their own component (applied by hand, not synced by Argo CD).
   * @default - none
   */
  readonly drills?: PlatformDrillOptions[];
}

/** Where the day-2 objects of a platform go. */
export interface PlatformDay2Targets {
  readonly cluster: CnpgCluster;
  /** The chart of the Database, Publication and Subscription objects (the cluster's). */
  readonly databaseChart: Chart;
  /** The chart of the sealed credentials. */
  readonly credentialsChart: Chart;
  /** The chart of the drill Jobs, created on first use (a component Argo CD does not sync). */
  readonly drillsChart: () => Chart;
  readonly sealedValues: SealedValues;
}

/** What `addDay2Operations` created. */
export interface PlatformDay2 {
  readonly databases: CnpgDatabase[];
  readonly roles: ManagedRole[];
  readonly publications: CnpgPublication[];
  readonly subscriptions: CnpgSubscription[];
  readonly drills: DrillMarkerJobs[];
  /** Every credential created (login roles, replication roles). */
  readonly credentials: CnpgUserCredential[];
}

/**
 * Adds the day-2 operations of `PlatformDay2Options` to a platform's cluster: sealed credentials in the credentials
 * chart, roles on the cluster, Database/Publication/Subscription objects in the database chart, drill Jobs in their
 * own chart.
 */
export function addDay2Operations(targets: PlatformDay2Targets, options: PlatformDay2Options): PlatformDay2 {
  const { cluster, databaseChart, credentialsChart, sealedValues } = targets;
  const out: PlatformDay2 = { databases: [], roles: [], publications: [], subscriptions: [], drills: [], credentials: [] };
  const secretNameOf = (role: string) => `cnpg-${role.toLowerCase().replace(/_/g, '-')}`;
  const credential = (id: string, secretName: string, username: string): CnpgUserCredential => {
    const c = new CnpgUserCredential(credentialsChart, id, { secretName, username, namespace: cluster.namespace, sealedValues });
    out.credentials.push(c);
    return c;
  };

  for (const role of options.roles ?? []) {
    const { secretName, ...roleOptions } = role;
    const login = role.login ?? secretName !== false;
    const name = secretName === false || !login ? undefined : secretName ?? secretNameOf(role.name);
    const cred = name ? credential(`Role-${role.name}`, name, role.name) : undefined;
    out.roles.push(cluster.addRole({ ...roleOptions, login, credential: cred }));
  }
  for (const db of options.databases ?? []) {
    out.databases.push(new CnpgDatabase(databaseChart, `Database-${db.databaseName}`, { ...db, cluster }));
  }
  for (const pub of options.publications ?? []) {
    const { replicationRole, ...pubProps } = pub;
    if (replicationRole) {
      const cred = credential(`Replication-${replicationRole.name}`, replicationRole.secretName ?? secretNameOf(replicationRole.name), replicationRole.name);
      out.roles.push(addReplicationRole(cluster, { name: replicationRole.name, credential: cred }));
    }
    out.publications.push(new CnpgPublication(databaseChart, `Publication-${pub.publicationName}`, { ...pubProps, cluster }));
  }
  for (const sub of options.subscriptions ?? []) {
    const role = sub.replicationRole;
    const cred = credential(`Subscriber-${role.name}`, role.secretName ?? secretNameOf(role.name), role.name);
    const name = sub.subscriptionName ?? sub.publication.publicationName;
    out.subscriptions.push(CnpgSubscription.fromPublication(databaseChart, `Subscription-${name}`, {
      cluster, publication: sub.publication, credential: cred, tls: sub.tls, subscriptionName: name, dbname: sub.dbname, parameters: sub.parameters,
    }));
  }
  for (const drill of options.drills ?? []) {
    out.drills.push(new DrillMarkerJobs(targets.drillsChart(), `Drill-${drill.runId}`, { ...drill, cluster }));
  }
  return out;
}
