import { randomInt } from 'node:crypto';
import { SealingCertificate, shortFingerprint } from './certificate';
import { sealValue, SealingScope } from './kubeseal';
import {
  checkSealedEntry,
  credentialId,
  SealedEntry,
  SealedStore,
  sealCommand,
  StoreProblem,
} from './sealed-store';
import { commandFor } from '../core/commands';

/** A credential the app declares: one future SealedSecret/Secret of one environment. */
export interface DeclaredCredential {
  readonly environment: string;
  readonly namespace: string;
  readonly name: string;
  readonly scope: SealingScope;
  /** Every item key of the Secret. */
  readonly keys: string[];
  /** Keys that `--generate` may fill, e.g. `password`. */
  readonly generatedKeys?: string[];
  /** Non-secret values known from the declaration, e.g. `username`; sealed automatically. */
  readonly fixedValues?: Record<string, string>;
}

/** Where the `seal` command finds the declared credentials, certificates and stores. */
export interface CredentialCatalog {
  environments(): string[];
  credentials(environment: string): DeclaredCredential[];
  /** The environment's committed controller certificate, e.g. `secrets/<env>/sealing-cert.pem`. */
  certificatePath(environment: string): string;
  /** The environment's committed sealed store, e.g. `secrets/<env>/sealed-values.json`. */
  storePath(environment: string): string;
}

/** The outside world of {@link runSeal} (injectable for tests). */
export interface SealIo {
  /** Standard input, read only when `--from-stdin` is given. */
  stdin: () => Promise<Buffer> | Buffer;
  env: NodeJS.ProcessEnv;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readFile: (p: string) => Buffer;
  /** The current time (certificate validity, `sealedAt`); default `new Date()`. */
  now?: () => Date;
}

/** Characters of generated passwords: URL-safe base64 alphabet (64 symbols, 6 bits each). */
export const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Length of generated passwords (40 × 6 = 240 bits). */
export const GENERATED_PASSWORD_LENGTH = 40;
/** Days before expiry from which the certificate warning is printed. */
export const CERT_EXPIRY_WARNING_DAYS = 30;

