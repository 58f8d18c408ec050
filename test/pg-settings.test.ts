import {
  CNPG_MANAGED_EXTENSIONS,
  PostgresSettings,
  convertToBaseUnit,
  editDistance,
  parseBool,
  parseIntValue,
  parseRealValue,
  rint,
  strtod,
  strtol0,
  validConfName,
} from '../lib/rules/postgres-settings';

const pg18 = PostgresSettings.forMajor(18);
const check = (name: string, value: string, loaded: string[] = [], major = 18) =>
  PostgresSettings.forMajor(major).checkParameter(name, value, loaded);
const ok = (name: string, value: string, loaded: string[] = [], major = 18) => expect(check(name, value, loaded, major)).toEqual([]);
const bad = (name: string, value: string, loaded: string[] = [], major = 18) => {
  const problems = check(name, value, loaded, major);
  expect(problems).toHaveLength(1);
  return problems[0];
};
const parsed = (name: string, value: string) => {
  const r = pg18.parse(name, value);
  if (!r.ok) throw new Error(`${name}=${value}: ${r.message}`);
  return r.value;
};

describe('tables', () => {
  test.each([16, 17, 18])('PostgreSQL %i has a sorted table from a real server of that major', (major) => {
    const s = PostgresSettings.forMajor(major);
    expect(s.major).toBe(major);
    expect(s.version).toMatch(new RegExp(`^${major}\\.\\d+$`));
    expect(s.header.versionString).toContain(`PostgreSQL ${s.version}`);
    const names = s.names();
    expect(names.length).toBeGreaterThan(380);
    expect([...names].sort()).toEqual(names);
    for (const setting of s.all()) {
      expect(['bool', 'integer', 'real', 'string', 'enum']).toContain(setting.vartype);
      expect(['postmaster', 'sighup', 'user', 'superuser', 'backend', 'superuser-backend', 'internal']).toContain(setting.context);
      if (setting.vartype === 'integer' || setting.vartype === 'real') {
        expect(typeof setting.min).toBe('number');
        expect(setting.min!).toBeLessThanOrEqual(setting.max!);
      }
      if (setting.vartype === 'enum') expect(setting.enumvals!.length).toBeGreaterThan(0);
      expect(setting.name.includes('.')).toBe(setting.extension !== undefined);
    }
    for (const name of ['pg_stat_statements.max', 'auto_explain.log_min_duration', 'pg_prewarm.autoprewarm']) {
      expect(s.get(name)?.extension).toBe(name.slice(0, name.indexOf('.')));
    }
    expect(s.header.cnpgManagedNotShipped).toEqual(['pg_failover_slots', 'pgaudit']);
  });

  test('unsupported majors throw, listing the supported ones', () => {
    expect(() => PostgresSettings.forMajor(15)).toThrow('PostgreSQL 15 is not supported: the supported majors are 16, 17, 18');
    expect(PostgresSettings.supportedMajors).toEqual([16, 17, 18]);
    expect(PostgresSettings.forMajor(17)).toBe(PostgresSettings.forMajor(17));
  });

  test('get is case-insensitive like PostgreSQL; restartRequired follows context postmaster', () => {
    expect(pg18.get('Shared_Buffers')?.name).toBe('shared_buffers');
    expect(pg18.get('shared_buffers')).toMatchObject({ vartype: 'integer', unit: '8kB', context: 'postmaster' });
    expect(pg18.get('nope')).toBeUndefined();
    expect(pg18.restartRequired('shared_buffers')).toBe(true);
    expect(pg18.restartRequired('max_connections')).toBe(true);
    expect(pg18.restartRequired('pg_stat_statements.max')).toBe(true);
    expect(pg18.restartRequired('work_mem')).toBe(false);
    expect(pg18.restartRequired('log_min_duration_statement')).toBe(false);
    expect(pg18.restartRequired('max_wal_size')).toBe(false);
    expect(pg18.restartRequired('unknown_setting')).toBe(false);
  });

  test('settings that differ between majors', () => {
    expect(PostgresSettings.forMajor(16).get('old_snapshot_threshold')).toBeDefined();
    expect(PostgresSettings.forMajor(17).get('old_snapshot_threshold')).toBeUndefined();
    expect(PostgresSettings.forMajor(18).get('io_method')).toBeDefined();
    expect(PostgresSettings.forMajor(17).get('io_method')).toBeUndefined();
    expect(PostgresSettings.forMajor(17).get('summarize_wal')).toBeDefined();
    expect(PostgresSettings.forMajor(16).get('summarize_wal')).toBeUndefined();
  });
});

