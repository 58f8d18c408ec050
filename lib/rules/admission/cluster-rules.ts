/**
 * CloudNativePG 1.30's admission rules for a Cluster, as a table. Every rule has an id documented in `docs/rules.md`
 * (generated from this table by `npm run gen:rules`; `2.1#N`: webhook rule N; `W<N>`: webhook warning; `2.4#…`: CRD
 * schema and CEL rules; `2.6#…`: PostgreSQL parameters and pg_hba; `lib#…`: this library's own rules), the webhook's
 * message, the upstream function it mirrors (`rule-meta.ts`, or the row's `upstream`), and a check on the defaulted
 * wire JSON.
 *
 * Fields are reported with their JSON paths (`spec.replica.enabled`), also where the webhook reports a Go path
 * (`spec.replicaCluster.enabled`).
 */
import { isDns1035Label, isLabelKey, isLabelValue, isQuantity, parseQuantity } from '../../core/k8s-syntax';
import { Problem } from '../../core/problems';
import { recoveryTargetProblems } from '../recovery-target';
import { pgHbaProblems } from '../pg-hba';
import { computedArchiveMode, isReplicaCluster, parseGoBool } from './defaults';
import {
  managedExtensionUsed, parsePostgresBoolean, parseWebhookMemory, postgresParameterProblems,
} from './parameters';
import { isVersionError, parseImageReference, versionFromTag } from '../image-reference';
import { podPatchProblem } from './pod-patch';
import { CLUSTER_WEBHOOK, RULE_META } from './rule-meta';
import { AdmissionRule } from './types';

/** What a Cluster rule sees. */
export interface ClusterContext {
  /** The object as rendered (before defaulting). */
  readonly raw: any;
  /** The defaulted object. */
  readonly obj: any;
  /** `obj.spec` (defaulted), never undefined. */
  readonly spec: any;
  /** `raw.spec`, never undefined. */
  readonly rawSpec: any;
  readonly name: string;
  readonly annotations: Record<string, unknown>;
  /** `spec.postgresql.parameters` as written. */
  readonly userParameters: Record<string, unknown>;
  /** The defaulted parameters (global defaults, the user's values, archive_mode). */
  readonly parameters: Record<string, string>;
  /** PostgreSQL major (from `imageCatalogRef.major` or the image tag), when it can be read. */
  readonly major?: number;
  readonly instances: number;
  readonly replica: boolean;
  /** The object is already deployed: the webhook sees its status (e.g. the instance image). */
  readonly existing: boolean;
}

/** A problem; a rule that groups several (the 2.6 ones) sets the sub-rule id and the severity per finding. */
export type Finding = Problem & { readonly severity?: 'error' | 'warning' };

type Check = (ctx: ClusterContext) => Finding[];

/** Per-row options: severity, create-only, and the catalogue's columns (default: `RULE_META[id]`). */
interface RuleExtra {
  readonly severity?: 'error' | 'warning';
  readonly createOnly?: boolean;
  readonly upstream?: string;
  readonly field?: string;
  readonly fix?: string;
}

function rule(id: string, section: AdmissionRule<ClusterContext>['section'], message: string, check: Check, extra: RuleExtra = {}): AdmissionRule<ClusterContext> {
  const meta = { ...RULE_META[id], ...extra };
  return {
    id, section, message, severity: extra.severity ?? 'error', createOnly: extra.createOnly, check,
    upstream: meta.upstream, field: meta.field, fix: meta.fix,
  };
}

// ------------------------------------------------------------------------------------------------------------------
// helpers

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const has = (v: unknown): boolean => v !== undefined && v !== null;
const nonEmpty = (v: unknown): boolean => (typeof v === 'string' ? v !== '' : has(v));

function dupes<T>(values: T[]): T[] {
  const seen = new Set<T>();
  const out: T[] = [];
  for (const v of values) {
    if (seen.has(v) && !out.includes(v)) out.push(v);
    seen.add(v);
  }
  return out;
}

function externalCluster(ctx: ClusterContext, name: unknown): any {
  return list(ctx.spec.externalClusters).find((e) => isObj(e) && e.name === name);
}

/**
 * The tag of an image reference as the operator reads it (machinery `reference.New`, see `image-reference.ts`):
 * `latest` when there is neither tag nor digest, undefined when there is only a digest.
 */
export function imageTag(imageName: string): { tag?: string; digest: boolean } {
  const ref = parseImageReference(imageName);
  return { tag: ref.tag === '' ? undefined : ref.tag, digest: ref.digest !== '' };
}

/**
 * The PostgreSQL major of a Cluster object: `imageCatalogRef.major`, else the version of the image tag
 * (`api/v1/cluster_funcs.go@v1.30.0` `GetPostgresqlMajorVersion`: machinery `version.FromTag`); undefined when the
 * tag does not parse.
 */
export function clusterMajor(cluster: any): number | undefined {
  const spec = cluster?.spec ?? {};
  if (isObj(spec.imageCatalogRef) && Number.isInteger(spec.imageCatalogRef.major)) return spec.imageCatalogRef.major;
  if (typeof spec.imageName !== 'string' || spec.imageName === '') return undefined;
  const v = versionFromTag(parseImageReference(spec.imageName).tag);
  return isVersionError(v) ? undefined : v.major;
}

/** A storage stanza's size: `size`, else `pvcTemplate.resources.requests.storage` (`GetSizeOrNil`). */
export function storageSize(storage: any): string | undefined {
  if (!isObj(storage)) return undefined;
  if (typeof storage.size === 'string' && storage.size !== '') return storage.size;
  const req = storage.pvcTemplate?.resources?.requests?.storage;
  return typeof req === 'string' || typeof req === 'number' ? String(req) : undefined;
}

function storageSizeRules(path: string, storage: any, ids?: { invalid: string; missing: string }): Finding[] {
  const out: Finding[] = [];
  if (!isObj(storage)) return out;
  const size = storage.size;
  if (typeof size === 'string' && size !== '' && !isQuantity(size)) {
    out.push({ field: `${path}.size`, message: 'Size value isn\'t valid', value: size, fix: 'use a Kubernetes quantity such as "40Gi"', rule: ids?.invalid });
  }
  if ((size === undefined || size === '') && !(parseQuantity(String(storage.pvcTemplate?.resources?.requests?.storage ?? '')) > 0)) {
    out.push({ field: `${path}.size`, message: 'Size not configured. Please add it, or a storage request in the pvcTemplate.', fix: 'set the size, e.g. "40Gi"', rule: ids?.missing });
  }
  return out;
}

/** Kubernetes `ValidateLabelSelector` (the parts that matter for podSelectorRefs). */
function labelSelectorProblems(path: string, sel: any): Finding[] {
  const out: Finding[] = [];
  if (!isObj(sel)) return out;
  for (const [k, v] of Object.entries(isObj(sel.matchLabels) ? sel.matchLabels : {})) {
    if (!isLabelKey(k)) out.push({ field: `${path}.matchLabels`, message: 'invalid label key', value: k });
    if (typeof v !== 'string' || !isLabelValue(v)) out.push({ field: `${path}.matchLabels.${k}`, message: 'invalid label value', value: v });
  }
  list(sel.matchExpressions).forEach((e, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    if (!isObj(e)) return;
    if (!isLabelKey(str(e.key))) out.push({ field: `${at}.key`, message: 'invalid label key', value: e.key });
    const values = list(e.values);
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (values.length === 0) out.push({ field: `${at}.values`, message: 'must be specified when `operator` is \'In\' or \'NotIn\'' });
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length > 0) out.push({ field: `${at}.values`, message: 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'' });
    } else {
      out.push({ field: `${at}.operator`, message: 'not a valid selector operator', value: e.operator, fix: 'use In, NotIn, Exists or DoesNotExist' });
    }
  });
  return out;
}

