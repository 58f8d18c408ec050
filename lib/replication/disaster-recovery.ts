import * as path from 'path';
import { App } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as cnpg from '../../imports/postgresql.cnpg.io';
import { BARMAN_CLOUD_PLUGIN, BackupStore } from '../backup/backup-store';
import { ClusterRecovery } from '../backup/recovery';
import { ClusterReplicaConfig, CnpgCluster, IClusterBootstrap, IClusterReplica } from '../cluster/cluster';
import { formatProblem, Problems } from '../core/problems';
import { rendered } from '../core/render';
import { PREVIOUS_REF_CONTEXT, PreviousManifests } from '../core/update-checks';
import { DEFAULT_DR_ALERT_THRESHOLDS, DrReplicaAlerts, DrAlertThresholds } from '../monitoring/dr-alerts';
import { S3Credential } from '../secrets/sealed-credential';
import { DrHeartbeat, DrHeartbeatOptions } from './dr-heartbeat';
import type { SealedValues } from '../secrets/sealed-values';
import {
  classifyRoleChange, disasterRecoveryProblems, DrFacts, DrProblem, DrSiteFacts, DrTransitionFacts, isReplicaCluster,
  renderedTopologyProblems, roleChangeProblems,
} from './dr-rules';


/** The Kubernetes cluster of a site (a `KubernetesClusterDeclaration` of lib/platform is one): its name. */
export interface KubernetesClusterRef {
  readonly name: string;
}

/** Where a site's cluster archives its WAL and base backups (its platform's `backup`), as the other sites read it. */
export interface DrArchive {
  /** `s3://bucket/path` (the site's `backup.destinationPath`). */
  readonly destinationPath: string;
  /**
   * The S3 endpoint (the site's `backup.endpointUrl`).
   * @default - AWS S3
   */
  readonly endpointUrl?: string;
  /**
   * The bucket's region, sealed with the other sites' read credentials (AWS needs one).
   * @default - no region key
   */
  readonly region?: string;
  /**
   * The folder below the destination path (the plugin's `serverName`).
   * @default - the site's cluster name
   */
  readonly serverName?: string;
}

/** One site of a disaster-recovery topology: an environment, in its own Kubernetes cluster, and its cluster there. */
export interface DisasterRecoverySite {
  /** The environment (its `defineEnvironment` name); its platform takes `disasterRecovery` with this declaration. */
  readonly environment: string;
  /** The Kubernetes cluster it runs in (another one than the primary's, or the site does not survive its loss). */
  readonly kubernetesCluster: KubernetesClusterRef;
  /** `metadata.name` of the site's Cluster; unique in the topology (`spec.replica.primary` names a cluster). */
  readonly clusterName: string;
  /**
   * Namespace of the site's Cluster.
   * @default "data-infra"
   */
  readonly namespace?: string;
  /** PostgreSQL major of every site (physical replication needs one major). */
  readonly postgresMajor: number;
  /** Where the site archives (its own path: never another site's). */
  readonly archive: DrArchive;
  /**
   * As a replica, the site it replays from (cascading replication, e.g. a ring of three).
   * @default - the primary
   */
  readonly source?: string;
  /**
   * The site whose archive this site's cluster is created from (bootstrap `recovery`). Set it to the current primary
   * when a site lost in a failover is rebuilt (failing back); the origin is created empty.
   * @default - the origin
   */
  readonly bootstrapFrom?: string;
  /**
   * Replay only transactions at least this old (`spec.replica.minApplyDelay`, e.g. `"1h"`): a delayed replica guards
   * against mistakes, but cannot be promoted with a token.
   * @default - no delay
   */
  readonly minApplyDelay?: string;
  /**
   * How this site reads the other sites' archives: with read credentials sealed for this environment
   * (`<peer cluster>-archive-s3`), or with the platform's own object storage credential when it can read them (one
   * account; the same region when the endpoint is AWS).
   * @default DrReadCredential.SEALED
   */
  readonly readCredential?: DrReadCredential;
}