describe('parse_bool', () => {
  test.each(['on', 'ON', 'On', 'true', 'TRUE', 't', 'tr', 'tru', 'yes', 'y', 'Ye', '1'])('%s is true', (v) => {
    expect(parseBool(v)).toBe(true);
  });
  test.each(['off', 'OFF', 'of', 'false', 'f', 'FAL', 'no', 'n', 'N', '0'])('%s is false', (v) => {
    expect(parseBool(v)).toBe(false);
  });
  test.each(['o', '', '2', '01', '10', 'onn', 'offf', 'truee', 'true ', ' on', 'enable', 'yess', '-1'])('%j is not a Boolean', (v) => {
    expect(parseBool(v)).toBeUndefined();
  });

  test('checkParameter on a bool setting', () => {
    ok('enable_seqscan', 'OFF');
    ok('enable_seqscan', 'of');
    const p = bad('enable_seqscan', 'o');
    expect(p).toEqual({
      field: 'postgresql.parameters.enable_seqscan',
      message: 'enable_seqscan requires a Boolean value: on, off, true, false, yes, no, 1 or 0',
      value: 'o',
      fix: 'use on or off',
    });
    expect(parsed('enable_seqscan', 'yes')).toBe(true);
  });
});

describe('C number conversions', () => {
  test('strtol with base 0: decimal, hex, octal, sign, leading whitespace', () => {
    expect(strtol0('42')).toEqual({ value: 42, end: 2, erange: false });
    expect(strtol0('  -42x')).toEqual({ value: -42, end: 5, erange: false });
    expect(strtol0('0x1F')).toEqual({ value: 31, end: 4, erange: false });
    expect(strtol0('010')).toEqual({ value: 8, end: 3, erange: false });
    expect(strtol0('08')).toEqual({ value: 0, end: 1, erange: false });
    expect(strtol0('0x')).toEqual({ value: 0, end: 1, erange: false });
    expect(strtol0('x1').end).toBe(0);
    expect(strtol0('').end).toBe(0);
    expect(strtol0('99999999999999999999').erange).toBe(true);
  });

  test('strtod: decimals, exponents, hex floats, inf and nan, ranges', () => {
    expect(strtod('1.5')).toEqual({ value: 1.5, end: 3, erange: false });
    expect(strtod('.5x')).toEqual({ value: 0.5, end: 2, erange: false });
    expect(strtod('5.')).toEqual({ value: 5, end: 2, erange: false });
    expect(strtod('1e3')).toEqual({ value: 1000, end: 3, erange: false });
    expect(strtod('1e')).toEqual({ value: 1, end: 1, erange: false });
    expect(strtod('1e+')).toEqual({ value: 1, end: 1, erange: false });
    expect(strtod(' -2.5E-1')).toEqual({ value: -0.25, end: 8, erange: false });
    expect(strtod('0x1p4')).toEqual({ value: 16, end: 5, erange: false });
    expect(strtod('0x1.8')).toEqual({ value: 1.5, end: 5, erange: false });
    expect(strtod('0xg').end).toBe(1);
    expect(strtod('inf').value).toBe(Infinity);
    expect(strtod('-Infinity')).toEqual({ value: -Infinity, end: 9, erange: false });
    expect(Number.isNaN(strtod('nan').value)).toBe(true);
    expect(strtod('1e400').erange).toBe(true);
    expect(strtod('1e-400').erange).toBe(true);
    expect(strtod('0e-400').erange).toBe(false);
    expect(strtod('.').end).toBe(0);
    expect(strtod('e5').end).toBe(0);
  });

  test('rint rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(rint)).toEqual([0, 2, 2, -0, -2, -2, 2, 3]);
  });

  test('convert_to_base_unit: case-sensitive units up to 3 characters, trailing space, next-smaller-unit rounding', () => {
    expect(convertToBaseUnit(1, 'GB', 'kB')).toBe(1048576);
    expect(convertToBaseUnit(1, 'GB  ', 'kB')).toBe(1048576);
    expect(convertToBaseUnit(1, 'gb', 'kB')).toBeUndefined();
    expect(convertToBaseUnit(1, 'GB x', 'kB')).toBeUndefined();
    expect(convertToBaseUnit(1, 'GBs', 'kB')).toBeUndefined();
    expect(convertToBaseUnit(1, 'MB', '8kB')).toBe(128);
    expect(convertToBaseUnit(1, 'B', 'kB')).toBe(1 / 1024);
    expect(convertToBaseUnit(1.0001, 'GB', 'kB')).toBe(1048576); // rounded to whole MB
    expect(convertToBaseUnit(1.5, 'min', 's')).toBe(90);
    expect(convertToBaseUnit(1.5, 'us', 'ms')).toBe(0.0015);
    expect(convertToBaseUnit(1, 'd', 'min')).toBe(1440);
    expect(convertToBaseUnit(1, 'm', 'min')).toBeUndefined();
    expect(convertToBaseUnit(1, 'ms', 'kB')).toBeUndefined();
  });
});

