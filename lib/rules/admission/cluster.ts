/**
 * CloudNativePG 1.30's admission rules for a Cluster: one row per rule (`rule.ts`), on the defaulted wire JSON
 * (`ClusterContext`). Ids: `2.1#N` webhook rule N; `W<N>` webhook warning; `2.4#…` CRD schema and CEL rules; `2.6#…`
 * PostgreSQL parameters and pg_hba; `lib#…` this library's own rules. docs/rules.md is generated from these rows
 * (`npm run gen:rules`). Procedures a condition calls are in `cluster-checks.ts`.
 *
 * Fields are reported with their JSON paths (`spec.replica.enabled`), also where the webhook reports a Go path
 * (`spec.replicaCluster.enabled`).
 */
import { isDns1035Label, parseQuantity } from '../../core/k8s-syntax';
import { isVersionError, parseImageReference, versionFromTag } from '../image-reference';
import { isReservedRoleName } from '../roles';
import { dupes, has, isObj, list, localeProviderProblems, nonEmpty, str } from './checks';
import {
  bool, booleanParameter, ClusterContext, enabledWalArchivers, enumProblems, escapesDir, externalCluster, formatBytes,
  goDurationIsZero, hbaFindings, labelSelectorProblems, minimumProblems, missingBackupId, parameterFindings,
  PATH_COMPONENT_BAD, patternProblems, promotionTokenProblem, RECOVERY_FIELD, recoveryTargetFindings, re2Compiles,
  refsProblems, requestOverLimit, requiredProblems, RESERVED_ENV, storageSize, storageSizeRules, tolerationProblems,
  unknownPlaceholders,
} from './cluster-checks';
import { managedExtensionUsed, parseWebhookMemory } from './parameters';
import { parseGoBool } from './defaults';
import { podPatchProblem } from './pod-patch';
import { AdmissionRule, CLUSTER_WEBHOOK, CNPG_VERSION, CRD, Finding, Hit, POSTGRES, rule, RuleRow } from './rule';

const CLUSTER_CRD = CRD('clusters');
const BARMAN_CREDENTIALS = `${CLUSTER_WEBHOOK('validateBackupConfiguration')} → github.com/cloudnative-pg/barman-cloud@v0.5.1 pkg/api/webhooks ValidateBackupConfiguration`;
const r = (row: RuleRow<ClusterContext>) => rule(row);
const RESERVED_ENV_FIX = 'rename it: CNPG_*, PG*, POD_NAME, NAMESPACE and CLUSTER_NAME are reserved';

/** `External cluster <name> not found` when `name` is no spec.externalClusters entry. */
const sourceNotFound = (c: ClusterContext, name: unknown): Hit | undefined =>
  (externalCluster(c, name) ? undefined : { message: `External cluster ${str(name)} not found`, value: name });

/** Rules 24–31 take their problems from `recoveryTargetFindings`, one rule per recovery target field. */
const recoveryTarget = (match: (p: Finding) => boolean) => (c: ClusterContext) => recoveryTargetFindings(c).filter(match);

