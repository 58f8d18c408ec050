/**
 * Proves lib/rules/postgres-settings.ts against real PostgreSQL 16, 17 and 18 servers
 * (test/support/real-postgres.ts; one server start per major, plus `postgres -C` runs for files that must fail).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PostgresSetting, PostgresSettings } from '../lib/rules/postgres-settings';
import { RealPostgres, checkConfigFile, checkConfigWithRealServer } from './support/real-postgres';

jest.setTimeout(120_000);

/** Values checkParameter accepts; the server must start with all of them and store the same base-unit values. */
const VALID: Record<string, string> = {
  shared_preload_libraries: 'pg_stat_statements,auto_explain,pg_prewarm',
  shared_buffers: '512MB',
  max_connections: '200',
  wal_level: 'logical',
  max_wal_senders: '10',
  max_replication_slots: '10',
  work_mem: '0.5MB',
  maintenance_work_mem: '1.0001GB',
  effective_cache_size: '1004kB',
  max_wal_size: '2GB',
  min_wal_size: '80MB',
  wal_keep_size: '1.5GB',
  checkpoint_timeout: '1.5min',
  checkpoint_completion_target: '0.9',
  log_autovacuum_min_duration: '2500us',
  log_min_duration_statement: '0x3E8',
  log_rotation_age: '90s',
  random_page_cost: '1.1',
  vacuum_cost_delay: '2500us',
  autovacuum_naptime: '1min',
  synchronous_commit: 'remote_apply',
  wal_compression: 'PGLZ',
  huge_pages: 'off',
  enable_seqscan: 'of',
  jit: 'yes',
  ssl_min_protocol_version: 'TLSv1.3',
  password_encryption: 'scram-sha-256',
  log_timezone: 'UTC',
  'pg_stat_statements.max': '10000',
  'pg_stat_statements.track': 'ALL',
  'auto_explain.log_min_duration': '250ms',
  'auto_explain.log_format': 'json',
  'pg_prewarm.autoprewarm': 'off',
  'plpgsql.variable_conflict': 'use_column',
  'myapp.tenant': 'acme',
};
const LOADED = ['pg_stat_statements', 'auto_explain', 'pg_prewarm'];

/** Each rejected by checkParameter; PostgreSQL must reject each in postgresql.conf (all reported in one run). */
const INVALID_VALUES: Record<string, string> = {
  shared_buffers: '512XB',
  max_connections: '0',
  wal_level: 'bogus',
  enable_seqscan: 'o',
  work_mem: '0x10',
  checkpoint_timeout: '10m',
  statement_timeout: '5 MS',
  max_wal_size: '1 G B',
  random_page_cost: '-1',
  checkpoint_completion_target: '1.5',
  log_min_duration_statement: '2147483648',
  vacuum_cost_delay: '1s',
  archive_mode: 'sometimes',
  huge_pages: '',
  block_size: '8192',
  role: 'postgres',
  session_authorization: 'postgres',
  is_superuser: 'on',
};

/** Crafted values for each type, to compare checkParameter with PostgreSQL's own parser value by value. */
function candidates(s: PostgresSetting): string[] {
  switch (s.vartype) {
    case 'bool':
      return ['on', 'off', 'o', 'of', 'TRUE', 'tr', 'Yes', 'n', '1', '0', '2', '', 'onn', ' on'];
    case 'enum':
      return [
        ...s.enumvals!,
        ...s.enumvals!.map((v) => v.toUpperCase()),
        ...(s.enumAliases ?? []),
        'bogus',
        '',
        `${s.enumvals![0]} `,
      ];
    default: {
      const out = ['0', '1', '-1', '7', ' 7 ', '0x10', '010', '08', '1.5', '2.5', '1e2', 'abc', '', 'nan', 'inf', '1e400', '2147483648'];
      out.push(String(s.min), String(s.max));
      if (s.vartype === 'integer') out.push(String(s.min! - 1), String(s.max! + 1));
      if (s.unit && /B$/.test(s.unit)) {
        out.push('1kB', '1MB', '1.5MB', '1GB', '1TB', '1mb', '1 MB', '1MB x', '1kb', '1B', '1023B', '0.3kB', '8191B', '64kB ');
      } else if (s.unit) {
        out.push('1ms', '1.5s', '1min', '1h', '1d', '100us', '1500us', '2500us', '1m', '1 s', '1sec', '0.5min', '1.5h');
      }
      return out;
    }
  }
}

