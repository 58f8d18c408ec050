/**
 * Client authentication: defaults, and a `pg_hba.conf` line parser that follows PostgreSQL's `hba.c`
 * (`next_token`, `parse_hba_line`, `parse_hba_auth_opt`), so a bad line fails at synth instead of being skipped by
 * PostgreSQL at runtime (PostgreSQL ignores a line it cannot parse and logs it; CloudNativePG does not check the
 * syntax at all, only `${podselector:…}` references).
 *
 * What CloudNativePG does around the user's lines (`pkg/postgres/configuration.go` `hbaTemplateString`): its fixed
 * rules come first, then the user's `pg_hba` lines (with `${podselector:NAME}` expanded to pod IPs), then the LDAP
 * block, then `host all all all scram-sha-256`:
 *
 * ```
 * local all cnpg_metrics_exporter peer map=cnpg_metrics_exporter
 * local all all peer map=local
 * hostssl postgres streaming_replica all cert map=cnpg_streaming_replica
 * hostssl replication streaming_replica all cert map=cnpg_streaming_replica
 * hostssl all cnpg_pooler_pgbouncer all cert map=cnpg_pooler_pgbouncer
 * ```
 */
import { Problem } from '../core/problems';

/**
 * The operator puts its own fixed rules first and appends `host all all all scram-sha-256` after the user's lines,
 * so a TLS-only cluster needs an explicit `hostnossl … reject` rule: without it, that trailing rule would accept
 * passwords over plain TCP.
 */
export const TLS_ONLY_PG_HBA: readonly string[] = [
  'hostssl all all all scram-sha-256',
  'hostnossl all all all reject',
];

/** CloudNativePG's fixed rules, which come before the user's lines and cannot be changed. */
export const CNPG_FIXED_PG_HBA: readonly string[] = [
  'local all cnpg_metrics_exporter peer map=cnpg_metrics_exporter',
  'local all all peer map=local',
  'hostssl postgres streaming_replica all cert map=cnpg_streaming_replica',
  'hostssl replication streaming_replica all cert map=cnpg_streaming_replica',
  'hostssl all cnpg_pooler_pgbouncer all cert map=cnpg_pooler_pgbouncer',
];

/** The authentication method of a `pg_hba` line, or undefined for lines it cannot find one in. */
export function hbaMethod(line: string): string | undefined {
  const parsed = parseHbaLine(line);
  if (parsed.kind === 'rule') return parsed.rule.method;
  const fields = line.trim().split(/\s+/);
  const type = fields[0];
  // local DATABASE USER METHOD; host* DATABASE USER ADDRESS [MASK] METHOD
  const methodIndex = type === 'local' ? 3 : /^\d+\.\d+\.\d+\.\d+$/.test(fields[4] ?? '') && !fields[3]?.includes('/') ? 5 : 4;
  return fields[methodIndex];
}

/** One token of a pg_hba field (`next_token`): quoted tokens are never keywords. */
export interface HbaToken {
  readonly value: string;
  readonly quoted: boolean;
}

/** The connection types of pg_hba.conf. */
export type HbaConnectionType = 'local' | 'host' | 'hostssl' | 'hostnossl' | 'hostgssenc' | 'hostnogssenc';

/** A parsed pg_hba line. */
export interface HbaRule {
  readonly type: HbaConnectionType;
  readonly databases: readonly HbaToken[];
  readonly users: readonly HbaToken[];
  /** `all`, `samehost`, `samenet`, `10.0.0.0/8`, `10.0.0.0 255.0.0.0`, `.example.com`; undefined for local. */
  readonly address?: string;
  /** What the address is. */
  readonly addressKind?: 'all' | 'samehost' | 'samenet' | 'ip' | 'hostname';
  readonly method: string;
  readonly options: Readonly<Record<string, string>>;
  /** Things PostgreSQL accepts when it loads the file but that cannot be what was meant (reported as warnings). */
  readonly lint: readonly string[];
}

/** The result of parsing one line. */
export type HbaParseResult =
  | { readonly kind: 'empty' }
  | { readonly kind: 'rule'; readonly rule: HbaRule }
  | { readonly kind: 'error'; readonly message: string };