/** How a site reads the other sites' archives. */
export enum DrReadCredential {
  /** A credential per other site, sealed for this environment (`npm run seal -- --env <env>`). */
  SEALED = 'sealed',
  /** The platform's own `s3Credential` (it must be allowed to read the other sites' paths). */
  PLATFORM = 'platform',
}

/** Options of `DrTransition.demotion`. */
export interface DrDemotionOptions {
  /** The replica site that becomes the primary in the next step. */
  readonly to: string;
}

/** Options of `DrTransition.promotion`. */
export interface DrPromotionOptions {
  /** The former primary's `status.demotionToken` (base64 JSON from pg_controldata). */
  readonly token: string;
}

/** Options of `DrTransition.failover`. */
export interface DrFailoverOptions {
  /** Why the former primary is given up (the review record). */
  readonly reason: string;
}

/**
 * A change of the primary, declared so that it is reviewed: a planned switchover is two commits (`demotion`, then
 * `promotion` with the token); losing the primary's Kubernetes cluster is a `failover`.
 */
export class DrTransition {
  /** Step 1 of a planned switchover: the primary is demoted towards `to` (which stays a replica until step 2). */
  public static demotion(options: DrDemotionOptions): DrTransition {
    return new DrTransition({ kind: 'demotion', to: options.to });
  }

  /** Step 2: `primary` now names the new primary, which is promoted with the former primary's demotion token. */
  public static promotion(options: DrPromotionOptions): DrTransition {
    return new DrTransition({ kind: 'promotion', token: options.token });
  }

  /** `primary` names a replica promoted without a token because the former primary is lost (it must be rebuilt). */
  public static failover(options: DrFailoverOptions): DrTransition {
    return new DrTransition({ kind: 'failover', reason: options.reason });
  }

  private constructor(
    /** The transition as the rules read it. */
    public readonly facts: DrTransitionFacts,
  ) {}
}

/** Properties of `DisasterRecovery.pair`. */
export interface DisasterRecoveryProps {
  /** Name of the distributed database (in reports and alert labels). */
  readonly name: string;
  /** The site that is the primary. A switchover swaps it with a replica (with a transition). */
  readonly primary: DisasterRecoverySite;
  /** The replica sites, each in another Kubernetes cluster. */
  readonly replicas: DisasterRecoverySite[];
  /**
   * The environment whose cluster was created empty (initdb); every other site is created by recovery from it.
   * Keep it when the primary changes (the bootstrap of an existing cluster never changes).
   * @default - the primary's environment
   */
  readonly origin?: string;
  /**
   * The change of primary under way, if any.
   * @default - none: the steady state
   */
  readonly transition?: DrTransition;
  /**
   * Alert thresholds of the replica sites.
   * @default - DEFAULT_DR_ALERT_THRESHOLDS
   */
  readonly alertThresholds?: DrAlertThresholds;
  /**
   * The primary site's heartbeat (a CronJob committing one transaction at a steady pace), so that a quiet primary
   * still ships WAL and the replicas' replay-lag alerts measure the pipeline, not the traffic; `false` for none.
   * @default - every five minutes, on the site that is the primary
   */
  readonly heartbeat?: DrHeartbeatOptions | false;
  /**
   * Where impact lines of a change of primary go.
   * @default - standard error, prefixed with `impact: `
   */
  readonly report?: (line: string) => void;
}

/** What a site's cluster is in the topology now. */
export interface DrRole {
  /** Whether the cluster is a replica (the operator's `IsReplica`). */
  readonly replica: boolean;
  /** `spec.replica` as rendered. */
  readonly spec: cnpg.ClusterSpecReplica;
}

