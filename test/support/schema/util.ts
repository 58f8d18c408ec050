/** Shared helpers of the schema validator (test support only). */

export interface SchemaIssue {
  /** `Kind namespace/name: field.path` (or `Kind name: ...` for objects without a namespace). */
  readonly path: string;
  readonly message: string;
}

/** Collects issues for one object; `field` paths are joined to the object's label. */
export class Reporter {
  public readonly issues: SchemaIssue[] = [];
  constructor(private readonly label: string) {}

  public add(field: string, message: string): void {
    this.issues.push({ path: `${this.label}: ${field || '(root)'}`, message });
  }

  public get count(): number {
    return this.issues.length;
  }
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `spec` + `storage` → `spec.storage`; keys that are not identifier-like are bracketed: `labels["app.kubernetes.io/name"]`. */
export function joinKey(path: string, key: string): string {
  if (PLAIN_KEY.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

export function joinIndex(path: string, index: number): string {
  return `${path}[${index}]`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON-ish type name for messages. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** A short rendering of a value for messages. */
export function show(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'bigint' ? `${v}` : JSON.stringify(v);
  } catch {
    s = String(v);
  }
  if (s === undefined) s = String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  const bk = Object.keys(bo);
  return ak.length === bk.length && ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k], bo[k]));
}

/** A stable key for uniqueness checks (`x-kubernetes-list-type: set|map`). */
export function stableKey(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableKey).join(',')}]`;
  if (isPlainObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableKey(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** Splits `group/version` (core: `v1` → group ''). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

const regexCache = new Map<string, RegExp | string>();

/**
 * Compiles an OpenAPI / RE2 pattern to a JS RegExp (cached). RE2-only syntax that JS lacks is translated where the
 * meaning is preserved: `(?P<name>` → `(?<name>`, `\z` → `$`, `\A` → `^`, and an inline `(?i)` / `(?s)` applying to the
 * rest of the pattern (at its start or right after `^`) becomes a flag. Returns an error string when not compilable.
 */
export function compilePattern(pattern: string): RegExp | string {
  const cached = regexCache.get(pattern);
  if (cached !== undefined) return cached;
  let src = pattern.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$').replace(/\\A/g, '^');
  let flags = 'u';
  const m = /^(\^?)\(\?([ims]+)\)/.exec(src);
  if (m) {
    for (const f of m[2]) if (!flags.includes(f)) flags += f;
    src = m[1] + src.slice(m[0].length);
  }
  let result: RegExp | string;
  try {
    result = new RegExp(src, flags);
  } catch (e) {
    try {
      result = new RegExp(src, flags.replace('u', ''));
    } catch {
      result = `pattern ${JSON.stringify(pattern)} cannot be compiled: ${(e as Error).message}`;
    }
  }
  regexCache.set(pattern, result);
  return result;
}