/** A strong random password from {@link PASSWORD_ALPHABET}, each character drawn uniformly (`crypto.randomInt`). */
export function generatePassword(length: number = GENERATED_PASSWORD_LENGTH): string {
  if (!Number.isInteger(length) || length < 32) throw new Error('generated passwords have at least 32 characters');
  let out = '';
  for (let i = 0; i < length; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

/**
 * The environment variable `--all --from-env-prefix <prefix>` reads a key from:
 * `<prefix><NAMESPACE>_<NAME>_<KEY>`, each part upper-cased with every character other than A-Z, 0-9 turned into `_`.
 */
export function envVarName(prefix: string, namespace: string, name: string, key: string): string {
  const norm = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return `${prefix}${norm(namespace)}_${norm(name)}_${norm(key)}`;
}

/** The `--help` text. */
export const SEAL_USAGE = `Usage:
  npm run seal -- --env <env> --credential <namespace>/<name> [--key <key> <source>]... [--cert <path>]
  npm run seal -- --env <env> --all [--from-env-prefix <PREFIX>] [--generate-missing] [--cert <path>]
  npm run seal -- --env <env> --list [--cert <path>]
  npm run seal -- --help

Seals credential values offline for the Sealed Secrets controller (byte-compatible with kubeseal --raw)
into the environment's sealed store (secrets/<env>/sealed-values.json), which you commit; synth turns it
into SealedSecrets. Only the controller holding the private key can open the values.

Value sources, one right after each --key. Values are NEVER taken from command-line arguments
(they would end up in shell history and the process list); --value is refused.
  --from-stdin          read the value from standard input; one trailing newline (\\n or \\r\\n) is
                        removed; on a terminal the input is not echoed. At most once per run.
  --from-file <path>    the file's exact bytes (nothing removed)
  --from-env <VAR>      the value of environment variable VAR
  --generate            a new random password: ${GENERATED_PASSWORD_LENGTH} characters from A-Z a-z 0-9 - _ (${GENERATED_PASSWORD_LENGTH * 6} bits);
                        only for keys the declaration marks as generated; never shown
Several keys of one credential are sealed in one run by repeating --key <key> <source>, e.g.
  npm run seal -- --env prod --credential db/app-user --key password --generate
  npm run seal -- --env prod --credential db/s3 --key ACCESS_KEY_ID --from-env AWS_ACCESS_KEY_ID \\
      --key ACCESS_SECRET_KEY --from-file ./secret-key.txt
Keys with a fixed value in the declaration (e.g. username) are sealed automatically; --credential
without --key (re)seals only those. Values are empty-checked; an empty value is refused.

Options:
  --env <env>             the environment
  --credential <ns>/<n>   the declared credential (see --list)
  --cert <path>           seal with this certificate instead of the environment's committed one
                          (e.g. one just fetched); copy it over the committed one afterwards
  --list                  show the declared credentials of --env and their state:
                          sealed | incomplete | missing | stale cert | scope mismatch | fixed value changed | invalid
  --all                   seal every credential of --env that is not up to date (missing keys, sealed for
                          another certificate or scope, changed fixed values); up-to-date ones are left alone
  --from-env-prefix <P>   with --all: read each value from the variable <P><NAMESPACE>_<NAME>_<KEY>
                          (upper-cased, every character other than A-Z 0-9 becomes _),
                          e.g. SEAL_DB_APP_USER_PASSWORD for key password of db/app-user
  --generate-missing      with --all: generate the keys marked as generated that have no variable set;
                          for a credential that is being re-sealed this ROTATES its password
  -h, --help              this text

Re-sealing a whole environment for a new controller certificate (one command after fetching it):
  kubeseal --controller-name sealed-secrets-controller --controller-namespace sealed-secrets \\
      --fetch-cert > secrets/prod/sealing-cert.pem
  npm run seal -- --env prod --all --from-env-prefix SEAL_ --generate-missing
Nothing is written unless every needed value is available; otherwise the missing variable names are
listed. Sealed values cannot be re-encrypted offline: the plaintext is never stored (not even a hash).
To keep a generated password instead of rotating it, read it from the running cluster into its variable:
  export SEAL_DB_APP_USER_PASSWORD="$(kubectl -n db get secret app-user -o jsonpath='{.data.password}' | base64 -d)"
(kubeseal --re-encrypt needs the running controller and rewrites a SealedSecret object, not the store.)

Exit status: 0 done, 1 failed (nothing written), 2 usage error.
`;

type Source =
  | { readonly kind: 'stdin' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'env'; readonly variable: string }
  | { readonly kind: 'generate' };

interface KeyRequest {
  readonly key: string;
  source?: Source;
}

interface Args {
  help: boolean;
  env?: string;
  credential?: string;
  cert?: string;
  list: boolean;
  all: boolean;
  fromEnvPrefix?: string;
  generateMissing: boolean;
  keys: KeyRequest[];
}

class UsageError extends Error {}
class SealError extends Error {}

const VALUE_FLAGS = new Set(['--env', '--credential', '--key', '--from-file', '--from-env', '--cert', '--from-env-prefix']);
const BOOLEAN_FLAGS = new Set(['--from-stdin', '--generate', '--list', '--all', '--generate-missing', '--help', '-h']);

function parseArgs(argv: string[]): Args {
  const args: Args = { help: false, list: false, all: false, generateMissing: false, keys: [] };
  const attach = (flag: string, source: Source): void => {
    const last = args.keys[args.keys.length - 1];
    if (!last || last.source) throw new UsageError(`${flag} must come right after --key <key>`);
    last.source = source;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-')) {
      // Never echo it: it may be a value typed where it does not belong.
      throw new UsageError(`unexpected argument #${i + 1} (not shown, in case it is a secret value)`);
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    if (/^--(value|password|secret)s?$/.test(flag) || /^--(from-)?literal$/.test(flag)) {
      throw new UsageError(
        `${flag} is refused: values are never taken from command-line arguments (they end up in shell ` +
          'history and the process list); use --from-stdin, --from-file <path>, --from-env <VAR> or --generate',
      );
    }
    let value: string | undefined;
    if (VALUE_FLAGS.has(flag)) {
      if (eq > 0 && arg.startsWith('--')) value = arg.slice(eq + 1);
      else {
        value = argv[++i];
        if (value === undefined || (value.startsWith('--') && value.length > 2)) {
          throw new UsageError(`${flag} needs a value`);
        }
      }
      if (value === '') throw new UsageError(`${flag} needs a non-empty value`);
    } else if (BOOLEAN_FLAGS.has(flag)) {
      if (flag !== arg) throw new UsageError(`${flag} takes no value`);
    } else {
      throw new UsageError(`unknown option ${flag}; see --help`);
    }
    switch (flag) {
      case '-h':
      case '--help':
        args.help = true;
        break;
      case '--env':
        args.env = once(flag, args.env, value!);
        break;
      case '--credential':
        args.credential = once(flag, args.credential, value!);
        break;
      case '--cert':
        args.cert = once(flag, args.cert, value!);
        break;
      case '--from-env-prefix':
        args.fromEnvPrefix = once(flag, args.fromEnvPrefix, value!);
        break;
      case '--list':
        args.list = true;
        break;
      case '--all':
        args.all = true;
        break;
      case '--generate-missing':
        args.generateMissing = true;
        break;
      case '--key': {
        const last = args.keys[args.keys.length - 1];
        if (last && !last.source) throw new UsageError(`--key ${last.key} has no value source; see --help`);
        args.keys.push({ key: value! });
        break;
      }
      case '--from-stdin':
        attach(flag, { kind: 'stdin' });
        break;
      case '--from-file':
        attach(flag, { kind: 'file', path: value! });
        break;
      case '--from-env':
        attach(flag, { kind: 'env', variable: value! });
        break;
      case '--generate':
        attach(flag, { kind: 'generate' });
        break;
    }
  }
  const last = args.keys[args.keys.length - 1];
  if (last && !last.source) {
    throw new UsageError(
      `--key ${last.key} has no value source: add --from-stdin, --from-file <path>, --from-env <VAR> or --generate`,
    );
  }
  return args;
}

function once(flag: string, previous: string | undefined, value: string): string {
  if (previous !== undefined) throw new UsageError(`${flag} given twice`);
  return value;
}

/**
 * The `seal` command. Returns the exit code (0 done, 1 failed, 2 usage error); never throws.
 * Never writes a secret value to `stdout`/`stderr`.
 */
export async function runSeal(argv: string[], io: SealIo, catalog: CredentialCatalog): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.help) {
      // The usage names the command this project has (`npm run seal --` here, `npx cdk8s-cnpg seal` elsewhere).
      io.stdout(SEAL_USAGE.split('npm run seal --').join(commandFor('seal')) + environmentsLine(catalog));
      return 0;
    }
    const environment = requireEnvironment(args, catalog);
    const modes = [args.list, args.all, args.credential !== undefined].filter(Boolean).length;
    if (modes !== 1) {
      throw new UsageError('give exactly one of --credential <namespace>/<name>, --all or --list; see --help');
    }
    if (!args.all && (args.fromEnvPrefix !== undefined || args.generateMissing)) {
      throw new UsageError('--from-env-prefix and --generate-missing only go with --all');
    }
    if ((args.all || args.list) && args.keys.length > 0) {
      throw new UsageError(`--key only goes with --credential`);
    }
    if (args.list) return list(environment, args, io, catalog);
    if (args.all) return await sealAll(environment, args, io, catalog);
    return await sealOne(environment, args, io, catalog);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`seal: ${e.message}\n`);
      return 2;
    }
    io.stderr(`seal: ${(e as Error).message}\n`);
    return 1;
  }
}

