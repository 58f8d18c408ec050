import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { BackupStore, BackupStoreProps } from './backup/backup-store';
import { RecoveryTarget } from './backup/recovery';
import { RestoreDrill, RestoreDrillProps } from './backup/restore-drill';
import { ScheduledBackup, ScheduledBackupProps } from './backup/scheduled-backup';
import { CnpgCluster, CnpgClusterProps } from './cluster/cluster';
import { AlertRuleOptions } from './monitoring/alert-rules';
import { CnpgCustomQueries } from './monitoring/custom-queries';
import { CnpgGrafanaDashboard } from './monitoring/grafana-dashboard';
import { PodMonitor } from './monitoring/pod-monitor';
import { ClusterAlertRules } from './monitoring/prometheus-rule';
import { Pooler, PoolerProps } from './cluster/pooler';
import { isDns1123Label } from './core/k8s-syntax';
import { Problems } from './core/problems';
import { CloudflaredTunnel, CloudflaredTunnelProps, TunnelManagement } from './exposure/cloudflared-tunnel';
import { DatabaseEgressOptions, DatabaseNetworkPolicies } from './exposure/network-policies';
import { ArgoCdDelivery, DeliveredComponent } from './platform/argocd';
import { addDay2Operations, PlatformDay2, PlatformDay2Options } from './platform/day2';
import { NamespaceGuardrails, NamespaceGuardrailsProps } from './platform/guardrails';
import { PlatformNamespaces } from './platform/namespaces';
import { KubernetesClusterDeclaration, KubernetesClusterDelivery, operatorNamespacesOf, operatorReleasesOf, releaseNamespaces, releasePodSecurity } from './platform/kubernetes-cluster';
import { OperatorDelivery, OperatorInstalls, OperatorRelease } from './platform/operators';
import { addSyncOptions, applySyncWaves, SyncWave } from './platform/sync-waves';
import { CnpgUserCredential, S3Credential, S3CredentialProps, SealedCredential } from './secrets/sealed-credential';
import { ApiObject } from 'cdk8s';
import { SealedValues } from './secrets/sealed-values';
import { DisasterRecovery, DrMember } from './replication/disaster-recovery';
import { DrHeartbeat } from './replication/dr-heartbeat';

/**
 * The cluster settings of a platform: everything of `CnpgClusterProps` but the namespace, which the platform owns.
 * `clusterName` defaults to `cnpg-ha`; `ownerCredential` to a sealed `cnpg-app-user` credential for `app_user`.
 */
export interface PlatformClusterOptions extends Omit<CnpgClusterProps, 'namespace'> {}

/** The object storage credential of a platform: an `S3Credential` in the database namespace. */
export interface PlatformS3CredentialOptions extends Omit<S3CredentialProps, 'namespace' | 'sealedValues' | 'secretName'> {
  /**
   * Name of the Secret.
   * @default "cnpg-backup-s3"
   */
  readonly secretName?: string;
}

/**
 * Continuous backup of a platform's cluster: a Barman Cloud `ObjectStore` (everything of `BackupStoreProps` but the
 * credential and namespace, which the platform owns) and a `ScheduledBackup`.
 */
export interface PlatformBackupOptions extends Omit<BackupStoreProps, 'credential' | 'namespace'> {
  /**
   * Six-field cron schedule (seconds first) of the base backups.
   * @default "0 0 0 * * *" (daily at midnight UTC)
   */
  readonly schedule?: string;
  /**
   * More settings of the ScheduledBackup.
   * @default - the ScheduledBackup defaults
   */
  readonly scheduledBackup?: Omit<ScheduledBackupProps, 'cluster' | 'schedule'>;
}

/** A restore drill: a recovery cluster in its own temporary namespace, restored from the backup store. */
export interface PlatformRestoreDrillOptions
  extends Omit<RestoreDrillProps, 'store' | 'sourceCluster' | 'namespace' | 's3Credential' | 'ownerCredential' | 'target' | 'storageSize'> {
  /**
   * Size of the drill cluster's data volume: it must hold the restored database.
   * @default - the source cluster's storage size
   */
  readonly storageSize?: string;
  /**
   * The temporary namespace of the drill.
   * @default "restore-drill"
   */
  readonly namespace?: string;
  /** The point in time to restore to. */
  readonly target: RecoveryTarget;
}

