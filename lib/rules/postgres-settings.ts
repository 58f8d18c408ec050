/**
 * PostgreSQL's settings per major version, and PostgreSQL's own rules for the values of `postgresql.parameters`.
 *
 * The tables (`postgres-settings/pg<major>.json`) are generated from real servers by `npm run gen:pg-settings`
 * (pg_settings plus the contrib modules' settings), and `test/pg-settings-real.test.ts` proves the checks against
 * those servers. The parsing below follows PostgreSQL's guc.c: `parse_bool` (bool.c), `parse_int` (strtol with base 0,
 * then strtod for fractions and exponents), `parse_real` (strtod), `convert_to_base_unit` (case-sensitive units, a
 * fractional value rounded to the next smaller unit, then to an integer with rint) and the enum lookup
 * (case-insensitive, hidden aliases included).
 *
 * What it does not model: the check hooks of individual settings (e.g. `search_path` syntax, `timezone` names,
 * list syntax of `shared_preload_libraries`; only vacuum_buffer_usage_limit's is), and the checks across settings
 * (e.g. `wal_level = minimal` with `max_wal_senders > 0`, or max_connections + max_worker_processes + autovacuum
 * workers + max_wal_senders above 262143); string settings are accepted as they are. Real bounds come from
 * pg_settings, which prints them with 6 significant digits (DBL_MAX is restored exactly).
 *
 * Names with a dot (`<class>.<name>`, custom settings):
 * - the class of a contrib module in the table (`pg_stat_statements`, `auto_explain`, `pg_prewarm`, `plpgsql`, ...):
 *   the name and value are checked against the table. When the module only takes effect from shared_preload_libraries
 *   and is not loaded (`loadedExtensions`), that is a problem: PostgreSQL keeps the value as an unchecked placeholder
 *   that nothing reads. CloudNativePG adds its managed modules (pgaudit, pg_stat_statements, auto_explain,
 *   pg_failover_slots) to shared_preload_libraries by itself when one of their parameters is set, so those count as
 *   loaded. Modules loaded on demand (plpgsql, pltcl, pg_trgm, postgres_fdw, pgcrypto, isn, basic_archive) pick the
 *   value up when they load. The others (auth_delay, passwordcheck, pg_prewarm, basebackup_to_shell) need loading.
 * - the class of `pgaudit` or `pg_failover_slots` (in CloudNativePG's images, not in the generating package), or of any
 *   library in `loadedExtensions` the table does not know: accepted unchecked.
 * - any other class: PostgreSQL accepts it as a custom variable (applications read such settings with
 *   `current_setting`), so it is accepted, unless the class or the whole name is one edit or two away from a known one,
 *   which is reported as a likely typo.
 */
import { Problem } from '../core/problems';

export type PostgresVarType = 'bool' | 'integer' | 'real' | 'string' | 'enum';
export type PostgresContext =
  | 'postmaster'
  | 'sighup'
  | 'user'
  | 'superuser'
  | 'backend'
  | 'superuser-backend'
  | 'internal';

/** One setting as pg_settings describes it. */
export interface PostgresSetting {
  readonly name: string;
  readonly vartype: PostgresVarType;
  /** pg_settings.unit: `B`, `kB`, `MB`, `8kB` (blocks), `ms`, `s`, `min`. Values without a unit are in this unit. */
  readonly unit?: string;
  /** In `unit`. */
  readonly min?: number;
  readonly max?: number;
  readonly enumvals?: readonly string[];
  /** Values the enum accepts without listing them (e.g. wal_level `hot_standby`, synchronous_commit `true`). */
  readonly enumAliases?: readonly string[];
  /** Values of builds with lz4, zstd and liburing (CloudNativePG's images) that the generating build lacks. */
  readonly buildEnumvals?: readonly string[];
  readonly context: PostgresContext;
  /** pg_settings.boot_val. */
  readonly default?: string;
  /** The library that defines the setting, for `<class>.<name>` settings. */
  readonly extension?: string;
}