function environmentsLine(catalog: CredentialCatalog): string {
  try {
    return `\nEnvironments: ${catalog.environments().join(', ')}\n`;
  } catch {
    return '';
  }
}

function requireEnvironment(args: Args, catalog: CredentialCatalog): string {
  const envs = catalog.environments();
  if (args.env === undefined) throw new UsageError(`--env is required (one of: ${envs.join(', ')})`);
  if (!envs.includes(args.env)) {
    throw new UsageError(`unknown environment ${JSON.stringify(args.env)}; declared: ${envs.join(', ')}`);
  }
  return args.env;
}

interface CertContext {
  readonly cert: SealingCertificate;
  readonly now: Date;
}

/** Loads the sealing certificate (`--cert` or the environment's), printing warnings. */
function loadCert(environment: string, args: Args, io: SealIo, catalog: CredentialCatalog): CertContext {
  const now = io.now?.() ?? new Date();
  const envCertPath = catalog.certificatePath(environment);
  const cert = SealingCertificate.fromFile(args.cert ?? envCertPath, { readFile: io.readFile, now });
  const warning = cert.expiryWarning(CERT_EXPIRY_WARNING_DAYS, now);
  if (warning) io.stderr(`seal: warning: ${warning}\n`);
  if (args.cert !== undefined && args.cert !== envCertPath) {
    let envFingerprint: string | undefined;
    try {
      envFingerprint = SealingCertificate.fromFile(envCertPath, { readFile: io.readFile, now }).fingerprint;
    } catch {
      envFingerprint = undefined;
    }
    if (envFingerprint !== cert.fingerprint) {
      io.stderr(
        `seal: note: the environment's certificate ${envCertPath} ` +
          (envFingerprint ? `is ${shortFingerprint(envFingerprint)}` : 'is missing or invalid') +
          `, not ${shortFingerprint(cert.fingerprint)}; synth checks sealed values against it, so copy the ` +
          `new certificate over it: cp ${args.cert} ${envCertPath}\n`,
      );
    }
  }
  return { cert, now };
}

