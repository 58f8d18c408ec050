/**
 * Admission rules of CloudNativePG's other kinds, on wire JSON: Pooler, Database, Publication, Subscription,
 * DatabaseRole, ImageCatalog/ClusterImageCatalog, Backup and ScheduledBackup. Ids are `2.7#<Kind>.<what>`, documented
 * in docs/rules.md with the upstream webhook function or CRD rule each mirrors. Update-only rules (immutable fields) are in `lib/core/update-checks.ts`.
 */
import { scheduleProblem } from '../schedule';
import { pgHbaProblems } from '../pg-hba';
import { PGBOUNCER_ALLOWED_PARAMETERS } from '../pgbouncer';
import { Finding, localeProviderProblems } from './cluster-rules';
import { POOLER_WEBHOOK, RULE_META } from './rule-meta';
import { AdmissionRule } from './types';

/** What a rule of another kind sees. */
export interface ObjectContext {
  readonly obj: any;
  readonly spec: any;
  readonly name: string;
  readonly annotations: Record<string, unknown>;
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const has = (v: unknown): boolean => v !== undefined && v !== null;
const nonEmpty = (v: unknown): boolean => (typeof v === 'string' ? v !== '' : has(v));

type Check = (c: ObjectContext) => Finding[];
/** A rule of another kind; the catalogue's columns come from `RULE_META[id]` unless the row sets them. */
function rule(id: string, message: string, check: Check, severity: 'error' | 'warning' = 'error', extra: { upstream?: string; field?: string; fix?: string } = {}): AdmissionRule<ObjectContext> {
  const meta = { ...RULE_META[id], ...extra };
  return { id, section: id.startsWith('lib#') ? 'library' : '2.7', message, severity, check, upstream: meta.upstream, field: meta.field, fix: meta.fix };
}

/**
 * Whether a Pooler's secret reference is set as the webhook reads it: a reference with an empty name counts as
 * absent (`internal/webhook/v1/pooler_webhook.go@v1.30.0` `validatePgBouncer`, `validateMonitoring`,
 * `getAdmissionWarnings`; `api/v1/pooler_funcs.go@v1.30.0` `IsAutomatedIntegration`).
 */
const secretSet = (ref: unknown): boolean => isObj(ref) && typeof ref.name === 'string' && ref.name !== '';

/** PgBouncer settings the Pooler spec has a field for (they are not in the webhook's allow-list). */
const PGBOUNCER_DEDICATED_FIELDS: Readonly<Record<string, string>> = {
  pool_mode: 'spec.pgbouncer.poolMode ("session" or "transaction")',
  auth_query: 'spec.pgbouncer.authQuery',
  auth_user: 'the operator (it creates cnpg_pooler_pgbouncer), or spec.pgbouncer.authQuerySecret',
};

function required(c: ObjectContext, fields: string[]): Finding[] {
  return fields.filter((f) => !nonEmpty(f.split('.').reduce((o: any, k) => o?.[k], c.spec))).map((f) => ({ field: `spec.${f}`, message: 'Required value' }));
}

function enumOf(field: string, v: unknown, allowed: string[]): Finding[] {
  return has(v) && !allowed.includes(v as string)
    ? [{ field, message: `Unsupported value: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`, value: v }]
    : [];
}

function duplicates(field: string, items: any[], key = 'name'): Finding[] {
  const seen = new Set<unknown>();
  const out: Finding[] = [];
  items.forEach((it, i) => {
    const v = it?.[key];
    if (seen.has(v)) out.push({ field: `${field}[${i}].${key}`, message: 'Duplicate value', value: v });
    seen.add(v);
  });
  return out;
}

export const POOLER_RULES: readonly AdmissionRule<ObjectContext>[] = [
  rule('2.7#Pooler.pgbouncer', 'required pgbouncer configuration', (c) =>
    !isObj(c.spec.pgbouncer) ? [{ field: 'spec.pgbouncer', message: 'required pgbouncer configuration' }] : []),
  rule('2.7#Pooler.authQuery', 'must specify an auth query when providing an auth query secret', (c) => {
    const p = c.spec.pgbouncer;
    if (!isObj(p)) return [];
    const out: Finding[] = [];
    // hasPGAuthentication: a secret with an empty name is no secret
    const auth = secretSet(p.authQuerySecret) || secretSet(p.serverTLSSecret);
    if (auth && !nonEmpty(p.authQuery)) {
      out.push({ field: 'spec.pgbouncer.authQuery', message: 'must specify an auth query when providing an auth query secret' });
    }
    if (nonEmpty(p.authQuery) && !auth) {
      out.push({ field: 'spec.pgbouncer.authQuerySecret.name', message: 'must specify an existing auth query secret when providing an auth query secret' });
    }
    return out;
  }, 'error', { upstream: POOLER_WEBHOOK('validatePgBouncer') }),
  rule('2.7#Pooler.cluster', 'must specify a cluster name', (c) =>
    !nonEmpty(c.spec.cluster?.name) ? [{ field: 'spec.cluster.name', message: 'must specify a cluster name' }] : []),
  rule('2.7#Pooler.name', 'the pooler resource cannot have the same name of a cluster', (c) =>
    nonEmpty(c.name) && c.name === c.spec.cluster?.name
      ? [{ field: 'metadata.name', message: 'the pooler resource cannot have the same name of a cluster', value: c.name, fix: 'name the Pooler e.g. <cluster>-pooler-rw' }]
      : []),
  // Mirrors internal/webhook/v1/pooler_webhook.go@v1.30.0 validatePgbouncerGenericParameters (which reports the
  // field as spec.cluster.parameters); settings with a Pooler field of their own point at it.
  rule('2.7#Pooler.parameters', 'Invalid or reserved parameter', (c) =>
    Object.keys(isObj(c.spec.pgbouncer?.parameters) ? c.spec.pgbouncer.parameters : {}).filter((k) => !PGBOUNCER_ALLOWED_PARAMETERS.includes(k))
      .map((k) => (PGBOUNCER_DEDICATED_FIELDS[k]
        ? { field: `spec.pgbouncer.parameters.${k}`, message: `Invalid or reserved parameter: ${k} is not set through spec.pgbouncer.parameters but with ${PGBOUNCER_DEDICATED_FIELDS[k]}`, value: k, fix: `remove ${k} from spec.pgbouncer.parameters and set ${PGBOUNCER_DEDICATED_FIELDS[k]}` }
        : { field: `spec.pgbouncer.parameters.${k}`, message: 'Invalid or reserved parameter', value: k, fix: 'the operator manages this pgbouncer setting, or it does not exist; see the allowed parameters in docs/rules.md#2-7-pooler-parameters' })),
  'error', { upstream: POOLER_WEBHOOK('validatePgbouncerGenericParameters') }),
  rule('2.7#Pooler.monitoring', 'clientTLSSecret is required with monitoring.tls and the PodMonitor', (c) =>
    c.spec.monitoring?.tls?.enabled === true && c.spec.monitoring?.enablePodMonitor === true && !secretSet(c.spec.pgbouncer?.clientTLSSecret)
      ? [{ field: 'spec.pgbouncer.clientTLSSecret', message: 'Required value: a client TLS secret is needed to serve metrics over TLS with the PodMonitor' }]
      : []),
  rule('2.7#Pooler.image', 'image and imageCatalogRef are mutually exclusive; only image catalogs are supported', (c) => {
    const p = c.spec.pgbouncer;
    if (!isObj(p)) return [];
    const out: Finding[] = [];
    if (has(p.image) && has(p.imageCatalogRef)) out.push({ field: 'spec.pgbouncer', message: 'image and imageCatalogRef are mutually exclusive' });
    const r = p.imageCatalogRef;
    if (isObj(r)) {
      if (r.kind !== 'ImageCatalog' && r.kind !== 'ClusterImageCatalog') out.push({ field: 'spec.pgbouncer.imageCatalogRef.kind', message: 'Only ImageCatalog and ClusterImageCatalog are supported', value: r.kind });
      if (r.apiGroup !== 'postgresql.cnpg.io') out.push({ field: 'spec.pgbouncer.imageCatalogRef.apiGroup', message: 'apiGroup must be postgresql.cnpg.io', value: r.apiGroup });
    }
    return out;
  }),
  rule('2.7#Pooler.enums', 'type {rw, ro, r}; poolMode {session, transaction}', (c) => [
    ...enumOf('spec.type', c.spec.type, ['rw', 'ro', 'r']),
    ...enumOf('spec.pgbouncer.poolMode', c.spec.pgbouncer?.poolMode, ['session', 'transaction']),
  ]),
  rule('2.7#Pooler.pg_hba', 'pgbouncer pg_hba lines as PostgreSQL parses them', (c) =>
    pgHbaProblems(list(c.spec.pgbouncer?.pg_hba), { field: 'spec.pgbouncer.pg_hba', rules: {} }).errors),
  rule('2.7#Pooler.warnings', 'manual auth integration, deprecated authQuerySecret, deprecated spec.monitoring', (c) => {
    const p = c.spec.pgbouncer;
    const out: Finding[] = [];
    // !IsAutomatedIntegration(): an auth query, or an auth query or server TLS secret with a name
    if (isObj(p) && (nonEmpty(p.authQuery) || secretSet(p.authQuerySecret) || secretSet(p.serverTLSSecret))) {
      out.push({
        field: 'spec.pgbouncer.authQuery',
        message: `The operator won't handle the Pooler ${JSON.stringify(c.name)} integration with the Cluster ${JSON.stringify(String(c.spec.cluster?.name ?? ''))} (${JSON.stringify(String(c.obj?.metadata?.namespace ?? ''))}). Manually configure it as described in the docs.`,
        severity: 'warning',
      });
    }
    if (isObj(p) && secretSet(p.authQuerySecret)) out.push({ field: 'spec.pgbouncer.authQuerySecret', message: 'The .spec.pgbouncer.authQuerySecret field has been deprecated', severity: 'warning' });
    const m = c.spec.monitoring;
    if (isObj(m) && (m.enablePodMonitor === true || list(m.podMonitorMetricRelabelings).length || list(m.podMonitorRelabelings).length)) {
      out.push({ field: 'spec.monitoring', message: 'spec.monitoring is deprecated and will be removed in a future release', fix: 'create a PodMonitor for the Pooler yourself', severity: 'warning' });
    }
    return out;
  }, 'warning', { upstream: `${POOLER_WEBHOOK('getAdmissionWarnings')} + ${POOLER_WEBHOOK('validateDeprecatedMonitoringFields')} + api/v1/pooler_funcs.go@v1.30.0 IsAutomatedIntegration` }),
];

export const DATABASE_RULES: readonly AdmissionRule<ObjectContext>[] = [
  rule('2.7#Database.required', 'cluster, name and owner are required', (c) => required(c, ['cluster.name', 'name', 'owner'])),
  rule('2.7#Database.name', 'the names postgres, template0 and template1 are reserved', (c) =>
    ['postgres', 'template0', 'template1'].includes(c.spec.name) ? [{ field: 'spec.name', message: `the name ${c.spec.name} is reserved`, value: c.spec.name }] : []),
  rule('2.7#Database.locale', 'builtinLocale/icuLocale/icuRules need the matching localeProvider', (c) => localeProviderProblems(c.spec, 'spec')),
  rule('2.7#Database.duplicates', 'duplicate extensions, schemas, fdws, servers, and options/usages inside an fdw or server', (c) => [
    ...duplicates('spec.extensions', list(c.spec.extensions)),
    ...duplicates('spec.schemas', list(c.spec.schemas)),
    ...duplicates('spec.fdws', list(c.spec.fdws)),
    ...duplicates('spec.servers', list(c.spec.servers)),
    ...list(c.spec.fdws).flatMap((f, i) => [...duplicates(`spec.fdws[${i}].options`, list(f?.options)), ...duplicates(`spec.fdws[${i}].usage`, list(f?.usage))]),
    ...list(c.spec.servers).flatMap((s, i) => [...duplicates(`spec.servers[${i}].options`, list(s?.options)), ...duplicates(`spec.servers[${i}].usage`, list(s?.usage))]),
  ]),
  rule('2.7#Database.fdw', 'referenced fdw not defined in spec.fdws', (c) => {
    const fdws = list(c.spec.fdws).map((f) => f?.name);
    return list(c.spec.servers).flatMap((s, i) => {
      if (!isObj(s)) return [];
      if (!nonEmpty(s.fdw)) return [{ field: `spec.servers[${i}].fdw`, message: 'fdw is required' }];
      return s.ensure !== 'absent' && !fdws.includes(s.fdw) ? [{ field: `spec.servers[${i}].fdw`, message: 'referenced fdw not defined in spec.fdws', value: s.fdw }] : [];
    });
  }),
  rule('2.7#Database.usage', 'usage names are required', (c) =>
    [...list(c.spec.fdws).map((f, i) => [f, `spec.fdws[${i}]`] as const), ...list(c.spec.servers).map((s, i) => [s, `spec.servers[${i}]`] as const)]
      .flatMap(([x, at]) => list(x?.usage).flatMap((u, j) => (!nonEmpty(u?.name) ? [{ field: `${at}.usage[${j}].name`, message: 'name is required' }] : [])))),
  rule('2.7#Database.enums', 'databaseReclaimPolicy {delete, retain}; ensure {present, absent}', (c) => [
    ...enumOf('spec.databaseReclaimPolicy', c.spec.databaseReclaimPolicy, ['delete', 'retain']),
    ...enumOf('spec.ensure', c.spec.ensure, ['present', 'absent']),
  ]),
];

export const PUBLICATION_RULES: readonly AdmissionRule<ObjectContext>[] = [
  rule('2.7#Publication.required', 'cluster, dbname, name and target are required', (c) => required(c, ['cluster.name', 'dbname', 'name', 'target'])),
  rule('2.7#Publication.target', 'allTables and objects are mutually exclusive', (c) => {
    const t = c.spec.target;
    return isObj(t) && has(t.allTables) === has(t.objects) ? [{ field: 'spec.target', message: 'allTables and objects are mutually exclusive', fix: 'set exactly one of allTables and objects' }] : [];
  }),
  rule('2.7#Publication.objects', 'tablesInSchema and table are mutually exclusive; no column list with tablesInSchema', (c) => {
    const objects = list(c.spec.target?.objects);
    const out: Finding[] = objects.flatMap((o, i) => (has(o?.tablesInSchema) === has(o?.table)
      ? [{ field: `spec.target.objects[${i}]`, message: 'tablesInSchema and table are mutually exclusive' }]
      : []));
    if (objects.some((o) => has(o?.table?.columns)) && objects.some((o) => has(o?.tablesInSchema))) {
      out.push({ field: 'spec.target.objects', message: 'specifying a column list when the publication also publishes tablesInSchema is not supported' });
    }
    return out;
  }),
  rule('2.7#Publication.enums', 'publicationReclaimPolicy {delete, retain}', (c) => enumOf('spec.publicationReclaimPolicy', c.spec.publicationReclaimPolicy, ['delete', 'retain'])),
];

export const SUBSCRIPTION_RULES: readonly AdmissionRule<ObjectContext>[] = [
  rule('2.7#Subscription.required', 'cluster, dbname, externalClusterName, name and publicationName are required', (c) =>
    required(c, ['cluster.name', 'dbname', 'externalClusterName', 'name', 'publicationName'])),
  rule('2.7#Subscription.enums', 'subscriptionReclaimPolicy {delete, retain}', (c) => enumOf('spec.subscriptionReclaimPolicy', c.spec.subscriptionReclaimPolicy, ['delete', 'retain'])),
];

export const DATABASE_ROLE_RULES: readonly AdmissionRule<ObjectContext>[] = [
  rule('2.7#DatabaseRole.required', 'cluster and name are required', (c) => required(c, ['cluster.name'])),
  rule('2.7#DatabaseRole.name', 'role name must not be empty, postgres, streaming_replica, or start with pg_ or cnpg_', (c) => {
    const n = c.spec.name;
    if (typeof n !== 'string' || n === '') return [{ field: 'spec.name', message: 'role name must not be empty' }];
    if (n === 'postgres' || n === 'streaming_replica') return [{ field: 'spec.name', message: `the role name ${n} is reserved`, value: n }];
    if (n.startsWith('pg_')) return [{ field: 'spec.name', message: 'role names starting with pg_ are reserved by PostgreSQL', value: n }];
    if (n.startsWith('cnpg_')) return [{ field: 'spec.name', message: 'role names starting with cnpg_ are reserved by the operator', value: n }];
    return [];
  }),
  rule('2.7#DatabaseRole.ensure', 'ensure: absent is not supported for DatabaseRole', (c) =>
    c.spec.ensure === 'absent'
      ? [{ field: 'spec.ensure', message: 'ensure: absent is not supported for DatabaseRole; delete the resource with databaseRoleReclaimPolicy: delete instead' }]
      : []),
  rule('2.7#DatabaseRole.password', 'passwordSecret and disablePassword are mutually exclusive', (c) =>
    has(c.spec.passwordSecret) && c.spec.disablePassword === true ? [{ field: 'spec', message: 'passwordSecret and disablePassword are mutually exclusive' }] : []),
  rule('2.7#DatabaseRole.clientCertificate', 'clientCertificate requires the role to have login enabled', (c) =>
    isObj(c.spec.clientCertificate) && c.spec.clientCertificate.enabled !== false && c.spec.login !== true
      ? [{ field: 'spec.clientCertificate', message: 'clientCertificate requires the role to have login enabled', fix: 'set login: true' }]
      : []),
  rule('2.7#DatabaseRole.enums', 'ensure {present, absent}; databaseRoleReclaimPolicy {delete, retain}', (c) => [
    ...enumOf('spec.ensure', c.spec.ensure, ['present', 'absent']),
    ...enumOf('spec.databaseRoleReclaimPolicy', c.spec.databaseRoleReclaimPolicy, ['delete', 'retain']),
  ]),
];

export const IMAGE_CATALOG_RULES: readonly AdmissionRule<ObjectContext>[] = [
  rule('2.7#ImageCatalog.images', 'Images must have unique major versions (at least 10)', (c) => {
    const images = list(c.spec.images);
    const out: Finding[] = duplicates('spec.images', images, 'major').map((f) => ({ ...f, message: 'Images must have unique major versions' }));
    if (!Array.isArray(c.spec.images)) out.push({ field: 'spec.images', message: 'Required value' });
    images.forEach((im, i) => {
      if (!Number.isInteger(im?.major) || im.major < 10) out.push({ field: `spec.images[${i}].major`, message: 'should be an integer greater than or equal to 10', value: im?.major });
    });
    return out;
  }),
  rule('2.7#ImageCatalog.componentImages', 'Component image keys must be unique', (c) =>
    duplicates('spec.componentImages', list(c.spec.componentImages), 'key').map((f) => ({ ...f, message: 'Component image keys must be unique' }))),
];

function backupMethodRules(kind: 'Backup' | 'ScheduledBackup'): AdmissionRule<ObjectContext>[] {
  return [
    rule(`2.7#${kind}.online`, 'Online parameter can be specified only if the backup method is volumeSnapshot', (c) => {
      const method = c.spec.method ?? 'barmanObjectStore';
      const out: Finding[] = [];
      if (method === 'barmanObjectStore' && has(c.spec.online)) out.push({ field: 'spec.online', message: 'Online parameter can be specified only if the backup method is volumeSnapshot' });
      if (method === 'barmanObjectStore' && has(c.spec.onlineConfiguration)) out.push({ field: 'spec.onlineConfiguration', message: 'OnlineConfiguration parameter can be specified only if the backup method is volumeSnapshot' });
      return out;
    }),
    rule(`2.7#${kind}.enums`, 'method {barmanObjectStore, volumeSnapshot, plugin}; target {primary, prefer-standby}', (c) => [
      ...enumOf('spec.method', c.spec.method, ['barmanObjectStore', 'volumeSnapshot', 'plugin']),
      ...enumOf('spec.target', c.spec.target, ['primary', 'prefer-standby']),
      ...(kind === 'ScheduledBackup' ? enumOf('spec.backupOwnerReference', c.spec.backupOwnerReference, ['none', 'self', 'cluster']) : []),
    ]),
    // Not a webhook rule (the webhook does not warn about the default method): a library id.
    rule(`lib#${kind}.method`, 'the default method is the deprecated in-tree barmanObjectStore', (c) =>
      !has(c.spec.method) || c.spec.method === 'barmanObjectStore'
        ? [{ field: 'spec.method', message: 'the barmanObjectStore method (the CRD\'s default) is deprecated and will be removed in CloudNativePG 1.31.0', value: c.spec.method ?? '(default)', fix: 'use method: plugin with pluginConfiguration.name barman-cloud.cloudnative-pg.io', severity: 'warning' }]
        : [], 'warning'),
  ];
}

export const BACKUP_RULES: readonly AdmissionRule<ObjectContext>[] = [
  rule('2.7#Backup.required', 'spec.cluster.name is required', (c) => required(c, ['cluster.name'])),
  rule('2.7#Backup.plugin', 'pluginConfiguration cannot be empty when the backup method is plugin', (c) =>
    c.spec.method === 'plugin' && !nonEmpty(c.spec.pluginConfiguration?.name)
      ? [{ field: 'spec.pluginConfiguration', message: 'cannot be empty when the backup method is plugin', fix: 'set pluginConfiguration.name: barman-cloud.cloudnative-pg.io' }]
      : []),
  rule('2.7#Backup.deadline', 'cnpg.io/volumeSnapshotDeadline must be an integer', (c) => {
    const v = c.annotations['cnpg.io/volumeSnapshotDeadline'];
    return v !== undefined && !/^[+-]?\d+$/.test(String(v)) ? [{ field: 'metadata.annotations.cnpg.io/volumeSnapshotDeadline', message: 'must be an integer', value: v }] : [];
  }),
  ...backupMethodRules('Backup'),
];

export const SCHEDULED_BACKUP_RULES: readonly AdmissionRule<ObjectContext>[] = [
  rule('2.7#ScheduledBackup.required', 'cluster and schedule are required', (c) => required(c, ['cluster.name', 'schedule'])),
  rule('2.7#ScheduledBackup.schedule', 'the schedule must parse (robfig/cron, 6 fields, seconds first)', (c) => {
    if (typeof c.spec.schedule !== 'string' || c.spec.schedule === '') return [];
    const bad = scheduleProblem(c.spec.schedule);
    return bad ? [{ field: 'spec.schedule', message: bad.message, value: c.spec.schedule, fix: bad.fix }] : [];
  }),
  ...backupMethodRules('ScheduledBackup'),
];

/** The rule table of each kind (group `postgresql.cnpg.io`), Cluster excepted. */
export const OTHER_KIND_RULES: Readonly<Record<string, readonly AdmissionRule<ObjectContext>[]>> = {
  Pooler: POOLER_RULES,
  Database: DATABASE_RULES,
  Publication: PUBLICATION_RULES,
  Subscription: SUBSCRIPTION_RULES,
  DatabaseRole: DATABASE_ROLE_RULES,
  ImageCatalog: IMAGE_CATALOG_RULES,
  ClusterImageCatalog: IMAGE_CATALOG_RULES,
  Backup: BACKUP_RULES,
  ScheduledBackup: SCHEDULED_BACKUP_RULES,
};
