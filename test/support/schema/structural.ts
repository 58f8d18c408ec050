/**
 * Validation of a custom resource against its CRD's `openAPIV3Schema`, with Kubernetes structural-schema semantics and
 * `kubectl apply --validate=strict` behaviour: fields the schema does not declare are errors unless
 * `x-kubernetes-preserve-unknown-fields: true`. Defaults are applied first (as the API server does before validating),
 * then types, value validations, list types and CEL rules are checked.
 */
import { celArray, compileRule, CelRule } from './cel';
import { CrdVersion } from './crds';
import {
  compilePattern,
  deepEqual,
  isPlainObject,
  joinIndex,
  joinKey,
  jsonType,
  Reporter,
  show,
  stableKey,
} from './util';

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Validates `obj` (apiVersion/kind already matched) except `metadata`, which the caller checks. */
export function validateCustomResource(crd: CrdVersion, obj: Record<string, unknown>, r: Reporter): void {
  if (!isPlainObject(crd.schema)) {
    r.add('', `CRD ${crd.crdName} (${crd.file}) has no openAPIV3Schema for version ${crd.version}`);
    return;
  }
  walk(crd.schema, applyDefaults(crd.schema, obj), '', r, true, true);
}

/**
 * Applies `default`s of absent properties, recursively (copy-on-write: the input is never mutated), like the API
 * server's structural defaulting before validation.
 */
export function applyDefaults(s: any, v: unknown): unknown {
  if (!isPlainObject(s) || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    if (!isPlainObject(s.items)) return v;
    let out: unknown[] | undefined;
    v.forEach((x, i) => {
      const d = applyDefaults(s.items, x);
      if (d !== x) (out ??= v.slice())[i] = d;
    });
    return out ?? v;
  }
  const props: Record<string, any> = isPlainObject(s.properties) ? s.properties : {};
  const addl = isPlainObject(s.additionalProperties) ? s.additionalProperties : undefined;
  let out: Record<string, unknown> | undefined;
  const obj = v as Record<string, unknown>;
  for (const [k, ps] of Object.entries(props)) {
    if (obj[k] === undefined && isPlainObject(ps) && ps.default !== undefined) {
      (out ??= { ...obj })[k] = structuredCloneJson(ps.default);
    }
  }
  const cur = out ?? obj;
  for (const [k, x] of Object.entries(cur)) {
    const cs = hasOwn(props, k) ? props[k] : addl;
    if (!cs) continue;
    const d = applyDefaults(cs, x);
    if (d !== x) (out ??= { ...obj })[k] = d;
  }
  return out ?? v;
}

function structuredCloneJson<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** `undefined` members are not part of the JSON document (cdk8s and JSON.stringify drop them). */
function present(o: Record<string, unknown>): [string, unknown][] {
  return Object.entries(o).filter(([, x]) => x !== undefined);
}

/**
 * @param strict  report undeclared fields (false inside anyOf/allOf/oneOf/not, which only hold value validations)
 * @param isRoot  the object root: `metadata` is skipped (checked by the caller) and CEL sees only metadata.name/generateName
 */
function walk(s: any, v: unknown, p: string, r: Reporter, strict: boolean, isRoot = false): void {
  if (!isPlainObject(s)) return;
  const before = r.count;

  if (v === null) {
    // The API server silently prunes nulls of non-nullable fields; for generated manifests a null is always a bug.
    if (s.nullable !== true) r.add(p, 'must not be null (the field is not nullable)');
    return;
  }

  const typeError = checkType(s, v);
  if (typeError) {
    r.add(p, typeError);
    return;
  }

  valueValidations(s, v, p, r);

  if (Array.isArray(v)) {
    walkArray(s, v, p, r, strict);
  } else if (isPlainObject(v)) {
    walkObject(s, v, p, r, strict, isRoot);
  }

  combinators(s, v, p, r);

  // CEL rules only run on a node whose own subtree is structurally valid (otherwise they would mostly report noise
  // about the same mistake).
  if (Array.isArray(s['x-kubernetes-validations']) && r.count === before) {
    celRules(s, v, p, r, isRoot);
  }
}

