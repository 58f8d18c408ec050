import { ApiObject, Chart, Lazy, Size } from 'cdk8s';
import { ContainerResources } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as cnpg from '../../imports/postgresql.cnpg.io';
import { Problems } from '../core/problems';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isQuantity, parseQuantity } from '../core/k8s-syntax';
import { claimObjectName, nameFromId } from '../core/resource-names';
import { IBasicAuthCredential } from '../secrets/credential-ref';
import { CnpgClusterAttributes, ICnpgCluster } from './cluster-ref';
import {
  PodAntiAffinity, PrimaryUpdateMethod, PrimaryUpdateStrategy, SynchronousReplication,
} from './cluster-options';
import { CnpgResource, PropFields } from './cnpg-resource';
import { acknowledgeBreakingChanges } from '../core/update-checks';
import { TLS_ONLY_PG_HBA } from '../rules/pg-hba';
import { PostgresImage } from './postgres-image';
import { ExternalCluster } from './external-cluster';
import { ImageCatalogSelection } from './image-catalog';
import { ImageVolumeExtension, ImageVolumeExtensionOptions } from './image-extensions';
import { ManagedRole, ManagedRoleOptions } from './roles';
import { resourceQuantities, toL1Quantities } from '../core/resources';

/** What a bootstrap method contributes to a cluster's spec. */
export interface ClusterBootstrapConfig {
  /** `spec.bootstrap`. */
  readonly bootstrap: cnpg.ClusterSpecBootstrap;
  /** Entries of `spec.externalClusters` the bootstrap refers to. */
  readonly externalClusters?: cnpg.ClusterSpecExternalClusters[];
}

/**
 * How a cluster is created, other than an empty `initdb` (for example recovery from a backup store).
 * `bind` is called once, when the cluster renders its spec; problems are recorded with `Problems.of(cluster)`.
 */
export interface IClusterBootstrap {
  bind(cluster: CnpgCluster): ClusterBootstrapConfig;
}

/** What a replica topology contributes to a cluster's spec (`spec.replica` and the `externalClusters` it names). */
export interface ClusterReplicaConfig {
  /** `spec.replica`. */
  readonly replica: cnpg.ClusterSpecReplica;
  /** Entries of `spec.externalClusters` the topology needs besides the bootstrap's (never one of the same name). */
  readonly externalClusters?: cnpg.ClusterSpecExternalClusters[];
}

/**
 * Makes a cluster part of a replica topology (a replica cluster, or a member of a distributed topology such as
 * `DisasterRecovery`). `bind` is called once, after the bootstrap, when the cluster is constructed.
 */
export interface IClusterReplica {
  bind(cluster: CnpgCluster): ClusterReplicaConfig;
}

/** A CNPG-I plugin entry of a cluster (`spec.plugins[]`). */
export interface ClusterPluginOptions {
  /** The plugin's CNPG-I name, e.g. `barman-cloud.cloudnative-pg.io`. */
  readonly name: string;
  /**
   * Whether this plugin archives the cluster's WAL; a cluster has at most one WAL archiver.
   * @default false
   */
  readonly isWalArchiver?: boolean;
  /**
   * Plugin parameters.
   * @default - none
   */
  readonly parameters?: Record<string, string>;
  /**
   * Whether the plugin is enabled.
   * @default true
   */
  readonly enabled?: boolean;
}

/** A PostgreSQL parameter value; always rendered as a string, as CloudNativePG requires. */
export type ParameterValue = string | number | boolean;

/**
 * Properties of a `CnpgCluster`.
 */