describe('parse_int', () => {
  test('plain integers: decimal, hex, octal, whitespace, fractions rounded half to even', () => {
    expect(parseIntValue('100')).toEqual({ ok: true, value: 100 });
    expect(parseIntValue(' 100 ')).toEqual({ ok: true, value: 100 });
    expect(parseIntValue('0x10')).toEqual({ ok: true, value: 16 });
    expect(parseIntValue('010')).toEqual({ ok: true, value: 8 });
    expect(parseIntValue('-1')).toEqual({ ok: true, value: -1 });
    expect(parseIntValue('1e2')).toEqual({ ok: true, value: 100 });
    expect(parseIntValue('2.5')).toEqual({ ok: true, value: 2 });
    expect(parseIntValue('3.5')).toEqual({ ok: true, value: 4 });
    expect(parseIntValue('.5')).toEqual({ ok: true, value: 0 });
    expect(parseIntValue('08')).toEqual({ ok: false, reason: 'no-unit' });
    expect(parseIntValue('')).toEqual({ ok: false, reason: 'syntax' });
    expect(parseIntValue('abc')).toEqual({ ok: false, reason: 'syntax' });
    expect(parseIntValue('nan')).toEqual({ ok: false, reason: 'syntax' });
    expect(parseIntValue('2147483647')).toEqual({ ok: true, value: 2147483647 });
    expect(parseIntValue('2147483648')).toEqual({ ok: false, reason: 'int-range' });
    expect(parseIntValue('-2147483649')).toEqual({ ok: false, reason: 'int-range' });
    expect(parseIntValue('0xFFFFFFFF')).toEqual({ ok: false, reason: 'int-range' });
    expect(parseIntValue('1e400')).toEqual({ ok: false, reason: 'syntax' });
    expect(parseIntValue('10MB')).toEqual({ ok: false, reason: 'no-unit' });
  });

  test('memory units to the setting unit (kB, 8kB blocks, MB, B)', () => {
    expect(parsed('shared_buffers', '128MB')).toBe(16384);
    expect(parsed('shared_buffers', '1GB')).toBe(131072);
    expect(parsed('shared_buffers', '1 GB')).toBe(131072);
    expect(parsed('shared_buffers', '1TB')).toBe(134217728);
    expect(parsed('shared_buffers', '16384')).toBe(16384);
    expect(parsed('shared_buffers', '1.5MB')).toBe(192);
    expect(parsed('shared_buffers', '1000kB')).toBe(125);
    expect(parsed('shared_buffers', '1004kB')).toBe(126); // 125.5 blocks: half to even
    expect(parsed('shared_buffers', '1012kB')).toBe(126); // 126.5 blocks: half to even
    expect(parsed('shared_buffers', '8192B')).toBe(1);
    expect(parsed('work_mem', '0.5MB')).toBe(512);
    expect(parsed('work_mem', '1.0001GB')).toBe(1048576);
    expect(parsed('work_mem', '1023B')).toBe(1);
    expect(parsed('work_mem', '0x40')).toBe(64);
    expect(parsed('min_wal_size', '1GB')).toBe(1024); // unit MB
    expect(parsed('min_wal_size', '1.5GB')).toBe(1536);
    expect(parsed('wal_segment_size', '16MB')).toBe(16777216); // unit B
  });

  test('time units to the setting unit (ms, s, min)', () => {
    expect(parsed('statement_timeout', '1.5s')).toBe(1500);
    expect(parsed('statement_timeout', '1.5min')).toBe(90000);
    expect(parsed('statement_timeout', '1h')).toBe(3600000);
    expect(parsed('statement_timeout', '100us')).toBe(0);
    expect(parsed('statement_timeout', '1500us')).toBe(2);
    expect(parsed('statement_timeout', '2500us')).toBe(2);
    expect(parsed('checkpoint_timeout', '1.5min')).toBe(90);
    expect(parsed('checkpoint_timeout', '90000ms')).toBe(90);
    expect(parsed('checkpoint_timeout', '1d')).toBe(86400);
    expect(parsed('log_rotation_age', '1d')).toBe(1440); // unit min
    expect(parsed('log_rotation_age', '90s')).toBe(2); // 1.5 min
  });

  test('problems: the value, what is wrong, and a fix', () => {
    expect(bad('shared_buffers', '32GBx')).toEqual({
      field: 'postgresql.parameters.shared_buffers',
      message: '32GBx is not a valid memory size: valid units are B, kB, MB, GB, TB',
      value: '32GBx',
      fix: 'use a number with one of these units, e.g. 512MB',
    });
    expect(bad('shared_buffers', '512mb').fix).toBe('write 512MB (units are case-sensitive)');
    expect(bad('shared_buffers', '512 Mb').fix).toBe('write 512MB (units are case-sensitive)');
    expect(bad('shared_buffers', '2G').fix).toBe('write 2GB (units are case-sensitive)');
    expect(bad('work_mem', '64KB').fix).toBe('write 64kB (units are case-sensitive)');
    expect(bad('checkpoint_timeout', '10m')).toMatchObject({
      message: '10m is not a valid time: valid units are us, ms, s, min, h, d',
      fix: 'write 10min (units are case-sensitive)',
    });
    expect(bad('checkpoint_timeout', '30 sec').fix).toBe('write 30s (units are case-sensitive)');
    expect(bad('statement_timeout', '5 MS').fix).toBe('write 5ms (units are case-sensitive)');
    expect(bad('max_connections', '100MB').message).toBe(
      '100MB is not a valid integer: max_connections takes a plain number, without a unit',
    );
    expect(bad('max_connections', 'lots')).toMatchObject({ message: '"lots" is not a valid integer', fix: 'use a number from 1 to 262143' });
    expect(bad('shared_buffers', 'lots').fix).toBe('use a number with an optional unit (B, kB, MB, GB, TB), e.g. 512MB');
    expect(bad('log_min_duration_statement', '2147483648').message).toBe(
      '2147483648 exceeds the integer range (-2147483648 .. 2147483647 ms)',
    );
  });

  test('ranges are checked after unit conversion', () => {
    expect(bad('max_connections', '0')).toEqual({
      field: 'postgresql.parameters.max_connections',
      message: '0 is below the minimum of max_connections: the valid range is 1 .. 262143',
      value: '0',
      fix: 'use a value from 1 to 262143',
    });
    expect(bad('work_mem', '0x10').message).toBe(
      '0x10 (= 16kB) is below the minimum of work_mem: the valid range is 64kB .. 2147483647kB',
    );
    expect(bad('shared_buffers', '64kB').message).toBe(
      '64kB is below the minimum of shared_buffers: the valid range is 128kB .. 8589934584kB',
    );
    expect(bad('checkpoint_timeout', '2d').message).toBe(
      '2d is above the maximum of checkpoint_timeout: the valid range is 30s .. 1d',
    );
    ok('checkpoint_timeout', '1d');
    ok('checkpoint_timeout', '30s');
    expect(bad('checkpoint_timeout', '29s').fix).toBe('use a value from 30s to 1d');
    ok('shared_buffers', '128kB');
    ok('log_min_duration_statement', '-1');
    bad('log_min_duration_statement', '-2');
  });
});

