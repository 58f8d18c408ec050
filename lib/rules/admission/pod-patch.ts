/**
 * The `cnpg.io/podPatch` annotation as CloudNativePG 1.30.0 validates it
 * (`internal/webhook/v1/cluster_webhook.go@v1.30.0` `validatePodPatchAnnotation`): the patch is decoded
 * (`jsonpatch.DecodePatch`), then an instance Pod is built from the Cluster (`pkg/specs/pods.go@v1.30.0`
 * `NewInstance` → `buildInstance`), serialised, patched (`Patch.Apply`) and decoded back into a `corev1.Pod`
 * (`json.Unmarshal`). Any failure is "jsonpatch doesn't apply cleanly to the pod".
 *
 * Ported here:
 * - `decodeJsonPatch`, `applyJsonPatch`: `github.com/evanphx/json-patch/v5@v5.9.11` `v5/patch.go` (`DecodePatch`,
 *   `validateOperation`, `ApplyIndentWithOptions`, `findObject`, the `partialDoc`/`partialArray` containers and
 *   the `add`/`remove`/`replace`/`move`/`test`/`copy` operations), with the default options (negative indices
 *   allowed, no missing path created on add, no missing path ignored on remove);
 * - `instancePodSkeleton`: `buildInstance` (`createClusterPodSpec`, `createPostgresContainers`,
 *   `createBootstrapContainer`, `createPostgresVolumes`, `CreatePostgresVolumeMounts`, `CreateAffinitySection`,
 *   `GetPodSecurityContext`, `GetSecurityContext`), serialised as Go does (`omitempty` fields left out when empty);
 * - `podDecodeProblem`: the type errors `json.Unmarshal` reports for the fields of `corev1.Pod` modelled below.
 *
 * Not mirrored (see docs/rules.md#2-1-129): values the operator takes from its own configuration (the operator
 * image, the env hash, AppArmor annotations, `CNPG_STANDBY_TCP_USER_TIMEOUT`) are placeholders, so a `test`
 * operation on them cannot match what the operator compares; numbers are compared as numbers (Go compares `1` and
 * `1.0` byte by byte); Pod fields outside the model below are decoded without a type check; a path segment that
 * is empty walks to the same container (Go re-reads an unpatched copy).
 */
import { isQuantity } from '../../core/k8s-syntax';
import { parseImageReference, versionFromTag } from '../image-reference';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
/** Sets a key without invoking setters (a key named `__proto__` is data in a JSON patch). */
const setKey = (o: JsonObject, k: string, v: Json) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