/** Options of `parseHbaLine`. */
export interface HbaParseOptions {
  /**
   * The PostgreSQL major version (methods and options differ: `oauth` is new in 18).
   * @default 18
   */
  readonly major?: number;
  /**
   * Whether `oauth_validator_libraries` is set (PostgreSQL 18 rejects `oauth` lines without it).
   * @default - unknown: not checked
   */
  readonly oauthValidatorLibraries?: boolean;
}

const CONNECTION_TYPES: readonly string[] = ['local', 'host', 'hostssl', 'hostnossl', 'hostgssenc', 'hostnogssenc'];

/** Methods of CloudNativePG's (Linux) images. `sspi` (Windows) and `bsd` (OpenBSD) are not built in. */
const METHODS: readonly string[] = ['trust', 'reject', 'md5', 'password', 'scram-sha-256', 'gss', 'ident', 'peer', 'ldap', 'radius', 'cert', 'pam'];
const NOT_BUILT = ['sspi', 'bsd'];

/** Options per method (`parse_hba_auth_opt`); `clientcert` and `clientname` apply to every hostssl line. */
const OPTIONS: Record<string, readonly string[]> = {
  map: ['ident', 'peer', 'gss', 'sspi', 'cert', 'oauth'],
  pamservice: ['pam'],
  pam_use_hostname: ['pam'],
  ldapurl: ['ldap'],
  ldaptls: ['ldap'],
  ldapscheme: ['ldap'],
  ldapserver: ['ldap'],
  ldapport: ['ldap'],
  ldapbinddn: ['ldap'],
  ldapbindpasswd: ['ldap'],
  ldapsearchattribute: ['ldap'],
  ldapsearchfilter: ['ldap'],
  ldapbasedn: ['ldap'],
  ldapprefix: ['ldap'],
  ldapsuffix: ['ldap'],
  krb_realm: ['gss', 'sspi'],
  include_realm: ['gss', 'sspi'],
  compat_realm: ['sspi'],
  upn_username: ['sspi'],
  radiusservers: ['radius'],
  radiussecrets: ['radius'],
  radiusidentifiers: ['radius'],
  radiusports: ['radius'],
  issuer: ['oauth'],
  scope: ['oauth'],
  validator: ['oauth'],
  delegate_ident_mapping: ['oauth'],
};

/**
 * Splits a line into fields of comma-separated tokens like `next_token`: white space separates fields, commas
 * separate the values of a field, double quotes protect white space, commas and `#` (`""` is a literal quote),
 * `#` outside quotes starts a comment.
 */
