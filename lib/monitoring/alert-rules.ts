import { isDns1035Label, isDns1123Label } from '../core/k8s-syntax';
import { Problem } from '../core/problems';

/**
 * Per-cluster Prometheus alert set for a CloudNativePG cluster.
 *
 * Pure functions: `buildClusterAlertRules(opts)` returns Prometheus rule groups (plain objects, ready to
 * be written into a `PrometheusRule` or a raw rules file), `validateAlertOptions(opts)` returns every
 * problem with the options. The `ClusterAlertRules` construct (prometheus-rule.ts) wraps both.
 *
 * Scoping. Every selector in every expression carries `namespace="<ns>"` plus one of
 * - `pod=~"<cluster>-[0-9]+"` (instance pods; the operator names them `<cluster>-<serial>`),
 * - `persistentvolumeclaim=~"<cluster>-[0-9]+(-wal|-tbs-<name>)?"` (the instance PVCs),
 * - `pod=~"<pooler>-<replicaset-hash>-<suffix>"` (PgBouncer pods of one Pooler),
 * - `cnpg_cluster="<cluster>"` (the output of this cluster's own recording rules),
 * so two clusters never cross-fire, including in the same namespace and when one name is a prefix of the
 * other (`db` and `db-2`: `db-[0-9]+` cannot match `db-2-1`, Prometheus anchors regexes).
 * The only unscoped selector is `kube_node_labels` (nodes have no namespace), and it is only ever joined
 * `on(node)` to this cluster's scoped `kube_pod_info`.
 */

/** Alert severities, as routed by Alertmanager. */
export type AlertSeverity = 'warning' | 'critical';

/** Names of every alert this builder can emit; use them in `disabledAlerts` and `forOverrides`. */
export const CNPG_ALERT_NAMES = [
  'CNPGClusterOffline',
  'CNPGInstanceDown',
  'CNPGClusterPrimaryMissing',
  'CNPGClusterMultiplePrimaries',
  'CNPGClusterHADegraded',
  'CNPGClusterHACritical',
  'CNPGClusterReplicationLagWarning',
  'CNPGClusterReplicationLagCritical',
  'CNPGClusterHighConnectionsWarning',
  'CNPGClusterHighConnectionsCritical',
  'CNPGClusterLowDiskSpaceWarning',
  'CNPGClusterLowDiskSpaceCritical',
  'CNPGClusterInstancesOnSameNode',
  'CNPGClusterZoneSpreadWarning',
  'CNPGClusterBackupTooOld',
  'CNPGClusterBackupTooOldCritical',
  'CNPGClusterBackupFailed',
  'CNPGClusterWALArchivingFailing',
  'CNPGClusterXIDWraparoundWarning',
  'CNPGClusterXIDWraparoundCritical',
  'CNPGClusterLongRunningTransaction',
  'CNPGClusterReplicationSlotInactive',
  'CNPGClusterLogicalReplicationErrors',
  'CNPGPoolerDown',
] as const;

/** One alert name of {@link CNPG_ALERT_NAMES}. */
export type CnpgAlertName = typeof CNPG_ALERT_NAMES[number];

/** Names of the recording rules the builder emits (only when backups are configured). */
export const CNPG_RECORDING_RULES = {
  /** Unix time of the newest successful base backup of the cluster (0 = none yet), from the Barman Cloud plugin or in-core metric. */
  lastBackupSuccess: 'cnpg_cluster:backup_last_success_timestamp_seconds:max',
  /** Unix time of the newest failed base backup of the cluster (0 = none). */
  lastBackupFailure: 'cnpg_cluster:backup_last_failure_timestamp_seconds:max',
} as const;

/**
 * Alert thresholds. Every field is optional; {@link DEFAULT_ALERT_THRESHOLDS} fills the rest.
 * Warning thresholds must be lower than the matching critical ones.
 */
export interface AlertThresholds {
  /** Standby replay lag (seconds) that raises `CNPGClusterReplicationLagWarning`. @default 30 */
  readonly replicationLagWarningSeconds?: number;
  /** Standby replay lag (seconds) that raises `CNPGClusterReplicationLagCritical`. @default 300 */
  readonly replicationLagCriticalSeconds?: number;
  /** Client backends as a percentage of `max_connections` (0–100) for the warning. @default 80 */
  readonly connectionsWarningPercent?: number;
  /** Client backends as a percentage of `max_connections` (0–100) for the critical alert. @default 95 */
  readonly connectionsCriticalPercent?: number;
  /** Used space of a data/WAL/tablespace volume, percent (0–100), for the warning. @default 80 */
  readonly diskUsageWarningPercent?: number;
  /** Used space of a data/WAL/tablespace volume, percent (0–100), for the critical alert. @default 90 */
  readonly diskUsageCriticalPercent?: number;
  /** Last successful backup older than this many backup intervals: warning. At least 1. @default 1.5 */
  readonly backupAgeWarningFactor?: number;
  /** Last successful backup older than this many backup intervals: critical. @default 3 */
  readonly backupAgeCriticalFactor?: number;
  /** Transaction ID age (`age(datfrozenxid)`) of any database for the warning. Wraparound is at ~2.1 billion. @default 500000000 */
  readonly xidAgeWarning?: number;
  /** Transaction ID age for the critical alert. Must stay below 2^31 (2147483648). @default 1000000000 */
  readonly xidAgeCritical?: number;
  /** Oldest open transaction (seconds) that raises `CNPGClusterLongRunningTransaction`. @default 1800 */
  readonly longRunningTransactionSeconds?: number;
  /** WAL (bytes) an inactive replication slot may retain on the primary before alerting. @default 1073741824 (1 GiB) */
  readonly inactiveSlotRetainedWalBytes?: number;
}

