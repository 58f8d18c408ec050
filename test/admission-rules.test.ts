import { JsonPatch, Testing } from 'cdk8s';
import { CnpgCluster, PostgresImage, Problems } from '../lib';
import { admissionProblemsFor, clusterAdmissionProblems } from '../lib/rules/admission';
import { CLUSTER_RULE_IDS } from '../lib/rules/admission/cluster';
import { applyClusterDefaults } from '../lib/rules/admission/defaults';
import { OTHER_KIND_RULES } from '../lib/rules/admission/kinds';
import { FORBIDDEN_PARAMETERS, parseWebhookMemory } from '../lib/rules/admission/parameters';
import { parseHbaLine, pgHbaProblems } from '../lib/rules/pg-hba';
import { formatGroupedErrors, synthComponents } from '../lib/core/synth';
import { synthChart, synthError, tempDir, testChart } from './support/synth';

/** Deep merge for test patches: objects merge, anything else replaces, `undefined` deletes. */
function merge(base: any, patch: any): any {
  if (patch === undefined) return undefined;
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch) || typeof base !== 'object' || base === null || Array.isArray(base)) return patch;
  const out: any = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = merge(base[k], v);
  }
  return out;
}

const IMAGE18 = 'ghcr.io/cloudnative-pg/postgresql:18.4-minimal-trixie';

