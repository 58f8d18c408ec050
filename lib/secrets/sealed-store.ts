import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Problem } from '../core/problems';
import { SealingCertificate, shortFingerprint } from './certificate';
import { describeMalformedSealedValue, SealingScope, SealingScopeName } from './kubeseal';
import { commandFor } from '../core/commands';

/** Version of the sealed store format written by this library. */
export const SEALED_STORE_VERSION = 1;

/**
 * The sealed values of one credential (one future SealedSecret): every key's kubeseal ciphertext, and what
 * they were sealed for. Contains no plaintext of secret values and no hash of them.
 */
export interface SealedEntry {
  /** Namespace of the SealedSecret the values are bound to. */
  readonly namespace: string;
  /** Name of the SealedSecret the values are bound to. */
  readonly name: string;
  /** The scope (OAEP label) every key was sealed with. */
  readonly scope: SealingScopeName;
  /** `SealingCertificate.fingerprint` of the certificate every key was sealed for. */
  readonly certificateFingerprint: string;
  /**
   * When a key of this entry was last sealed (ISO 8601, UTC). Informational only (review, `seal --list`);
   * synthesized manifests must not depend on it.
   */
  readonly sealedAt?: string;
  /**
   * The non-secret values that were sealed from the declaration (e.g. `username`), in plain text, so a
   * changed declaration is detected. Never holds a secret value.
   */
  readonly fixedValues?: Readonly<Record<string, string>>;
  /** Item key → base64 kubeseal ciphertext (the SealedSecret's `spec.encryptedData`). */
  readonly keys: Readonly<Record<string, string>>;
}

/** What {@link SealedStore.setKey} seals a key for. */
export interface SealTarget {
  readonly namespace: string;
  readonly name: string;
  readonly scope: SealingScopeName;
  readonly certificateFingerprint: string;
}

/**
 * The committed file of sealed values of one environment (e.g. `secrets/<env>/sealed-values.json`).
 *
 * Format (stable key order, 2-space JSON, trailing newline — diffs are reviewable and saving the same
 * content always gives the same bytes):
 *
 * ```json
 * {
 *   "version": 1,
 *   "credentials": {
 *     "<namespace>/<name>": {
 *       "namespace": "…", "name": "…", "scope": "strict",
 *       "certificateFingerprint": "sha256:…",
 *       "sealedAt": "2026-11-30T12:00:00.000Z",
 *       "fixedValues": { "username": "app" },
 *       "keys": { "password": "AgB…", "username": "AgC…" }
 *     }
 *   }
 * }
 * ```
 */
