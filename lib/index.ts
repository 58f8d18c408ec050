/**
 * cdk8s-cnpg: typed cdk8s constructs for production PostgreSQL on Kubernetes with CloudNativePG, Sealed Secrets,
 * Barman Cloud backups and Argo CD.
 *
 * ## Start here
 *
 * Four constructs are the library's face:
 *
 * - {@link CnpgCluster}: a CloudNativePG `Cluster` with production defaults, validated like the operator's webhook;
 * - {@link SealedCredential}: a Sealed Secret from an environment's committed sealed store ({@link S3Credential} and
 *   {@link CnpgUserCredential} for the common shapes);
 * - {@link BackupStore}: a Barman Cloud `ObjectStore`; `store.archiveWal(cluster)` wires a cluster's WAL archiving to it;
 * - {@link PodMonitor}: a Prometheus Operator `PodMonitor`; `PodMonitor.forCluster`, `forPooler` and `forOperator` for
 *   CloudNativePG.
 *
 * A whole environment (namespaces, credentials, cluster, backups, monitoring, delivery) is a {@link PostgresPlatform};
 * environments are declared with {@link defineEnvironment} and synthesized with {@link synthEnvironments} (or
 * {@link runSynth} in a program's entry point), which run the environment checks, update checks and change impact a
 * plain `app.synth()` does not.
 *
 * ## What is public
 *
 * The public API is exactly what the package's entry point (`lib/index.ts`) exports, by name. Everything else under
 * `lib/` (parsers, rule tables, renderers, constants the constructs use internally) is an implementation detail that
 * can change in any release; `test/public-api.test.ts` pins the list, and this reference is generated from the TSDoc by
 * `npm run docs:api`.
 *
 * The generated L1 classes of the custom resources are exported as namespaces, one per API group, for objects the
 * constructs do not cover (they are not listed in this reference; their TSDoc comes from the CRDs):
 *
 * | namespace | API group | kinds |
 * | --- | --- | --- |
 * | `cnpg` | `postgresql.cnpg.io` | `Cluster`, `Pooler`, `Backup`, `ScheduledBackup`, `Database`, `DatabaseRole`, `Publication`, `Subscription`, `ImageCatalog`, `ClusterImageCatalog`, `FailoverQuorum` |
 * | `barmancloud` | `barmancloud.cnpg.io` | `ObjectStore` |
 * | `sealedsecrets` | `bitnami.com` | `SealedSecret` |
 * | `monitoringcoreos` | `monitoring.coreos.com` | `PodMonitor`, `PrometheusRule` |
 * | `argocd` | `argoproj.io` | `Application`, `AppProject` |
 * | `k3shelm` | `helm.cattle.io` | `HelmChart` |
 *
 * ```ts
 * import { cnpg } from 'cdk8s-cnpg';
 *
 * new cnpg.Backup(chart, 'BeforeMigration', {
 *   metadata: { name: 'orders-db-before-migration' },
 *   spec: { cluster: { name: 'orders-db' }, method: cnpg.BackupSpecMethod.PLUGIN, pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' } },
 * });
 * ```
 *
 * @packageDocumentation
 */

// ---------------------------------------------------------------------------------------------------------------------
// The four constructs that are the library's face (README "Using the constructs in your own cdk8s app")
// ---------------------------------------------------------------------------------------------------------------------
export { CnpgCluster } from './cluster/cluster';
export type {
  CnpgClusterProps, ClusterBootstrapConfig, ClusterPluginOptions, ClusterReplicaConfig, IClusterBootstrap, IClusterReplica, ParameterValue,
} from './cluster/cluster';
export { SealedCredential, CnpgUserCredential, S3Credential, SecretType } from './secrets/sealed-credential';
export type { SealedCredentialProps, CnpgUserCredentialProps, S3CredentialProps } from './secrets/sealed-credential';
export { BackupStore, DataCompression, ServerSideEncryption, WalCompression } from './backup/backup-store';
export type {
  BackupStoreProps, ArchiveWalOptions, BackupStoreCopyOptions, SecretKeyReference, WalArchive,
} from './backup/backup-store';
export { PodMonitor, MetricsScheme, MonitoredNamespaces, RelabelAction, SelectorOperator } from './monitoring';
export type {
  PodMonitorProps, ClusterPodMonitorProps, PoolerPodMonitorProps, OperatorPodMonitorProps, CnpgPodMonitorOptions,
  PodMetricsEndpoint, PodSelectorRequirement, Relabeling,
} from './monitoring';