export function tokenizeHbaLine(line: string): HbaToken[][] | { error: string } {
  const fields: HbaToken[][] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  while (i < n) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n || line[i] === '#') break;
    // one field: tokens separated by commas without white space around them
    const field: HbaToken[] = [];
    for (;;) {
      let value = '';
      let quoted = false;
      let inQuote = false;
      while (i < n) {
        const c = line[i];
        if (inQuote) {
          if (c === '"') {
            if (line[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            inQuote = false;
            i++;
            continue;
          }
          value += c;
          i++;
          continue;
        }
        if (c === '"') {
          inQuote = true;
          quoted = true;
          i++;
          continue;
        }
        if (isSpace(c) || c === ',' || c === '#') break;
        value += c;
        i++;
      }
      if (inQuote) return { error: 'unterminated quoted string' };
      field.push({ value, quoted });
      if (i < n && line[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    fields.push(field);
  }
  return fields;
}

/** An unquoted keyword. */
function isKeyword(t: HbaToken, keyword: string): boolean {
  return !t.quoted && t.value === keyword;
}

/**
 * Parses one pg_hba line as PostgreSQL would (`parse_hba_line`). Messages follow PostgreSQL's where it has one.
 */
export function parseHbaLine(line: string, options: HbaParseOptions = {}): HbaParseResult {
  const major = options.major ?? 18;
  if (/[\r\n]/.test(line)) return { kind: 'error', message: 'a pg_hba entry must be a single line' };
  const tokenized = tokenizeHbaLine(line);
  if ('error' in tokenized) return { kind: 'error', message: tokenized.error };
  const fields = tokenized;
  if (fields.length === 0) return { kind: 'empty' };
  const err = (message: string): HbaParseResult => ({ kind: 'error', message });

  // connection type
  const typeField = fields[0];
  if (typeField.length > 1) return err('multiple values specified for connection type');
  const typeToken = typeField[0];
  if (['include', 'include_if_exists', 'include_dir'].includes(typeToken.value)) {
    return err(`"${typeToken.value}" includes files the operator does not provide: CloudNativePG writes pg_hba.conf itself`);
  }
  if (!CONNECTION_TYPES.includes(typeToken.value)) return err(`invalid connection type "${typeToken.value}"`);
  const type = typeToken.value as HbaConnectionType;

  // database
  let f = 1;
  if (f >= fields.length) return err('end-of-line before database specification');
  const lint: string[] = [];
  const databases = fields[f++];
  const listProblem = checkTokenList(databases, 'database', lint);
  if (listProblem) return err(listProblem);

  // role
  if (f >= fields.length) return err('end-of-line before role specification');
  const users = fields[f++];
  const userProblem = checkTokenList(users, 'role', lint);
  if (userProblem) return err(userProblem);

  // address
  let address: string | undefined;
  let addressKind: HbaRule['addressKind'];
  if (type !== 'local') {
    if (f >= fields.length) return err('end-of-line before IP address specification');
    const addrField = fields[f++];
    if (addrField.length > 1) return err('multiple values specified for host address');
    const tok = addrField[0];
    if (isKeyword(tok, 'all') || isKeyword(tok, 'samehost') || isKeyword(tok, 'samenet')) {
      address = tok.value;
      addressKind = tok.value as 'all' | 'samehost' | 'samenet';
    } else {
      const slash = tok.value.indexOf('/');
      const host = slash >= 0 ? tok.value.slice(0, slash) : tok.value;
      const family = numericHostFamily(host);
      if (family === undefined) {
        if (slash >= 0) return err(`specifying both host name and CIDR mask is invalid: "${tok.value}"`);
        if (host === '') return err('invalid IP address ""');
        address = tok.value;
        addressKind = 'hostname';
      } else if (slash >= 0) {
        const bits = tok.value.slice(slash + 1);
        const max = family === 4 ? 32 : 128;
        if (!/^\d+$/.test(bits) || Number(bits) > max) return err(`invalid CIDR mask in address "${tok.value}"`);
        address = tok.value;
        addressKind = 'ip';
      } else {
        // an IP address without a mask: the next field is the netmask
        if (f >= fields.length) return err('end-of-line before netmask specification');
        const maskField = fields[f++];
        if (maskField.length > 1) return err('multiple values specified for netmask');
        const maskFamily = numericHostFamily(maskField[0].value);
        if (maskFamily === undefined) return err(`invalid IP mask "${maskField[0].value}": Name or service not known`);
        if (maskFamily !== family) return err('IP address and mask do not match');
        address = `${tok.value} ${maskField[0].value}`;
        addressKind = 'ip';
      }
    }
  }

  // method
  if (f >= fields.length) return err('end-of-line before authentication method');
  const methodField = fields[f++];
  if (methodField.length > 1) return err('multiple values specified for authentication type');
  let method = methodField[0].value;
  const methods = major >= 18 ? [...METHODS, 'oauth'] : METHODS;
  if (NOT_BUILT.includes(method)) {
    return err(`invalid authentication method "${method}": not supported by this build (CloudNativePG's images are Linux builds)`);
  }
  if (!methods.includes(method)) {
    const hint = method === 'oauth' ? ' (oauth needs PostgreSQL 18)' : method === 'crypt' || method === 'krb5' ? ' (removed from PostgreSQL)' : '';
    return err(`invalid authentication method "${method}"${hint}`);
  }
  if (type === 'local' && method === 'gss') return err('gssapi authentication is not supported on local sockets');
  if (type !== 'local' && method === 'peer') return err('peer authentication is only supported on local sockets');
  if (type === 'local' && method === 'ident') method = 'peer'; // hba.c: ident over local sockets is peer
  if (type === 'hostgssenc' && !['gss', 'trust', 'reject'].includes(method)) {
    return err('GSSAPI encryption only supports gss, trust, or reject authentication');
  }
  if (method === 'cert' && type !== 'hostssl') return err('cert authentication is only supported on hostssl connections');

  // options
  const opts: Record<string, string> = {};
  for (; f < fields.length; f++) {
    for (const tok of fields[f]) {
      const eq = tok.value.indexOf('=');
      if (eq < 0) return err(`authentication option not in name=value format: ${tok.value}`);
      const name = tok.value.slice(0, eq);
      const value = tok.value.slice(eq + 1);
      const problem = checkOption(type, method, name, value, major, lint);
      if (problem) return err(problem);
      opts[name] = value;
    }
  }
  const crossProblem = checkOptionCombinations(method, opts, lint);
  if (crossProblem) return err(crossProblem);
  if (method === 'oauth' && options.oauthValidatorLibraries === false) {
    return err('oauth_validator_libraries must be set for authentication method oauth');
  }
  return {
    kind: 'rule',
    rule: { type, databases, users, address, addressKind, method, options: opts, lint },
  };
}

function checkTokenList(tokens: HbaToken[], what: 'database' | 'role', lint: string[]): string | undefined {
  for (const t of tokens) {
    if (t.value === '' && !t.quoted) lint.push(`empty ${what} name in the list (a stray comma?); it matches nothing`);
    if (!t.quoted && t.value.startsWith('@')) {
      return `"${t.value}" includes a file, but CloudNativePG provides no files next to pg_hba.conf`;
    }
    if (t.value.startsWith('/')) {
      const problem = regexProblem(t.value.slice(1));
      if (problem) return `invalid regular expression "${t.value.slice(1)}": ${problem}`;
    }
  }
  return undefined;
}

/** PostgreSQL compiles `/regex` database and role names (PG 16+) with its own ARE engine; JavaScript's is close. */
function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source);
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: /, '');
  }
}