export const CLUSTER_RULES: readonly AdmissionRule<ClusterContext>[] = [
  // ---- bootstrap / application database
  r({
    id: '2.1#2', field: 'spec.bootstrap.initdb.database', message: 'You need to specify the database name',
    fix: 'set the database of the owner (the monolith import does not default it)', upstream: CLUSTER_WEBHOOK('validateApplicationDatabase'),
    when: (c) => isObj(c.spec.bootstrap?.initdb) && nonEmpty(c.spec.bootstrap.initdb.owner) && !nonEmpty(c.spec.bootstrap.initdb.database),
  }),
  r({
    id: '2.1#5', field: 'spec.bootstrap.initdb.walSegmentSize', message: 'WAL segment size must be a power of 2',
    fix: 'use a power of 2: 16, 32, 64, … (MB)', upstream: CLUSTER_WEBHOOK('validateInitDB'),
    when: (c) => {
      const w = c.spec.bootstrap?.initdb?.walSegmentSize;
      return typeof w === 'number' && w !== 0 && (w < 0 || (w & (w - 1)) !== 0) && { value: w };
    },
  }),
  r({
    id: '2.1#6', field: 'spec.bootstrap.initdb.postInitApplicationSQLRefs.secretRefs[i]', message: 'key and name must be specified',
    fix: 'set both name and key', upstream: CLUSTER_WEBHOOK('validateInitDB'), when: (c) => refsProblems(c, 'secretRefs'),
  }),
  r({
    id: '2.1#7', field: 'spec.bootstrap.initdb.postInitApplicationSQLRefs.configMapRefs[i]', message: 'key and name must be specified',
    fix: 'set both name and key', upstream: CLUSTER_WEBHOOK('validateInitDB'), when: (c) => refsProblems(c, 'configMapRefs'),
  }),
  r({
    id: '2.1#8', field: 'spec.bootstrap.initdb.import.type', message: 'Unrecognized import type',
    fix: 'use "microservice" or "monolith"', upstream: CLUSTER_WEBHOOK('validateImport'),
    when: (c) => {
      const imp = c.spec.bootstrap?.initdb?.import;
      return isObj(imp) && imp.type !== 'microservice' && imp.type !== 'monolith' && { value: imp.type };
    },
  }),
  r({
    id: '2.1#9', field: 'spec.bootstrap.initdb.import.databases', message: 'You need to specify a single database for the `microservice` import type',
    fix: 'list exactly one database', upstream: CLUSTER_WEBHOOK('validateMicroservice'),
    when: (c) => {
      const imp = c.spec.bootstrap?.initdb?.import;
      return isObj(imp) && imp.type === 'microservice' && list(imp.databases).length !== 1 && { value: imp.databases };
    },
  }),
  r({
    id: '2.1#10', field: 'spec.bootstrap.initdb.import.roles', message: 'You cannot specify roles to import for the `microservice` import type',
    fix: 'use the monolith import type to import roles', upstream: CLUSTER_WEBHOOK('validateMicroservice'),
    when: (c) => {
      const imp = c.spec.bootstrap?.initdb?.import;
      return isObj(imp) && imp.type === 'microservice' && list(imp.roles).length > 0 && { value: imp.roles };
    },
  }),
  r({
    id: '2.1#11', field: 'spec.bootstrap.initdb.import.databases[0]', message: 'You cannot specify any wildcard for the `microservice` import type',
    fix: 'name the database, or use the monolith import type', upstream: CLUSTER_WEBHOOK('validateMicroservice'),
    when: (c) => {
      const imp = c.spec.bootstrap?.initdb?.import;
      return isObj(imp) && imp.type === 'microservice' && str(list(imp.databases)[0]).includes('*') && { value: list(imp.databases)[0] };
    },
  }),
  r({
    id: '2.1#12', field: 'spec.bootstrap.initdb.import.databases', message: 'You need to specify at least a database for the `monolith` import type',
    fix: 'list the databases to import, or "*"', upstream: CLUSTER_WEBHOOK('validateMonolith'),
    when: (c) => {
      const imp = c.spec.bootstrap?.initdb?.import;
      return isObj(imp) && imp.type === 'monolith' && list(imp.databases).length === 0;
    },
  }),
  r({
    id: '2.1#13', field: 'spec.bootstrap.initdb.import.databases', message: 'Wildcard import cannot be used along other database names',
    fix: 'use either "*" alone or database names', upstream: CLUSTER_WEBHOOK('validateMonolith'),
    when: (c) => {
      const imp = c.spec.bootstrap?.initdb?.import;
      const dbs = list(imp?.databases);
      return isObj(imp) && imp.type === 'monolith' && dbs.length > 1 && dbs.includes('*') && { value: dbs };
    },
  }),
  r({
    id: '2.1#14', field: 'spec.bootstrap.initdb.import.roles', message: 'Wildcard import cannot be used along other role names',
    fix: 'use either "*" alone or role names', upstream: CLUSTER_WEBHOOK('validateMonolith'),
    when: (c) => {
      const imp = c.spec.bootstrap?.initdb?.import;
      const roles = list(imp?.roles);
      return isObj(imp) && imp.type === 'monolith' && roles.length > 1 && roles.includes('*') && { value: roles };
    },
  }),
  r({
    id: '2.1#15', field: 'spec.bootstrap.initdb.import.postImportApplicationSQL', message: 'postImportApplicationSQL is not allowed for the `monolith` import type',
    fix: 'remove it, or use the microservice import type', upstream: CLUSTER_WEBHOOK('validateMonolith'),
    when: (c) => {
      const imp = c.spec.bootstrap?.initdb?.import;
      return isObj(imp) && imp.type === 'monolith' && list(imp.postImportApplicationSQL).length > 0;
    },
  }),
  r({
    id: '2.1#16', field: 'spec.bootstrap', message: 'Only one bootstrap method can be specified at a time',
    fix: 'keep one of initdb, recovery and pg_basebackup', upstream: CLUSTER_WEBHOOK('validateBootstrapMethod'),
    when: (c) => {
      const b = c.rawSpec.bootstrap;
      const methods = ['initdb', 'recovery', 'pg_basebackup'].filter((m) => isObj(b) && has(b[m]));
      return methods.length > 1 && { value: methods };
    },
  }),
  r({
    id: '2.1#17', field: 'spec.bootstrap.pg_basebackup.source', message: 'External cluster <source> not found',
    fix: 'add a spec.externalClusters entry with that name', upstream: CLUSTER_WEBHOOK('validateBootstrapPgBaseBackupSource'),
    when: (c) => isObj(c.spec.bootstrap?.pg_basebackup) && sourceNotFound(c, c.spec.bootstrap.pg_basebackup.source),
  }),
  r({
    id: '2.1#18', field: 'spec.bootstrap.recovery.source', message: 'External cluster <source> not found',
    fix: 'add a spec.externalClusters entry with that name', upstream: CLUSTER_WEBHOOK('validateBootstrapRecoverySource'),
    when: (c) => isObj(c.spec.bootstrap?.recovery) && nonEmpty(c.spec.bootstrap.recovery.source) && sourceNotFound(c, c.spec.bootstrap.recovery.source),
  }),
  r({
    id: '2.1#19', field: 'spec.bootstrap.recovery.source',
    message: 'External cluster <source> cannot be used for recovery: missing connection parameters, Barman, or CNPG-i configuration',
    fix: 'give the external cluster connectionParameters, a plugin or barmanObjectStore', upstream: CLUSTER_WEBHOOK('validateBootstrapRecoverySource'),
    when: (c) => {
      const rec = c.spec.bootstrap?.recovery;
      if (!isObj(rec) || !nonEmpty(rec.source)) return undefined;
      const e = externalCluster(c, rec.source);
      return (!e || (!has(e.connectionParameters) && !has(e.barmanObjectStore) && !has(e.plugin)))
        && { message: `External cluster ${str(rec.source)} cannot be used for recovery: missing connection parameters, Barman, or CNPG-i configuration`, value: rec.source };
    },
  }),
  r({
    id: '2.1#20', field: 'spec.bootstrap.recovery.backup', message: 'Recovery from dataSource is not compatible with other types of recovery',
    fix: 'use either volumeSnapshots or backup', upstream: CLUSTER_WEBHOOK('validateBootstrapRecoveryDataSource'),
    when: (c) => isObj(c.spec.bootstrap?.recovery) && has(c.spec.bootstrap.recovery.volumeSnapshots) && has(c.spec.bootstrap.recovery.backup),
  }),
  r({
    id: '2.1#21', field: 'spec.bootstrap.recovery.recoveryTarget.backupID', message: 'Cannot specify a backupID when recovering using a DataSource',
    fix: 'remove the backupID: the snapshot is the base backup', upstream: CLUSTER_WEBHOOK('validateBootstrapRecoveryDataSource'),
    when: (c) => {
      const rec = c.spec.bootstrap?.recovery;
      return isObj(rec) && has(rec.volumeSnapshots) && !has(rec.backup) && nonEmpty(rec.recoveryTarget?.backupID) && { value: rec.recoveryTarget.backupID };
    },
  }),
  r({
    id: '2.1#22', field: 'spec.bootstrap.recovery.volumeSnapshots.storage', message: 'Only VolumeSnapshots and PersistentVolumeClaims are supported',
    fix: 'reference a VolumeSnapshot (snapshot.storage.k8s.io) or a PersistentVolumeClaim', upstream: CLUSTER_WEBHOOK('validateVolumeSnapshotSource'),
    when: (c) => {
      const rec = c.spec.bootstrap?.recovery;
      if (!isObj(rec) || !isObj(rec.volumeSnapshots) || has(rec.backup) || nonEmpty(rec.recoveryTarget?.backupID)) return undefined;
      const bad = (s: any) => isObj(s) && !((s.apiGroup === 'snapshot.storage.k8s.io' && s.kind === 'VolumeSnapshot') || ((s.apiGroup ?? '') === '' && s.kind === 'PersistentVolumeClaim'));
      return (['storage', 'walStorage'] as const).filter((k) => bad(rec.volumeSnapshots[k]))
        .map((k) => ({ field: `spec.bootstrap.recovery.volumeSnapshots.${k}`, value: rec.volumeSnapshots[k] }));
    },
  }),
  r({
    id: '2.1#23', field: 'spec.bootstrap.recovery.volumeSnapshots.walStorage', message: 'A WAL storage configuration is required when recovering using a DataSource for WALs',
    fix: 'set spec.walStorage (the walStorageSize prop)', upstream: CLUSTER_WEBHOOK('validateBootstrapRecoveryDataSource'),
    when: (c) => {
      const rec = c.spec.bootstrap?.recovery;
      return isObj(rec) && isObj(rec.volumeSnapshots) && has(rec.volumeSnapshots.walStorage) && !has(c.spec.walStorage) && !has(rec.backup);
    },
  }),

  // ---- recovery target (24–31): the rules of lib/rules/recovery-target.ts, run on the wire fields
  r({
    id: '2.1#24', field: RECOVERY_FIELD, message: 'Recovery target options are mutually exclusive',
    fix: 'use one of RecoveryTarget.time, lsn, xid, name or immediate', upstream: CLUSTER_WEBHOOK('validateTargetExclusiveness'),
    when: recoveryTarget((p) => p.field === RECOVERY_FIELD),
  }),
  r({
    id: '2.1#25', field: `${RECOVERY_FIELD}.targetTime`, message: 'The format of TargetTime is invalid',
    fix: 'use RFC 3339, e.g. "2026-08-30T09:15:00Z"', upstream: CLUSTER_WEBHOOK('validateRecoveryTarget'),
    when: recoveryTarget((p) => p.field.endsWith('.targetTime')),
  }),
  r({
    id: '2.1#26', field: `${RECOVERY_FIELD}.targetLSN`, message: 'Invalid TargetLSN',
    fix: 'use a WAL location such as "0/3000000"', upstream: CLUSTER_WEBHOOK('validateRecoveryTarget'),
    when: recoveryTarget((p) => p.field.endsWith('.targetLSN')),
  }),
  r({
    id: '2.1#27', field: `${RECOVERY_FIELD}.targetXID`, message: 'recovery target xid must be a non-negative 32-bit integer',
    fix: 'use a transaction id such as "12345"', upstream: CLUSTER_WEBHOOK('validateRecoveryTarget'),
    when: recoveryTarget((p) => p.field.endsWith('.targetXID')),
  }),
  r({
    id: '2.1#28', field: `${RECOVERY_FIELD}.targetName`, message: 'recovery target name must be shorter than 64 bytes / must not contain ASCII control characters (29)',
    fix: 'use the name given to pg_create_restore_point() (at most 63 bytes, no control characters)', upstream: CLUSTER_WEBHOOK('validateRecoveryTarget'),
    when: recoveryTarget((p) => p.field.endsWith('.targetName')),
  }),
  r({
    id: '2.1#30', field: `${RECOVERY_FIELD}.backupID`, message: 'BackupID is missing',
    fix: 'set the id of a base backup taken before the target', upstream: CLUSTER_WEBHOOK('validateRecoveryTarget'),
    when: recoveryTarget(missingBackupId),
  }),
  // The webhook accepts any backupID (the plugin or barman-cloud-restore fails later); the format check is this
  // library's, so it has a library id.
  r({
    id: 'lib#backupID-format', field: `${RECOVERY_FIELD}.backupID`, message: 'the backupID is a Barman backup id (YYYYMMDDTHHMMSS)',
    fix: 'copy the id from the Backup\'s status.backupId, e.g. "20260830T000003"',
    when: recoveryTarget((p) => p.field.endsWith('.backupID') && !missingBackupId(p)),
  }),
  r({
    id: '2.1#31', field: `${RECOVERY_FIELD}.targetTLI`, message: "recovery target timeline can be set to 'latest' or a positive integer",
    fix: 'use "latest" or a timeline id such as 2', upstream: CLUSTER_WEBHOOK('validateRecoveryTarget'),
    when: recoveryTarget((p) => p.field.endsWith('.targetTLI')),
  }),

  // ---- image
  // 32–34 mirror validateImageName: the tag is machinery reference.New's (none and no digest: "latest"), and the
  // whole version prefix of the tag must parse with version.FromTag ("16.five" and "17.old" are invalid, see
  // image-reference.ts).
  r({
    id: '2.1#32', field: 'spec.imageName', message: "Can't use 'latest' as image tag as we can't detect upgrades",
    fix: 'pin the version, e.g. ghcr.io/cloudnative-pg/postgresql:18.4-minimal-trixie', upstream: CLUSTER_WEBHOOK('validateImageName'),
    when: (c) => typeof c.rawSpec.imageName === 'string' && c.rawSpec.imageName !== '' && parseImageReference(c.rawSpec.imageName).tag === 'latest'
      && { value: c.rawSpec.imageName },
  }),
  r({
    id: '2.1#33', field: 'spec.imageName', message: "Can't use just the image sha as we can't detect upgrades",
    fix: 'add the tag before the digest: name:18.4-minimal-trixie@sha256:…', upstream: CLUSTER_WEBHOOK('validateImageName'),
    when: (c) => typeof c.rawSpec.imageName === 'string' && c.rawSpec.imageName !== '' && parseImageReference(c.rawSpec.imageName).tag === ''
      && { value: c.rawSpec.imageName },
  }),
  r({
    id: '2.1#34', field: 'spec.imageName', message: 'invalid version tag',
    fix: 'use a tag that starts with MAJOR or MAJOR.MINOR followed by "-" or the end, such as 18.4-minimal-trixie',
    upstream: `${CLUSTER_WEBHOOK('validateImageName')} + machinery pkg/postgres/version/version.go@v0.5.0 FromTag`,
    when: (c) => {
      const name = c.rawSpec.imageName;
      if (typeof name !== 'string' || name === '') return undefined;
      const { tag } = parseImageReference(name);
      if (tag === '' || tag === 'latest') return undefined;
      const v = versionFromTag(tag);
      return isVersionError(v) && {
        message: `invalid version tag: the operator reads the PostgreSQL version from the start of the tag "${tag}" and cannot parse it (${v.error})`,
        value: name,
      };
    },
  }),
  r({
    id: '2.1#36', field: 'spec.imagePullPolicy', message: "invalid imagePullPolicy, if defined must be one of 'Always', 'Never' or 'IfNotPresent'",
    fix: 'use Always, Never or IfNotPresent', upstream: CLUSTER_WEBHOOK('validateImagePullPolicy'),
    when: (c) => has(c.rawSpec.imagePullPolicy) && !['Always', 'Never', 'IfNotPresent', ''].includes(c.rawSpec.imagePullPolicy) && { value: c.rawSpec.imagePullPolicy },
  }),
  r({
    id: '2.1#37', field: 'spec.imageName', message: 'Unsupported PostgreSQL version. Versions 13 or newer are supported',
    fix: 'use a supported PostgreSQL major (CloudNativePG 1.30 builds 14 to 18)', upstream: CLUSTER_WEBHOOK('validateConfiguration'),
    when: (c) => c.major !== undefined && c.major < 13
      && { field: c.rawSpec.imageCatalogRef ? 'spec.imageCatalogRef.major' : 'spec.imageName', value: c.rawSpec.imageName ?? c.major },
  }),

  // ---- instances / update strategy / sync replicas
  r({
    id: '2.1#38', field: 'spec.primaryUpdateStrategy', message: "primaryUpdateStrategy should be empty, 'supervised' or 'unsupervised'",
    fix: 'use supervised or unsupervised', upstream: CLUSTER_WEBHOOK('validatePrimaryUpdateStrategy'),
    when: (c) => has(c.rawSpec.primaryUpdateStrategy) && !['', 'supervised', 'unsupervised'].includes(c.rawSpec.primaryUpdateStrategy) && { value: c.rawSpec.primaryUpdateStrategy },
  }),
  r({
    id: '2.1#39', field: 'spec.primaryUpdateStrategy', message: 'supervised update strategy is not allowed for clusters with a single instance',
    fix: 'use unsupervised, or add instances', upstream: CLUSTER_WEBHOOK('validatePrimaryUpdateStrategy'),
    when: (c) => c.spec.primaryUpdateStrategy === 'supervised' && c.instances === 1 && { value: 'supervised' },
  }),
  r({
    id: '2.1#40', field: 'spec.minSyncReplicas', message: 'minSyncReplicas must be a non negative integer',
    fix: 'use 0 or more', upstream: CLUSTER_WEBHOOK('validateMinSyncReplicas'),
    when: (c) => typeof c.spec.minSyncReplicas === 'number' && c.spec.minSyncReplicas < 0 && { value: c.spec.minSyncReplicas },
  }),
  r({
    id: '2.1#41', field: 'spec.minSyncReplicas', message: 'minSyncReplicas cannot be greater than maxSyncReplicas',
    fix: 'prefer spec.postgresql.synchronous (the synchronousReplication prop)', upstream: CLUSTER_WEBHOOK('validateMinSyncReplicas'),
    when: (c) => (c.spec.minSyncReplicas ?? 0) > (c.spec.maxSyncReplicas ?? 0) && { value: c.spec.minSyncReplicas },
  }),
  r({
    id: '2.1#42', field: 'spec.maxSyncReplicas', message: 'maxSyncReplicas must be a non negative integer',
    fix: 'use 0 or more', upstream: CLUSTER_WEBHOOK('validateMaxSyncReplicas'),
    when: (c) => typeof c.spec.maxSyncReplicas === 'number' && c.spec.maxSyncReplicas < 0 && { value: c.spec.maxSyncReplicas },
  }),
  r({
    id: '2.1#43', field: 'spec.maxSyncReplicas', message: 'maxSyncReplicas must be lower than the number of instances',
    fix: 'use fewer than spec.instances', upstream: CLUSTER_WEBHOOK('validateMaxSyncReplicas'),
    // with fewer than 1 instance the API server rejects the object first (2.4#instances)
    when: (c) => c.instances >= 1 && (c.spec.maxSyncReplicas ?? 0) >= c.instances && { value: c.spec.maxSyncReplicas ?? 0 },
  }),
  r({
    id: '2.1#44', field: 'spec.postgresql.synchronous', message: "Can't have both legacy synchronous replica configuration and new one",
    fix: 'remove spec.minSyncReplicas and spec.maxSyncReplicas', upstream: CLUSTER_WEBHOOK('validateConfiguration'),
    when: (c) => has(c.spec.postgresql?.synchronous) && ((c.spec.minSyncReplicas ?? 0) > 0 || (c.spec.maxSyncReplicas ?? 0) > 0),
  }),
  // The webhook's message does not say what the ceiling is; this one does.
  r({
    id: '2.1#45', field: 'spec.postgresql.synchronous.number',
    message: 'Invalid synchronous configuration: the number of synchronous replicas must be less than the total number of instances and the provided standby names.',
    fix: 'lower number below instances + standbyNamesPre + standbyNamesPost, or add instances', upstream: CLUSTER_WEBHOOK('validateSynchronousReplicaConfiguration'),
    when: (c) => {
      const s = c.spec.postgresql?.synchronous;
      if (!isObj(s) || typeof s.number !== 'number' || c.instances < 1) return undefined;
      const pre = list(s.standbyNamesPre).length;
      const post = list(s.standbyNamesPost).length;
      const total = c.instances + pre + post;
      if (s.number < total) return undefined;
      const names = pre + post > 0 ? ` + ${pre} standbyNamesPre + ${post} standbyNamesPost` : '';
      return {
        message: `Invalid synchronous configuration: the number of synchronous replicas must be less than the total number of instances and the provided standby names: ${c.instances} instances${names} = ${total}, so number can be at most ${total - 1}`,
        value: s.number,
        fix: total - 1 >= 1
          ? `set spec.postgresql.synchronous.number to ${total - 1} or less, or raise spec.instances to ${s.number + 1 - pre - post}`
          : 'add instances: synchronous replication needs at least 2 (a primary and a standby)',
      };
    },
  }),
  r({
    id: '2.1#46', field: 'spec.postgresql.synchronous.number',
    message: 'Invalid failoverQuorum configuration: spec.postgresql.synchronous.number must be greater than the total number of instances in spec.postgresql.synchronous.standbyNamesPre and spec.postgresql.synchronous.standbyNamesPost to allow automatic failover.',
    fix: 'raise number above the count of standbyNamesPre and standbyNamesPost, or turn failoverQuorum off', upstream: CLUSTER_WEBHOOK('validateFailoverQuorum'),
    when: (c) => {
      const s = c.spec.postgresql?.synchronous;
      return isObj(s) && s.failoverQuorum === true && (s.number ?? 0) <= list(s.standbyNamesPre).length + list(s.standbyNamesPost).length && { value: s.number };
    },
  }),
  r({
    id: '2.1#47', field: 'metadata.annotations.alpha.cnpg.io/failoverQuorum', message: 'Invalid failoverQuorum annotation value, expected boolean.',
    fix: 'the annotation is deprecated: use spec.postgresql.synchronous.failoverQuorum', upstream: CLUSTER_WEBHOOK('validateFailoverQuorumAlphaAnnotation'),
    when: (c) => {
      const v = c.annotations['alpha.cnpg.io/failoverQuorum'];
      return v !== undefined && parseGoBool(v) === undefined && { value: v };
    },
  }),
  r({
    id: '2.1#48', field: 'spec.postgresql.synchronous', message: 'Invalid failoverQuorum configuration: synchronous replication configuration is required.',
    fix: 'configure spec.postgresql.synchronous with failoverQuorum: true instead of the deprecated annotation', upstream: CLUSTER_WEBHOOK('validateFailoverQuorumAlphaAnnotation'),
    when: (c) => parseGoBool(c.annotations['alpha.cnpg.io/failoverQuorum']) === true && !has(c.spec.postgresql?.synchronous),
  }),
  r({
    id: '2.1#49', field: 'spec.postgresql.syncReplicaElectionConstraint.nodeLabelsAntiAffinity',
    message: "Can't enable syncReplicaConstraints without passing labels for comparison inside nodeLabelsAntiAffinity",
    fix: 'list node labels such as topology.kubernetes.io/zone', upstream: CLUSTER_WEBHOOK('validateSyncReplicaElectionConstraint'),
    when: (c) => {
      const s = c.spec.postgresql?.syncReplicaElectionConstraint;
      return isObj(s) && s.enabled === true && list(s.nodeLabelsAntiAffinity).length === 0;
    },
  }),

  // ---- storage
  r({
    id: '2.1#50', field: 'spec.storage.size', message: "Size value isn't valid (51: Size not configured. Please add it, or a storage request in the pvcTemplate.)",
    fix: 'use a Kubernetes quantity such as "40Gi"', upstream: CLUSTER_WEBHOOK('validateStorageConfigurationSize'),
    reports: [{
      id: '2.1#51', section: '2.1', severity: 'error', field: 'spec.storage.size', message: 'Size not configured. Please add it, or a storage request in the pvcTemplate.',
      fix: 'set the size, e.g. "40Gi", or a pvcTemplate storage request', upstream: CLUSTER_WEBHOOK('validateStorageConfigurationSize'),
    }],
    when: (c) => storageSizeRules('spec.storage', c.rawSpec.storage ?? {}, { invalid: '2.1#50', missing: '2.1#51' }),
  }),
  r({
    id: '2.1#52', field: 'spec.walStorage.size', message: 'rules 50–51 for walStorage',
    fix: 'set a Kubernetes quantity such as "10Gi"', upstream: CLUSTER_WEBHOOK('validateWalStorageSize'),
    when: (c) => storageSizeRules('spec.walStorage', c.rawSpec.walStorage),
  }),
  r({
    id: '2.1#53', field: 'spec.tablespaces[i].storage.size', message: 'rules 50–51 for each tablespace',
    fix: 'set a Kubernetes quantity such as "10Gi"', upstream: CLUSTER_WEBHOOK('validateTablespaceStorageSize'),
    when: (c) => list(c.spec.tablespaces).flatMap((t, i) => storageSizeRules(`spec.tablespaces[${i}].storage`, isObj(t) ? t.storage ?? {} : {})),
  }),
  r({
    id: '2.1#54', field: 'spec.ephemeralVolumeSource', message: 'Conflicting settings: provide either ephemeralVolumeSource or ephemeralVolumesSizeLimit.TemporaryData, not both.',
    fix: 'remove ephemeralVolumesSizeLimit.temporaryData or ephemeralVolumeSource', upstream: CLUSTER_WEBHOOK('validateEphemeralVolumeSource'),
    when: (c) => has(c.spec.ephemeralVolumeSource) && has(c.spec.ephemeralVolumesSizeLimit?.temporaryData),
  }),

  // ---- names, tablespaces
  r({
    id: '2.1#55', field: 'metadata.name', message: 'cluster name must be a valid DNS label',
    fix: 'use lower-case letters, digits and "-", starting with a letter', upstream: CLUSTER_WEBHOOK('validateName'),
    when: (c) => !isDns1035Label(c.name) && { value: c.name },
  }),
  r({
    id: '2.1#56', field: 'metadata.name', message: 'the maximum length of a cluster name is 50 characters',
    fix: 'use at most 50 characters', upstream: CLUSTER_WEBHOOK('validateName'),
    when: (c) => c.name.length > 50 && { value: c.name },
  }),
  r({
    id: '2.1#57', field: 'spec.tablespaces[i]', message: 'duplicate tablespace name',
    fix: 'give each tablespace its own name (case-insensitive)', upstream: CLUSTER_WEBHOOK('validateTablespaceNames'),
    when: (c) => {
      const seen = new Set<string>();
      return list(c.spec.tablespaces).flatMap((t, i) => {
        const n = str(t?.name).toLowerCase();
        const dup = seen.has(n);
        seen.add(n);
        return dup ? [{ field: `spec.tablespaces[${i}]`, value: t.name }] : [];
      });
    },
  }),
  r({
    id: '2.1#58', field: 'spec.tablespaces[i]', message: "tablespace names beginning 'pg_' are reserved for Postgres",
    fix: 'rename it without the pg_ prefix', upstream: CLUSTER_WEBHOOK('validateTablespaceNames'),
    when: (c) => list(c.spec.tablespaces).flatMap((t, i) => (str(t?.name).startsWith('pg_') ? [{ field: `spec.tablespaces[${i}]`, value: t.name }] : [])),
  }),
  r({
    id: '2.1#59', field: 'spec.tablespaces[i]',
    message: "tablespace names must be valid Postgres identifiers: alphanumeric characters, '_', '$', and must start with a letter or an underscore",
    fix: 'use letters, digits, "_" and "$", starting with a letter or "_"', upstream: CLUSTER_WEBHOOK('validateTablespaceNames'),
    when: (c) => list(c.spec.tablespaces).flatMap((t, i) => (!str(t?.name).startsWith('pg_') && !/^[a-zA-Z_][a-zA-Z0-9_$]*$/.test(str(t?.name))
      ? [{ field: `spec.tablespaces[${i}]`, value: t?.name }]
      : [])),
  }),
  r({
    id: '2.1#60', field: 'spec.tablespaces[i]', message: 'the maximum length of an identifier is 63 characters',
    fix: 'use at most 63 characters', upstream: CLUSTER_WEBHOOK('validateTablespaceNames'),
    when: (c) => list(c.spec.tablespaces).flatMap((t, i) => (str(t?.name).length > 63 ? [{ field: `spec.tablespaces[${i}]`, value: t.name }] : [])),
  }),
  r({
    id: '2.1#61', field: 'spec.tablespaces[i]',
    message: 'tablespace name results in duplicate volume name "<x>" after sanitization (special characters are converted to hyphens)',
    fix: 'rename one of them: "_" and "$" both become "-" in volume names', upstream: CLUSTER_WEBHOOK('validateTablespaceNames'),
    when: (c) => {
      const seen = new Map<string, string>();
      return list(c.spec.tablespaces).flatMap((t, i) => {
        const n = str(t?.name);
        const volume = n.toLowerCase().replace(/[^a-z0-9-]/g, '-');
        const prior = seen.get(volume);
        seen.set(volume, n);
        return prior !== undefined && prior.toLowerCase() !== n.toLowerCase()
          ? [{ field: `spec.tablespaces[${i}]`, message: `tablespace name results in duplicate volume name "${volume}" after sanitization (special characters are converted to hyphens)`, value: n }]
          : [];
      });
    },
  }),
  r({
    id: '2.1#62', field: 'spec.backup.volumeSnapshot.tablespaceClassName',
    message: "specified the VolumeSnapshot backup configuration for the tablespace: <n>, but it can't be found in the '.spec.tablespaces' stanza",
    fix: 'name only tablespaces declared in spec.tablespaces', upstream: CLUSTER_WEBHOOK('validateTablespaceBackupSnapshot'),
    when: (c) => {
      const map = c.spec.backup?.volumeSnapshot?.tablespaceClassName;
      if (!isObj(map)) return undefined;
      const names = list(c.spec.tablespaces).map((t) => t?.name);
      return Object.keys(map).filter((n) => !names.includes(n))
        .map((n) => ({ message: `specified the VolumeSnapshot backup configuration for the tablespace: ${n}, but it can't be found in the '.spec.tablespaces' stanza`, value: n }));
    },
  }),

  // ---- external clusters
  r({
    id: '2.1#63', field: 'spec.externalClusters', message: 'the list of external clusters contains duplicate values',
    fix: 'give each external cluster its own name', upstream: CLUSTER_WEBHOOK('validateExternalClusters'),
    when: (c) => {
      const d = dupes(list(c.spec.externalClusters).map((e) => e?.name));
      return d.length > 0 && { value: d };
    },
  }),
  r({
    id: '2.1#64', field: 'spec.externalClusters[i]', message: 'one of connectionParameters, plugin and barmanObjectStore is required',
    fix: 'set connectionParameters, plugin or barmanObjectStore', upstream: CLUSTER_WEBHOOK('validateExternalCluster'),
    when: (c) => list(c.spec.externalClusters).flatMap((e, i) => (isObj(e) && !has(e.connectionParameters) && !has(e.barmanObjectStore) && !has(e.plugin)
      ? [{ field: `spec.externalClusters[${i}]`, value: e.name }]
      : [])),
  }),
  r({
    id: '2.1#65', field: 'spec.externalClusters[i].name', message: "cannot contain a path separator or a '..' component",
    fix: 'use a name without "/", "\\" and ".."', upstream: CLUSTER_WEBHOOK('validateExternalCluster'),
    when: (c) => list(c.spec.externalClusters).flatMap((e, i) => (isObj(e) && typeof e.name === 'string' && PATH_COMPONENT_BAD(e.name)
      ? [{ field: `spec.externalClusters[${i}].name`, value: e.name }]
      : [])),
  }),
  r({
    id: '2.1#66', field: 'spec.externalClusters[i].sslCert|sslKey|sslRootCert.name|key', message: "cannot contain a path separator or a '..' component",
    fix: 'use names and keys without "/", "\\" and ".."', upstream: CLUSTER_WEBHOOK('validateExternalCluster'),
    when: (c) => list(c.spec.externalClusters).flatMap((e, i) => ['sslCert', 'sslKey', 'sslRootCert'].flatMap((k) => ['name', 'key'].flatMap((f) => {
      const v = isObj(e) && isObj(e[k]) ? e[k][f] : undefined;
      return typeof v === 'string' && PATH_COMPONENT_BAD(v) ? [{ field: `spec.externalClusters[${i}].${k}.${f}`, value: v }] : [];
    }))),
  }),

  // ---- replica cluster
  r({
    id: '2.1#67', field: 'spec.replica.enabled', message: 'replica mode enabled is not compatible with the primary field',
    fix: 'use either enabled (manual) or primary/self (distributed topology)', upstream: CLUSTER_WEBHOOK('validateReplicaMode'),
    when: (c) => isObj(c.spec.replica) && typeof c.spec.replica.enabled === 'boolean' && nonEmpty(c.spec.replica.primary),
  }),
  r({
    id: '2.1#69', field: 'spec.replica', message: 'replica mode bootstrap is compatible only with pg_basebackup or recovery',
    fix: 'bootstrap the replica cluster with pg_basebackup or recovery from the source', upstream: CLUSTER_WEBHOOK('validateReplicaMode'),
    createOnly: true,
    when: (c) => c.replica && isObj(c.spec.bootstrap) && !has(c.spec.bootstrap.pg_basebackup) && !has(c.spec.bootstrap.recovery),
  }),
  r({
    id: '2.1#70', field: 'spec.replica.source', message: 'External cluster <source> not found',
    fix: 'add a spec.externalClusters entry with that name', upstream: CLUSTER_WEBHOOK('validateReplicaClusterExternalClusters'),
    when: (c) => isObj(c.spec.replica) && sourceNotFound(c, c.spec.replica.source),
  }),
  r({
    id: '2.1#71', field: 'spec.replica.self', message: 'External cluster <self> not found',
    fix: 'add a spec.externalClusters entry with that name', upstream: CLUSTER_WEBHOOK('validateReplicaClusterExternalClusters'),
    when: (c) => isObj(c.spec.replica) && nonEmpty(c.spec.replica.self) && sourceNotFound(c, c.spec.replica.self),
  }),
  r({
    id: '2.1#72', field: 'spec.replica.primary', message: 'External cluster <primary> not found',
    fix: 'add a spec.externalClusters entry with that name', upstream: CLUSTER_WEBHOOK('validateReplicaClusterExternalClusters'),
    when: (c) => isObj(c.spec.replica) && nonEmpty(c.spec.replica.primary) && sourceNotFound(c, c.spec.replica.primary),
  }),
  r({
    id: '2.1#73', field: 'spec.replica.minApplyDelay', message: 'minApplyDelay cannot be applied with a promotion token',
    fix: 'remove minApplyDelay while promoting with a token', upstream: CLUSTER_WEBHOOK('validatePromotionToken'),
    when: (c) => isObj(c.spec.replica) && nonEmpty(c.spec.replica.promotionToken) && has(c.spec.replica.minApplyDelay),
  }),
  r({
    id: '2.1#74', field: 'spec.replica.promotionToken', message: 'promotionToken is only allowed for primary clusters',
    fix: 'set the promotion token together with the change that makes this cluster the primary', upstream: CLUSTER_WEBHOOK('validatePromotionToken'),
    when: (c) => isObj(c.spec.replica) && nonEmpty(c.spec.replica.promotionToken) && !has(c.spec.replica.minApplyDelay) && c.replica,
  }),
  r({
    id: '2.1#75', field: 'spec.replica.promotionToken', message: 'Invalid promotionToken format / content',
    fix: 'copy the token from the demoted cluster\'s status.demotionToken', upstream: CLUSTER_WEBHOOK('validatePromotionToken'),
    when: (c) => {
      const rep = c.spec.replica;
      if (!isObj(rep) || !nonEmpty(rep.promotionToken) || has(rep.minApplyDelay) || c.replica) return undefined;
      const problem = promotionTokenProblem(str(rep.promotionToken));
      return problem !== undefined && { message: problem, value: rep.promotionToken };
    },
  }),

  // ---- scheduling
  r({
    id: '2.1#76', field: 'spec.affinity.podAntiAffinityType', message: "pod anti-affinity type must be 'preferred' (default if empty) or 'required'",
    fix: 'use preferred or required', upstream: CLUSTER_WEBHOOK('validateAntiAffinity'),
    when: (c) => {
      const t = c.rawSpec.affinity?.podAntiAffinityType;
      return has(t) && !['preferred', 'required', ''].includes(t) && { value: t };
    },
  }),
  r({
    id: '2.1#77', field: 'spec.affinity.tolerations[i]', message: 'toleration rules (Kubernetes core validation)',
    fix: 'write the toleration as Kubernetes validates it', upstream: CLUSTER_WEBHOOK('validateTolerations'),
    when: (c) => list(c.spec.affinity?.tolerations).flatMap((t, i) => tolerationProblems(t, `spec.affinity.tolerations[${i}]`)),
  }),

  // ---- resources
  r({
    id: '2.1#78', field: 'spec.resources.requests.cpu', message: 'CPU request is greater than the limit',
    fix: 'request at most the limit', upstream: CLUSTER_WEBHOOK('validateResources'),
    when: (c) => requestOverLimit(c, 'cpu'),
  }),
  r({
    id: '2.1#79', field: 'spec.resources.requests.memory', message: 'Memory request is greater than the limit',
    fix: 'request at most the limit', upstream: CLUSTER_WEBHOOK('validateResources'),
    when: (c) => requestOverLimit(c, 'memory'),
  }),
  r({
    id: '2.1#80', field: 'spec.resources.requests.hugepages-<size>', message: 'HugePages requests must equal the limits',
    fix: 'request exactly the limit', upstream: CLUSTER_WEBHOOK('validateHugePagesResources'),
    when: (c) => {
      const req = c.spec.resources?.requests ?? {};
      const lim = c.spec.resources?.limits ?? {};
      return Object.keys(isObj(req) ? req : {}).filter((k) => k.startsWith('hugepages-') && has(lim[k]) && parseQuantity(String(req[k])) !== parseQuantity(String(lim[k])))
        .map((k) => ({ field: `spec.resources.requests.${k}`, value: req[k] }));
    },
  }),
  r({
    id: '2.1#81', field: 'spec.resources', message: 'HugePages require cpu or memory',
    fix: 'set a cpu or memory request or limit too', upstream: CLUSTER_WEBHOOK('validateResources'),
    when: (c) => {
      const req = isObj(c.spec.resources?.requests) ? c.spec.resources.requests : {};
      const lim = isObj(c.spec.resources?.limits) ? c.spec.resources.limits : {};
      const huge = [...Object.keys(req), ...Object.keys(lim)].some((k) => k.startsWith('hugepages-'));
      return huge && !['cpu', 'memory'].some((k) => has(req[k]) || has(lim[k]));
    },
  }),
  r({
    id: '2.1#82', field: 'spec.resources.requests', message: 'Memory request is lower than PostgreSQL `shared_buffers` value',
    fix: 'give shared_buffers about a quarter of the memory request', upstream: `${CLUSTER_WEBHOOK('validateResources')} + hasEnoughMemoryForSharedBuffers`,
    when: (c) => {
      const sb = c.userParameters.shared_buffers;
      const memReq = c.spec.resources?.requests?.memory;
      if (typeof sb !== 'string' || !has(memReq)) return undefined;
      const sbBytes = parseWebhookMemory(sb);
      const mem = parseQuantity(String(memReq));
      if (sbBytes === undefined || !(mem > 0) || sbBytes <= mem) return undefined;
      const req = isObj(c.spec.resources?.requests) ? c.spec.resources.requests : {};
      const lim = isObj(c.spec.resources?.limits) ? c.spec.resources.limits : {};
      const hugeOk = [...Object.entries(req), ...Object.entries(lim)].some(([k, v]) => k.startsWith('hugepages-') && parseQuantity(String(v)) >= sbBytes);
      return !hugeOk && { value: { memory: memReq, shared_buffers: sb } };
    },
  }),
  r({
    id: '2.1#83', field: 'spec.resources.requests.ephemeral-storage', message: 'Ephemeral storage request is greater than the limit',
    fix: 'request at most the limit', upstream: CLUSTER_WEBHOOK('validateResources'),
    // reported under requests.storage, the field the construct maps back to its prop
    when: (c) => requestOverLimit(c, 'ephemeral-storage').map((h) => ({ ...h, field: 'spec.resources.requests.storage' })),
  }),

  // ---- in-tree backup (deprecated) and retention
  r({
    id: '2.1#84', field: 'spec.backup.barmanObjectStore',
    message: 'missing credentials. One and only one of azureCredentials, s3Credentials and googleCredentials are required',
    fix: 'migrate to the Barman Cloud plugin (BackupStore)', upstream: BARMAN_CREDENTIALS,
    when: (c) => {
      const b = c.spec.backup?.barmanObjectStore;
      return isObj(b) && !has(b.s3Credentials) && !has(b.azureCredentials) && !has(b.googleCredentials);
    },
  }),
  r({
    id: '2.1#85', field: 'spec.backup.barmanObjectStore',
    message: 'too many credentials. One and only one of azureCredentials, s3Credentials and googleCredentials are required',
    fix: 'keep one of s3Credentials, azureCredentials and googleCredentials', upstream: BARMAN_CREDENTIALS,
    when: (c) => {
      const b = c.spec.backup?.barmanObjectStore;
      return isObj(b) && [b.s3Credentials, b.azureCredentials, b.googleCredentials].filter(has).length > 1;
    },
  }),
  r({
    id: '2.1#86', field: 'spec.backup.barmanObjectStore.s3Credentials', message: 'AWS credentials rules',
    fix: 'set accessKeyId and secretAccessKey, or inheritFromIAMRole', upstream: BARMAN_CREDENTIALS,
    when: (c) => {
      const s3 = c.spec.backup?.barmanObjectStore?.s3Credentials;
      if (!isObj(s3)) return undefined;
      const keys = [has(s3.accessKeyId), has(s3.secretAccessKey)];
      const iam = s3.inheritFromIAMRole === true;
      if (keys[0] !== keys[1]) return { message: 'when using AWS credentials both accessKeyId and secretAccessKey must be provided' };
      if (!iam && !keys[0]) return { message: 'at least one AWS authentication method should be supplied' };
      return iam && keys[0] && { message: 'only one AWS authentication method should be supplied' };
    },
  }),
  r({
    id: '2.1#87', field: 'spec.backup.barmanObjectStore.azureCredentials', message: 'Azure credentials rules',
    fix: 'set one authentication method (with storageAccount for a key or SAS token)', upstream: BARMAN_CREDENTIALS,
    when: (c) => {
      const az = c.spec.backup?.barmanObjectStore?.azureCredentials;
      if (!isObj(az)) return undefined;
      const methods = [az.inheritFromAzureAD === true, az.useDefaultAzureCredentials === true, has(az.storageKey), has(az.storageSasToken)].filter(Boolean).length;
      if (has(az.connectionString)) return (methods > 0 || has(az.storageAccount)) && { message: 'when connection string is specified, the other parameters must be empty' };
      return [
        ...(methods !== 1 ? [{ message: 'when connection string is not specified, one and only one of storage key, storage SAS token, Azure AD authentication, or default Azure credentials is required' }] : []),
        ...((has(az.storageKey) || has(az.storageSasToken)) && !has(az.storageAccount) ? [{ message: 'storage account must be specified when using storage key or SAS token' }] : []),
      ];
    },
  }),
  r({
    id: '2.1#88', field: 'spec.backup.barmanObjectStore.googleCredentials', message: 'Google credentials rules',
    fix: 'set applicationCredentials, or gkeEnvironment: true', upstream: BARMAN_CREDENTIALS,
    when: (c) => {
      const g = c.spec.backup?.barmanObjectStore?.googleCredentials;
      if (!isObj(g)) return undefined;
      if (g.gkeEnvironment !== true && !has(g.applicationCredentials)) return { message: 'if gkeEnvironment is false, secret with credentials must be provided' };
      return g.gkeEnvironment === true && has(g.applicationCredentials) && { message: 'if gkeEnvironment is true, secret with credentials must not be provided' };
    },
  }),
  r({
    id: '2.1#90', field: 'spec.backup.retentionPolicy', message: 'not a valid retention policy',
    fix: 'use e.g. "30d", "4w" or "6m"', upstream: CLUSTER_WEBHOOK('validateRetentionPolicy'),
    when: (c) => {
      const p = c.spec.backup?.retentionPolicy;
      return typeof p === 'string' && p !== '' && !/^[1-9][0-9]*[dwm]$/.test(p) && { message: 'not a valid retention policy (the CRD requires ^[1-9][0-9]*[dwm]$)', value: p };
    },
  }),
  r({
    id: '2.1#91', field: 'spec.plugins', message: 'Cannot enable a WAL archiver plugin when barmanObjectStore is configured',
    fix: 'remove spec.backup.barmanObjectStore (deprecated) after migrating to the plugin', upstream: CLUSTER_WEBHOOK('validatePluginConfiguration'),
    when: (c) => enabledWalArchivers(c).length > 0 && has(c.spec.backup?.barmanObjectStore) && { value: enabledWalArchivers(c) },
  }),
  r({
    id: '2.1#92', field: 'spec.plugins', message: 'Cannot enable more than one WAL archiver plugin',
    fix: 'mark only one plugin isWALArchiver', upstream: CLUSTER_WEBHOOK('validatePluginConfiguration'),
    when: (c) => enabledWalArchivers(c).length > 1 && { value: enabledWalArchivers(c) },
  }),

  // ---- PostgreSQL configuration (93, 94 and PostgreSQL's own rules: see the 2.6 rules below)
  r({
    id: '2.1#95', field: 'spec.postgresql.parameters.wal_level', message: 'unrecognized `wal_level` value - allowed values: `logical`, `replica`, `minimal`',
    fix: 'use logical, replica or minimal', upstream: CLUSTER_WEBHOOK('validateConfiguration'),
    when: (c) => !['logical', 'replica', 'minimal'].includes(c.parameters.wal_level) && { value: c.parameters.wal_level },
  }),
  r({
    id: '2.1#96', field: 'spec.postgresql.parameters.wal_level',
    message: "`wal_level` should be set at `logical` or `replica` when `archive_mode` is `on`, '.instances' field is greater than 1, or this is a replica cluster",
    fix: 'minimal needs one instance and the annotation cnpg.io/skipWalArchiving: enabled', upstream: CLUSTER_WEBHOOK('validateConfiguration'),
    when: (c) => c.parameters.wal_level === 'minimal' && (c.instances > 1 || c.parameters.archive_mode !== 'off' || c.replica) && { value: 'minimal' },
  }),
  r({
    id: '2.1#97', field: 'spec.postgresql.parameters.max_wal_senders', message: '`max_wal_senders` should be set at `0` when `wal_level` is `minimal`',
    fix: 'set max_wal_senders: "0" with wal_level minimal', upstream: CLUSTER_WEBHOOK('validateConfiguration'),
    when: (c) => c.parameters.wal_level === 'minimal' && c.parameters.max_wal_senders !== '0' && { value: c.parameters.max_wal_senders },
  }),
  r({
    id: '2.1#98', field: 'spec.postgresql.parameters.shared_buffers', message: 'Invalid value for configuration parameter shared_buffers',
    fix: 'use kB, MB, GB or TB, e.g. "512MB"', upstream: `${CLUSTER_WEBHOOK('validateConfiguration')} + parsePostgresQuantityValue`,
    when: (c) => {
      const v = c.userParameters.shared_buffers;
      return typeof v === 'string' && v !== '' && parseWebhookMemory(v) === undefined && {
        message: 'Invalid value for configuration parameter shared_buffers. More info on accepted values format: https://www.postgresql.org/docs/current/config-setting.html#CONFIG-SETTING-NAMES-VALUES',
        value: v,
      };
    },
  }),
  r({
    id: '2.1#99', field: 'spec.postgresql.parameters.hot_standby_feedback', message: 'invalid `hot_standby_feedback` value. Must be a postgres boolean',
    fix: 'use on or off', upstream: CLUSTER_WEBHOOK('tryParseBooleanPostgresParameter'),
    when: (c) => booleanParameter(c, 'hot_standby_feedback'),
  }),
  r({
    id: '2.1#100', field: 'spec.postgresql.parameters.sync_replication_slots', message: 'invalid `sync_replication_slots` value. Must be a postgres boolean',
    fix: 'use on or off', upstream: CLUSTER_WEBHOOK('tryParseBooleanPostgresParameter'),
    when: (c) => booleanParameter(c, 'sync_replication_slots'),
  }),
  r({
    id: '2.1#101', field: 'spec.postgresql.parameters.wal_log_hints', message: '`wal_log_hints` must be set to `on` when `instances` > 1',
    fix: 'remove it (the operator sets on)', upstream: CLUSTER_WEBHOOK('validateConfiguration'),
    when: (c) => {
      const invalid = booleanParameter(c, 'wal_log_hints');
      if (invalid.length) return invalid;
      return bool(c, 'wal_log_hints') === false && c.instances > 1 && { value: c.userParameters.wal_log_hints };
    },
  }),
  r({
    id: '2.1#102', field: 'spec.postgresql.parameters.min_wal_size|max_wal_size', message: 'Invalid value for configuration parameter min_wal_size|max_wal_size',
    fix: 'use kB, MB, GB or TB, e.g. "2GB"', upstream: CLUSTER_WEBHOOK('validateWalSizeConfiguration'),
    when: (c) => (['min_wal_size', 'max_wal_size'] as const).flatMap((k) => {
      const v = c.userParameters[k];
      return typeof v === 'string' && v !== '' && parseWebhookMemory(v) === undefined
        ? [{ field: `spec.postgresql.parameters.${k}`, message: `Invalid value for configuration parameter ${k}`, value: v }]
        : [];
    }),
  }),
  // The webhook says "Invalid vale. Parameter min_wal_size (default 80MB) should be smaller than parameter
  // max_wal_size (default 1GB)"; this message states both values with their unit, and the fix.
  r({
    id: '2.1#103', field: 'spec.postgresql.parameters.min_wal_size', message: 'min_wal_size (default 80MB) must be smaller than max_wal_size (default 1GB)',
    fix: 'lower min_wal_size below max_wal_size or raise max_wal_size, writing the unit (kB, MB, GB, TB)', upstream: CLUSTER_WEBHOOK('validateWalSizeConfiguration'),
    when: (c) => {
      const minText = str(c.userParameters.min_wal_size) || '80MB';
      const maxText = str(c.userParameters.max_wal_size) || '1GB';
      const min = parseWebhookMemory(minText);
      const max = parseWebhookMemory(maxText);
      if (min === undefined || max === undefined || !(min > 0) || !(max > 0) || min < max) return undefined;
      const shown = (text: string, user: unknown, bytes: number) => `${user ? `"${text}"` : `${text} (the default)`}${/^[+-]?\d+$/.test(text) ? `, read as ${formatBytes(bytes)}` : ''}`;
      return {
        message: `min_wal_size must be smaller than max_wal_size: min_wal_size is ${shown(minText, c.userParameters.min_wal_size, min)}, max_wal_size is ${shown(maxText, c.userParameters.max_wal_size, max)} (a value without a unit is in MB)`,
        value: c.userParameters.min_wal_size ?? '80MB',
        fix: `lower min_wal_size below ${formatBytes(max)} (e.g. "${formatBytes(Math.max(max / 4, 2 ** 20))}"), or raise max_wal_size above ${formatBytes(min)} (e.g. "${formatBytes(min * 4)}"); write the unit (kB, MB, GB or TB)`,
      };
    },
  }),
  r({
    id: '2.1#104', field: 'spec.postgresql.parameters.min_wal_size|max_wal_size', message: 'Invalid value. Parameter <p> (default <d>) should be smaller than WAL volume size',
    fix: 'keep it below the WAL volume size, with room to spare', upstream: CLUSTER_WEBHOOK('validateWalSizeConfiguration'),
    when: (c) => {
      const wal = storageSize(c.spec.walStorage);
      const walBytes = wal ? parseQuantity(wal) : NaN;
      if (!(walBytes > 0)) return undefined;
      return ([['min_wal_size', '80MB'], ['max_wal_size', '1GB']] as const).flatMap(([k, d]) => {
        const v = str(c.userParameters[k]);
        const n = v ? parseWebhookMemory(v) : undefined;
        return n !== undefined && n > 0 && n >= walBytes
          ? [{ field: `spec.postgresql.parameters.${k}`, message: `Invalid value. Parameter ${k} (default ${d}) should be smaller than WAL volume size`, value: v, fix: `keep ${k} below the WAL volume (${wal}), with room to spare` }]
          : [];
      });
    },
  }),
  r({
    id: '2.1#105', field: 'spec.postgresql.ldap', message: 'ldap server cannot be empty if any other ldap parameters are specified',
    fix: 'set ldap.server', upstream: CLUSTER_WEBHOOK('validateLDAP'),
    when: (c) => isObj(c.spec.postgresql?.ldap) && !nonEmpty(c.spec.postgresql.ldap.server),
  }),
  r({
    id: '2.1#106', field: 'spec.postgresql.ldap', message: 'only bind+search or bind method can be specified',
    fix: 'keep bindAsAuth or bindSearchAuth', upstream: CLUSTER_WEBHOOK('validateLDAP'),
    when: (c) => isObj(c.spec.postgresql?.ldap) && has(c.spec.postgresql.ldap.bindSearchAuth) && has(c.spec.postgresql.ldap.bindAsAuth),
  }),
  // 107 (podselector references) runs with the pg_hba syntax check: see 2.6#pg_hba
  r({
    id: '2.1#108', field: 'spec.podSelectorRefs', message: 'podSelectorRefs: duplicate names, invalid label selectors',
    fix: 'give each selector its own name and valid labels', upstream: CLUSTER_WEBHOOK('validatePodSelectorRefs'),
    when: (c) => {
      const refs = list(c.spec.podSelectorRefs);
      return [
        ...dupes(refs.map((x) => x?.name)).map((n) => ({ message: 'Duplicate value', value: n })),
        ...refs.flatMap((x, i) => labelSelectorProblems(`spec.podSelectorRefs[${i}].selector`, x?.selector)),
      ];
    },
  }),

  // ---- replication slots / logical decoding / managed extensions
  r({
    id: '2.1#109', field: 'spec.replicationSlots.synchronizeReplicas.excludePatterns', message: 'Cannot configure synchronizeReplicas. Invalid regexes were found',
    fix: 'use Go (RE2) regular expressions: no lookaround or backreferences', upstream: CLUSTER_WEBHOOK('validateReplicationSlots'),
    when: (c) => {
      const rs = c.spec.replicationSlots;
      const enabled = rs?.highAvailability?.enabled === true || rs?.synchronizeReplicas?.enabled === true;
      const bad = list(rs?.synchronizeReplicas?.excludePatterns).filter((p) => typeof p !== 'string' || !re2Compiles(p));
      return enabled && bad.length > 0 && { value: bad };
    },
  }),
  r({
    id: '2.1#110', field: 'spec.replicationSlots.highAvailability.synchronizeLogicalDecoding',
    message: 'pg_failover_slots extension must be enabled to use synchronizeLogicalDecoding with Postgres versions < 17',
    fix: 'set a pg_failover_slots.* parameter (standard images ship it), or use PostgreSQL 17+', upstream: CLUSTER_WEBHOOK('validateSynchronizeLogicalDecoding'),
    when: (c) => c.spec.replicationSlots?.highAvailability?.synchronizeLogicalDecoding === true && !managedExtensionUsed('pg_failover_slots', c.userParameters)
      && c.major !== undefined && c.major < 17,
  }),
  r({
    id: '2.1#111', field: 'spec.postgresql.parameters.hot_standby_feedback',
    message: '`hot_standby_feedback` must be enabled to enable `spec.replicationSlots.highAvailability.synchronizeLogicalDecoding`',
    fix: 'set hot_standby_feedback: "on"', upstream: CLUSTER_WEBHOOK('validateSynchronizeLogicalDecoding'),
    when: (c) => c.spec.replicationSlots?.highAvailability?.synchronizeLogicalDecoding === true && !managedExtensionUsed('pg_failover_slots', c.userParameters)
      && c.major !== undefined && c.major >= 17 && bool(c, 'hot_standby_feedback') !== true,
  }),
  r({
    id: '2.1#112', field: 'spec.postgresql.parameters.sync_replication_slots',
    message: 'either `sync_replication_slots` setting or pg_failover_slots extension must be enabled to enable `spec.replicationSlots.highAvailability.synchronizeLogicalDecoding`',
    fix: 'set sync_replication_slots: "on"', upstream: CLUSTER_WEBHOOK('validateSynchronizeLogicalDecoding'),
    when: (c) => c.spec.replicationSlots?.highAvailability?.synchronizeLogicalDecoding === true && !managedExtensionUsed('pg_failover_slots', c.userParameters)
      && c.major !== undefined && c.major >= 17 && bool(c, 'sync_replication_slots') !== true,
  }),
  r({
    id: '2.1#113', field: 'spec.postgresql.parameters.hot_standby_feedback', message: '`hot_standby_feedback` must be enabled to use pg_failover_slots extension',
    fix: 'set hot_standby_feedback: "on"', upstream: CLUSTER_WEBHOOK('validatePgFailoverSlots'),
    when: (c) => managedExtensionUsed('pg_failover_slots', c.userParameters) && bool(c, 'hot_standby_feedback') !== true,
  }),
  r({
    id: '2.1#114', field: 'spec.replicationSlots.highAvailability', message: 'High Availability replication slots must be enabled',
    fix: 'keep haReplicationSlots: true', upstream: CLUSTER_WEBHOOK('validatePgFailoverSlots'),
    when: (c) => managedExtensionUsed('pg_failover_slots', c.userParameters) && c.spec.replicationSlots?.highAvailability?.enabled !== true,
  }),

  // ---- env, services, roles, extensions, annotations, misc
  r({
    id: '2.1#115', field: 'spec.env[i].name', message: 'the usage of this environment variable is reserved for the operator',
    fix: RESERVED_ENV_FIX,
    upstream: `${CLUSTER_WEBHOOK('validateEnv')} + pkg/postgres/environment.go@${CNPG_VERSION} IsReservedEnvironmentVariable`,
    when: (c) => list(c.spec.env).flatMap((e, i) => (RESERVED_ENV(str(e?.name)) ? [{ field: `spec.env[${i}].name`, value: e.name }] : [])),
  }),
  r({
    id: '2.1#116', field: 'spec.managed.services.disabledDefaultServices', message: 'service of type RW cannot be disabled.',
    fix: 'disable only r or ro', upstream: CLUSTER_WEBHOOK('validateManagedServices'),
    when: (c) => list(c.spec.managed?.services?.disabledDefaultServices).includes('rw') && { value: 'rw' },
  }),
  r({
    id: '2.1#117', field: 'spec.managed.services.additional[i]', message: "the service name: '<n>' is reserved for operator use",
    fix: 'use a name other than <cluster>-rw, -ro, -r and -any', upstream: CLUSTER_WEBHOOK('validateManagedServices'),
    when: (c) => {
      const reserved = ['rw', 'ro', 'r', 'any'].map((s) => `${c.name}-${s}`);
      return list(c.spec.managed?.services?.additional).flatMap((s, i) => {
        const n = s?.serviceTemplate?.metadata?.name;
        return reserved.includes(n) ? [{ field: `spec.managed.services.additional[${i}]`, message: `the service name: '${n}' is reserved for operator use`, value: n }] : [];
      });
    },
  }),
  r({
    id: '2.1#118', field: 'spec.managed.services.additional[i]', message: 'selector field is managed by the operator / name is required',
    fix: 'set serviceTemplate.metadata.name and use selectorType instead of a selector', upstream: CLUSTER_WEBHOOK('validateServiceTemplate'),
    when: (c) => list(c.spec.managed?.services?.additional).flatMap((s, i) => {
      const at = `spec.managed.services.additional[${i}]`;
      const selector = s?.serviceTemplate?.spec?.selector;
      return [
        ...(isObj(selector) && Object.keys(selector).length > 0 ? [{ field: at, message: 'selector field is managed by the operator', value: selector, fix: 'use selectorType (rw, ro, r)' }] : []),
        ...(!nonEmpty(s?.serviceTemplate?.metadata?.name) ? [{ field: at, message: 'name is required', fix: 'set serviceTemplate.metadata.name' }] : []),
      ];
    }),
  }),
  r({
    id: '2.1#119', field: 'spec.managed.services.additional', message: 'contains services with the same .metadata.name',
    fix: 'give each service its own name', upstream: CLUSTER_WEBHOOK('validateManagedServices'),
    when: (c) => {
      const d = dupes(list(c.spec.managed?.services?.additional).map((s) => s?.serviceTemplate?.metadata?.name));
      return d.length > 0 && { value: d };
    },
  }),
  r({
    id: '2.1#120', field: 'spec.managed.roles', message: 'Role name is duplicate of another',
    fix: 'declare each role once', upstream: CLUSTER_WEBHOOK('validateManagedRoles'),
    when: (c) => dupes(list(c.spec.managed?.roles).map((x) => x?.name)).map((n) => ({ value: n })),
  }),
  r({
    id: '2.1#121', field: 'spec.managed.roles', message: 'Connection limit should be positive, unless defaulting to -1',
    fix: 'use -1 (no limit) or 0 and more', upstream: CLUSTER_WEBHOOK('validateManagedRoles'),
    when: (c) => list(c.spec.managed?.roles).flatMap((x) => (typeof x?.connectionLimit === 'number' && x.connectionLimit < -1 ? [{ value: x.connectionLimit }] : [])),
  }),
  // The webhook reports spec.managed.roles without the index; this rule names the role's index.
  r({
    id: '2.1#122', field: 'spec.managed.roles[i].name', message: 'This role is reserved for operator use',
    fix: 'rename it: postgres, streaming_replica and names starting with cnpg_ or pg_ are reserved',
    upstream: `${CLUSTER_WEBHOOK('validateManagedRoles')} + pkg/postgres/roles.go@${CNPG_VERSION} IsRoleReserved`,
    when: (c) => {
      const roles = list(c.spec.managed?.roles);
      return roles.flatMap((x, i) => (isReservedRoleName(str(x?.name))
        ? [{ field: `spec.managed.roles[${i}].name`, message: `This role is reserved for operator use: spec.managed.roles[${i}] (role ${i + 1} of ${roles.length}) is named "${str(x.name)}"`, value: x.name }]
        : []));
    },
  }),
  r({
    id: '2.1#123', field: 'spec.managed.roles', message: 'This role both sets and disables a password',
    fix: 'remove passwordSecret or disablePassword', upstream: CLUSTER_WEBHOOK('validateManagedRoles'),
    when: (c) => list(c.spec.managed?.roles).flatMap((x) => (x?.disablePassword === true && has(x.passwordSecret) ? [{ value: x.name }] : [])),
  }),
  r({
    id: '2.1#124', field: 'spec.postgresql.extensions[i].name', message: 'extension names: empty, duplicate, duplicate volume name',
    fix: 'give each extension its own name ("_" and "-" are the same in volume names)', upstream: CLUSTER_WEBHOOK('validateExtensions'),
    when: (c) => {
      const names = new Set<string>();
      const volumes = new Set<string>();
      return list(c.spec.postgresql?.extensions).flatMap((e, i): Hit[] => {
        const field = `spec.postgresql.extensions[${i}].name`;
        const n = str(e?.name);
        if (n === '') return [{ field, message: 'value cannot be empty' }];
        if (names.has(n)) return [{ field, message: 'Duplicate value', value: n }];
        names.add(n);
        const v = n.replace(/_/g, '-');
        const dup = volumes.has(v);
        volumes.add(v);
        return dup ? [{ field, message: `extension name results in duplicate volume name "${v}" after sanitization (underscores are converted to hyphens)`, value: n }] : [];
      });
    },
  }),
  r({
    id: '2.1#125', field: 'spec.postgresql.extensions[i].image.reference', message: 'Image reference for extension `<n>` must be set when no image catalog is configured',
    fix: 'set the extension image, or use an image catalog', upstream: CLUSTER_WEBHOOK('validateExtensions'),
    when: (c) => !has(c.spec.imageCatalogRef) && list(c.spec.postgresql?.extensions).flatMap((e, i) => (!nonEmpty(e?.image?.reference)
      ? [{ field: `spec.postgresql.extensions[${i}].image.reference`, message: `Image reference for extension \`${str(e?.name)}\` must be set when no image catalog is configured` }]
      : [])),
  }),
  r({
    id: '2.1#126', field: 'spec.postgresql.extensions[i].<path list>[j]', message: 'extension paths: empty, duplicate, escaping the extension directory',
    fix: 'use distinct relative paths inside the extension image', upstream: CLUSTER_WEBHOOK('validateExtensions'),
    when: (c) => list(c.spec.postgresql?.extensions).flatMap((e, i) => ['extension_control_path', 'dynamic_library_path', 'ld_library_path', 'bin_path'].flatMap((k) => {
      const seen = new Set<string>();
      return list(e?.[k]).flatMap((p, j): Hit[] => {
        const field = `spec.postgresql.extensions[${i}].${k}[${j}]`;
        if (typeof p !== 'string' || p === '') return [{ field, message: 'value cannot be empty' }];
        if (seen.has(p)) return [{ field, message: 'Duplicate value', value: p }];
        seen.add(p);
        return escapesDir(p) ? [{ field, message: 'path must not escape the extension directory', value: p }] : [];
      });
    })),
  }),
  // Placeholders: "$${…}" is an escaped literal (unknownPlaceholders).
  r({
    id: '2.1#127', field: 'spec.postgresql.extensions[i].env[j]', message: 'extension env: reserved names, PATH/LD_LIBRARY_PATH, placeholders, duplicates',
    fix: 'use ${image_root} as the only placeholder; write $${…} for a literal ${…}',
    upstream: `${CLUSTER_WEBHOOK('validateExtensionEnvVars')} + pkg/postgres/environment.go@${CNPG_VERSION} FindUnknownPlaceholders`,
    when: (c) => list(c.spec.postgresql?.extensions).flatMap((e, i) => {
      const seen = new Set<string>();
      return list(e?.env).flatMap((v, j) => {
        const at = `spec.postgresql.extensions[${i}].env[${j}]`;
        const n = str(v?.name);
        const unknown = unknownPlaceholders(str(v?.value));
        const dup = seen.has(n);
        seen.add(n);
        return [
          ...(RESERVED_ENV(n) ? [{ field: `${at}.name`, message: 'the usage of this environment variable is reserved for the operator', value: n, fix: RESERVED_ENV_FIX }] : []),
          ...(n === 'PATH' ? [{ field: `${at}.name`, message: `PATH must be configured via spec.postgresql.extensions[${i}].bin_path`, fix: 'list the directories in bin_path' }] : []),
          ...(n === 'LD_LIBRARY_PATH' ? [{ field: `${at}.name`, message: `LD_LIBRARY_PATH must be configured via spec.postgresql.extensions[${i}].ld_library_path`, fix: 'list the directories in ld_library_path' }] : []),
          ...(unknown.length ? [{ field: `${at}.value`, message: `unsupported placeholder(s): ${unknown.join(', ')}; supported: \${image_root}`, value: v.value }] : []),
          ...(dup ? [{ field: `${at}.name`, message: 'Duplicate value', value: n, fix: 'set each variable once' }] : []),
        ];
      });
    }),
  }),
  r({
    id: '2.1#128', field: 'metadata.annotations.cnpg.io/hibernation', message: 'Annotation value for hibernation should be "on" or "off"',
    fix: 'use "on" or "off"', upstream: CLUSTER_WEBHOOK('validateHibernationAnnotation'),
    when: (c) => {
      const v = c.annotations['cnpg.io/hibernation'];
      return v !== undefined && v !== 'on' && v !== 'off' && { value: v };
    },
  }),
  // The patch is decoded, then applied to the instance Pod built from the Cluster (pkg/specs/pods.go@v1.30.0
  // NewInstance) and decoded back into a Pod, see pod-patch.ts. At creation the Pod has no image yet.
  r({
    id: '2.1#129', field: 'metadata.annotations.cnpg.io/podPatch', message: "error decoding JSON patch / jsonpatch doesn't apply cleanly to the pod",
    fix: 'patch only paths the instance Pod has; append to arrays with "/-"',
    upstream: `${CLUSTER_WEBHOOK('validatePodPatchAnnotation')} + pkg/specs/pods.go@${CNPG_VERSION} buildInstance`,
    when: (c) => {
      const v = c.annotations['cnpg.io/podPatch'];
      const problem = v === undefined ? undefined : podPatchProblem(String(v), c.obj, { existing: c.existing });
      return problem !== undefined && {
        message: problem,
        value: v,
        fix: problem.startsWith('error decoding')
          ? 'write an RFC 6902 JSON patch: [{"op": "add", "path": "...", "value": ...}]'
          : 'patch only paths the instance Pod has (replace, remove and test need an existing path, add needs its parent; append to arrays with "/-"); see docs/rules.md#2-1-129 for the Pod the operator builds',
      };
    },
  }),
  r({
    id: '2.1#130', field: 'metadata.annotations.alpha.cnpg.io/livenessPinger', message: 'error decoding liveness pinger config',
    fix: 'the annotation is deprecated: use spec.probes.liveness.isolationCheck', upstream: CLUSTER_WEBHOOK('validateLivenessPingerProbe'),
    when: (c) => {
      const v = c.annotations['alpha.cnpg.io/livenessPinger'];
      if (v === undefined) return undefined;
      let problem: string | undefined;
      try {
        const parsed = JSON.parse(String(v));
        if (!isObj(parsed) || typeof parsed.enabled !== 'boolean') problem = 'the "enabled" field is required';
      } catch (e) {
        problem = (e as Error).message;
      }
      return problem !== undefined && { message: `error decoding liveness pinger config: ${problem}`, value: v };
    },
  }),
  r({
    id: '2.1#131', field: 'spec.superuserSecret.name', message: "Super user secret name can't be empty",
    fix: 'name the secret, or remove superuserSecret', upstream: CLUSTER_WEBHOOK('validateSuperuserSecret'),
    when: (c) => isObj(c.spec.superuserSecret) && !nonEmpty(c.spec.superuserSecret.name),
  }),
  r({
    id: '2.1#132', field: 'spec.certificates.serverAltDNSNames', message: "Server alternative DNS names can't be defined when server TLS secret is provided",
    fix: 'put the names in your server certificate instead', upstream: CLUSTER_WEBHOOK('validateCerts'),
    when: (c) => nonEmpty(c.spec.certificates?.serverTLSSecret) && list(c.spec.certificates?.serverAltDNSNames).length > 0,
  }),
  r({
    id: '2.1#133', field: 'spec.certificates.serverCASecret', message: "Server CA secret can't be empty when server TLS secret is provided",
    fix: 'set serverCASecret', upstream: CLUSTER_WEBHOOK('validateCerts'),
    when: (c) => nonEmpty(c.spec.certificates?.serverTLSSecret) && !nonEmpty(c.spec.certificates?.serverCASecret),
  }),
  r({
    id: '2.1#134', field: 'spec.certificates.clientCASecret', message: "Client CA secret can't be empty when client replication secret is provided",
    fix: 'set clientCASecret', upstream: CLUSTER_WEBHOOK('validateCerts'),
    when: (c) => nonEmpty(c.spec.certificates?.replicationTLSSecret) && !nonEmpty(c.spec.certificates?.clientCASecret),
  }),
  r({
    id: '2.1#135', field: 'spec.serviceAccountName', message: 'serviceAccountName and serviceAccountTemplate are mutually exclusive',
    fix: 'keep one of serviceAccountName and serviceAccountTemplate', upstream: CLUSTER_WEBHOOK('validateServiceAccountConfig'),
    when: (c) => nonEmpty(c.spec.serviceAccountName) && has(c.spec.serviceAccountTemplate),
  }),
  r({
    id: '2.1#136', field: 'spec.primaryLease.leaseDurationSeconds', message: 'leaseDurationSeconds must be greater than renewDeadlineSeconds',
    fix: 'make it greater than renewDeadlineSeconds', upstream: CLUSTER_WEBHOOK('validatePrimaryLease'),
    when: (c) => {
      const l = c.spec.primaryLease;
      return isObj(l) && (l.leaseDurationSeconds ?? 15) <= (l.renewDeadlineSeconds ?? 10) && { value: l.leaseDurationSeconds ?? 15 };
    },
  }),
  r({
    id: '2.1#137', field: 'spec.primaryLease.renewDeadlineSeconds', message: 'renewDeadlineSeconds must be greater than retryPeriodSeconds multiplied by 1.2',
    fix: 'make it greater than 1.2 × retryPeriodSeconds', upstream: CLUSTER_WEBHOOK('validatePrimaryLease'),
    when: (c) => {
      const l = c.spec.primaryLease;
      return isObj(l) && 5 * (l.renewDeadlineSeconds ?? 10) <= 6 * (l.retryPeriodSeconds ?? 2) && { value: l.renewDeadlineSeconds ?? 10 };
    },
  }),

  // ---- W: the webhook's warnings
  r({
    id: 'W1', field: 'spec.nodeMaintenanceWindow', message: 'Consider using `.spec.enablePDB` instead of the node maintenance window feature',
    fix: 'remove nodeMaintenanceWindow and keep enablePDB', upstream: CLUSTER_WEBHOOK('getMaintenanceWindowsAdmissionWarnings'),
    when: (c) => has(c.rawSpec.nodeMaintenanceWindow),
  }),
  r({
    id: 'W2', field: 'spec.backup.barmanObjectStore',
    message: 'Native support for Barman Cloud backups and recovery is deprecated and will be completely removed in CloudNativePG 1.31.0.',
    fix: 'migrate to the Barman Cloud plugin (BackupStore.archiveWal, ClusterRecovery.fromBackupStore)', upstream: CLUSTER_WEBHOOK('getInTreeBarmanWarnings'),
    when: (c) => {
      const paths = [
        ...(has(c.spec.backup?.barmanObjectStore) ? ['spec.backup.barmanObjectStore'] : []),
        ...list(c.spec.externalClusters).flatMap((e, i) => (has(e?.barmanObjectStore) ? [`spec.externalClusters[${i}].barmanObjectStore`] : [])),
      ];
      return paths.length > 0 && {
        field: paths[0],
        message: `Native support for Barman Cloud backups and recovery is deprecated and will be completely removed in CloudNativePG 1.31.0. Found usage in: ${paths.join(', ')}`,
      };
    },
  }),
  r({
    id: 'W3', field: 'spec.backup.retentionPolicy',
    message: 'Retention policies specified in .spec.backup.retentionPolicy are only used by the in-tree barman-cloud support, which is not being used in this cluster.',
    fix: 'set the retention policy on the plugin\'s ObjectStore (BackupStore retentionPolicy)', upstream: CLUSTER_WEBHOOK('getRetentionPolicyWarnings'),
    when: (c) => nonEmpty(c.spec.backup?.retentionPolicy) && !has(c.spec.backup?.barmanObjectStore) && {
      message: 'Retention policies specified in .spec.backup.retentionPolicy are only used by the in-tree barman-cloud support, which is not being used in this cluster',
      value: c.spec.backup.retentionPolicy,
    },
  }),
  r({
    id: 'W4', field: 'spec.storage|walStorage.storageClass|size', message: '<x> and <pvcTemplate.y> are both specified, <x> value will be used.',
    fix: 'set the value in one place', upstream: CLUSTER_WEBHOOK('getStorageWarnings'),
    when: (c) => (['storage', 'walStorage'] as const).flatMap((k) => {
      const s = c.rawSpec[k];
      if (!isObj(s) || !isObj(s.pvcTemplate)) return [];
      return [
        ...(has(s.storageClass) && has(s.pvcTemplate.storageClassName)
          ? [{ field: `spec.${k}.storageClass`, message: `spec.${k}.storageClass and spec.${k}.pvcTemplate.storageClassName are both specified, spec.${k}.storageClass value will be used.` }]
          : []),
        ...(nonEmpty(s.size) && parseQuantity(String(s.pvcTemplate.resources?.requests?.storage ?? '')) > 0
          ? [{ field: `spec.${k}.size`, message: `spec.${k}.size and spec.${k}.pvcTemplate.resources.requests.storage are both specified, spec.${k}.size value will be used.` }]
          : []),
      ];
    }),
  }),
  r({
    id: 'W5', field: 'spec.postgresql.parameters.shared_buffers', message: '`shared_buffers` value is missing a unit',
    fix: 'write the unit, e.g. "512MB"', upstream: CLUSTER_WEBHOOK('getSharedBuffersWarnings'),
    when: (c) => {
      const v = c.userParameters.shared_buffers;
      return typeof v === 'string' && /^[+-]?\d+$/.test(v) && {
        message: `\`shared_buffers\` value '${v}' is missing a unit (e.g., MB, GB). While this is currently allowed, future releases will require an explicit unit`,
        value: v,
        fix: `write '${v}MB' (note: PostgreSQL itself reads a bare number as 8kB pages, CloudNativePG as MB)`,
      };
    },
  }),
  r({
    id: 'W6', field: 'spec.monitoring.metricsQueriesTTL', message: 'spec.monitoring.metricsQueriesTTL is explicitly set to 0',
    fix: 'remove it (default 30s)', upstream: CLUSTER_WEBHOOK('getMonitoringFieldsWarnings'),
    when: (c) => goDurationIsZero(c.rawSpec.monitoring?.metricsQueriesTTL) && {
      message: 'spec.monitoring.metricsQueriesTTL is explicitly set to 0; this disables automatic TTL behavior and can cause heavy load on the PostgreSQL server.',
      value: c.rawSpec.monitoring.metricsQueriesTTL,
    },
  }),
  r({
    id: 'W7', field: 'spec.monitoring.enablePodMonitor', message: 'spec.monitoring.enablePodMonitor / podMonitor*Relabelings are deprecated',
    fix: 'create a PodMonitor yourself (PodMonitor.forCluster) and leave the field false', upstream: CLUSTER_WEBHOOK('getDeprecatedMonitoringFieldsWarnings'),
    when: (c) => {
      const m = c.rawSpec.monitoring;
      if (!isObj(m)) return undefined;
      const relabelings = (k: string): Hit[] => (list(m[k]).length
        ? [{ field: `spec.monitoring.${k}`, message: `spec.monitoring.${k} is deprecated and will be removed in a future release`, fix: 'manage your own PodMonitor with relabelings' }]
        : []);
      return [
        ...(m.enablePodMonitor === true ? [{ message: 'spec.monitoring.enablePodMonitor is deprecated and will be removed in a future release' }] : []),
        ...relabelings('podMonitorMetricRelabelings'),
        ...relabelings('podMonitorRelabelings'),
      ];
    },
  }),
  r({
    id: 'W8', field: 'metadata.annotations.cnpg.io/validation', message: 'validation webhook is disabled / invalid "cnpg.io/validation" annotation',
    fix: 'remove the annotation', upstream: `internal/webhook/v1/common.go@${CNPG_VERSION} (bypassable validator)`,
    when: (c) => {
      const v = c.annotations['cnpg.io/validation'];
      if (v === undefined || v === '' || v === 'enabled') return undefined;
      return v === 'disabled'
        ? { message: 'validation webhook is disabled — all changes are accepted without validation. This may lead to unsafe or destructive operations (this library still checks the rules at synth)', value: v }
        : { message: `invalid "cnpg.io/validation" annotation: "${String(v)}" (expected "enabled" or "disabled")`, value: v };
    },
  }),

  // ---- 2.4: CRD rules (API server)
  r({
    id: '2.4#image-exclusive', field: 'spec', message: 'imageName and imageCatalogRef are mutually exclusive',
    fix: 'remove imageName or imageCatalogRef', upstream: CLUSTER_CRD('x-kubernetes-validations of spec'),
    when: (c) => has(c.rawSpec.imageName) && has(c.rawSpec.imageCatalogRef),
  }),
  r({
    id: '2.4#image-catalog', field: 'spec.imageCatalogRef', message: 'Only image catalogs are supported; kind, major and name are required',
    fix: 'reference an ImageCatalog or ClusterImageCatalog of postgresql.cnpg.io with its major', upstream: CLUSTER_CRD('x-kubernetes-validations of spec.imageCatalogRef'),
    when: (c) => {
      const ref = c.rawSpec.imageCatalogRef;
      if (!isObj(ref)) return undefined;
      return [
        ...(ref.kind !== 'ImageCatalog' && ref.kind !== 'ClusterImageCatalog' ? [{ field: 'spec.imageCatalogRef.kind', message: 'Only image catalogs are supported', value: ref.kind }] : []),
        ...(ref.apiGroup !== 'postgresql.cnpg.io' ? [{ field: 'spec.imageCatalogRef.apiGroup', message: 'Only image catalogs are supported', value: ref.apiGroup, fix: 'use apiGroup postgresql.cnpg.io' }] : []),
        ...(!Number.isInteger(ref.major) ? [{ field: 'spec.imageCatalogRef.major', message: 'Required value', value: ref.major }] : []),
        ...(!nonEmpty(ref.name) ? [{ field: 'spec.imageCatalogRef.name', message: 'Required value' }] : []),
      ];
    },
  }),
  r({
    id: '2.4#initdb-locale', field: 'spec.bootstrap.initdb', message: 'builtinLocale/icuLocale/icuRules are only available with the matching localeProvider',
    fix: 'set localeProvider to builtin or icu', upstream: CLUSTER_CRD('x-kubernetes-validations of spec.bootstrap.initdb'),
    when: (c) => localeProviderProblems(c.rawSpec.bootstrap?.initdb, 'spec.bootstrap.initdb'),
  }),
  r({
    id: '2.4#synchronous', field: 'spec.postgresql.synchronous',
    message: "synchronous: method and number required, number > 0, dataDurability 'preferred' requires empty standbyNamesPre/Post",
    fix: 'set method (any, first) and number > 0', upstream: CLUSTER_CRD('schema and x-kubernetes-validations of spec.postgresql.synchronous'),
    when: (c) => {
      const s = c.rawSpec.postgresql?.synchronous;
      if (!isObj(s)) return undefined;
      const at = 'spec.postgresql.synchronous';
      const out: Hit[] = [];
      if (s.method !== 'any' && s.method !== 'first') out.push({ field: `${at}.method`, message: 'Unsupported value: must be "any" or "first"', value: s.method });
      if (typeof s.number !== 'number') out.push({ field: `${at}.number`, message: 'Required value' });
      else if (s.number <= 0) out.push({ field: `${at}.number`, message: 'The number of synchronous replicas should be greater than zero', value: s.number });
      if (has(s.dataDurability) && s.dataDurability !== 'required' && s.dataDurability !== 'preferred') out.push({ field: `${at}.dataDurability`, message: 'Unsupported value: must be "required" or "preferred"', value: s.dataDurability });
      if (s.dataDurability === 'preferred' && (list(s.standbyNamesPre).length > 0 || list(s.standbyNamesPost).length > 0)) {
        out.push({ message: "dataDurability set to 'preferred' requires empty 'standbyNamesPre' and empty 'standbyNamesPost'" });
      }
      return out;
    },
  }),
  r({
    id: '2.4#instances', field: 'spec.instances', message: 'spec.instances is required and at least 1',
    fix: 'use 1 or more', upstream: CLUSTER_CRD('schema of spec.instances (minimum 1)'),
    when: (c) => {
      const n = c.rawSpec.instances;
      // the message states the minimum: no fix (construct tests pin this line)
      return has(n) && !(Number.isInteger(n) && n >= 1) && { message: 'should be an integer greater than or equal to 1', value: n, fix: null };
    },
  }),
  r({
    id: '2.4#enums', field: 'spec.*', message: 'enumerated fields',
    fix: 'use one of the values the message lists', upstream: CLUSTER_CRD('enum constraints'),
    when: (c) => enumProblems(c.rawSpec),
  }),
  r({
    id: '2.4#patterns', field: 'spec.*', message: 'field patterns (slotPrefix, extension and podSelectorRefs names, ephemeral volume sizes, serviceAccountName)',
    fix: 'match the pattern the message shows', upstream: CLUSTER_CRD('pattern and maxLength constraints'),
    when: (c) => patternProblems(c.rawSpec),
  }),
  r({
    id: '2.4#minimums', field: 'spec.*', message: 'field minimums (walSegmentSize 1..1024, maxParallel, updateInterval, primaryLease)',
    fix: 'stay within the range the message shows', upstream: CLUSTER_CRD('minimum and maximum constraints'),
    when: (c) => minimumProblems(c.rawSpec),
  }),
  r({
    id: '2.4#required', field: 'spec.*', message: 'required sub-fields',
    fix: 'set the field', upstream: CLUSTER_CRD('required fields'),
    when: (c) => requiredProblems(c.rawSpec),
  }),

  // ---- 2.6: PostgreSQL parameters and pg_hba (procedures of parameters.ts and pg-hba.ts, which report sub-rules)
  r({
    id: '2.6#parameters', field: 'spec.postgresql.parameters',
    message: 'parameter names (2.1#93), forbidden parameters (2.1#94), string values (2.6#string-values), PostgreSQL names and values (2.6#postgres; lib#parameters-unchecked for majors without a table)',
    upstream: 'group of 2.1#93, 2.1#94, 2.6#string-values, 2.6#postgres, lib#parameters-unchecked',
    reports: [
      {
        id: '2.1#93', section: '2.1', severity: 'error', field: 'spec.postgresql.parameters.<name>',
        message: 'must be a valid PostgreSQL configuration parameter name (a GUC name, optionally namespaced with a single dot)',
        fix: 'use letters, digits and "_" (no "$": PostgreSQL cannot read it from postgresql.conf), with at most one "."',
        upstream: `${CLUSTER_WEBHOOK('validateConfiguration')} (postgresParameterNameRegex)`,
      },
      {
        id: '2.1#94', section: '2.1', severity: 'error', field: 'spec.postgresql.parameters.<name>',
        message: 'Can\'t set fixed configuration parameter (the operator manages it, or it must keep its default)',
        fix: 'remove it; each parameter\'s message says where the operator takes it from',
        upstream: `${CLUSTER_WEBHOOK('validateConfiguration')} + pkg/postgres/configuration.go@${CNPG_VERSION} FixedConfigurationParameters`,
      },
      {
        id: '2.6#string-values', section: '2.4', severity: 'error', field: 'spec.postgresql.parameters.<name>', message: 'parameter values are strings',
        fix: 'write the value as a string', upstream: CLUSTER_CRD('schema of spec.postgresql.parameters (map of strings)'),
      },
      {
        id: '2.6#postgres', section: '2.6', severity: 'error', field: 'spec.postgresql.parameters.<name>',
        message: 'PostgreSQL of the cluster\'s major accepts the name and the value (type, unit, range, enum values, extension loaded)',
        fix: 'use a name and value PostgreSQL of the cluster\'s major accepts', upstream: POSTGRES('pg_settings (names, types, units, ranges, enum values)'),
      },
      {
        id: 'lib#parameters-unchecked', section: 'library', severity: 'warning', field: 'spec.postgresql.parameters',
        message: 'the parameters cannot be checked: the major is unknown or has no settings table', fix: 'use PostgreSQL 16, 17 or 18, or review the parameters by hand',
      },
    ],
    when: parameterFindings,
  }),
  r({
    id: '2.6#pg_hba', field: 'spec.postgresql.pg_hba[i]',
    message: 'pg_hba syntax as PostgreSQL parses it (2.6#pg_hba), ${podselector:NAME} references (2.1#107), operator roles (lib#pg_hba-operator-roles), shadowed local lines (lib#pg_hba-local), md5 (lib#pg_hba-md5)',
    fix: 'write the line as pg_hba.conf reads it', upstream: POSTGRES('hba.c parse_hba_line'),
    reports: [
      {
        id: '2.1#107', section: '2.1', severity: 'error', field: 'spec.postgresql.pg_hba[i]', message: '${podselector:NAME} in a pg_hba line names a spec.podSelectorRefs entry',
        fix: 'declare the selector in spec.podSelectorRefs', upstream: CLUSTER_WEBHOOK('validatePodSelectorRefs'),
      },
      {
        id: 'lib#pg_hba-operator-roles', section: 'library', severity: 'error', field: 'spec.postgresql.pg_hba[i]',
        message: 'pg_hba lines do not name the operator\'s roles (streaming_replica, cnpg_pooler_pgbouncer)',
        fix: `leave the operator's roles to the operator's own pg_hba lines (pkg/postgres/hba/hba.go@${CNPG_VERSION} writes them first)`,
      },
      {
        id: 'lib#pg_hba-local', section: 'library', severity: 'warning', field: 'spec.postgresql.pg_hba[i]',
        message: 'a local line has no effect: the operator\'s own local lines come first', fix: 'remove the line: the operator\'s local lines come first',
      },
      {
        id: 'lib#pg_hba-md5', section: 'library', severity: 'warning', field: 'spec.postgresql.pg_hba[i]', message: 'md5 authentication (use scram-sha-256)',
        fix: 'use scram-sha-256',
      },
    ],
    when: hbaFindings,
  }),
];

/** Every rule id a Cluster problem can carry (the table's, and the sub-rules of the 2.6 rows). */
export const CLUSTER_RULE_IDS: readonly string[] = CLUSTER_RULES.flatMap((x) => [
  ...(x.reports && x.id === '2.6#parameters' ? [] : [x.id]),
  ...(x.reports ?? []).map((s) => s.id),
]);