export interface CnpgClusterProps {
  /**
   * `metadata.name` of the Cluster. The operator derives pod, PVC, Service and Secret names from it, so it is
   * public API: a DNS-1035 label of at most 50 characters.
   * @default - derived from the construct id: lower-case, kebab-case (`Db` → `db`, `OrdersDb` → `orders-db`)
   */
  readonly clusterName?: string;
  /**
   * Namespace of the Cluster.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Number of instances: one primary, the rest hot standby replicas.
   * @default 3
   */
  readonly instances?: number;
  /**
   * The PostgreSQL image.
   * @default PostgresImage.current(18) (minimal, trixie)
   */
  readonly image?: PostgresImage;
  /**
   * Take the image from an image catalog instead (`spec.imageCatalogRef`): `catalog.select(18)`. Mutually exclusive
   * with `image`. Selecting a higher major upgrades the cluster in place (pg_upgrade; only to 16 or newer).
   * @default - the `image` prop
   */
  readonly imageCatalog?: ImageCatalogSelection;
  /**
   * Size of each instance's data volume, e.g. `Size.gibibytes(40)`.
   *
   * The string form (a Kubernetes quantity such as `"40Gi"`) is deprecated and will be removed in the next major
   * release: pass a `Size`. Both render the same quantity.
   */
  readonly storageSize: Size | string;
  /**
   * StorageClass of the data volumes: the name of a StorageClass object (a DNS-1123 subdomain, e.g. `longhorn`).
   * @default - the Kubernetes cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Size of a separate WAL volume per instance, e.g. `Size.gibibytes(10)`; WAL shares the data volume when unset.
   * It must be larger than `max_wal_size` (1GB unless set in `parameters`): `pg_wal` grows to that size between
   * checkpoints, and PostgreSQL stops when the volume is full.
   *
   * The string form (a Kubernetes quantity such as `"10Gi"`) is deprecated and will be removed in the next major
   * release: pass a `Size`.
   * @default - no separate WAL volume
   */
  readonly walStorageSize?: Size | string;
  /**
   * StorageClass of the WAL volumes (a DNS-1123 subdomain).
   * @default - the same as `storageClass`
   */
  readonly walStorageClass?: string;
  /**
   * CPU and memory of each instance. When only limits are given, requests are set to the limits so the pods get the
   * Guaranteed QoS class that CloudNativePG recommends.
   * @default - no requests or limits
   */
  readonly resources?: ContainerResources;
  /**
   * `postgresql.conf` parameters. Numbers and booleans are rendered as strings.
   * @default - the operator's defaults
   */
  readonly parameters?: Record<string, ParameterValue>;
  /**
   * `pg_hba.conf` lines, inserted after the operator's fixed rules and before its trailing
   * `host all all all scram-sha-256`. Unless `pgHbaRejectNonTls` is false, `hostnossl all all all reject` is
   * appended after them, so a connection none of these lines matches is never accepted without TLS.
   * @default - TLS only, scram-sha-256: `hostssl all all all scram-sha-256` and `hostnossl all all all reject`
   */
  readonly pgHba?: string[];
  /**
   * Append `hostnossl all all all reject` after the `pgHba` lines. Without it, the operator's trailing
   * `host all all all scram-sha-256` accepts passwords over plain TCP from any client no line of yours matches.
   * Set it to false only when clients must connect without TLS (and say why in a comment).
   * @default true
   */
  readonly pgHbaRejectNonTls?: boolean;
  /**
   * Name of the application database created at bootstrap.
   * @default "app"
   */
  readonly database?: string;
  /**
   * Credential of the application database owner (a basic-auth Secret); its username becomes the owner.
   * @default - the operator generates the Secret `<cluster>-app` for the role `app`
   */
  readonly ownerCredential?: IBasicAuthCredential;
  /**
   * How the cluster is created. The application database, its owner and the owner's credential
   * (`database`, `ownerCredential`) apply to every method.
   * @default - a new, empty cluster (`initdb`)
   */
  readonly bootstrap?: IClusterBootstrap;
  /**
   * Replica cluster or distributed topology membership (`spec.replica`, e.g. `DisasterRecovery.member(...)`).
   * @default - not a replica cluster
   */
  readonly replica?: IClusterReplica;
  /**
   * Credential of the `postgres` superuser. Superuser access over the network is enabled only when this is given.
   * @default - superuser access disabled
   */
  readonly superuserCredential?: IBasicAuthCredential;
  /**
   * When the primary is updated in a rolling update.
   * @default PrimaryUpdateStrategy.UNSUPERVISED
   */
  readonly primaryUpdateStrategy?: PrimaryUpdateStrategy;
  /**
   * How the primary is updated in a rolling update.
   * @default PrimaryUpdateMethod.RESTART
   */
  readonly primaryUpdateMethod?: PrimaryUpdateMethod;
  /**
   * How strictly instances are kept on different nodes.
   * @default - PodAntiAffinity.REQUIRED with 2 or more instances (losing a node never loses two instances), PREFERRED with one
   */
  readonly podAntiAffinity?: PodAntiAffinity;
  /**
   * Spread instances evenly over `topology.kubernetes.io/zone` (a hard constraint).
   * @default false
   */
  readonly spreadOverZones?: boolean;
  /**
   * Synchronous replication.
   * @default - asynchronous replication
   */
  readonly synchronousReplication?: SynchronousReplication;
  /**
   * Physical replication slots for the HA standbys, so the primary keeps the WAL they still need.
   * @default true
   */
  readonly haReplicationSlots?: boolean;
  /**
   * Let the operator create PodDisruptionBudgets for the instances. This library never adds its own.
   * @default - true with 2 or more instances; false with one (otherwise its node could never be drained)
   */
  readonly enablePdb?: boolean;
  /**
   * Labels on the Cluster object.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Breaking changes a reviewer accepts for the next deployment, by update rule id (e.g. `['U4']`, see
   * `lib/core/update-checks.ts`). Remove them once deployed: an acknowledgement that matches no change is a warning.
   * @default - none
   */
  readonly acknowledgeBreakingChanges?: string[];
}