/** How a table was made. */
export interface PostgresSettingsHeader {
  /** server_version, e.g. `18.4`. */
  readonly postgres: string;
  readonly versionString: string;
  readonly package: string;
  readonly generatedBy: string;
  /** The modules that define settings (all loadable modules were in shared_preload_libraries). */
  readonly modulesWithSettings: readonly string[];
  /** CloudNativePG-managed modules the package lacks (pgaudit, pg_failover_slots). */
  readonly cnpgManagedNotShipped: readonly string[];
  /** Modules that failed to load, with the error (plperl, plpython3: their language libraries are missing). */
  readonly notLoadable: Record<string, string>;
  /** The package's loadable modules ($libdir), without the encoding conversions. */
  readonly contribModules: readonly string[];
  /** The package's extensions (control files). */
  readonly extensions: readonly string[];
  readonly counts: { readonly settings: number; readonly core: number; readonly extension: number };
}

interface SettingsFile {
  readonly header: PostgresSettingsHeader;
  readonly settings: readonly PostgresSetting[];
}

/**
 * The table of each major, read on first use: a process needs the majors of its clusters only (usually one), and the
 * three tables are about 170 KB of JSON to read and parse.
 */
const TABLES: Record<number, () => SettingsFile> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  16: () => require('./postgres-settings/pg16.json'),
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  17: () => require('./postgres-settings/pg17.json'),
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  18: () => require('./postgres-settings/pg18.json'),
};

/** Modules CloudNativePG adds to shared_preload_libraries itself when one of their parameters is set. */
export const CNPG_MANAGED_EXTENSIONS: readonly string[] = ['pgaudit', 'pg_stat_statements', 'auto_explain', 'pg_failover_slots'];

/** Managed by CloudNativePG and shipped in its images, but not in the package the tables come from: not checked. */
const UNVERIFIED_CLASSES = ['pgaudit', 'pg_failover_slots'];

/**
 * Modules whose settings take effect without shared_preload_libraries: they are loaded on demand (by a function
 * call, an extension, `archive_library`) and then read the value from postgresql.conf.
 */
const LOADED_ON_DEMAND = ['plpgsql', 'pltcl', 'pg_trgm', 'postgres_fdw', 'pgcrypto', 'isn', 'basic_archive'];

/**
 * Settings pg_settings does not show (GUC_NO_SHOW_ALL), with what a real server does with them in postgresql.conf
 * (proven in test/pg-settings-real.test.ts).
 */
const HIDDEN: Record<string, { message: string; fix: string } | null> = {
  role: {
    message: 'cannot be set in postgresql.conf: PostgreSQL rejects it at startup',
    fix: 'use ALTER ROLE ... SET or SET ROLE in the session',
  },
  session_authorization: {
    message: 'cannot be set in postgresql.conf: PostgreSQL rejects it at startup',
    fix: 'use SET SESSION AUTHORIZATION in the session',
  },
  is_superuser: {
    message: 'is a read-only setting: PostgreSQL reports whether the current user is a superuser',
    fix: 'remove it',
  },
  seed: null,
};

/**
 * Check hooks of single settings that reject values inside pg_settings' min..max (n in the setting's unit).
 * Others are not modelled; see the file comment.
 */
const CHECK_HOOKS: Record<string, (n: number) => { message: string; fix: string } | undefined> = {
  // check_vacuum_buffer_usage_limit: 0 disables the ring; otherwise MIN_BAS_VAC_RING_SIZE_KB .. MAX_BAS_VAC_RING_SIZE_KB
  vacuum_buffer_usage_limit: (n) =>
    n === 0 || (n >= 128 && n <= 16777216)
      ? undefined
      : { message: 'vacuum_buffer_usage_limit must be 0 or between 128kB and 16GB', fix: 'use 0 or a value from 128kB to 16GB' },
};

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

/** How a parameter name is understood. */
export type ParameterKind =
  /** a core setting of this major */
  | 'core'
  /** a setting of a contrib module in the table */
  | 'extension'
  /** a `<class>.<name>` setting the table cannot check (pgaudit, pg_failover_slots, unknown loaded libraries) */
  | 'unverified'
  /** a `<class>.<name>` custom variable PostgreSQL accepts as a placeholder */
  | 'placeholder'
  /** a setting pg_settings does not show (role, session_authorization, is_superuser, seed) */
  | 'hidden'
  /** not a setting of this major */
  | 'unknown'
  /** not a name postgresql.conf can hold */
  | 'invalid-name';

/** The settings of one PostgreSQL major version. */
export class PostgresSettings {
  /** The majors with a table. */
  public static readonly supportedMajors: readonly number[] = Object.keys(TABLES).map(Number);

  private static readonly cache = new Map<number, PostgresSettings>();