describe('parse_real', () => {
  test('reals with and without units', () => {
    expect(parseRealValue('1.5')).toEqual({ ok: true, value: 1.5 });
    expect(parseRealValue('1e-3')).toEqual({ ok: true, value: 0.001 });
    expect(parseRealValue('0x1p1')).toEqual({ ok: true, value: 2 });
    expect(parseRealValue('1.5 ')).toEqual({ ok: true, value: 1.5 });
    expect(parseRealValue('nan')).toEqual({ ok: false, reason: 'syntax' });
    expect(parseRealValue('1e999')).toEqual({ ok: false, reason: 'syntax' });
    expect(parseRealValue('1.5x')).toEqual({ ok: false, reason: 'no-unit' });
    expect(parsed('vacuum_cost_delay', '2ms')).toBe(2);
    expect(parsed('vacuum_cost_delay', '2500us')).toBe(2.5);
    expect(parsed('vacuum_cost_delay', '0.5')).toBe(0.5);
  });

  test('ranges of reals', () => {
    ok('random_page_cost', '1.1');
    ok('random_page_cost', '1e300');
    ok('checkpoint_completion_target', '0.9');
    expect(bad('checkpoint_completion_target', '1.5').message).toBe(
      '1.5 is above the maximum of checkpoint_completion_target: the valid range is 0 .. 1',
    );
    bad('random_page_cost', '-1');
    expect(bad('random_page_cost', 'inf').message).toContain('above the maximum');
    bad('random_page_cost', 'nan');
    expect(bad('vacuum_cost_delay', '1s').message).toBe(
      '1s is above the maximum of vacuum_cost_delay: the valid range is 0 .. 100ms',
    );
    expect(bad('vacuum_cost_delay', '1000000us').message).toBe(
      '1000000us (= 1s) is above the maximum of vacuum_cost_delay: the valid range is 0 .. 100ms',
    );
    expect(bad('random_page_cost', '4 units').message).toBe('4 units is not a valid number: random_page_cost takes a plain number, without a unit');
  });
});