/** Go's `json.Marshal` of a decoded `jsonpatch.Operation` (a map: keys sorted) for error messages. */
function goMarshal(v: unknown): string {
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${goMarshal(v[k])}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(goMarshal).join(',')}]`;
  return JSON.stringify(v) ?? 'null';
}

/** The JSON kind Go names in an `UnmarshalTypeError`. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v; // string, number
}

// ---------------------------------------------------------------------------------------------------------------
// DecodePatch

/** One decoded operation: `jsonpatch.Operation` is a map of raw JSON values (a `null` element decodes to nil). */
export type JsonPatchOperation = Readonly<Record<string, Json>> | null;

const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';

/** `Operation.Kind`: the `op` string, or `unknown`. */
function kindOf(op: JsonPatchOperation): string {
  return op && typeof op.op === 'string' ? op.op : 'unknown';
}

/** `Operation.Path` / `Operation.From`: the string, or the error. */
function stringField(op: JsonPatchOperation, key: 'path' | 'from'): { value: string } | { error: string } {
  const v = op && hasOwn(op, key) ? op[key] : null;
  if (v === null || v === undefined) {
    return { error: key === 'path' ? `operation missing path field: ${MISSING}` : `operation, missing from field: ${MISSING}` };
  }
  return typeof v === 'string' ? { value: v } : { error: `json: cannot unmarshal ${jsonKind(v)} into Go value of type string` };
}

/** `jsonpatch.DecodePatch`: the operations, or the error the webhook reports after "error decoding JSON patch: ". */
export function decodeJsonPatch(text: string): { readonly ops: readonly JsonPatchOperation[] } | { readonly error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // json.Valid fails: ErrInvalid
    return { error: `invalid state detected (the annotation is not valid JSON: ${(e as Error).message})` };
  }
  if (parsed === null) return { ops: [] }; // null decodes to an empty patch
  if (!Array.isArray(parsed)) return { error: `json: cannot unmarshal ${jsonKind(parsed)} into Go value of type jsonpatch.Patch` };
  const ops: JsonPatchOperation[] = [];
  for (const el of parsed) {
    if (el !== null && !isObject(el)) return { error: `json: cannot unmarshal ${jsonKind(el)} into Go value of type jsonpatch.Operation` };
    ops.push(el as JsonPatchOperation);
  }
  for (const op of ops) {
    const problem = operationProblem(op);
    if (problem) return { error: `invalid operation ${goMarshal(op)}: ${problem}` };
  }
  return { ops };
}

/** `validateOperation`. */
function operationProblem(op: JsonPatchOperation): string | undefined {
  switch (kindOf(op)) {
    case 'add':
    case 'replace':
      if (!op || !hasOwn(op, 'value')) return `failed to decode 'value': operation, missing value field: ${MISSING}`;
      break;
    case 'move':
    case 'copy': {
      const from = stringField(op, 'from');
      if ('error' in from) return `failed to decode 'from': ${from.error}`;
      break;
    }
    case 'remove':
    case 'test':
      break;
    default:
      return 'unsupported operation';
  }
  const path = stringField(op, 'path');
  return 'error' in path ? `failed to decode 'path': ${path.error}` : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Apply

type Container = JsonObject | Json[];
type Result<T> = { ok: T } | { error: string };

/** Go's `strconv.Atoi` (int64 range), with its error text. */
function atoi(s: string): Result<number> {
  if (!/^[+-]?\d+$/.test(s)) return { error: `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax` };
  const n = BigInt(s);
  if (n > BigInt('9223372036854775807') || n < BigInt('-9223372036854775808')) return { error: `strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range` };
  return { ok: Number(n) };
}

/** RFC 6901 unescaping as `decodePatchKey` does it (`~1` → `/`, then `~0` → `~`, in one left-to-right pass). */
function decodeKey(k: string): string {
  return k.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

/** `partialDoc.get` / `partialArray.get`. An empty key is the container itself. */
function get(con: Container, key: string): Result<Json> {
  if (key === '') return { ok: con };
  if (!Array.isArray(con)) {
    return hasOwn(con, key) ? { ok: con[key] } : { error: `unable to get nonexistent key: ${key}: ${MISSING}` };
  }
  const i = atoi(key);
  if ('error' in i) return i;
  let idx = i.ok;
  if (idx < 0) {
    if (idx < -con.length) return { error: `Unable to access invalid index: ${idx}: ${INVALID_INDEX}` };
    idx += con.length;
  }
  if (idx >= con.length) return { error: `Unable to access invalid index: ${idx}: ${INVALID_INDEX}` };
  return { ok: con[idx] };
}

/** `set` (the replace of an existing key or index). */
function set(con: Container, key: string, val: Json): string | undefined {
  if (!Array.isArray(con)) {
    setKey(con, key, val);
    return undefined;
  }
  const i = atoi(key);
  if ('error' in i) return i.error;
  let idx = i.ok;
  if (idx < 0) {
    if (idx < -con.length) return `Unable to access invalid index: ${idx}: ${INVALID_INDEX}`;
    idx += con.length;
  }
  con[idx] = val;
  return undefined;
}

/** `add`: a key of an object, or an insertion into an array (`-` appends). */
function add(con: Container, key: string, val: Json): string | undefined {
  if (!Array.isArray(con)) return set(con, key, val);
  if (key === '-') {
    con.push(val);
    return undefined;
  }
  const i = atoi(key);
  if ('error' in i) return `value was not a proper array index: '${key}': ${i.error}`;
  let idx = i.ok;
  const size = con.length + 1;
  if (idx >= size) return `Unable to access invalid index: ${idx}: ${INVALID_INDEX}`;
  if (idx < 0) {
    if (idx < -size) return `Unable to access invalid index: ${idx}: ${INVALID_INDEX}`;
    idx += size;
  }
  con.splice(idx, 0, val);
  return undefined;
}

/** `remove`. */
function remove(con: Container, key: string): string | undefined {
  if (!Array.isArray(con)) {
    if (!hasOwn(con, key)) return `unable to remove nonexistent key: ${key}: ${MISSING}`;
    delete con[key];
    return undefined;
  }
  const i = atoi(key);
  if ('error' in i) return i.error;
  let idx = i.ok;
  if (idx >= con.length) return `Unable to access invalid index: ${idx}: ${INVALID_INDEX}`;
  if (idx < 0) {
    if (idx < -con.length) return `Unable to access invalid index: ${idx}: ${INVALID_INDEX}`;
    idx += con.length;
  }
  con.splice(idx, 1);
  return undefined;
}

/** `findObject`: the container holding the last segment of `path`, and that segment, or undefined. */
function findObject(root: Container, path: string): { con: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return path === '' ? { con: root, key: '' } : undefined;
  let doc: Container = root;
  for (const part of split.slice(1, -1)) {
    const next = get(doc, decodeKey(part));
    if ('error' in next) return undefined;
    const v = next.ok;
    if (Array.isArray(v) || isObject(v)) doc = v;
    else return undefined; // intoDoc fails on scalars and null
  }
  return { con: doc, key: decodeKey(split[split.length - 1]) };
}

/** `lazyNode.equal` (numbers compared as numbers: the original bytes are not kept). */
function jsonEqual(a: Json, b: Json): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return a === b;
}

const clone = <T extends Json>(v: T): T => JSON.parse(JSON.stringify(v));

/**
 * `Patch.Apply`: `doc` patched by `ops` (decoded by `decodeJsonPatch`), or the first operation's error. `doc` is
 * not changed.
 */
export function applyJsonPatch(doc: Json, ops: readonly JsonPatchOperation[]): { readonly doc: Json } | { readonly error: string } {
  const state = { root: clone(doc) as Container };
  for (const op of ops) {
    const error = applyOne(state, op!);
    if (error) return { error };
  }
  return { doc: state.root };
}

function applyOne(state: { root: Container }, op: Readonly<Record<string, Json>>): string | undefined {
  const path = String(op.path);
  const value = (hasOwn(op, 'value') ? op.value : undefined) as Json | undefined;
  switch (op.op) {
    case 'add': {
      if (path === '') {
        if (Array.isArray(value) || isObject(value)) state.root = clone(value);
        else if (value !== null) return `json: cannot unmarshal ${jsonKind(value)} into Go value of type map[string]*jsonpatch.lazyNode`;
        else state.root = {};
        return undefined;
      }
      const target = findObject(state.root, path);
      if (!target) return `add operation does not apply: doc is missing path: "${path}": ${MISSING}`;
      const err = add(target.con, target.key, clone(value as Json));
      return err ? `error in add for path: '${path}': ${err}` : undefined;
    }
    case 'remove': {
      const target = findObject(state.root, path);
      if (!target) return `remove operation does not apply: doc is missing path: "${path}": ${MISSING}`;
      const err = remove(target.con, target.key);
      return err ? `error in remove for path: '${path}': ${err}` : undefined;
    }
    case 'replace': {
      if (path === '') {
        if (!Array.isArray(value) && !isObject(value)) return 'replace operation value must be object or array';
        state.root = clone(value);
        return undefined;
      }
      const target = findObject(state.root, path);
      if (!target) return `replace operation does not apply: doc is missing path: ${path}: ${MISSING}`;
      if ('error' in get(target.con, target.key)) return `replace operation does not apply: doc is missing key: ${path}: ${MISSING}`;
      const err = set(target.con, target.key, clone(value as Json));
      return err ? `error in remove for path: '${path}': ${err}` : undefined; // sic: upstream's wording
    }
    case 'move': {
      const from = String(op.from);
      if (from === '') return 'unable to move entire document to another path: invalid state detected';
      const source = findObject(state.root, from);
      if (!source) return `move operation does not apply: doc is missing from path: ${from}: ${MISSING}`;
      const val = get(source.con, source.key);
      if ('error' in val) return `error in move for path: '${source.key}': ${val.error}`;
      const removed = remove(source.con, source.key);
      if (removed) return `error in move for path: '${source.key}': ${removed}`;
      const target = findObject(state.root, path);
      if (!target) return `move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`;
      const err = add(target.con, target.key, val.ok);
      return err ? `error in move for path: '${path}': ${err}` : undefined;
    }
    case 'test': {
      const failed = `testing value ${path} failed: test failed`;
      const expected = value === undefined ? null : value;
      if (path === '') return jsonEqual(state.root, expected) ? undefined : failed;
      const target = findObject(state.root, path);
      if (!target) return `test operation does not apply: is missing path: ${path}: ${MISSING}`;
      const val = get(target.con, target.key);
      if ('error' in val) {
        if (!val.error.endsWith(`: ${MISSING}`)) return `error in test for path: '${path}': ${val.error}`;
        return expected === null ? undefined : failed;
      }
      if (expected === null) return failed;
      return jsonEqual(val.ok, expected) ? undefined : failed;
    }
    case 'copy': {
      const from = String(op.from);
      const source = findObject(state.root, from);
      if (!source) return `copy operation does not apply: doc is missing from path: "${from}": ${MISSING}`;
      const val = get(source.con, source.key);
      if ('error' in val) return `error in copy for from: '${from}': ${val.error}`;
      const target = findObject(state.root, path);
      if (!target) return `copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`;
      const err = add(target.con, target.key, clone(val.ok));
      return err ? `error while adding value during copy: ${err}` : undefined;
    }
    default:
      return `Unexpected kind: ${String(op.op)}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// json.Unmarshal into corev1.Pod (the fields modelled here)