/** The defaults behind {@link AlertThresholds}. */
export const DEFAULT_ALERT_THRESHOLDS: Required<AlertThresholds> = {
  replicationLagWarningSeconds: 30,
  replicationLagCriticalSeconds: 300,
  connectionsWarningPercent: 80,
  connectionsCriticalPercent: 95,
  diskUsageWarningPercent: 80,
  diskUsageCriticalPercent: 90,
  backupAgeWarningFactor: 1.5,
  backupAgeCriticalFactor: 3,
  xidAgeWarning: 500_000_000,
  xidAgeCritical: 1_000_000_000,
  longRunningTransactionSeconds: 1800,
  inactiveSlotRetainedWalBytes: 1024 * 1024 * 1024,
};

/** Default base URL of the runbooks (`docs/runbooks/` of this repository); each alert links `<base>/<AlertName>.md`. */
export const DEFAULT_RUNBOOK_BASE_URL = 'https://github.com/example-org/cdk8s-cnpg/blob/main/docs/runbooks';

/**
 * Everything about the alert set that is neither the cluster nor an object wired to it (the `ClusterAlertRules`
 * construct takes the `Pooler` and `ScheduledBackup` objects themselves).
 */
export interface AlertRuleOptions {
  /** Threshold overrides. */
  readonly thresholds?: AlertThresholds;
  /** Alerts not to emit, by name (see {@link CNPG_ALERT_NAMES}). @default [] */
  readonly disabledAlerts?: string[];
  /** Pending period overrides per alert name, as Prometheus durations (`30s`, `5m`, `1h30m`, `0s`). */
  readonly forOverrides?: { readonly [alertName: string]: string };
  /** Extra labels on every alert, e.g. `{ team: 'dba' }` for Alertmanager routing. */
  readonly extraLabels?: { readonly [name: string]: string };
  /** Base URL of the runbooks; each alert gets `runbook_url: <base>/<AlertName>.md`. @default DEFAULT_RUNBOOK_BASE_URL */
  readonly runbookBaseUrl?: string;
}

/**
 * The full input of {@link buildClusterAlertRules}, the plain-data layer under the `ClusterAlertRules` construct
 * (which derives every field from the Cluster, Pooler and ScheduledBackup objects).
 */
export interface ClusterAlertOptions extends AlertRuleOptions {
  /** `metadata.name` of each PgBouncer `Pooler` of the cluster; one `CNPGPoolerDown` rule each. @default [] */
  readonly poolerNames?: string[];
  /**
   * The longest expected time between two successful base backups, in hours (24 for a daily ScheduledBackup).
   * Enables the backup alerts, which fire at `factor × interval`.
   * @default - no backup alerts (the cluster has no scheduled backups)
   */
  readonly backupIntervalHours?: number;
  /** `metadata.name` of the CNPG Cluster. */
  readonly clusterName: string;
  /** Namespace of the Cluster (and of its pods, PVCs and Poolers). */
  readonly namespace: string;
  /** Desired number of instances (primary + standbys). */
  readonly instances: number;
}

/** A Prometheus alerting rule. */
export interface PrometheusAlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly [name: string]: string };
  readonly annotations: { readonly [name: string]: string };
}

/** A Prometheus recording rule. */
export interface PrometheusRecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: { readonly [name: string]: string };
}

/** A rule of a group. */
export type PrometheusRuleEntry = PrometheusAlertingRule | PrometheusRecordingRule;

/** A Prometheus rule group. */
export interface PrometheusRuleGroup {
  readonly name: string;
  readonly rules: PrometheusRuleEntry[];
}

/** True for alerting rules. */
export function isAlertingRule(rule: PrometheusRuleEntry): rule is PrometheusAlertingRule {
  return (rule as PrometheusAlertingRule).alert !== undefined;
}

/** Static facts about one alert. */
export interface AlertDefinition {
  readonly name: CnpgAlertName;
  readonly severity: AlertSeverity;
  /** Default pending period. */
  readonly for: string;
  readonly summary: string;
  /** When the alert is emitted at all. */
  readonly requires?: 'ha' | 'backups' | 'poolers';
}