describe('enums', () => {
  test('case-insensitive, with hidden aliases and values of lz4/zstd builds', () => {
    ok('wal_level', 'logical');
    ok('wal_level', 'LOGICAL');
    ok('wal_level', 'hot_standby');
    ok('synchronous_commit', 'remote_apply');
    ok('synchronous_commit', 'true');
    ok('log_min_messages', 'debug');
    ok('wal_compression', 'zstd');
    ok('wal_compression', 'lz4');
    ok('default_toast_compression', 'lz4');
    ok('io_method', 'io_uring');
    ok('transaction_isolation', 'Repeatable Read');
    expect(parsed('wal_level', 'Replica')).toBe('replica');
    expect(PostgresSettings.forMajor(16).get('wal_compression')?.buildEnumvals).toEqual(['lz4', 'zstd']);
    expect(PostgresSettings.forMajor(16).get('io_method')).toBeUndefined();
  });

  test('a wrong value lists the valid ones, with a near miss suggested', () => {
    expect(bad('wal_level', 'bogus')).toEqual({
      field: 'postgresql.parameters.wal_level',
      message: '"bogus" is not a valid value for wal_level: valid values are minimal, replica, logical',
      value: 'bogus',
      fix: 'use one of minimal, replica, logical',
    });
    expect(bad('wal_level', 'logicl').fix).toBe('did you mean logical?');
    expect(bad('wal_level', ' logical').message).toContain('not a valid value');
    expect(bad('wal_compression', 'gzip').message).toBe(
      '"gzip" is not a valid value for wal_compression: valid values are pglz, on, off, lz4, zstd',
    );
  });
});