/** The objects a platform creates for its site (read-only copies of the other sites' stores). */
interface MemberState {
  readonly site: DisasterRecoverySite;
  readonly stores: Map<string, BackupStore>;
  readonly ownStoreName: string;
  cluster?: CnpgCluster;
}

const DEFAULT_NAMESPACE = 'data-infra';

/**
 * A disaster-recovery topology declared once: a primary site and replica sites in other Kubernetes clusters, fed
 * from the object store (CloudNativePG replica clusters in the distributed topology: `spec.replica.primary`/`source`/
 * `self`, demotion and promotion tokens). Each environment's platform takes it as `disasterRecovery` and derives
 * its part: the bootstrap of a replica (recovery from the origin's archive), `spec.replica`, one `externalClusters`
 * entry per site, a read-only copy of every other site's ObjectStore in its namespace with sealed read credentials
 * (sealed per environment, so per Kubernetes cluster), and the replica alerts.
 *
 * ```ts
 * export const DR = DisasterRecovery.pair({
 *   name: 'cnpg-ha',
 *   primary: { environment: 'default', kubernetesCluster: TUTORIAL, clusterName: 'cnpg-ha', postgresMajor: 16, archive: { destinationPath: 's3://a/prod', region: 'ap-northeast-1' } },
 *   replicas: [{ environment: 'dr', kubernetesCluster: DR_SITE, clusterName: 'cnpg-ha-dr', postgresMajor: 16, archive: { destinationPath: 's3://b/dr', region: 'ap-northeast-3' } }],
 * });
 * ```
 */
export class DisasterRecovery {
  /** A primary and one or more replicas (a pair, or a ring with `source`). */
  public static pair(props: DisasterRecoveryProps): DisasterRecovery {
    return new DisasterRecovery(props);
  }

  /** Name of the topology. */
  public readonly name: string;
  /** Every site, the primary first. */
  public readonly sites: readonly DisasterRecoverySite[];
  /** The primary's environment. */
  public readonly primary: string;
  /** The origin's environment (created empty). */
  public readonly origin: string;
  /** The transition under way. */
  public readonly transition?: DrTransition;
  /** Alert thresholds of the replicas. */
  public readonly alertThresholds?: DrAlertThresholds;
  /** The primary's heartbeat (`false`: none). */
  public readonly heartbeat?: DrHeartbeatOptions | false;

  private readonly report: (line: string) => void;
  /** The latest cluster built for each environment (the environments of one synth are built together). */
  private readonly built = new Map<string, CnpgCluster>();
  private readonly printed = new Set<string>();

  private constructor(props: DisasterRecoveryProps) {
    this.name = props.name;
    this.sites = [props.primary, ...(props.replicas ?? [])];
    this.primary = props.primary.environment;
    this.origin = props.origin ?? props.primary.environment;
    this.transition = props.transition;
    this.alertThresholds = props.alertThresholds;
    this.heartbeat = props.heartbeat;
    this.report = props.report ?? ((line) => process.stderr.write(`impact: ${line}\n`));
  }

  /** The site of an environment. */
  public site(environment: string): DisasterRecoverySite | undefined {
    return this.sites.find((s) => s.environment === environment);
  }

  /** The declaration as the rules read it. */
  public get facts(): DrFacts {
    return {
      name: this.name,
      primary: this.primary,
      transition: this.transition?.facts,
      sites: this.sites.map((s): DrSiteFacts => ({
        environment: s.environment,
        kubernetesCluster: s.kubernetesCluster?.name,
        clusterName: s.clusterName,
        namespace: s.namespace ?? DEFAULT_NAMESPACE,
        postgresMajor: s.postgresMajor,
        archiveLocation: archiveLocation(s),
        source: s.source,
        bootstrapFrom: this.bootstrapSourceOf(s),
        minApplyDelay: s.minApplyDelay,
      })),
    };
  }

  /** Every problem of the declaration (rules DR1–DR10 of lib/replication/dr-rules.ts). */
  public problems(): DrProblem[] {
    return disasterRecoveryProblems(this.facts);
  }