/** Severity, default `for` and summary of every alert. */
export const CNPG_ALERTS: { readonly [N in CnpgAlertName]: AlertDefinition } = {
  CNPGClusterOffline: { name: 'CNPGClusterOffline', severity: 'critical', for: '5m', summary: 'No PostgreSQL instance of the cluster is up, or none is scraped' },
  CNPGInstanceDown: { name: 'CNPGInstanceDown', severity: 'warning', for: '5m', summary: 'A PostgreSQL instance or its metrics exporter is down' },
  CNPGClusterPrimaryMissing: { name: 'CNPGClusterPrimaryMissing', severity: 'critical', for: '2m', summary: 'Instances are up but none of them is a primary' },
  CNPGClusterMultiplePrimaries: { name: 'CNPGClusterMultiplePrimaries', severity: 'critical', for: '2m', summary: 'More than one instance reports being a primary: split brain' },
  CNPGClusterHADegraded: { name: 'CNPGClusterHADegraded', severity: 'warning', for: '5m', summary: 'Fewer streaming standbys than expected', requires: 'ha' },
  CNPGClusterHACritical: { name: 'CNPGClusterHACritical', severity: 'critical', for: '5m', summary: 'No standby is streaming from the primary', requires: 'ha' },
  CNPGClusterReplicationLagWarning: { name: 'CNPGClusterReplicationLagWarning', severity: 'warning', for: '5m', summary: 'A standby is lagging behind the primary' },
  CNPGClusterReplicationLagCritical: { name: 'CNPGClusterReplicationLagCritical', severity: 'critical', for: '5m', summary: 'A standby is far behind the primary' },
  CNPGClusterHighConnectionsWarning: { name: 'CNPGClusterHighConnectionsWarning', severity: 'warning', for: '5m', summary: 'An instance is approaching max_connections' },
  CNPGClusterHighConnectionsCritical: { name: 'CNPGClusterHighConnectionsCritical', severity: 'critical', for: '5m', summary: 'An instance is about to refuse connections (max_connections)' },
  CNPGClusterLowDiskSpaceWarning: { name: 'CNPGClusterLowDiskSpaceWarning', severity: 'warning', for: '5m', summary: 'A data, WAL or tablespace volume is filling up' },
  CNPGClusterLowDiskSpaceCritical: { name: 'CNPGClusterLowDiskSpaceCritical', severity: 'critical', for: '5m', summary: 'A data, WAL or tablespace volume is almost full' },
  CNPGClusterInstancesOnSameNode: { name: 'CNPGClusterInstancesOnSameNode', severity: 'warning', for: '10m', summary: 'Several instances run on the same Kubernetes node', requires: 'ha' },
  CNPGClusterZoneSpreadWarning: { name: 'CNPGClusterZoneSpreadWarning', severity: 'warning', for: '15m', summary: 'Instances are not spread over enough availability zones', requires: 'ha' },
  CNPGClusterBackupTooOld: { name: 'CNPGClusterBackupTooOld', severity: 'warning', for: '10m', summary: 'The last successful base backup is older than the schedule allows', requires: 'backups' },
  CNPGClusterBackupTooOldCritical: { name: 'CNPGClusterBackupTooOldCritical', severity: 'critical', for: '10m', summary: 'No successful base backup for several backup intervals', requires: 'backups' },
  CNPGClusterBackupFailed: { name: 'CNPGClusterBackupFailed', severity: 'warning', for: '1m', summary: 'The last base backup failed', requires: 'backups' },
  CNPGClusterWALArchivingFailing: { name: 'CNPGClusterWALArchivingFailing', severity: 'critical', for: '5m', summary: 'WAL archiving to the object store is failing' },
  CNPGClusterXIDWraparoundWarning: { name: 'CNPGClusterXIDWraparoundWarning', severity: 'warning', for: '5m', summary: 'A database is accumulating transaction ID age' },
  CNPGClusterXIDWraparoundCritical: { name: 'CNPGClusterXIDWraparoundCritical', severity: 'critical', for: '5m', summary: 'A database is approaching transaction ID wraparound' },
  CNPGClusterLongRunningTransaction: { name: 'CNPGClusterLongRunningTransaction', severity: 'warning', for: '2m', summary: 'A transaction has been open for a long time' },
  CNPGClusterReplicationSlotInactive: { name: 'CNPGClusterReplicationSlotInactive', severity: 'warning', for: '10m', summary: 'An inactive replication slot retains WAL on the primary' },
  CNPGClusterLogicalReplicationErrors: { name: 'CNPGClusterLogicalReplicationErrors', severity: 'warning', for: '5m', summary: 'A logical replication subscription is failing to apply or sync' },
  CNPGPoolerDown: { name: 'CNPGPoolerDown', severity: 'critical', for: '5m', summary: 'No PgBouncer pod of a Pooler is serving', requires: 'poolers' },
};

// ---------------------------------------------------------------------------------------------
// Validation

const PROM_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const PROM_DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;
/** Labels the builder sets itself on every alert. */
const RESERVED_ALERT_LABELS = ['alertname', 'severity', 'namespace', 'cnpg_cluster', 'pooler'];
const XID_WRAPAROUND = 2 ** 31;

