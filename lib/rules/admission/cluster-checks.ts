/**
 * The named procedures of the Cluster rules (`cluster.ts`): the context a rule sees, and the checks that are
 * procedures rather than a condition — storage sizes, label selectors, tolerations, promotion tokens, the CRD's
 * enums, patterns, minimums and required fields, the recovery target, PostgreSQL parameters and pg_hba.
 */
import { isLabelKey, isLabelValue, isQuantity, parseQuantity } from '../../core/k8s-syntax';
import { Problem } from '../../core/problems';
import { recoveryTargetProblems } from '../recovery-target';
import { pgHbaProblems } from '../pg-hba';
import { isVersionError, parseImageReference, versionFromTag } from '../image-reference';
import { has, isObj, list, nonEmpty, str } from './checks';
import { computedArchiveMode, isReplicaCluster } from './defaults';
import { parsePostgresBoolean, postgresParameterProblems } from './parameters';
import { Finding, Hit } from './rule';


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


export function externalCluster(ctx: ClusterContext, name: unknown): any {
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

export function storageSizeRules(path: string, storage: any, ids?: { invalid: string; missing: string }): Finding[] {
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
export function labelSelectorProblems(path: string, sel: any): Finding[] {
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
export function re2Compiles(source: string): boolean {
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

export const RESERVED_ENV = (name: string) => {
  const u = name.toUpperCase();
  return u.startsWith('CNPG_') || u.startsWith('PG') || ['POD_NAME', 'NAMESPACE', 'CLUSTER_NAME'].includes(u);
};

/** Bytes as PostgreSQL writes a memory setting: the largest of TB, GB, MB, kB that divides it, else B. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['TB', 2 ** 40], ['GB', 2 ** 30], ['MB', 2 ** 20], ['kB', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return bytes >= 2 ** 20 ? `${Math.round(bytes / 2 ** 20)}MB` : `${bytes}B`;
}

export function goDurationIsZero(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  return /^[+-]?((0+(\.0*)?|\.0+)(ns|us|µs|ms|s|m|h))+$/.test(v) || /^[+-]?0$/.test(v);
}

export function bool(ctx: ClusterContext, name: string): boolean | undefined {
  const v = ctx.userParameters[name];
  return typeof v === 'string' ? parsePostgresBoolean(v) : undefined;
}

export function escapesDir(p: string): boolean {
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

export const PATH_COMPONENT_BAD = (s: string) => s === '.' || s === '..' || s.includes('/') || s.includes('\\');

export const RECOVERY_FIELD = 'spec.bootstrap.recovery.recoveryTarget';

/**
 * The recovery target's problems (rules 24–31) from `recovery-target.ts` (the rules ClusterRecovery applies to its
 * props), run on the wire fields and reported with the wire names (targetLSN, targetXID, targetTLI); ClusterRecovery
 * reports the same problems under its own names (targetLsn, …), and CnpgResource keeps the construct's own error on
 * that field. With volume snapshots no backup id is needed (rule 30), and rule 21 forbids one.
 */
export function recoveryTargetFindings(c: ClusterContext): Problem[] {
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
  const all = recoveryTargetProblems(raw, t.backupID === '' ? undefined : t.backupID);
  const problems = has(r.volumeSnapshots) ? all.filter((p) => !p.field.endsWith('.backupID')) : all;
  const wire = (field: string) => field.replace(/\.targetLsn$/, '.targetLSN').replace(/\.targetXid$/, '.targetXID').replace(/\.targetTli$/, '.targetTLI');
  return problems.map((p) => ({ ...p, field: wire(p.field) }));
}

/** The recovery target problem of rule 30 (a missing backup id). */
export const missingBackupId = (p: Problem) => p.field.endsWith('.backupID') && p.message.startsWith('BackupID is missing');

export function refsProblems(c: ClusterContext, kind: 'secretRefs' | 'configMapRefs'): Finding[] {
  return list(c.spec.bootstrap?.initdb?.postInitApplicationSQLRefs?.[kind]).flatMap((r, i) => (!nonEmpty(r?.name) || !nonEmpty(r?.key)
    ? [{ field: `spec.bootstrap.initdb.postInitApplicationSQLRefs.${kind}[${i}]`, message: 'key and name must be specified', value: r }]
    : []));
}


export function enabledWalArchivers(c: ClusterContext): string[] {
  return list(c.spec.plugins).filter((p) => isObj(p) && p.enabled !== false && p.isWALArchiver === true).map((p) => p.name);
}

/** A resource request over its limit: the values, for rules 78, 79 and 83. */
export function requestOverLimit(c: ClusterContext, resource: string): Hit[] {
  const req = c.spec.resources?.requests?.[resource];
  const lim = c.spec.resources?.limits?.[resource];
  if (!has(req) || !has(lim)) return [];
  const r = parseQuantity(String(req));
  const l = parseQuantity(String(lim));
  return r > 0 && l > 0 && r > l ? [{ value: `${req} > ${lim}` }] : [];
}

export function booleanParameter(c: ClusterContext, name: string): Finding[] {
  const v = c.userParameters[name];
  return typeof v === 'string' && parsePostgresBoolean(v) === undefined
    ? [{ field: `spec.postgresql.parameters.${name}`, message: `invalid \`${name}\` value. Must be a postgres boolean`, value: v, fix: 'use on or off' }]
    : [];
}

export function tolerationProblems(t: any, at: string): Finding[] {
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

export function promotionTokenProblem(token: string): string | undefined {
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
export function enumProblems(spec: any): Finding[] {
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

export function patternProblems(spec: any): Finding[] {
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

export function minimumProblems(spec: any): Finding[] {
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

export function requiredProblems(spec: any): Finding[] {
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

export function parameterFindings(c: ClusterContext): Finding[] {
  const params = postgresParameterProblems(c.rawSpec.postgresql?.parameters, {
    major: c.major,
    sharedPreloadLibraries: list(c.rawSpec.postgresql?.shared_preload_libraries).filter((x) => typeof x === 'string'),
    rules: { name: '2.1#93', forbidden: '2.1#94', string: '2.6#string-values', postgres: '2.6#postgres', unchecked: 'lib#parameters-unchecked' },
  });
  return [...params.errors, ...params.warnings.map((w) => ({ ...w, severity: 'warning' as const }))];
}

export function hbaFindings(c: ClusterContext): Finding[] {
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