/** The smallest valid Cluster. */
function cluster(patch: any = {}): any {
  return merge({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'pg', namespace: 'db' },
    spec: { instances: 3, imageName: IMAGE18, storage: { size: '1Gi' } },
  }, patch);
}
const spec = (s: any) => cluster({ spec: s });
const params = (p: Record<string, unknown>, s: any = {}) => spec(merge({ postgresql: { parameters: p } }, s));
const hba = (lines: string[]) => spec({ postgresql: { pg_hba: lines } });
const recovery = (r: any) => spec({ bootstrap: { recovery: { source: 'src', ...r } }, externalClusters: [{ name: 'src', plugin: { name: 'barman-cloud.cloudnative-pg.io' } }] });
const snap = { name: 'snap', kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' };
const annotations = (a: Record<string, string>) => cluster({ metadata: { annotations: a } });
const ext = (e: any) => spec({ postgresql: { extensions: [{ name: 'x', image: { reference: 'ghcr.io/x:1' }, ...e }] } });
const token = (content: unknown) => Buffer.from(JSON.stringify(content)).toString('base64');
const s3 = { inheritFromIAMRole: true };

type Case = [rule: string, object: any, field: string, severity?: 'warning'];
/** Every row with four elements: jest takes a callback parameter beyond the row's length for `done`. */
const rows = (cases: Case[]) => cases.map(([id, obj, field, severity]) => [id, obj, field, severity ?? 'error'] as const);

const CLUSTER_CASES: Case[] = [
  ['2.1#2', spec({ bootstrap: { initdb: { owner: 'app', import: { type: 'monolith', databases: ['a'], source: { externalCluster: 'src' } } } } }), 'spec.bootstrap.initdb.database'],
  ['2.1#5', spec({ bootstrap: { initdb: { walSegmentSize: 48 } } }), 'spec.bootstrap.initdb.walSegmentSize'],
  ['2.1#6', spec({ bootstrap: { initdb: { postInitApplicationSQLRefs: { secretRefs: [{ name: 's' }] } } } }), 'spec.bootstrap.initdb.postInitApplicationSQLRefs.secretRefs[0]'],
  ['2.1#7', spec({ bootstrap: { initdb: { postInitApplicationSQLRefs: { configMapRefs: [{ key: 'k' }] } } } }), 'spec.bootstrap.initdb.postInitApplicationSQLRefs.configMapRefs[0]'],
  ['2.1#8', spec({ bootstrap: { initdb: { import: { type: 'full', databases: ['a'] } } } }), 'spec.bootstrap.initdb.import.type'],
  ['2.1#9', spec({ bootstrap: { initdb: { import: { type: 'microservice', databases: ['a', 'b'] } } } }), 'spec.bootstrap.initdb.import.databases'],
  ['2.1#10', spec({ bootstrap: { initdb: { import: { type: 'microservice', databases: ['a'], roles: ['r'] } } } }), 'spec.bootstrap.initdb.import.roles'],
  ['2.1#11', spec({ bootstrap: { initdb: { import: { type: 'microservice', databases: ['a*'] } } } }), 'spec.bootstrap.initdb.import.databases[0]'],
  ['2.1#12', spec({ bootstrap: { initdb: { import: { type: 'monolith', databases: [] } } } }), 'spec.bootstrap.initdb.import.databases'],
  ['2.1#13', spec({ bootstrap: { initdb: { import: { type: 'monolith', databases: ['*', 'a'] } } } }), 'spec.bootstrap.initdb.import.databases'],
  ['2.1#14', spec({ bootstrap: { initdb: { import: { type: 'monolith', databases: ['a'], roles: ['*', 'r'] } } } }), 'spec.bootstrap.initdb.import.roles'],
  ['2.1#15', spec({ bootstrap: { initdb: { import: { type: 'monolith', databases: ['a'], postImportApplicationSQL: ['SELECT 1'] } } } }), 'spec.bootstrap.initdb.import.postImportApplicationSQL'],
  ['2.1#16', spec({ bootstrap: { initdb: {}, pg_basebackup: { source: 'x' } } }), 'spec.bootstrap'],
  ['2.1#17', spec({ bootstrap: { pg_basebackup: { source: 'nope' } } }), 'spec.bootstrap.pg_basebackup.source'],
  ['2.1#18', spec({ bootstrap: { recovery: { source: 'nope' } } }), 'spec.bootstrap.recovery.source'],
  ['2.1#19', spec({ bootstrap: { recovery: { source: 'src' } }, externalClusters: [{ name: 'src' }] }), 'spec.bootstrap.recovery.source'],
  ['2.1#20', spec({ bootstrap: { recovery: { backup: { name: 'b' }, volumeSnapshots: { storage: snap } } } }), 'spec.bootstrap.recovery.backup'],
  ['2.1#21', spec({ bootstrap: { recovery: { volumeSnapshots: { storage: snap }, recoveryTarget: { backupID: '20260101T000000' } } } }), 'spec.bootstrap.recovery.recoveryTarget.backupID'],
  ['2.1#22', spec({ bootstrap: { recovery: { volumeSnapshots: { storage: { name: 'p', kind: 'Pod' } } } } }), 'spec.bootstrap.recovery.volumeSnapshots.storage'],
  ['2.1#23', spec({ bootstrap: { recovery: { volumeSnapshots: { storage: snap, walStorage: { ...snap, name: 'wal' } } } } }), 'spec.bootstrap.recovery.volumeSnapshots.walStorage'],
  ['2.1#24', recovery({ recoveryTarget: { targetTime: '2026-01-01T00:00:00Z', targetLSN: '0/1' } }), 'spec.bootstrap.recovery.recoveryTarget'],
  ['2.1#25', recovery({ recoveryTarget: { targetTime: 'yesterday' } }), 'spec.bootstrap.recovery.recoveryTarget.targetTime'],
  ['2.1#26', recovery({ recoveryTarget: { targetLSN: 'xyz' } }), 'spec.bootstrap.recovery.recoveryTarget.targetLSN'],
  ['2.1#27', recovery({ recoveryTarget: { targetXID: 'abc', backupID: '20260101T000000' } }), 'spec.bootstrap.recovery.recoveryTarget.targetXID'],
  ['2.1#28', recovery({ recoveryTarget: { targetName: 'x'.repeat(64), backupID: '20260101T000000' } }), 'spec.bootstrap.recovery.recoveryTarget.targetName'],
  ['2.1#28', recovery({ recoveryTarget: { targetName: 'a\u0007b', backupID: '20260101T000000' } }), 'spec.bootstrap.recovery.recoveryTarget.targetName'],
  ['2.1#30', recovery({ recoveryTarget: { targetName: 'before-migration' } }), 'spec.bootstrap.recovery.recoveryTarget.backupID'],
  ['lib#backupID-format', recovery({ recoveryTarget: { targetName: 'before-migration', backupID: 'last-night' } }), 'spec.bootstrap.recovery.recoveryTarget.backupID'],
  ['2.1#31', recovery({ recoveryTarget: { targetTLI: '0' } }), 'spec.bootstrap.recovery.recoveryTarget.targetTLI'],
  ['2.1#32', spec({ imageName: 'ghcr.io/cloudnative-pg/postgresql:latest' }), 'spec.imageName'],
  ['2.1#32', spec({ imageName: 'ghcr.io/cloudnative-pg/postgresql' }), 'spec.imageName'],
  ['2.1#33', spec({ imageName: 'ghcr.io/cloudnative-pg/postgresql@sha256:abcd' }), 'spec.imageName'],
  ['2.1#34', spec({ imageName: 'ghcr.io/cloudnative-pg/postgresql:v18' }), 'spec.imageName'],
  ['2.1#36', spec({ imagePullPolicy: 'Sometimes' }), 'spec.imagePullPolicy'],
  ['2.1#37', spec({ imageName: 'ghcr.io/cloudnative-pg/postgresql:12.20' }), 'spec.imageName'],
  ['2.1#38', spec({ primaryUpdateStrategy: 'manual' }), 'spec.primaryUpdateStrategy'],
  ['2.1#39', spec({ instances: 1, primaryUpdateStrategy: 'supervised' }), 'spec.primaryUpdateStrategy'],
  ['2.1#40', spec({ minSyncReplicas: -1 }), 'spec.minSyncReplicas'],
  ['2.1#41', spec({ minSyncReplicas: 2, maxSyncReplicas: 1 }), 'spec.minSyncReplicas'],
  ['2.1#42', spec({ maxSyncReplicas: -1 }), 'spec.maxSyncReplicas'],
  ['2.1#43', spec({ maxSyncReplicas: 3 }), 'spec.maxSyncReplicas'],
  ['2.1#44', spec({ maxSyncReplicas: 1, postgresql: { synchronous: { method: 'any', number: 1 } } }), 'spec.postgresql.synchronous'],
  ['2.1#45', spec({ postgresql: { synchronous: { method: 'any', number: 3 } } }), 'spec.postgresql.synchronous.number'],
  ['2.1#46', spec({ postgresql: { synchronous: { method: 'any', number: 1, failoverQuorum: true, standbyNamesPre: ['a'] } } }), 'spec.postgresql.synchronous.number'],
  ['2.1#47', annotations({ 'alpha.cnpg.io/failoverQuorum': 'yes' }), 'metadata.annotations.alpha.cnpg.io/failoverQuorum'],
  ['2.1#48', annotations({ 'alpha.cnpg.io/failoverQuorum': 'true' }), 'spec.postgresql.synchronous'],
  ['2.1#49', spec({ postgresql: { syncReplicaElectionConstraint: { enabled: true } } }), 'spec.postgresql.syncReplicaElectionConstraint.nodeLabelsAntiAffinity'],
  ['2.1#50', spec({ storage: { size: 'ten' } }), 'spec.storage.size'],
  ['2.1#51', spec({ storage: { size: undefined } }), 'spec.storage.size'],
  ['2.1#52', spec({ walStorage: { size: 'x' } }), 'spec.walStorage.size'],
  ['2.1#53', spec({ tablespaces: [{ name: 't', storage: {} }] }), 'spec.tablespaces[0].storage.size'],
  ['2.1#54', spec({ ephemeralVolumeSource: { volumeClaimTemplate: { spec: {} } }, ephemeralVolumesSizeLimit: { temporaryData: '1Gi' } }), 'spec.ephemeralVolumeSource'],
  ['2.1#55', cluster({ metadata: { name: 'Bad_Name' } }), 'metadata.name'],
  ['2.1#56', cluster({ metadata: { name: 'a'.repeat(51) } }), 'metadata.name'],
  ['2.1#57', spec({ tablespaces: [{ name: 't', storage: { size: '1Gi' } }, { name: 'T', storage: { size: '1Gi' } }] }), 'spec.tablespaces[1]'],
  ['2.1#58', spec({ tablespaces: [{ name: 'pg_t', storage: { size: '1Gi' } }] }), 'spec.tablespaces[0]'],
  ['2.1#59', spec({ tablespaces: [{ name: '1t', storage: { size: '1Gi' } }] }), 'spec.tablespaces[0]'],
  ['2.1#60', spec({ tablespaces: [{ name: 'a'.repeat(64), storage: { size: '1Gi' } }] }), 'spec.tablespaces[0]'],
  ['2.1#61', spec({ tablespaces: [{ name: 'a_b', storage: { size: '1Gi' } }, { name: 'a$b', storage: { size: '1Gi' } }] }), 'spec.tablespaces[1]'],
  ['2.1#62', spec({ backup: { volumeSnapshot: { tablespaceClassName: { idx: 'csi' } } } }), 'spec.backup.volumeSnapshot.tablespaceClassName'],
  ['2.1#63', spec({ externalClusters: [{ name: 'a', plugin: { name: 'p' } }, { name: 'a', plugin: { name: 'p' } }] }), 'spec.externalClusters'],
  ['2.1#64', spec({ externalClusters: [{ name: 'a' }] }), 'spec.externalClusters[0]'],
  ['2.1#65', spec({ externalClusters: [{ name: '..', plugin: { name: 'p' } }] }), 'spec.externalClusters[0].name'],
  ['2.1#66', spec({ externalClusters: [{ name: 'a', plugin: { name: 'p' }, sslCert: { name: '../x', key: 'k' } }] }), 'spec.externalClusters[0].sslCert.name'],
  ['2.1#67', spec({ replica: { enabled: true, primary: 'src', source: 'src' }, externalClusters: [{ name: 'src', plugin: { name: 'p' } }] }), 'spec.replica.enabled'],
  ['2.1#69', spec({ replica: { enabled: true, source: 'src' }, externalClusters: [{ name: 'src', plugin: { name: 'p' } }] }), 'spec.replica'],
  ['2.1#70', spec({ replica: { enabled: false, source: 'nope' } }), 'spec.replica.source'],
  ['2.1#71', spec({ replica: { primary: 'src', self: 'me', source: 'src' }, externalClusters: [{ name: 'src', plugin: { name: 'p' } }] }), 'spec.replica.self'],
  ['2.1#72', spec({ replica: { primary: 'other', source: 'src' }, externalClusters: [{ name: 'src', plugin: { name: 'p' } }] }), 'spec.replica.primary'],
  ['2.1#73', spec({ replica: { enabled: false, source: 'src', promotionToken: 'abc', minApplyDelay: '1h' }, externalClusters: [{ name: 'src', plugin: { name: 'p' } }] }), 'spec.replica.minApplyDelay'],
  ['2.1#74', spec({ replica: { enabled: true, source: 'src', promotionToken: 'abc' }, bootstrap: { pg_basebackup: { source: 'src' } }, externalClusters: [{ name: 'src', connectionParameters: { host: 'x' } }] }), 'spec.replica.promotionToken'],
  ['2.1#75', spec({ replica: { enabled: false, source: 'src', promotionToken: '***' }, externalClusters: [{ name: 'src', plugin: { name: 'p' } }] }), 'spec.replica.promotionToken'],
  ['2.1#75', spec({ replica: { enabled: false, source: 'src', promotionToken: token({ latestCheckpointTimelineID: '2' }) }, externalClusters: [{ name: 'src', plugin: { name: 'p' } }] }), 'spec.replica.promotionToken'],
  ['2.1#76', spec({ affinity: { podAntiAffinityType: 'sometimes' } }), 'spec.affinity.podAntiAffinityType'],
  ['2.1#77', spec({ affinity: { tolerations: [{ key: '', operator: 'Equal' }] } }), 'spec.affinity.tolerations[0].operator'],
  ['2.1#77', spec({ affinity: { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }] } }), 'spec.affinity.tolerations[0].effect'],
  ['2.1#78', spec({ resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }), 'spec.resources.requests.cpu'],
  ['2.1#79', spec({ resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } }), 'spec.resources.requests.memory'],
  ['2.1#80', spec({ resources: { requests: { memory: '1Gi', 'hugepages-2Mi': '1Gi' }, limits: { 'hugepages-2Mi': '2Gi' } } }), 'spec.resources.requests.hugepages-2Mi'],
  ['2.1#81', spec({ resources: { limits: { 'hugepages-2Mi': '1Gi' } } }), 'spec.resources'],
  ['2.1#82', params({ shared_buffers: '2GB' }, { resources: { requests: { memory: '1Gi' } } }), 'spec.resources.requests'],
  ['2.1#83', spec({ resources: { requests: { 'ephemeral-storage': '2Gi' }, limits: { 'ephemeral-storage': '1Gi' } } }), 'spec.resources.requests.storage'],
  ['2.1#84', spec({ backup: { barmanObjectStore: { destinationPath: 's3://b' } } }), 'spec.backup.barmanObjectStore'],
  ['2.1#85', spec({ backup: { barmanObjectStore: { destinationPath: 's3://b', s3Credentials: s3, googleCredentials: { gkeEnvironment: true } } } }), 'spec.backup.barmanObjectStore'],
  ['2.1#86', spec({ backup: { barmanObjectStore: { destinationPath: 's3://b', s3Credentials: { accessKeyId: { name: 'a', key: 'k' } } } } }), 'spec.backup.barmanObjectStore.s3Credentials'],
  ['2.1#87', spec({ backup: { barmanObjectStore: { destinationPath: 'https://a', azureCredentials: {} } } }), 'spec.backup.barmanObjectStore.azureCredentials'],
  ['2.1#88', spec({ backup: { barmanObjectStore: { destinationPath: 'gs://b', googleCredentials: {} } } }), 'spec.backup.barmanObjectStore.googleCredentials'],
  ['2.1#90', spec({ backup: { retentionPolicy: '30D' } }), 'spec.backup.retentionPolicy'],
  ['2.1#91', spec({ plugins: [{ name: 'p', isWALArchiver: true }], backup: { barmanObjectStore: { destinationPath: 's3://b', s3Credentials: s3 } } }), 'spec.plugins'],
  ['2.1#92', spec({ plugins: [{ name: 'p', isWALArchiver: true }, { name: 'q', isWALArchiver: true }] }), 'spec.plugins'],
  ['2.1#93', params({ 'bad name': '1' }), 'spec.postgresql.parameters.bad name'],
  ['2.1#94', params({ synchronous_standby_names: 'ANY 1 (*)' }), 'spec.postgresql.parameters.synchronous_standby_names'],
  ['2.1#94', params({ allow_alter_system: 'on' }), 'spec.postgresql.parameters.allow_alter_system'],
  ['2.1#95', params({ wal_level: 'archive' }), 'spec.postgresql.parameters.wal_level'],
  ['2.1#96', params({ wal_level: 'minimal', max_wal_senders: '0' }, { instances: 1 }), 'spec.postgresql.parameters.wal_level'],
  ['2.1#97', cluster({ metadata: { annotations: { 'cnpg.io/skipWalArchiving': 'enabled' } }, spec: { instances: 1, postgresql: { parameters: { wal_level: 'minimal' } } } }), 'spec.postgresql.parameters.max_wal_senders'],
  ['2.1#98', params({ shared_buffers: '1G' }), 'spec.postgresql.parameters.shared_buffers'],
  ['2.1#99', params({ hot_standby_feedback: 'maybe' }), 'spec.postgresql.parameters.hot_standby_feedback'],
  ['2.1#100', params({ sync_replication_slots: 'maybe' }), 'spec.postgresql.parameters.sync_replication_slots'],
  ['2.1#101', params({ wal_log_hints: 'off' }), 'spec.postgresql.parameters.wal_log_hints'],
  ['2.1#102', params({ min_wal_size: '1G' }), 'spec.postgresql.parameters.min_wal_size'],
  ['2.1#103', params({ min_wal_size: '2GB', max_wal_size: '1GB' }), 'spec.postgresql.parameters.min_wal_size'],
  ['2.1#104', params({ max_wal_size: '2GB' }, { walStorage: { size: '1Gi' } }), 'spec.postgresql.parameters.max_wal_size'],
  ['2.1#105', spec({ postgresql: { ldap: { scheme: 'ldap' } } }), 'spec.postgresql.ldap'],
  ['2.1#106', spec({ postgresql: { ldap: { server: 'x', bindAsAuth: { prefix: 'a' }, bindSearchAuth: { baseDN: 'b' } } } }), 'spec.postgresql.ldap'],
  ['2.1#107', hba(['hostssl all all ${podselector:app} scram-sha-256']), 'spec.postgresql.pg_hba[0]'],
  ['2.1#107', spec({ podSelectorRefs: [{ name: 'app', selector: { matchLabels: { app: 'x' } } }], postgresql: { pg_hba: ['hostssl all all ${dns:app} scram-sha-256'] } }), 'spec.postgresql.pg_hba[0]'],
  ['2.1#108', spec({ podSelectorRefs: [{ name: 'a', selector: {} }, { name: 'a', selector: {} }] }), 'spec.podSelectorRefs'],
  ['2.1#108', spec({ podSelectorRefs: [{ name: 'a', selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }] }), 'spec.podSelectorRefs[0].selector.matchExpressions[0].values'],
  ['2.1#109', spec({ replicationSlots: { synchronizeReplicas: { enabled: true, excludePatterns: ['(?=x)'] } } }), 'spec.replicationSlots.synchronizeReplicas.excludePatterns'],
  ['2.1#110', spec({ imageName: 'ghcr.io/cloudnative-pg/postgresql:16.14-minimal-trixie', replicationSlots: { highAvailability: { synchronizeLogicalDecoding: true } } }), 'spec.replicationSlots.highAvailability.synchronizeLogicalDecoding'],
  ['2.1#111', spec({ replicationSlots: { highAvailability: { synchronizeLogicalDecoding: true } } }), 'spec.postgresql.parameters.hot_standby_feedback'],
  ['2.1#112', spec({ replicationSlots: { highAvailability: { synchronizeLogicalDecoding: true } } }), 'spec.postgresql.parameters.sync_replication_slots'],
  ['2.1#113', params({ 'pg_failover_slots.synchronize_slot_names': 'name_like:%' }), 'spec.postgresql.parameters.hot_standby_feedback'],
  ['2.1#114', params({ 'pg_failover_slots.synchronize_slot_names': 'name_like:%', hot_standby_feedback: 'on' }, { replicationSlots: { highAvailability: { enabled: false } } }), 'spec.replicationSlots.highAvailability'],
  ['2.1#115', spec({ env: [{ name: 'PGDATA', value: '/x' }] }), 'spec.env[0].name'],
  ['2.1#116', spec({ managed: { services: { disabledDefaultServices: ['rw'] } } }), 'spec.managed.services.disabledDefaultServices'],
  ['2.1#117', spec({ managed: { services: { additional: [{ selectorType: 'rw', serviceTemplate: { metadata: { name: 'pg-rw' } } }] } } }), 'spec.managed.services.additional[0]'],
  ['2.1#118', spec({ managed: { services: { additional: [{ selectorType: 'rw', serviceTemplate: { metadata: { name: 'x' }, spec: { selector: { a: 'b' } } } }] } } }), 'spec.managed.services.additional[0]'],
  ['2.1#119', spec({ managed: { services: { additional: [{ selectorType: 'rw', serviceTemplate: { metadata: { name: 'x' } } }, { selectorType: 'ro', serviceTemplate: { metadata: { name: 'x' } } }] } } }), 'spec.managed.services.additional'],
  ['2.1#120', spec({ managed: { roles: [{ name: 'a' }, { name: 'a' }] } }), 'spec.managed.roles'],
  ['2.1#121', spec({ managed: { roles: [{ name: 'a', connectionLimit: -2 }] } }), 'spec.managed.roles'],
  ['2.1#122', spec({ managed: { roles: [{ name: 'cnpg_x' }] } }), 'spec.managed.roles[0].name'],
  ['2.1#123', spec({ managed: { roles: [{ name: 'a', disablePassword: true, passwordSecret: { name: 's' } }] } }), 'spec.managed.roles'],
  ['2.1#124', spec({ postgresql: { extensions: [{ name: 'a_b', image: { reference: 'x:1' } }, { name: 'a-b', image: { reference: 'x:1' } }] } }), 'spec.postgresql.extensions[1].name'],
  ['2.1#125', spec({ postgresql: { extensions: [{ name: 'x' }] } }), 'spec.postgresql.extensions[0].image.reference'],
  ['2.1#126', ext({ extension_control_path: ['../share'] }), 'spec.postgresql.extensions[0].extension_control_path[0]'],
  ['2.1#127', ext({ env: [{ name: 'PATH', value: '/x' }] }), 'spec.postgresql.extensions[0].env[0].name'],
  ['2.1#127', ext({ env: [{ name: 'X', value: '${home}/x' }] }), 'spec.postgresql.extensions[0].env[0].value'],
  ['2.1#128', annotations({ 'cnpg.io/hibernation': 'yes' }), 'metadata.annotations.cnpg.io/hibernation'],
  ['2.1#129', annotations({ 'cnpg.io/podPatch': 'not json' }), 'metadata.annotations.cnpg.io/podPatch'],
  ['2.1#129', annotations({ 'cnpg.io/podPatch': '[{"op": "replace", "path": "/spec/podInvalidSection", "value": "test"}]' }), 'metadata.annotations.cnpg.io/podPatch'],
  ['2.1#130', annotations({ 'alpha.cnpg.io/livenessPinger': '{}' }), 'metadata.annotations.alpha.cnpg.io/livenessPinger'],
  ['2.1#131', spec({ superuserSecret: { name: '' } }), 'spec.superuserSecret.name'],
  ['2.1#132', spec({ certificates: { serverTLSSecret: 'a', serverCASecret: 'b', serverAltDNSNames: ['x'] } }), 'spec.certificates.serverAltDNSNames'],
  ['2.1#133', spec({ certificates: { serverTLSSecret: 'a' } }), 'spec.certificates.serverCASecret'],
  ['2.1#134', spec({ certificates: { replicationTLSSecret: 'r' } }), 'spec.certificates.clientCASecret'],
  ['2.1#135', spec({ serviceAccountName: 'sa', serviceAccountTemplate: { metadata: {} } }), 'spec.serviceAccountName'],
  ['2.1#136', spec({ primaryLease: { leaseDurationSeconds: 10 } }), 'spec.primaryLease.leaseDurationSeconds'],
  ['2.1#137', spec({ primaryLease: { renewDeadlineSeconds: 2, retryPeriodSeconds: 2 } }), 'spec.primaryLease.renewDeadlineSeconds'],
  ['W1', spec({ nodeMaintenanceWindow: { inProgress: false } }), 'spec.nodeMaintenanceWindow', 'warning'],
  ['W2', spec({ externalClusters: [{ name: 'old', barmanObjectStore: { destinationPath: 's3://x', s3Credentials: s3 } }] }), 'spec.externalClusters[0].barmanObjectStore', 'warning'],
  ['W3', spec({ backup: { retentionPolicy: '30d' } }), 'spec.backup.retentionPolicy', 'warning'],
  ['W4', spec({ storage: { size: '1Gi', storageClass: 'a', pvcTemplate: { storageClassName: 'b' } } }), 'spec.storage.storageClass', 'warning'],
  ['W4', spec({ walStorage: { size: '1Gi', pvcTemplate: { resources: { requests: { storage: '2Gi' } } } } }), 'spec.walStorage.size', 'warning'],
  ['W5', params({ shared_buffers: '128' }), 'spec.postgresql.parameters.shared_buffers', 'warning'],
  ['W6', spec({ monitoring: { metricsQueriesTTL: '0s' } }), 'spec.monitoring.metricsQueriesTTL', 'warning'],
  ['W7', spec({ monitoring: { enablePodMonitor: true } }), 'spec.monitoring.enablePodMonitor', 'warning'],
  ['W8', annotations({ 'cnpg.io/validation': 'disabled' }), 'metadata.annotations.cnpg.io/validation', 'warning'],
  ['W8', annotations({ 'cnpg.io/validation': 'off' }), 'metadata.annotations.cnpg.io/validation', 'warning'],
  ['2.4#image-exclusive', spec({ imageCatalogRef: { apiGroup: 'postgresql.cnpg.io', kind: 'ImageCatalog', name: 'c', major: 18 } }), 'spec'],
  ['2.4#image-catalog', spec({ imageName: undefined, imageCatalogRef: { apiGroup: 'postgresql.cnpg.io', kind: 'Catalog', name: 'c', major: 18 } }), 'spec.imageCatalogRef.kind'],
  ['2.4#initdb-locale', spec({ bootstrap: { initdb: { icuLocale: 'en' } } }), 'spec.bootstrap.initdb'],
  ['2.4#synchronous', spec({ postgresql: { synchronous: { method: 'any', number: 0 } } }), 'spec.postgresql.synchronous.number'],
  ['2.4#synchronous', spec({ postgresql: { synchronous: { method: 'any', number: 1, dataDurability: 'preferred', standbyNamesPre: ['a'] } } }), 'spec.postgresql.synchronous'],
  ['2.4#instances', spec({ instances: 0 }), 'spec.instances'],
  ['2.4#enums', spec({ logLevel: 'loud' }), 'spec.logLevel'],
  ['2.4#patterns', spec({ replicationSlots: { highAvailability: { enabled: true, slotPrefix: 'Bad-' } } }), 'spec.replicationSlots.highAvailability.slotPrefix'],
  ['2.4#minimums', spec({ replicationSlots: { updateInterval: 0 } }), 'spec.replicationSlots.updateInterval'],
  ['2.4#required', spec({ plugins: [{ name: '' }] }), 'spec.plugins[0].name'],
  ['2.6#string-values', params({ max_connections: 200 }), 'spec.postgresql.parameters.max_connections'],
  ['2.6#postgres', params({ work_mem: '4 parsecs' }), 'spec.postgresql.parameters.work_mem'],
  ['2.6#postgres', params({ 'pg_stat_statements.mx': '100' }), 'spec.postgresql.parameters.pg_stat_statements.mx'],
  ['lib#parameters-unchecked', params({ work_mem: '4MB' }, { imageName: 'ghcr.io/cloudnative-pg/postgresql:15.8-minimal-trixie' }), 'spec.postgresql.parameters', 'warning'],
  ['2.6#pg_hba', hba(['hostssl all all 10.0.0.0/8 scram-sha-257']), 'spec.postgresql.pg_hba[0]'],
  ['lib#pg_hba-operator-roles', hba(['hostssl all cnpg_pooler_pgbouncer all scram-sha-256']), 'spec.postgresql.pg_hba[0]'],
  ['lib#pg_hba-local', hba(['local all all trust']), 'spec.postgresql.pg_hba[0]', 'warning'],
  ['lib#pg_hba-md5', hba(['hostssl all all all md5']), 'spec.postgresql.pg_hba[0]', 'warning'],
];