type GoType =
  | { readonly kind: 'string' | 'bool' | 'quantity' | 'intOrString' | 'any' }
  | { readonly kind: 'int'; readonly bits: 32 | 64 }
  | { readonly kind: 'struct'; readonly name: string; readonly fields: Readonly<Record<string, GoType>> }
  | { readonly kind: 'slice'; readonly of: GoType }
  | { readonly kind: 'map'; readonly of: GoType };

const S: GoType = { kind: 'string' };
const B: GoType = { kind: 'bool' };
const I32: GoType = { kind: 'int', bits: 32 };
const I64: GoType = { kind: 'int', bits: 64 };
const Q: GoType = { kind: 'quantity' };
const IOS: GoType = { kind: 'intOrString' };
const struct = (name: string, fields: Record<string, GoType> = {}): GoType => ({ kind: 'struct', name, fields });
const slice = (of: GoType): GoType => ({ kind: 'slice', of });
const map = (of: GoType): GoType => ({ kind: 'map', of });

const PROBE = struct('Probe', {
  httpGet: struct('HTTPGetAction', { path: S, port: IOS, host: S, scheme: S, httpHeaders: slice(struct('HTTPHeader', { name: S, value: S })) }),
  tcpSocket: struct('TCPSocketAction', { port: IOS, host: S }),
  exec: struct('ExecAction', { command: slice(S) }),
  grpc: struct('GRPCAction', { port: I32, service: S }),
  initialDelaySeconds: I32, timeoutSeconds: I32, periodSeconds: I32, successThreshold: I32, failureThreshold: I32,
  terminationGracePeriodSeconds: I64,
});
const CONTAINER = struct('Container', {
  name: S, image: S, imagePullPolicy: S, workingDir: S, terminationMessagePath: S, terminationMessagePolicy: S, restartPolicy: S,
  command: slice(S), args: slice(S),
  ports: slice(struct('ContainerPort', { name: S, hostPort: I32, containerPort: I32, protocol: S, hostIP: S })),
  envFrom: slice(struct('EnvFromSource', { prefix: S, configMapRef: struct('ConfigMapEnvSource'), secretRef: struct('SecretEnvSource') })),
  env: slice(struct('EnvVar', { name: S, value: S, valueFrom: struct('EnvVarSource') })),
  resources: struct('ResourceRequirements', { limits: map(Q), requests: map(Q), claims: slice(struct('ResourceClaim')) }),
  volumeMounts: slice(struct('VolumeMount', { name: S, readOnly: B, recursiveReadOnly: S, mountPath: S, subPath: S, mountPropagation: S, subPathExpr: S })),
  volumeDevices: slice(struct('VolumeDevice', { name: S, devicePath: S })),
  livenessProbe: PROBE, readinessProbe: PROBE, startupProbe: PROBE,
  lifecycle: struct('Lifecycle'), securityContext: struct('SecurityContext'), resizePolicy: slice(struct('ContainerResizePolicy')),
  stdin: B, stdinOnce: B, tty: B,
});
const POD = struct('Pod', {
  kind: S, apiVersion: S,
  metadata: struct('ObjectMeta', {
    name: S, generateName: S, namespace: S, uid: S, resourceVersion: S, generation: I64,
    labels: map(S), annotations: map(S), finalizers: slice(S), ownerReferences: slice(struct('OwnerReference')),
  }),
  spec: struct('PodSpec', {
    volumes: slice(struct('Volume', {
      name: S, persistentVolumeClaim: struct('PersistentVolumeClaimVolumeSource', { claimName: S, readOnly: B }),
      emptyDir: struct('EmptyDirVolumeSource', { medium: S, sizeLimit: Q }), secret: struct('SecretVolumeSource'),
      configMap: struct('ConfigMapVolumeSource'), projected: struct('ProjectedVolumeSource'), ephemeral: struct('EphemeralVolumeSource'),
      image: struct('ImageVolumeSource', { reference: S, pullPolicy: S }), hostPath: struct('HostPathVolumeSource'), csi: struct('CSIVolumeSource'),
      downwardAPI: struct('DownwardAPIVolumeSource'), nfs: struct('NFSVolumeSource'),
    })),
    initContainers: slice(CONTAINER), containers: slice(CONTAINER), ephemeralContainers: slice(struct('EphemeralContainer')),
    restartPolicy: S, terminationGracePeriodSeconds: I64, activeDeadlineSeconds: I64, dnsPolicy: S, nodeSelector: map(S),
    serviceAccountName: S, serviceAccount: S, automountServiceAccountToken: B, nodeName: S, hostNetwork: B, hostPID: B, hostIPC: B,
    shareProcessNamespace: B, securityContext: struct('PodSecurityContext'), imagePullSecrets: slice(struct('LocalObjectReference', { name: S })),
    hostname: S, subdomain: S, affinity: struct('Affinity'), schedulerName: S,
    tolerations: slice(struct('Toleration', { key: S, operator: S, value: S, effect: S, tolerationSeconds: I64 })),
    hostAliases: slice(struct('HostAlias')), priorityClassName: S, priority: I32, dnsConfig: struct('PodDNSConfig'),
    readinessGates: slice(struct('PodReadinessGate')), runtimeClassName: S, enableServiceLinks: B, preemptionPolicy: S,
    overhead: map(Q), topologySpreadConstraints: slice(struct('TopologySpreadConstraint')), setHostnameAsFQDN: B,
    os: struct('PodOS', { name: S }), hostUsers: B, schedulingGates: slice(struct('PodSchedulingGate')),
    resourceClaims: slice(struct('PodResourceClaim')), resources: struct('ResourceRequirements'),
  }),
  status: struct('PodStatus'),
});

