/**
 * Validation of built-in kinds: types and required fields with kubernetes-models' ajv validators, unknown fields with
 * a strict walk over @kubernetes/client-node's model `attributeTypeMap`s, plus a few API-server checks that schemas
 * cannot express (workload selectors, ConfigMap/Secret keys, Service ports, container names).
 */
import { checkLabelsAndAnnotations, dns1123LabelErrors } from './meta';
import { isPlainObject, joinIndex, joinKey, jsonType, Reporter, show, splitApiVersion } from './util';

interface Attribute {
  readonly name: string;
  readonly baseName: string;
  readonly type: string;
}

export interface CoreKind {
  /** kubernetes-models class (has `validate()`). */
  readonly Model: any;
  /** @kubernetes/client-node model name of the top-level type, e.g. `V1Deployment`. */
  readonly typeName?: string;
  readonly group: string;
  readonly namespaced: boolean;
}

const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'CSIDriver', 'CSINode',
  'PriorityClass', 'RuntimeClass', 'IngressClass', 'CustomResourceDefinition', 'APIService', 'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'VolumeAttachment',
  'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration', 'ComponentStatus',
]);

const coreKinds = new Map<string, CoreKind | undefined>();

function tryRequire(id: string): any {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(id);
  } catch {
    return undefined;
  }
}

const lcfirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const ucfirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The built-in kind for apiVersion + kind, or undefined (kubernetes-models is the authority on what exists). */
export function findCoreKind(apiVersion: string, kind: string): CoreKind | undefined {
  const key = `${apiVersion}|${kind}`;
  if (coreKinds.has(key)) return coreKinds.get(key);
  let found: CoreKind | undefined;
  const { group, version } = splitApiVersion(apiVersion);
  if (/^[A-Z][A-Za-z0-9]*$/.test(kind) && /^v\d+((alpha|beta)\d+)?$/.test(version) && /^([a-z0-9-]+(\.[a-z0-9-]+)*)?$/.test(group)) {
    const mod = tryRequire(`kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`);
    const Model = mod?.[kind];
    if (Model && Model.apiVersion === apiVersion && Model.kind === kind) {
      const prefix = group === '' ? 'core' : group.split('.')[0];
      const candidates = [`${ucfirst(prefix)}${ucfirst(version)}${kind}`, `${ucfirst(version)}${kind}`];
      const typeName = candidates.find((c) => attributesOf(c) !== undefined);
      found = { Model, typeName, group, namespaced: !CLUSTER_SCOPED.has(kind) };
    }
  }
  coreKinds.set(key, found);
  return found;
}

const attributeCache = new Map<string, Attribute[] | undefined>();

/** The attributeTypeMap of a @kubernetes/client-node model (loaded per file, not the whole 1200-file index). */
export function attributesOf(typeName: string): Attribute[] | undefined {
  if (attributeCache.has(typeName)) return attributeCache.get(typeName);
  let attrs: Attribute[] | undefined;
  if (/^[A-Za-z0-9]+$/.test(typeName)) {
    const cls = tryRequire(`@kubernetes/client-node/dist/gen/model/${lcfirst(typeName)}`)?.[typeName];
    if (cls && typeof cls.getAttributeTypeMap === 'function') attrs = cls.getAttributeTypeMap();
  }
  attributeCache.set(typeName, attrs);
  return attrs;
}

export interface TypedWalkOptions {
  /** Report primitive type mismatches (kubernetes-models already does for built-in kinds). */
  readonly checkTypes: boolean;
}

const ARRAY_TYPE = /^Array<(.+)>$/;
const MAP_TYPE = /^\{ \[key: string\]: (.+); \}$/;

/**
 * Walks `v` as client-node type `type`: unknown fields are errors; nested `V1ObjectMeta`s get label/annotation checks.
 */