function checkOption(type: HbaConnectionType, method: string, name: string, value: string, major: number, lint: string[]): string | undefined {
  if (name === 'clientcert') {
    if (type !== 'hostssl') return 'clientcert can only be configured for "hostssl" rows';
    if (method === 'cert' && value !== 'verify-full') return 'clientcert can only be set to "verify-full" when using "cert" authentication';
    if (value !== 'verify-full' && value !== 'verify-ca') lint.push(`clientcert=${value} is neither verify-ca nor verify-full, so no client certificate is required`);
    return undefined;
  }
  if (name === 'clientname') {
    if (type !== 'hostssl') return 'clientname can only be configured for "hostssl" rows';
    if (value !== 'CN' && value !== 'DN') return `invalid value for clientname: "${value}"`;
    return undefined;
  }
  const methods = OPTIONS[name];
  if (!methods || (major < 18 && methods.length === 1 && methods[0] === 'oauth')) {
    return `unrecognized authentication option name: "${name}"`;
  }
  const allowed = major >= 18 ? methods : methods.filter((m) => m !== 'oauth');
  if (!allowed.includes(method)) {
    return `authentication option "${name}" is only valid for authentication methods ${allowed.join(', ')}`;
  }
  if (name === 'ldapscheme' && value !== 'ldap' && value !== 'ldaps') return 'invalid ldapscheme value: "' + value + '"';
  if (name === 'ldapport' && !/^\d+$/.test(value)) return `invalid LDAP port number: "${value}"`;
  if (name === 'ldapurl' && !/^ldaps?:\/\//.test(value)) return `unsupported LDAP URL scheme: ${value}`;
  return undefined;
}

function checkOptionCombinations(method: string, o: Record<string, string>, lint: string[]): string | undefined {
  if (method === 'ldap') {
    if (o.ldapserver === undefined && o.ldapurl === undefined) {
      return 'authentication method "ldap" requires argument "ldapserver" to be set';
    }
    const simple = o.ldapprefix !== undefined || o.ldapsuffix !== undefined;
    const search = ['ldapbasedn', 'ldapbinddn', 'ldapbindpasswd', 'ldapsearchattribute', 'ldapsearchfilter'].some((k) => o[k] !== undefined);
    if (simple && search) {
      return 'cannot mix options for simple bind and search+bind modes';
    }
    if (!simple && o.ldapbasedn === undefined && !(o.ldapurl ?? '').match(/^ldaps?:\/\/[^/]*\/[^?]/)) {
      return 'authentication method "ldap" requires argument "ldapbasedn", "ldapprefix", or "ldapsuffix" to be set';
    }
    if (o.ldapsearchattribute !== undefined && o.ldapsearchfilter !== undefined) {
      return 'cannot use ldapsearchattribute together with ldapsearchfilter';
    }
  }
  if (method === 'radius') {
    if (o.radiusservers === undefined) return 'authentication method "radius" requires argument "radiusservers" to be set';
    if (o.radiussecrets === undefined) lint.push('radius without radiussecrets: every login fails');
  }
  if (method === 'oauth' && o.issuer === undefined) return 'authentication method "oauth" requires argument "issuer" to be set';
  return undefined;
}

/**
 * The address family when `host` is a numeric address for `getaddrinfo(AI_NUMERICHOST)` (glibc: `inet_aton`
 * forms for IPv4, including `10.1` and octal/hex parts; `inet_pton` for IPv6 with an optional `%zone`), else undefined.
 */
export function numericHostFamily(host: string): 4 | 6 | undefined {
  if (isInetAton(host)) return 4;
  if (host.includes(':') && isIpv6(host.replace(/%[^%]+$/, ''))) return 6;
  return undefined;
}

function isInetAton(s: string): boolean {
  const parts = s.split('.');
  if (parts.length < 1 || parts.length > 4) return false;
  const nums: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) v = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = p.length === 1 ? 0 : parseInt(p.slice(1), 8);
    else if (/^[1-9][0-9]*$/.test(p)) v = parseInt(p, 10);
    else return false;
    nums.push(v);
  }
  const last = nums[nums.length - 1];
  for (let i = 0; i < nums.length - 1; i++) if (nums[i] > 255) return false;
  const lastMax = [0xffffffff, 0xffffff, 0xffff, 0xff][nums.length - 1];
  return last <= lastMax;
}