/** Monitoring of a platform: PodMonitors, the alert set, the Grafana dashboard and custom queries. */
export interface PlatformMonitoringOptions extends AlertRuleOptions {
  /**
   * Labels on the PodMonitors and the PrometheusRule, so that Prometheus' `podMonitorSelector`/`ruleSelector` pick them up.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Ship the CloudNativePG Grafana dashboard as a ConfigMap for Grafana's sidecar (alone in a Kubernetes cluster; a
   * shared Kubernetes cluster ships one for all its environments).
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Namespace of the dashboard ConfigMap (the sidecar must watch it).
   * @default - the database namespace
   */
  readonly dashboardNamespace?: string;
}

/** Exposure of the database through a Cloudflare Tunnel (development and testing only). */
export interface PlatformTunnelOptions extends Omit<CloudflaredTunnelProps, 'cluster' | 'management'> {
  /**
   * Name of the sealed Secret holding the tunnel token (key `token`) of a remotely-managed tunnel.
   * @default "cnpg-tunnel-token"
   */
  readonly tokenSecretName?: string;
}

/** Network policies of the database namespace. */
export interface PlatformNetworkPolicyOptions {
  /**
   * Lock down egress as well (DNS, the Kubernetes API, the object store, replication).
   * @default - ingress only
   */
  readonly egress?: DatabaseEgressOptions;
}

/**
 * How the platform is delivered: the same settings as a shared Kubernetes cluster's delivery. An environment that shares
 * a Kubernetes cluster sets only `repoUrl`/`targetRevision`/`argocdNamespace` (or nothing: the cluster's are used).
 */
export interface PlatformDeliveryOptions extends KubernetesClusterDelivery {}

/**
 * Properties of a `PostgresPlatform`.
 */
export interface PostgresPlatformProps extends PlatformDay2Options {
  /** The environment's name, as `npm run seal -- --env <name>` takes it. */
  readonly environment: string;
  /**
   * A production environment refuses demo material such as the demo sealing certificate.
   * @default false
   */
  readonly production?: boolean;
  /**
   * The Kubernetes cluster this environment shares with others: it installs the operators once
   * (`KubernetesClusterPlatform`), and its root application syncs this environment's after them. The environment then
   * has no operator namespaces, operator installs or root application of its own, and must not set
   * `delivery.operators`, `delivery.operatorReleases` or `delivery.monitoringStack`.
   * @default - the environment is alone in its Kubernetes cluster and installs the operators itself
   */
  readonly kubernetesCluster?: KubernetesClusterDeclaration;
  /**
   * The tenant's name, when several platforms (database tenants) share one environment and one app: it prefixes the
   * component folders (`dist/<env>/<tenant>-<component>/`) and the Argo CD objects (`<env>-<tenant>-<component>`,
   * project `<env>-<tenant>`, root `<env>-<tenant>-root`). Tenants share their Kubernetes cluster's operators, so a
   * tenant needs `kubernetesCluster`.
   * @default - the platform is the environment's only tenant: no prefix
   */
  readonly tenant?: string;
  /**
   * Alone in its Kubernetes cluster: kinds whose CRDs and controllers exist there before the first sync (see
   * `KubernetesClusterDeclaration.preinstalledKinds`).
   * @default - none
   */
  readonly preinstalledKinds?: readonly string[];
  /** PEM file of the Sealed Secrets controller's certificate (`kubeseal --fetch-cert`). */
  readonly sealingCertificatePath: string;
  /** The environment's committed sealed store (JSON), written by `npm run seal`. */
  readonly sealedStorePath: string;
  /**
   * Namespace of the database cluster and everything that belongs to it.
   * @default "data-infra"
   */
  readonly databaseNamespace?: string;
  /**
   * Namespace of the CloudNativePG operator (and the Barman Cloud plugin, which must live next to it). Taken from
   * `kubernetesCluster` when that is set.
   * @default "cnpg-system"
   */
  readonly operatorNamespace?: string;
  /**
   * Namespace of the Sealed Secrets controller. Taken from `kubernetesCluster` when that is set.
   * @default "sealed-secrets"
   */
  readonly sealedSecretsNamespace?: string;
  /** The PostgreSQL cluster. */
  readonly cluster: PlatformClusterOptions;
  /**
   * Role that owns the application database; its credential is the sealed basic-auth Secret `cnpg-app-user`.
   * @default "app_user"
   */
  readonly appUsername?: string;
  /**
   * Enable network access for the `postgres` superuser, with its own sealed Secret `cnpg-superuser`
   * (never the application owner's).
   * @default false
   */
  readonly superuserAccess?: boolean;
  /**
   * Credentials of the S3-compatible object storage backups go to. Required with `backup`.
   * @default - none
   */
  readonly s3Credential?: PlatformS3CredentialOptions;
  /**
   * Continuous backup (WAL archiving and scheduled base backups) with the Barman Cloud plugin.
   * @default - no backups (an error in a production environment)
   */
  readonly backup?: PlatformBackupOptions;
  /**
   * A restore drill from the backup store into a temporary namespace. Needs `backup`.
   * @default - no drill
   */
  readonly restoreDrill?: PlatformRestoreDrillOptions;
  /**
   * Monitoring; `false` turns it off.
   * @default - PodMonitors, the alert set, the dashboard and custom queries with their defaults
   */
  readonly monitoring?: PlatformMonitoringOptions | false;
  /**
   * An `rw` PgBouncer pooler in front of the cluster; `false` for none.
   * @default - an rw pooler with 2 instances in session mode
   */
  readonly pooler?: Omit<PoolerProps, 'cluster'> | false;
  /**
   * Namespaces whose applications may connect to the database (instances and poolers, port 5432).
   * @default - none
   */
  readonly applicationNamespaces?: string[];
  /**
   * Network policies of the database namespace; `false` for none.
   * @default - deny all ingress, then allow exactly what the system needs
   */
  readonly networkPolicies?: PlatformNetworkPolicyOptions | false;
  /**
   * A Cloudflare Tunnel in front of the `-rw` Service, for development and testing.
   * @default - no tunnel
   */
  readonly tunnel?: PlatformTunnelOptions;
  /**
   * LimitRange and ResourceQuota of the database namespace; `false` for none.
   * @default - derived from the workloads
   */
  readonly guardrails?: Omit<NamespaceGuardrailsProps, 'namespace' | 'workloads'> | false;
  /**
   * The disaster-recovery topology this environment is a site of (`DisasterRecovery.pair`): its cluster becomes the
   * primary or a replica cluster of the topology (bootstrap, `spec.replica`, external clusters, read-only copies of
   * the other sites' ObjectStores with their read credentials sealed for this environment, the replica alerts).
   * @default - not part of a disaster-recovery topology
   */
  readonly disasterRecovery?: DisasterRecovery;
  /**
   * How the platform, operators included, is delivered.
   * @default - Argo CD when `repoUrl` is given; otherwise only the component folders (apply them yourself)
   */
  readonly delivery?: PlatformDeliveryOptions;
  /**
   * Labels on every object the platform creates.
   * @default - `app.kubernetes.io/part-of: cdk8s-cnpg` and `app.kubernetes.io/managed-by: cdk8s`
   */
  readonly labels?: Record<string, string>;
}

