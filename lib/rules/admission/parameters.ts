/**
 * `spec.postgresql.parameters`: CloudNativePG's forbidden parameters (docs/rules.md, rule 2.1#94) and PostgreSQL's
 * own rules for names and values (`PostgresSettings`, per major).
 */
import { parseQuantity } from '../../core/k8s-syntax';
import { Problem } from '../../core/problems';
import { CNPG_MANAGED_EXTENSIONS, PostgresSettings } from '../postgres-settings';
import { CNPG_GLOBAL_DEFAULT_PARAMETERS } from './defaults';

/** Why a parameter cannot be set, and what to do instead. */
export interface ForbiddenParameter {
  /** `fixed` = managed by the operator; `blocked` = must not be changed from the default. */
  readonly kind: 'fixed' | 'blocked';
  readonly reason: string;
  readonly fix: string;
}

const FIXED = 'managed by the operator';
const BLOCKED = 'must not be changed from the default';

const ARCHIVE_FIX = 'WAL archiving is configured with a WAL archiver plugin (BackupStore.archiveWal, spec.plugins); to turn it off, use the annotation cnpg.io/skipWalArchiving: enabled';
const RECOVERY_FIX = 'use the recovery bootstrap\'s target (ClusterRecovery with RecoveryTarget, spec.bootstrap.recovery.recoveryTarget)';
const SSL_FIX = 'TLS is set up by the operator: bring your own certificates with spec.certificates; ssl_min_protocol_version, ssl_max_protocol_version and ssl_ciphers can be set';
const FILES_FIX = 'remove it: the operator places the files and directories itself';
const LOG_FIX = 'remove it: the operator collects the logs as JSON on the container\'s standard output; tune what is logged with log_min_messages, log_statement, log_min_duration_statement etc.';
const REPLICATION_FIX = 'replication is managed by the operator: use spec.replica and spec.externalClusters';

/**
 * CloudNativePG's `FixedConfigurationParameters` (65 names: 31 fixed, 34 blocked) plus `allow_alter_system`, which the
 * operator always overwrites from `spec.postgresql.enableAlterSystem` (the documentation lists it as fixed, the code
 * does not reject it).
 */