/** Which thresholds are percentages, and which pairs must be strictly ordered. */
const PERCENT_FIELDS: (keyof AlertThresholds)[] = [
  'connectionsWarningPercent', 'connectionsCriticalPercent', 'diskUsageWarningPercent', 'diskUsageCriticalPercent',
];
const ORDERED_PAIRS: [keyof AlertThresholds, keyof AlertThresholds][] = [
  ['replicationLagWarningSeconds', 'replicationLagCriticalSeconds'],
  ['connectionsWarningPercent', 'connectionsCriticalPercent'],
  ['diskUsageWarningPercent', 'diskUsageCriticalPercent'],
  ['backupAgeWarningFactor', 'backupAgeCriticalFactor'],
  ['xidAgeWarning', 'xidAgeCritical'],
];

/**
 * Every problem with the options, each naming the field, the bad value and the fix. An empty array means
 * `buildClusterAlertRules(opts)` produces a valid rule set.
 */
export function validateAlertOptions(opts: ClusterAlertOptions): Problem[] {
  const problems: Problem[] = [];
  const add = (p: Problem) => problems.push(p);

  if (typeof opts.clusterName !== 'string' || !isDns1035Label(opts.clusterName) || opts.clusterName.length > 50) {
    add({ field: 'clusterName', message: 'must be a DNS-1035 label of at most 50 characters (the operator derives pod names from it)', value: opts.clusterName, fix: 'use lower-case letters, digits and "-", starting with a letter, e.g. "pg-main"' });
  }
  if (typeof opts.namespace !== 'string' || !isDns1123Label(opts.namespace)) {
    add({ field: 'namespace', message: 'must be a DNS-1123 label (a Kubernetes namespace name)', value: opts.namespace, fix: 'use lower-case letters, digits and "-", at most 63 characters' });
  }
  if (!Number.isInteger(opts.instances) || opts.instances < 1) {
    add({ field: 'instances', message: 'must be an integer of at least 1', value: opts.instances, fix: 'pass the Cluster\'s spec.instances (3 for HA)' });
  }

  const poolers = opts.poolerNames ?? [];
  if (!Array.isArray(poolers)) {
    add({ field: 'poolerNames', message: 'must be an array of Pooler names', value: poolers, fix: 'pass e.g. ["pg-main-pooler-rw"]' });
  } else {
    const seen = new Set<string>();
    poolers.forEach((p, i) => {
      if (typeof p !== 'string' || !isDns1123Label(p)) {
        add({ field: `poolerNames[${i}]`, message: 'must be a Pooler name (DNS-1123 label)', value: p, fix: 'use the metadata.name of the Pooler resource' });
      } else if (seen.has(p)) {
        add({ field: `poolerNames[${i}]`, message: 'is listed twice', value: p, fix: 'list each Pooler once' });
      }
      seen.add(p as string);
    });
  }

  if (opts.backupIntervalHours !== undefined) {
    const h = opts.backupIntervalHours;
    if (typeof h !== 'number' || !Number.isFinite(h) || h <= 0) {
      add({ field: 'backupIntervalHours', message: 'must be a positive number of hours', value: h, fix: 'derive it from the ScheduledBackup schedule, e.g. 24 for a daily backup' });
    } else if (h > 24 * 31) {
      add({ field: 'backupIntervalHours', message: 'is longer than a month; base backups that rare make recovery depend on weeks of WAL', value: h, fix: 'schedule at least one base backup a week (168 hours) or a day (24 hours)' });
    }
  }

  problems.push(...thresholdProblems(opts.thresholds ?? {}));

  const known = new Set<string>(CNPG_ALERT_NAMES);
  (opts.disabledAlerts ?? []).forEach((name, i) => {
    if (!known.has(name)) {
      add({ field: `disabledAlerts[${i}]`, message: 'is not an alert of this rule set', value: name, fix: `use one of ${CNPG_ALERT_NAMES.join(', ')}` });
    }
  });
  for (const [name, duration] of Object.entries(opts.forOverrides ?? {})) {
    if (!known.has(name)) {
      add({ field: `forOverrides.${name}`, message: 'is not an alert of this rule set', value: name, fix: `use one of ${CNPG_ALERT_NAMES.join(', ')}` });
    }
    if (typeof duration !== 'string' || duration === '' || !PROM_DURATION.test(duration)) {
      add({ field: `forOverrides.${name}`, message: 'must be a Prometheus duration', value: duration, fix: 'write e.g. "30s", "5m", "1h30m" or "0s" (fire at once)' });
    }
  }

  for (const [name, value] of Object.entries(opts.extraLabels ?? {})) {
    if (!PROM_LABEL_NAME.test(name) || name.startsWith('__')) {
      add({ field: `extraLabels.${name}`, message: 'is not a valid Prometheus label name', value: name, fix: 'use letters, digits and "_", not starting with a digit or "__"' });
    } else if (RESERVED_ALERT_LABELS.includes(name)) {
      add({ field: `extraLabels.${name}`, message: 'is set by the alert rules themselves and cannot be overridden', value: name, fix: `choose another name than ${RESERVED_ALERT_LABELS.join(', ')}` });
    }
    if (typeof value !== 'string') {
      add({ field: `extraLabels.${name}`, message: 'label values must be strings', value, fix: `write it as a string, e.g. "${String(value)}"` });
    }
  }

  if (opts.runbookBaseUrl !== undefined && (typeof opts.runbookBaseUrl !== 'string' || !/^https?:\/\/[^\s"]+$/.test(opts.runbookBaseUrl))) {
    add({ field: 'runbookBaseUrl', message: 'must be an absolute http(s) URL without spaces or quotes', value: opts.runbookBaseUrl, fix: 'point it at docs/runbooks of this repository, e.g. https://github.com/<org>/<repo>/blob/main/docs/runbooks' });
  }
  return problems;
}

function thresholdProblems(t: AlertThresholds): Problem[] {
  const problems: Problem[] = [];
  const known = new Set(Object.keys(DEFAULT_ALERT_THRESHOLDS));
  for (const key of Object.keys(t)) {
    if (!known.has(key)) {
      problems.push({ field: `thresholds.${key}`, message: 'is not a known threshold', value: key, fix: `use one of ${[...known].join(', ')}` });
    }
  }
  const valid = new Set<keyof AlertThresholds>();
  for (const key of Object.keys(DEFAULT_ALERT_THRESHOLDS) as (keyof AlertThresholds)[]) {
    const v = t[key];
    if (v === undefined) {
      valid.add(key);
      continue;
    }
    const field = `thresholds.${key}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      problems.push({ field, message: 'must be a finite number', value: v, fix: `remove it to use the default ${DEFAULT_ALERT_THRESHOLDS[key]}` });
    } else if (PERCENT_FIELDS.includes(key) && (v <= 0 || v > 100)) {
      problems.push({ field, message: 'is a percentage and must be greater than 0 and at most 100', value: v, fix: `write e.g. ${DEFAULT_ALERT_THRESHOLDS[key]} for ${DEFAULT_ALERT_THRESHOLDS[key]}%` });
    } else if (v <= 0) {
      problems.push({ field, message: 'must be greater than 0', value: v, fix: `remove it to use the default ${DEFAULT_ALERT_THRESHOLDS[key]}` });
    } else if ((key === 'backupAgeWarningFactor' || key === 'backupAgeCriticalFactor') && v < 1) {
      problems.push({ field, message: 'must be at least 1: below one backup interval the alert fires between two healthy scheduled backups', value: v, fix: 'use e.g. 1.5 (warning) and 3 (critical)' });
    } else if ((key === 'xidAgeWarning' || key === 'xidAgeCritical') && v >= XID_WRAPAROUND) {
      problems.push({ field, message: 'must be below 2^31 (2147483648), where transaction IDs wrap around', value: v, fix: 'use e.g. 500000000 (warning) and 1000000000 (critical)' });
    } else {
      valid.add(key);
    }
  }
  const get = (k: keyof AlertThresholds) => t[k] ?? DEFAULT_ALERT_THRESHOLDS[k];
  for (const [w, c] of ORDERED_PAIRS) {
    if (valid.has(w) && valid.has(c) && get(w) >= get(c)) {
      const culprit = t[w] !== undefined ? w : c;
      problems.push({
        field: `thresholds.${culprit}`,
        message: `the warning threshold ${w} (${get(w)}) must be lower than the critical threshold ${c} (${get(c)})`,
        value: t[culprit],
        fix: `lower ${w} or raise ${c}`,
      });
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Building

/** Escapes a string for a PromQL double-quoted string holding an RE2 regex literal part. */
function regexLiteral(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\/g, '\\\\');
}

/** Escapes a string for a PromQL double-quoted string. */
function str(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** The regex matching the instance pod names of a cluster. */
export function instancePodRegex(clusterName: string): string {
  return `${regexLiteral(clusterName)}-[0-9]+`;
}

/** The regex matching the PVC names of a cluster: data `<pod>`, WAL `<pod>-wal`, tablespaces `<pod>-tbs-<name>`. */
export function instancePvcRegex(clusterName: string): string {
  return `${regexLiteral(clusterName)}-[0-9]+(-wal|-tbs-[a-z0-9_]+)?`;
}

/** The regex matching the pod names of a Pooler's Deployment: `<pooler>-<replicaset hash>-<suffix>`. */
export function poolerPodRegex(poolerName: string): string {
  return `${regexLiteral(poolerName)}-[a-z0-9]+-[a-z0-9]+`;
}

function formatHours(hours: number): string {
  const rounded = Math.round(hours * 100) / 100;
  return `${rounded}h`;
}

/**
 * Builds the alert set of one cluster. Call {@link validateAlertOptions} first: with invalid options the
 * output is still well-formed YAML but may contain meaningless thresholds.
 */
export function buildClusterAlertRules(opts: ClusterAlertOptions): PrometheusRuleGroup[] {
  const t: Required<AlertThresholds> = { ...DEFAULT_ALERT_THRESHOLDS, ...definedOnly(opts.thresholds ?? {}) };
  const cluster = opts.clusterName;
  const ns = opts.namespace;
  const instances = opts.instances;
  const poolers = opts.poolerNames ?? [];
  const backups = opts.backupIntervalHours !== undefined;
  const intervalHours = opts.backupIntervalHours ?? 24;
  const disabled = new Set(opts.disabledAlerts ?? []);
  const base = (opts.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL).replace(/\/+$/, '');

  /** Instance selector (inside braces), optionally with extra matchers first. */
  const S = (...extra: string[]) => `{${[...extra, `namespace="${str(ns)}"`, `pod=~"${instancePodRegex(cluster)}"`].join(', ')}}`;
  /** PVC selector. */
  const P = `{namespace="${str(ns)}", persistentvolumeclaim=~"${instancePvcRegex(cluster)}"}`;
  /** Recording-rule output selector. */
  const R = `{namespace="${str(ns)}", cnpg_cluster="${str(cluster)}"}`;
  const who = `${ns}/${cluster}`;

  const alerts: PrometheusAlertingRule[] = [];
  const add = (name: CnpgAlertName, expr: string, description: string, extra: { [k: string]: string } = {}) => {
    if (disabled.has(name)) return;
    const def = CNPG_ALERTS[name];
    alerts.push({
      alert: name,
      expr,
      for: opts.forOverrides?.[name] ?? def.for,
      labels: { ...(opts.extraLabels ?? {}), severity: def.severity, namespace: ns, cnpg_cluster: cluster, ...extra },
      annotations: {
        summary: `${def.summary} (${who})`,
        description,
        runbook_url: `${base}/${name}.md`,
      },
    });
  };

  // --- Availability -------------------------------------------------------------------------
  add('CNPGClusterOffline',
    `(count(cnpg_collector_up${S()} == 1) or on() vector(0)) == 0`,
    `No instance of CloudNativePG cluster ${who} reports PostgreSQL up. Either every instance is down ` +
    '(applications cannot connect) or Prometheus no longer scrapes the instances (PodMonitor missing, ' +
    'not selected by Prometheus, or the metrics port is blocked). Every other alert of this cluster is blind until this clears.');

  add('CNPGInstanceDown',
    `max by (namespace, pod) (up${S()} == 0) or max by (namespace, pod) (cnpg_collector_up${S()} == 0)`,
    `Instance {{ $labels.pod }} of cluster ${who}: PostgreSQL or its metrics exporter has been down for 5 minutes. ` +
    'If it is the primary, a failover should already be in progress; if it is a standby, the cluster runs with reduced redundancy.');

  add('CNPGClusterPrimaryMissing',
    `(count(cnpg_pg_replication_in_recovery${S()} == 0) or on() vector(0)) == 0\n` +
    `  and on() (count(cnpg_collector_up${S()} == 1) > 0)\n` +
    `  unless on() (max(cnpg_collector_replica_mode${S()}) == 1)`,
    `Instances of cluster ${who} are up but none of them is a primary (all are in recovery) and the cluster is not a replica cluster. ` +
    `Writes through the ${cluster}-rw Service fail. A failover that does not complete is the usual cause.`);

  add('CNPGClusterMultiplePrimaries',
    `count(cnpg_pg_replication_in_recovery${S()} == 0) > 1`,
    `{{ $value }} instances of cluster ${who} report that they are not in recovery, i.e. act as primary. ` +
    'Writes may be split between them (split brain). Fence the instance that is not the operator\'s target primary at once.');

  // --- High availability --------------------------------------------------------------------
  const expectedStandbys = instances - 1;
  if (instances >= 3) {
    add('CNPGClusterHADegraded',
      `max(cnpg_pg_replication_streaming_replicas${S()}) < ${expectedStandbys}`,
      `The primary of cluster ${who} has {{ $value }} streaming standbys, ${expectedStandbys} expected (${instances} instances). ` +
      'The cluster still serves traffic but one more failure leaves it without a failover target.');
  }
  if (instances >= 2) {
    add('CNPGClusterHACritical',
      `max(cnpg_pg_replication_streaming_replicas${S()}) < 1`,
      `The primary of cluster ${who} has no streaming standby (${expectedStandbys} expected). ` +
      `A failure of the primary now means downtime and possibly data loss; the ${cluster}-ro Service has no endpoints.`);
  }

  add('CNPGClusterReplicationLagWarning',
    `max by (namespace, pod) (cnpg_pg_replication_lag${S()}) > ${t.replicationLagWarningSeconds}`,
    `Standby {{ $labels.pod }} of cluster ${who} is {{ $value | humanizeDuration }} behind the primary ` +
    `(warning above ${t.replicationLagWarningSeconds}s). Reads from ${cluster}-ro are stale and a failover to it would lose that much.`);
  add('CNPGClusterReplicationLagCritical',
    `max by (namespace, pod) (cnpg_pg_replication_lag${S()}) > ${t.replicationLagCriticalSeconds}`,
    `Standby {{ $labels.pod }} of cluster ${who} is {{ $value | humanizeDuration }} behind the primary ` +
    `(critical above ${t.replicationLagCriticalSeconds}s).`);

  // --- Capacity ----------------------------------------------------------------------------
  const connections = `100 * sum by (namespace, pod) (cnpg_backends_total${S()})\n` +
    `  / on(namespace, pod) max by (namespace, pod) (cnpg_pg_settings_setting${S('name="max_connections"')})`;
  add('CNPGClusterHighConnectionsWarning',
    `${connections}\n  > ${t.connectionsWarningPercent}`,
    `Instance {{ $labels.pod }} of cluster ${who} uses {{ $value | printf "%.0f" }}% of max_connections ` +
    `(warning above ${t.connectionsWarningPercent}%). Put clients behind a Pooler or raise max_connections.`);
  add('CNPGClusterHighConnectionsCritical',
    `${connections}\n  > ${t.connectionsCriticalPercent}`,
    `Instance {{ $labels.pod }} of cluster ${who} uses {{ $value | printf "%.0f" }}% of max_connections ` +
    `(critical above ${t.connectionsCriticalPercent}%). New connections are about to be refused.`);

  const disk = `100 * (1 - max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_available_bytes${P})\n` +
    `  / on(namespace, persistentvolumeclaim) max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes${P}))`;
  add('CNPGClusterLowDiskSpaceWarning',
    `${disk}\n  > ${t.diskUsageWarningPercent}`,
    `Volume {{ $labels.persistentvolumeclaim }} of cluster ${who} is {{ $value | printf "%.1f" }}% full ` +
    `(warning above ${t.diskUsageWarningPercent}%). A full data or WAL volume stops PostgreSQL.`);
  add('CNPGClusterLowDiskSpaceCritical',
    `${disk}\n  > ${t.diskUsageCriticalPercent}`,
    `Volume {{ $labels.persistentvolumeclaim }} of cluster ${who} is {{ $value | printf "%.1f" }}% full ` +
    `(critical above ${t.diskUsageCriticalPercent}%). PostgreSQL stops when it is full; expand the PVC now.`);

  // --- Placement (kube-state-metrics) ----------------------------------------------------------
  if (instances >= 2) {
    const podsByNode = `max by (node, pod) (kube_pod_info${S('node!=""')})`;
    add('CNPGClusterInstancesOnSameNode',
      `count by (node) (${podsByNode}) > 1`,
      `{{ $value }} instances of cluster ${who} run on node {{ $labels.node }}. Losing that node takes them down together. ` +
      'Check the pod anti-affinity of the Cluster and whether enough nodes are schedulable.');
    const zones = Math.min(instances, 3);
    add('CNPGClusterZoneSpreadWarning',
      'count(\n' +
      '  count by (label_topology_kubernetes_io_zone) (\n' +
      `    ${podsByNode}\n` +
      '    * on(node) group_left(label_topology_kubernetes_io_zone)\n' +
      '    max by (node, label_topology_kubernetes_io_zone) (kube_node_labels{label_topology_kubernetes_io_zone!=""})\n' +
      '  )\n' +
      `) < ${zones}`,
      `The instances of cluster ${who} run in {{ $value }} availability zone(s), ${zones} wanted. ` +
      'A zone outage can take the cluster down. Needs kube-state-metrics with the node label topology.kubernetes.io/zone allowed.');
  }

  // --- Backups and WAL archiving ------------------------------------------------------------
  const records: PrometheusRecordingRule[] = [];
  if (backups) {
    const metric = (what: string) =>
      `{__name__=~"barman_cloud_cloudnative_pg_io_${what}|cnpg_collector_${what}", namespace="${str(ns)}", pod=~"${instancePodRegex(cluster)}"}`;
    records.push(
      { record: CNPG_RECORDING_RULES.lastBackupSuccess, expr: `max(${metric('last_available_backup_timestamp')})`, labels: { namespace: ns, cnpg_cluster: cluster } },
      { record: CNPG_RECORDING_RULES.lastBackupFailure, expr: `max(${metric('last_failed_backup_timestamp')})`, labels: { namespace: ns, cnpg_cluster: cluster } },
    );
    const last = `${CNPG_RECORDING_RULES.lastBackupSuccess}${R}`;
    const tooOld = (seconds: number) =>
      `(\n  (time() - ${last} > ${seconds})\n  and (${last} > 0)\n)\nor\n(\n` +
      `  (time() - min(cnpg_pg_postmaster_start_time${S()}) > ${seconds})\n  and on() (${last} == 0)\n)`;
    const warnSeconds = Math.round(intervalHours * t.backupAgeWarningFactor * 3600);
    const critSeconds = Math.round(intervalHours * t.backupAgeCriticalFactor * 3600);
    const ageText = (limit: number) =>
      `The last successful base backup of cluster ${who} is {{ $value | humanizeDuration }} old ` +
      `(or none has completed since the instances started {{ $value | humanizeDuration }} ago); ` +
      `backups are expected every ${formatHours(intervalHours)}, the limit is ${formatHours(limit / 3600)}. ` +
      'Recovery needs a base backup plus all WAL since it: an old backup means a long, fragile restore.';
    add('CNPGClusterBackupTooOld', tooOld(warnSeconds), ageText(warnSeconds));
    add('CNPGClusterBackupTooOldCritical', tooOld(critSeconds), ageText(critSeconds));
    add('CNPGClusterBackupFailed',
      `${CNPG_RECORDING_RULES.lastBackupFailure}${R}\n  > ${last}`,
      `The last base backup of cluster ${who} failed at {{ $value | humanizeTimestamp }} and no backup has succeeded since. ` +
      'Check the Backup resources and the Barman Cloud plugin sidecar logs.');
  }

  add('CNPGClusterWALArchivingFailing',
    `max by (namespace, pod) (cnpg_pg_stat_archiver_last_failed_time${S()})\n` +
    `  - on(namespace, pod) max by (namespace, pod) (cnpg_pg_stat_archiver_last_archived_time${S()})\n` +
    '  > 0\n' +
    `and on(namespace, pod)\n  max by (namespace, pod) (increase(cnpg_pg_stat_archiver_failed_count${S()}[15m])) > 0`,
    `WAL archiving on {{ $labels.pod }} of cluster ${who} keeps failing: no WAL file has been archived for ` +
    '{{ $value | humanizeDuration }} before the latest failure. Point-in-time recovery past that point is impossible ' +
    'and un-archived WAL accumulates in pg_wal until the volume fills up and PostgreSQL stops.');

  // --- Maintenance health -------------------------------------------------------------------
  const xid = `max by (namespace, datname) (cnpg_pg_database_xid_age${S()})`;
  add('CNPGClusterXIDWraparoundWarning',
    `${xid} > ${t.xidAgeWarning}`,
    `Database {{ $labels.datname }} of cluster ${who} has a transaction ID age of {{ $value | humanize }} ` +
    `(warning above ${t.xidAgeWarning}; PostgreSQL stops accepting writes near 2.1 billion). Autovacuum is not freezing it: look for long transactions, abandoned replication slots or prepared transactions.`);
  add('CNPGClusterXIDWraparoundCritical',
    `${xid} > ${t.xidAgeCritical}`,
    `Database {{ $labels.datname }} of cluster ${who} has a transaction ID age of {{ $value | humanize }} ` +
    `(critical above ${t.xidAgeCritical}). Run VACUUM (FREEZE) on the oldest tables before PostgreSQL refuses writes.`);

  add('CNPGClusterLongRunningTransaction',
    `max by (namespace, pod, datname, usename, application_name) (cnpg_backends_max_tx_duration_seconds${S()})\n` +
    `  > ${t.longRunningTransactionSeconds}`,
    `A transaction of user {{ $labels.usename }} (application "{{ $labels.application_name }}") in database {{ $labels.datname }} ` +
    `on {{ $labels.pod }} of cluster ${who} has been open for {{ $value | humanizeDuration }}. It holds locks and stops vacuum from removing dead rows.`);

  add('CNPGClusterReplicationSlotInactive',
    `max by (namespace, pod, slot_name, slot_type, database) (cnpg_pg_replication_slots_pg_wal_lsn_diff${S()})\n` +
    `  > ${t.inactiveSlotRetainedWalBytes}\n` +
    `and on(namespace, pod, slot_name) max by (namespace, pod, slot_name) (cnpg_pg_replication_slots_active${S()}) == 0\n` +
    `and on(namespace, pod) max by (namespace, pod) (cnpg_pg_replication_in_recovery${S()}) == 0`,
    `Replication slot {{ $labels.slot_name }} ({{ $labels.slot_type }}) on primary {{ $labels.pod }} of cluster ${who} ` +
    'is inactive and retains {{ $value | humanize1024 }}B of WAL. WAL keeps growing until the consumer returns or the slot is dropped.');

  add('CNPGClusterLogicalReplicationErrors',
    `sum by (namespace, pod, datname, subname) (increase(cnpg_pg_stat_subscription_apply_error_count${S()}[10m]))\n` +
    `  + sum by (namespace, pod, datname, subname) (increase(cnpg_pg_stat_subscription_sync_error_count${S()}[10m]))\n` +
    '  > 0',
    `Subscription {{ $labels.subname }} in database {{ $labels.datname }} on {{ $labels.pod }} of cluster ${who} ` +
    'had {{ $value | humanize }} apply/sync errors in the last 10 minutes; the subscriber is falling behind its publisher. ' +
    'Needs the custom query ConfigMap (pg_stat_subscription) wired into the Cluster.');

  // --- Poolers ------------------------------------------------------------------------------
  for (const pooler of poolers) {
    const sel = `{namespace="${str(ns)}", pod=~"${poolerPodRegex(pooler)}"}`;
    add('CNPGPoolerDown',
      `(count(cnpg_pgbouncer_last_collection_error${sel} == 0) or on() vector(0)) == 0`,
      `No PgBouncer pod of Pooler ${ns}/${pooler} (cluster ${cluster}) is scraped with a working PgBouncer for 5 minutes. ` +
      `Clients of the ${pooler} Service cannot connect (or the Pooler PodMonitor is missing).`,
      { pooler });
  }

  return [{ name: `cnpg/${ns}/${cluster}`, rules: [...records, ...alerts] }];
}

/** The names of the alerts `buildClusterAlertRules(opts)` emits, in order. */
export function emittedAlertNames(opts: ClusterAlertOptions): string[] {
  return buildClusterAlertRules(opts).flatMap((g) => g.rules.filter(isAlertingRule).map((r) => r.alert));
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