function goTypeName(t: GoType): string {
  switch (t.kind) {
    case 'struct': return `v1.${t.name}`;
    case 'slice': return `[]${goTypeName(t.of)}`;
    case 'map': return `map[string]${goTypeName(t.of)}`;
    case 'int': return `int${t.bits}`;
    case 'quantity': return 'resource.Quantity';
    case 'intOrString': return 'intstr.IntOrString';
    case 'any': return 'interface {}';
    default: return t.kind;
  }
}

/** Go's `json.Unmarshal` of `value` into `t`: the first type error, or undefined. */
function decodeProblem(value: Json, t: GoType, struct_: string, path: string[]): string | undefined {
  if (value === null || t.kind === 'any') return undefined; // null leaves the zero value
  const mismatch = (what = jsonKind(value)) => (path.length === 0
    ? `json: cannot unmarshal ${what} into Go value of type ${goTypeName(t)}`
    : `json: cannot unmarshal ${what} into Go struct field ${struct_}.${path.join('.')} of type ${goTypeName(t)}`);
  switch (t.kind) {
    case 'string': return typeof value === 'string' ? undefined : mismatch();
    case 'bool': return typeof value === 'boolean' ? undefined : mismatch();
    case 'int': {
      if (typeof value !== 'number') return mismatch();
      const limit = 2 ** (t.bits - 1);
      return Number.isInteger(value) && value >= -limit && value < limit ? undefined : mismatch(`number ${value}`);
    }
    case 'quantity':
      return (typeof value === 'string' || typeof value === 'number') && isQuantity(String(value))
        ? undefined
        : 'quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'';
    case 'intOrString':
      if (typeof value === 'string') return undefined;
      if (typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) return undefined;
      return `json: cannot unmarshal ${typeof value === 'number' ? `number ${value}` : jsonKind(value)} into Go value of type int32`;
    case 'slice':
      if (!Array.isArray(value)) return mismatch();
      for (const v of value) {
        const p = decodeProblem(v, t.of, struct_, path);
        if (p) return p;
      }
      return undefined;
    case 'map':
      if (!isObject(value)) return mismatch();
      for (const [k, v] of Object.entries(value)) {
        const p = decodeProblem(v, t.of, struct_, [...path, k]);
        if (p) return p;
      }
      return undefined;
    case 'struct': {
      if (!isObject(value)) return mismatch();
      const names = Object.keys(t.fields);
      for (const [k, v] of Object.entries(value)) {
        // encoding/json matches a key to a field exactly, else case-insensitively; unknown keys are ignored
        const name = hasOwn(t.fields, k) ? k : names.find((n) => n.toLowerCase() === k.toLowerCase());
        if (name === undefined) continue;
        const p = decodeProblem(v, t.fields[name], t.name, [...path, name]);
        if (p) return p;
      }
      return undefined;
    }
  }
  return undefined;
}