function checkType(s: any, v: unknown): string | undefined {
  if (s['x-kubernetes-int-or-string'] === true) {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) return undefined;
    return `must be an integer or a string (int-or-string), got ${jsonType(v)} ${show(v)}`;
  }
  let ok: boolean;
  switch (s.type) {
    case undefined:
      return undefined;
    case 'object':
      ok = isPlainObject(v);
      break;
    case 'array':
      ok = Array.isArray(v);
      break;
    case 'string':
      ok = typeof v === 'string';
      break;
    case 'integer':
      ok = typeof v === 'number' && Number.isInteger(v);
      break;
    case 'number':
      ok = typeof v === 'number' && Number.isFinite(v);
      break;
    case 'boolean':
      ok = typeof v === 'boolean';
      break;
    default:
      return `schema has unsupported type ${show(s.type)}`;
  }
  return ok ? undefined : `must be of type ${s.type}, got ${jsonType(v)} ${show(v)}`;
}

function valueValidations(s: any, v: unknown, p: string, r: Reporter): void {
  if (Array.isArray(s.enum) && !s.enum.some((e: unknown) => deepEqual(e, v))) {
    r.add(p, `Unsupported value: ${show(v)}: supported values: ${s.enum.map((e: unknown) => show(e)).join(', ')}`);
  }
  if (typeof v === 'string') {
    const len = [...v].length; // Kubernetes counts characters (runes), not UTF-16 units
    if (typeof s.maxLength === 'number' && len > s.maxLength) {
      r.add(p, `Too long: may not be longer than ${s.maxLength} characters (got ${len})`);
    }
    if (typeof s.minLength === 'number' && len < s.minLength) {
      r.add(p, `Too short: must be at least ${s.minLength} characters (got ${len}: ${show(v)})`);
    }
    if (typeof s.pattern === 'string') {
      const re = compilePattern(s.pattern);
      if (typeof re === 'string') r.add(p, `schema error: ${re}`);
      else if (!re.test(v)) r.add(p, `Invalid value: ${show(v)}: must match the pattern ${show(s.pattern)}`);
    }
    if (typeof s.format === 'string') {
      const err = checkStringFormat(s.format, v);
      if (err) r.add(p, `Invalid value: ${show(v)}: ${err}`);
    }
  }
  if (typeof v === 'number') {
    if (s.format === 'int32' && (v < -2147483648 || v > 2147483647)) r.add(p, `Invalid value: ${v}: out of int32 range`);
    if (s.format === 'int64' && Math.abs(v) >= 2 ** 63) {
      r.add(p, `Invalid value: ${v}: out of int64 range`);
    }
    if (typeof s.minimum === 'number') {
      const bad = s.exclusiveMinimum === true ? v <= s.minimum : v < s.minimum;
      if (bad) r.add(p, `Invalid value: ${v}: should be greater than ${s.exclusiveMinimum === true ? '' : 'or equal to '}${s.minimum}`);
    }
    if (typeof s.maximum === 'number') {
      const bad = s.exclusiveMaximum === true ? v >= s.maximum : v > s.maximum;
      if (bad) r.add(p, `Invalid value: ${v}: should be less than ${s.exclusiveMaximum === true ? '' : 'or equal to '}${s.maximum}`);
    }
    if (typeof s.multipleOf === 'number' && s.multipleOf > 0 && Math.abs(v / s.multipleOf - Math.round(v / s.multipleOf)) > 1e-9) {
      r.add(p, `Invalid value: ${v}: must be a multiple of ${s.multipleOf}`);
    }
  }
  if (Array.isArray(v)) {
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) r.add(p, `Too many: ${v.length}: must have at most ${s.maxItems} items`);
    if (typeof s.minItems === 'number' && v.length < s.minItems) r.add(p, `Too few: ${v.length}: must have at least ${s.minItems} items`);
  }
  if (isPlainObject(v)) {
    const n = present(v).length;
    if (typeof s.maxProperties === 'number' && n > s.maxProperties) r.add(p, `Too many: ${n}: must have at most ${s.maxProperties} properties`);
    if (typeof s.minProperties === 'number' && n < s.minProperties) r.add(p, `Too few: ${n}: must have at least ${s.minProperties} properties`);
  }
}