export class SealedStore {
  /** Reads a store file; a missing file is an empty store. Errors name the file. */
  public static load(path: string): SealedStore {
    if (!existsSync(path)) return new SealedStore();
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read sealed store ${path}: ${(e as Error).message}`);
    }
    return SealedStore.parse(text, path);
  }

  /** Parses the text of a store file; `source` names it in errors. */
  public static parse(text: string, source: string): SealedStore {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(
        `sealed store ${source} is not valid JSON (${(e as Error).message}); restore it from version control ` +
          '(e.g. resolve the merge conflict) rather than editing ciphertexts by hand',
      );
    }
    const bad = (what: string): Error =>
      new Error(`sealed store ${source}: ${what}; restore the file from version control or re-seal the credential`);
    if (!isObject(json)) throw bad('the top level must be an object');
    if (json.version !== SEALED_STORE_VERSION) {
      throw bad(`unsupported version ${JSON.stringify(json.version)} (this library reads version ${SEALED_STORE_VERSION})`);
    }
    const credentials = json.credentials ?? {};
    if (!isObject(credentials)) throw bad('"credentials" must be an object');
    const store = new SealedStore();
    for (const [id, raw] of Object.entries(credentials)) {
      const at = `credentials[${JSON.stringify(id)}]`;
      if (!isObject(raw)) throw bad(`${at} must be an object`);
      for (const f of ['namespace', 'name', 'scope', 'certificateFingerprint'] as const) {
        if (typeof raw[f] !== 'string') throw bad(`${at}.${f} must be a string`);
      }
      if (!SealingScope.all().some((s) => s.name === raw.scope)) {
        throw bad(`${at}.scope ${JSON.stringify(raw.scope)} is not one of strict, namespace-wide, cluster-wide`);
      }
      if (raw.sealedAt !== undefined && typeof raw.sealedAt !== 'string') throw bad(`${at}.sealedAt must be a string`);
      if (!isStringMap(raw.keys)) throw bad(`${at}.keys must map item keys to base64 strings`);
      if (raw.fixedValues !== undefined && !isStringMap(raw.fixedValues)) {
        throw bad(`${at}.fixedValues must map item keys to strings`);
      }
      store.entriesById.set(
        id,
        freezeEntry({
          namespace: raw.namespace as string,
          name: raw.name as string,
          scope: raw.scope as SealingScopeName,
          certificateFingerprint: raw.certificateFingerprint as string,
          sealedAt: raw.sealedAt as string | undefined,
          fixedValues: raw.fixedValues as Record<string, string> | undefined,
          keys: raw.keys,
        }),
      );
    }
    return store;
  }

  private readonly entriesById = new Map<string, SealedEntry>();

  /** The entry stored under `namespace/name`, if any. */
  public lookup(namespace: string, name: string): SealedEntry | undefined {
    return this.entriesById.get(credentialId(namespace, name));
  }

  /** All entries, sorted by `namespace/name`. */
  public entries(): SealedEntry[] {
    return [...this.entriesById.keys()].sort(compare).map((id) => this.entriesById.get(id)!);
  }

  /** Stores `entry` under `namespace/name`, replacing any entry there. */
  public put(entry: SealedEntry): void {
    SealingScope.fromName(entry.scope);
    this.entriesById.set(credentialId(entry.namespace, entry.name), freezeEntry(entry));
  }

  /** Removes the entry of `namespace/name`; returns whether there was one. */
  public remove(namespace: string, name: string): boolean {
    return this.entriesById.delete(credentialId(namespace, name));
  }

  /**
   * Sets one key's ciphertext. Creates the entry if needed. Throws if the existing entry was sealed for
   * another scope or certificate — an entry never mixes them; re-seal all its keys and {@link put} a new
   * entry instead.
   *
   * @param options.fixedValue the plaintext, for a non-secret fixed value only (recorded in `fixedValues`)
   * @param options.sealedAt ISO time to record (default: now)
   */
  public setKey(
    target: SealTarget,
    key: string,
    ciphertext: string,
    options: { readonly fixedValue?: string; readonly sealedAt?: string } = {},
  ): void {
    const existing = this.lookup(target.namespace, target.name);
    if (
      existing &&
      (existing.scope !== target.scope ||
        existing.certificateFingerprint !== target.certificateFingerprint ||
        existing.namespace !== target.namespace ||
        existing.name !== target.name)
    ) {
      throw new Error(
        `sealed entry ${credentialId(target.namespace, target.name)} was sealed for scope ${existing.scope} and ` +
          `certificate ${existing.certificateFingerprint}; a key sealed for scope ${target.scope} and certificate ` +
          `${target.certificateFingerprint} cannot be mixed into it — re-seal all of its keys`,
      );
    }
    const keys = { ...(existing?.keys ?? {}), [key]: ciphertext };
    const fixedValues = { ...(existing?.fixedValues ?? {}) };
    if (options.fixedValue !== undefined) fixedValues[key] = options.fixedValue;
    else delete fixedValues[key];
    this.put({
      namespace: target.namespace,
      name: target.name,
      scope: target.scope,
      certificateFingerprint: target.certificateFingerprint,
      sealedAt: options.sealedAt ?? new Date().toISOString(),
      fixedValues: Object.keys(fixedValues).length > 0 ? fixedValues : undefined,
      keys,
    });
  }

  /** The file content: stable key order, 2-space indentation, trailing newline. */
  public serialize(): string {
    const credentials: Record<string, unknown> = {};
    for (const id of [...this.entriesById.keys()].sort(compare)) {
      const e = this.entriesById.get(id)!;
      credentials[id] = {
        namespace: e.namespace,
        name: e.name,
        scope: e.scope,
        certificateFingerprint: e.certificateFingerprint,
        ...(e.sealedAt !== undefined ? { sealedAt: e.sealedAt } : {}),
        ...(e.fixedValues !== undefined ? { fixedValues: sortedMap(e.fixedValues) } : {}),
        keys: sortedMap(e.keys),
      };
    }
    return JSON.stringify({ version: SEALED_STORE_VERSION, credentials }, null, 2) + '\n';
  }

  /** Writes the store (creating the directory; atomically via a temporary file and rename). */
  public save(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, this.serialize());
    renameSync(tmp, path);
  }
}

/** `namespace/name`, the id of a credential in the store. */
export function credentialId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** What {@link checkSealedEntry} checks an entry against (a `DeclaredCredential` fits). */
export interface DeclaredSealedCredential {
  readonly namespace: string;
  readonly name: string;
  readonly scope: SealingScope;
  /** Every item key the Secret must have. */
  readonly keys: readonly string[];
  /** Keys `seal --generate` may fill (used to suggest the command). */
  readonly generatedKeys?: readonly string[];
  /** Non-secret values known from the declaration; `seal` seals them automatically. */
  readonly fixedValues?: Readonly<Record<string, string>>;
}

/** Where a check runs, for the commands and paths in messages. */
export interface CheckContext {
  /** The environment, as `npm run seal -- --env <environment>` takes it. */
  readonly environment: string;
  /** The store file, named in `field`; default `sealed store`. */
  readonly storePath?: string;
  /** Severity of values sealed for another certificate; default `warning` (see {@link StoreProblemCode}). */
  readonly staleCertificate?: 'error' | 'warning';
}

/**
 * - `missing-credential`: nothing sealed for this credential.
 * - `missing-key`: a declared key has no sealed value.
 * - `scope-mismatch`: sealed with another scope (label) than declared — the controller cannot open it.
 * - `target-mismatch`: the entry's namespace/name differ from where it is stored/declared.
 * - `stale-certificate`: sealed for another certificate (public key). The controller can still open it
 *   only if it still holds that older private key, which the store cannot know.
 * - `fixed-value-changed`: a fixed (non-secret) value in the declaration differs from what was sealed.
 * - `malformed-value`: a ciphertext is not a value sealed for this certificate's key size.
 * - `undeclared-key`: a sealed key that the declaration does not have.
 */
export type StoreProblemCode =
  | 'missing-credential'
  | 'missing-key'
  | 'scope-mismatch'
  | 'target-mismatch'
  | 'stale-certificate'
  | 'fixed-value-changed'
  | 'malformed-value'
  | 'undeclared-key';

/** A problem with the sealed values of one declared credential (a {@link Problem} with a code and severity). */
export interface StoreProblem extends Problem {
  readonly code: StoreProblemCode;
  readonly severity: 'error' | 'warning';
  /** `namespace/name`. */
  readonly credential: string;
  /** The item key concerned, if one. */
  readonly key?: string;
}

/**
 * Compares a declared credential with its sealed entry (pure; no I/O). Returns every problem found, errors
 * first; an empty list means the entry can be synthesized as is.
 */
export function checkSealedEntry(
  declared: DeclaredSealedCredential,
  entry: SealedEntry | undefined,
  cert: SealingCertificate,
  context: CheckContext,
): StoreProblem[] {
  const id = credentialId(declared.namespace, declared.name);
  const where = `${context.storePath ?? 'sealed store'} credentials[${JSON.stringify(id)}]`;
  const fixed = declared.fixedValues ?? {};
  const sealAll = sealCommand(context.environment, declared, declared.keys);
  const problems: StoreProblem[] = [];
  const add = (p: Omit<StoreProblem, 'credential'>): void => {
    problems.push({ ...p, credential: id });
  };

  if (!entry) {
    add({
      code: 'missing-credential',
      severity: 'error',
      field: where,
      message: `no sealed values for ${id} (keys ${declared.keys.join(', ')})`,
      fix: `seal them with: ${sealAll}`,
    });
    return problems;
  }

  if (entry.namespace !== declared.namespace || entry.name !== declared.name) {
    add({
      code: 'target-mismatch',
      severity: 'error',
      field: where,
      message: `the entry was sealed for ${credentialId(entry.namespace, entry.name)}, not ${id} (edited by hand?)`,
      fix: `re-seal it: ${sealAll}`,
    });
  }
  if (entry.scope !== declared.scope.name) {
    add({
      code: 'scope-mismatch',
      severity: 'error',
      field: where,
      message:
        `sealed with scope ${entry.scope} but declared ${declared.scope.name}; the controller would fail with ` +
        '"no key could decrypt secret"',
      fix: `re-seal every key with the declared scope: ${sealAll}`,
    });
  }
  for (const key of declared.keys) {
    const value = entry.keys[key];
    if (value === undefined) {
      add({
        code: 'missing-key',
        severity: 'error',
        field: `${where}.keys`,
        message: `no sealed value for key ${JSON.stringify(key)}`,
        fix: `seal it with: ${sealCommand(context.environment, declared, [key])}`,
        key,
      });
      continue;
    }
    const malformed = describeMalformedSealedValue(value, cert);
    if (malformed && entry.certificateFingerprint === cert.fingerprint) {
      add({
        code: 'malformed-value',
        severity: 'error',
        field: `${where}.keys.${key}`,
        message: `the sealed value ${malformed}`,
        fix: `re-seal it: ${sealCommand(context.environment, declared, [key])}`,
        key,
      });
    }
    if (key in fixed && entry.fixedValues?.[key] !== fixed[key]) {
      const was = entry.fixedValues?.[key];
      add({
        code: 'fixed-value-changed',
        severity: 'error',
        field: `${where}.keys.${key}`,
        message:
          was === undefined
            ? `the fixed value of ${JSON.stringify(key)} is declared as ${JSON.stringify(fixed[key])}, but the store does not record which value was sealed`
            : `the fixed value of ${JSON.stringify(key)} is declared as ${JSON.stringify(fixed[key])} but ${JSON.stringify(was)} was sealed`,
        fix: `re-seal it (no input needed): ${commandFor('seal')} --env ${context.environment} --credential ${id}`,
        key,
      });
    }
  }
  if (entry.certificateFingerprint !== cert.fingerprint) {
    add({
      code: 'stale-certificate',
      severity: context.staleCertificate ?? 'warning',
      field: where,
      message:
        `sealed for certificate ${shortFingerprint(entry.certificateFingerprint)}, but the environment's ` +
        `certificate ${cert.source} is ${shortFingerprint(cert.fingerprint)}; the controller can open these values ` +
        'only while it still holds the old private key (it does after its routine key renewal, which keeps old ' +
        'keys; it does not after a cluster rebuild or a lost key)',
      fix:
        'values cannot be re-sealed offline because this repository never holds their plaintext — re-seal them ' +
        `from their source: ${sealAll}, or the whole environment at once: ${commandFor('seal')} --env ` +
        `${context.environment} --all --from-env-prefix SEAL_ --generate-missing` +
        (declared.generatedKeys?.length
          ? ` (a generated value without a SEAL_ variable gets a new value, i.e. is rotated; to keep it, read it ` +
            `from the running cluster first: kubectl -n ${declared.namespace} get secret ${declared.name} ` +
            `-o jsonpath='{.data.${declared.generatedKeys[0]}}' | base64 -d)`
          : '') +
        '; kubeseal --re-encrypt needs the running controller and rewrites a SealedSecret object, not this store',
    });
  }
  for (const key of Object.keys(entry.keys).sort(compare)) {
    if (!declared.keys.includes(key)) {
      add({
        code: 'undeclared-key',
        severity: 'warning',
        field: `${where}.keys.${key}`,
        message: `sealed key ${JSON.stringify(key)} is not declared for ${id} and is ignored`,
        fix: 'declare the key, or delete it from the store file',
        key,
      });
    }
  }
  return problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