/** The error `json.Unmarshal` reports when decoding a patched Pod (for the modelled fields), or undefined. */
export function podDecodeProblem(pod: Json): string | undefined {
  return decodeProblem(pod, POD, 'Pod', []);
}

// ---------------------------------------------------------------------------------------------------------------
// buildInstance

/** Options of `instancePodSkeleton`. */
export interface InstancePodOptions {
  /**
   * The Cluster already exists, so its status is set: the instance image (`status.image`) and the image-volume
   * extensions (`status.pgDataImageInfo.extensions`) are in the Pod. At creation they are not.
   * @default false
   */
  readonly existing?: boolean;
}

const drop = (o: Record<string, unknown>): JsonObject => {
  // Go's omitempty: leave out empty strings, zero numbers, false, nil and empty slices/maps
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null || v === '' || v === 0 || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isObject(v) && Object.keys(v).length === 0 && k !== 'resources' && k !== 'emptyDir' && k !== 'status') continue;
    setKey(out, k, v as Json);
  }
  return out;
};

const asObject = (v: unknown): JsonObject => (isObject(v) ? v : {});
const asList = (v: unknown): Json[] => (Array.isArray(v) ? v : []);

/** The PostgreSQL major of the instance label (`GetPostgresqlMajorVersion`; 0 when it cannot be read). */
function majorOf(spec: JsonObject): number {
  const ref = spec.imageCatalogRef;
  if (isObject(ref)) return typeof ref.major === 'number' ? ref.major : 0;
  if (typeof spec.imageName === 'string' && spec.imageName !== '') {
    const v = versionFromTag(parseImageReference(spec.imageName).tag);
    return 'error' in v ? 0 : v.major;
  }
  return 0;
}