/**
 * The component charts of a platform; each becomes one folder `dist/<env>/<component>/` that one Argo CD application
 * syncs.
 */
export enum PlatformComponent {
  NAMESPACES = 'namespaces',
  CREDENTIALS = 'credentials',
  BACKUP = 'backup',
  DATABASE = 'database',
  MONITORING = 'monitoring',
  GUARDRAILS = 'guardrails',
  EXPOSURE = 'exposure',
  RESTORE_DRILL = 'restore-drill',
  /** Drill marker Jobs: applied by hand around a drill, never synced by Argo CD. */
  DRILLS = 'drills',
  OPERATORS = 'operators',
  ARGOCD = 'argocd',
}

/** How Argo CD syncs each component: its wave and what it needs. */
const COMPONENT_DELIVERY: Record<string, Omit<DeliveredComponent, 'name' | 'chart' | 'namespace'>> = {
  // Namespaces are never pruned automatically: deleting one deletes every database in it.
  [PlatformComponent.NAMESPACES]: { syncWave: SyncWave.NAMESPACES, prune: false },
  // CRs whose CRD arrives with an operator in the same first sync: skip the dry run instead of failing it.
  [PlatformComponent.CREDENTIALS]: { syncWave: SyncWave.CREDENTIALS, syncOptions: ['SkipDryRunOnMissingResource=true'] },
  [PlatformComponent.GUARDRAILS]: { syncWave: SyncWave.CREDENTIALS },
  [PlatformComponent.BACKUP]: { syncWave: SyncWave.OBJECT_STORE, syncOptions: ['SkipDryRunOnMissingResource=true'] },
  [PlatformComponent.DATABASE]: { syncWave: SyncWave.CLUSTER, syncOptions: ['SkipDryRunOnMissingResource=true'] },
  [PlatformComponent.MONITORING]: { syncWave: SyncWave.CLUSTER_CONSUMERS, syncOptions: ['SkipDryRunOnMissingResource=true'] },
  [PlatformComponent.EXPOSURE]: { syncWave: SyncWave.EXPOSURE },
  // A drill is run on purpose and torn down afterwards: never synced (or re-created) automatically.
  [PlatformComponent.RESTORE_DRILL]: { syncWave: SyncWave.DRILLS, automated: false, syncOptions: ['SkipDryRunOnMissingResource=true'] },
};