  /** The table of `major` (16, 17, 18). Throws for other majors. */
  public static forMajor(major: number): PostgresSettings {
    const cached = PostgresSettings.cache.get(major);
    if (cached) return cached;
    const load = TABLES[major];
    if (!load) {
      throw new Error(
        `PostgreSQL ${major} is not supported: the supported majors are ${PostgresSettings.supportedMajors.join(', ')}`,
      );
    }
    const s = new PostgresSettings(major, load());
    PostgresSettings.cache.set(major, s);
    return s;
  }

  public readonly header: PostgresSettingsHeader;
  private readonly byName = new Map<string, PostgresSetting>();
  /** class → library, for the classes of the table's extension settings */
  private readonly classes = new Map<string, string>();

  private constructor(public readonly major: number, file: SettingsFile) {
    this.header = file.header;
    for (const s of file.settings) {
      this.byName.set(s.name.toLowerCase(), s); // DateStyle, IntervalStyle, TimeZone: names are case-insensitive
      if (s.extension) this.classes.set(s.name.slice(0, s.name.indexOf('.')), s.extension);
    }
  }

  /** server_version of the generating server, e.g. `18.4`. */
  public get version(): string {
    return this.header.postgres;
  }

  /** The setting called `name` (case-insensitive, as in PostgreSQL), or undefined. */
  public get(name: string): PostgresSetting | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** All setting names as pg_settings spells them, sorted. */
  public names(): string[] {
    return [...this.byName.values()].map((s) => s.name);
  }

  /** All settings, sorted by name. */
  public all(): PostgresSetting[] {
    return [...this.byName.values()];
  }

  /** Whether changing `name` needs a restart (context postmaster); false for reloadable and unknown names. */
  public restartRequired(name: string): boolean {
    return this.get(name)?.context === 'postmaster';
  }

  /** How `name` is understood (see `ParameterKind`). */
  public classify(name: string, loadedExtensions: readonly string[] = []): ParameterKind {
    if (!validConfName(name)) return 'invalid-name';
    const s = this.get(name);
    if (s) return s.extension ? 'extension' : 'core';
    const lower = name.toLowerCase();
    if (lower in HIDDEN) return 'hidden';
    const dot = lower.indexOf('.');
    if (dot < 0) return 'unknown';
    const cls = lower.slice(0, dot);
    if (this.classes.has(cls)) return 'unknown';
    if (UNVERIFIED_CLASSES.includes(cls) || libraryNames(loadedExtensions).includes(cls)) return 'unverified';
    return 'placeholder';
  }

  /**
   * Names close to `name` (edit distance, transpositions counting one), closest first: the typo suggestions.
   */
  public suggest(name: string, max = 3): string[] {
    const lower = name.toLowerCase();
    const limit = lower.length <= 4 ? 1 : lower.length <= 12 ? 2 : 3;
    const scored: Array<[string, number]> = [];
    for (const candidate of this.byName.keys()) {
      const d = editDistance(lower, candidate, limit);
      if (d <= limit) scored.push([candidate, d]);
    }
    scored.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    return scored.slice(0, max).map(([n]) => n);
  }

  /**
   * The value as PostgreSQL stores it: integers and reals in the setting's unit (pg_settings.setting), booleans as
   * true/false, enums as the lower-cased value, strings as given. Errors use PostgreSQL's rules (no range check here).
   */
  public parse(name: string, value: string): { ok: true; value: number | boolean | string } | { ok: false; message: string; fix?: string } {
    const s = this.get(name);
    if (!s) return { ok: false, message: `unrecognized parameter in PostgreSQL ${this.major}` };
    return parseSettingValue(s, value);
  }