/** `getFailureThreshold`: ceil(delay / period), at least 1. */
function failureThreshold(delay: number, period: number): number {
  return delay <= period ? 1 : Math.ceil(delay / period);
}

function probe(path: string, period: number, user: unknown): JsonObject {
  const p: Record<string, unknown> = { httpGet: { path, port: 8000, scheme: 'HTTPS' }, timeoutSeconds: 5, periodSeconds: period };
  // Probe.ApplyInto: non-zero user values win
  const u = asObject(user);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    if (typeof u[k] === 'number' && u[k] !== 0) p[k] = u[k];
  }
  if (u.terminationGracePeriodSeconds !== undefined && u.terminationGracePeriodSeconds !== null) p.terminationGracePeriodSeconds = u.terminationGracePeriodSeconds;
  return p as JsonObject;
}

/** `GetSecurityContext` (containers) and `GetPodSecurityContext`: the defaults under the user's values. */
function securityContext(user: unknown, defaults: JsonObject): JsonObject {
  if (!isObject(user)) return defaults;
  const out = clone(user);
  for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined || out[k] === null) setKey(out, k, v);
  return out;
}

/** `CreateAffinitySection`. */
function affinity(clusterName: string, a: JsonObject): JsonObject | undefined {
  let out: JsonObject | undefined;
  if (a.enablePodAntiAffinity !== false && (a.podAntiAffinityType === 'required' || a.podAntiAffinityType === 'preferred')) {
    const term = {
      labelSelector: {
        matchExpressions: [
          { key: 'cnpg.io/cluster', operator: 'In', values: [clusterName] },
          { key: 'cnpg.io/podRole', operator: 'In', values: ['instance'] },
        ],
      },
      topologyKey: typeof a.topologyKey === 'string' && a.topologyKey !== '' ? a.topologyKey : 'kubernetes.io/hostname',
    };
    out = {
      podAntiAffinity: a.podAntiAffinityType === 'required'
        ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
        : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
    };
  }
  if (!isObject(a.additionalPodAffinity) && !isObject(a.additionalPodAntiAffinity) && !isObject(a.nodeAffinity)) return out;
  out = out ?? {};
  if (isObject(a.additionalPodAffinity)) out.podAffinity = clone(a.additionalPodAffinity);
  if (isObject(a.additionalPodAntiAffinity)) {
    const anti = asObject(out.podAntiAffinity);
    const extra = a.additionalPodAntiAffinity;
    const required = [...asList(anti.requiredDuringSchedulingIgnoredDuringExecution), ...asList(extra.requiredDuringSchedulingIgnoredDuringExecution)];
    const preferred = [...asList(anti.preferredDuringSchedulingIgnoredDuringExecution), ...asList(extra.preferredDuringSchedulingIgnoredDuringExecution)];
    out.podAntiAffinity = drop({ requiredDuringSchedulingIgnoredDuringExecution: required, preferredDuringSchedulingIgnoredDuringExecution: preferred });
  }
  if (isObject(a.nodeAffinity)) out.nodeAffinity = clone(a.nodeAffinity);
  return out;
}

/**
 * The instance Pod `buildInstance` renders for a (defaulted) Cluster, serialised as Go serialises it, for serial 1
 * with TLS: what the webhook applies `cnpg.io/podPatch` to. Values the operator takes from its own configuration
 * are placeholders (the operator image, the env hash).
 */