/**
 * The tutorial's whole system for one environment: namespaces, sealed credentials, the HA PostgreSQL cluster,
 * continuous backup, monitoring and a restore drill.
 *
 * Each component is its own chart so that Argo CD can sync and order them separately.
 */
export class PostgresPlatform extends Construct {
  /** The environment name. */
  public readonly environment: string;
  /** The PostgreSQL cluster. */
  public readonly cluster: CnpgCluster;
  /** Namespace of the database. */
  public readonly databaseNamespace: string;
  /** Namespace of the CloudNativePG operator. */
  public readonly operatorNamespace: string;
  /** Namespace of the Sealed Secrets controller. */
  public readonly sealedSecretsNamespace: string;
  /** The environment's sealed values (certificate and store). */
  public readonly sealedValues: SealedValues;
  /** Credential of the application owner. */
  public readonly appCredential: CnpgUserCredential;
  /** Credential of the superuser, when superuser access is enabled. */
  public readonly superuserCredential?: CnpgUserCredential;
  /** Credential of the object storage, when declared. */
  public readonly s3Credential?: S3Credential;
  /** The backup store, when backups are configured. */
  public readonly backupStore?: BackupStore;
  /** The scheduled backup, when backups are configured. */
  public readonly scheduledBackup?: ScheduledBackup;
  /** The restore drill, when configured. */
  public readonly restoreDrill?: RestoreDrill;
  /** Databases, roles, publications, subscriptions and drill Jobs. */
  public readonly day2: PlatformDay2;
  /** The rw pooler, when configured. */
  public readonly pooler?: Pooler;
  /** The tunnel, when configured. */
  public readonly tunnel?: CloudflaredTunnel;
  /** The network policies, when configured. */
  public readonly networkPolicies?: DatabaseNetworkPolicies;
  /** The disaster-recovery heartbeat, on the site that is the primary (`DisasterRecoveryProps.heartbeat`). */
  public readonly drHeartbeat?: DrHeartbeat;
  /** The namespace guardrails, when configured. */
  public readonly guardrails?: NamespaceGuardrails;
  /** The Argo CD delivery, when configured. */
  public readonly argoCd?: ArgoCdDelivery;
  /** The operator installs. */
  public readonly operators?: OperatorInstalls;
  /** The alert rules, when monitoring is on. */
  public readonly alertRules?: ClusterAlertRules;
  /** The platform's part of its disaster-recovery topology, when it is a site of one. */
  public readonly disasterRecovery?: DrMember;
  /** The component charts, by component. */
  public readonly charts: ReadonlyMap<PlatformComponent, Chart>;
  /** The Kubernetes cluster this environment shares, when declared. */
  public readonly kubernetesCluster?: KubernetesClusterDeclaration;
  /** The tenant's name, when the environment has several. */
  public readonly tenant?: string;
  /** The name of the Argo CD root application that syncs this platform's Applications. */
  public readonly rootApplicationName: string;
  /** The platform's Argo CD folder in its environment's output (`argocd`, or `<tenant>-argocd`). */
  public readonly argocdFolder: string;
  /** Alone in its Kubernetes cluster: kinds installed there before the first sync. */
  public readonly preinstalledKinds?: readonly string[];

  private readonly chartMap = new Map<PlatformComponent, Chart>();
  private readonly labels: Record<string, string>;