// ---------------------------------------------------------------------------------------------------------------------
// Clusters: references, options, images, bootstrap, roles, databases, poolers
// ---------------------------------------------------------------------------------------------------------------------
export type { ICnpgCluster, CnpgClusterAttributes } from './cluster/cluster-ref';
export {
  DataDurability, PodAntiAffinity, PrimaryUpdateMethod, PrimaryUpdateStrategy, SynchronousReplication,
} from './cluster/cluster-options';
export type { QuorumReplicationOptions } from './cluster/cluster-options';
export { ImageFlavour, PostgresImage } from './cluster/postgres-image';
export type { PostgresImageOptions } from './cluster/postgres-image';
export { CnpgImageCatalog, ImageCatalogKind, ImageCatalogRef, ImageCatalogSelection } from './cluster/image-catalog';
export type { CnpgImageCatalogProps, IImageCatalog, ImageCatalogRefOptions } from './cluster/image-catalog';
export { ImageVolumeExtension } from './cluster/image-extensions';
export type { ImageVolumeExtensionOptions } from './cluster/image-extensions';
export { ClusterEndpoint, ExternalCluster, ExternalTls } from './cluster/external-cluster';
export type { ExternalClusterOptions, ExternalSecretKey, IClusterEndpoint } from './cluster/external-cluster';
export { ClusterImport } from './cluster/cluster-import';
export type { ClusterImportOptions, MicroserviceImportOptions, MonolithImportOptions } from './cluster/cluster-import';
export { ManagedRole, RoleEnsure } from './cluster/roles';
export type { ManagedRoleOptions } from './cluster/roles';
export { CnpgDatabase, DatabaseReclaimPolicy, ObjectEnsure } from './cluster/database';
export type { CnpgDatabaseProps, DatabaseExtensionOptions, DatabaseSchemaOptions } from './cluster/database';
export { Pooler, PoolerType, PoolMode } from './cluster/pooler';
export type { PoolerProps, PoolerMonitoringOptions } from './cluster/pooler';

// ---------------------------------------------------------------------------------------------------------------------
// Logical replication
// ---------------------------------------------------------------------------------------------------------------------
export {
  CnpgPublication, CnpgSubscription, PublicationRef, PublicationTarget, PublishOperation, ReplicationReclaimPolicy,
  addReplicationRole,
} from './replication';
export type {
  CnpgPublicationProps, CnpgSubscriptionProps, IPublication, PublicationTableOptions, ReplicationRoleOptions, SubscribeOptions,
} from './replication';

// ---------------------------------------------------------------------------------------------------------------------
// Disaster recovery across Kubernetes clusters (replica clusters, distributed topology)
// ---------------------------------------------------------------------------------------------------------------------
export { DisasterRecovery, DrMember, DrReadCredential, DrTransition } from './replication/disaster-recovery';
export { DrHeartbeat } from './replication/dr-heartbeat';
export type { DrHeartbeatOptions, DrHeartbeatProps } from './replication/dr-heartbeat';
export type {
  DisasterRecoveryProps, DisasterRecoverySite, DrArchive, DrDemotionOptions, DrFailoverOptions, DrMemberOptions, DrPromotionOptions, DrRole,
  KubernetesClusterRef,
} from './replication/disaster-recovery';
export type { DrFacts, DrProblem, DrSiteFacts, DrTransitionFacts } from './replication/dr-rules';
export { DrReplicaAlerts, DR_ALERT_NAMES, DEFAULT_DR_ALERT_THRESHOLDS } from './monitoring/dr-alerts';
export type { DrAlertThresholds, DrReplicaAlertsProps } from './monitoring/dr-alerts';

// ---------------------------------------------------------------------------------------------------------------------
// Backups, recovery and drills
// ---------------------------------------------------------------------------------------------------------------------
export { ScheduledBackup, BackupOwnerReference, BackupTarget } from './backup/scheduled-backup';
export type { ScheduledBackupProps } from './backup/scheduled-backup';
export { ClusterRecovery, RecoveryTarget } from './backup/recovery';
export type {
  BackupStoreRecoveryOptions, InclusiveRecoveryTargetOptions, RawRecoveryTarget, RecoveryTargetKind, RecoveryTimelineOptions,
} from './backup/recovery';
export { RestoreDrill, DrillExpectation } from './backup/restore-drill';
export type { RestoreDrillProps } from './backup/restore-drill';
export { runBackupCommand } from './backup/backup-command';
export type { BackupCommandIo, BackupEnvironment } from './backup/backup-command';
export { DrillMarkerJobs } from './drills';
export type { DrillMarkerJobsProps } from './drills';