/** Whether `entry` was sealed for this credential, scope and certificate (keys may still be missing). */
function isCurrent(entry: SealedEntry | undefined, decl: DeclaredCredential, cert: SealingCertificate): boolean {
  return (
    entry !== undefined &&
    entry.namespace === decl.namespace &&
    entry.name === decl.name &&
    entry.scope === decl.scope.name &&
    entry.certificateFingerprint === cert.fingerprint
  );
}

/** The fixed keys that must be (re)sealed: all if the entry is not current, else missing or changed ones. */
function fixedKeysToSeal(entry: SealedEntry | undefined, decl: DeclaredCredential, current: boolean): string[] {
  const fixed = decl.fixedValues ?? {};
  return Object.keys(fixed)
    .filter((k) => decl.keys.includes(k))
    .filter((k) => !current || entry!.keys[k] === undefined || entry!.fixedValues?.[k] !== fixed[k])
    .sort();
}

function findCredential(environment: string, id: string, catalog: CredentialCatalog): DeclaredCredential {
  const declared = catalog.credentials(environment);
  const decl = declared.find((c) => credentialId(c.namespace, c.name) === id);
  if (!decl) {
    const ids = declared.map((c) => credentialId(c.namespace, c.name)).sort();
    throw new UsageError(
      `no credential ${JSON.stringify(id)} is declared in environment ${environment}; declared: ${ids.join(', ') || '(none)'}`,
    );
  }
  return decl;
}

interface SealedLine {
  readonly decl: DeclaredCredential;
  readonly key: string;
  readonly how: 'input' | 'generated' | 'fixed';
}