/**
 * Session settings that cannot be tried with set_config inside a running transaction: transaction_timeout (ends the
 * transaction) and exit_on_error (ends the session on the next error) are compared through ALTER SYSTEM instead;
 * transaction_isolation, transaction_read_only and transaction_deferrable (fixed once a transaction has a snapshot;
 * ALTER SYSTEM refuses them, postgresql.conf takes them) through `SET LOCAL` first thing in a transaction.
 * Not modelled: max_stack_depth (check hook: capped by the stack rlimit) and temp_buffers (fixed once temporary
 * buffers are used).
 */
const VIA_ALTER_SYSTEM = ['transaction_timeout', 'exit_on_error'];
const VIA_SET_LOCAL = ['transaction_isolation', 'transaction_read_only', 'transaction_deferrable'];
const NOT_MODELLED = new Set([...VIA_ALTER_SYSTEM, ...VIA_SET_LOCAL, 'max_stack_depth', 'temp_buffers']);

/** Their sum (with autovacuum workers) must stay below 262143 (MAX_BACKENDS): a check across settings, not modelled. */
const BACKEND_COUNTS = new Set(['max_connections', 'max_wal_senders', 'max_worker_processes', 'autovacuum_max_workers', 'autovacuum_worker_slots']);

/** Settings whose show hook reports something else than the value set: tcp_* read 0 on a Unix socket. */
const SHOWN_DIFFERENTLY = new Set(['tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count', 'tcp_user_timeout']);

const TRY_SETTINGS_SQL = `
CREATE OR REPLACE FUNCTION public.try_settings(names text[], vals text[])
RETURNS TABLE(i int, err text, setting text) LANGUAGE plpgsql AS $fn$
DECLARE k int; st text;
BEGIN
  FOR k IN 1..coalesce(array_length(names, 1), 0) LOOP
    BEGIN
      st := set_config(names[k], vals[k], true); -- the value as SHOW prints it, e.g. 2ms
      -- roll the subtransaction back, so that no value stays in effect
      RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = coalesce(st, '');
    EXCEPTION
      WHEN SQLSTATE 'P0099' THEN i := k; err := NULL; setting := SQLERRM; RETURN NEXT;
      WHEN OTHERS THEN i := k; err := SQLERRM; setting := NULL; RETURN NEXT;
    END;
  END LOOP;
END
$fn$`;

/** Settings changed only by a restart or a reload, compared through ALTER SYSTEM (same parser as postgresql.conf). */
const SERVER_SETTINGS = [
  'shared_buffers', 'max_connections', 'wal_level', 'max_wal_size', 'checkpoint_timeout', 'archive_mode', 'huge_pages',
  'wal_keep_size', 'max_wal_senders', 'wal_sender_timeout', 'autovacuum_naptime', 'ssl_min_protocol_version',
  'log_rotation_age', 'pg_stat_statements.max', 'pg_stat_statements.track_utility', 'max_slot_wal_keep_size',
];

function sameValue(s: PostgresSetting, ours: number | boolean | string, theirs: string): boolean {
  if (typeof ours === 'boolean') return theirs === (ours ? 'on' : 'off') || theirs === String(ours);
  if (typeof ours === 'number') {
    const t = Number(theirs);
    return ours === t || Math.abs(ours - t) <= 1e-5 * Math.max(Math.abs(ours), Math.abs(t));
  }
  // enums: several names may stand for one value (wal_compression on = pglz), so only acceptance is compared
  return true;
}

function pgLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