const CLUSTER_NAME_MAX = 50;

/** PostgreSQL's default `max_wal_size` (1GB), in bytes. */
const DEFAULT_MAX_WAL_SIZE_BYTES = 2 ** 30;

/** A storage size as the Kubernetes quantity it renders to (`Size.gibibytes(40)` → `40Gi`). */
function storageQuantity(size: Size | string | undefined): string | undefined {
  if (size === undefined || typeof size === 'string') return size;
  const s = size as unknown as { asString?: () => string };
  return typeof s.asString === 'function' ? s.asString() : size as unknown as string;
}

/** A cluster declared elsewhere: emits nothing, knows what its attributes say. */
class ImportedCnpgCluster extends Construct implements ICnpgCluster {
  public readonly clusterName: string;
  public readonly namespace: string;
  public readonly instances: number;
  public readonly postgresMajor: number;
  public readonly rwServiceName: string;
  public readonly roServiceName: string;
  public readonly rServiceName: string;

  public constructor(scope: Construct, id: string, attributes: CnpgClusterAttributes) {
    super(scope, id);
    this.clusterName = attributes.clusterName;
    this.namespace = attributes.namespace;
    this.instances = attributes.instances ?? 3;
    this.postgresMajor = attributes.postgresMajor ?? 18;
    this.rwServiceName = `${this.clusterName}-rw`;
    this.roServiceName = `${this.clusterName}-ro`;
    this.rServiceName = `${this.clusterName}-r`;
    const problems = Problems.of(this);
    if (typeof this.clusterName !== 'string' || !isDns1035Label(this.clusterName)) {
      problems.error({ field: 'clusterName', message: 'is not a CloudNativePG cluster name (a DNS-1035 label)', value: this.clusterName, fix: 'use the metadata.name of the existing Cluster, e.g. "cnpg-ha"' });
    }
    if (typeof this.namespace !== 'string' || !isDns1123Label(this.namespace)) {
      problems.error({ field: 'namespace', message: 'must be a DNS-1123 label', value: this.namespace, fix: 'use the namespace of the existing Cluster, e.g. "data-infra"' });
    }
    if (!Number.isInteger(this.instances) || this.instances < 1) {
      problems.error({ field: 'instances', message: 'must be a whole number of at least 1', value: this.instances, fix: 'use the instance count of the existing Cluster' });
    }
    if (!Number.isInteger(this.postgresMajor) || this.postgresMajor < 12) {
      problems.error({ field: 'postgresMajor', message: 'must be a PostgreSQL major version such as 16', value: this.postgresMajor, fix: 'use the major version the existing Cluster runs' });
    }
  }
}

/**
 * A CloudNativePG `Cluster` (`postgresql.cnpg.io/v1`) with production defaults: three instances on different
 * nodes, TLS-only scram-sha-256 client authentication, HA replication slots and explicit, stable names.
 *
 * @stateful Deleting the Cluster deletes its volumes.
 */
export class CnpgCluster extends CnpgResource implements ICnpgCluster {
  /**
   * A cluster this app does not declare (another app's, another team's), for the constructs that only need its names:
   * monitoring, poolers, tunnels, network policies, scheduled backups. Emits nothing.
   *
   * ```ts
   * const db = CnpgCluster.fromClusterAttributes(chart, 'Db', { clusterName: 'cnpg-ha', namespace: 'data-infra' });
   * new ClusterAlertRules(chart, 'Alerts', { cluster: db });
   * ```
   */
  public static fromClusterAttributes(scope: Construct, id: string, attributes: CnpgClusterAttributes): ICnpgCluster {
    return new ImportedCnpgCluster(scope, id, attributes);
  }