export const FORBIDDEN_PARAMETERS: Readonly<Record<string, ForbiddenParameter>> = {
  // fixed (31)
  archive_command: { kind: 'fixed', reason: FIXED, fix: ARCHIVE_FIX },
  archive_mode: { kind: 'fixed', reason: FIXED, fix: ARCHIVE_FIX },
  cluster_name: { kind: 'fixed', reason: FIXED, fix: 'remove it: the operator sets it to the Cluster\'s name' },
  'pg_failover_slots.primary_dsn': { kind: 'fixed', reason: FIXED, fix: 'remove it: the operator sets it when pg_failover_slots is used (spec.replicationSlots.highAvailability)' },
  'pg_failover_slots.standby_slot_names': { kind: 'fixed', reason: FIXED, fix: 'remove it: the operator sets it when pg_failover_slots is used (spec.replicationSlots.highAvailability)' },
  port: { kind: 'fixed', reason: FIXED, fix: 'remove it: PostgreSQL always listens on 5432; change the port of a Service instead' },
  primary_conninfo: { kind: 'fixed', reason: FIXED, fix: REPLICATION_FIX },
  primary_slot_name: { kind: 'fixed', reason: FIXED, fix: REPLICATION_FIX },
  recovery_target: { kind: 'fixed', reason: FIXED, fix: RECOVERY_FIX },
  recovery_target_action: { kind: 'fixed', reason: FIXED, fix: RECOVERY_FIX },
  recovery_target_inclusive: { kind: 'fixed', reason: FIXED, fix: `${RECOVERY_FIX} (exclusive option)` },
  recovery_target_lsn: { kind: 'fixed', reason: FIXED, fix: `${RECOVERY_FIX}: RecoveryTarget.lsn` },
  recovery_target_name: { kind: 'fixed', reason: FIXED, fix: `${RECOVERY_FIX}: RecoveryTarget.name` },
  recovery_target_time: { kind: 'fixed', reason: FIXED, fix: `${RECOVERY_FIX}: RecoveryTarget.time` },
  recovery_target_timeline: { kind: 'fixed', reason: FIXED, fix: `${RECOVERY_FIX} (timeline option)` },
  recovery_target_xid: { kind: 'fixed', reason: FIXED, fix: `${RECOVERY_FIX}: RecoveryTarget.xid` },
  restore_command: { kind: 'fixed', reason: FIXED, fix: 'remove it: the operator restores WAL from the archive of the recovery source (spec.externalClusters)' },
  shared_preload_libraries: {
    kind: 'fixed',
    reason: FIXED,
    fix: `list extra libraries in spec.postgresql.shared_preload_libraries (the shared_preload_libraries prop); ${CNPG_MANAGED_EXTENSIONS.join(', ')} are added automatically when one of their parameters is set`,
  },
  ssl: { kind: 'fixed', reason: FIXED, fix: SSL_FIX },
  ssl_ca_file: { kind: 'fixed', reason: FIXED, fix: SSL_FIX },
  ssl_cert_file: { kind: 'fixed', reason: FIXED, fix: SSL_FIX },
  ssl_crl_file: { kind: 'fixed', reason: FIXED, fix: SSL_FIX },
  ssl_dh_params_file: { kind: 'fixed', reason: FIXED, fix: SSL_FIX },
  ssl_ecdh_curve: { kind: 'fixed', reason: FIXED, fix: SSL_FIX },
  ssl_key_file: { kind: 'fixed', reason: FIXED, fix: SSL_FIX },
  ssl_passphrase_command: { kind: 'fixed', reason: FIXED, fix: SSL_FIX },
  ssl_passphrase_command_supports_reload: { kind: 'fixed', reason: FIXED, fix: SSL_FIX },
  ssl_prefer_server_ciphers: { kind: 'fixed', reason: FIXED, fix: SSL_FIX },
  synchronized_standby_slots: { kind: 'fixed', reason: FIXED, fix: 'remove it: the operator sets it (PostgreSQL 17+ with sync_replication_slots); see spec.replicationSlots.highAvailability.synchronizeLogicalDecoding' },
  synchronous_standby_names: { kind: 'fixed', reason: FIXED, fix: 'use spec.postgresql.synchronous (the synchronousReplication prop, e.g. SynchronousReplication.quorum())' },
  temp_tablespaces: { kind: 'fixed', reason: FIXED, fix: 'declare temporary tablespaces in spec.tablespaces with temporary: true' },
  // blocked (34)
  allow_system_table_mods: { kind: 'blocked', reason: BLOCKED, fix: 'remove it' },
  archive_cleanup_command: { kind: 'blocked', reason: BLOCKED, fix: 'remove it: the operator and the WAL archiver manage the archive' },
  bonjour: { kind: 'blocked', reason: BLOCKED, fix: 'remove it' },
  bonjour_name: { kind: 'blocked', reason: BLOCKED, fix: 'remove it' },
  config_file: { kind: 'blocked', reason: BLOCKED, fix: FILES_FIX },
  data_directory: { kind: 'blocked', reason: BLOCKED, fix: FILES_FIX },
  data_sync_retry: { kind: 'blocked', reason: BLOCKED, fix: 'remove it: PostgreSQL must crash on fsync failures' },
  event_source: { kind: 'blocked', reason: BLOCKED, fix: 'remove it' },
  external_pid_file: { kind: 'blocked', reason: BLOCKED, fix: FILES_FIX },
  hba_file: { kind: 'blocked', reason: BLOCKED, fix: 'use spec.postgresql.pg_hba (the pgHba prop)' },
  hot_standby: { kind: 'blocked', reason: BLOCKED, fix: 'remove it: standbys always accept read-only queries' },
  ident_file: { kind: 'blocked', reason: BLOCKED, fix: 'use spec.postgresql.pg_ident' },
  jit_provider: { kind: 'blocked', reason: BLOCKED, fix: 'remove it; turn JIT on or off with the jit parameter' },
  listen_addresses: { kind: 'blocked', reason: BLOCKED, fix: 'remove it: restrict access with pg_hba and NetworkPolicies' },
  log_destination: { kind: 'blocked', reason: BLOCKED, fix: LOG_FIX },
  log_directory: { kind: 'blocked', reason: BLOCKED, fix: LOG_FIX },
  log_file_mode: { kind: 'blocked', reason: BLOCKED, fix: LOG_FIX },
  log_filename: { kind: 'blocked', reason: BLOCKED, fix: LOG_FIX },
  log_rotation_age: { kind: 'blocked', reason: BLOCKED, fix: LOG_FIX },
  log_rotation_size: { kind: 'blocked', reason: BLOCKED, fix: LOG_FIX },
  log_truncate_on_rotation: { kind: 'blocked', reason: BLOCKED, fix: LOG_FIX },
  logging_collector: { kind: 'blocked', reason: BLOCKED, fix: LOG_FIX },
  promote_trigger_file: { kind: 'blocked', reason: BLOCKED, fix: 'remove it: the operator promotes instances' },
  recovery_end_command: { kind: 'blocked', reason: BLOCKED, fix: 'remove it' },
  recovery_min_apply_delay: { kind: 'blocked', reason: BLOCKED, fix: 'use spec.replica.minApplyDelay' },
  restart_after_crash: { kind: 'blocked', reason: BLOCKED, fix: 'remove it: the operator restarts crashed instances itself' },
  stats_temp_directory: { kind: 'blocked', reason: BLOCKED, fix: FILES_FIX },
  syslog_facility: { kind: 'blocked', reason: BLOCKED, fix: LOG_FIX },
  syslog_ident: { kind: 'blocked', reason: BLOCKED, fix: LOG_FIX },
  syslog_sequence_numbers: { kind: 'blocked', reason: BLOCKED, fix: LOG_FIX },
  syslog_split_messages: { kind: 'blocked', reason: BLOCKED, fix: LOG_FIX },
  unix_socket_directories: { kind: 'blocked', reason: BLOCKED, fix: FILES_FIX },
  unix_socket_group: { kind: 'blocked', reason: BLOCKED, fix: FILES_FIX },
  unix_socket_permissions: { kind: 'blocked', reason: BLOCKED, fix: FILES_FIX },
  // documented as fixed; the operator writes it from spec.postgresql.enableAlterSystem (PostgreSQL 17+)
  allow_alter_system: { kind: 'fixed', reason: FIXED, fix: 'use spec.postgresql.enableAlterSystem' },
};