export function walkTyped(type: string, v: unknown, p: string, r: Reporter, opts: TypedWalkOptions): void {
  if (v === undefined || v === null) return; // null = unset for optional fields
  const typeError = (expected: string) => {
    if (opts.checkTypes) r.add(p, `must be of type ${expected}, got ${jsonType(v)} ${show(v)}`);
  };
  let m: RegExpExecArray | null;
  if ((m = ARRAY_TYPE.exec(type))) {
    if (!Array.isArray(v)) return typeError('array');
    const itemType = m[1];
    v.forEach((x, i) => walkTyped(itemType, x, joinIndex(p, i), r, opts));
    return;
  }
  if ((m = MAP_TYPE.exec(type))) {
    if (!isPlainObject(v)) return typeError('object');
    const valueType = m[1];
    for (const [k, x] of Object.entries(v)) walkTyped(valueType, x, joinKey(p, k), r, opts);
    return;
  }
  switch (type) {
    case 'string':
    case 'Date':
      if (typeof v !== 'string') typeError('string');
      return;
    case 'number':
      if (typeof v !== 'number') typeError('number');
      return;
    case 'boolean':
      if (typeof v !== 'boolean') typeError('boolean');
      return;
    case 'IntOrString':
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) typeError('integer or string');
      return;
    case 'object':
    case 'any':
      return; // free-form JSON (RawExtension, JSONSchemaProps defaults, ...)
  }
  const attrs = attributesOf(type);
  if (!attrs) {
    r.add(p, `validator error: no @kubernetes/client-node model for type ${type}`);
    return;
  }
  if (!isPlainObject(v)) return typeError('object');
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    const a = attrs.find((at) => at.baseName === k);
    const cp = joinKey(p, k);
    if (!a) {
      r.add(cp, `unknown field ${JSON.stringify(k)} (not a field of ${type})`);
    } else if (type === 'V1ObjectMeta' && (k === 'labels' || k === 'annotations')) {
      // checked by checkLabelsAndAnnotations (with Kubernetes' messages)
    } else {
      walkTyped(a.type, x, cp, r, opts);
    }
  }
  if (type === 'V1ObjectMeta' && p !== 'metadata') checkLabelsAndAnnotations(v, p, r);
  if (type === 'V1PodSpec') checkPodSpec(v, p, r);
}

/** ajv instancePath (`/spec/template/spec/containers/0/name`) → our path (`spec.template.spec.containers[0].name`). */
function resolvePointer(obj: unknown, pointer: string): { path: string; value: unknown } {
  let p = '';
  let cur: any = obj;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(seg)) p = joinIndex(p, Number(seg));
    else p = joinKey(p, seg);
    cur = cur?.[seg];
  }
  return { path: p, value: cur };
}

/** Validates a built-in kind (metadata name/labels are checked by the caller). */
export function validateCoreObject(core: CoreKind, obj: Record<string, unknown>, r: Reporter): void {
  if (!core.typeName) {
    r.add('', `validator error: @kubernetes/client-node has no model for ${obj.apiVersion} ${obj.kind}, cannot check its fields strictly`);
  } else {
    walkTyped(core.typeName, obj, '', r, { checkTypes: false });
  }
  // kubernetes-models (ajv): types, required fields, enums. Errors at a path already reported are dropped.
  const reported = new Set(r.issues.map((i) => i.path));
  const before = r.issues.length;
  try {
    new core.Model(obj).validate();
  } catch (e: any) {
    const errors: any[] = Array.isArray(e?.errors) ? e.errors : [];
    if (errors.length === 0) r.add('', `kubernetes-models validation failed: ${e?.message ?? e}`);
    const seen = new Set<string>();
    for (const err of errors) {
      const at = resolvePointer(obj, err.instancePath ?? '');
      let p = at.path;
      let msg = String(err.message ?? err.keyword);
      if (err.keyword === 'type' && err.params?.type) {
        msg = `must be of type ${err.params.type}, got ${jsonType(at.value)} ${show(at.value)}`;
      } else if (err.keyword === 'required' && err.params?.missingProperty) {
        p = joinKey(p, err.params.missingProperty);
        msg = `Required value: missing required field ${JSON.stringify(err.params.missingProperty)}`;
      } else if (err.keyword === 'enum' && Array.isArray(err.params?.allowedValues)) {
        msg = `Unsupported value: supported values: ${err.params.allowedValues.map((x: unknown) => show(x)).join(', ')}`;
      }
      const key = `${p}\0${msg}`;
      if (seen.has(key)) continue;
      seen.add(key);
      r.add(p, msg);
    }
  }
  // drop kubernetes-models duplicates of issues the walk already reported at the same path
  const added = r.issues.splice(before);
  for (const i of added) {
    if (!reported.has(i.path)) r.issues.push(i);
  }
  semanticChecks(core, obj, r);
}