  public constructor(scope: Construct, id: string, props: PostgresPlatformProps) {
    super(scope, id);
    this.charts = this.chartMap;
    this.environment = props.environment;
    this.tenant = props.tenant;
    const prefix = props.tenant ? `${props.environment}-${props.tenant}` : props.environment;
    this.rootApplicationName = `${prefix}-root`;
    this.argocdFolder = this.folderOf(PlatformComponent.ARGOCD);
    if (props.tenant !== undefined && !isDns1123Label(`${prefix}-restore-drill`)) {
      Problems.of(this).error({ field: 'tenant', message: 'must be a short DNS-1123 label: it prefixes folders and Argo CD application names', value: props.tenant, fix: 'use lower-case letters, digits and \'-\', short enough that "<env>-<tenant>-restore-drill" stays within 63 characters' });
    }
    if (props.tenant !== undefined && !props.kubernetesCluster) {
      Problems.of(this).error({ field: 'tenant', message: 'tenants share their Kubernetes cluster\'s operators, so a tenant needs kubernetesCluster', value: props.tenant, fix: 'declare the Kubernetes cluster (KubernetesClusterDeclaration) and set kubernetesCluster' });
    }
    this.databaseNamespace = props.databaseNamespace ?? 'data-infra';
    const operatorNamespaces = operatorNamespacesOf(props.kubernetesCluster ?? props);
    this.operatorNamespace = operatorNamespaces.operator;
    this.sealedSecretsNamespace = operatorNamespaces.sealedSecrets;
    this.labels = props.labels ?? { 'app.kubernetes.io/part-of': 'cdk8s-cnpg', 'app.kubernetes.io/managed-by': 'cdk8s' };
    this.kubernetesCluster = props.kubernetesCluster;
    this.preinstalledKinds = props.preinstalledKinds;
    this.checkSharedClusterProps(props);

    // Namespaces are cluster-scoped: their chart has no namespace, or cdk8s would stamp one on them. A shared
    // Kubernetes cluster creates the operators' namespaces; alone, the environment creates every namespace its
    // operator releases install into (nothing else would: operator Applications never create namespaces).
    new PlatformNamespaces(this.component(PlatformComponent.NAMESPACES, undefined), 'Namespaces', {
      names: [...new Set([...this.ownOperatorNamespaces(props), this.databaseNamespace])],
      podSecurity: releasePodSecurity(this.ownOperatorReleases(props)),
    });

    const credentials = this.component(PlatformComponent.CREDENTIALS, this.databaseNamespace);
    this.sealedValues = new SealedValues(credentials, 'SealedValues', {
      environment: props.environment,
      certificatePath: props.sealingCertificatePath,
      storePath: props.sealedStorePath,
      production: props.production,
    });
    this.appCredential = new CnpgUserCredential(credentials, 'AppUser', {
      secretName: 'cnpg-app-user',
      username: props.appUsername ?? 'app_user',
      sealedValues: this.sealedValues,
    });
    if (props.superuserAccess) {
      this.superuserCredential = new CnpgUserCredential(credentials, 'Superuser', {
        secretName: 'cnpg-superuser',
        username: 'postgres',
        sealedValues: this.sealedValues,
      });
    }
    if (props.s3Credential) {
      this.s3Credential = new S3Credential(credentials, 'ObjectStorage', {
        secretName: 'cnpg-backup-s3',
        ...props.s3Credential,
        sealedValues: this.sealedValues,
      });
    }

    const clusterName = props.cluster.clusterName ?? 'cnpg-ha';
    // The database chart first, as without disaster recovery (the charts' order is the order of their Applications).
    this.component(PlatformComponent.DATABASE, this.databaseNamespace);
    this.disasterRecovery = props.disasterRecovery?.prepareMember(this, {
      environment: props.environment,
      namespace: this.databaseNamespace,
      backupChart: this.component(PlatformComponent.BACKUP, this.databaseNamespace),
      credentialsChart: credentials,
      sealedValues: this.sealedValues,
      ownStoreName: props.backup?.storeName ?? `${clusterName}-backups`,
      ownCredential: this.s3Credential,
    });
    this.cluster = new CnpgCluster(this.component(PlatformComponent.DATABASE, this.databaseNamespace), 'Cluster', {
      clusterName: 'cnpg-ha',
      ownerCredential: this.appCredential,
      superuserCredential: this.superuserCredential,
      ...props.cluster,
      ...(this.disasterRecovery ? { bootstrap: this.disasterRecovery.bootstrap ?? props.cluster.bootstrap, replica: this.disasterRecovery } : {}),
      namespace: this.databaseNamespace,
    });

    this.day2 = addDay2Operations({
      cluster: this.cluster,
      databaseChart: this.component(PlatformComponent.DATABASE, this.databaseNamespace),
      credentialsChart: credentials,
      drillsChart: () => this.component(PlatformComponent.DRILLS, this.databaseNamespace),
      sealedValues: this.sealedValues,
    }, props);

    if (props.backup) {
      const { schedule, scheduledBackup, ...storeProps } = props.backup;
      const backupChart = this.component(PlatformComponent.BACKUP, this.databaseNamespace);
      if (!this.s3Credential) {
        throw new Error(`${this.node.path}: backup needs s3Credential (the object storage credentials)`);
      }
      this.backupStore = new BackupStore(backupChart, 'Store', {
        storeName: `${this.cluster.clusterName}-backups`,
        ...storeProps,
        credential: this.s3Credential,
      });
      this.backupStore.archiveWal(this.cluster);
      // With the Cluster, not the store: the database application syncs after the backup application, and a
      // ScheduledBackup (with its immediate first backup) applied before its Cluster exists backs up nothing.
      this.scheduledBackup = new ScheduledBackup(this.component(PlatformComponent.DATABASE, this.databaseNamespace), 'ScheduledBackup', {
        name: `${this.cluster.clusterName}-daily`,
        ...scheduledBackup,
        schedule,
        cluster: this.cluster,
      });
    }

    this.disasterRecovery?.finish(this, this.backupStore);
    // With the Cluster: it runs as long as the cluster is the primary, and its pods need the cluster's CA Secret.
    this.drHeartbeat = this.disasterRecovery?.addHeartbeat(this.component(PlatformComponent.DATABASE, this.databaseNamespace), this.appCredential.secretName);

    if (props.pooler !== false) {
      this.pooler = new Pooler(this.component(PlatformComponent.DATABASE, this.databaseNamespace), 'Pooler', {
        ...props.pooler,
        cluster: this.cluster,
        // The pooler's PodMonitor goes with the rest of the monitoring.
        monitoring: false,
      });
    }

    if (props.tunnel) {
      this.tunnel = this.addTunnel(credentials, props.tunnel);
    }

    if (props.networkPolicies !== false) {
      this.networkPolicies = new DatabaseNetworkPolicies(this.component(PlatformComponent.GUARDRAILS, this.databaseNamespace), 'NetworkPolicies', {
        cluster: this.cluster,
        applicationNamespaces: props.applicationNamespaces,
        tunnels: this.tunnel ? [this.tunnel] : [],
        inNamespaceClients: this.drHeartbeat ? [this.drHeartbeat.networkClient] : undefined,
        operator: { namespace: this.operatorNamespace },
        egress: props.networkPolicies?.egress,
      });
    }

    if (props.production && !props.backup) {
      Problems.of(this).error({ field: 'backup', message: 'a production environment needs continuous backups', fix: 'configure backup (an S3-compatible destination and its sealed credentials)' });
    }

    if (props.restoreDrill) {
      this.restoreDrill = this.addRestoreDrill(props, props.restoreDrill);
    }

    if (props.monitoring !== false) {
      const dr = this.disasterRecovery;
      const monitoring = props.monitoring ?? {};
      this.alertRules = this.addMonitoring(dr ? { ...monitoring, disabledAlerts: [...(monitoring.disabledAlerts ?? []), ...dr.disabledStandardAlerts] } : monitoring);
      dr?.addAlerts(this.component(PlatformComponent.MONITORING, this.databaseNamespace), monitoring.labels);
    }

    if (props.guardrails !== false) {
      this.guardrails = new NamespaceGuardrails(this.component(PlatformComponent.GUARDRAILS, this.databaseNamespace), 'Guardrails', {
        ...props.guardrails,
        namespace: this.databaseNamespace,
        workloads: [...this.chartMap.values()],
      });
    }

    this.protectStatefulObjects();
    [this.operators, this.argoCd] = this.addDelivery(props);
    const unknownKinds = applySyncWaves(this);
    for (const kind of unknownKinds) {
      Problems.of(this).error({ field: 'syncWaves', message: 'no sync wave is defined for this kind, so a first sync would apply it in an arbitrary order', value: kind, fix: 'add the kind to KIND_SYNC_WAVES' });
    }
  }