  public readonly clusterName: string;
  public readonly namespace: string;
  public readonly instances: number;
  public readonly postgresMajor: number;
  public readonly rwServiceName: string;
  public readonly roServiceName: string;
  public readonly rServiceName: string;
  /** The PostgreSQL image the cluster runs. */
  public readonly image: PostgresImage;
  /** Name of the application database. */
  public readonly databaseName: string;
  /** Role that owns the application database. */
  public readonly ownerName: string;
  /** Secret with the owner's `username` and `password`. */
  public readonly appSecretName: string;
  /** Credential of the application owner, when one was given. */
  public readonly ownerCredential?: IBasicAuthCredential;
  /** Secret with the cluster's CA certificate (`ca.crt`), for clients that verify the server. */
  public readonly caSecretName: string;
  /**
   * A libpq connection URI for applications, with `{password}` to be substituted from the owner's Secret.
   * It verifies the server certificate against the CA in `caSecretName`.
   */
  public readonly connectionUriTemplate: string;
  /** The generated L1 object, for escape hatches (`addJsonPatch`). */
  public readonly apiObject: ApiObject;

  private readonly props: CnpgClusterProps;
  private readonly bootstrapConfig: ClusterBootstrapConfig;
  private readonly replicaConfig?: ClusterReplicaConfig;
  private readonly plugins: cnpg.ClusterSpecPlugins[] = [];
  private readonly monitoringQueries: { name: string; key: string }[] = [];
  private readonly managedRoles: ManagedRole[] = [];
  private readonly imageExtensions: ImageVolumeExtension[] = [];
  private readonly preloadLibraries = new Set<string>();
  private readonly addedExternalClusters: ExternalCluster[] = [];

  public constructor(scope: Construct, id: string, props: CnpgClusterProps) {
    super(scope, id, CLUSTER_PROP_FIELDS);
    this.props = props;
    this.clusterName = props.clusterName ?? nameFromId(id);
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? '';
    this.instances = props.instances ?? 3;
    this.image = props.imageCatalog?.image ?? props.image ?? PostgresImage.current(18);
    this.postgresMajor = this.image.major;
    this.rwServiceName = `${this.clusterName}-rw`;
    this.roServiceName = `${this.clusterName}-ro`;
    this.rServiceName = `${this.clusterName}-r`;
    this.databaseName = props.database ?? 'app';
    this.ownerName = props.ownerCredential?.username ?? this.databaseName;
    this.ownerCredential = props.ownerCredential;
    this.appSecretName = props.ownerCredential?.secretName ?? `${this.clusterName}-app`;
    this.caSecretName = `${this.clusterName}-ca`;
    this.connectionUriTemplate = `postgresql://${this.ownerName}:{password}@${this.rwServiceName}.${this.namespace}.svc:5432/`
      + `${this.databaseName}?sslmode=verify-full`;

    this.validate();
    claimObjectName(this, { kind: 'postgresql.cnpg.io/Cluster', namespace: this.namespace, name: this.clusterName, field: 'clusterName' });

    // Bound eagerly so the bootstrap's checks are recorded before synth validates the app.
    this.bootstrapConfig = props.bootstrap?.bind(this) ?? {
      bootstrap: {
        initdb: {
          database: this.databaseName,
          owner: this.ownerName,
          secret: props.ownerCredential ? { name: props.ownerCredential.secretName } : undefined,
        },
      },
    };

    this.replicaConfig = props.replica?.bind(this);

    this.apiObject = new cnpg.Cluster(this, 'Resource', {
      metadata: { name: this.clusterName, namespace: this.namespace, labels: props.labels },
      spec: Lazy.any({ produce: () => this.renderSpec() }) as unknown as cnpg.ClusterSpec,
    });
    if (props.acknowledgeBreakingChanges) acknowledgeBreakingChanges(this, props.acknowledgeBreakingChanges);
  }

  /**
   * Adds a CNPG-I plugin entry (`spec.plugins`), e.g. the Barman Cloud WAL archiver.
   */
  public addPlugin(plugin: ClusterPluginOptions): void {
    if (plugin.isWalArchiver && this.plugins.some((p) => p.isWalArchiver)) {
      Problems.of(this).error({
        field: 'spec.plugins',
        message: 'a cluster can have only one WAL archiver',
        value: plugin.name,
        fix: 'remove the other WAL archiver plugin, or add this plugin with isWalArchiver: false',
      });
    }
    this.plugins.push({ name: plugin.name, enabled: plugin.enabled ?? true, isWalArchiver: plugin.isWalArchiver ?? false, parameters: plugin.parameters });
  }