  /** The environment whose archive a site's cluster is created from; undefined for the origin (created empty). */
  public bootstrapSourceOf(site: DisasterRecoverySite): string | undefined {
    return site.bootstrapFrom ?? (site.environment === this.origin ? undefined : this.origin);
  }

  /**
   * `spec.replica` of a site's cluster now: the declared primary (during a demotion, the demoted site already names
   * the next one), the source it replays from, `self`, and the promotion token on the site being promoted.
   */
  public roleOf(environment: string): DrRole {
    const site = this.site(environment);
    if (!site) throw new Error(`disaster recovery ${this.name}: ${environment} is not a site`);
    const t = this.transition?.facts;
    const byEnv = (e: string | undefined) => this.sites.find((s) => s.environment === e);
    const primaryEnv = t?.kind === 'demotion' && environment === this.primary && t.to ? t.to : this.primary;
    const primary = byEnv(primaryEnv) ?? this.sites[0];
    const isPrimary = primary.environment === environment;
    const source = isPrimary
      ? (this.sites.find((s) => s.environment !== environment && s.source === undefined) ?? this.sites.find((s) => s.environment !== environment) ?? site)
      : (byEnv(site.source) ?? primary);
    const spec: cnpg.ClusterSpecReplica = {
      self: site.clusterName,
      primary: primary.clusterName,
      source: source.clusterName,
      promotionToken: isPrimary && t?.kind === 'promotion' ? t.token : undefined,
      minApplyDelay: !isPrimary ? site.minApplyDelay : undefined,
    };
    return { replica: !isPrimary, spec };
  }

  /**
   * Wires an environment's platform into the topology, before its cluster is created: the read credentials and
   * read-only ObjectStore copies of the other sites, and the cluster props (`bootstrap`, `replica`). Used by
   * `PostgresPlatform`; call `finish` once the platform is complete.
   */
  public prepareMember(scope: IConstruct, options: DrMemberOptions): DrMember {
    return new DrMember(this, scope, options);
  }

  /** @internal */
  public _register(environment: string, cluster: CnpgCluster): void {
    this.built.set(environment, cluster);
  }

  /** @internal the clusters of the other sites built in this process. */
  public _peers(environment: string): Array<{ environment: string; cluster: CnpgCluster }> {
    return [...this.built.entries()].filter(([e]) => e !== environment).map(([e, cluster]) => ({ environment: e, cluster }));
  }

  /** @internal prints a line once per synth process. */
  public _print(line: string): void {
    if (this.printed.has(line)) return;
    this.printed.add(line);
    this.report(line);
  }
}

/** Options of `DisasterRecovery.prepareMember`. */
export interface DrMemberOptions {
  /** The platform's environment. */
  readonly environment: string;
  /** Namespace of the platform's database. */
  readonly namespace: string;
  /** The chart of the ObjectStores (the platform's backup component). */
  readonly backupChart: Construct;
  /** The chart of the credentials. */
  readonly credentialsChart: Construct;
  /** The environment's sealed values (its Kubernetes cluster's certificate). */
  readonly sealedValues: SealedValues;
  /** Name of the platform's own ObjectStore (its `backup`). */
  readonly ownStoreName: string;
  /**
   * The platform's own object storage credential (for `DrReadCredential.PLATFORM`).
   * @default - none
   */
  readonly ownCredential?: S3Credential;
}

/** One platform's part of a topology (see `DisasterRecovery.prepareMember`). */
export class DrMember implements IClusterReplica {
  /** The site. */
  public readonly site?: DisasterRecoverySite;
  /** The cluster's bootstrap, when it is created from another site's archive. */
  public readonly bootstrap?: IClusterBootstrap;
  /** The read-only ObjectStore copies of the other sites' archives, by environment. */
  public readonly peerStores: ReadonlyMap<string, BackupStore>;