  /** Every sealed credential of the platform, for the `seal` command. */
  public get sealedCredentials(): SealedCredential[] {
    return this.node.findAll().filter((c): c is SealedCredential => c instanceof SealedCredential);
  }

  /** The chart of a component, created on first use. */
  public component(component: PlatformComponent, namespace: string | undefined): Chart {
    let chart = this.chartMap.get(component);
    if (!chart) {
      // The chart id is the folder: prefixed with the tenant so that tenants of one app never share a folder.
      chart = new Chart(this, this.folderOf(component), { namespace, labels: this.labels, disableResourceNameHashes: true });
      this.chartMap.set(component, chart);
    }
    return chart;
  }

  private addTunnel(credentials: Chart, options: PlatformTunnelOptions): CloudflaredTunnel {
    const { tokenSecretName = 'cnpg-tunnel-token', ...tunnelProps } = options;
    const token = new SealedCredential(credentials, 'TunnelToken', {
      secretName: tokenSecretName,
      keys: ['token'],
      sealedValues: this.sealedValues,
    });
    return new CloudflaredTunnel(this.component(PlatformComponent.EXPOSURE, this.databaseNamespace), 'Tunnel', {
      ...tunnelProps,
      cluster: this.cluster,
      management: TunnelManagement.remotelyManaged({ credential: token }),
    });
  }