describe('strings', () => {
  test('anything on one line', () => {
    ok('search_path', '"$user", public');
    ok('archive_command', "test ! -f '/x/%f' && cp %p /x/%f");
    ok('application_name', '');
    ok('log_line_prefix', '%m [%p] \\n ');
    expect(bad('application_name', 'a\nb').message).toBe(
      'the value contains a line break or NUL, which postgresql.conf cannot hold',
    );
  });
});

describe('names', () => {
  test('postgresql.conf name syntax', () => {
    expect(validConfName('shared_buffers')).toBe(true);
    expect(validConfName('_x')).toBe(true);
    expect(validConfName('pg_stat_statements.max')).toBe(true);
    expect(validConfName('a.b.c')).toBe(false);
    expect(validConfName('bad-name')).toBe(false);
    expect(validConfName('1abc')).toBe(false);
    expect(validConfName('a.1b')).toBe(false);
    expect(validConfName('a$b')).toBe(false);
    expect(validConfName('')).toBe(false);
    expect(bad('a.b.c', '1').message).toContain('is not a valid parameter name');
    expect(bad('shared-buffers', '1GB').fix).toBe('did you mean shared_buffers?');
  });

  test('unknown names get typo suggestions and the majors that have them', () => {
    expect(bad('shared_bufers', '1GB')).toEqual({
      field: 'postgresql.parameters.shared_bufers',
      message: 'unrecognized parameter in PostgreSQL 18',
      value: '1GB',
      fix: 'did you mean shared_buffers?',
    });
    expect(bad('max_conections', '10').fix).toBe('did you mean max_connections?');
    expect(bad('wal_levle', 'logical').fix).toBe('did you mean wal_level?');
    expect(bad('no_such_thing_at_all', '1').fix).toBeUndefined();
    expect(bad('old_snapshot_threshold', '1').message).toBe(
      'unrecognized parameter in PostgreSQL 18 (it exists in PostgreSQL 16 only)',
    );
    expect(bad('io_method', 'worker', [], 16).message).toBe(
      'unrecognized parameter in PostgreSQL 16 (it exists in PostgreSQL 18 only)',
    );
    ok('old_snapshot_threshold', '-1', [], 16);
    ok('SHARED_BUFFERS', '1GB');
    expect(pg18.suggest('checkpoint_timout')).toEqual(['checkpoint_timeout']);
  });

  test('read-only (internal) and hidden settings', () => {
    expect(bad('block_size', '8192').message).toBe(
      'block_size is a read-only setting (context internal): it is fixed when PostgreSQL is built or the cluster is initialised',
    );
    bad('wal_segment_size', '16MB');
    bad('server_version', '18');
    expect(bad('role', 'postgres').message).toBe('role cannot be set in postgresql.conf: PostgreSQL rejects it at startup');
    bad('session_authorization', 'postgres');
    bad('is_superuser', 'on');
    ok('seed', '0.5');
  });
});

