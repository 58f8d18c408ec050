/**
 * The package's public API is exactly what `lib/index.ts` exports, by name (see its package comment): this test pins
 * that list. Changing it is an API change: add (or remove) the name here in the same commit, and regenerate the API
 * reference (`npm run docs:api`, checked in CI). Internals (parsers, rule tables, renderers, constants the constructs
 * use internally) are imported by tests from their own module, never through the index.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { ApiObject, Testing } from 'cdk8s';
import * as lib from '../lib';
import { argocd, barmancloud, cnpg, k3shelm, monitoringcoreos, sealedsecrets } from '../lib';

/** Classes, enums, functions and constants: what exists at run time. */
const PUBLIC_VALUES = [
  'ArgoCdDelivery', 'BackupExpectation', 'BackupOwnerReference', 'BackupStore', 'BackupTarget', 'BasicAuthSecret',
  'CLI_USAGE', 'CNPG_ALERT_NAMES', 'CloudflaredTunnel', 'ClusterAlertRules', 'ClusterEndpoint', 'ClusterImport',
  'ClusterRecovery', 'CnpgCluster', 'CnpgClusterPodMonitor', 'CnpgCustomQueries', 'CnpgDatabase',
  'CnpgGrafanaDashboard', 'CnpgImageCatalog', 'CnpgOperatorPodMonitor', 'CnpgPoolerPodMonitor', 'CnpgPublication',
  'CnpgSubscription', 'CnpgUserCredential', 'DEFAULT_ALERT_THRESHOLDS', 'DEFAULT_DR_ALERT_THRESHOLDS',
  'DEFAULT_RUNBOOK_BASE_URL', 'DR_ALERT_NAMES', 'DataCompression', 'DataDurability', 'DatabaseNetworkPolicies',
  'DatabaseReclaimPolicy', 'DisasterRecovery', 'DrHeartbeat', 'DrMember', 'DrReadCredential', 'DrReplicaAlerts', 'DrTransition',
  'DrillExpectation', 'DrillMarkerJobs', 'ExternalCluster', 'ExternalTls', 'ImageCatalogKind', 'ImageCatalogRef',
  'ImageCatalogSelection', 'ImageFlavour', 'ImageVolumeExtension', 'KubernetesClusterComponent',
  'KubernetesClusterPlatform', 'LOGICAL_REPLICATION_QUERY', 'ManagedRole', 'MetricsScheme', 'MonitoredNamespaces',
  'NamespaceGuardrails', 'ObjectEnsure', 'OperatorDelivery', 'OperatorInstalls', 'OperatorReleases',
  'PG_STAT_STATEMENTS_QUERY', 'PlatformComponent', 'PlatformNamespaces', 'PodAntiAffinity', 'PodMonitor', 'PoolMode',
  'Pooler', 'PoolerType', 'PostgresImage', 'PostgresPlatform', 'PrimaryUpdateMethod', 'PrimaryUpdateStrategy',
  'Problems', 'PublicationRef', 'PublicationTarget', 'PublishOperation', 'RecoveryTarget', 'RelabelAction',
  'ReplicationReclaimPolicy', 'RestoreDrill', 'RoleEnsure', 'S3Credential', 'ScheduledBackup', 'SealedCredential',
  'SealedStore', 'SealedValues', 'SealingCertificate', 'SealingScope', 'SecretType', 'SelectorOperator',
  'ServerSideEncryption', 'SyncWave', 'SynchronousReplication', 'SynthPlan', 'TunnelLogLevel', 'TunnelManagement',
  'TunnelProtocol', 'WalCompression', 'acknowledgeBreakingChanges', 'addReplicationRole', 'buildEnvironment',
  'commandFor', 'credentialCatalogOf', 'defineEnvironment', 'environmentProblems', 'findProjectRoot',
  'formatSyncTimeline', 'loadProjectEnvironments', 'modelFirstSync', 'planEnvironments', 'planFirstSync',
  'readManifestRepository', 'renderSyncTimeline', 'runBackupCommand', 'runCli', 'runPlanCommand', 'runSeal',
  'runSynth', 'sealingPaths', 'synthEnvironments',
];