  /**
   * Checks one entry of `postgresql.parameters` as PostgreSQL would when reading postgresql.conf.
   *
   * @param loadedExtensions the libraries in shared_preload_libraries (names like `pg_stat_statements`; a
   *   `$libdir/` prefix or `.so` suffix is ignored). CloudNativePG's managed modules always count as loaded.
   * @param field the field to report, default `postgresql.parameters.<name>`.
   */
  public checkParameter(name: string, value: string, loadedExtensions: readonly string[] = [], field?: string): Problem[] {
    const at = field ?? `postgresql.parameters.${name}`;
    const problem = (message: string, fix?: string): Problem[] => [{ field: at, message, value, ...(fix ? { fix } : {}) }];

    if (!validConfName(name)) {
      return problem(
        `${JSON.stringify(name)} is not a valid parameter name: postgresql.conf takes a letter or underscore followed by ` +
          'letters, digits and underscores, with at most one dot (class.name)',
        this.suggestFix(name) ?? 'check the spelling of the name',
      );
    }
    if (/[\n\0]/.test(value)) {
      return problem('the value contains a line break or NUL, which postgresql.conf cannot hold', 'put the value on one line');
    }

    const lower = name.toLowerCase();
    const s = this.get(lower);
    if (!s) return this.checkUnknownName(name, loadedExtensions, problem);

    if (s.context === 'internal') {
      return problem(
        `${s.name} is a read-only setting (context internal): it is fixed when PostgreSQL is built or the cluster is initialised`,
        'remove it',
      );
    }
    if (s.extension && !this.extensionLoaded(s.extension, loadedExtensions)) {
      return problem(
        `${s.name} is a setting of ${s.extension}, which is not loaded: PostgreSQL keeps it as a placeholder that nothing reads`,
        `add ${s.extension} to shared_preload_libraries, or remove the parameter`,
      );
    }
    const parsed = parseSettingValue(s, value);
    if (!parsed.ok) return problem(parsed.message, parsed.fix);
    if (typeof parsed.value === 'number') {
      const range = rangeProblem(s, value, parsed.value) ?? CHECK_HOOKS[s.name.toLowerCase()]?.(parsed.value);
      if (range) return problem(range.message, range.fix);
    }
    return [];
  }

  private checkUnknownName(
    name: string,
    loadedExtensions: readonly string[],
    problem: (message: string, fix?: string) => Problem[],
  ): Problem[] {
    const lower = name.toLowerCase();
    if (lower in HIDDEN) {
      const h = HIDDEN[lower];
      return h ? problem(`${lower} ${h.message}`, h.fix) : [];
    }
    const dot = lower.indexOf('.');
    if (dot < 0) {
      return problem(`unrecognized parameter in PostgreSQL ${this.major}${this.otherMajors(lower)}`, this.suggestFix(lower));
    }
    const cls = lower.slice(0, dot);
    const library = this.classes.get(cls);
    if (library) {
      // The module reserves its prefix (MarkGUCPrefixReserved): PostgreSQL warns and drops unknown names under it.
      return problem(
        `unrecognized parameter of ${library} in PostgreSQL ${this.major}${this.otherMajors(lower)}: ` +
          'PostgreSQL drops it with a warning when the module loads',
        this.suggestFix(lower) ?? `see the documentation of ${library} for its parameters`,
      );
    }
    if (UNVERIFIED_CLASSES.includes(cls) || libraryNames(loadedExtensions).includes(cls)) return [];
    // An unknown class: PostgreSQL accepts any class.name as a custom variable. Report only likely typos.
    const classTypo = [...new Set([...this.classes.keys(), ...UNVERIFIED_CLASSES])].find(
      (known) => editDistance(cls, known, 2) <= (cls.length <= 4 ? 1 : 2),
    );
    const nameTypos = this.suggest(lower).filter((n) => n.includes('.'));
    if (classTypo || nameTypos.length) {
      const guess = nameTypos[0] ?? `${classTypo}.${lower.slice(dot + 1)}`;
      return problem(
        `unrecognized parameter: ${cls} is not a known module (PostgreSQL would keep ${lower} as a custom variable ` +
          'that nothing reads)',
        `did you mean ${guess}?`,
      );
    }
    return [];
  }

  private suggestFix(name: string): string | undefined {
    const s = this.suggest(name);
    return s.length ? `did you mean ${s.join(' or ')}?` : undefined;
  }

  /** `: it exists in PostgreSQL 16 only` when another major knows the name. */
  private otherMajors(name: string): string {
    const others = PostgresSettings.supportedMajors.filter(
      (m) => m !== this.major && PostgresSettings.forMajor(m).get(name) !== undefined,
    );
    if (!others.length) return '';
    return ` (it exists in PostgreSQL ${others.join(' and ')}${others.length === 1 ? ' only' : ''})`;
  }

  private extensionLoaded(library: string, loadedExtensions: readonly string[]): boolean {
    return (
      CNPG_MANAGED_EXTENSIONS.includes(library) ||
      LOADED_ON_DEMAND.includes(library) ||
      libraryNames(loadedExtensions).includes(library)
    );
  }
}