// ---------------------------------------------------------------------------------------------------------------------
// API-server checks beyond the OpenAPI schema

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function checkConfigKeys(obj: Record<string, unknown>, fields: string[], base64Fields: string[], r: Reporter): void {
  const seen = new Map<string, string>();
  for (const f of fields) {
    const m = obj[f];
    if (!isPlainObject(m)) continue;
    for (const [k, v] of Object.entries(m)) {
      if (v === undefined) continue;
      const p = joinKey(f, k);
      if (k.length > 253 || !CONFIG_KEY.test(k)) {
        r.add(p, `Invalid value: ${show(k)}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (at most 253)`);
      }
      if (base64Fields.includes(f) && typeof v === 'string' && !BASE64.test(v)) {
        r.add(p, `Invalid value: ${f} values must be base64-encoded`);
      }
      if (f !== 'stringData' && seen.has(k)) r.add(p, `Invalid value: ${show(k)}: duplicate of key in ${seen.get(k)}`);
      if (f !== 'stringData') seen.set(k, f);
    }
  }
}

/** LabelSelector semantics (matchLabels + matchExpressions). */
export function selectorMatches(selector: any, labels: Record<string, unknown>): boolean {
  if (!isPlainObject(selector)) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    const values: unknown[] = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function isEmptySelector(selector: unknown): boolean {
  if (!isPlainObject(selector)) return true;
  const { matchLabels, matchExpressions } = selector as { matchLabels?: object; matchExpressions?: unknown[] };
  return Object.keys(matchLabels ?? {}).length === 0 && (matchExpressions ?? []).length === 0;
}

function checkPodSpec(spec: Record<string, unknown>, p: string, r: Reporter): void {
  const names = new Map<string, string>();
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (!isPlainObject(c) || typeof c.name !== 'string') return;
      const cp = joinKey(joinIndex(joinKey(p, field), i), 'name');
      for (const e of dns1123LabelErrors(c.name)) r.add(cp, `Invalid value: ${show(c.name)}: ${e}`);
      if (names.has(c.name)) r.add(cp, `Duplicate value: ${show(c.name)} (also ${names.get(c.name)})`);
      else names.set(c.name, `${field}[${i}]`);
    });
  }
}

const WORKLOADS = new Set(['apps|Deployment', 'apps|StatefulSet', 'apps|DaemonSet', 'apps|ReplicaSet']);

function semanticChecks(core: CoreKind, obj: Record<string, unknown>, r: Reporter): void {
  const kind = String(obj.kind);
  const spec: any = obj.spec;
  if (core.group === '' && kind === 'ConfigMap') checkConfigKeys(obj, ['data', 'binaryData'], ['binaryData'], r);
  if (core.group === '' && kind === 'Secret') checkConfigKeys(obj, ['data', 'stringData'], ['data'], r);

  if (WORKLOADS.has(`${core.group}|${kind}`) && spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    const labels = spec.template?.metadata?.labels;
    if (spec.selector !== undefined && isEmptySelector(spec.selector)) {
      r.add('spec.selector', 'Invalid value: empty selector is invalid for a workload');
    } else if (spec.selector !== undefined && !selectorMatches(spec.selector, isPlainObject(labels) ? labels : {})) {
      r.add('spec.template.metadata.labels', `Invalid value: ${show(labels ?? {})}: \`selector\` does not match template \`labels\``);
    }
  }

  if (core.group === '' && kind === 'Service' && spec !== null && typeof spec === 'object' && Array.isArray(spec.ports)) {
    const ports: any[] = spec.ports;
    const names = new Set<string>();
    ports.forEach((port, i) => {
      if (!isPlainObject(port)) return;
      const pp = joinIndex('spec.ports', i);
      if (port.name === undefined || port.name === '') {
        if (ports.length > 1) r.add(joinKey(pp, 'name'), 'Required value: ports must be named when a Service has more than one');
      } else if (typeof port.name === 'string') {
        for (const e of dns1123LabelErrors(port.name)) r.add(joinKey(pp, 'name'), `Invalid value: ${show(port.name)}: ${e}`);
        if (names.has(port.name)) r.add(joinKey(pp, 'name'), `Duplicate value: ${show(port.name)}`);
        names.add(port.name);
      }
    });
  }
}