  /**
   * Adds a ConfigMap of custom metric queries (`spec.monitoring.customQueriesConfigMap`); the operator's default
   * queries stay enabled.
   */
  public addMonitoringQueries(configMap: { name: string; key: string }): void {
    this.monitoringQueries.push({ name: configMap.name, key: configMap.key });
  }

  /**
   * Adds a role the operator reconciles (`spec.managed.roles`), rendered with every attribute explicit so Argo CD
   * shows no drift. Reserved names (`postgres`, `streaming_replica`, `cnpg_*`, `pg_*`) are synth errors.
   */
  public addRole(options: ManagedRoleOptions): ManagedRole {
    const role = new ManagedRole(options);
    const { errors, warnings } = role.problems(this.namespace);
    if (this.managedRoles.some((r) => r.name === role.name)) {
      errors.push({ field: `managed.roles.${role.name}`, message: 'the role is declared twice', value: role.name, fix: 'declare each role once' });
    }
    for (const p of errors) Problems.of(this).error(p);
    for (const p of warnings) Problems.of(this).warn(p);
    this.managedRoles.push(role);
    return role;
  }

  /** The managed roles, in the order added. */
  public get roles(): readonly ManagedRole[] {
    return [...this.managedRoles];
  }

  /**
   * Mounts an extension from its own image (`spec.postgresql.extensions`, PostgreSQL 18+). Every instance is
   * recreated (a rolling update) when the list changes.
   */
  public addExtensionImage(options: ImageVolumeExtensionOptions): ImageVolumeExtension {
    const ext = new ImageVolumeExtension(options);
    const problems = ext.problems(this.postgresMajor);
    const volume = (n: string) => n.replace(/_/g, '-');
    if (this.imageExtensions.some((e) => e.name === ext.name)) {
      problems.push({ field: 'postgresql.extensions', message: 'the extension entry is declared twice', value: ext.name });
    } else if (this.imageExtensions.some((e) => volume(e.name) === volume(ext.name))) {
      problems.push({ field: 'postgresql.extensions', message: `results in a duplicate volume name "${volume(ext.name)}" (underscores become hyphens)`, value: ext.name, fix: 'rename one entry' });
    }
    for (const p of problems) Problems.of(this).error(p);
    this.imageExtensions.push(ext);
    for (const lib of ext.sharedPreloadLibraries) this.addSharedPreloadLibrary(lib);
    return ext;
  }

  /** The image volume extensions. */
  public get extensionImages(): readonly ImageVolumeExtension[] {
    return [...this.imageExtensions];
  }

  /**
   * Adds a library to `spec.postgresql.shared_preload_libraries` (merged by the operator with the libraries of its
   * managed extensions). Changing the list restarts every instance.
   */
  public addSharedPreloadLibrary(library: string): void {
    if (typeof library !== 'string' || !/^[A-Za-z0-9_$.\-/]+$/.test(library)) {
      Problems.of(this).error({ field: 'postgresql.shared_preload_libraries', message: 'is not a library name', value: library, fix: 'use the library\'s file name without suffix, e.g. "pg_stat_statements"' });
      return;
    }
    this.preloadLibraries.add(library);
  }

  /** `spec.postgresql.shared_preload_libraries` as rendered (sorted). */
  public get sharedPreloadLibraries(): readonly string[] {
    return [...this.preloadLibraries].sort();
  }

  /**
   * Declares a server this cluster connects to (`spec.externalClusters[]`), e.g. the publisher of a subscription.
   * Returns the entry's name.
   */
  public addExternalCluster(external: ExternalCluster): string {
    const problems = external.problems(this);
    if (this.externalClusterNames.includes(external.name)) {
      problems.push({ field: `externalClusters.${external.name}`, message: 'the external cluster name is declared twice', value: external.name, fix: 'give the entry another name' });
    }
    for (const p of problems) Problems.of(this).error(p);
    this.addedExternalClusters.push(external);
    return external.name;
  }

  /** Names of every `spec.externalClusters[]` entry (the bootstrap's and the added ones). */
  public get externalClusterNames(): string[] {
    return [
      ...(this.bootstrapConfig?.externalClusters ?? []).map((e) => e.name),
      ...(this.replicaConfig?.externalClusters ?? []).map((e) => e.name),
      ...this.addedExternalClusters.map((e) => e.name),
    ];
  }

  /** The `postgresql.conf` parameters as rendered: names sorted, values as strings. */
  public get parameters(): Readonly<Record<string, string>> {
    return renderParameters(this.props.parameters) ?? {};
  }