  private readonly state?: MemberState;

  public constructor(public readonly topology: DisasterRecovery, scope: IConstruct, options: DrMemberOptions) {
    const problems = Problems.of(scope);
    for (const p of topology.problems()) (p.severity === 'warning' ? problems.warn(p) : problems.error({ ...p, field: `disasterRecovery.${p.field}` }));
    this.site = topology.site(options.environment);
    const stores = new Map<string, BackupStore>();
    this.peerStores = stores;
    if (!this.site) {
      problems.error({
        field: 'disasterRecovery', value: options.environment,
        message: `the environment is not a site of the disaster-recovery topology ${topology.name}`,
        fix: `declare it in DisasterRecovery.pair (sites: ${topology.sites.map((s) => s.environment).join(', ')}), or remove disasterRecovery`,
      });
      return;
    }
    const ns = this.site.namespace ?? DEFAULT_NAMESPACE;
    if (ns !== options.namespace) {
      problems.error({ field: 'disasterRecovery', value: options.namespace, message: `the site declares namespace "${ns}" but the platform's database namespace is "${options.namespace}"`, fix: 'make them the same' });
    }
    for (const peer of topology.sites.filter((s) => s !== this.site)) {
      // Secrets cannot be read across Kubernetes clusters: the peer's bucket credentials are sealed again for this
      // environment's controller (`npm run seal -- --env <env>`); read access is enough.
      const own = this.site.readCredential === DrReadCredential.PLATFORM;
      if (own && !options.ownCredential) {
        problems.error({ field: 'disasterRecovery.readCredential', value: 'platform', message: 'the platform has no s3Credential to read the other sites\' archives with', fix: 'declare s3Credential, or use DrReadCredential.SEALED' });
      }
      const credential = own && options.ownCredential ? options.ownCredential : new S3Credential(options.credentialsChart, `DrRead-${peer.environment}`, {
        secretName: `${peer.clusterName}-archive-s3`,
        namespace: options.namespace,
        region: peer.archive.region,
        sealedValues: options.sealedValues,
      });
      stores.set(peer.environment, new BackupStore(options.backupChart, `DrArchive-${peer.environment}`, {
        storeName: `${peer.clusterName}-archive`,
        namespace: options.namespace,
        destinationPath: peer.archive.destinationPath,
        endpointUrl: peer.archive.endpointUrl,
        credential,
        labels: { 'cdk8s-cnpg/disaster-recovery': topology.name, 'cdk8s-cnpg/read-only': 'true' },
      }));
    }
    this.state = { site: this.site, stores, ownStoreName: options.ownStoreName };
    const from = topology.bootstrapSourceOf(this.site);
    const fromSite = from !== undefined ? topology.site(from) : undefined;
    const fromStore = from !== undefined ? stores.get(from) : undefined;
    if (fromSite && fromStore) {
      this.bootstrap = ClusterRecovery.fromBackupStore(fromStore, { sourceServerName: serverNameOf(fromSite), sourceName: fromSite.clusterName });
    }
  }

  /** The cluster's role now. */
  public get role(): DrRole | undefined {
    return this.site ? this.topology.roleOf(this.site.environment) : undefined;
  }