function isIpv6(s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return false;
  let head = s;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    // an embedded IPv4 address counts as two groups
    if (!/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(tail)) return false;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const double = head.split('::');
  if (double.length > 2) return false;
  const groups = (x: string) => (x === '' ? [] : x.split(':'));
  const left = groups(double[0]);
  const right = double.length === 2 ? groups(double[1]) : [];
  if ([...left, ...right].some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const count = left.length + right.length;
  return double.length === 2 ? count <= 7 : count === 8;
}

/** The roles CloudNativePG authenticates with its fixed rules (certificates); user lines must not grant them access. */
export function isOperatorRole(name: string): boolean {
  return name === 'streaming_replica' || name.startsWith('cnpg_');
}

/** Options of `pgHbaProblems`. */
export interface PgHbaCheckOptions extends HbaParseOptions {
  /** The field reported, e.g. `spec.postgresql.pg_hba`; problems name `<field>[i]`. */
  readonly field?: string;
  /** Names of `spec.podSelectorRefs`, for `${podselector:NAME}`. */
  readonly podSelectorRefs?: readonly string[];
  /** Rule ids of the problems. */
  readonly rules?: { readonly syntax?: string; readonly podSelector?: string; readonly reserved?: string; readonly local?: string; readonly md5?: string };
}

/** The result of `pgHbaProblems`. */
export interface PgHbaCheck {
  readonly errors: Problem[];
  readonly warnings: Problem[];
  /** The lines as PostgreSQL would see them (pod selectors replaced by a documentation address). */
  readonly expanded: string[];
}

const POD_SELECTOR_REF = /\$\{([^}:]*):([^}]*)\}/g;
/** A documentation address (RFC 5737) that stands in for the pod IPs of a `${podselector:NAME}`. */
const POD_SELECTOR_STAND_IN = '192.0.2.1/32';