/** Whether a regular expression compiles in Go's RE2 (approximated: JavaScript syntax without RE2's exclusions). */
function re2Compiles(source: string): boolean {
  if (/\(\?[=!]|\(\?<[=!]|\\[1-9]|\(\?<[A-Za-z]/.test(source)) return false; // lookaround, backreferences, JS named groups
  try {
    new RegExp(source.replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>'));
    return true;
  } catch {
    return false;
  }
}

/**
 * The unknown `${…}` placeholders of an extension env value (`pkg/postgres/environment.go@v1.30.0`
 * `FindUnknownPlaceholders`): a run of `$` before `{name}` is a placeholder when odd, escaped literals when even
 * (`$${x}` is the text `${x}`); `${image_root}` is the only known one.
 */
export function unknownPlaceholders(value: string): string[] {
  return [...value.matchAll(/(\$+)\{([^}]+)\}/g)]
    .filter((m) => m[1].length % 2 === 1 && m[2] !== 'image_root')
    .map((m) => `\${${m[2]}}`);
}

const RESERVED_ENV = (name: string) => {
  const u = name.toUpperCase();
  return u.startsWith('CNPG_') || u.startsWith('PG') || ['POD_NAME', 'NAMESPACE', 'CLUSTER_NAME'].includes(u);
};

/** CloudNativePG's reserved role names (`IsRoleReserved`). */
export function isReservedRole(name: string): boolean {
  return name === 'postgres' || name === 'streaming_replica' || name.startsWith('cnpg_') || name.startsWith('pg_');
}

/** Bytes as PostgreSQL writes a memory setting: the largest of TB, GB, MB, kB that divides it, else B. */
function formatBytes(bytes: number): string {
  for (const [unit, size] of [['TB', 2 ** 40], ['GB', 2 ** 30], ['MB', 2 ** 20], ['kB', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return bytes >= 2 ** 20 ? `${Math.round(bytes / 2 ** 20)}MB` : `${bytes}B`;
}

function goDurationIsZero(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  return /^[+-]?((0+(\.0*)?|\.0+)(ns|us|µs|ms|s|m|h))+$/.test(v) || /^[+-]?0$/.test(v);
}

function bool(ctx: ClusterContext, name: string): boolean | undefined {
  const v = ctx.userParameters[name];
  return typeof v === 'string' ? parsePostgresBoolean(v) : undefined;
}

function escapesDir(p: string): boolean {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0 || parts[parts.length - 1] === '..') parts.push('..');
      else parts.pop();
    } else parts.push(seg);
  }
  return !p.startsWith('/') && parts[0] === '..';
}

const PATH_COMPONENT_BAD = (s: string) => s === '.' || s === '..' || s.includes('/') || s.includes('\\');

const RECOVERY_FIELD = 'spec.bootstrap.recovery.recoveryTarget';

// ------------------------------------------------------------------------------------------------------------------
// the table

export const CLUSTER_RULES: readonly AdmissionRule<ClusterContext>[] = [
  // ---- bootstrap / application database
  rule('2.1#2', '2.1', 'You need to specify the database name', (c) => {
    const i = c.spec.bootstrap?.initdb;
    return isObj(i) && nonEmpty(i.owner) && !nonEmpty(i.database)
      ? [{ field: 'spec.bootstrap.initdb.database', message: 'You need to specify the database name', fix: 'set the database of the owner (the monolith import does not default it)' }]
      : [];
  }),
  rule('2.1#5', '2.1', 'WAL segment size must be a power of 2', (c) => {
    const w = c.spec.bootstrap?.initdb?.walSegmentSize;
    return typeof w === 'number' && w !== 0 && (w < 0 || (w & (w - 1)) !== 0)
      ? [{ field: 'spec.bootstrap.initdb.walSegmentSize', message: 'WAL segment size must be a power of 2', value: w, fix: 'use 16, 32, 64, … (MB)' }]
      : [];
  }),
  rule('2.1#6', '2.1', 'key and name must be specified', (c) => refsProblems(c, 'secretRefs')),
  rule('2.1#7', '2.1', 'key and name must be specified', (c) => refsProblems(c, 'configMapRefs')),
  rule('2.1#8', '2.1', 'Unrecognized import type', (c) => {
    const imp = c.spec.bootstrap?.initdb?.import;
    return isObj(imp) && imp.type !== 'microservice' && imp.type !== 'monolith'
      ? [{ field: 'spec.bootstrap.initdb.import.type', message: 'Unrecognized import type', value: imp.type, fix: 'use "microservice" or "monolith"' }]
      : [];
  }),
  rule('2.1#9', '2.1', 'You need to specify a single database for the `microservice` import type', (c) => {
    const imp = c.spec.bootstrap?.initdb?.import;
    return isObj(imp) && imp.type === 'microservice' && list(imp.databases).length !== 1
      ? [{ field: 'spec.bootstrap.initdb.import.databases', message: 'You need to specify a single database for the `microservice` import type', value: imp.databases }]
      : [];
  }),
  rule('2.1#10', '2.1', 'You cannot specify roles to import for the `microservice` import type', (c) => {
    const imp = c.spec.bootstrap?.initdb?.import;
    return isObj(imp) && imp.type === 'microservice' && list(imp.roles).length > 0
      ? [{ field: 'spec.bootstrap.initdb.import.roles', message: 'You cannot specify roles to import for the `microservice` import type', value: imp.roles, fix: 'use the monolith import type to import roles' }]
      : [];
  }),
  rule('2.1#11', '2.1', 'You cannot specify any wildcard for the `microservice` import type', (c) => {
    const imp = c.spec.bootstrap?.initdb?.import;
    return isObj(imp) && imp.type === 'microservice' && str(list(imp.databases)[0]).includes('*')
      ? [{ field: 'spec.bootstrap.initdb.import.databases[0]', message: 'You cannot specify any wildcard for the `microservice` import type', value: list(imp.databases)[0] }]
      : [];
  }),
  rule('2.1#12', '2.1', 'You need to specify at least a database for the `monolith` import type', (c) => {
    const imp = c.spec.bootstrap?.initdb?.import;
    return isObj(imp) && imp.type === 'monolith' && list(imp.databases).length === 0
      ? [{ field: 'spec.bootstrap.initdb.import.databases', message: 'You need to specify at least a database for the `monolith` import type' }]
      : [];
  }),
  rule('2.1#13', '2.1', 'Wildcard import cannot be used along other database names', (c) => {
    const imp = c.spec.bootstrap?.initdb?.import;
    const dbs = list(imp?.databases);
    return isObj(imp) && imp.type === 'monolith' && dbs.length > 1 && dbs.includes('*')
      ? [{ field: 'spec.bootstrap.initdb.import.databases', message: 'Wildcard import cannot be used along other database names', value: dbs }]
      : [];
  }),
  rule('2.1#14', '2.1', 'Wildcard import cannot be used along other role names', (c) => {
    const imp = c.spec.bootstrap?.initdb?.import;
    const roles = list(imp?.roles);
    return isObj(imp) && imp.type === 'monolith' && roles.length > 1 && roles.includes('*')
      ? [{ field: 'spec.bootstrap.initdb.import.roles', message: 'Wildcard import cannot be used along other role names', value: roles }]
      : [];
  }),
  rule('2.1#15', '2.1', 'postImportApplicationSQL is not allowed for the `monolith` import type', (c) => {
    const imp = c.spec.bootstrap?.initdb?.import;
    return isObj(imp) && imp.type === 'monolith' && list(imp.postImportApplicationSQL).length > 0
      ? [{ field: 'spec.bootstrap.initdb.import.postImportApplicationSQL', message: 'postImportApplicationSQL is not allowed for the `monolith` import type' }]
      : [];
  }),
  rule('2.1#16', '2.1', 'Only one bootstrap method can be specified at a time', (c) => {
    const b = c.rawSpec.bootstrap;
    const methods = ['initdb', 'recovery', 'pg_basebackup'].filter((m) => isObj(b) && has(b[m]));
    return methods.length > 1
      ? [{ field: 'spec.bootstrap', message: 'Only one bootstrap method can be specified at a time', value: methods, fix: 'keep one of initdb, recovery and pg_basebackup' }]
      : [];
  }),
  rule('2.1#17', '2.1', 'External cluster <source> not found', (c) => {
    const pb = c.spec.bootstrap?.pg_basebackup;
    return isObj(pb) && !externalCluster(c, pb.source)
      ? [{ field: 'spec.bootstrap.pg_basebackup.source', message: `External cluster ${str(pb.source)} not found`, value: pb.source, fix: 'add an spec.externalClusters entry with that name' }]
      : [];
  }),
  rule('2.1#18', '2.1', 'External cluster <source> not found', (c) => {
    const r = c.spec.bootstrap?.recovery;
    return isObj(r) && nonEmpty(r.source) && !externalCluster(c, r.source)
      ? [{ field: 'spec.bootstrap.recovery.source', message: `External cluster ${str(r.source)} not found`, value: r.source, fix: 'add an spec.externalClusters entry with that name' }]
      : [];
  }),
  rule('2.1#19', '2.1', 'External cluster <source> cannot be used for recovery: missing connection parameters, Barman, or CNPG-i configuration', (c) => {
    const r = c.spec.bootstrap?.recovery;
    if (!isObj(r) || !nonEmpty(r.source)) return [];
    const e = externalCluster(c, r.source);
    return !e || (!has(e.connectionParameters) && !has(e.barmanObjectStore) && !has(e.plugin))
      ? [{ field: 'spec.bootstrap.recovery.source', message: `External cluster ${str(r.source)} cannot be used for recovery: missing connection parameters, Barman, or CNPG-i configuration`, value: r.source }]
      : [];
  }),
  rule('2.1#20', '2.1', 'Recovery from dataSource is not compatible with other types of recovery', (c) => {
    const r = c.spec.bootstrap?.recovery;
    return isObj(r) && has(r.volumeSnapshots) && has(r.backup)
      ? [{ field: 'spec.bootstrap.recovery.backup', message: 'Recovery from dataSource is not compatible with other types of recovery', fix: 'use either volumeSnapshots or backup' }]
      : [];
  }),
  rule('2.1#21', '2.1', 'Cannot specify a backupID when recovering using a DataSource', (c) => {
    const r = c.spec.bootstrap?.recovery;
    return isObj(r) && has(r.volumeSnapshots) && !has(r.backup) && nonEmpty(r.recoveryTarget?.backupID)
      ? [{ field: 'spec.bootstrap.recovery.recoveryTarget.backupID', message: 'Cannot specify a backupID when recovering using a DataSource', value: r.recoveryTarget.backupID }]
      : [];
  }),
  rule('2.1#22', '2.1', 'Only VolumeSnapshots and PersistentVolumeClaims are supported', (c) => {
    const r = c.spec.bootstrap?.recovery;
    if (!isObj(r) || !isObj(r.volumeSnapshots) || has(r.backup) || nonEmpty(r.recoveryTarget?.backupID)) return [];
    const out: Finding[] = [];
    const bad = (s: any) => isObj(s) && !((s.apiGroup === 'snapshot.storage.k8s.io' && s.kind === 'VolumeSnapshot') || ((s.apiGroup ?? '') === '' && s.kind === 'PersistentVolumeClaim'));
    if (bad(r.volumeSnapshots.storage)) out.push({ field: 'spec.bootstrap.recovery.volumeSnapshots.storage', message: 'Only VolumeSnapshots and PersistentVolumeClaims are supported', value: r.volumeSnapshots.storage });
    if (bad(r.volumeSnapshots.walStorage)) out.push({ field: 'spec.bootstrap.recovery.volumeSnapshots.walStorage', message: 'Only VolumeSnapshots and PersistentVolumeClaims are supported', value: r.volumeSnapshots.walStorage });
    return out;
  }),
  rule('2.1#23', '2.1', 'A WAL storage configuration is required when recovering using a DataSource for WALs', (c) => {
    const r = c.spec.bootstrap?.recovery;
    return isObj(r) && isObj(r.volumeSnapshots) && has(r.volumeSnapshots.walStorage) && !has(c.spec.walStorage) && !has(r.backup)
      ? [{ field: 'spec.bootstrap.recovery.volumeSnapshots.walStorage', message: 'A WAL storage configuration is required when recovering using a DataSource for WALs', fix: 'set spec.walStorage (the walStorageSize prop)' }]
      : [];
  }),
  // ---- recovery target (24–31): the rules of lib/backup/recovery.ts, run on the wire fields
  ...recoveryTargetRules(),

  // ---- image
  // 32–34 mirror internal/webhook/v1/cluster_webhook.go@v1.30.0 validateImageName: the tag is machinery
  // reference.New's (none and no digest: "latest"), and the whole version prefix of the tag must parse with
  // version.FromTag ("16.five" and "17.old" are invalid, see image-reference.ts).
  rule('2.1#32', '2.1', "Can't use 'latest' as image tag as we can't detect upgrades", (c) => {
    const name = c.rawSpec.imageName;
    if (typeof name !== 'string' || name === '') return [];
    return parseImageReference(name).tag === 'latest'
      ? [{ field: 'spec.imageName', message: "Can't use 'latest' as image tag as we can't detect upgrades", value: name, fix: 'pin the version, e.g. ghcr.io/cloudnative-pg/postgresql:18.4-minimal-trixie' }]
      : [];
  }, { upstream: CLUSTER_WEBHOOK('validateImageName') }),
  rule('2.1#33', '2.1', "Can't use just the image sha as we can't detect upgrades", (c) => {
    const name = c.rawSpec.imageName;
    if (typeof name !== 'string' || name === '') return [];
    return parseImageReference(name).tag === ''
      ? [{ field: 'spec.imageName', message: "Can't use just the image sha as we can't detect upgrades", value: name, fix: 'add the tag before the digest: name:18.4-minimal-trixie@sha256:…' }]
      : [];
  }, { upstream: CLUSTER_WEBHOOK('validateImageName') }),
  rule('2.1#34', '2.1', 'invalid version tag', (c) => {
    const name = c.rawSpec.imageName;
    if (typeof name !== 'string' || name === '') return [];
    const { tag } = parseImageReference(name);
    if (tag === '' || tag === 'latest') return [];
    const v = versionFromTag(tag);
    return isVersionError(v)
      ? [{
        field: 'spec.imageName',
        message: `invalid version tag: the operator reads the PostgreSQL version from the start of the tag "${tag}" and cannot parse it (${v.error})`,
        value: name,
        fix: 'use a tag that starts with MAJOR or MAJOR.MINOR followed by "-" or the end, such as 18.4-minimal-trixie',
      }]
      : [];
  }, { upstream: `${CLUSTER_WEBHOOK('validateImageName')} + machinery pkg/postgres/version/version.go@v0.5.0 FromTag` }),
  rule('2.1#36', '2.1', "invalid imagePullPolicy, if defined must be one of 'Always', 'Never' or 'IfNotPresent'", (c) => {
    const p = c.rawSpec.imagePullPolicy;
    return has(p) && !['Always', 'Never', 'IfNotPresent', ''].includes(p)
      ? [{ field: 'spec.imagePullPolicy', message: "invalid imagePullPolicy, if defined must be one of 'Always', 'Never' or 'IfNotPresent'", value: p }]
      : [];
  }),
  rule('2.1#37', '2.1', 'Unsupported PostgreSQL version. Versions 13 or newer are supported', (c) =>
    c.major !== undefined && c.major < 13
      ? [{ field: c.rawSpec.imageCatalogRef ? 'spec.imageCatalogRef.major' : 'spec.imageName', message: 'Unsupported PostgreSQL version. Versions 13 or newer are supported', value: c.rawSpec.imageName ?? c.major }]
      : []),

  // ---- instances / update strategy / sync replicas
  rule('2.1#38', '2.1', "primaryUpdateStrategy should be empty, 'supervised' or 'unsupervised'", (c) => {
    const s = c.rawSpec.primaryUpdateStrategy;
    return has(s) && !['', 'supervised', 'unsupervised'].includes(s)
      ? [{ field: 'spec.primaryUpdateStrategy', message: "primaryUpdateStrategy should be empty, 'supervised' or 'unsupervised'", value: s }]
      : [];
  }),
  rule('2.1#39', '2.1', 'supervised update strategy is not allowed for clusters with a single instance', (c) =>
    c.spec.primaryUpdateStrategy === 'supervised' && c.instances === 1
      ? [{ field: 'spec.primaryUpdateStrategy', message: 'supervised update strategy is not allowed for clusters with a single instance', value: 'supervised', fix: 'use unsupervised, or add instances' }]
      : []),
  rule('2.1#40', '2.1', 'minSyncReplicas must be a non negative integer', (c) =>
    typeof c.spec.minSyncReplicas === 'number' && c.spec.minSyncReplicas < 0
      ? [{ field: 'spec.minSyncReplicas', message: 'minSyncReplicas must be a non negative integer', value: c.spec.minSyncReplicas }]
      : []),
  rule('2.1#41', '2.1', 'minSyncReplicas cannot be greater than maxSyncReplicas', (c) =>
    (c.spec.minSyncReplicas ?? 0) > (c.spec.maxSyncReplicas ?? 0)
      ? [{ field: 'spec.minSyncReplicas', message: 'minSyncReplicas cannot be greater than maxSyncReplicas', value: c.spec.minSyncReplicas, fix: 'prefer spec.postgresql.synchronous (the synchronousReplication prop)' }]
      : []),
  rule('2.1#42', '2.1', 'maxSyncReplicas must be a non negative integer', (c) =>
    typeof c.spec.maxSyncReplicas === 'number' && c.spec.maxSyncReplicas < 0
      ? [{ field: 'spec.maxSyncReplicas', message: 'maxSyncReplicas must be a non negative integer', value: c.spec.maxSyncReplicas }]
      : []),
  rule('2.1#43', '2.1', 'maxSyncReplicas must be lower than the number of instances', (c) =>
    // with fewer than 1 instance the API server rejects the object first (2.4#instances)
    c.instances >= 1 && (c.spec.maxSyncReplicas ?? 0) >= c.instances
      ? [{ field: 'spec.maxSyncReplicas', message: 'maxSyncReplicas must be lower than the number of instances', value: c.spec.maxSyncReplicas ?? 0 }]
      : []),
  rule('2.1#44', '2.1', "Can't have both legacy synchronous replica configuration and new one", (c) =>
    has(c.spec.postgresql?.synchronous) && ((c.spec.minSyncReplicas ?? 0) > 0 || (c.spec.maxSyncReplicas ?? 0) > 0)
      ? [{ field: 'spec.postgresql.synchronous', message: "Can't have both legacy synchronous replica configuration and new one", fix: 'remove spec.minSyncReplicas and spec.maxSyncReplicas' }]
      : []),
  // Mirrors internal/webhook/v1/cluster_webhook.go@v1.30.0 validateSynchronousReplicaConfiguration (the webhook's
  // message does not say what the ceiling is; this one does).
  rule('2.1#45', '2.1', 'Invalid synchronous configuration: the number of synchronous replicas must be less than the total number of instances and the provided standby names.', (c) => {
    const s = c.spec.postgresql?.synchronous;
    if (!isObj(s) || typeof s.number !== 'number' || c.instances < 1) return [];
    const pre = list(s.standbyNamesPre).length;
    const post = list(s.standbyNamesPost).length;
    const total = c.instances + pre + post;
    if (s.number < total) return [];
    const names = pre + post > 0 ? ` + ${pre} standbyNamesPre + ${post} standbyNamesPost` : '';
    return [{
      field: 'spec.postgresql.synchronous.number',
      message: `Invalid synchronous configuration: the number of synchronous replicas must be less than the total number of instances and the provided standby names: ${c.instances} instances${names} = ${total}, so number can be at most ${total - 1}`,
      value: s.number,
      fix: total - 1 >= 1
        ? `set spec.postgresql.synchronous.number to ${total - 1} or less, or raise spec.instances to ${s.number + 1 - pre - post}`
        : 'add instances: synchronous replication needs at least 2 (a primary and a standby)',
    }];
  }, { upstream: CLUSTER_WEBHOOK('validateSynchronousReplicaConfiguration') }),
  rule('2.1#46', '2.1', 'Invalid failoverQuorum configuration: spec.postgresql.synchronous.number must be greater than the total number of instances in spec.postgresql.synchronous.standbyNamesPre and spec.postgresql.synchronous.standbyNamesPost to allow automatic failover.', (c) => {
    const s = c.spec.postgresql?.synchronous;
    if (!isObj(s) || s.failoverQuorum !== true) return [];
    return (s.number ?? 0) <= list(s.standbyNamesPre).length + list(s.standbyNamesPost).length
      ? [{ field: 'spec.postgresql.synchronous.number', message: 'Invalid failoverQuorum configuration: spec.postgresql.synchronous.number must be greater than the total number of instances in spec.postgresql.synchronous.standbyNamesPre and spec.postgresql.synchronous.standbyNamesPost to allow automatic failover.', value: s.number }]
      : [];
  }),
  rule('2.1#47', '2.1', 'Invalid failoverQuorum annotation value, expected boolean.', (c) => {
    const v = c.annotations['alpha.cnpg.io/failoverQuorum'];
    return v !== undefined && parseGoBool(v) === undefined
      ? [{ field: 'metadata.annotations.alpha.cnpg.io/failoverQuorum', message: 'Invalid failoverQuorum annotation value, expected boolean.', value: v, fix: 'the annotation is deprecated: use spec.postgresql.synchronous.failoverQuorum' }]
      : [];
  }),
  rule('2.1#48', '2.1', 'Invalid failoverQuorum configuration: synchronous replication configuration is required.', (c) =>
    parseGoBool(c.annotations['alpha.cnpg.io/failoverQuorum']) === true && !has(c.spec.postgresql?.synchronous)
      ? [{ field: 'spec.postgresql.synchronous', message: 'Invalid failoverQuorum configuration: synchronous replication configuration is required.', fix: 'configure spec.postgresql.synchronous with failoverQuorum: true instead of the deprecated annotation' }]
      : []),
  rule('2.1#49', '2.1', "Can't enable syncReplicaConstraints without passing labels for comparison inside nodeLabelsAntiAffinity", (c) => {
    const s = c.spec.postgresql?.syncReplicaElectionConstraint;
    return isObj(s) && s.enabled === true && list(s.nodeLabelsAntiAffinity).length === 0
      ? [{ field: 'spec.postgresql.syncReplicaElectionConstraint.nodeLabelsAntiAffinity', message: "Can't enable syncReplicaConstraints without passing labels for comparison inside nodeLabelsAntiAffinity", fix: 'list node labels such as topology.kubernetes.io/zone' }]
      : [];
  }),

  // ---- storage
  rule('2.1#50', '2.1', "Size value isn't valid (51: Size not configured. Please add it, or a storage request in the pvcTemplate.)", (c) =>
    storageSizeRules('spec.storage', c.rawSpec.storage ?? {}, { invalid: '2.1#50', missing: '2.1#51' })),
  rule('2.1#52', '2.1', 'rules 50–51 for walStorage', (c) => storageSizeRules('spec.walStorage', c.rawSpec.walStorage)),
  rule('2.1#53', '2.1', 'rules 50–51 for each tablespace', (c) => list(c.spec.tablespaces).flatMap((t, i) => storageSizeRules(`spec.tablespaces[${i}].storage`, isObj(t) ? t.storage ?? {} : {}))),
  rule('2.1#54', '2.1', 'Conflicting settings: provide either ephemeralVolumeSource or ephemeralVolumesSizeLimit.TemporaryData, not both.', (c) =>
    has(c.spec.ephemeralVolumeSource) && has(c.spec.ephemeralVolumesSizeLimit?.temporaryData)
      ? [{ field: 'spec.ephemeralVolumeSource', message: 'Conflicting settings: provide either ephemeralVolumeSource or ephemeralVolumesSizeLimit.TemporaryData, not both.' }]
      : []),

  // ---- names, tablespaces
  rule('2.1#55', '2.1', 'cluster name must be a valid DNS label', (c) =>
    !isDns1035Label(c.name)
      ? [{ field: 'metadata.name', message: 'cluster name must be a valid DNS label', value: c.name, fix: 'use lower-case letters, digits and "-", starting with a letter' }]
      : []),
  rule('2.1#56', '2.1', 'the maximum length of a cluster name is 50 characters', (c) =>
    c.name.length > 50
      ? [{ field: 'metadata.name', message: 'the maximum length of a cluster name is 50 characters', value: c.name }]
      : []),
  rule('2.1#57', '2.1', 'duplicate tablespace name', (c) => {
    const seen = new Set<string>();
    const out: Finding[] = [];
    list(c.spec.tablespaces).forEach((t, i) => {
      const n = str(t?.name).toLowerCase();
      if (seen.has(n)) out.push({ field: `spec.tablespaces[${i}]`, message: 'duplicate tablespace name', value: t.name });
      seen.add(n);
    });
    return out;
  }),
  rule('2.1#58', '2.1', "tablespace names beginning 'pg_' are reserved for Postgres", (c) =>
    list(c.spec.tablespaces).flatMap((t, i) => (str(t?.name).startsWith('pg_')
      ? [{ field: `spec.tablespaces[${i}]`, message: "tablespace names beginning 'pg_' are reserved for Postgres", value: t.name }]
      : []))),
  rule('2.1#59', '2.1', "tablespace names must be valid Postgres identifiers: alphanumeric characters, '_', '$', and must start with a letter or an underscore", (c) =>
    list(c.spec.tablespaces).flatMap((t, i) => (!str(t?.name).startsWith('pg_') && !/^[a-zA-Z_][a-zA-Z0-9_$]*$/.test(str(t?.name))
      ? [{ field: `spec.tablespaces[${i}]`, message: "tablespace names must be valid Postgres identifiers: alphanumeric characters, '_', '$', and must start with a letter or an underscore", value: t?.name }]
      : []))),
  rule('2.1#60', '2.1', 'the maximum length of an identifier is 63 characters', (c) =>
    list(c.spec.tablespaces).flatMap((t, i) => (str(t?.name).length > 63
      ? [{ field: `spec.tablespaces[${i}]`, message: 'the maximum length of an identifier is 63 characters', value: t.name }]
      : []))),
  rule('2.1#61', '2.1', 'tablespace name results in duplicate volume name "<x>" after sanitization (special characters are converted to hyphens)', (c) => {
    const seen = new Map<string, string>();
    const out: Finding[] = [];
    list(c.spec.tablespaces).forEach((t, i) => {
      const n = str(t?.name);
      const volume = n.toLowerCase().replace(/[^a-z0-9-]/g, '-');
      const prior = seen.get(volume);
      if (prior !== undefined && prior.toLowerCase() !== n.toLowerCase()) {
        out.push({ field: `spec.tablespaces[${i}]`, message: `tablespace name results in duplicate volume name "${volume}" after sanitization (special characters are converted to hyphens)`, value: n });
      }
      seen.set(volume, n);
    });
    return out;
  }),
  rule('2.1#62', '2.1', "specified the VolumeSnapshot backup configuration for the tablespace: <n>, but it can't be found in the '.spec.tablespaces' stanza", (c) => {
    const map = c.spec.backup?.volumeSnapshot?.tablespaceClassName;
    if (!isObj(map)) return [];
    const names = list(c.spec.tablespaces).map((t) => t?.name);
    return Object.keys(map).filter((n) => !names.includes(n)).map((n) => ({
      field: 'spec.backup.volumeSnapshot.tablespaceClassName',
      message: `specified the VolumeSnapshot backup configuration for the tablespace: ${n}, but it can't be found in the '.spec.tablespaces' stanza`,
      value: n,
    }));
  }),

  // ---- external clusters
  rule('2.1#63', '2.1', 'the list of external clusters contains duplicate values', (c) => {
    const d = dupes(list(c.spec.externalClusters).map((e) => e?.name));
    return d.length ? [{ field: 'spec.externalClusters', message: 'the list of external clusters contains duplicate values', value: d }] : [];
  }),
  rule('2.1#64', '2.1', 'one of connectionParameters, plugin and barmanObjectStore is required', (c) =>
    list(c.spec.externalClusters).flatMap((e, i) => (isObj(e) && !has(e.connectionParameters) && !has(e.barmanObjectStore) && !has(e.plugin)
      ? [{ field: `spec.externalClusters[${i}]`, message: 'one of connectionParameters, plugin and barmanObjectStore is required', value: e.name }]
      : []))),
  rule('2.1#65', '2.1', "cannot contain a path separator or a '..' component", (c) =>
    list(c.spec.externalClusters).flatMap((e, i) => (isObj(e) && typeof e.name === 'string' && PATH_COMPONENT_BAD(e.name)
      ? [{ field: `spec.externalClusters[${i}].name`, message: "cannot contain a path separator or a '..' component", value: e.name }]
      : []))),
  rule('2.1#66', '2.1', "cannot contain a path separator or a '..' component", (c) =>
    list(c.spec.externalClusters).flatMap((e, i) => ['sslCert', 'sslKey', 'sslRootCert'].flatMap((k) => ['name', 'key'].flatMap((f) => {
      const v = isObj(e) && isObj(e[k]) ? e[k][f] : undefined;
      return typeof v === 'string' && PATH_COMPONENT_BAD(v)
        ? [{ field: `spec.externalClusters[${i}].${k}.${f}`, message: "cannot contain a path separator or a '..' component", value: v }]
        : [];
    })))),

  // ---- replica cluster
  rule('2.1#67', '2.1', 'replica mode enabled is not compatible with the primary field', (c) => {
    const r = c.spec.replica;
    return isObj(r) && typeof r.enabled === 'boolean' && nonEmpty(r.primary)
      ? [{ field: 'spec.replica.enabled', message: 'replica mode enabled is not compatible with the primary field', fix: 'use either enabled (manual) or primary/self (distributed topology)' }]
      : [];
  }),
  rule('2.1#69', '2.1', 'replica mode bootstrap is compatible only with pg_basebackup or recovery', (c) => {
    const b = c.spec.bootstrap;
    return c.replica && isObj(b) && !has(b.pg_basebackup) && !has(b.recovery)
      ? [{ field: 'spec.replica', message: 'replica mode bootstrap is compatible only with pg_basebackup or recovery', fix: 'bootstrap the replica cluster with pg_basebackup or recovery from the source' }]
      : [];
  }, { createOnly: true }),
  rule('2.1#70', '2.1', 'External cluster <source> not found', (c) => {
    const r = c.spec.replica;
    return isObj(r) && !externalCluster(c, r.source)
      ? [{ field: 'spec.replica.source', message: `External cluster ${str(r.source)} not found`, value: r.source }]
      : [];
  }),
  rule('2.1#71', '2.1', 'External cluster <self> not found', (c) => {
    const r = c.spec.replica;
    return isObj(r) && nonEmpty(r.self) && !externalCluster(c, r.self)
      ? [{ field: 'spec.replica.self', message: `External cluster ${str(r.self)} not found`, value: r.self }]
      : [];
  }),
  rule('2.1#72', '2.1', 'External cluster <primary> not found', (c) => {
    const r = c.spec.replica;
    return isObj(r) && nonEmpty(r.primary) && !externalCluster(c, r.primary)
      ? [{ field: 'spec.replica.primary', message: `External cluster ${str(r.primary)} not found`, value: r.primary }]
      : [];
  }),
  rule('2.1#73', '2.1', 'minApplyDelay cannot be applied with a promotion token', (c) => {
    const r = c.spec.replica;
    return isObj(r) && nonEmpty(r.promotionToken) && has(r.minApplyDelay)
      ? [{ field: 'spec.replica.minApplyDelay', message: 'minApplyDelay cannot be applied with a promotion token' }]
      : [];
  }),
  rule('2.1#74', '2.1', 'promotionToken is only allowed for primary clusters', (c) => {
    const r = c.spec.replica;
    return isObj(r) && nonEmpty(r.promotionToken) && !has(r.minApplyDelay) && c.replica
      ? [{ field: 'spec.replica.promotionToken', message: 'promotionToken is only allowed for primary clusters', fix: 'set the promotion token together with the change that makes this cluster the primary' }]
      : [];
  }),
  rule('2.1#75', '2.1', 'Invalid promotionToken format / content', (c) => {
    const r = c.spec.replica;
    if (!isObj(r) || !nonEmpty(r.promotionToken) || has(r.minApplyDelay) || c.replica) return [];
    const problem = promotionTokenProblem(str(r.promotionToken));
    return problem ? [{ field: 'spec.replica.promotionToken', message: problem, value: r.promotionToken, fix: 'copy the token from the demoted cluster\'s status.demotionToken' }] : [];
  }),

  // ---- scheduling
  rule('2.1#76', '2.1', "pod anti-affinity type must be 'preferred' (default if empty) or 'required'", (c) => {
    const t = c.rawSpec.affinity?.podAntiAffinityType;
    return has(t) && !['preferred', 'required', ''].includes(t)
      ? [{ field: 'spec.affinity.podAntiAffinityType', message: "pod anti-affinity type must be 'preferred' (default if empty) or 'required'", value: t }]
      : [];
  }),
  rule('2.1#77', '2.1', 'toleration rules (Kubernetes core validation)', (c) => list(c.spec.affinity?.tolerations).flatMap((t, i) => tolerationProblems(t, `spec.affinity.tolerations[${i}]`))),

  // ---- resources
  rule('2.1#78', '2.1', 'CPU request is greater than the limit', (c) => requestOverLimit(c, 'cpu', 'CPU request is greater than the limit', 'spec.resources.requests.cpu')),
  rule('2.1#79', '2.1', 'Memory request is greater than the limit', (c) => requestOverLimit(c, 'memory', 'Memory request is greater than the limit', 'spec.resources.requests.memory')),
  rule('2.1#80', '2.1', 'HugePages requests must equal the limits', (c) => {
    const req = c.spec.resources?.requests ?? {};
    const lim = c.spec.resources?.limits ?? {};
    return Object.keys(isObj(req) ? req : {}).filter((k) => k.startsWith('hugepages-') && has(lim[k]) && parseQuantity(String(req[k])) !== parseQuantity(String(lim[k])))
      .map((k) => ({ field: `spec.resources.requests.${k}`, message: 'HugePages requests must equal the limits', value: req[k] }));
  }),
  rule('2.1#81', '2.1', 'HugePages require cpu or memory', (c) => {
    const req = isObj(c.spec.resources?.requests) ? c.spec.resources.requests : {};
    const lim = isObj(c.spec.resources?.limits) ? c.spec.resources.limits : {};
    const huge = [...Object.keys(req), ...Object.keys(lim)].some((k) => k.startsWith('hugepages-'));
    const cpuMem = ['cpu', 'memory'].some((k) => has(req[k]) || has(lim[k]));
    return huge && !cpuMem ? [{ field: 'spec.resources', message: 'HugePages require cpu or memory' }] : [];
  }),
  rule('2.1#82', '2.1', 'Memory request is lower than PostgreSQL `shared_buffers` value', (c) => {
    const sb = c.userParameters.shared_buffers;
    const memReq = c.spec.resources?.requests?.memory;
    if (typeof sb !== 'string' || !has(memReq)) return [];
    const sbBytes = parseWebhookMemory(sb);
    const mem = parseQuantity(String(memReq));
    if (sbBytes === undefined || !(mem > 0) || sbBytes <= mem) return [];
    const req = isObj(c.spec.resources?.requests) ? c.spec.resources.requests : {};
    const lim = isObj(c.spec.resources?.limits) ? c.spec.resources.limits : {};
    const hugeOk = [...Object.entries(req), ...Object.entries(lim)].some(([k, v]) => k.startsWith('hugepages-') && parseQuantity(String(v)) >= sbBytes);
    return hugeOk ? [] : [{ field: 'spec.resources.requests', message: 'Memory request is lower than PostgreSQL `shared_buffers` value', value: { memory: memReq, shared_buffers: sb }, fix: 'give shared_buffers about a quarter of the memory request' }];
  }),
  rule('2.1#83', '2.1', 'Ephemeral storage request is greater than the limit', (c) => requestOverLimit(c, 'ephemeral-storage', 'Ephemeral storage request is greater than the limit', 'spec.resources.requests.storage')),

  // ---- in-tree backup (deprecated) and retention
  rule('2.1#84', '2.1', 'missing credentials. One and only one of azureCredentials, s3Credentials and googleCredentials are required', (c) => {
    const b = c.spec.backup?.barmanObjectStore;
    return isObj(b) && !has(b.s3Credentials) && !has(b.azureCredentials) && !has(b.googleCredentials)
      ? [{ field: 'spec.backup.barmanObjectStore', message: 'missing credentials. One and only one of azureCredentials, s3Credentials and googleCredentials are required', fix: 'migrate to the Barman Cloud plugin (BackupStore)' }]
      : [];
  }),
  rule('2.1#85', '2.1', 'too many credentials. One and only one of azureCredentials, s3Credentials and googleCredentials are required', (c) => {
    const b = c.spec.backup?.barmanObjectStore;
    return isObj(b) && [b.s3Credentials, b.azureCredentials, b.googleCredentials].filter(has).length > 1
      ? [{ field: 'spec.backup.barmanObjectStore', message: 'too many credentials. One and only one of azureCredentials, s3Credentials and googleCredentials are required' }]
      : [];
  }),
  rule('2.1#86', '2.1', 'AWS credentials rules', (c) => {
    const s3 = c.spec.backup?.barmanObjectStore?.s3Credentials;
    if (!isObj(s3)) return [];
    const field = 'spec.backup.barmanObjectStore.s3Credentials';
    const keys = [has(s3.accessKeyId), has(s3.secretAccessKey)];
    const iam = s3.inheritFromIAMRole === true;
    if (keys[0] !== keys[1]) return [{ field, message: 'when using AWS credentials both accessKeyId and secretAccessKey must be provided' }];
    if (!iam && !keys[0]) return [{ field, message: 'at least one AWS authentication method should be supplied' }];
    if (iam && keys[0]) return [{ field, message: 'only one AWS authentication method should be supplied' }];
    return [];
  }),
  rule('2.1#87', '2.1', 'Azure credentials rules', (c) => {
    const az = c.spec.backup?.barmanObjectStore?.azureCredentials;
    if (!isObj(az)) return [];
    const field = 'spec.backup.barmanObjectStore.azureCredentials';
    const methods = [az.inheritFromAzureAD === true, az.useDefaultAzureCredentials === true, has(az.storageKey), has(az.storageSasToken)].filter(Boolean).length;
    if (has(az.connectionString)) {
      return methods > 0 || has(az.storageAccount) ? [{ field, message: 'when connection string is specified, the other parameters must be empty' }] : [];
    }
    const out: Finding[] = [];
    if (methods !== 1) out.push({ field, message: 'when connection string is not specified, one and only one of storage key, storage SAS token, Azure AD authentication, or default Azure credentials is required' });
    if ((has(az.storageKey) || has(az.storageSasToken)) && !has(az.storageAccount)) out.push({ field, message: 'storage account must be specified when using storage key or SAS token' });
    return out;
  }),
  rule('2.1#88', '2.1', 'Google credentials rules', (c) => {
    const g = c.spec.backup?.barmanObjectStore?.googleCredentials;
    if (!isObj(g)) return [];
    const field = 'spec.backup.barmanObjectStore.googleCredentials';
    if (g.gkeEnvironment !== true && !has(g.applicationCredentials)) return [{ field, message: 'if gkeEnvironment is false, secret with credentials must be provided' }];
    if (g.gkeEnvironment === true && has(g.applicationCredentials)) return [{ field, message: 'if gkeEnvironment is true, secret with credentials must not be provided' }];
    return [];
  }),
  rule('2.1#90', '2.1', 'not a valid retention policy', (c) => {
    const p = c.spec.backup?.retentionPolicy;
    return typeof p === 'string' && p !== '' && !/^[1-9][0-9]*[dwm]$/.test(p)
      ? [{ field: 'spec.backup.retentionPolicy', message: 'not a valid retention policy (the CRD requires ^[1-9][0-9]*[dwm]$)', value: p, fix: 'use e.g. "30d", "4w" or "6m"' }]
      : [];
  }),
  rule('2.1#91', '2.1', 'Cannot enable a WAL archiver plugin when barmanObjectStore is configured', (c) => {
    const archivers = enabledWalArchivers(c);
    return archivers.length > 0 && has(c.spec.backup?.barmanObjectStore)
      ? [{ field: 'spec.plugins', message: 'Cannot enable a WAL archiver plugin when barmanObjectStore is configured', value: archivers, fix: 'remove spec.backup.barmanObjectStore (deprecated) after migrating to the plugin' }]
      : [];
  }),
  rule('2.1#92', '2.1', 'Cannot enable more than one WAL archiver plugin', (c) => {
    const archivers = enabledWalArchivers(c);
    return archivers.length > 1
      ? [{ field: 'spec.plugins', message: 'Cannot enable more than one WAL archiver plugin', value: archivers }]
      : [];
  }),

  // ---- PostgreSQL configuration (93, 94 and PostgreSQL's own rules: see the 2.6 rules below)
  rule('2.1#95', '2.1', 'unrecognized `wal_level` value - allowed values: `logical`, `replica`, `minimal`', (c) =>
    !['logical', 'replica', 'minimal'].includes(c.parameters.wal_level)
      ? [{ field: 'spec.postgresql.parameters.wal_level', message: 'unrecognized `wal_level` value - allowed values: `logical`, `replica`, `minimal`', value: c.parameters.wal_level }]
      : []),
  rule('2.1#96', '2.1', "`wal_level` should be set at `logical` or `replica` when `archive_mode` is `on`, '.instances' field is greater than 1, or this is a replica cluster", (c) =>
    c.parameters.wal_level === 'minimal' && (c.instances > 1 || c.parameters.archive_mode !== 'off' || c.replica)
      ? [{ field: 'spec.postgresql.parameters.wal_level', message: "`wal_level` should be set at `logical` or `replica` when `archive_mode` is `on`, '.instances' field is greater than 1, or this is a replica cluster", value: 'minimal', fix: 'minimal needs one instance and the annotation cnpg.io/skipWalArchiving: enabled' }]
      : []),
  rule('2.1#97', '2.1', '`max_wal_senders` should be set at `0` when `wal_level` is `minimal`', (c) =>
    c.parameters.wal_level === 'minimal' && c.parameters.max_wal_senders !== '0'
      ? [{ field: 'spec.postgresql.parameters.max_wal_senders', message: '`max_wal_senders` should be set at `0` when `wal_level` is `minimal`', value: c.parameters.max_wal_senders }]
      : []),
  rule('2.1#98', '2.1', 'Invalid value for configuration parameter shared_buffers', (c) => {
    const v = c.userParameters.shared_buffers;
    return typeof v === 'string' && v !== '' && parseWebhookMemory(v) === undefined
      ? [{ field: 'spec.postgresql.parameters.shared_buffers', message: 'Invalid value for configuration parameter shared_buffers. More info on accepted values format: https://www.postgresql.org/docs/current/config-setting.html#CONFIG-SETTING-NAMES-VALUES', value: v, fix: 'use kB, MB, GB or TB, e.g. "512MB"' }]
      : [];
  }),
  rule('2.1#99', '2.1', 'invalid `hot_standby_feedback` value. Must be a postgres boolean', (c) => booleanParameter(c, 'hot_standby_feedback')),
  rule('2.1#100', '2.1', 'invalid `sync_replication_slots` value. Must be a postgres boolean', (c) => booleanParameter(c, 'sync_replication_slots')),
  rule('2.1#101', '2.1', '`wal_log_hints` must be set to `on` when `instances` > 1', (c) => {
    const out = booleanParameter(c, 'wal_log_hints');
    if (out.length === 0 && bool(c, 'wal_log_hints') === false && c.instances > 1) {
      out.push({ field: 'spec.postgresql.parameters.wal_log_hints', message: '`wal_log_hints` must be set to `on` when `instances` > 1', value: c.userParameters.wal_log_hints, fix: 'remove it (the operator sets on)' });
    }
    return out;
  }),
  rule('2.1#102', '2.1', 'Invalid value for configuration parameter min_wal_size|max_wal_size', (c) =>
    (['min_wal_size', 'max_wal_size'] as const).flatMap((k) => {
      const v = c.userParameters[k];
      return typeof v === 'string' && v !== '' && parseWebhookMemory(v) === undefined
        ? [{ field: `spec.postgresql.parameters.${k}`, message: `Invalid value for configuration parameter ${k}`, value: v, fix: 'use kB, MB, GB or TB, e.g. "2GB"' }]
        : [];
    })),
  // Mirrors internal/webhook/v1/cluster_webhook.go@v1.30.0 validateWalSizeConfiguration. The webhook says "Invalid
  // vale. Parameter min_wal_size (default 80MB) should be smaller than parameter max_wal_size (default 1GB)"; this
  // message states both values with their unit, and the fix.
  rule('2.1#103', '2.1', 'min_wal_size (default 80MB) must be smaller than max_wal_size (default 1GB)', (c) => {
    const minText = str(c.userParameters.min_wal_size) || '80MB';
    const maxText = str(c.userParameters.max_wal_size) || '1GB';
    const min = parseWebhookMemory(minText);
    const max = parseWebhookMemory(maxText);
    if (min === undefined || max === undefined || !(min > 0) || !(max > 0) || min < max) return [];
    const shown = (text: string, user: unknown, bytes: number) => `${user ? `"${text}"` : `${text} (the default)`}${/^[+-]?\d+$/.test(text) ? `, read as ${formatBytes(bytes)}` : ''}`;
    return [{
      field: 'spec.postgresql.parameters.min_wal_size',
      message: `min_wal_size must be smaller than max_wal_size: min_wal_size is ${shown(minText, c.userParameters.min_wal_size, min)}, max_wal_size is ${shown(maxText, c.userParameters.max_wal_size, max)} (a value without a unit is in MB)`,
      value: c.userParameters.min_wal_size ?? '80MB',
      fix: `lower min_wal_size below ${formatBytes(max)} (e.g. "${formatBytes(Math.max(max / 4, 2 ** 20))}"), or raise max_wal_size above ${formatBytes(min)} (e.g. "${formatBytes(min * 4)}"); write the unit (kB, MB, GB or TB)`,
    }];
  }, { upstream: CLUSTER_WEBHOOK('validateWalSizeConfiguration') }),
  rule('2.1#104', '2.1', 'Invalid value. Parameter <p> (default <d>) should be smaller than WAL volume size', (c) => {
    const wal = storageSize(c.spec.walStorage);
    const walBytes = wal ? parseQuantity(wal) : NaN;
    if (!(walBytes > 0)) return [];
    return ([['min_wal_size', '80MB'], ['max_wal_size', '1GB']] as const).flatMap(([k, d]) => {
      const v = str(c.userParameters[k]);
      const n = v ? parseWebhookMemory(v) : undefined;
      return n !== undefined && n > 0 && n >= walBytes
        ? [{ field: `spec.postgresql.parameters.${k}`, message: `Invalid value. Parameter ${k} (default ${d}) should be smaller than WAL volume size`, value: v, fix: `keep ${k} below the WAL volume (${wal}), with room to spare` }]
        : [];
    });
  }),
  rule('2.1#105', '2.1', 'ldap server cannot be empty if any other ldap parameters are specified', (c) => {
    const l = c.spec.postgresql?.ldap;
    return isObj(l) && !nonEmpty(l.server)
      ? [{ field: 'spec.postgresql.ldap', message: 'ldap server cannot be empty if any other ldap parameters are specified' }]
      : [];
  }),
  rule('2.1#106', '2.1', 'only bind+search or bind method can be specified', (c) => {
    const l = c.spec.postgresql?.ldap;
    return isObj(l) && has(l.bindSearchAuth) && has(l.bindAsAuth)
      ? [{ field: 'spec.postgresql.ldap', message: 'only bind+search or bind method can be specified' }]
      : [];
  }),
  // 107 (podselector references) runs with the pg_hba syntax check: see 2.6#pg_hba
  rule('2.1#108', '2.1', 'podSelectorRefs: duplicate names, invalid label selectors', (c) => {
    const refs = list(c.spec.podSelectorRefs);
    const out: Finding[] = dupes(refs.map((r) => r?.name)).map((n) => ({ field: 'spec.podSelectorRefs', message: 'Duplicate value', value: n }));
    refs.forEach((r, i) => out.push(...labelSelectorProblems(`spec.podSelectorRefs[${i}].selector`, r?.selector)));
    return out;
  }),

  // ---- replication slots / logical decoding / managed extensions
  rule('2.1#109', '2.1', 'Cannot configure synchronizeReplicas. Invalid regexes were found', (c) => {
    const rs = c.spec.replicationSlots;
    const enabled = rs?.highAvailability?.enabled === true || rs?.synchronizeReplicas?.enabled === true;
    const bad = list(rs?.synchronizeReplicas?.excludePatterns).filter((p) => typeof p !== 'string' || !re2Compiles(p));
    return enabled && bad.length
      ? [{ field: 'spec.replicationSlots.synchronizeReplicas.excludePatterns', message: 'Cannot configure synchronizeReplicas. Invalid regexes were found', value: bad, fix: 'use Go (RE2) regular expressions: no lookaround or backreferences' }]
      : [];
  }),
  rule('2.1#110', '2.1', 'pg_failover_slots extension must be enabled to use synchronizeLogicalDecoding with Postgres versions < 17', (c) =>
    c.spec.replicationSlots?.highAvailability?.synchronizeLogicalDecoding === true && !managedExtensionUsed('pg_failover_slots', c.userParameters)
      && c.major !== undefined && c.major < 17
      ? [{ field: 'spec.replicationSlots.highAvailability.synchronizeLogicalDecoding', message: 'pg_failover_slots extension must be enabled to use synchronizeLogicalDecoding with Postgres versions < 17', fix: 'set a pg_failover_slots.* parameter (standard images ship it), or use PostgreSQL 17+' }]
      : []),
  rule('2.1#111', '2.1', '`hot_standby_feedback` must be enabled to enable `spec.replicationSlots.highAvailability.synchronizeLogicalDecoding`', (c) =>
    c.spec.replicationSlots?.highAvailability?.synchronizeLogicalDecoding === true && !managedExtensionUsed('pg_failover_slots', c.userParameters)
      && c.major !== undefined && c.major >= 17 && bool(c, 'hot_standby_feedback') !== true
      ? [{ field: 'spec.postgresql.parameters.hot_standby_feedback', message: '`hot_standby_feedback` must be enabled to enable `spec.replicationSlots.highAvailability.synchronizeLogicalDecoding`', fix: 'set hot_standby_feedback: "on"' }]
      : []),
  rule('2.1#112', '2.1', 'either `sync_replication_slots` setting or pg_failover_slots extension must be enabled to enable `spec.replicationSlots.highAvailability.synchronizeLogicalDecoding`', (c) =>
    c.spec.replicationSlots?.highAvailability?.synchronizeLogicalDecoding === true && !managedExtensionUsed('pg_failover_slots', c.userParameters)
      && c.major !== undefined && c.major >= 17 && bool(c, 'sync_replication_slots') !== true
      ? [{ field: 'spec.postgresql.parameters.sync_replication_slots', message: 'either `sync_replication_slots` setting or pg_failover_slots extension must be enabled to enable `spec.replicationSlots.highAvailability.synchronizeLogicalDecoding`', fix: 'set sync_replication_slots: "on"' }]
      : []),
  rule('2.1#113', '2.1', '`hot_standby_feedback` must be enabled to use pg_failover_slots extension', (c) =>
    managedExtensionUsed('pg_failover_slots', c.userParameters) && bool(c, 'hot_standby_feedback') !== true
      ? [{ field: 'spec.postgresql.parameters.hot_standby_feedback', message: '`hot_standby_feedback` must be enabled to use pg_failover_slots extension', fix: 'set hot_standby_feedback: "on"' }]
      : []),
  rule('2.1#114', '2.1', 'High Availability replication slots must be enabled', (c) =>
    managedExtensionUsed('pg_failover_slots', c.userParameters) && c.spec.replicationSlots?.highAvailability?.enabled !== true
      ? [{ field: 'spec.replicationSlots.highAvailability', message: 'High Availability replication slots must be enabled', fix: 'keep haReplicationSlots: true' }]
      : []),

  // ---- env, services, roles, extensions, annotations, misc
  rule('2.1#115', '2.1', 'the usage of this environment variable is reserved for the operator', (c) =>
    list(c.spec.env).flatMap((e, i) => (RESERVED_ENV(str(e?.name))
      ? [{ field: `spec.env[${i}].name`, message: 'the usage of this environment variable is reserved for the operator', value: e.name, fix: 'names starting with CNPG_ or PG, and POD_NAME, NAMESPACE, CLUSTER_NAME are reserved' }]
      : []))),
  rule('2.1#116', '2.1', 'service of type RW cannot be disabled.', (c) =>
    list(c.spec.managed?.services?.disabledDefaultServices).includes('rw')
      ? [{ field: 'spec.managed.services.disabledDefaultServices', message: 'service of type RW cannot be disabled.', value: 'rw' }]
      : []),
  rule('2.1#117', '2.1', "the service name: '<n>' is reserved for operator use", (c) => {
    const reserved = ['rw', 'ro', 'r', 'any'].map((s) => `${c.name}-${s}`);
    return list(c.spec.managed?.services?.additional).flatMap((s, i) => {
      const n = s?.serviceTemplate?.metadata?.name;
      return reserved.includes(n) ? [{ field: `spec.managed.services.additional[${i}]`, message: `the service name: '${n}' is reserved for operator use`, value: n }] : [];
    });
  }),
  rule('2.1#118', '2.1', 'selector field is managed by the operator / name is required', (c) =>
    list(c.spec.managed?.services?.additional).flatMap((s, i) => {
      const out: Finding[] = [];
      const at = `spec.managed.services.additional[${i}]`;
      if (isObj(s?.serviceTemplate?.spec?.selector) && Object.keys(s.serviceTemplate.spec.selector).length > 0) {
        out.push({ field: at, message: 'selector field is managed by the operator', value: s.serviceTemplate.spec.selector, fix: 'use selectorType (rw, ro, r)' });
      }
      if (!nonEmpty(s?.serviceTemplate?.metadata?.name)) out.push({ field: at, message: 'name is required', fix: 'set serviceTemplate.metadata.name' });
      return out;
    })),
  rule('2.1#119', '2.1', 'contains services with the same .metadata.name', (c) => {
    const d = dupes(list(c.spec.managed?.services?.additional).map((s) => s?.serviceTemplate?.metadata?.name));
    return d.length ? [{ field: 'spec.managed.services.additional', message: 'contains services with the same .metadata.name', value: d }] : [];
  }),
  rule('2.1#120', '2.1', 'Role name is duplicate of another', (c) =>
    dupes(list(c.spec.managed?.roles).map((r) => r?.name)).map((n) => ({ field: 'spec.managed.roles', message: 'Role name is duplicate of another', value: n }))),
  rule('2.1#121', '2.1', 'Connection limit should be positive, unless defaulting to -1', (c) =>
    list(c.spec.managed?.roles).flatMap((r) => (typeof r?.connectionLimit === 'number' && r.connectionLimit < -1
      ? [{ field: 'spec.managed.roles', message: 'Connection limit should be positive, unless defaulting to -1', value: r.connectionLimit }]
      : []))),
  // Mirrors internal/webhook/v1/cluster_webhook.go@v1.30.0 validateManagedRoles (IsRoleReserved); the webhook reports
  // spec.managed.roles without the index, this rule names the role's index.
  rule('2.1#122', '2.1', 'This role is reserved for operator use', (c) =>
    list(c.spec.managed?.roles).flatMap((r, i) => (isReservedRole(str(r?.name))
      ? [{ field: `spec.managed.roles[${i}].name`, message: `This role is reserved for operator use: spec.managed.roles[${i}] (role ${i + 1} of ${list(c.spec.managed?.roles).length}) is named "${str(r.name)}"`, value: r.name, fix: 'rename it: postgres, streaming_replica and names starting with cnpg_ or pg_ are reserved' }]
      : [])), { upstream: `${CLUSTER_WEBHOOK('validateManagedRoles')} + pkg/postgres/roles.go@v1.30.0 IsRoleReserved` }),
  rule('2.1#123', '2.1', 'This role both sets and disables a password', (c) =>
    list(c.spec.managed?.roles).flatMap((r) => (r?.disablePassword === true && has(r.passwordSecret)
      ? [{ field: 'spec.managed.roles', message: 'This role both sets and disables a password', value: r.name }]
      : []))),
  rule('2.1#124', '2.1', 'extension names: empty, duplicate, duplicate volume name', (c) => {
    const out: Finding[] = [];
    const names = new Set<string>();
    const volumes = new Set<string>();
    list(c.spec.postgresql?.extensions).forEach((e, i) => {
      const at = `spec.postgresql.extensions[${i}].name`;
      const n = str(e?.name);
      if (n === '') return void out.push({ field: at, message: 'value cannot be empty' });
      if (names.has(n)) return void out.push({ field: at, message: 'Duplicate value', value: n });
      names.add(n);
      const v = n.replace(/_/g, '-');
      if (volumes.has(v)) out.push({ field: at, message: `extension name results in duplicate volume name "${v}" after sanitization (underscores are converted to hyphens)`, value: n });
      volumes.add(v);
    });
    return out;
  }),
  rule('2.1#125', '2.1', 'Image reference for extension `<n>` must be set when no image catalog is configured', (c) =>
    has(c.spec.imageCatalogRef) ? [] : list(c.spec.postgresql?.extensions).flatMap((e, i) => (!nonEmpty(e?.image?.reference)
      ? [{ field: `spec.postgresql.extensions[${i}].image.reference`, message: `Image reference for extension \`${str(e?.name)}\` must be set when no image catalog is configured` }]
      : []))),
  rule('2.1#126', '2.1', 'extension paths: empty, duplicate, escaping the extension directory', (c) =>
    list(c.spec.postgresql?.extensions).flatMap((e, i) => ['extension_control_path', 'dynamic_library_path', 'ld_library_path', 'bin_path'].flatMap((k) => {
      const seen = new Set<string>();
      return list(e?.[k]).flatMap((p, j) => {
        const at = `spec.postgresql.extensions[${i}].${k}[${j}]`;
        if (typeof p !== 'string' || p === '') return [{ field: at, message: 'value cannot be empty' }];
        if (seen.has(p)) return [{ field: at, message: 'Duplicate value', value: p }];
        seen.add(p);
        return escapesDir(p) ? [{ field: at, message: 'path must not escape the extension directory', value: p }] : [];
      });
    }))),
  // Mirrors internal/webhook/v1/cluster_webhook.go@v1.30.0 validateExtensionEnvVars (placeholders:
  // pkg/postgres/environment.go@v1.30.0 FindUnknownPlaceholders, where "$${…}" is an escaped literal).
  rule('2.1#127', '2.1', 'extension env: reserved names, PATH/LD_LIBRARY_PATH, placeholders, duplicates', (c) =>
    list(c.spec.postgresql?.extensions).flatMap((e, i) => {
      const seen = new Set<string>();
      return list(e?.env).flatMap((v, j) => {
        const at = `spec.postgresql.extensions[${i}].env[${j}]`;
        const n = str(v?.name);
        const out: Finding[] = [];
        if (RESERVED_ENV(n)) out.push({ field: `${at}.name`, message: 'the usage of this environment variable is reserved for the operator', value: n });
        if (n === 'PATH') out.push({ field: `${at}.name`, message: `PATH must be configured via spec.postgresql.extensions[${i}].bin_path` });
        if (n === 'LD_LIBRARY_PATH') out.push({ field: `${at}.name`, message: `LD_LIBRARY_PATH must be configured via spec.postgresql.extensions[${i}].ld_library_path` });
        const unknown = unknownPlaceholders(str(v?.value));
        if (unknown.length) out.push({ field: `${at}.value`, message: `unsupported placeholder(s): ${unknown.join(', ')}; supported: \${image_root}`, value: v.value });
        if (seen.has(n)) out.push({ field: `${at}.name`, message: 'Duplicate value', value: n });
        seen.add(n);
        return out;
      });
    }), { upstream: `${CLUSTER_WEBHOOK('validateExtensionEnvVars')} + pkg/postgres/environment.go@v1.30.0 FindUnknownPlaceholders` }),
  rule('2.1#128', '2.1', 'Annotation value for hibernation should be "on" or "off"', (c) => {
    const v = c.annotations['cnpg.io/hibernation'];
    return v !== undefined && v !== 'on' && v !== 'off'
      ? [{ field: 'metadata.annotations.cnpg.io/hibernation', message: 'Annotation value for hibernation should be "on" or "off"', value: v }]
      : [];
  }),
  // Mirrors internal/webhook/v1/cluster_webhook.go@v1.30.0 validatePodPatchAnnotation: the patch is decoded, then
  // applied to the instance Pod built from the Cluster (pkg/specs/pods.go@v1.30.0 NewInstance) and decoded back
  // into a Pod, see pod-patch.ts. At creation the Pod has no image yet (the Cluster has no status).
  rule('2.1#129', '2.1', "error decoding JSON patch / jsonpatch doesn't apply cleanly to the pod", (c) => {
    const v = c.annotations['cnpg.io/podPatch'];
    if (v === undefined) return [];
    const problem = podPatchProblem(String(v), c.obj, { existing: c.existing });
    if (!problem) return [];
    return [{
      field: 'metadata.annotations.cnpg.io/podPatch',
      message: problem,
      value: v,
      fix: problem.startsWith('error decoding')
        ? 'write an RFC 6902 JSON patch: [{"op": "add", "path": "...", "value": ...}]'
        : 'patch only paths the instance Pod has (replace, remove and test need an existing path, add needs its parent; append to arrays with "/-"); see docs/rules.md#2-1-129 for the Pod the operator builds',
    }];
  }, { upstream: `${CLUSTER_WEBHOOK('validatePodPatchAnnotation')} + pkg/specs/pods.go@v1.30.0 buildInstance` }),
  rule('2.1#130', '2.1', 'error decoding liveness pinger config', (c) => {
    const v = c.annotations['alpha.cnpg.io/livenessPinger'];
    if (v === undefined) return [];
    let problem: string | undefined;
    try {
      const parsed = JSON.parse(String(v));
      if (!isObj(parsed) || typeof parsed.enabled !== 'boolean') problem = 'the "enabled" field is required';
    } catch (e) {
      problem = (e as Error).message;
    }
    return problem ? [{ field: 'metadata.annotations.alpha.cnpg.io/livenessPinger', message: `error decoding liveness pinger config: ${problem}`, value: v, fix: 'the annotation is deprecated: use spec.probes.liveness.isolationCheck' }] : [];
  }),
  rule('2.1#131', '2.1', "Super user secret name can't be empty", (c) =>
    isObj(c.spec.superuserSecret) && !nonEmpty(c.spec.superuserSecret.name)
      ? [{ field: 'spec.superuserSecret.name', message: "Super user secret name can't be empty" }]
      : []),
  rule('2.1#132', '2.1', "Server alternative DNS names can't be defined when server TLS secret is provided", (c) =>
    nonEmpty(c.spec.certificates?.serverTLSSecret) && list(c.spec.certificates?.serverAltDNSNames).length > 0
      ? [{ field: 'spec.certificates.serverAltDNSNames', message: "Server alternative DNS names can't be defined when server TLS secret is provided" }]
      : []),
  rule('2.1#133', '2.1', "Server CA secret can't be empty when server TLS secret is provided", (c) =>
    nonEmpty(c.spec.certificates?.serverTLSSecret) && !nonEmpty(c.spec.certificates?.serverCASecret)
      ? [{ field: 'spec.certificates.serverCASecret', message: "Server CA secret can't be empty when server TLS secret is provided" }]
      : []),
  rule('2.1#134', '2.1', "Client CA secret can't be empty when client replication secret is provided", (c) =>
    nonEmpty(c.spec.certificates?.replicationTLSSecret) && !nonEmpty(c.spec.certificates?.clientCASecret)
      ? [{ field: 'spec.certificates.clientCASecret', message: "Client CA secret can't be empty when client replication secret is provided" }]
      : []),
  rule('2.1#135', '2.1', 'serviceAccountName and serviceAccountTemplate are mutually exclusive', (c) =>
    nonEmpty(c.spec.serviceAccountName) && has(c.spec.serviceAccountTemplate)
      ? [{ field: 'spec.serviceAccountName', message: 'serviceAccountName and serviceAccountTemplate are mutually exclusive' }]
      : []),
  rule('2.1#136', '2.1', 'leaseDurationSeconds must be greater than renewDeadlineSeconds', (c) => {
    const l = c.spec.primaryLease;
    if (!isObj(l)) return [];
    return (l.leaseDurationSeconds ?? 15) <= (l.renewDeadlineSeconds ?? 10)
      ? [{ field: 'spec.primaryLease.leaseDurationSeconds', message: 'leaseDurationSeconds must be greater than renewDeadlineSeconds', value: l.leaseDurationSeconds ?? 15 }]
      : [];
  }),
  rule('2.1#137', '2.1', 'renewDeadlineSeconds must be greater than retryPeriodSeconds multiplied by 1.2', (c) => {
    const l = c.spec.primaryLease;
    if (!isObj(l)) return [];
    return 5 * (l.renewDeadlineSeconds ?? 10) <= 6 * (l.retryPeriodSeconds ?? 2)
      ? [{ field: 'spec.primaryLease.renewDeadlineSeconds', message: 'renewDeadlineSeconds must be greater than retryPeriodSeconds multiplied by 1.2', value: l.renewDeadlineSeconds ?? 10 }]
      : [];
  }),

  // ---- W: the webhook's warnings
  rule('W1', '2.3', 'Consider using `.spec.enablePDB` instead of the node maintenance window feature', (c) =>
    has(c.rawSpec.nodeMaintenanceWindow)
      ? [{ field: 'spec.nodeMaintenanceWindow', message: 'Consider using `.spec.enablePDB` instead of the node maintenance window feature', fix: 'remove nodeMaintenanceWindow and keep enablePDB' }]
      : [], { severity: 'warning' }),
  rule('W2', '2.3', 'Native support for Barman Cloud backups and recovery is deprecated and will be completely removed in CloudNativePG 1.31.0.', (c) => {
    const paths = [
      ...(has(c.spec.backup?.barmanObjectStore) ? ['spec.backup.barmanObjectStore'] : []),
      ...list(c.spec.externalClusters).flatMap((e, i) => (has(e?.barmanObjectStore) ? [`spec.externalClusters[${i}].barmanObjectStore`] : [])),
    ];
    return paths.length
      ? [{ field: paths[0], message: `Native support for Barman Cloud backups and recovery is deprecated and will be completely removed in CloudNativePG 1.31.0. Found usage in: ${paths.join(', ')}`, fix: 'migrate to the Barman Cloud plugin (BackupStore.archiveWal, ClusterRecovery.fromBackupStore)' }]
      : [];
  }, { severity: 'warning' }),
  rule('W3', '2.3', 'Retention policies specified in .spec.backup.retentionPolicy are only used by the in-tree barman-cloud support, which is not being used in this cluster.', (c) =>
    nonEmpty(c.spec.backup?.retentionPolicy) && !has(c.spec.backup?.barmanObjectStore)
      ? [{ field: 'spec.backup.retentionPolicy', message: 'Retention policies specified in .spec.backup.retentionPolicy are only used by the in-tree barman-cloud support, which is not being used in this cluster', value: c.spec.backup.retentionPolicy, fix: 'set the retention policy on the plugin\'s ObjectStore (BackupStore retentionPolicy)' }]
      : [], { severity: 'warning' }),
  rule('W4', '2.3', '<x> and <pvcTemplate.y> are both specified, <x> value will be used.', (c) =>
    (['storage', 'walStorage'] as const).flatMap((k) => {
      const s = c.rawSpec[k];
      if (!isObj(s) || !isObj(s.pvcTemplate)) return [];
      const out: Finding[] = [];
      if (has(s.storageClass) && has(s.pvcTemplate.storageClassName)) {
        out.push({ field: `spec.${k}.storageClass`, message: `spec.${k}.storageClass and spec.${k}.pvcTemplate.storageClassName are both specified, spec.${k}.storageClass value will be used.` });
      }
      if (nonEmpty(s.size) && parseQuantity(String(s.pvcTemplate.resources?.requests?.storage ?? '')) > 0) {
        out.push({ field: `spec.${k}.size`, message: `spec.${k}.size and spec.${k}.pvcTemplate.resources.requests.storage are both specified, spec.${k}.size value will be used.` });
      }
      return out;
    }), { severity: 'warning' }),
  rule('W5', '2.3', '`shared_buffers` value is missing a unit', (c) => {
    const v = c.userParameters.shared_buffers;
    return typeof v === 'string' && /^[+-]?\d+$/.test(v)
      ? [{ field: 'spec.postgresql.parameters.shared_buffers', message: `\`shared_buffers\` value '${v}' is missing a unit (e.g., MB, GB). While this is currently allowed, future releases will require an explicit unit`, value: v, fix: `write '${v}MB' (note: PostgreSQL itself reads a bare number as 8kB pages, CloudNativePG as MB)` }]
      : [];
  }, { severity: 'warning' }),
  rule('W6', '2.3', 'spec.monitoring.metricsQueriesTTL is explicitly set to 0', (c) =>
    goDurationIsZero(c.rawSpec.monitoring?.metricsQueriesTTL)
      ? [{ field: 'spec.monitoring.metricsQueriesTTL', message: 'spec.monitoring.metricsQueriesTTL is explicitly set to 0; this disables automatic TTL behavior and can cause heavy load on the PostgreSQL server.', value: c.rawSpec.monitoring.metricsQueriesTTL, fix: 'remove it (default 30s)' }]
      : [], { severity: 'warning' }),
  rule('W7', '2.3', 'spec.monitoring.enablePodMonitor / podMonitor*Relabelings are deprecated', (c) => {
    const m = c.rawSpec.monitoring;
    if (!isObj(m)) return [];
    const out: Finding[] = [];
    if (m.enablePodMonitor === true) out.push({ field: 'spec.monitoring.enablePodMonitor', message: 'spec.monitoring.enablePodMonitor is deprecated and will be removed in a future release', fix: 'create a PodMonitor yourself (PodMonitor.forCluster) and leave the field false' });
    if (list(m.podMonitorMetricRelabelings).length) out.push({ field: 'spec.monitoring.podMonitorMetricRelabelings', message: 'spec.monitoring.podMonitorMetricRelabelings is deprecated and will be removed in a future release', fix: 'manage your own PodMonitor with relabelings' });
    if (list(m.podMonitorRelabelings).length) out.push({ field: 'spec.monitoring.podMonitorRelabelings', message: 'spec.monitoring.podMonitorRelabelings is deprecated and will be removed in a future release', fix: 'manage your own PodMonitor with relabelings' });
    return out;
  }, { severity: 'warning' }),
  rule('W8', '2.3', 'validation webhook is disabled / invalid "cnpg.io/validation" annotation', (c) => {
    const v = c.annotations['cnpg.io/validation'];
    if (v === undefined || v === '' || v === 'enabled') return [];
    return v === 'disabled'
      ? [{ field: 'metadata.annotations.cnpg.io/validation', message: 'validation webhook is disabled — all changes are accepted without validation. This may lead to unsafe or destructive operations (this library still checks the rules at synth)', value: v, fix: 'remove the annotation' }]
      : [{ field: 'metadata.annotations.cnpg.io/validation', message: `invalid "cnpg.io/validation" annotation: "${String(v)}" (expected "enabled" or "disabled")`, value: v }];
  }, { severity: 'warning' }),

  // ---- 2.4: CRD rules (API server)
  rule('2.4#image-exclusive', '2.4', 'imageName and imageCatalogRef are mutually exclusive', (c) =>
    has(c.rawSpec.imageName) && has(c.rawSpec.imageCatalogRef)
      ? [{ field: 'spec', message: 'imageName and imageCatalogRef are mutually exclusive', fix: 'remove one of them' }]
      : []),
  rule('2.4#image-catalog', '2.4', 'Only image catalogs are supported; kind, major and name are required', (c) => {
    const r = c.rawSpec.imageCatalogRef;
    if (!isObj(r)) return [];
    const out: Finding[] = [];
    if (r.kind !== 'ImageCatalog' && r.kind !== 'ClusterImageCatalog') out.push({ field: 'spec.imageCatalogRef.kind', message: 'Only image catalogs are supported', value: r.kind });
    if (r.apiGroup !== 'postgresql.cnpg.io') out.push({ field: 'spec.imageCatalogRef.apiGroup', message: 'Only image catalogs are supported', value: r.apiGroup, fix: 'use apiGroup postgresql.cnpg.io' });
    if (!Number.isInteger(r.major)) out.push({ field: 'spec.imageCatalogRef.major', message: 'Required value', value: r.major });
    if (!nonEmpty(r.name)) out.push({ field: 'spec.imageCatalogRef.name', message: 'Required value' });
    return out;
  }),
  rule('2.4#initdb-locale', '2.4', 'builtinLocale/icuLocale/icuRules are only available with the matching localeProvider', (c) => localeProviderProblems(c.rawSpec.bootstrap?.initdb, 'spec.bootstrap.initdb')),
  rule('2.4#synchronous', '2.4', "synchronous: method and number required, number > 0, dataDurability 'preferred' requires empty standbyNamesPre/Post", (c) => {
    const s = c.rawSpec.postgresql?.synchronous;
    if (!isObj(s)) return [];
    const out: Finding[] = [];
    const at = 'spec.postgresql.synchronous';
    if (s.method !== 'any' && s.method !== 'first') out.push({ field: `${at}.method`, message: 'Unsupported value: must be "any" or "first"', value: s.method });
    if (typeof s.number !== 'number') out.push({ field: `${at}.number`, message: 'Required value' });
    else if (s.number <= 0) out.push({ field: `${at}.number`, message: 'The number of synchronous replicas should be greater than zero', value: s.number });
    if (has(s.dataDurability) && s.dataDurability !== 'required' && s.dataDurability !== 'preferred') out.push({ field: `${at}.dataDurability`, message: 'Unsupported value: must be "required" or "preferred"', value: s.dataDurability });
    if (s.dataDurability === 'preferred' && (list(s.standbyNamesPre).length > 0 || list(s.standbyNamesPost).length > 0)) {
      out.push({ field: at, message: "dataDurability set to 'preferred' requires empty 'standbyNamesPre' and empty 'standbyNamesPost'" });
    }
    return out;
  }),
  rule('2.4#instances', '2.4', 'spec.instances is required and at least 1', (c) => {
    const n = c.rawSpec.instances;
    return has(n) && !(Number.isInteger(n) && n >= 1)
      ? [{ field: 'spec.instances', message: 'should be an integer greater than or equal to 1', value: n }]
      : [];
  }),
  rule('2.4#enums', '2.4', 'enumerated fields', (c) => enumProblems(c.rawSpec)),
  rule('2.4#patterns', '2.4', 'field patterns (slotPrefix, extension and podSelectorRefs names, ephemeral volume sizes, serviceAccountName)', (c) => patternProblems(c.rawSpec)),
  rule('2.4#minimums', '2.4', 'field minimums (walSegmentSize 1..1024, maxParallel, updateInterval, primaryLease)', (c) => minimumProblems(c.rawSpec)),
  rule('2.4#required', '2.4', 'required sub-fields', (c) => requiredProblems(c.rawSpec)),

  // ---- 2.6: PostgreSQL parameters and pg_hba
  rule('2.6#parameters', '2.6', 'parameter names (2.1#93), forbidden parameters (2.1#94), string values (2.6#string-values), PostgreSQL names and values (2.6#postgres; lib#parameters-unchecked for majors without a table)', (c) => parameterFindings(c)),
  rule('2.6#pg_hba', '2.6', 'pg_hba syntax as PostgreSQL parses it (2.6#pg_hba), ${podselector:NAME} references (2.1#107), operator roles (lib#pg_hba-operator-roles), shadowed local lines (lib#pg_hba-local), md5 (lib#pg_hba-md5)', (c) => hbaFindings(c)),
];

/** Every rule id a Cluster problem can carry (the table's, and the sub-rules of the 2.6 entries). */
export const CLUSTER_RULE_IDS: readonly string[] = [
  ...CLUSTER_RULES.map((r) => r.id).filter((id) => id !== '2.6#parameters' && id !== '2.6#pg_hba'),
  '2.1#51', '2.1#93', '2.1#94', '2.6#string-values', '2.6#postgres', 'lib#parameters-unchecked',
  '2.1#107', '2.6#pg_hba', 'lib#pg_hba-operator-roles', 'lib#pg_hba-local', 'lib#pg_hba-md5',
];

function refsProblems(c: ClusterContext, kind: 'secretRefs' | 'configMapRefs'): Finding[] {
  return list(c.spec.bootstrap?.initdb?.postInitApplicationSQLRefs?.[kind]).flatMap((r, i) => (!nonEmpty(r?.name) || !nonEmpty(r?.key)
    ? [{ field: `spec.bootstrap.initdb.postInitApplicationSQLRefs.${kind}[${i}]`, message: 'key and name must be specified', value: r }]
    : []));
}

function recoveryTargetRules(): AdmissionRule<ClusterContext>[] {
  // One problem list from lib/backup/recovery.ts (the rules ClusterRecovery already applies), split by rule id.
  const problems = (c: ClusterContext): Problem[] => {
    const r = c.spec.bootstrap?.recovery;
    const t = r?.recoveryTarget;
    if (!isObj(t)) return [];
    const raw = {
      targetTime: t.targetTime === '' ? undefined : t.targetTime,
      targetLsn: t.targetLSN === '' ? undefined : t.targetLSN,
      targetXid: t.targetXID === '' ? undefined : t.targetXID,
      targetName: t.targetName === '' ? undefined : t.targetName,
      targetImmediate: t.targetImmediate === undefined ? undefined : true,
      exclusive: t.exclusive,
      targetTli: t.targetTLI,
    };
    const list2 = recoveryTargetProblems(raw, t.backupID === '' ? undefined : t.backupID);
    // with volume snapshots no backup id is needed (rule 30), and rule 21 forbids one
    return has(r.volumeSnapshots) ? list2.filter((p) => !p.field.endsWith('.backupID')) : list2;
  };
  // Reported with the wire field names (targetLSN, targetXID, targetTLI); ClusterRecovery reports the same problems
  // under its own names (targetLsn, …), and CnpgResource keeps the construct's own error on that field.
  const wire = (field: string) => field.replace(/\.targetLsn$/, '.targetLSN').replace(/\.targetXid$/, '.targetXID').replace(/\.targetTli$/, '.targetTLI');
  const pick = (id: string, message: string, match: (p: Problem) => boolean, section: AdmissionRule<ClusterContext>['section'] = '2.1') =>
    rule(id, section, message, (c) => problems(c).filter(match).map((p) => ({ ...p, field: wire(p.field) })));
  const missingBackupId = (p: Problem) => p.field.endsWith('.backupID') && p.message.startsWith('BackupID is missing');
  return [
    pick('2.1#24', 'Recovery target options are mutually exclusive', (p) => p.field === RECOVERY_FIELD),
    pick('2.1#25', 'The format of TargetTime is invalid', (p) => p.field.endsWith('.targetTime')),
    pick('2.1#26', 'Invalid TargetLSN', (p) => p.field.endsWith('.targetLsn')),
    pick('2.1#27', 'recovery target xid must be a non-negative 32-bit integer', (p) => p.field.endsWith('.targetXid')),
    pick('2.1#28', 'recovery target name must be shorter than 64 bytes / must not contain ASCII control characters (29)', (p) => p.field.endsWith('.targetName')),
    pick('2.1#30', 'BackupID is missing', missingBackupId),
    // The webhook accepts any backupID (the plugin or barman-cloud-restore fails later); the format check is this
    // library's, so it has a library id.
    pick('lib#backupID-format', 'the backupID is a Barman backup id (YYYYMMDDTHHMMSS)', (p) => p.field.endsWith('.backupID') && !missingBackupId(p), 'library'),
    pick('2.1#31', "recovery target timeline can be set to 'latest' or a positive integer", (p) => p.field.endsWith('.targetTli')),
  ];
}

function enabledWalArchivers(c: ClusterContext): string[] {
  return list(c.spec.plugins).filter((p) => isObj(p) && p.enabled !== false && p.isWALArchiver === true).map((p) => p.name);
}

function requestOverLimit(c: ClusterContext, resource: string, message: string, field: string): Finding[] {
  const req = c.spec.resources?.requests?.[resource];
  const lim = c.spec.resources?.limits?.[resource];
  if (!has(req) || !has(lim)) return [];
  const r = parseQuantity(String(req));
  const l = parseQuantity(String(lim));
  return r > 0 && l > 0 && r > l ? [{ field, message, value: `${req} > ${lim}` }] : [];
}

function booleanParameter(c: ClusterContext, name: string): Finding[] {
  const v = c.userParameters[name];
  return typeof v === 'string' && parsePostgresBoolean(v) === undefined
    ? [{ field: `spec.postgresql.parameters.${name}`, message: `invalid \`${name}\` value. Must be a postgres boolean`, value: v, fix: 'use on or off' }]
    : [];
}

function tolerationProblems(t: any, at: string): Finding[] {
  if (!isObj(t)) return [];
  const out: Finding[] = [];
  const key = str(t.key);
  if (key !== '' && !isLabelKey(key)) out.push({ field: `${at}.key`, message: 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character', value: key });
  if (key === '' && t.operator !== 'Exists') out.push({ field: `${at}.operator`, message: 'operator must be Exists when `key` is empty, which means "match all values and all keys"', value: t.operator });
  if (has(t.tolerationSeconds) && t.effect !== 'NoExecute') out.push({ field: `${at}.effect`, message: "effect must be 'NoExecute' when `tolerationSeconds` is set", value: t.effect });
  const op = t.operator ?? '';
  if (op === 'Equal' || op === '') {
    if (!isLabelValue(str(t.value))) out.push({ field: `${at}.operator`, message: 'a valid label value must be 63 characters or less and consist of alphanumeric characters, \'-\', \'_\' or \'.\'', value: t.value });
  } else if (op === 'Exists') {
    if (nonEmpty(t.value)) out.push({ field: `${at}.operator`, message: "value must be empty when `operator` is 'Exists'", value: t.value });
  } else {
    out.push({ field: `${at}.operator`, message: 'Unsupported value: supported values: "Equal", "Exists"', value: op });
  }
  if (nonEmpty(t.effect) && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
    out.push({ field: `${at}.effect`, message: 'Unsupported value: supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"', value: t.effect });
  }
  return out;
}

function promotionTokenProblem(token: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(token) || token.length % 4 !== 0) return 'Invalid promotionToken format: invalid promotion token (Base64 decoding failed)';
  let content: any;
  try {
    content = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch (e) {
    return `Invalid promotionToken format: invalid promotion token (JSON decoding failed): ${(e as Error).message}`;
  }
  if (!isObj(content)) return 'Invalid promotionToken format: invalid promotion token (JSON decoding failed)';
  const fields: Array<[string, string]> = [
    ['latestCheckpointTimelineID', 'LatestCheckpointTimelineID'], ['redoWalFile', 'REDOWALFile'], ['databaseSystemIdentifier', 'DatabaseSystemIdentifier'],
    ['latestCheckpointREDOLocation', 'LatestCheckpointREDOLocation'], ['timeOfLatestCheckpoint', 'TimeOfLatestCheckpoint'], ['operatorVersion', 'OperatorVersion'],
  ];
  for (const [json, go] of fields) {
    if (!nonEmpty(content[json])) return `Invalid promotionToken content: invalid promotion token (${go} is empty)`;
  }
  return undefined;
}

/** The locale-provider CEL rules of initdb and Database. */
export function localeProviderProblems(x: any, at: string): Finding[] {
  if (!isObj(x)) return [];
  const out: Finding[] = [];
  if (has(x.builtinLocale) && x.localeProvider !== 'builtin') out.push({ field: at, message: 'builtinLocale is only available when localeProvider is set to `builtin`' });
  if (has(x.icuLocale) && x.localeProvider !== 'icu') out.push({ field: at, message: 'icuLocale is only available when localeProvider is set to `icu`' });
  if (has(x.icuRules) && x.localeProvider !== 'icu') out.push({ field: at, message: 'icuRules is only available when localeProvider is set to `icu`' });
  return out;
}

function enumProblems(spec: any): Finding[] {
  const out: Finding[] = [];
  const check = (field: string, v: unknown, allowed: string[]) => {
    if (has(v) && !allowed.includes(v as string)) out.push({ field, message: `Unsupported value: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`, value: v });
  };
  check('spec.primaryUpdateMethod', spec.primaryUpdateMethod, ['switchover', 'restart']);
  check('spec.logLevel', spec.logLevel, ['error', 'warning', 'info', 'debug', 'trace']);
  check('spec.backup.target', spec.backup?.target, ['primary', 'prefer-standby']);
  list(spec.managed?.roles).forEach((r, i) => check(`spec.managed.roles[${i}].ensure`, r?.ensure, ['present', 'absent']));
  list(spec.managed?.services?.additional).forEach((s, i) => {
    check(`spec.managed.services.additional[${i}].selectorType`, s?.selectorType, ['rw', 'r', 'ro']);
    check(`spec.managed.services.additional[${i}].updateStrategy`, s?.updateStrategy, ['patch', 'replace']);
  });
  list(spec.managed?.services?.disabledDefaultServices).forEach((s, i) => check(`spec.managed.services.disabledDefaultServices[${i}]`, s, ['rw', 'r', 'ro']));
  check('spec.postgresql.ldap.scheme', spec.postgresql?.ldap?.scheme, ['ldap', 'ldaps']);
  const barman = (b: any, at: string) => {
    if (!isObj(b)) return;
    check(`${at}.data.compression`, b.data?.compression, ['bzip2', 'gzip', 'lz4', 'snappy']);
    check(`${at}.wal.compression`, b.wal?.compression, ['bzip2', 'gzip', 'lz4', 'snappy', 'xz', 'zstd']);
    check(`${at}.data.encryption`, b.data?.encryption, ['AES256', 'aws:kms']);
    check(`${at}.wal.encryption`, b.wal?.encryption, ['AES256', 'aws:kms']);
  };
  barman(spec.backup?.barmanObjectStore, 'spec.backup.barmanObjectStore');
  list(spec.externalClusters).forEach((e, i) => barman(e?.barmanObjectStore, `spec.externalClusters[${i}].barmanObjectStore`));
  return out;
}

function patternProblems(spec: any): Finding[] {
  const out: Finding[] = [];
  const prefix = spec.replicationSlots?.highAvailability?.slotPrefix;
  if (typeof prefix === 'string' && !/^[0-9a-z_]*$/.test(prefix)) out.push({ field: 'spec.replicationSlots.highAvailability.slotPrefix', message: 'should match \'^[0-9a-z_]*$\'', value: prefix });
  list(spec.postgresql?.extensions).forEach((e, i) => {
    const n = e?.name;
    if (typeof n === 'string' && n !== '' && (!/^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/.test(n) || n.length > 59)) {
      out.push({ field: `spec.postgresql.extensions[${i}].name`, message: 'should match \'^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$\' and be at most 59 characters', value: n });
    }
  });
  list(spec.podSelectorRefs).forEach((r, i) => {
    if (typeof r?.name === 'string' && !/^[a-z]([a-z0-9_-]*[a-z0-9])?$/.test(r.name)) out.push({ field: `spec.podSelectorRefs[${i}].name`, message: 'should match \'^[a-z]([a-z0-9_-]*[a-z0-9])?$\'', value: r.name });
  });
  for (const k of ['shm', 'temporaryData']) {
    const v = spec.ephemeralVolumesSizeLimit?.[k];
    if (has(v) && !isQuantity(String(v))) out.push({ field: `spec.ephemeralVolumesSizeLimit.${k}`, message: 'is not a Kubernetes quantity', value: v });
  }
  const sa = spec.serviceAccountName;
  if (typeof sa === 'string' && (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(sa) || sa.length > 253)) out.push({ field: 'spec.serviceAccountName', message: 'should match \'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$\' (at most 253 characters)', value: sa });
  return out;
}

function minimumProblems(spec: any): Finding[] {
  const out: Finding[] = [];
  const min = (field: string, v: unknown, lo: number, hi?: number) => {
    if (typeof v === 'number' && (v < lo || (hi !== undefined && v > hi))) out.push({ field, message: hi === undefined ? `should be greater than or equal to ${lo}` : `should be between ${lo} and ${hi}`, value: v });
  };
  min('spec.bootstrap.initdb.walSegmentSize', spec.bootstrap?.initdb?.walSegmentSize, 1, 1024);
  min('spec.backup.barmanObjectStore.wal.maxParallel', spec.backup?.barmanObjectStore?.wal?.maxParallel, 1);
  min('spec.replicationSlots.updateInterval', spec.replicationSlots?.updateInterval, 1);
  for (const k of ['leaseDurationSeconds', 'renewDeadlineSeconds', 'retryPeriodSeconds', 'releasedLeaseDurationSeconds']) {
    min(`spec.primaryLease.${k}`, spec.primaryLease?.[k], 1);
  }
  return out;
}

function requiredProblems(spec: any): Finding[] {
  const out: Finding[] = [];
  const req = (cond: boolean, field: string) => {
    if (cond) out.push({ field, message: 'Required value' });
  };
  const b = spec.bootstrap;
  if (isObj(b?.pg_basebackup)) req(!nonEmpty(b.pg_basebackup.source), 'spec.bootstrap.pg_basebackup.source');
  if (isObj(b?.recovery?.backup)) req(!nonEmpty(b.recovery.backup.name), 'spec.bootstrap.recovery.backup.name');
  if (isObj(b?.recovery?.volumeSnapshots)) {
    const s = b.recovery.volumeSnapshots.storage;
    req(!isObj(s) || !nonEmpty(s.kind) || !nonEmpty(s.name), 'spec.bootstrap.recovery.volumeSnapshots.storage');
  }
  if (isObj(spec.backup?.barmanObjectStore)) req(!nonEmpty(spec.backup.barmanObjectStore.destinationPath), 'spec.backup.barmanObjectStore.destinationPath');
  list(spec.externalClusters).forEach((e, i) => req(!nonEmpty(e?.name), `spec.externalClusters[${i}].name`));
  list(spec.plugins).forEach((p, i) => req(!nonEmpty(p?.name), `spec.plugins[${i}].name`));
  if (isObj(spec.replica)) req(!nonEmpty(spec.replica.source), 'spec.replica.source');
  list(spec.tablespaces).forEach((t, i) => {
    req(!nonEmpty(t?.name), `spec.tablespaces[${i}].name`);
    req(!isObj(t?.storage), `spec.tablespaces[${i}].storage`);
  });
  return out;
}

/** Builds the context of a Cluster object. */
export function clusterContext(raw: any, defaulted: any, existing = false): ClusterContext {
  const spec = isObj(defaulted?.spec) ? defaulted.spec : {};
  const rawSpec = isObj(raw?.spec) ? raw.spec : {};
  const userParameters = isObj(rawSpec.postgresql?.parameters) ? rawSpec.postgresql.parameters : {};
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(isObj(spec.postgresql?.parameters) ? spec.postgresql.parameters : {})) parameters[k] = String(v);
  parameters.archive_mode = computedArchiveMode(defaulted);
  return {
    raw,
    obj: defaulted,
    spec,
    rawSpec,
    name: typeof raw?.metadata?.name === 'string' ? raw.metadata.name : '',
    annotations: isObj(raw?.metadata?.annotations) ? raw.metadata.annotations : {},
    userParameters,
    parameters,
    major: clusterMajor(defaulted),
    instances: typeof spec.instances === 'number' ? spec.instances : 1,
    replica: isReplicaCluster(defaulted),
    existing,
  };
}

function parameterFindings(c: ClusterContext): Finding[] {
  const params = postgresParameterProblems(c.rawSpec.postgresql?.parameters, {
    major: c.major,
    sharedPreloadLibraries: list(c.rawSpec.postgresql?.shared_preload_libraries).filter((x) => typeof x === 'string'),
    rules: { name: '2.1#93', forbidden: '2.1#94', string: '2.6#string-values', postgres: '2.6#postgres', unchecked: 'lib#parameters-unchecked' },
  });
  return [...params.errors, ...params.warnings.map((w) => ({ ...w, severity: 'warning' as const }))];
}

function hbaFindings(c: ClusterContext): Finding[] {
  const hba = pgHbaProblems(list(c.rawSpec.postgresql?.pg_hba), {
    major: c.major,
    oauthValidatorLibraries: typeof c.userParameters.oauth_validator_libraries === 'string' && c.userParameters.oauth_validator_libraries !== '',
    podSelectorRefs: list(c.rawSpec.podSelectorRefs).map((r) => r?.name).filter((n) => typeof n === 'string'),
    rules: { syntax: '2.6#pg_hba', podSelector: '2.1#107', reserved: 'lib#pg_hba-operator-roles', local: 'lib#pg_hba-local', md5: 'lib#pg_hba-md5' },
  });
  return [
    ...hba.errors,
    // the md5 warning is the construct's own check too (field pgHba, same line)
    ...hba.warnings.map((w) => ({ ...w, severity: 'warning' as const })),
  ];
}
