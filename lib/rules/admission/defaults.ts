/**
 * CloudNativePG 1.30's defaulting of a Cluster (`api/v1/cluster_defaults.go@v1.30.0` `setDefaults`), as far as
 * validation depends on it. The mutating webhook runs before the validating one, so the rules see the defaulted object: e.g. `bootstrap.initdb.owner` is filled from `database`, so "database without owner" cannot
 * fail in practice.
 *
 * Not modelled (no rule depends on them): `monitoring.customQueriesConfigMap` (operator configuration),
 * `plugins` (operator-configured include plugins), `probes.liveness.isolationCheck`, `tablespaces[].owner`.
 */

/** The operator's default image when neither `imageName` nor `imageCatalogRef` is set. */
export const CNPG_DEFAULT_IMAGE = 'ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie';

/**
 * `CnpgConfigurationSettings.GlobalDefaultSettings`: written into `postgresql.parameters` unless the user set them.
 */
export const CNPG_GLOBAL_DEFAULT_PARAMETERS: Readonly<Record<string, string>> = {
  archive_timeout: '5min',
  dynamic_shared_memory_type: 'posix',
  full_page_writes: 'on',
  logging_collector: 'on',
  log_destination: 'csvlog',
  log_directory: '/controller/log',
  log_filename: 'postgres',
  log_rotation_age: '0',
  log_rotation_size: '0',
  log_truncate_on_rotation: 'false',
  max_parallel_workers: '32',
  max_worker_processes: '32',
  max_replication_slots: '32',
  shared_memory_type: 'mmap',
  ssl_max_protocol_version: 'TLSv1.3',
  ssl_min_protocol_version: 'TLSv1.3',
  wal_keep_size: '512MB',
  wal_level: 'logical',
  wal_log_hints: 'on',
  wal_sender_timeout: '5s',
  wal_receiver_timeout: '5s',
  shared_preload_libraries: '',
};

/** A deep copy of JSON data. */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/**
 * Whether a Cluster object is a replica cluster (`Cluster.IsReplica`): `replica.enabled` when set, otherwise whether
 * `replica.primary` differs from this cluster's name (`replica.self`, or `metadata.name`).
 */
export function isReplicaCluster(cluster: any): boolean {
  const r = cluster?.spec?.replica;
  if (!r || typeof r !== 'object') return false;
  if (typeof r.enabled === 'boolean') return r.enabled;
  const self = r.self || cluster?.metadata?.name || '';
  return self !== (r.primary ?? '');
}

/** The `archive_mode` the operator computes: `off` with `cnpg.io/skipWalArchiving: enabled`, `always` for replicas. */
export function computedArchiveMode(cluster: any): 'on' | 'always' | 'off' {
  const annotations = cluster?.metadata?.annotations ?? {};
  if (annotations['cnpg.io/skipWalArchiving'] === 'enabled') return 'off';
  return isReplicaCluster(cluster) ? 'always' : 'on';
}

/**
 * Returns a defaulted copy of a Cluster object (the input is not changed).
 */