// ---------------------------------------------------------------------------------------------------------------------
// Credentials: Sealed Secrets
// ---------------------------------------------------------------------------------------------------------------------
export { BasicAuthSecret } from './secrets/credential-ref';
export type { IBasicAuthCredential, IS3Credential } from './secrets/credential-ref';
export { SealingCertificate } from './secrets/certificate';
export type { CertificateFileOptions, CertificateOptions, ControllerLocation } from './secrets/certificate';
export { SealingScope } from './secrets/kubeseal';
export type { SealingScopeName } from './secrets/kubeseal';
export { SealedStore } from './secrets/sealed-store';
export type { DeclaredSealedCredential, SealedEntry, SealTarget, StoreProblem, StoreProblemCode } from './secrets/sealed-store';
export { SealedValues } from './secrets/sealed-values';
export type { SealedValuesProps } from './secrets/sealed-values';
export { runSeal } from './secrets/seal-command';
export type { CredentialCatalog, DeclaredCredential, SealIo } from './secrets/seal-command';

// ---------------------------------------------------------------------------------------------------------------------
// Monitoring: alerts, custom queries, dashboard (PodMonitor is above)
// ---------------------------------------------------------------------------------------------------------------------
export {
  BackupExpectation, ClusterAlertRules, CnpgCustomQueries, CnpgGrafanaDashboard, CNPG_ALERT_NAMES, DEFAULT_ALERT_THRESHOLDS,
  DEFAULT_RUNBOOK_BASE_URL, LOGICAL_REPLICATION_QUERY, PG_STAT_STATEMENTS_QUERY,
} from './monitoring';
export type {
  ClusterAlertRulesProps, AlertRuleOptions, AlertSeverity, AlertThresholds, CnpgAlertName, CnpgCustomQueriesProps, CustomQuery,
  CustomQueryColumn, CustomQueryColumnUsage, CnpgGrafanaDashboardProps, PrometheusAlertingRule, PrometheusRecordingRule,
  PrometheusRuleEntry, PrometheusRuleGroup,
} from './monitoring';
// Deprecated PodMonitor classes, kept for one release after `PodMonitor`: use `PodMonitor.forCluster`, `forPooler`, `forOperator`.
export { CnpgClusterPodMonitor, CnpgOperatorPodMonitor, CnpgPoolerPodMonitor } from './monitoring';
export type {
  CnpgClusterPodMonitorProps, CnpgOperatorPodMonitorProps, CnpgPoolerPodMonitorProps, InstanceMetricsTls, PodMonitorCommonProps,
} from './monitoring';

// ---------------------------------------------------------------------------------------------------------------------
// Exposure and network policies
// ---------------------------------------------------------------------------------------------------------------------
export { CloudflaredTunnel, TunnelLogLevel, TunnelManagement, TunnelProtocol, DatabaseNetworkPolicies } from './exposure';
export type {
  CloudflaredTunnelProps, ICloudflaredTunnel, ITunnelCredential, LocallyManagedTunnelOptions, RemotelyManagedTunnelOptions,
  TunnelOriginRequest, DatabaseNetworkPoliciesProps, CidrDestination, DatabaseEgressOptions, KubernetesApiDestination,
  NamespacedPods, InNamespaceClient,
} from './exposure';

// ---------------------------------------------------------------------------------------------------------------------
// The platform: one environment's whole system, the Kubernetes cluster it shares, delivery
// ---------------------------------------------------------------------------------------------------------------------
export { PostgresPlatform, PlatformComponent } from './platform';
export type {
  PostgresPlatformProps, PlatformBackupOptions, PlatformClusterOptions, PlatformDeliveryOptions, PlatformMonitoringOptions,
  PlatformNetworkPolicyOptions, PlatformRestoreDrillOptions, PlatformS3CredentialOptions, PlatformTunnelOptions,
} from './platform';
export type {
  PlatformDay2, PlatformDay2Options, PlatformDatabaseOptions, PlatformDrillOptions, PlatformPublicationOptions,
  PlatformReplicationRoleOptions, PlatformRoleOptions, PlatformSubscriptionOptions,
} from './platform/day2';
export { PlatformNamespaces } from './platform/namespaces';
export type { PlatformNamespacesProps } from './platform/namespaces';
export { NamespaceGuardrails } from './platform/guardrails';
export type { NamespaceGuardrailsProps, ContainerDefaults, NamespaceFootprint } from './platform/guardrails';
export { OperatorDelivery, OperatorInstalls, OperatorReleases } from './platform/operators';
export type { OperatorInstallsProps, OperatorRelease, CloudNativePgReleaseOptions } from './platform/operators';
export { ArgoCdDelivery } from './platform/argocd';
export type { ArgoCdDeliveryProps, DeliveredComponent } from './platform/argocd';
export { SyncWave } from './platform/sync-waves';
export { KubernetesClusterPlatform, KubernetesClusterComponent } from './platform/kubernetes-cluster';
export type {
  KubernetesClusterPlatformProps, KubernetesClusterDeclaration, KubernetesClusterDelivery, KubernetesClusterMonitoring, EnvironmentRoot,
} from './platform/kubernetes-cluster';