/** `$libdir/pg_stat_statements.so` → `pg_stat_statements`. */
function libraryNames(libs: readonly string[]): string[] {
  return libs.map((l) => l.trim().replace(/^\$libdir\//, '').replace(/\.so$/, '').toLowerCase());
}

/**
 * Whether postgresql.conf can hold `name` (guc-file.l: ID = LETTER LETTER_OR_DIGIT*, QUALIFIED_ID = ID "." ID, where
 * letters include `_` and every non-ASCII byte).
 */
export function validConfName(name: string): boolean {
  return /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*(\.[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?$/.test(name);
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL's value parsing (guc.c, bool.c), kept close to the C code.

/** C isspace() in the C locale. */
function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/** pg_strncasecmp(a, b, n) === 0 for ASCII. */
function strncaseeq(a: string, b: string, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const ca = i < a.length ? a[i].toLowerCase() : '\0';
    const cb = i < b.length ? b[i].toLowerCase() : '\0';
    if (ca !== cb) return false;
    if (ca === '\0') return true;
  }
  return true;
}

/** parse_bool (bool.c): on/off/true/false/yes/no/1/0 and unique prefixes, case-insensitive. */
export function parseBool(value: string): boolean | undefined {
  const len = value.length;
  switch (value[0]) {
    case 't':
    case 'T':
      return strncaseeq(value, 'true', len) ? true : undefined;
    case 'f':
    case 'F':
      return strncaseeq(value, 'false', len) ? false : undefined;
    case 'y':
    case 'Y':
      return strncaseeq(value, 'yes', len) ? true : undefined;
    case 'n':
    case 'N':
      return strncaseeq(value, 'no', len) ? false : undefined;
    case 'o':
    case 'O':
      // 'o' alone is not unique enough
      if (strncaseeq(value, 'on', len > 2 ? len : 2)) return true;
      if (strncaseeq(value, 'off', len > 2 ? len : 2)) return false;
      return undefined;
    case '1':
      return len === 1 ? true : undefined;
    case '0':
      return len === 1 ? false : undefined;
    default:
      return undefined;
  }
}

interface Conversion {
  value: number;
  /** index after the number; 0 when nothing was converted (endptr == value) */
  end: number;
  erange: boolean;
}

function digitValue(c: string | undefined): number {
  if (c === undefined) return 99;
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 87;
  if (code >= 65 && code <= 90) return code - 55;
  return 99;
}

/** glibc strtol(s, &end, 0) on a 64-bit long. */
export function strtol0(s: string): Conversion {
  let i = 0;
  while (isSpace(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  let base = 10;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && digitValue(s[i + 2]) < 16) {
    base = 16;
    i += 2;
  } else if (s[i] === '0') {
    base = 8;
  }
  const start = i;
  let v = 0n;
  const b = BigInt(base);
  while (digitValue(s[i]) < base) {
    v = v * b + BigInt(digitValue(s[i]));
    i++;
  }
  if (i === start) return { value: 0, end: 0, erange: false };
  if (neg) v = -v;
  const max = 2n ** 63n - 1n;
  const min = -(2n ** 63n);
  if (v > max) return { value: Number(max), end: i, erange: true };
  if (v < min) return { value: Number(min), end: i, erange: true };
  return { value: Number(v), end: i, erange: false };
}

const DBL_MIN = 2.2250738585072014e-308;

/** glibc strtod(s, &end): decimal and hexadecimal floats, inf, infinity, nan; ERANGE on overflow and underflow. */
export function strtod(s: string): Conversion {
  let i = 0;
  while (isSpace(s[i])) i++;
  const signAt = i;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  const rest = s.slice(i, i + 8).toLowerCase();
  if (rest.startsWith('infinity')) return { value: neg ? -Infinity : Infinity, end: i + 8, erange: false };
  if (rest.startsWith('inf')) return { value: neg ? -Infinity : Infinity, end: i + 3, erange: false };
  if (rest.startsWith('nan')) {
    let end = i + 3;
    const m = /^\([A-Za-z0-9_]*\)/.exec(s.slice(end));
    if (m) end += m[0].length;
    return { value: NaN, end, erange: false };
  }
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    const hex = strtodHex(s, i + 2, neg);
    if (hex) return hex;
    // "0x" without hex digits: the "0" is the number
    return { value: neg ? -0 : 0, end: i + 1, erange: false };
  }
  let j = i;
  let digits = 0;
  let nonzero = false;
  while (digitValue(s[j]) < 10) {
    if (s[j] !== '0') nonzero = true;
    j++;
    digits++;
  }
  if (s[j] === '.') {
    j++;
    while (digitValue(s[j]) < 10) {
      if (s[j] !== '0') nonzero = true;
      j++;
      digits++;
    }
  }
  if (digits === 0) return { value: 0, end: 0, erange: false };
  if (s[j] === 'e' || s[j] === 'E') {
    let k = j + 1;
    if (s[k] === '+' || s[k] === '-') k++;
    if (digitValue(s[k]) < 10) {
      while (digitValue(s[k]) < 10) k++;
      j = k;
    }
  }
  const value = Number(s.slice(signAt, j).replace(/^\+/, '').replace(/\.(?=[eE]|$)/, ''));
  return { value, end: j, erange: rangeError(value, nonzero) };
}

function strtodHex(s: string, from: number, neg: boolean): Conversion | undefined {
  let j = from;
  let mant = 0n;
  let digits = 0;
  let fracDigits = 0;
  while (digitValue(s[j]) < 16) {
    mant = mant * 16n + BigInt(digitValue(s[j]));
    j++;
    digits++;
  }
  if (s[j] === '.') {
    j++;
    while (digitValue(s[j]) < 16) {
      mant = mant * 16n + BigInt(digitValue(s[j]));
      j++;
      digits++;
      fracDigits++;
    }
  }
  if (digits === 0) return undefined;
  let exp = 0;
  if (s[j] === 'p' || s[j] === 'P') {
    let k = j + 1;
    let eneg = false;
    if (s[k] === '+' || s[k] === '-') {
      eneg = s[k] === '-';
      k++;
    }
    if (digitValue(s[k]) < 10) {
      let e = 0;
      while (digitValue(s[k]) < 10) {
        e = Math.min(e * 10 + digitValue(s[k]), 100000);
        k++;
      }
      exp = eneg ? -e : e;
      j = k;
    }
  }
  const e2 = exp - 4 * fracDigits;
  const half = Math.trunc(e2 / 2);
  let value = Number(mant) * Math.pow(2, half) * Math.pow(2, e2 - half);
  if (neg) value = -value;
  return { value, end: j, erange: rangeError(value, mant !== 0n) };
}

function rangeError(value: number, nonzero: boolean): boolean {
  if (!Number.isFinite(value)) return true;
  return nonzero && Math.abs(value) < DBL_MIN;
}

/** C rint(): round half to even. */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}

type UnitTable = Array<[unit: string, multiplier: number]>;

const MEMORY_UNITS = ['TB', 'GB', 'MB', 'kB', 'B'];
const TIME_UNITS = ['d', 'h', 'min', 's', 'ms', 'us'];
const BYTES: Record<string, number> = { TB: 1024 ** 4, GB: 1024 ** 3, MB: 1024 ** 2, kB: 1024, B: 1 };

/** memory_unit_conversion_table / time_unit_conversion_table of guc.c, for one base unit (a pg_settings unit). */
function unitTable(baseUnit: string): { kind: 'memory' | 'time'; table: UnitTable } | undefined {
  switch (baseUnit) {
    case 'ms':
      return {
        kind: 'time',
        table: [['d', 1000 * 60 * 60 * 24], ['h', 1000 * 60 * 60], ['min', 1000 * 60], ['s', 1000], ['ms', 1], ['us', 1.0 / 1000]],
      };
    case 's':
      return {
        kind: 'time',
        table: [['d', 60 * 60 * 24], ['h', 60 * 60], ['min', 60], ['s', 1], ['ms', 1.0 / 1000], ['us', 1.0 / (1000 * 1000)]],
      };
    case 'min':
      return {
        kind: 'time',
        table: [['d', 60 * 24], ['h', 60], ['min', 1], ['s', 1.0 / 60], ['ms', 1.0 / (1000 * 60)], ['us', 1.0 / (1000 * 1000 * 60)]],
      };
  }
  const m = /^(\d*)(B|kB|MB)$/.exec(baseUnit);
  if (!m) return undefined;
  const baseBytes = (m[1] ? Number(m[1]) : 1) * BYTES[m[2]];
  return { kind: 'memory', table: MEMORY_UNITS.map((u) => [u, BYTES[u] / baseBytes]) };
}

/** convert_to_base_unit: a unit of at most 3 characters, optional trailing whitespace, next-smaller-unit rounding. */
export function convertToBaseUnit(value: number, unit: string, baseUnit: string): number | undefined {
  const t = unitTable(baseUnit);
  if (!t) return undefined;
  let i = 0;
  let unitstr = '';
  while (i < unit.length && !isSpace(unit[i]) && unitstr.length < 3) unitstr += unit[i++];
  while (isSpace(unit[i])) i++;
  if (i < unit.length) return undefined;
  for (let k = 0; k < t.table.length; k++) {
    const [name, multiplier] = t.table[k];
    if (name !== unitstr) continue;
    let cvalue = value * multiplier;
    const next = t.table[k + 1];
    if (next) cvalue = rint(cvalue / next[1]) * next[1];
    return cvalue;
  }
  return undefined;
}

type Parsed = { ok: true; value: number } | { ok: false; reason: 'syntax' | 'unit' | 'no-unit' | 'int-range' };

/** parse_int: integers (decimal, 0x hex, 0 octal) or fractions/exponents via strtod, an optional unit, then rint. */
export function parseIntValue(value: string, baseUnit?: string): Parsed {
  let r = strtol0(value);
  const c = value[r.end];
  if (c === '.' || c === 'e' || c === 'E' || r.erange) r = strtod(value);
  if (r.end === 0 || r.erange || Number.isNaN(r.value)) return { ok: false, reason: 'syntax' };
  const withUnit = applyUnit(r.value, value, r.end, baseUnit);
  if (!withUnit.ok) return withUnit;
  const val = rint(withUnit.value);
  if (val > INT_MAX || val < INT_MIN) return { ok: false, reason: 'int-range' };
  return { ok: true, value: val === 0 ? 0 : val };
}

/** parse_real: strtod, an optional unit (no rounding to an integer). */
export function parseRealValue(value: string, baseUnit?: string): Parsed {
  const r = strtod(value);
  if (r.end === 0 || r.erange || Number.isNaN(r.value)) return { ok: false, reason: 'syntax' };
  return applyUnit(r.value, value, r.end, baseUnit);
}

/** The unit after the number (after white space), converted to the setting's base unit, as guc.c does. */
function applyUnit(number: number, value: string, numberEnd: number, baseUnit: string | undefined): Parsed {
  let end = numberEnd;
  while (isSpace(value[end])) end++;
  if (end >= value.length) return { ok: true, value: number };
  if (!baseUnit) return { ok: false, reason: 'no-unit' };
  const converted = convertToBaseUnit(number, value.slice(end), baseUnit);
  return converted === undefined ? { ok: false, reason: 'unit' } : { ok: true, value: converted };
}

/** Common unit mistakes → the unit PostgreSQL wants. */
const UNIT_SYNONYMS: Record<string, string> = {
  b: 'B', byte: 'B', bytes: 'B',
  k: 'kB', kb: 'kB', kib: 'kB',
  m: 'MB', mb: 'MB', mib: 'MB',
  g: 'GB', gb: 'GB', gib: 'GB',
  t: 'TB', tb: 'TB', tib: 'TB',
  sec: 's', secs: 's', second: 's', seconds: 's',
  mins: 'min', minute: 'min', minutes: 'min',
  hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  day: 'd', days: 'd',
  msec: 'ms', msecs: 'ms', millisecond: 'ms', milliseconds: 'ms',
  usec: 'us', usecs: 'us', microsecond: 'us', microseconds: 'us',
};

function unitFix(value: string, kind: 'memory' | 'time', example: string): string {
  const m = /^(\s*[-+]?[0-9.xXa-fA-F]*?[0-9.]+)\s*([A-Za-z]+)\s*$/.exec(value);
  if (m) {
    const given = m[2];
    const valid = kind === 'memory' ? MEMORY_UNITS : TIME_UNITS;
    const exact = valid.find((u) => u.toLowerCase() === given.toLowerCase());
    let wanted = exact ?? UNIT_SYNONYMS[given.toLowerCase()];
    if (kind === 'time' && given === 'm') wanted = 'min';
    if (wanted && valid.includes(wanted)) return `write ${m[1].trim()}${wanted} (units are case-sensitive)`;
  }
  return `use a number with one of these units, e.g. ${example}`;
}

function parseSettingValue(
  s: PostgresSetting,
  value: string,
): { ok: true; value: number | boolean | string } | { ok: false; message: string; fix?: string } {
  switch (s.vartype) {
    case 'bool': {
      const b = parseBool(value);
      if (b === undefined) {
        return {
          ok: false,
          message: `${s.name} requires a Boolean value: on, off, true, false, yes, no, 1 or 0`,
          fix: 'use on or off',
        };
      }
      return { ok: true, value: b };
    }
    case 'integer':
    case 'real': {
      const parsed = s.vartype === 'integer' ? parseIntValue(value, s.unit) : parseRealValue(value, s.unit);
      if (parsed.ok) return parsed;
      return { ok: false, ...numberProblem(s, value, parsed.reason) };
    }
    case 'enum': {
      const lower = value.toLowerCase();
      const all = [...(s.enumvals ?? []), ...(s.enumAliases ?? []), ...(s.buildEnumvals ?? [])];
      const match = all.find((v) => v.toLowerCase() === lower);
      if (match !== undefined) return { ok: true, value: match.toLowerCase() };
      const listed = [...(s.enumvals ?? []), ...(s.buildEnumvals ?? [])];
      const close = listed.filter((v) => editDistance(lower, v.toLowerCase(), 2) <= 2);
      return {
        ok: false,
        message: `${JSON.stringify(value)} is not a valid value for ${s.name}: valid values are ${listed.join(', ')}`,
        fix: close.length ? `did you mean ${close.join(' or ')}?` : `use one of ${listed.join(', ')}`,
      };
    }
    default:
      return { ok: true, value };
  }
}

function numberProblem(s: PostgresSetting, value: string, reason: string): { message: string; fix?: string } {
  const kind = s.unit ? unitTable(s.unit)?.kind : undefined;
  const what = kind === 'memory' ? 'memory size' : kind === 'time' ? 'time' : s.vartype === 'integer' ? 'integer' : 'number';
  const units = kind === 'memory' ? MEMORY_UNITS.slice().reverse() : kind === 'time' ? TIME_UNITS.slice().reverse() : [];
  const example = kind === 'memory' ? '512MB' : kind === 'time' ? (s.unit === 'min' ? '5min' : '30s') : '';
  const range = s.min !== undefined && s.max !== undefined ? ` from ${human(s, s.min)} to ${human(s, s.max)}` : '';
  switch (reason) {
    case 'unit':
      return {
        message: `${value} is not a valid ${what}: valid units are ${units.join(', ')}`,
        fix: unitFix(value, kind!, example),
      };
    case 'no-unit':
      return {
        message: `${value} is not a valid ${what}: ${s.name} takes a plain number, without a unit`,
        fix: `use a number${range}`,
      };
    case 'int-range':
      return {
        message: `${value} exceeds the integer range (${INT_MIN} .. ${INT_MAX}${s.unit ? ` ${s.unit}` : ''})`,
        fix: `use a value${range}`,
      };
    default:
      return {
        message: `${JSON.stringify(value)} is not a valid ${what}`,
        fix: units.length
          ? `use a number with an optional unit (${units.join(', ')}), e.g. ${example}`
          : `use a number${range}`,
      };
  }
}

function rangeProblem(s: PostgresSetting, value: string, n: number): { message: string; fix: string } | undefined {
  if (s.min === undefined || s.max === undefined) return undefined;
  if (n >= s.min && n <= s.max) return undefined;
  const shown = Number.isFinite(n) ? human(s, n) : String(n).toLowerCase();
  const converted = shown.replace(/\s/g, '') === value.trim().replace(/\s/g, '') ? '' : ` (= ${shown})`;
  return {
    message: `${value}${converted} is ${n < s.min ? 'below the minimum' : 'above the maximum'} of ${s.name}: the valid range is ${human(s, s.min)} .. ${human(s, s.max)}`,
    fix: `use a value from ${human(s, s.min)} to ${human(s, s.max)}`,
  };
}

/** A value in the setting's unit, written with the largest unit that holds it exactly (as postgresql.conf takes it). */
function human(s: PostgresSetting, n: number): string {
  if (!s.unit || n === 0) return String(n);
  const t = unitTable(s.unit);
  if (t && n > 0 && Number.isInteger(n)) {
    for (const [unit, multiplier] of t.table) {
      const q = n / multiplier;
      if (Number.isInteger(q) && q >= 1) return `${q}${unit}`;
    }
  }
  return /^\d/.test(s.unit) ? `${n} × ${s.unit}` : `${n}${s.unit}`;
}

/** Optimal string alignment distance (Damerau–Levenshtein without reuse), giving up above `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push(new Array<number>(b.length + 1).fill(0));
    rows[i][0] = i;
  }
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    let best = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
      if (d < best) best = d;
    }
    if (best > limit) return limit + 1;
  }
  return rows[a.length][b.length];
}