/**
 * Seals `values` (non-fixed keys) plus the fixed keys that need it into the store, as one entry sealed for
 * one scope and certificate. Returns what was sealed, and keys dropped from a non-current entry.
 */
function sealInto(
  store: SealedStore,
  decl: DeclaredCredential,
  values: Map<string, { value: Buffer; generated: boolean }>,
  ctx: CertContext,
): { lines: SealedLine[]; dropped: string[] } {
  const entry = store.lookup(decl.namespace, decl.name);
  const current = isCurrent(entry, decl, ctx.cert);
  const keys: Record<string, string> = current ? { ...entry!.keys } : {};
  const fixedRecord: Record<string, string> = current ? { ...(entry!.fixedValues ?? {}) } : {};
  const lines: SealedLine[] = [];
  const seal = (v: Buffer | string): string => sealValue(ctx.cert, decl.scope, decl.namespace, decl.name, v);
  for (const key of [...values.keys()].sort()) {
    const { value, generated } = values.get(key)!;
    keys[key] = seal(value);
    value.fill(0);
    delete fixedRecord[key];
    lines.push({ decl, key, how: generated ? 'generated' : 'input' });
  }
  for (const key of fixedKeysToSeal(entry, decl, current)) {
    const value = decl.fixedValues![key];
    keys[key] = seal(value);
    fixedRecord[key] = value;
    lines.push({ decl, key, how: 'fixed' });
  }
  const dropped = current || !entry ? [] : Object.keys(entry.keys).filter((k) => !(k in keys)).sort();
  store.put({
    namespace: decl.namespace,
    name: decl.name,
    scope: decl.scope.name,
    certificateFingerprint: ctx.cert.fingerprint,
    sealedAt: ctx.now.toISOString(),
    fixedValues: Object.keys(fixedRecord).length > 0 ? fixedRecord : undefined,
    keys,
  });
  return { lines: lines.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)), dropped };
}

function printSealed(io: SealIo, ctx: CertContext, lines: SealedLine[]): void {
  for (const l of lines) {
    const id = credentialId(l.decl.namespace, l.decl.name);
    const note =
      l.how === 'generated'
        ? 'generated, not shown'
        : l.how === 'fixed'
          ? 'fixed value from the declaration'
          : 'from input';
    io.stdout(`sealed ${id}/${l.key}  scope=${l.decl.scope.name}  cert=${shortFingerprint(ctx.cert.fingerprint)}  (${note})\n`);
  }
  const generated = lines.filter((l) => l.how === 'generated');
  if (generated.length > 0) {
    io.stdout(
      'generated values are not shown; once Argo CD has synced, read one from the cluster with e.g.\n' +
        generated
          .map(
            (l) =>
              `  kubectl -n ${l.decl.namespace} get secret ${l.decl.name} -o jsonpath='{.data.${l.key}}' | base64 -d\n`,
          )
          .join(''),
    );
  }
}

function certHeader(ctx: CertContext): string {
  return `certificate ${ctx.cert.source} ${ctx.cert.fingerprint} (expires ${ctx.cert.notAfter.toISOString().slice(0, 10)})\n`;
}