/**
 * Checks `pg_hba` lines of a Cluster (or Pooler): the syntax (as PostgreSQL parses it), `${podselector:NAME}`
 * references (CloudNativePG rule 107), lines the operator's fixed rules shadow, and lines granting the operator's
 * own roles access.
 */
export function pgHbaProblems(lines: readonly unknown[], options: PgHbaCheckOptions = {}): PgHbaCheck {
  const field = options.field ?? 'spec.postgresql.pg_hba';
  const rules = options.rules ?? {};
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const expanded: string[] = [];
  lines.forEach((raw, i) => {
    const at = `${field}[${i}]`;
    if (typeof raw !== 'string') {
      errors.push({ field: at, message: 'a pg_hba entry must be a string', value: raw, fix: 'write the line as PostgreSQL expects it', rule: rules.syntax });
      return;
    }
    // ${podselector:NAME} (pkg/postgres/hba/hba.go ValidateLine)
    const refs = [...raw.matchAll(POD_SELECTOR_REF)];
    let line = raw;
    let selectorProblem = false;
    for (const [, kind, name] of refs) {
      if (kind !== 'podselector') {
        errors.push({ field: at, message: `unknown descriptor type: ${kind}`, value: raw, fix: 'use ${podselector:NAME}', rule: rules.podSelector });
        selectorProblem = true;
      } else if (!(options.podSelectorRefs ?? []).includes(name)) {
        errors.push({
          field: at,
          message: `pod selector not found: ${name}`,
          value: raw,
          fix: `declare it in spec.podSelectorRefs (declared: ${(options.podSelectorRefs ?? []).join(', ') || 'none'})`,
          rule: rules.podSelector,
        });
        selectorProblem = true;
      }
    }
    if (refs.length > 1) {
      errors.push({ field: at, message: 'at most one podselector reference is allowed per line', value: raw, fix: 'write one line per pod selector', rule: rules.podSelector });
      selectorProblem = true;
    }
    if (selectorProblem) return;
    line = line.replace(POD_SELECTOR_REF, POD_SELECTOR_STAND_IN);
    const parsed = parseHbaLine(line, options);
    if (parsed.kind === 'error') {
      errors.push({
        field: at,
        message: `PostgreSQL would skip this line: ${parsed.message}`,
        value: raw,
        fix: 'write TYPE DATABASE USER [ADDRESS] METHOD [OPTIONS], e.g. "hostssl all all 10.0.0.0/8 scram-sha-256"',
        rule: rules.syntax,
      });
      return;
    }
    if (parsed.kind === 'empty') return;
    expanded.push(line);
    const rule = parsed.rule;
    for (const message of rule.lint) {
      warnings.push({ field: at, message, value: raw, rule: rules.syntax });
    }
    if (rule.type === 'local') {
      warnings.push({
        field: at,
        message: 'never matches: the operator\'s fixed rule "local all all peer map=local" comes first and takes every Unix-socket connection',
        value: raw,
        fix: 'remove the line; clients connect over TCP (host/hostssl lines)',
        rule: rules.local,
      });
    }
    const reserved = rule.users.filter((u) => !u.value.startsWith('/') && !u.value.startsWith('+') && isOperatorRole(u.value));
    if (reserved.length > 0 && rule.method !== 'reject') {
      errors.push({
        field: at,
        message: `grants access to ${reserved.map((u) => u.value).join(', ')}, a role CloudNativePG manages: the operator authenticates it `
          + 'by certificate with its fixed rules (which come first), so this line either never matches or opens a second way in the operator does not manage',
        value: raw,
        fix: 'remove the role from the line (a "reject" line for it is fine)',
        rule: rules.reserved,
      });
    }
    if (rule.method === 'md5' && rules.md5) {
      warnings.push({
        field: at,
        message: 'md5 is deprecated; scram-sha-256 has been the default password method since PostgreSQL 14',
        value: raw,
        fix: 'use scram-sha-256',
        rule: rules.md5,
      });
    }
  });
  return { errors, warnings, expanded };
}