  /** Size of each instance's data volume, as a Kubernetes quantity (`40Gi`). */
  public get storageSize(): string {
    return storageQuantity(this.props.storageSize)!;
  }

  /** Size of each instance's WAL volume, as a Kubernetes quantity (`10Gi`), when WAL has its own volume. */
  public get walStorageSize(): string | undefined {
    return storageQuantity(this.props.walStorageSize);
  }

  /** StorageClass of the data volumes, when set. */
  public get storageClass(): string | undefined {
    return this.props.storageClass;
  }

  /** The plugin that archives this cluster's WAL, if any. */
  public get walArchiver(): ClusterPluginOptions | undefined {
    const p = this.plugins.find((x) => x.isWalArchiver);
    return p ? { name: p.name, isWalArchiver: true, parameters: p.parameters, enabled: p.enabled } : undefined;
  }

  private validate(): void {
    const problems = Problems.of(this);
    const p = this.props;
    if (!isDns1035Label(this.clusterName) || this.clusterName.length > CLUSTER_NAME_MAX) {
      problems.error({
        field: 'clusterName',
        message: `must be a DNS-1035 label of at most ${CLUSTER_NAME_MAX} characters (lower-case letters, digits and '-', starting with a letter), because the operator appends suffixes to it`,
        value: this.clusterName,
        fix: p.clusterName === undefined
          ? `set clusterName (the default is derived from the construct id "${this.node.id}"), e.g. "cnpg-ha"`
          : 'choose a shorter lower-case name such as "cnpg-ha"',
      });
    }
    if (!this.namespace) {
      problems.error({ field: 'namespace', message: 'the cluster has no namespace', fix: 'set the namespace prop or the chart\'s namespace' });
    } else if (!isDns1123Label(this.namespace)) {
      problems.error({ field: 'namespace', message: 'must be a DNS-1123 label', value: this.namespace, fix: 'use lower-case letters, digits and \'-\'' });
    }
    for (const message of this.image.problems()) {
      problems.error({ field: 'image', message, value: this.image.imageName, fix: "use PostgresImage.of('MAJOR.MINOR', { flavour }) such as PostgresImage.of('16.14')" });
    }
    if (p.imageCatalog) {
      if (p.image) {
        // both props: only the catalog is rendered, so the webhook never sees the conflict (library policy)
        problems.error({ field: 'imageCatalog', message: 'image and imageCatalog are mutually exclusive (imageName and imageCatalogRef)', fix: 'set one of them' });
      }
      for (const x of p.imageCatalog.problems(this.namespace)) problems.error(x);
    }
    this.validateWalVolume();
    for (const [field, value] of [['storageClass', p.storageClass], ['walStorageClass', p.walStorageClass]] as const) {
      if (value !== undefined && (typeof value !== 'string' || !isDns1123Subdomain(value))) {
        problems.error({
          field,
          message: 'is not a StorageClass name: StorageClass names are DNS-1123 subdomains (lower-case letters, digits, \'-\' and \'.\'), so no StorageClass can have this name and the volumes would stay Pending',
          value,
          fix: typeof value === 'string' && isDns1123Subdomain(value.toLowerCase())
            ? `use "${value.toLowerCase()}" (see kubectl get storageclass)`
            : 'use the name kubectl get storageclass shows, e.g. "longhorn"',
        });
      }
    }
    this.validateParameters();
    this.validateCredentials();
  }

  /**
   * The WAL volume must be larger than `max_wal_size`: PostgreSQL lets `pg_wal` grow to it between checkpoints (a soft
   * limit: WAL not yet archived, or kept for a standby, comes on top), and stops with a PANIC when the volume is full.
   * A `max_wal_size` set in `parameters` is checked against the volume by the admission rule 2.1#104; this covers the
   * default (1GB).
   */
  private validateWalVolume(): void {
    const wal = storageQuantity(this.props.walStorageSize);
    if (wal === undefined || !isQuantity(wal)) return;
    const params = this.props.parameters ?? {};
    if (params.max_wal_size !== undefined) return;
    const walBytes = parseQuantity(wal);
    if (walBytes > DEFAULT_MAX_WAL_SIZE_BYTES) return;
    Problems.of(this).error({
      field: 'walStorageSize',
      message: 'is too small for PostgreSQL\'s WAL: it must be larger than max_wal_size (1GB, PostgreSQL\'s default), '
        + 'because pg_wal grows to max_wal_size between checkpoints, with WAL not yet archived or still needed by a standby '
        + 'on top; a full WAL volume stops PostgreSQL (PANIC: could not write to file "pg_wal/…")',
      value: wal,
      fix: 'use at least Size.gibibytes(2) (twice max_wal_size), or set parameters.max_wal_size well below the volume size',
    });
  }