/**
 * The `npm run seal` command that seals `keys` of a credential: generated keys with `--generate`,
 * fixed keys automatically, others from stdin (one) or files (several).
 */
export function sealCommand(environment: string, declared: DeclaredSealedCredential, keys: readonly string[]): string {
  const fixed = declared.fixedValues ?? {};
  const generated = new Set(declared.generatedKeys ?? []);
  const input = keys.filter((k) => !(k in fixed));
  const manual = input.filter((k) => !generated.has(k));
  const parts = [`${commandFor('seal')} --env ${environment} --credential ${credentialId(declared.namespace, declared.name)}`];
  for (const key of input) {
    if (generated.has(key)) parts.push(`--key ${key} --generate`);
    else if (manual.length === 1) parts.push(`--key ${key} --from-stdin`);
    else parts.push(`--key ${key} --from-file <file with ${key}>`);
  }
  return parts.join(' ');
}

function freezeEntry(e: SealedEntry): SealedEntry {
  return Object.freeze({
    namespace: e.namespace,
    name: e.name,
    scope: e.scope,
    certificateFingerprint: e.certificateFingerprint,
    ...(e.sealedAt !== undefined ? { sealedAt: e.sealedAt } : {}),
    ...(e.fixedValues !== undefined ? { fixedValues: Object.freeze({ ...e.fixedValues }) } : {}),
    keys: Object.freeze({ ...e.keys }),
  });
}

function sortedMap(m: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort(compare)) out[k] = m[k];
  return out;
}

/** Code-unit order (locale-independent, so output is the same everywhere). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringMap(v: unknown): v is Record<string, string> {
  return isObject(v) && Object.values(v).every((x) => typeof x === 'string');
}