// ---------------------------------------------------------------------------------------------------------------------
// The first sync: the model of an empty cluster converging, its timeline, and the plan synth writes
// ---------------------------------------------------------------------------------------------------------------------
export { modelFirstSync, readManifestRepository } from './platform/first-sync';
export type {
  FirstSyncOptions, FirstSyncProblem, FirstSyncResult, Manifest, ManifestRepository, ObjectReference, SyncStep,
} from './platform/first-sync';
export { formatSyncTimeline, renderSyncTimeline } from './platform/sync-timeline';
export type { SyncTimelineOptions } from './platform/sync-timeline';
export { planFirstSync, SynthPlan } from './platform/synth-plan';
export type { PlanOptions, PlannedEnvironment, PlannedTimeline } from './platform/synth-plan';

// ---------------------------------------------------------------------------------------------------------------------
// Environments: the way to synthesize (environment checks, update checks, change impact, warnings, strict mode)
// ---------------------------------------------------------------------------------------------------------------------
export {
  buildEnvironment, credentialCatalogOf, defineEnvironment, environmentProblems, findProjectRoot, planEnvironments, runSynth,
  sealingPaths, synthEnvironments,
} from './app/environments';
export type {
  BuildEnvironmentOptions, BuiltEnvironment, DefineEnvironmentOptions, Environment, EnvironmentDeclaration, SynthEnvironmentsOptions, TenantDeclaration,
} from './app/environments';
export { acknowledgeBreakingChanges } from './core/update-checks';

// ---------------------------------------------------------------------------------------------------------------------
// Problems (for constructs that build on these) and the command line
// ---------------------------------------------------------------------------------------------------------------------
export { Problems } from './core/problems';
export type { Problem } from './core/problems';
export { CLI_USAGE, loadProjectEnvironments, runCli, runPlanCommand } from './app/cli';
export type { CliIo, ProjectEnvironments } from './app/cli';
export { commandFor } from './core/commands';
export type { CnpgCommand } from './core/commands';

// ---------------------------------------------------------------------------------------------------------------------
// The generated L1 classes (cdk8s import of the vendored CRDs), one namespace per API group. Hidden from docs/api
// (thousands of generated types): the package comment above lists them.
// ---------------------------------------------------------------------------------------------------------------------
/**
 * CloudNativePG (`postgresql.cnpg.io`): `Cluster`, `Pooler`, `Backup`, `ScheduledBackup`, `Database`, `DatabaseRole`, `Publication`, `Subscription`, `ImageCatalog`, `ClusterImageCatalog`, `FailoverQuorum`.
 * @hidden
 */
export * as cnpg from '../imports/postgresql.cnpg.io';
/**
 * The Barman Cloud plugin (`barmancloud.cnpg.io`): `ObjectStore`.
 * @hidden
 */
export * as barmancloud from '../imports/barmancloud.cnpg.io';
/**
 * Sealed Secrets (`bitnami.com`): `SealedSecret`.
 * @hidden
 */
export * as sealedsecrets from '../imports/bitnami.com';
/**
 * The Prometheus Operator (`monitoring.coreos.com`): `PodMonitor`, `PrometheusRule`.
 * @hidden
 */
export * as monitoringcoreos from '../imports/monitoring.coreos.com';
/**
 * Argo CD (`argoproj.io`): `Application`, `AppProject`.
 * @hidden
 */
export * as argocd from '../imports/argoproj.io';
/**
 * The k3s Helm controller (`helm.cattle.io`): `HelmChart`.
 * @hidden
 */
export * as k3shelm from '../imports/helm.cattle.io';