  private validateParameters(): void {
    for (const [name, value] of Object.entries(this.props.parameters ?? {})) {
      const scalar = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
      if (!scalar) {
        Problems.of(this).error({
          field: `parameters.${name}`,
          message: 'must be a string, a finite number or a boolean',
          value,
          fix: 'write the value as PostgreSQL expects it in postgresql.conf, e.g. "512MB"',
        });
      }
    }
  }

  private validateCredentials(): void {
    const { ownerCredential, superuserCredential } = this.props;
    for (const [field, cred] of [['ownerCredential', ownerCredential], ['superuserCredential', superuserCredential]] as const) {
      if (cred && cred.namespace !== this.namespace) {
        Problems.of(this).error({
          field,
          message: `the Secret must be in the cluster's namespace "${this.namespace}"`,
          value: `${cred.namespace}/${cred.secretName}`,
          fix: 'declare the credential in the cluster\'s namespace',
        });
      }
    }
    if (superuserCredential && superuserCredential.username !== 'postgres') {
      Problems.of(this).error({
        field: 'superuserCredential',
        message: 'the superuser Secret must log in as "postgres"',
        value: superuserCredential.username,
        fix: 'use a separate credential with username "postgres"; never reuse the application owner\'s Secret',
      });
    }
    if (ownerCredential && superuserCredential && ownerCredential.secretName === superuserCredential.secretName) {
      Problems.of(this).error({
        field: 'superuserCredential',
        message: 'the superuser and the application owner must not share a Secret',
        value: superuserCredential.secretName,
        fix: 'declare a separate credential for the superuser',
      });
    }
    if (ownerCredential && ['postgres', 'streaming_replica'].includes(ownerCredential.username)) {
      Problems.of(this).error({ field: 'ownerCredential', message: 'the application owner cannot be a role reserved by CloudNativePG', value: ownerCredential.username, fix: 'use an application role such as "app_user"' });
    }
  }

  private renderSpec(): cnpg.ClusterSpec {
    const p = this.props;
    const multiInstance = this.instances >= 2;
    const antiAffinity = p.podAntiAffinity ?? (multiInstance ? PodAntiAffinity.REQUIRED : PodAntiAffinity.PREFERRED);
    return {
      instances: this.instances,
      imageName: p.imageCatalog ? undefined : this.image.imageName,
      imageCatalogRef: p.imageCatalog?.render(),
      primaryUpdateStrategy: (p.primaryUpdateStrategy ?? PrimaryUpdateStrategy.UNSUPERVISED) as string as cnpg.ClusterSpecPrimaryUpdateStrategy,
      primaryUpdateMethod: (p.primaryUpdateMethod ?? PrimaryUpdateMethod.RESTART) as string as cnpg.ClusterSpecPrimaryUpdateMethod,
      enablePdb: p.enablePdb ?? multiInstance,
      enableSuperuserAccess: p.superuserCredential !== undefined,
      superuserSecret: p.superuserCredential ? { name: p.superuserCredential.secretName } : undefined,
      storage: { size: storageQuantity(p.storageSize), storageClass: p.storageClass, resizeInUseVolumes: true },
      walStorage: p.walStorageSize
        ? { size: storageQuantity(p.walStorageSize), storageClass: p.walStorageClass ?? p.storageClass, resizeInUseVolumes: true }
        : undefined,
      resources: renderResources(p.resources),
      affinity: antiAffinity === PodAntiAffinity.NONE
        ? { enablePodAntiAffinity: false }
        : { enablePodAntiAffinity: true, podAntiAffinityType: antiAffinity, topologyKey: 'kubernetes.io/hostname' },
      topologySpreadConstraints: p.spreadOverZones ? [{
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { 'cnpg.io/cluster': this.clusterName, 'cnpg.io/podRole': 'instance' } },
      }] : undefined,
      postgresql: {
        parameters: renderParameters(p.parameters),
        pgHba: renderPgHba(p.pgHba, p.pgHbaRejectNonTls ?? true),
        synchronous: p.synchronousReplication ? {
          method: p.synchronousReplication.method as cnpg.ClusterSpecPostgresqlSynchronousMethod,
          number: p.synchronousReplication.number,
          dataDurability: p.synchronousReplication.dataDurability as string as cnpg.ClusterSpecPostgresqlSynchronousDataDurability,
          failoverQuorum: p.synchronousReplication.failoverQuorum,
        } : undefined,
        sharedPreloadLibraries: this.preloadLibraries.size > 0 ? [...this.sharedPreloadLibraries] : undefined,
        extensions: this.imageExtensions.length > 0 ? this.imageExtensions.map((e) => e.render()) : undefined,
      },
      managed: this.managedRoles.length > 0 ? { roles: this.managedRoles.map((r) => r.render()) } : undefined,
      replicationSlots: { highAvailability: { enabled: p.haReplicationSlots ?? true } },
      bootstrap: this.bootstrapConfig.bootstrap,
      externalClusters: this.bootstrapConfig.externalClusters?.length || this.replicaConfig?.externalClusters?.length || this.addedExternalClusters.length
        ? [...(this.bootstrapConfig.externalClusters ?? []), ...(this.replicaConfig?.externalClusters ?? []), ...this.addedExternalClusters.map((e) => e.render(this.namespace))]
        : undefined,
      replica: this.replicaConfig?.replica,
      plugins: this.plugins.length > 0 ? this.plugins : undefined,
      monitoring: this.monitoringQueries.length > 0 ? { customQueriesConfigMap: [...this.monitoringQueries] } : undefined,
    };
  }
}