describe('extension settings', () => {
  test('CloudNativePG-managed modules count as loaded; their values are checked', () => {
    expect(CNPG_MANAGED_EXTENSIONS).toEqual(['pgaudit', 'pg_stat_statements', 'auto_explain', 'pg_failover_slots']);
    ok('pg_stat_statements.max', '10000');
    ok('pg_stat_statements.track', 'all');
    ok('auto_explain.log_min_duration', '250ms');
    ok('auto_explain.log_format', 'JSON');
    expect(bad('pg_stat_statements.max', '10').message).toBe(
      '10 is below the minimum of pg_stat_statements.max: the valid range is 100 .. 1073741823',
    );
    expect(bad('pg_stat_statements.track', 'everything').message).toBe(
      '"everything" is not a valid value for pg_stat_statements.track: valid values are none, top, all',
    );
    expect(bad('auto_explain.log_min_duration', '5 minutes').message).toContain('is not a valid time');
  });

  test('modules that need shared_preload_libraries', () => {
    expect(bad('pg_prewarm.autoprewarm', 'on')).toEqual({
      field: 'postgresql.parameters.pg_prewarm.autoprewarm',
      message: 'pg_prewarm.autoprewarm is a setting of pg_prewarm, which is not loaded: PostgreSQL keeps it as a placeholder that nothing reads',
      value: 'on',
      fix: 'add pg_prewarm to shared_preload_libraries, or remove the parameter',
    });
    ok('pg_prewarm.autoprewarm', 'on', ['pg_prewarm']);
    ok('pg_prewarm.autoprewarm', 'on', ['$libdir/pg_prewarm.so']);
    bad('pg_prewarm.autoprewarm', 'maybe', ['pg_prewarm']);
    bad('auth_delay.milliseconds', '500');
    ok('auth_delay.milliseconds', '500', ['auth_delay']);
    expect(pg18.classify('pg_prewarm.autoprewarm')).toBe('extension');
  });

  test('modules loaded on demand need no preloading', () => {
    ok('plpgsql.variable_conflict', 'use_column');
    bad('plpgsql.variable_conflict', 'sometimes');
    ok('pg_trgm.similarity_threshold', '0.4');
    bad('pg_trgm.similarity_threshold', '1.4');
  });

  test('unknown names under a module prefix', () => {
    const p = bad('pg_stat_statements.maxx', '5000');
    expect(p.message).toBe(
      'unrecognized parameter of pg_stat_statements in PostgreSQL 18: PostgreSQL drops it with a warning when the module loads',
    );
    expect(p.fix).toBe('did you mean pg_stat_statements.max or pg_stat_statements.save?');
    expect(pg18.classify('pg_stat_statements.maxx')).toBe('unknown');
  });

  test('other classes: unverified modules and custom variables are accepted, likely typos are not', () => {
    ok('pgaudit.log', 'write, ddl');
    ok('pg_failover_slots.synchronize_slot_names', 'name_like:%');
    ok('timescaledb.max_background_workers', '8', ['timescaledb']);
    ok('myapp.tenant', 'acme');
    expect(pg18.classify('pgaudit.log')).toBe('unverified');
    expect(pg18.classify('timescaledb.license', ['timescaledb'])).toBe('unverified');
    expect(pg18.classify('myapp.tenant')).toBe('placeholder');
    expect(pg18.classify('shared_buffers')).toBe('core');
    expect(pg18.classify('role')).toBe('hidden');
    expect(pg18.classify('nope')).toBe('unknown');
    expect(pg18.classify('a.b.c')).toBe('invalid-name');
    expect(bad('pg_stat_statement.max', '5000')).toMatchObject({
      message:
        'unrecognized parameter: pg_stat_statement is not a known module (PostgreSQL would keep pg_stat_statement.max as a custom variable that nothing reads)',
      fix: 'did you mean pg_stat_statements.max?',
    });
    expect(bad('pgadit.log', 'all').fix).toBe('did you mean pgaudit.log?');
    expect(bad('auto_explian.log_analyze', 'on').fix).toBe('did you mean auto_explain.log_analyze?');
  });

  test('a custom field name', () => {
    expect(pg18.checkParameter('max_connections', '0', [], 'spec.postgresql.parameters.max_connections')[0].field).toBe(
      'spec.postgresql.parameters.max_connections',
    );
  });
});

test('editDistance counts a transposition as one edit', () => {
  expect(editDistance('wal_level', 'wal_levle')).toBe(1);
  expect(editDistance('abc', 'abc')).toBe(0);
  expect(editDistance('kitten', 'sitting')).toBe(3);
  expect(editDistance('a', 'abcdef', 2)).toBe(3);
});