async function readSource(
  decl: DeclaredCredential,
  req: KeyRequest,
  io: SealIo,
): Promise<{ value: Buffer; generated: boolean }> {
  const what = `key ${JSON.stringify(req.key)} of ${credentialId(decl.namespace, decl.name)}`;
  const source = req.source!;
  let value: Buffer;
  switch (source.kind) {
    case 'stdin': {
      value = Buffer.from(await io.stdin());
      const end = value.length;
      const cut = end >= 2 && value[end - 2] === 0x0d && value[end - 1] === 0x0a ? 2 : end >= 1 && value[end - 1] === 0x0a ? 1 : 0;
      value = value.subarray(0, end - cut);
      break;
    }
    case 'file':
      try {
        value = io.readFile(source.path);
      } catch (e) {
        throw new SealError(`cannot read --from-file ${source.path} for ${what}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      break;
    case 'env': {
      const v = io.env[source.variable];
      if (v === undefined) throw new SealError(`environment variable ${source.variable} (for ${what}) is not set`);
      value = Buffer.from(v, 'utf8');
      break;
    }
    case 'generate':
      return { value: Buffer.from(generatePassword(), 'utf8'), generated: true };
  }
  if (value.length === 0) throw new SealError(`the value for ${what} is empty; refusing to seal an empty value`);
  return { value, generated: false };
}

async function sealOne(environment: string, args: Args, io: SealIo, catalog: CredentialCatalog): Promise<number> {
  const decl = findCredential(environment, args.credential!, catalog);
  const id = credentialId(decl.namespace, decl.name);
  const fixed = decl.fixedValues ?? {};
  const generatable = new Set(decl.generatedKeys ?? []);
  const seen = new Set<string>();
  for (const req of args.keys) {
    if (!decl.keys.includes(req.key)) {
      throw new UsageError(`${id} has no key ${JSON.stringify(req.key)}; its keys: ${decl.keys.join(', ')}`);
    }
    if (req.key in fixed) {
      throw new UsageError(
        `key ${JSON.stringify(req.key)} of ${id} has a fixed value in the declaration and is sealed automatically; drop --key ${req.key}`,
      );
    }
    if (seen.has(req.key)) throw new UsageError(`--key ${req.key} given twice`);
    seen.add(req.key);
    if (req.source!.kind === 'generate' && !generatable.has(req.key)) {
      throw new UsageError(
        `--generate is only for keys declared as generated (${[...generatable].join(', ') || 'none for ' + id}); ` +
          `give the value of ${req.key} with --from-stdin, --from-file or --from-env`,
      );
    }
  }
  if (args.keys.filter((r) => r.source!.kind === 'stdin').length > 1) {
    throw new UsageError('--from-stdin can be used for one key only; use --from-file or --from-env for the others');
  }

  const ctx = loadCert(environment, args, io, catalog);
  const storePath = catalog.storePath(environment);
  const store = SealedStore.load(storePath);
  const entry = store.lookup(decl.namespace, decl.name);
  const current = isCurrent(entry, decl, ctx.cert);
  const inputKeys = decl.keys.filter((k) => !(k in fixed));
  if (entry && !current) {
    const missing = inputKeys.filter((k) => !seen.has(k));
    if (missing.length > 0) {
      const why =
        entry.scope !== decl.scope.name
          ? `scope ${entry.scope} (declared: ${decl.scope.name})`
          : `certificate ${shortFingerprint(entry.certificateFingerprint)} (now: ${shortFingerprint(ctx.cert.fingerprint)})`;
      throw new SealError(
        `${id} is sealed for ${why}; a credential is re-sealed as a whole so that it never mixes certificates or ` +
          `scopes — also give ${missing.map((k) => `--key ${k}`).join(' ')}, e.g.: ` +
          sealCommand(environment, decl, inputKeys),
      );
    }
  }
  if (args.keys.length === 0 && fixedKeysToSeal(entry, decl, current).length === 0) {
    if (Object.keys(fixed).length === 0) {
      throw new UsageError(`nothing to seal: give --key <key> <source> (keys of ${id}: ${decl.keys.join(', ')})`);
    }
    io.stdout(`${id}: the fixed values are already sealed for this certificate; nothing to do\n`);
    return 0;
  }

  const values = new Map<string, { value: Buffer; generated: boolean }>();
  for (const req of args.keys) values.set(req.key, await readSource(decl, req, io));

  const { lines, dropped } = sealInto(store, decl, values, ctx);
  store.save(storePath);
  io.stdout(certHeader(ctx));
  printSealed(io, ctx, lines);
  if (dropped.length > 0) {
    io.stdout(`dropped from ${id} (sealed for the old certificate/scope, not declared): ${dropped.join(', ')}\n`);
  }
  io.stdout(`wrote ${storePath} — commit it\n`);
  const after = store.lookup(decl.namespace, decl.name)!;
  const stillMissing = decl.keys.filter((k) => after.keys[k] === undefined);
  if (stillMissing.length > 0) {
    io.stdout(`still missing in ${id}: ${stillMissing.join(', ')}; seal with: ${sealCommand(environment, decl, stillMissing)}\n`);
  }
  return 0;
}

async function sealAll(environment: string, args: Args, io: SealIo, catalog: CredentialCatalog): Promise<number> {
  if (args.fromEnvPrefix === undefined && !args.generateMissing) {
    throw new UsageError('--all needs --from-env-prefix <PREFIX> and/or --generate-missing');
  }
  const prefix = args.fromEnvPrefix;
  const declared = [...catalog.credentials(environment)].sort((a, b) =>
    compare(credentialId(a.namespace, a.name), credentialId(b.namespace, b.name)),
  );
  if (prefix !== undefined) {
    const owners = new Map<string, string>();
    for (const d of declared) {
      for (const k of d.keys) {
        const v = envVarName(prefix, d.namespace, d.name, k);
        const who = `${credentialId(d.namespace, d.name)}/${k}`;
        const other = owners.get(v);
        if (other) throw new SealError(`${other} and ${who} both read ${v}; seal one of them with --credential`);
        owners.set(v, who);
      }
    }
    const unused = Object.keys(io.env)
      .filter((n) => n.startsWith(prefix) && !owners.has(n))
      .sort();
    for (const n of unused) io.stderr(`seal: warning: ${n} is set but matches no declared key of ${environment} (typo?)\n`);
  }

  const ctx = loadCert(environment, args, io, catalog);
  const storePath = catalog.storePath(environment);
  const store = SealedStore.load(storePath);

  interface Plan {
    readonly decl: DeclaredCredential;
    readonly values: Map<string, { value: Buffer; generated: boolean }>;
  }
  const plans: Plan[] = [];
  const missing: string[] = [];
  const upToDate: string[] = [];
  for (const decl of declared) {
    const id = credentialId(decl.namespace, decl.name);
    const entry = store.lookup(decl.namespace, decl.name);
    const current = isCurrent(entry, decl, ctx.cert);
    const fixed = decl.fixedValues ?? {};
    const generatable = new Set(decl.generatedKeys ?? []);
    const needed = decl.keys.filter((k) => !(k in fixed) && (!current || entry!.keys[k] === undefined));
    if (needed.length === 0 && fixedKeysToSeal(entry, decl, current).length === 0) {
      upToDate.push(id);
      continue;
    }
    const values = new Map<string, { value: Buffer; generated: boolean }>();
    for (const key of needed) {
      const variable = prefix !== undefined ? envVarName(prefix, decl.namespace, decl.name, key) : undefined;
      const v = variable !== undefined ? io.env[variable] : undefined;
      if (v !== undefined && v !== '') {
        values.set(key, { value: Buffer.from(v, 'utf8'), generated: false });
      } else if (v === '') {
        missing.push(`${variable} (${id}/${key}) is set but empty`);
      } else if (args.generateMissing && generatable.has(key)) {
        values.set(key, { value: Buffer.from(generatePassword(), 'utf8'), generated: true });
      } else {
        missing.push(
          (variable ?? `${id}/${key}`) +
            (variable ? ` (${id}/${key})` : ' (no --from-env-prefix given)') +
            (generatable.has(key) && !args.generateMissing ? ' — or add --generate-missing to generate it' : ''),
        );
      }
    }
    plans.push({ decl, values });
  }
  if (missing.length > 0) {
    for (const p of plans) for (const v of p.values.values()) v.value.fill(0);
    throw new SealError(
      `nothing written; values needed but not available:\n${missing.map((m) => `  ${m}`).join('\n')}`,
    );
  }
  io.stdout(certHeader(ctx));
  if (plans.length === 0) {
    io.stdout(`all ${upToDate.length} credentials of ${environment} are sealed for this certificate; nothing to do\n`);
    return 0;
  }
  const lines: SealedLine[] = [];
  const dropped: string[] = [];
  for (const p of plans) {
    const r = sealInto(store, p.decl, p.values, ctx);
    lines.push(...r.lines);
    dropped.push(...r.dropped.map((k) => `${credentialId(p.decl.namespace, p.decl.name)}/${k}`));
  }
  store.save(storePath);
  printSealed(io, ctx, lines);
  if (dropped.length > 0) io.stdout(`dropped (sealed for the old certificate/scope, not declared): ${dropped.join(', ')}\n`);
  if (upToDate.length > 0) io.stdout(`already up to date: ${upToDate.join(', ')}\n`);
  io.stdout(`wrote ${storePath} — commit it (${plans.length} credentials sealed)\n`);
  return 0;
}

function list(environment: string, args: Args, io: SealIo, catalog: CredentialCatalog): number {
  const storePath = catalog.storePath(environment);
  const store = SealedStore.load(storePath);
  let ctx: CertContext | undefined;
  try {
    ctx = loadCert(environment, args, io, catalog);
    io.stdout(certHeader(ctx));
  } catch (e) {
    io.stderr(`seal: ${(e as Error).message}\n`);
    io.stdout('certificate: unusable (see above); states below ignore the certificate\n');
  }
  io.stdout(`store ${storePath}\n`);
  const declared = [...catalog.credentials(environment)].sort((a, b) =>
    compare(credentialId(a.namespace, a.name), credentialId(b.namespace, b.name)),
  );
  if (declared.length === 0) io.stdout(`no credentials declared in ${environment}\n`);
  for (const decl of declared) {
    const id = credentialId(decl.namespace, decl.name);
    const entry = store.lookup(decl.namespace, decl.name);
    let problems: StoreProblem[];
    if (ctx) {
      problems = checkSealedEntry(decl, entry, ctx.cert, { environment, storePath });
    } else {
      problems = entry
        ? decl.keys
            .filter((k) => entry.keys[k] === undefined)
            .map((k) => ({
              code: 'missing-key' as const,
              severity: 'error' as const,
              credential: id,
              field: id,
              message: `no sealed value for key ${JSON.stringify(k)}`,
            }))
        : [{ code: 'missing-credential', severity: 'error', credential: id, field: id, message: 'nothing sealed' }];
    }
    const sealedKeys = entry ? decl.keys.filter((k) => entry.keys[k] !== undefined) : [];
    const when = entry?.sealedAt ? `  sealed ${entry.sealedAt.slice(0, 10)}` : '';
    io.stdout(
      `${id}  ${decl.scope.name}  ${stateOf(problems)}  keys: ${decl.keys
        .map((k) => (sealedKeys.includes(k) ? k : `${k} (missing)`))
        .join(', ')}${when}\n`,
    );
    for (const p of problems) io.stdout(`  ${p.severity}: ${p.message}${p.fix ? `\n    fix: ${p.fix}` : ''}\n`);
  }
  return 0;
}

function stateOf(problems: StoreProblem[]): string {
  const has = (c: StoreProblem['code']): boolean => problems.some((p) => p.code === c);
  if (has('missing-credential')) return 'missing';
  if (has('target-mismatch') || has('malformed-value')) return 'invalid';
  if (has('scope-mismatch')) return 'scope mismatch';
  if (has('missing-key')) return 'incomplete';
  if (has('fixed-value-changed')) return 'fixed value changed';
  if (has('stale-certificate')) return 'stale cert';
  return 'sealed';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