/** The forbidden entry of a parameter name (case-insensitive, as PostgreSQL reads names), or undefined. */
export function forbiddenParameter(name: string): ForbiddenParameter | undefined {
  return FORBIDDEN_PARAMETERS[name.toLowerCase()];
}

/**
 * The operator's defaults a user's parameters go over: `GlobalDefaultSettings` minus the parameters the operator fixes
 * or blocks (the logging ones and shared_preload_libraries), e.g. for a PostgreSQL started with a cluster's parameters
 * outside Kubernetes (the rehearsals).
 */
export const CNPG_OVERRIDABLE_DEFAULT_PARAMETERS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(CNPG_GLOBAL_DEFAULT_PARAMETERS).filter(([name]) => forbiddenParameter(name) === undefined),
);

/**
 * The webhook's parameter-name rule (93, `internal/webhook/v1/cluster_webhook.go@v1.30.0`
 * `postgresParameterNameRegex`): a GUC name, optionally namespaced with one dot.
 */
export const WEBHOOK_PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

/**
 * The webhook's `parsePostgresQuantityValue` (shared_buffers, min_wal_size, max_wal_size): a bare integer counts as
 * MB; otherwise the value must end in `B`, spaces are dropped, `XB` becomes the Kubernetes `Xi`. Returns bytes, or
 * undefined when the webhook rejects the value.
 */
export function parseWebhookMemory(value: string): number | undefined {
  let v = value;
  if (v === '') return undefined;
  if (/^[+-]?\d+$/.test(v)) v += 'MB';
  if (!v.endsWith('B')) return undefined;
  v = v.slice(0, -1).replace(/ /g, '');
  if (!/^[+-]?\d+$/.test(v)) v = (v + 'i').replace(/ki/g, 'Ki');
  const n = parseQuantity(v);
  return Number.isNaN(n) ? undefined : n;
}