export function instancePodSkeleton(cluster: any, options: InstancePodOptions = {}): JsonObject {
  const meta = asObject(cluster?.metadata);
  const spec = asObject(cluster?.spec);
  const clusterName = typeof meta.name === 'string' ? meta.name : '';
  const podName = `${clusterName}-1`;
  const extensions = options.existing ? asList(asObject(spec.postgresql).extensions).filter(isObject) : [];
  const tablespaces = asList(spec.tablespaces).filter(isObject).map((t) => String(t.name ?? '')).sort();
  const tbsVolume = (n: string) => `tbs-${(n.startsWith('_') ? `1${n.slice(1)}` : n).replace(/\$/g, '-').replace(/_/g, '-').toLowerCase()}`;
  const logLevel = typeof spec.logLevel === 'string' && spec.logLevel !== '' ? [`--log-level=${spec.logLevel}`] : [];

  const mounts: Json[] = [
    { name: 'pgdata', mountPath: '/var/lib/postgresql/data' },
    { name: 'scratch-data', mountPath: '/run' },
    { name: 'scratch-data', mountPath: '/controller' },
    { name: 'shm', mountPath: '/dev/shm' },
    ...(isObject(spec.walStorage) ? [{ name: 'pg-wal', mountPath: '/var/lib/postgresql/wal' }] : []),
    ...(isObject(spec.projectedVolumeTemplate) ? [{ name: 'projected', mountPath: '/projected' }] : []),
    ...tablespaces.map((n) => ({ name: tbsVolume(n), mountPath: `/var/lib/postgresql/tablespaces/${n}` })),
    ...extensions.map((e) => ({ name: `ext-${String(e.name).replace(/_/g, '-')}`, mountPath: `/extensions/${String(e.name)}` })),
  ];
  const limits = asObject(spec.ephemeralVolumesSizeLimit);
  const volumes: Json[] = [
    { name: 'pgdata', persistentVolumeClaim: { claimName: podName } },
    isObject(spec.ephemeralVolumeSource)
      ? { name: 'scratch-data', ephemeral: clone(spec.ephemeralVolumeSource) }
      : { name: 'scratch-data', emptyDir: drop({ sizeLimit: limits.temporaryData }) },
    { name: 'shm', emptyDir: drop({ medium: 'Memory', sizeLimit: limits.shm }) },
    ...(isObject(spec.walStorage) ? [{ name: 'pg-wal', persistentVolumeClaim: { claimName: `${podName}-wal` } }] : []),
    ...tablespaces.map((n) => ({ name: tbsVolume(n), persistentVolumeClaim: { claimName: `${podName}-${tbsVolume(n)}` } })),
    ...(isObject(spec.projectedVolumeTemplate) ? [{ name: 'projected', projected: clone(spec.projectedVolumeTemplate) }] : []),
    ...extensions.map((e) => ({ name: `ext-${String(e.name).replace(/_/g, '-')}`, image: clone(asObject(e.image)) })),
  ];

  const seccomp = isObject(spec.seccompProfile) ? clone(spec.seccompProfile) : { type: 'RuntimeDefault' };
  const containerSecurity = securityContext(spec.securityContext, {
    seccompProfile: seccomp, capabilities: { drop: ['ALL'] }, privileged: false, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
  });
  const uid = typeof spec.postgresUID === 'number' ? spec.postgresUID : 26;
  const gid = typeof spec.postgresGID === 'number' ? spec.postgresGID : 26;
  const podSecurity = securityContext(spec.podSecurityContext, { seccompProfile: seccomp, runAsUser: uid, runAsGroup: gid, runAsNonRoot: true, fsGroup: gid });
  const resources = drop({ limits: asObject(asObject(spec.resources).limits), requests: asObject(asObject(spec.resources).requests), claims: asList(asObject(spec.resources).claims) });
  const pullPolicy = typeof spec.imagePullPolicy === 'string' ? spec.imagePullPolicy : '';

  const env: Json[] = [
    { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
    { name: 'POD_NAME', value: podName },
    drop({ name: 'NAMESPACE', value: meta.namespace }),
    { name: 'CLUSTER_NAME', value: clusterName },
    { name: 'PSQL_HISTORY', value: '/controller/tmp/.psql_history' },
    { name: 'PGPORT', value: '5432' },
    { name: 'PGHOST', value: '/controller/run' },
    { name: 'TMPDIR', value: '/controller/tmp' },
    ...asList(spec.env).map((e) => clone(e)),
  ];
  const probes = asObject(spec.probes);
  const startDelay = typeof spec.startDelay === 'number' && spec.startDelay > 0 ? spec.startDelay : 3600;
  const startup = probe('/startupz', 10, probes.startup);
  if (!startup.failureThreshold) startup.failureThreshold = failureThreshold(startDelay, startup.periodSeconds as number);
  const liveness = probe('/healthz', 10, probes.liveness);
  if (typeof spec.livenessProbeTimeout === 'number' && !liveness.failureThreshold) {
    liveness.failureThreshold = failureThreshold(spec.livenessProbeTimeout, liveness.periodSeconds as number);
  }
  const metricsTls = asObject(asObject(asObject(spec.monitoring).tls)).enabled === true;
  const image = options.existing ? (typeof spec.imageName === 'string' && spec.imageName !== '' ? spec.imageName : 'image-from-the-catalog') : '';

  const postgres = drop({
    name: 'postgres',
    image,
    command: ['/controller/manager', 'instance', 'run', '--status-port-tls', ...(metricsTls ? ['--metrics-port-tls'] : []), ...logLevel],
    ports: [
      { name: 'postgresql', containerPort: 5432, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9187, protocol: 'TCP' },
      { name: 'status', containerPort: 8000, protocol: 'TCP' },
    ],
    envFrom: asList(spec.envFrom).map((e) => clone(e)),
    env,
    resources,
    volumeMounts: mounts,
    livenessProbe: liveness,
    readinessProbe: probe('/readyz', 10, probes.readiness),
    startupProbe: startup,
    imagePullPolicy: pullPolicy,
    securityContext: containerSecurity,
  });
  const bootstrap = drop({
    name: 'bootstrap-controller',
    image: 'ghcr.io/cloudnative-pg/cloudnative-pg:1.30.0',
    command: ['/manager', 'bootstrap', '/controller/manager', ...logLevel],
    resources: clone(resources),
    volumeMounts: clone(mounts),
    imagePullPolicy: pullPolicy,
    securityContext: clone(containerSecurity),
  });
  const aff = asObject(spec.affinity);
  const stopDelay = typeof spec.stopDelay === 'number' && spec.stopDelay > 0 ? spec.stopDelay : 1800;

  return {
    metadata: drop({
      name: podName,
      namespace: meta.namespace,
      labels: {
        'cnpg.io/cluster': clusterName,
        'cnpg.io/instanceName': podName,
        'cnpg.io/podRole': 'instance',
        'app.kubernetes.io/name': 'postgresql',
        'app.kubernetes.io/instance': clusterName,
        'app.kubernetes.io/version': String(majorOf(spec)),
        'app.kubernetes.io/component': 'database',
        'app.kubernetes.io/managed-by': 'cloudnative-pg',
      },
      annotations: { 'cnpg.io/nodeSerial': '1', 'cnpg.io/podEnvHash': 'operator-computed-hash' },
    }),
    spec: drop({
      volumes,
      initContainers: [bootstrap],
      containers: [postgres],
      terminationGracePeriodSeconds: stopDelay,
      nodeSelector: asObject(aff.nodeSelector),
      serviceAccountName: typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '' ? spec.serviceAccountName : clusterName,
      securityContext: podSecurity,
      hostname: podName,
      affinity: affinity(clusterName, aff),
      schedulerName: spec.schedulerName,
      tolerations: asList(aff.tolerations).map((t) => clone(t)),
      priorityClassName: spec.priorityClassName,
      topologySpreadConstraints: asList(spec.topologySpreadConstraints).map((t) => clone(t)),
    }),
    status: {},
  };
}

/**
 * The webhook's verdict on a `cnpg.io/podPatch` value for a (defaulted) Cluster: undefined when it applies, else
 * the message (`error decoding JSON patch: …` or `jsonpatch doesn't apply cleanly to the pod: …`).
 */
export function podPatchProblem(patch: string, cluster: any, options: InstancePodOptions = {}): string | undefined {
  const decoded = decodeJsonPatch(patch);
  if ('error' in decoded) return `error decoding JSON patch: ${decoded.error}`;
  if (patch === '') return undefined; // buildInstance skips an empty annotation (DecodePatch rejected it already)
  const applied = applyJsonPatch(instancePodSkeleton(cluster, options), decoded.ops);
  if ('error' in applied) return `jsonpatch doesn't apply cleanly to the pod: while applying JSON patch from annotation: ${applied.error}`;
  const typeError = podDecodeProblem(applied.doc);
  return typeError ? `jsonpatch doesn't apply cleanly to the pod: while deserializing pod to JSON: ${typeError}` : undefined;
}