describe('Cluster admission rules', () => {
  test('the smallest valid Cluster has no problems, and neither has a fully featured one', () => {
    expect(clusterAdmissionProblems(cluster())).toEqual({ errors: [], warnings: [] });
    const full = spec({
      instances: 3,
      postgresql: {
        parameters: { shared_buffers: '512MB', max_connections: '200', wal_level: 'logical', 'pg_stat_statements.max': '10000', hot_standby_feedback: 'on' },
        pg_hba: ['hostssl all all 10.0.0.0/8 scram-sha-256', 'hostssl app +readers ${podselector:app} scram-sha-256 clientcert=verify-full', 'hostnossl all all all reject'],
        synchronous: { method: 'any', number: 1, dataDurability: 'required', failoverQuorum: true },
        shared_preload_libraries: ['auto_explain'],
      },
      podSelectorRefs: [{ name: 'app', selector: { matchLabels: { app: 'web' } } }],
      walStorage: { size: '10Gi', storageClass: 'fast' },
      resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } },
      plugins: [{ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'store' } }],
      managed: { roles: [{ name: 'app_reader', login: true, connectionLimit: -1 }] },
      tablespaces: [{ name: 'idx', storage: { size: '5Gi' } }],
    });
    expect(clusterAdmissionProblems(full)).toEqual({ errors: [], warnings: [] });
  });

  test('every rule id has at least one case below', () => {
    const covered = new Set(CLUSTER_CASES.map(([id]) => id));
    expect(CLUSTER_RULE_IDS.filter((id) => !covered.has(id))).toEqual([]);
  });

  test.each(rows(CLUSTER_CASES))('%s: %j', (id, obj, field, severity) => {
    const result = clusterAdmissionProblems(obj);
    const found = (severity === 'warning' ? result.warnings : result.errors).filter((p) => p.rule === id);
    expect(found.map((p) => p.field)).toContain(field);
    for (const p of found) {
      // the message names the field, the rule and (for errors) comes with the value or a fix
      const formatted = `${p.field}: ${p.message}`;
      expect(formatted.startsWith(p.field)).toBe(true);
      expect(p.message.length).toBeGreaterThan(10);
    }
  });

  test('rules run on the defaulted object: initdb owner is filled from the database, so rule 1 cannot fail', () => {
    const d = applyClusterDefaults(spec({ bootstrap: { initdb: { database: 'shop' } } }));
    expect(d.spec.bootstrap.initdb).toMatchObject({ database: 'shop', owner: 'shop' });
    expect(applyClusterDefaults(cluster()).spec.postgresql.parameters).toMatchObject({ wal_level: 'logical', archive_mode: 'on', wal_log_hints: 'on' });
    expect(clusterAdmissionProblems(spec({ bootstrap: { initdb: { database: 'shop' } } })).errors).toEqual([]);
  });

  test('every forbidden parameter is rejected with its reason and a fix; 65 from the operator plus allow_alter_system', () => {
    const names = Object.keys(FORBIDDEN_PARAMETERS);
    expect(names).toHaveLength(66);
    expect(names.filter((n) => FORBIDDEN_PARAMETERS[n].kind === 'fixed')).toHaveLength(32);
    const { errors } = clusterAdmissionProblems(params(Object.fromEntries(names.map((n) => [n, 'x']))));
    for (const n of names) {
      const e = errors.find((p) => p.field === `spec.postgresql.parameters.${n}`);
      expect(e?.rule).toBe('2.1#94');
      expect(e?.message).toMatch(/managed by the operator|must not be changed from the default/);
      expect(e?.fix).toBeTruthy();
    }
    const sync = errors.find((p) => p.field.endsWith('synchronous_standby_names'))!;
    expect(sync.fix).toContain('spec.postgresql.synchronous');
    expect(errors.find((p) => p.field.endsWith('.shared_preload_libraries'))!.fix).toContain('spec.postgresql.shared_preload_libraries');
    // names are case-insensitive for PostgreSQL
    expect(clusterAdmissionProblems(params({ Port: '5433' })).errors[0].rule).toBe('2.1#94');
  });

  test('extension parameters are checked against the libraries the cluster loads', () => {
    const notLoaded = clusterAdmissionProblems(params({ 'pg_prewarm.autoprewarm': 'on' })).errors;
    expect(notLoaded[0].message).toContain('pg_prewarm, which is not loaded');
    expect(clusterAdmissionProblems(params({ 'pg_prewarm.autoprewarm': 'on' }, { postgresql: { shared_preload_libraries: ['pg_prewarm'] } })).errors).toEqual([]);
    // CloudNativePG loads its managed extensions itself
    expect(clusterAdmissionProblems(params({ 'auto_explain.log_min_duration': '1s' })).errors).toEqual([]);
  });

  test("PostgreSQL's verdict is not repeated when a webhook rule already reports the parameter", () => {
    const { errors } = clusterAdmissionProblems(params({ shared_buffers: '1G' }));
    expect(errors.map((e) => e.rule)).toEqual(['2.1#98']);
  });

  test('the webhook memory parser: bare numbers are MB, units must end in B', () => {
    expect(parseWebhookMemory('128')).toBe(128 * 2 ** 20);
    expect(parseWebhookMemory('512MB')).toBe(512 * 2 ** 20);
    expect(parseWebhookMemory('8kB')).toBe(8 * 1024);
    expect(parseWebhookMemory('1 GB')).toBe(2 ** 30);
    expect(parseWebhookMemory('1Gi')).toBeUndefined();
    expect(parseWebhookMemory('1G')).toBeUndefined();
  });

  test('create-only rules are skipped for a deployed cluster (demoting a primary to a replica is allowed)', () => {
    const demoted = spec({ replica: { enabled: true, source: 'src' }, externalClusters: [{ name: 'src', plugin: { name: 'p' } }] });
    expect(clusterAdmissionProblems(demoted).errors.map((e) => e.rule)).toEqual(['2.1#69']);
    expect(clusterAdmissionProblems(demoted, { existing: true }).errors).toEqual([]);
  });
});