export function applyClusterDefaults(cluster: any): any {
  const obj = cloneJson(cluster ?? {});
  if (typeof obj !== 'object' || obj === null) return obj;
  obj.metadata = obj.metadata ?? {};
  const spec = (obj.spec = obj.spec ?? {});
  if (typeof spec !== 'object' || spec === null) return obj;

  if (spec.imageName === undefined && spec.imageCatalogRef === undefined) spec.imageName = CNPG_DEFAULT_IMAGE;
  if (spec.instances === undefined) spec.instances = 1;

  // bootstrap
  const b = (spec.bootstrap = spec.bootstrap ?? {});
  if (typeof b === 'object' && b !== null) {
    if (b.recovery === undefined && b.pg_basebackup === undefined && b.initdb === undefined) b.initdb = {};
    if (b.initdb && typeof b.initdb === 'object') {
      const i = b.initdb;
      // With a monolith import the defaulter leaves the database empty (rule 2 can then fire).
      if (!i.database && i.import?.type !== 'monolith') i.database = 'app';
      if (!i.owner && i.database) i.owner = i.database;
      i.encoding = i.encoding ?? 'UTF8';
      i.localeCollate = i.localeCollate ?? 'C';
      i.localeCType = i.localeCType ?? 'C';
    }
    for (const method of ['recovery', 'pg_basebackup'] as const) {
      const m = b[method];
      if (m && typeof m === 'object') {
        if (!m.database) m.database = 'app';
        if (!m.owner) m.owner = m.database;
      }
    }
  }

  if (spec.affinity?.enablePodAntiAffinity !== false) {
    spec.affinity = spec.affinity ?? {};
    if (!spec.affinity.podAntiAffinityType) spec.affinity.podAntiAffinityType = 'preferred';
  }
  if (spec.backup && typeof spec.backup === 'object' && !spec.backup.target) spec.backup.target = 'prefer-standby';
  if (!spec.logLevel) spec.logLevel = 'info';
  spec.primaryUpdateStrategy = spec.primaryUpdateStrategy || 'unsupervised';
  spec.primaryUpdateMethod = spec.primaryUpdateMethod || 'restart';

  // postgresql.parameters: global defaults merged with the user's values, plus archive_mode
  const pg = (spec.postgresql = spec.postgresql ?? {});
  if (typeof pg === 'object' && pg !== null) {
    const user = pg.parameters && typeof pg.parameters === 'object' ? pg.parameters : {};
    pg.parameters = { ...CNPG_GLOBAL_DEFAULT_PARAMETERS, ...user, archive_mode: user.archive_mode ?? computedArchiveMode(obj) };
    if (pg.synchronous && typeof pg.synchronous === 'object' && !pg.synchronous.dataDurability) pg.synchronous.dataDurability = 'required';
    const fq = obj.metadata.annotations?.['alpha.cnpg.io/failoverQuorum'];
    if (pg.synchronous && typeof pg.synchronous === 'object' && fq !== undefined && pg.synchronous.failoverQuorum === undefined) {
      const v = parseGoBool(fq);
      if (v !== undefined) pg.synchronous.failoverQuorum = v;
    }
  }

  // replication slots
  const rs = (spec.replicationSlots = spec.replicationSlots ?? {});
  if (typeof rs === 'object' && rs !== null) {
    rs.highAvailability = rs.highAvailability ?? { enabled: true };
    if (rs.highAvailability && typeof rs.highAvailability === 'object') {
      if (rs.highAvailability.enabled === undefined) rs.highAvailability.enabled = true;
      if (!rs.highAvailability.slotPrefix) rs.highAvailability.slotPrefix = '_cnpg_';
    }
    rs.synchronizeReplicas = rs.synchronizeReplicas ?? { enabled: true };
    if (rs.synchronizeReplicas && typeof rs.synchronizeReplicas === 'object' && rs.synchronizeReplicas.enabled === undefined) {
      rs.synchronizeReplicas.enabled = true;
    }
    if (rs.updateInterval === undefined) rs.updateInterval = 30;
  }

  // integer defaults of the CRD
  const ints: Record<string, number> = { startDelay: 3600, stopDelay: 1800, smartShutdownTimeout: 180, switchoverDelay: 3600, failoverDelay: 0, postgresUID: 26, postgresGID: 26 };
  for (const [k, v] of Object.entries(ints)) if (spec[k] === undefined) spec[k] = v;
  if (spec.enablePDB === undefined) spec.enablePDB = true;
  if (spec.enableSuperuserAccess === undefined) spec.enableSuperuserAccess = false;
  for (const key of ['storage', 'walStorage'] as const) {
    if (spec[key] && typeof spec[key] === 'object' && spec[key].resizeInUseVolumes === undefined) spec[key].resizeInUseVolumes = true;
  }
  return obj;
}

/** Go's `strconv.ParseBool`. */
export function parseGoBool(s: unknown): boolean | undefined {
  if (typeof s !== 'string') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}