/** Interfaces and type aliases (`export type`): props, options and the interfaces constructs accept. */
const PUBLIC_TYPES = [
  'AlertRuleOptions', 'AlertSeverity', 'AlertThresholds', 'ArchiveWalOptions', 'ArgoCdDeliveryProps',
  'BackupCommandIo', 'BackupEnvironment', 'BackupStoreCopyOptions', 'BackupStoreProps', 'BackupStoreRecoveryOptions',
  'BuildEnvironmentOptions', 'BuiltEnvironment', 'CertificateFileOptions', 'CertificateOptions', 'CidrDestination', 'CliIo',
  'CloudNativePgReleaseOptions', 'CloudflaredTunnelProps', 'ClusterAlertRulesProps', 'ClusterBootstrapConfig',
  'ClusterImportOptions', 'ClusterPluginOptions', 'ClusterPodMonitorProps', 'ClusterReplicaConfig', 'CnpgAlertName',
  'CnpgClusterAttributes', 'CnpgClusterPodMonitorProps', 'CnpgClusterProps', 'CnpgCommand', 'CnpgCustomQueriesProps',
  'CnpgDatabaseProps', 'CnpgGrafanaDashboardProps', 'CnpgImageCatalogProps', 'CnpgOperatorPodMonitorProps',
  'CnpgPodMonitorOptions', 'CnpgPoolerPodMonitorProps', 'CnpgPublicationProps', 'CnpgSubscriptionProps',
  'CnpgUserCredentialProps', 'ContainerDefaults', 'ControllerLocation', 'CredentialCatalog', 'CustomQuery',
  'CustomQueryColumn', 'CustomQueryColumnUsage', 'DatabaseEgressOptions', 'DatabaseExtensionOptions',
  'DatabaseNetworkPoliciesProps', 'DatabaseSchemaOptions', 'DeclaredCredential', 'DeclaredSealedCredential',
  'DefineEnvironmentOptions', 'DeliveredComponent', 'DisasterRecoveryProps', 'DisasterRecoverySite',
  'DrAlertThresholds', 'DrArchive', 'DrDemotionOptions', 'DrFacts', 'DrFailoverOptions', 'DrHeartbeatOptions', 'DrHeartbeatProps', 'DrMemberOptions',
  'DrProblem', 'DrPromotionOptions', 'DrReplicaAlertsProps', 'DrRole', 'DrSiteFacts', 'DrTransitionFacts',
  'DrillMarkerJobsProps', 'Environment', 'EnvironmentDeclaration', 'EnvironmentRoot', 'ExternalClusterOptions',
  'ExternalSecretKey', 'FirstSyncOptions', 'FirstSyncProblem', 'FirstSyncResult', 'IBasicAuthCredential',
  'ICloudflaredTunnel', 'IClusterBootstrap', 'IClusterEndpoint', 'IClusterReplica', 'ICnpgCluster', 'IImageCatalog',
  'IPublication', 'IS3Credential', 'ITunnelCredential', 'ImageCatalogRefOptions', 'ImageVolumeExtensionOptions', 'InNamespaceClient',
  'InclusiveRecoveryTargetOptions', 'InstanceMetricsTls', 'KubernetesApiDestination', 'KubernetesClusterDeclaration',
  'KubernetesClusterDelivery', 'KubernetesClusterMonitoring', 'KubernetesClusterPlatformProps', 'KubernetesClusterRef',
  'LocallyManagedTunnelOptions', 'ManagedRoleOptions', 'Manifest', 'ManifestRepository', 'MicroserviceImportOptions',
  'MonolithImportOptions', 'NamespaceFootprint', 'NamespaceGuardrailsProps', 'NamespacedPods', 'ObjectReference',
  'OperatorInstallsProps', 'OperatorPodMonitorProps', 'OperatorRelease', 'ParameterValue', 'PlanOptions',
  'PlannedEnvironment', 'PlannedTimeline', 'PlatformBackupOptions', 'PlatformClusterOptions',
  'PlatformDatabaseOptions', 'PlatformDay2', 'PlatformDay2Options', 'PlatformDeliveryOptions',
  'PlatformDrillOptions', 'PlatformMonitoringOptions', 'PlatformNamespacesProps', 'PlatformNetworkPolicyOptions',
  'PlatformPublicationOptions', 'PlatformReplicationRoleOptions', 'PlatformRestoreDrillOptions',
  'PlatformRoleOptions', 'PlatformS3CredentialOptions', 'PlatformSubscriptionOptions', 'PlatformTunnelOptions',
  'PodMetricsEndpoint', 'PodMonitorCommonProps', 'PodMonitorProps', 'PodSelectorRequirement',
  'PoolerMonitoringOptions', 'PoolerPodMonitorProps', 'PoolerProps', 'PostgresImageOptions', 'PostgresPlatformProps',
  'Problem', 'ProjectEnvironments', 'PrometheusAlertingRule', 'PrometheusRecordingRule', 'PrometheusRuleEntry',
  'PrometheusRuleGroup', 'PublicationTableOptions', 'QuorumReplicationOptions', 'RawRecoveryTarget',
  'RecoveryTargetKind', 'RecoveryTimelineOptions', 'Relabeling', 'RemotelyManagedTunnelOptions',
  'ReplicationRoleOptions', 'RestoreDrillProps', 'S3CredentialProps', 'ScheduledBackupProps', 'SealIo', 'SealTarget',
  'SealedCredentialProps', 'SealedEntry', 'SealedValuesProps', 'SealingScopeName', 'SecretKeyReference',
  'StoreProblem', 'StoreProblemCode', 'SubscribeOptions', 'SyncStep', 'SyncTimelineOptions',
  'SynthEnvironmentsOptions', 'TenantDeclaration', 'TunnelOriginRequest', 'WalArchive',
];