const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
// go-openapi strfmt durations: Go's time.ParseDuration syntax, plus d/w units and spaces ("1 d", "3h30m").
const DURATION = /^[-+]?\s*((\d+(\.\d*)?|\.\d+)\s*(ns|us|µs|ms|s|m|h|d|w|sec|second|seconds|min|minute|minutes|hour|hours|day|days|week|weeks)\s*)+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The string formats Kubernetes checks (loosely); unknown formats are accepted, as Kubernetes does. */
function checkStringFormat(format: string, v: string): string | undefined {
  switch (format) {
    case 'date-time':
      return RFC3339.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T'))) ? undefined : 'must be an RFC 3339 date-time';
    case 'date':
      return DATE.test(v) ? undefined : 'must be a date (YYYY-MM-DD)';
    case 'duration':
      return v === '0' || DURATION.test(v) ? undefined : 'must be a duration (e.g. "1h30m")';
    case 'byte':
      return BASE64.test(v) ? undefined : 'must be base64-encoded';
    case 'int32':
    case 'int64':
      return /^[-+]?\d+$/.test(v) ? undefined : `must be an ${format} integer`;
    case 'uuid':
      return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v) ? undefined : 'must be a UUID';
    case 'ipv4':
      return /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(v) ? undefined : 'must be an IPv4 address';
    default:
      return undefined;
  }
}

function walkArray(s: any, v: unknown[], p: string, r: Reporter, strict: boolean): void {
  if (isPlainObject(s.items)) v.forEach((x, i) => walk(s.items, x, joinIndex(p, i), r, strict));
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') {
    const seen = new Map<string, number>();
    v.forEach((x, i) => {
      const k = stableKey(x);
      if (seen.has(k)) r.add(joinIndex(p, i), `Duplicate value: ${show(x)} (x-kubernetes-list-type: set; same as item ${seen.get(k)})`);
      else seen.set(k, i);
    });
  } else if (listType === 'map') {
    const keys: string[] = Array.isArray(s['x-kubernetes-list-map-keys']) ? s['x-kubernetes-list-map-keys'] : [];
    const itemProps = isPlainObject(s.items?.properties) ? s.items.properties : {};
    const seen = new Map<string, number>();
    v.forEach((x, i) => {
      if (!isPlainObject(x)) return;
      const tuple: Record<string, unknown> = {};
      for (const k of keys) tuple[k] = x[k] !== undefined ? x[k] : itemProps[k]?.default;
      const id = stableKey(tuple);
      if (seen.has(id)) {
        r.add(joinIndex(p, i), `Duplicate value: ${show(tuple)} (x-kubernetes-list-type: map keyed by ${keys.join(', ')}; same as item ${seen.get(id)})`);
      } else {
        seen.set(id, i);
      }
    });
  }
}

function walkObject(s: any, v: Record<string, unknown>, p: string, r: Reporter, strict: boolean, isRoot: boolean): void {
  const props: Record<string, any> = isPlainObject(s.properties) ? s.properties : {};
  const addl = s.additionalProperties;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  for (const [k, x] of present(v)) {
    if (isRoot && k === 'metadata') continue;
    const cp = joinKey(p, k);
    if (hasOwn(props, k)) {
      walk(props[k], x, cp, r, strict);
    } else if (isPlainObject(addl)) {
      walk(addl, x, cp, r, strict);
    } else if (embedded && (k === 'apiVersion' || k === 'kind')) {
      if (typeof x !== 'string') r.add(cp, `must be of type string, got ${jsonType(x)} ${show(x)}`);
    } else if (embedded && k === 'metadata') {
      if (!isPlainObject(x)) r.add(cp, `must be of type object, got ${jsonType(x)} ${show(x)}`);
    } else if (addl === true || preserve || !strict) {
      // kept as is
    } else {
      r.add(cp, `unknown field ${JSON.stringify(k)}`);
    }
  }
  if (Array.isArray(s.required)) {
    for (const k of s.required) {
      if (v[k] === undefined) r.add(joinKey(p, k), `Required value: missing required field ${JSON.stringify(k)}`);
    }
  }
}