  /**
   * The database and its namespace are never deleted or pruned by Argo CD: removing them from git (or a refactor that
   * renames a construct) must not drop the data.
   */
  private protectStatefulObjects(): void {
    for (const c of this.node.findAll()) {
      if (!(c instanceof ApiObject)) continue;
      const isCluster = c.apiGroup === 'postgresql.cnpg.io' && c.kind === 'Cluster' && c.metadata.namespace === this.databaseNamespace;
      const isDatabaseNamespace = c.kind === 'Namespace' && c.name === this.databaseNamespace;
      if (isCluster || isDatabaseNamespace) addSyncOptions(c, 'Prune=false', 'Delete=false');
    }
  }

  /** A component's folder (and chart id): `<component>`, or `<tenant>-<component>` for a tenant. */
  public folderOf(component: PlatformComponent): string {
    return this.tenant ? `${this.tenant}-${component}` : component;
  }

  /** The operator releases this environment installs itself: none when it shares a Kubernetes cluster. */
  private ownOperatorReleases(props: PostgresPlatformProps): OperatorRelease[] {
    if (props.kubernetesCluster || !props.delivery) return [];
    return operatorReleasesOf(props.delivery, { operator: this.operatorNamespace, sealedSecrets: this.sealedSecretsNamespace });
  }

  /** The operator namespaces this environment creates itself. */
  private ownOperatorNamespaces(props: PostgresPlatformProps): string[] {
    if (props.kubernetesCluster) return [];
    // Without delivery nothing installs the operators here, but their namespaces are still the platform's.
    if (!props.delivery) return [this.operatorNamespace, this.sealedSecretsNamespace];
    return releaseNamespaces(this.ownOperatorReleases(props));
  }

  /** A shared Kubernetes cluster installs the operators: the environment must not try to install its own. */
  private checkSharedClusterProps(props: PostgresPlatformProps): void {
    const shared = props.kubernetesCluster;
    if (!shared) return;
    for (const field of ['operators', 'operatorReleases', 'monitoringStack'] as const) {
      if (props.delivery?.[field] !== undefined) {
        Problems.of(this).error({
          field: `delivery.${field}`,
          message: `the environment shares the Kubernetes cluster ${JSON.stringify(shared.name)}, which installs the operators once for all its environments`,
          fix: `set it on the Kubernetes cluster declaration ${JSON.stringify(shared.name)} instead`,
        });
      }
    }
    for (const [field, own, theirs] of [['operatorNamespace', props.operatorNamespace, this.operatorNamespace], ['sealedSecretsNamespace', props.sealedSecretsNamespace, this.sealedSecretsNamespace]] as const) {
      if (own !== undefined && own !== theirs) {
        Problems.of(this).error({ field, message: `differs from the shared Kubernetes cluster ${JSON.stringify(shared.name)}'s`, value: own, fix: `remove it (the cluster's is ${JSON.stringify(theirs)})` });
      }
    }
  }

  private addDelivery(props: PostgresPlatformProps): [OperatorInstalls | undefined, ArgoCdDelivery | undefined] {
    const shared = props.kubernetesCluster;
    const delivery = shared ? { ...shared.delivery, ...props.delivery, operators: shared.delivery.operators } : props.delivery;
    if (!delivery) return [undefined, undefined];
    const mode = delivery.operators ?? OperatorDelivery.ARGO_CD;
    const releases = this.ownOperatorReleases(props);
    const argocdNamespace = delivery.argocdNamespace ?? 'argocd';
    if (mode === OperatorDelivery.K3S_HELM_CONTROLLER) {
      if (shared) return [undefined, undefined];
      const operators = new OperatorInstalls(this.component(PlatformComponent.OPERATORS, undefined), 'Operators', { releases, delivery: mode });
      return [operators, undefined];
    }
    if (!delivery.repoUrl) {
      Problems.of(this).error({ field: 'delivery.repoUrl', message: 'Argo CD delivery needs the git repository that holds dist/', fix: 'set delivery.repoUrl, or use OperatorDelivery.K3S_HELM_CONTROLLER' });
      return [undefined, undefined];
    }
    const chart = this.component(PlatformComponent.ARGOCD, argocdNamespace);
    const projectName = this.tenant ? `${this.environment}-${this.tenant}` : `${this.environment}-postgres`;
    const operators = releases.length > 0
      ? new OperatorInstalls(chart, 'Operators', { releases, delivery: mode, argocdNamespace, project: projectName, applicationPrefix: this.environment })
      : undefined;
    const components: DeliveredComponent[] = [...this.chartMap.entries()]
      .filter(([component]) => component in COMPONENT_DELIVERY)
      .map(([component, c]) => ({ ...COMPONENT_DELIVERY[component], name: this.folderOf(component), chart: c, namespace: c.namespace }));
    const argoCd = new ArgoCdDelivery(chart, 'ArgoCd', {
      environment: this.environment,
      repoUrl: delivery.repoUrl,
      targetRevision: delivery.targetRevision,
      argocdNamespace,
      projectName,
      components,
      operatorReleases: releases,
      // In a shared Kubernetes cluster, its root application syncs this folder once the operators are healthy.
      rootApplication: !shared,
      rootApplicationName: this.rootApplicationName,
      selfComponent: this.argocdFolder,
    });
    return [operators, argoCd];
  }