const base = (kind: string, s: any, metadata: any = {}) => ({ apiVersion: 'postgresql.cnpg.io/v1', kind, metadata: { name: 'x', namespace: 'db', ...metadata }, spec: s });
const POOLER = { cluster: { name: 'pg' }, type: 'rw', pgbouncer: { poolMode: 'session' } };
const pooler = (p: any, metadata: any = {}) => base('Pooler', merge(POOLER, p), { name: 'pg-pooler', ...metadata });
const DATABASE = { cluster: { name: 'pg' }, name: 'app', owner: 'app' };
const database = (p: any) => base('Database', merge(DATABASE, p));
const PUBLICATION = { cluster: { name: 'pg' }, dbname: 'app', name: 'pub', target: { allTables: true } };
const publication = (p: any) => base('Publication', merge(PUBLICATION, p));
const SUBSCRIPTION = { cluster: { name: 'pg' }, dbname: 'app', name: 'sub', externalClusterName: 'src', publicationName: 'pub' };
const subscription = (p: any) => base('Subscription', merge(SUBSCRIPTION, p));
const ROLE = { cluster: { name: 'pg' }, name: 'app_user', login: true };
const role = (p: any) => base('DatabaseRole', merge(ROLE, p));
const CATALOG = { images: [{ major: 18, image: 'ghcr.io/cloudnative-pg/postgresql:18.4-minimal-trixie' }] };
const catalog = (p: any, kind = 'ImageCatalog') => base(kind, merge(CATALOG, p));
const BACKUP = { cluster: { name: 'pg' }, method: 'plugin', pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' } };
const backup = (p: any, metadata: any = {}) => base('Backup', merge(BACKUP, p), metadata);
const SCHEDULED = { ...BACKUP, schedule: '0 0 0 * * *' };
const scheduled = (p: any) => base('ScheduledBackup', merge(SCHEDULED, p));

const OTHER_CASES: Case[] = [
  ['2.7#Pooler.pgbouncer', pooler({ pgbouncer: undefined }), 'spec.pgbouncer'],
  ['2.7#Pooler.authQuery', pooler({ pgbouncer: { authQuerySecret: { name: 's' } } }), 'spec.pgbouncer.authQuery'],
  ['2.7#Pooler.authQuery', pooler({ pgbouncer: { authQuery: 'SELECT 1' } }), 'spec.pgbouncer.authQuerySecret.name'],
  ['2.7#Pooler.cluster', pooler({ cluster: { name: '' } }), 'spec.cluster.name'],
  ['2.7#Pooler.name', pooler({}, { name: 'pg' }), 'metadata.name'],
  ['2.7#Pooler.parameters', pooler({ pgbouncer: { parameters: { listen_port: '6432' } } }), 'spec.pgbouncer.parameters.listen_port'],
  ['2.7#Pooler.monitoring', pooler({ monitoring: { enablePodMonitor: true, tls: { enabled: true } } }), 'spec.pgbouncer.clientTLSSecret'],
  ['2.7#Pooler.image', pooler({ pgbouncer: { image: 'x', imageCatalogRef: { apiGroup: 'postgresql.cnpg.io', kind: 'ImageCatalog', name: 'c', key: 'pgbouncer' } } }), 'spec.pgbouncer'],
  ['2.7#Pooler.enums', pooler({ type: 'rwx' }), 'spec.type'],
  ['2.7#Pooler.pg_hba', pooler({ pgbouncer: { pg_hba: ['host all all bogus'] } }), 'spec.pgbouncer.pg_hba[0]'],
  ['2.7#Pooler.warnings', pooler({ monitoring: { enablePodMonitor: true } }), 'spec.monitoring', 'warning'],
  ['2.7#Database.required', database({ owner: undefined }), 'spec.owner'],
  ['2.7#Database.name', database({ name: 'template1' }), 'spec.name'],
  ['2.7#Database.locale', database({ icuRules: '&a < b' }), 'spec'],
  ['2.7#Database.duplicates', database({ schemas: [{ name: 'a' }, { name: 'a' }] }), 'spec.schemas[1].name'],
  ['2.7#Database.fdw', database({ servers: [{ name: 's', fdw: 'postgres_fdw' }] }), 'spec.servers[0].fdw'],
  ['2.7#Database.usage', database({ fdws: [{ name: 'f', usage: [{ name: '' }] }] }), 'spec.fdws[0].usage[0].name'],
  ['2.7#Database.enums', database({ databaseReclaimPolicy: 'keep' }), 'spec.databaseReclaimPolicy'],
  ['2.7#Publication.required', publication({ dbname: undefined }), 'spec.dbname'],
  ['2.7#Publication.target', publication({ target: { objects: [{ table: { name: 't' } }] } }), 'spec.target'],
  ['2.7#Publication.objects', publication({ target: { allTables: undefined, objects: [{}] } }), 'spec.target.objects[0]'],
  ['2.7#Publication.objects', publication({ target: { allTables: undefined, objects: [{ table: { name: 't', columns: ['a'] } }, { tablesInSchema: 's' }] } }), 'spec.target.objects'],
  ['2.7#Publication.enums', publication({ publicationReclaimPolicy: 'keep' }), 'spec.publicationReclaimPolicy'],
  ['2.7#Subscription.required', subscription({ publicationName: undefined }), 'spec.publicationName'],
  ['2.7#Subscription.enums', subscription({ subscriptionReclaimPolicy: 'keep' }), 'spec.subscriptionReclaimPolicy'],
  ['2.7#DatabaseRole.required', role({ cluster: undefined }), 'spec.cluster.name'],
  ['2.7#DatabaseRole.name', role({ name: 'pg_x' }), 'spec.name'],
  ['2.7#DatabaseRole.name', role({ name: 'streaming_replica' }), 'spec.name'],
  ['2.7#DatabaseRole.ensure', role({ ensure: 'absent' }), 'spec.ensure'],
  ['2.7#DatabaseRole.password', role({ passwordSecret: { name: 's' }, disablePassword: true }), 'spec'],
  ['2.7#DatabaseRole.clientCertificate', role({ login: false, clientCertificate: { enabled: true } }), 'spec.clientCertificate'],
  ['2.7#DatabaseRole.enums', role({ databaseRoleReclaimPolicy: 'keep' }), 'spec.databaseRoleReclaimPolicy'],
  ['2.7#ImageCatalog.images', catalog({ images: [{ major: 18, image: 'a' }, { major: 18, image: 'b' }] }), 'spec.images[1].major'],
  ['2.7#ImageCatalog.images', catalog({ images: [{ major: 9, image: 'a' }] }, 'ClusterImageCatalog'), 'spec.images[0].major'],
  ['2.7#ImageCatalog.componentImages', catalog({ componentImages: [{ key: 'pgbouncer', image: 'a' }, { key: 'pgbouncer', image: 'b' }] }), 'spec.componentImages[1].key'],
  ['2.7#Backup.required', backup({ cluster: { name: undefined } }), 'spec.cluster.name'],
  ['2.7#Backup.plugin', backup({ pluginConfiguration: undefined }), 'spec.pluginConfiguration'],
  ['2.7#Backup.deadline', backup({}, { annotations: { 'cnpg.io/volumeSnapshotDeadline': 'soon' } }), 'metadata.annotations.cnpg.io/volumeSnapshotDeadline'],
  ['2.7#Backup.online', backup({ method: 'barmanObjectStore', online: true }), 'spec.online'],
  ['2.7#Backup.enums', backup({ target: 'replica' }), 'spec.target'],
  ['lib#Backup.method', backup({ method: undefined, pluginConfiguration: undefined }), 'spec.method', 'warning'],
  ['2.7#ScheduledBackup.required', scheduled({ schedule: undefined }), 'spec.schedule'],
  ['2.7#ScheduledBackup.schedule', scheduled({ schedule: '0 0 * * *' }), 'spec.schedule'],
  ['2.7#ScheduledBackup.online', scheduled({ method: 'barmanObjectStore', onlineConfiguration: { immediateCheckpoint: true } }), 'spec.onlineConfiguration'],
  ['2.7#ScheduledBackup.enums', scheduled({ backupOwnerReference: 'owner' }), 'spec.backupOwnerReference'],
  ['lib#ScheduledBackup.method', scheduled({ method: 'barmanObjectStore' }), 'spec.method', 'warning'],
];

describe('admission rules of the other kinds', () => {
  test('valid objects have no problems', () => {
    for (const o of [pooler({}), database({}), publication({}), subscription({}), role({}), catalog({}), catalog({}, 'ClusterImageCatalog'), backup({}), scheduled({})]) {
      expect([o.kind, admissionProblemsFor(o)]).toEqual([o.kind, { errors: [], warnings: [] }]);
    }
    expect(admissionProblemsFor({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toEqual({ errors: [], warnings: [] });
  });

  test('every rule id has at least one case below', () => {
    const ids = [...new Set(Object.values(OTHER_KIND_RULES).flatMap((rules) => rules.map((r) => r.id)))];
    const covered = new Set(OTHER_CASES.map(([id]) => id));
    expect(ids.filter((id) => !covered.has(id))).toEqual([]);
  });

  test.each(rows(OTHER_CASES))('%s: %j', (id, obj, field, severity) => {
    const result = admissionProblemsFor(obj);
    const found = (severity === 'warning' ? result.warnings : result.errors).filter((p) => p.rule === id);
    expect(found.map((p) => p.field)).toContain(field);
  });
});

describe('pg_hba lines, parsed like PostgreSQL', () => {
  test.each([
    'hostssl all all 10.0.0.0/8 scram-sha-256',
    'host all all 10.0.0.0 255.0.0.0 md5',
    'hostnossl all all all reject',
    'host "my db",app +readers,"Role With Space" samenet scram-sha-256',
    'host all all .example.com scram-sha-256',
    'host all all ::1/128 trust',
    'hostssl all all 0.0.0.0/0 cert clientname=DN map=users',
    'hostssl all all all scram-sha-256 clientcert=verify-ca',
    'host all /^app_.*$ 10.1/16 scram-sha-256',
    'host all all 192.0.2.0/24 ldap ldapserver=ldap.example.com ldapbasedn="dc=example,dc=com" ldapsearchattribute=uid',
    'host all all all radius radiusservers=r.example.com radiussecrets=s',
    'hostgssenc all all all gss include_realm=0',
    'local all all peer map=local',
    '# a comment',
    '',
  ])('accepts %j', (line) => {
    expect(parseHbaLine(line).kind).not.toBe('error');
  });

  test.each([
    ['hosts all all all trust', 'invalid connection type "hosts"'],
    ['host all', 'end-of-line before role specification'],
    ['host all all', 'end-of-line before IP address specification'],
    ['host all all 10.0.0.0/8', 'end-of-line before authentication method'],
    ['host all all 10.0.0.0/33 trust', 'invalid CIDR mask in address'],
    ['host all all 10.0.0.0 trust', 'invalid IP mask "trust"'],
    ['host all all 10.0.0.0 ::1 trust', 'IP address and mask do not match'],
    ['host all all example.com/24 trust', 'specifying both host name and CIDR mask is invalid'],
    ['host all all all scram-sha-257', 'invalid authentication method "scram-sha-257"'],
    ['host all all all peer', 'peer authentication is only supported on local sockets'],
    ['host all all all cert', 'cert authentication is only supported on hostssl connections'],
    ['local all all gss', 'gssapi authentication is not supported on local sockets'],
    ['hostgssenc all all all md5', 'GSSAPI encryption only supports gss, trust, or reject authentication'],
    ['host all all all trust clientcert=verify-full', 'clientcert can only be configured for "hostssl" rows'],
    ['hostssl all all all cert clientcert=verify-ca', 'clientcert can only be set to "verify-full" when using "cert" authentication'],
    ['host all all all scram-sha-256 map=x', 'authentication option "map" is only valid for authentication methods'],
    ['host all all all trust bogus=1', 'unrecognized authentication option name: "bogus"'],
    ['host all all all trust verbose', 'authentication option not in name=value format'],
    ['host all all all ldap ldapserver=x', 'requires argument "ldapbasedn", "ldapprefix", or "ldapsuffix"'],
    ['host all all all ldap ldapserver=x ldapprefix=a ldapbasedn=b', 'cannot mix options for simple bind and search+bind modes'],
    ['host all @admins all trust', 'includes a file'],
    ['include other.conf', 'includes files the operator does not provide'],
    ['host all all all sspi', 'not supported by this build'],
    ['host "all all all trust', 'unterminated quoted string'],
    ['host all all all,samenet trust', 'multiple values specified for host address'],
  ])('rejects %j: %s', (line, message) => {
    const r = parseHbaLine(line);
    expect(r.kind).toBe('error');
    expect(r.kind === 'error' && r.message).toContain(message);
  });

  test('lines PostgreSQL loads but that cannot be meant are warnings', () => {
    const r = pgHbaProblems(['host all,,x all all trust', 'host all all all radius radiusservers=x', 'hostssl all all all scram-sha-256 clientcert=maybe']);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.message)).toEqual([
      'empty database name in the list (a stray comma?); it matches nothing',
      'radius without radiussecrets: every login fails',
      'clientcert=maybe is neither verify-ca nor verify-full, so no client certificate is required',
    ]);
  });

  test('oauth is a PostgreSQL 18 method', () => {
    expect(parseHbaLine('host all all all oauth issuer=https://id.example.com scope=openid', { major: 18 }).kind).toBe('rule');
    expect(parseHbaLine('host all all all oauth issuer=https://id.example.com', { major: 17 }).kind).toBe('error');
  });

  test('errors name the line; ${podselector:NAME} must be declared and is expanded for the syntax check', () => {
    const r = pgHbaProblems(['hostssl all all ${podselector:web} scram-sha-256', 'hostssl all all ${podselector:api} nope'], { podSelectorRefs: ['web', 'api'] });
    expect(r.errors.map((e) => e.field)).toEqual(['spec.postgresql.pg_hba[1]']);
    expect(r.expanded).toEqual(['hostssl all all 192.0.2.1/32 scram-sha-256']);
    const two = pgHbaProblems(['hostssl all all ${podselector:web} ${podselector:api} scram-sha-256'], { podSelectorRefs: ['web', 'api'] });
    expect(two.errors[0].message).toBe('at most one podselector reference is allowed per line');
  });
});

describe('admission at synth (CnpgCluster)', () => {
  test('escape hatches are checked too: a patched fixed parameter fails synth with the field, value, fix and rule', () => {
    const { chart } = testChart();
    const c = new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '1Gi' });
    c.apiObject.addJsonPatch(JsonPatch.add('/spec/postgresql/parameters', { port: '5433' }));
    const message = synthError(chart);
    expect(message).toContain('[test/Cluster] parameters.port → spec.postgresql.parameters.port: Can\'t set fixed configuration parameter: port is managed by the operator (got "5433"); remove it');
    expect(message).toContain('[rule 2.1#94]');
  });

  test('problems are reported once, in the terms of the prop: the construct\'s own check, or the rule mapped to the prop', () => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Cluster', { clusterName: 'Bad_Name', storageSize: '40 gigs', image: PostgresImage.fromImageName('ghcr.io/cloudnative-pg/postgresql:latest') });
    const message = synthError(chart);
    // checked by the construct itself (library policy): its own error, the rule's is not repeated
    expect(message).toContain('clusterName: must be a DNS-1035 label');
    expect(message).not.toContain('metadata.name');
    expect(message).not.toContain('spec.imageName');
    // checked only by the webhook rule: reported once, mapped to the prop the user wrote
    expect(message.split('spec.storage.size').length - 1).toBe(1);
    expect(message).toContain('[test/Cluster] storageSize → spec.storage.size: Size value isn\'t valid (got "40 gigs")');
  });

  test('parameters are checked for the major of the image', () => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '1Gi', image: PostgresImage.of('16.14'), parameters: { io_method: 'worker' } });
    expect(synthError(chart)).toContain('spec.postgresql.parameters.io_method: unrecognized parameter in PostgreSQL 16 (it exists in PostgreSQL 18 only)');
  });

  test('warnings are recorded once and printed once by synthComponents; strict mode turns them into errors', () => {
    const build = () => {
      const app = Testing.app({ outdir: tempDir() });
      const { Chart } = require('cdk8s');
      const chart = new Chart(app, 'database', { namespace: 'db' });
      new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '1Gi', parameters: { shared_buffers: '128' } });
      return app;
    };
    const printed: string[] = [];
    synthComponents(build(), { warn: (m) => printed.push(m) });
    expect(printed).toEqual([expect.stringContaining("[database/Cluster] parameters.shared_buffers → spec.postgresql.parameters.shared_buffers: `shared_buffers` value '128' is missing a unit")]);
    expect(() => synthComponents(build(), { strict: true, warn: () => undefined })).toThrow(/strict mode: 1 warning\(s\) are treated as errors/);
  });

  test('synthComponents groups the errors of the whole app by construct path', () => {
    const app = Testing.app({ outdir: tempDir() });
    const { Chart } = require('cdk8s');
    const chart = new Chart(app, 'database', { namespace: 'db' });
    new CnpgCluster(chart, 'A', { clusterName: 'a', storageSize: '1Gi', parameters: { port: '1', wal_level: 'minimal' } });
    new CnpgCluster(chart, 'B', { clusterName: 'b', storageSize: '1Gi', pgHba: ['host all all'] });
    let message = '';
    try {
      synthComponents(app, { warn: () => undefined });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^4 errors in 2 constructs:\n\n\[database\/A\]\n {2}- parameters\.wal_level → spec\.postgresql\.parameters\./);
    expect(message).toContain('\n  - parameters.port → spec.postgresql.parameters.port: Can\'t set fixed configuration parameter');
    expect(message).toContain('\n\n[database/B]\n  - pgHba → spec.postgresql.pg_hba[0]: PostgreSQL would skip this line: end-of-line before IP address specification');
    expect(formatGroupedErrors([{ path: 'x', message: 'm' }])).toBe('1 error in 1 construct:\n\n[x]\n  - m');
  });

  test('a valid cluster synthesizes without admission problems', () => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '1Gi', parameters: { work_mem: '8MB' } });
    synthChart(chart);
    expect(Problems.warningsBelow(chart)).toEqual([]);
  });
});