function combinators(s: any, v: unknown, p: string, r: Reporter): void {
  const branchIssues = (b: any): string[] => {
    const sub = new Reporter('');
    walk(b, v, p, sub, false);
    return sub.issues.map((i) => i.message);
  };
  if (Array.isArray(s.allOf)) for (const b of s.allOf) for (const m of branchIssues(b)) r.add(p, m);
  if (Array.isArray(s.anyOf) && s.anyOf.length > 0) {
    const results = s.anyOf.map(branchIssues);
    if (!results.some((x: string[]) => x.length === 0)) {
      r.add(p, `must match at least one schema of anyOf: ${results.map((x: string[]) => x.join('; ')).join(' | ')}`);
    }
  }
  if (Array.isArray(s.oneOf) && s.oneOf.length > 0) {
    const passing = s.oneOf.map(branchIssues).filter((x: string[]) => x.length === 0).length;
    if (passing !== 1) r.add(p, `must match exactly one schema of oneOf (matches ${passing})`);
  }
  if (isPlainObject(s.not) && branchIssues(s.not).length === 0) {
    r.add(p, 'must not match the schema in "not"');
  }
}

function celRules(s: any, v: unknown, p: string, r: Reporter, isRoot: boolean): void {
  let self: unknown;
  let converted = false;
  for (const rule of s['x-kubernetes-validations'] as CelRule[]) {
    const c = compileRule(rule);
    if (c.kind === 'transition') continue; // needs the old object: only meaningful on updates
    if (c.kind === 'unsupported') {
      // Never pass silently: an uncompilable rule is an issue unless allow-listed (with a reason) in cel.ts.
      if (!c.allowed) r.add(fieldPathOf(p, rule.fieldPath), `x-kubernetes-validations rule ${show(rule.rule)} cannot be evaluated by the test validator: ${c.reason}`);
      continue;
    }
    if (!converted) {
      self = toCel(s, v, isRoot);
      converted = true;
    }
    const rp = fieldPathOf(p, rule.fieldPath);
    const fallback = rule.message ?? `failed rule: ${rule.rule}`;
    let result: unknown;
    try {
      result = c.run(self);
    } catch (e) {
      r.add(rp, `${fallback} (x-kubernetes-validations rule ${show(rule.rule)} could not be evaluated: ${String((e as Error)?.message ?? e).split('\n')[0]})`);
      continue;
    }
    if (result === true) continue;
    let message = fallback;
    if (c.message) {
      try {
        const m = c.message(self);
        if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) message = m;
      } catch {
        // Kubernetes falls back to `message` (or the rule text) when messageExpression fails
      }
    }
    const suffix = result === false ? '' : ` (rule returned ${show(result)}, not a bool)`;
    r.add(rp, `Invalid value: ${message}${suffix} (x-kubernetes-validations rule: ${rule.rule})`);
  }
}

function fieldPathOf(p: string, fieldPath: unknown): string {
  if (typeof fieldPath !== 'string' || fieldPath === '') return p;
  if (fieldPath.startsWith('.')) return p ? `${p}${fieldPath}` : fieldPath.slice(1);
  return `${p}${fieldPath}`;
}

/**
 * Converts a JSON value to the CEL value Kubernetes binds to `self`, guided by the schema: `integer` → int (BigInt),
 * `number` → double, int-or-string integers → int, objects → maps, arrays → lists (built with the realm cel-js runs in).
 * At the root only apiVersion, kind, metadata.name/generateName and the schema's fields are visible, as in Kubernetes.
 */
function toCel(s: any, v: unknown, isRoot = false): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (s?.type === 'number') return v;
    return Number.isSafeInteger(v) ? BigInt(v) : v;
  }
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const HostArray = celArray();
    const out = new HostArray();
    for (const x of v) out.push(toCel(isPlainObject(s?.items) ? s.items : undefined, x));
    return out;
  }
  const out = Object.create(null);
  const props = isPlainObject(s?.properties) ? s.properties : {};
  const addl = isPlainObject(s?.additionalProperties) ? s.additionalProperties : undefined;
  for (const [k, x] of present(v as Record<string, unknown>)) {
    if (isRoot && k === 'metadata') {
      const meta = Object.create(null);
      if (isPlainObject(x)) {
        if (typeof x.name === 'string') meta.name = x.name;
        if (typeof x.generateName === 'string') meta.generateName = x.generateName;
      }
      out[k] = meta;
      continue;
    }
    out[k] = toCel(hasOwn(props, k) ? props[k] : addl, x);
  }
  return out;
}