  /** `IClusterReplica`: `spec.replica` and an `externalClusters` entry per site (the bootstrap's excepted). */
  public bind(cluster: CnpgCluster): ClusterReplicaConfig {
    const state = this.state;
    if (!state || !this.role) return { replica: { source: cluster.clusterName } };
    state.cluster = cluster;
    const problems = Problems.of(cluster);
    if (cluster.clusterName !== state.site.clusterName) {
      problems.error({ field: 'clusterName', value: cluster.clusterName, message: `the disaster-recovery site ${state.site.environment} declares the cluster "${state.site.clusterName}"`, fix: 'make them the same' });
    }
    if (cluster.postgresMajor !== state.site.postgresMajor) {
      problems.error({ field: 'image', value: cluster.postgresMajor, message: `the disaster-recovery site declares PostgreSQL ${state.site.postgresMajor}: every site of the topology runs one major`, fix: 'make them the same', rule: 'DR4' });
    }
    const existing = new Set(cluster.externalClusterNames);
    const externalClusters: cnpg.ClusterSpecExternalClusters[] = this.topology.sites
      .filter((s) => !existing.has(s.clusterName))
      .map((s) => ({
        name: s.clusterName,
        plugin: {
          name: BARMAN_CLOUD_PLUGIN,
          parameters: { barmanObjectName: s === state.site ? state.ownStoreName : state.stores.get(s.environment)!.storeName, serverName: serverNameOf(s) },
        },
      }));
    return { replica: this.role.spec, externalClusters };
  }

  /**
   * Checks the finished platform: its own store is the site's archive, it archives only there, and (at synth) the
   * rendered clusters of the topology and the change of role against the deployed manifests.
   */
  public finish(platform: IConstruct, ownStore: BackupStore | undefined): void {
    const state = this.state;
    const cluster = state?.cluster;
    if (!state || !cluster) return;
    const problems = Problems.of(platform);
    if (!ownStore) {
      problems.error({ field: 'backup', message: 'a disaster-recovery site needs its own backup store: the archive the other sites replay while it is the primary, and its backups after a promotion', fix: `configure backup with destinationPath "${state.site.archive.destinationPath}"` });
    } else {
      const expected = archiveLocation(state.site);
      const actual = ownStore.archiveLocation(serverNameOf(state.site));
      if (expected !== actual || BackupStore.archiveOf(cluster)?.serverName !== serverNameOf(state.site)) {
        problems.error({ field: 'backup', value: `${actual} (serverName ${BackupStore.archiveOf(cluster)?.serverName})`, message: `the site declares its archive at ${expected}: the other sites read that path`, fix: 'make backup.destinationPath/endpointUrl and the site\'s archive the same' });
      }
      if (ownStore.storeName !== state.ownStoreName) {
        problems.error({ field: 'backup.storeName', value: ownStore.storeName, message: `the topology's self entry names the ObjectStore "${state.ownStoreName}"`, fix: 'keep the default store name' });
      }
    }
    // the read-only copies are never a WAL archiver (a replica never writes into another site's path)
    const archiver = cluster.walArchiver?.parameters?.barmanObjectName;
    for (const [env, store] of state.stores) {
      if (archiver === store.storeName) {
        problems.error({ field: 'spec.plugins', value: archiver, message: `the cluster would archive into ${env}'s path through its read-only copy`, fix: 'archive into the site\'s own store', rule: 'DR5' });
      }
    }
    this.topology._register(state.site.environment, cluster);
    const topology = this.topology;
    const environment = state.site.environment;
    cluster.node.addValidation({
      validate: () => {
        const own = rendered(cluster.apiObject);
        const peers = topology._peers(environment);
        const previous = previousManifests(cluster, environment);
        const prevOwn = previous?.find('Cluster', own.metadata.namespace, own.metadata.name)?.object;
        const peerStates = topology.sites.filter((s) => s.environment !== environment).map((s) => {
          const peer = peers.find((p) => p.environment === s.environment);
          const built = peer ? rendered(peer.cluster.apiObject) : undefined;
          const deployed = previousManifests(cluster, s.environment)?.find('Cluster', s.namespace ?? DEFAULT_NAMESPACE, s.clusterName)?.object;
          return { environment: s.environment, previous: deployed, next: built };
        });
        const deployed = new Set<any>([...(prevOwn ? [own] : []), ...peerStates.filter((p) => p.previous && p.next).map((p) => p.next)]);
        const topologyProblems = renderedTopologyProblems([own, ...peerStates.map((p) => p.next).filter((n) => n !== undefined)], (c) => deployed.has(c));
        const changes = prevOwn ? roleChangeProblems(prevOwn, own, topology.transition?.facts, peerStates) : [];
        if (prevOwn) {
          const change = classifyRoleChange(prevOwn, own);
          if (change.kind !== 'none') topology._print(`${change.impact} [disaster recovery ${topology.name}${topology.transition ? `, ${topology.transition.facts.kind}` : ''}]`);
        }
        const errors: string[] = [];
        for (const p of [...topologyProblems, ...changes]) {
          if (p.severity === 'warning') Problems.of(cluster).warn(p);
          else errors.push(formatProblem(p));
        }
        return errors;
      },
    });
  }