/** The generated L1 classes, one namespace per API group (`imports/`). */
const L1_NAMESPACES = ['argocd', 'barmancloud', 'cnpg', 'k3shelm', 'monitoringcoreos', 'sealedsecrets'];

const INDEX = path.join(__dirname, '..', 'lib', 'index.ts');

/** What `lib/index.ts` exports, read from its source: every statement is a named re-export or a namespace export. */
function declaredExports(): { values: string[]; types: string[]; namespaces: string[]; other: string[] } {
  const sf = ts.createSourceFile(INDEX, fs.readFileSync(INDEX, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out = { values: [] as string[], types: [] as string[], namespaces: [] as string[], other: [] as string[] };
  for (const st of sf.statements) {
    if (!ts.isExportDeclaration(st) || !st.moduleSpecifier || !st.exportClause) {
      out.other.push(st.getText(sf).split('\n')[0]);
    } else if (ts.isNamespaceExport(st.exportClause)) {
      out.namespaces.push(st.exportClause.name.text);
    } else {
      for (const el of st.exportClause.elements) (st.isTypeOnly || el.isTypeOnly ? out.types : out.values).push(el.name.text);
    }
  }
  return out;
}

describe('the public API (lib/index.ts)', () => {
  test('index.ts only re-exports by name: no `export *`, no declarations of its own', () => {
    expect(declaredExports().other).toEqual([]);
  });

  test('exports exactly the pinned names', () => {
    const declared = declaredExports();
    expect([...declared.values].sort()).toEqual([...PUBLIC_VALUES].sort());
    expect([...declared.types].sort()).toEqual([...PUBLIC_TYPES].sort());
    expect([...declared.namespaces].sort()).toEqual([...L1_NAMESPACES].sort());
    // the lists are kept sorted, without duplicates, so that a change is one reviewable line
    for (const list of [PUBLIC_VALUES, PUBLIC_TYPES, L1_NAMESPACES]) {
      expect(list).toEqual([...new Set(list)].sort());
    }
    expect(PUBLIC_VALUES.length + PUBLIC_TYPES.length + L1_NAMESPACES.length).toBe(299);
  });

  test('at run time the package exports exactly the values and namespaces, each defined (no type exported as a value)', () => {
    const runtime = Object.keys(lib).filter((k) => k !== '__esModule').sort();
    expect(runtime).toEqual([...PUBLIC_VALUES, ...L1_NAMESPACES].sort());
    const undefinedExports = runtime.filter((k) => (lib as Record<string, unknown>)[k] === undefined);
    expect(undefinedExports).toEqual([]);
  });

  test('internals are not exported', () => {
    const internals = [
      'strtod', 'rint', 'strtol0', 'editDistance', 'convertToBaseUnit', 'parseBool', 'PostgresSettings', 'validConfName',
      'parseCron', 'nextRuns', 'parseGoDuration', 'parseHbaLine', 'tokenizeHbaLine', 'pgHbaProblems', 'sealValue',
      'generatePassword', 'clusterAdmissionProblems', 'validateAdmission', 'CLUSTER_RULES', 'OTHER_KIND_RULES',
      'FORBIDDEN_PARAMETERS', 'applyClusterDefaults', 'synthComponents', 'renderComponents', 'checkAppUpdates',
      'PreviousManifests', 'spawnGit', 'changeImpactReport', 'isDns1123Label', 'parseQuantity', 'formatProblem',
      'describeValue', 'applySyncWaves', 'KIND_SYNC_WAVES', 'HEALTH_CHECKS', 'footprintOf', 'FirstSyncModel',
      'buildClusterAlertRules', 'DEMO_CERTIFICATE_FINGERPRINT', 'onDemandBackupManifest',
    ];
    const exported = new Set([...PUBLIC_VALUES, ...PUBLIC_TYPES, ...L1_NAMESPACES, ...Object.keys(lib)]);
    expect(internals.filter((name) => exported.has(name))).toEqual([]);
  });

  test('the four constructs of the README are exported classes', () => {
    for (const name of ['CnpgCluster', 'SealedCredential', 'BackupStore', 'PodMonitor'] as const) {
      expect([name, typeof lib[name]]).toEqual([name, 'function']);
    }
    // and the interfaces they are wired with are part of the API
    for (const name of ['CnpgClusterProps', 'SealedCredentialProps', 'BackupStoreProps', 'PodMonitorProps', 'ICnpgCluster']) {
      expect(PUBLIC_TYPES).toContain(name);
    }
  });

  test('the generated L1 classes are namespaces of ApiObject classes: cnpg.Cluster is a class', () => {
    expect(typeof cnpg.Cluster).toBe('function');
    // (cdk8s' `instanceof ApiObject` checks a marker on instances, so compare the prototype chain)
    expect(Object.getPrototypeOf(cnpg.Cluster)).toBe(ApiObject);
    const cluster = new cnpg.Cluster(Testing.chart(), 'Cluster', { metadata: { name: 'db' }, spec: { instances: 1, storage: { size: '1Gi' } } });
    expect(ApiObject.isApiObject(cluster)).toBe(true);
    expect(cluster.kind).toBe('Cluster');
    const kinds: Array<[string, { GVK: { apiVersion: string; kind: string } }, string, string]> = [
      ['cnpg', cnpg.Cluster, 'postgresql.cnpg.io/v1', 'Cluster'],
      ['cnpg', cnpg.Pooler, 'postgresql.cnpg.io/v1', 'Pooler'],
      ['barmancloud', barmancloud.ObjectStore, 'barmancloud.cnpg.io/v1', 'ObjectStore'],
      ['sealedsecrets', sealedsecrets.SealedSecret, 'bitnami.com/v1alpha1', 'SealedSecret'],
      ['monitoringcoreos', monitoringcoreos.PodMonitor, 'monitoring.coreos.com/v1', 'PodMonitor'],
      ['argocd', argocd.Application, 'argoproj.io/v1alpha1', 'Application'],
      ['k3shelm', k3shelm.HelmChart, 'helm.cattle.io/v1', 'HelmChart'],
    ];
    for (const [ns, cls, apiVersion, kind] of kinds) {
      expect([ns, cls.GVK]).toEqual([ns, { apiVersion, kind }]);
    }
  });

  test('the package comment\'s L1 example synthesizes', () => {
    const chart = Testing.chart();
    new cnpg.Backup(chart, 'BeforeMigration', {
      metadata: { name: 'orders-db-before-migration' },
      spec: { cluster: { name: 'orders-db' }, method: cnpg.BackupSpecMethod.PLUGIN, pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' } },
    });
    expect(Testing.synth(chart)).toEqual([{
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Backup',
      metadata: { name: 'orders-db-before-migration' },
      spec: { cluster: { name: 'orders-db' }, method: 'plugin', pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' } },
    }]);
  });
});