  private addRestoreDrill(props: PostgresPlatformProps, options: PlatformRestoreDrillOptions): RestoreDrill {
    if (!this.backupStore || !props.s3Credential) {
      throw new Error(`${this.node.path}: restoreDrill needs backup (there is nothing to restore from)`);
    }
    const { namespace = 'restore-drill', target, ...drillProps } = options;
    // The drill's Namespace lives with the drill, so deleting the drill folder tears everything down.
    const chart = this.component(PlatformComponent.RESTORE_DRILL, undefined);
    new PlatformNamespaces(chart, 'Namespace', { names: [namespace] });
    // Secrets cannot be read across namespaces: the drill gets its own credentials, sealed for its namespace.
    const owner = new CnpgUserCredential(chart, 'DrillOwner', {
      secretName: 'drill-app-user',
      namespace,
      username: this.cluster.ownerName,
      sealedValues: this.sealedValues,
    });
    const s3 = new S3Credential(chart, 'DrillObjectStorage', {
      ...props.s3Credential,
      secretName: 'drill-backup-s3',
      namespace,
      sealedValues: this.sealedValues,
    });
    return new RestoreDrill(chart, 'Drill', {
      storageClass: this.cluster.storageClass,
      ...drillProps,
      storageSize: drillProps.storageSize ?? this.cluster.storageSize,
      store: this.backupStore,
      sourceCluster: this.cluster,
      namespace,
      s3Credential: s3,
      ownerCredential: owner,
      target,
    });
  }

  private addMonitoring(options: PlatformMonitoringOptions): ClusterAlertRules {
    const { labels, dashboard = true, dashboardNamespace, ...alertOptions } = options;
    const chart = this.component(PlatformComponent.MONITORING, this.databaseNamespace);
    // Every PodMonitor carries the platform's labels, so Prometheus' podMonitorSelector picks it up.
    PodMonitor.forCluster(chart, 'ClusterPodMonitor', { cluster: this.cluster, labels });
    // A shared Kubernetes cluster monitors its one operator itself: one PodMonitor per environment would be the same
    // object owned by several Argo CD applications.
    if (!this.kubernetesCluster) PodMonitor.forOperator(chart, 'OperatorPodMonitor', { namespace: this.operatorNamespace, labels });
    // With the Cluster that reads it: a ConfigMap the Cluster refers to must exist when the Cluster is applied, and
    // the monitoring application syncs after the database application.
    const queries = new CnpgCustomQueries(this.component(PlatformComponent.DATABASE, this.databaseNamespace), 'CustomQueries', { cluster: this.cluster });
    this.cluster.addMonitoringQueries(queries.configMapRef);
    // One dashboard per Kubernetes cluster: it selects the cluster in a variable, and Grafana would import the same
    // dashboard uid once per environment. A shared Kubernetes cluster ships it (KubernetesClusterDeclaration.monitoring).
    if (dashboard && !this.kubernetesCluster) {
      new CnpgGrafanaDashboard(chart, 'Dashboard', { namespace: dashboardNamespace });
    }
    if (this.pooler) {
      PodMonitor.forPooler(chart, 'PoolerPodMonitor', { pooler: this.pooler, labels });
    }
    return new ClusterAlertRules(chart, 'Alerts', {
      ...alertOptions,
      cluster: this.cluster,
      labels,
      poolers: this.pooler ? [this.pooler] : undefined,
      scheduledBackup: this.scheduledBackup,
    });
  }
}