describe.each([16, 17, 18])('PostgreSQL %i', (major) => {
  const table = PostgresSettings.forMajor(major);
  let pg: RealPostgres;

  beforeAll(async () => {
    // one unknown name under a reserved prefix, to see what the server does with it
    pg = await RealPostgres.start(major, { parameters: { ...VALID, 'pg_stat_statements.maxx': '5000' } });
  });
  afterAll(async () => {
    await pg?.stop();
  });

  test('the server is the version the table was generated from', () => {
    expect(pg.version).toBe(table.version);
    expect(pg.versionString).toBe(table.header.versionString);
  });

  test('valid values: accepted by checkParameter, and the server started with them and stores the same values', async () => {
    for (const [name, value] of Object.entries(VALID)) {
      expect([name, table.checkParameter(name, value, LOADED)]).toEqual([name, []]);
    }
    const stored = await pg.settings(Object.keys(VALID));
    for (const [name, value] of Object.entries(VALID)) {
      const s = table.get(name);
      if (!s) continue; // myapp.tenant: a custom variable
      const parsed = table.parse(name, value);
      if (!parsed.ok) throw new Error(parsed.message);
      expect([name, value, sameValue(s, parsed.value, stored[name])]).toEqual([name, value, true]);
    }
    expect(stored).toMatchObject({ shared_buffers: '65536', work_mem: '512', maintenance_work_mem: '1048576', effective_cache_size: '126' });
    const custom = await pg.query<{ v: string }>("SELECT current_setting('myapp.tenant') AS v");
    expect(custom[0].v).toBe('acme');
  });

  test('an unknown name under a module prefix: checkParameter rejects it, PostgreSQL drops it with a warning', () => {
    expect(table.checkParameter('pg_stat_statements.maxx', '5000', LOADED)).toHaveLength(1);
    expect(pg.log).toContain('invalid configuration parameter name "pg_stat_statements.maxx", removing it');
  });

  test('session settings: checkParameter agrees with set_config on every crafted value', async () => {
    const names: string[] = [];
    const vals: string[] = [];
    for (const s of table.all()) {
      if (s.vartype === 'string' || NOT_MODELLED.has(s.name)) continue;
      if (s.context !== 'user' && s.context !== 'superuser') continue;
      for (const v of candidates(s)) {
        names.push(s.name);
        vals.push(v);
      }
    }
    // load the other modules, so that their settings are real ones and not placeholders
    const modules = [...new Set(table.all().map((s) => s.extension))].filter((e): e is string => !!e);
    for (const ext of modules) if (!LOADED.includes(ext)) await pg.query(`LOAD '$libdir/${ext}'`);
    await pg.query(TRY_SETTINGS_SQL);
    const rows = await pg.query<{ i: number; err: string | null; setting: string | null }>(
      'SELECT i, err, setting FROM public.try_settings($1, $2) ORDER BY i',
      [names, vals],
    );
    expect(rows).toHaveLength(names.length);
    const disagreements: string[] = [];
    for (const r of rows) {
      const name = names[r.i - 1];
      const value = vals[r.i - 1];
      const s = table.get(name)!;
      const problems = table.checkParameter(name, value, modules);
      const accepted = r.err === null;
      if (accepted !== (problems.length === 0)) {
        disagreements.push(`${name}=${JSON.stringify(value)}: server ${accepted ? 'accepts' : `rejects (${r.err})`}, ours ${problems[0]?.message ?? 'accepts'}`);
      } else if (accepted && !SHOWN_DIFFERENTLY.has(name) && s.vartype !== 'enum') {
        // the server shows the stored value in the largest unit that holds it exactly (2500us → 2ms)
        const ours = table.parse(name, value);
        const theirs = table.parse(name, r.setting!);
        if (!ours.ok || !theirs.ok || !sameValue(s, ours.value, String(theirs.value))) {
          disagreements.push(`${name}=${JSON.stringify(value)}: server shows ${r.setting}, ours ${ours.ok ? String(ours.value) : ours.message}`);
        }
      }
    }
    for (const name of VIA_SET_LOCAL) {
      for (const value of candidates(table.get(name)!)) {
        let err: string | undefined;
        await pg.query('BEGIN');
        try {
          await pg.query(`SET LOCAL ${name} TO ${pgLiteral(value)}`);
        } catch (e) {
          err = (e as Error).message;
        }
        await pg.query('ROLLBACK');
        const problems = table.checkParameter(name, value);
        if ((err === undefined) !== (problems.length === 0)) {
          disagreements.push(`${name}=${JSON.stringify(value)}: server ${err ?? 'accepts'}, ours ${problems[0]?.message ?? 'accepts'}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(names.length).toBeGreaterThan(2500);
  });

  test('restart and reload settings: checkParameter agrees with ALTER SYSTEM', async () => {
    const disagreements: string[] = [];
    let count = 0;
    for (const name of [...SERVER_SETTINGS, ...VIA_ALTER_SYSTEM.filter((n) => table.get(n))]) {
      const s = table.get(name)!;
      expect(s).toBeDefined();
      const values = [...new Set(candidates(s))].filter((v) => !(BACKEND_COUNTS.has(name) && Number(v) > 200000));
      for (const value of values) {
        const err = await pg.alterSystemError(name, value, { reset: false });
        const problems = table.checkParameter(name, value, LOADED);
        count++;
        if ((err === undefined) !== (problems.length === 0)) {
          disagreements.push(`${name}=${JSON.stringify(value)}: server ${err ?? 'accepts'}, ours ${problems[0]?.message ?? 'accepts'}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(count).toBeGreaterThan(250);
  });

  test('invalid values: rejected by checkParameter, and by PostgreSQL reading postgresql.conf', () => {
    for (const [name, value] of Object.entries(INVALID_VALUES)) {
      expect([name, table.checkParameter(name, value, LOADED).length]).toEqual([name, 1]);
    }
    const r = checkConfigFile(major, INVALID_VALUES);
    expect(r.ok).toBe(false);
    const text = r.messages.join('\n');
    for (const name of Object.keys(INVALID_VALUES)) {
      expect([name, text.includes(`parameter "${name}"`)]).toEqual([name, true]);
    }
    expect(text).toContain('invalid value for parameter "shared_buffers": "512XB"');
    expect(text).toContain('0 is outside the valid range for parameter "max_connections" (1 .. 262143)');
    expect(text).toContain('invalid value for parameter "wal_level": "bogus"');
    expect(text).toMatch(/FATAL: +configuration file ".*" contains errors/);
    // the valid sample passes the same reading (what `-C` checks without loading modules)
    expect(checkConfigFile(major, VALID)).toMatchObject({ ok: true });
    expect(checkConfigFile(major, { seed: '0.5', 'Shared_Buffers': '1GB', 'pgaudit.log': 'all' })).toMatchObject({ ok: true });
  });

  test('unknown and malformed names: rejected by checkParameter and by PostgreSQL', () => {
    const unknown = { shared_bufers: '1GB', max_conections: '10' };
    for (const [name, value] of Object.entries(unknown)) expect(table.checkParameter(name, value)).toHaveLength(1);
    const r = checkConfigFile(major, unknown);
    expect(r.ok).toBe(false);
    expect(r.messages.join('\n')).toContain('unrecognized configuration parameter "shared_bufers"');
    expect(r.messages.join('\n')).toContain('unrecognized configuration parameter "max_conections"');

    for (const name of ['a.b.c', 'bad-name', 'x.1y']) {
      expect(table.checkParameter(name, '1')[0].message).toContain('is not a valid parameter name');
      const s = checkConfigFile(major, { [name]: '1' });
      expect([name, s.ok, s.messages.join('\n')]).toEqual([name, false, expect.stringContaining('syntax error in file')]);
    }

    const removed = major === 16 ? 'io_method' : 'old_snapshot_threshold';
    expect(table.checkParameter(removed, major === 16 ? 'worker' : '-1')).toHaveLength(1);
    expect(checkConfigFile(major, { [removed]: '1' }).messages.join('\n')).toContain(`unrecognized configuration parameter "${removed}"`);
  });

  test('pg_hba.conf lines: good lines load without error, bad ones are reported', async () => {
    expect(
      await pg.hbaErrors([
        'local all all peer',
        'hostssl all all all scram-sha-256',
        'hostnossl all all all reject',
        'hostssl replication streaming_replica all cert',
        'host all all 10.0.0.0/8 scram-sha-256',
      ]),
    ).toEqual([]);
    const errors = await pg.hbaErrors([
      'hostssl all all all scram-sha-256',
      'host all all 1.2.3.4/99 md5',
      'hostssl all',
      'host all all all bogus',
    ]);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(errors[0].error).toContain('invalid CIDR mask');
    expect(errors[2].error).toContain('invalid authentication method "bogus"');
  });
});

describe('checkConfigWithRealServer (PostgreSQL 18)', () => {
  test('reports what only a starting server finds: checks across settings, then pg_hba.conf errors', async () => {
    // A temp folder of its own: other test files run PostgreSQL 18 servers in parallel in the shared one, so only here
    // can "nothing is left behind" be checked. The server user must be able to enter it.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-settings-real-'));
    fs.chmodSync(tmp, 0o755);
    // os.tmpdir() reads the real process environment, not jest's copy: point it here for the duration.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tmpdir = jest.spyOn(require('os') as typeof os, 'tmpdir').mockReturnValue(tmp);
    try {
      // each value is valid on its own (checkParameter and `postgres -C` accept them); together they are not
      const params = { wal_level: 'minimal', max_wal_senders: '10' };
      expect(Object.entries(params).flatMap(([k, v]) => PostgresSettings.forMajor(18).checkParameter(k, v))).toEqual([]);
      const failed = await checkConfigWithRealServer(18, params);
      expect(failed).toMatchObject({ ok: false, started: false });
      expect(failed.messages.join('\n')).toMatch(/FATAL: +WAL streaming \("?max_wal_senders"? > 0\) requires "?wal_level"? to be "?replica"? or "?logical"?/);

      const hba = await checkConfigWithRealServer(18, { work_mem: '8MB' }, ['hostssl all all all scram-sha-256', 'host all all 1.2.3.4/99 md5']);
      expect(hba).toMatchObject({ ok: false, started: true, settings: { work_mem: '8192' } });
      expect(hba.hbaErrors).toEqual([{ line: 2, error: 'invalid CIDR mask in address "1.2.3.4/99"' }]);
      // servers are stopped and their directories removed (they ran here: the template was made here too)
      expect(fs.existsSync(path.join(tmp, 'cdk8s-cnpg-pg-templates'))).toBe(true);
      expect(fs.readdirSync(tmp).filter((f) => f.startsWith('cdk8s-cnpg-pg18-'))).toEqual([]);
    } finally {
      tmpdir.mockRestore();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