/** PostgreSQL's boolean spellings as CloudNativePG parses them (`pkg/postgres/booleans.go`, case-insensitive). */
export function parsePostgresBoolean(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (['1', 'on', 'y', 'ye', 'yes', 't', 'tr', 'tru', 'true'].includes(v)) return true;
  if (['0', 'of', 'off', 'n', 'no', 'f', 'fa', 'fal', 'fals', 'false'].includes(v)) return false;
  return undefined;
}

/** Whether any `<prefix>.*` parameter of a managed extension is set (`IsManagedExtensionUsed`). */
export function managedExtensionUsed(extension: string, parameters: Record<string, unknown>): boolean {
  const prefix = extension === 'pg_stat_statements' ? 'pg_stat_statements.' : `${extension}.`;
  return Object.keys(parameters).some((k) => k.startsWith(prefix));
}

/** Options of `postgresParameterProblems`. */
export interface ParameterCheckOptions {
  /** The PostgreSQL major, when known. */
  readonly major?: number;
  /** `spec.postgresql.shared_preload_libraries`. */
  readonly sharedPreloadLibraries?: readonly string[];
  /** Rule ids. */
  readonly rules: { readonly name: string; readonly forbidden: string; readonly string: string; readonly postgres: string; readonly unchecked: string };
}

/**
 * Checks every entry of `spec.postgresql.parameters`: a name the webhook accepts (rule 93), not a forbidden one
 * (rule 94), a string value, and a name and value PostgreSQL of that major accepts (`PostgresSettings`).
 * Majors without a settings table get one warning.
 */
export function postgresParameterProblems(parameters: unknown, options: ParameterCheckOptions): { errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  if (parameters === undefined || parameters === null) return { errors, warnings };
  if (typeof parameters !== 'object' || Array.isArray(parameters)) {
    errors.push({ field: 'spec.postgresql.parameters', message: 'must be a map of parameter names to string values', value: parameters, rule: options.rules.string });
    return { errors, warnings };
  }
  const entries = Object.entries(parameters as Record<string, unknown>);
  const settings = options.major !== undefined && PostgresSettings.supportedMajors.includes(options.major)
    ? PostgresSettings.forMajor(options.major)
    : undefined;
  if (!settings && entries.length > 0) {
    warnings.push({
      field: 'spec.postgresql.parameters',
      message: options.major === undefined
        ? 'the PostgreSQL major version is unknown, so the parameters are not checked against PostgreSQL'
        : `PostgreSQL ${options.major} has no settings table in this library (${PostgresSettings.supportedMajors.join(', ')} do), so the parameters are not checked against PostgreSQL`,
      fix: `use PostgreSQL ${PostgresSettings.supportedMajors[PostgresSettings.supportedMajors.length - 1]}, or review the parameters by hand`,
      rule: options.rules.unchecked,
    });
  }
  const libraries = [...(options.sharedPreloadLibraries ?? [])];
  for (const [name, value] of entries) {
    const field = `spec.postgresql.parameters.${name}`;
    if (!WEBHOOK_PARAMETER_NAME.test(name)) {
      errors.push({
        field,
        message: 'must be a valid PostgreSQL configuration parameter name (a GUC name, optionally namespaced with a single dot)',
        value: name,
        // The webhook's pattern allows "$", but PostgreSQL 16–18 cannot read it from postgresql.conf, where the
        // operator writes the parameters (guc-file.l: names are letters, digits, "_" and ".").
        fix: 'use letters, digits and "_", starting with a letter or "_", with at most one "." for an extension\'s parameters, e.g. "work_mem" or "pg_stat_statements.max" ("$" passes the webhook but PostgreSQL rejects it in the configuration file)',
        rule: options.rules.name,
      });
      continue;
    }
    const forbidden = forbiddenParameter(name);
    if (forbidden) {
      errors.push({ field, message: `Can't set fixed configuration parameter: ${name} is ${forbidden.reason}`, value, fix: forbidden.fix, rule: options.rules.forbidden });
      continue;
    }
    if (typeof value !== 'string') {
      errors.push({
        field,
        message: 'CloudNativePG accepts only strings for PostgreSQL parameters',
        value,
        fix: `write it as a string: "${String(value)}"`,
        rule: options.rules.string,
      });
      continue;
    }
    if (settings) {
      for (const p of settings.checkParameter(name, value, libraries, field)) errors.push({ ...p, rule: options.rules.postgres });
    }
  }
  return { errors, warnings };
}