  /** Alert rules of the site: the replica alerts (WAL replay lag by time, an unexpected primary) in the monitoring chart. */
  public addAlerts(scope: Construct, labels?: Record<string, string>): DrReplicaAlerts | undefined {
    const cluster = this.state?.cluster;
    const role = this.role;
    if (!cluster || !role) return undefined;
    return new DrReplicaAlerts(scope, 'DisasterRecoveryAlerts', {
      cluster,
      topology: this.topology.name,
      replica: role.replica,
      primaryClusterName: role.spec.primary ?? cluster.clusterName,
      thresholds: this.topology.alertThresholds,
      labels,
    });
  }

  /**
   * The heartbeat of the site when it is the primary now (`DisasterRecoveryProps.heartbeat`); none on a replica, or
   * when turned off. It logs in with `credentialSecretName` (any role may run its transaction).
   */
  public addHeartbeat(scope: Construct, credentialSecretName: string): DrHeartbeat | undefined {
    const cluster = this.state?.cluster;
    const role = this.role;
    if (!cluster || !role || role.replica || this.topology.heartbeat === false) return undefined;
    return new DrHeartbeat(scope, 'DisasterRecoveryHeartbeat', {
      ...this.topology.heartbeat,
      cluster,
      credentialSecretName,
      replayLagWarningSeconds: this.topology.alertThresholds?.replayLagWarningSeconds ?? DEFAULT_DR_ALERT_THRESHOLDS.replayLagWarningSeconds,
    });
  }

  /** Standard alerts that do not apply to a replica cluster (its lag is WAL shipping lag, alerted by the DR set). */
  public get disabledStandardAlerts(): string[] {
    return this.role?.replica ? ['CNPGClusterReplicationLagWarning', 'CNPGClusterReplicationLagCritical'] : [];
  }
}

function serverNameOf(site: DisasterRecoverySite): string {
  return site.archive.serverName ?? site.clusterName;
}

/** Comparable archive location (as `BackupStore.archiveLocation`). */
function archiveLocation(site: DisasterRecoverySite): string {
  const a = site.archive;
  let endpoint = 'aws-s3';
  if (a.endpointUrl !== undefined) {
    try {
      const u = new URL(a.endpointUrl);
      endpoint = /(^|\.)amazonaws\.com(\.cn)?$/.test(u.hostname.toLowerCase()) ? 'aws-s3' : `${u.protocol}//${u.host.toLowerCase()}`;
    } catch {
      endpoint = a.endpointUrl;
    }
  }
  return `${endpoint} ${(a.destinationPath ?? '').replace(/\/+$/, '')}/${serverNameOf(site)}`;
}

/** The deployed manifests of an environment next to this app's output (`<outdir>/<env>/`), or undefined. */
function previousManifests(scope: IConstruct, environment: string): PreviousManifests | undefined {
  const root = scope.node.root;
  const outdir = root instanceof App ? root.outdir : undefined;
  if (!outdir) return undefined;
  const previous = PreviousManifests.fromDist(path.dirname(outdir), environment, { ref: scope.node.tryGetContext(PREVIOUS_REF_CONTEXT) });
  return previous.source === 'none' ? undefined : previous;
}

export { isReplicaCluster };