/**
 * The props of `CnpgCluster` and the Cluster fields they render: admission problems are reported in these terms
 * (`CnpgResource`).
 */
const CLUSTER_PROP_FIELDS: PropFields = {
  'metadata.name': 'clusterName',
  'metadata.namespace': 'namespace',
  'spec.instances': 'instances',
  'spec.imageName': 'image',
  'spec.imageCatalogRef': 'imageCatalog',
  'spec.primaryUpdateStrategy': 'primaryUpdateStrategy',
  'spec.primaryUpdateMethod': 'primaryUpdateMethod',
  'spec.enablePDB': 'enablePdb',
  'spec.superuserSecret': 'superuserCredential',
  'spec.storage': 'storageSize',
  'spec.storage.storageClass': 'storageClass',
  'spec.walStorage': 'walStorageSize',
  'spec.walStorage.storageClass': 'walStorageClass',
  'spec.resources': 'resources',
  'spec.affinity': 'podAntiAffinity',
  'spec.postgresql.parameters.*': 'parameters.*',
  'spec.postgresql.pg_hba': 'pgHba',
  'spec.postgresql.synchronous': 'synchronousReplication',
  'spec.postgresql.synchronous.number': 'synchronousReplication.number',
  'spec.postgresql.shared_preload_libraries': 'postgresql.shared_preload_libraries',
  'spec.postgresql.extensions': 'postgresql.extensions',
  'spec.managed.roles': 'managed.roles',
  'spec.replicationSlots.highAvailability': 'haReplicationSlots',
  'spec.bootstrap.initdb.database': 'database',
  'spec.bootstrap.initdb.owner': 'ownerCredential',
  'spec.bootstrap.initdb.import': 'bootstrap.initdb.import',
  'spec.externalClusters': 'externalClusters',
};

/** The `pgHba` lines, with the TLS-only reject line last unless the user opted out. */
function renderPgHba(lines: string[] | undefined, rejectNonTls: boolean): string[] {
  const out = [...(lines ?? TLS_ONLY_PG_HBA)];
  const reject = TLS_ONLY_PG_HBA[1];
  const isReject = (line: string) => line.trim().split(/\s+/).join(' ') === reject;
  if (!rejectNonTls) return out.filter((line) => !(lines === undefined && isReject(line)));
  return out.some(isReject) ? out : [...out, reject];
}

function renderParameters(parameters: Record<string, ParameterValue> | undefined): Record<string, string> | undefined {
  if (!parameters) return undefined;
  const out: Record<string, string> = {};
  for (const name of Object.keys(parameters).sort()) {
    out[name] = String(parameters[name]);
  }
  return out;
}

function renderResources(resources: ContainerResources | undefined): cnpg.ClusterSpecResources | undefined {
  const q = resourceQuantities(resources);
  if (!q) return undefined;
  return {
    limits: toL1Quantities(q.limits, cnpg.ClusterSpecResourcesLimits.fromString),
    requests: toL1Quantities(q.requests, cnpg.ClusterSpecResourcesRequests.fromString),
  };
}

