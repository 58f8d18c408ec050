/**
 * Kubernetes syntax rules for object names, namespaces, labels and annotations (k8s.io/apimachinery validation).
 */
import { isPlainObject, joinKey, Reporter, show } from './util';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** apimachinery TotalAnnotationSizeLimitB */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function dns1123LabelErrors(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push(`must be no more than 63 characters (got ${v.length})`);
  if (!DNS1123_LABEL.test(v)) {
    out.push("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
  }
  return out;
}

export function dns1123SubdomainErrors(v: string): string[] {
  const out: string[] = [];
  if (v.length > 253) out.push(`must be no more than 253 characters (got ${v.length})`);
  if (!DNS1123_SUBDOMAIN.test(v)) {
    out.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
  }
  return out;
}

export function dns1035LabelErrors(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push(`must be no more than 63 characters (got ${v.length})`);
  if (!DNS1035_LABEL.test(v)) {
    out.push("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character");
  }
  return out;
}

/** apimachinery path.ValidatePathSegmentName (RBAC object names). */
export function pathSegmentNameErrors(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`];
  const out: string[] = [];
  for (const c of ['/', '%']) if (v.includes(c)) out.push(`may not contain '${c}'`);
  return out;
}

/** apimachinery IsQualifiedName: `[prefix/]name`, prefix a DNS-1123 subdomain, name ≤ 63 alphanumerics, '-', '_', '.'. */
export function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/');
  let name: string;
  const out: string[] = [];
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else for (const e of dns1123SubdomainErrors(prefix)) out.push(`prefix part ${e}`);
  } else {
    return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push(`name part must be no more than 63 characters (got ${name.length})`);
  if (name.length > 0 && !QUALIFIED_NAME_PART.test(name)) {
    out.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  }
  return out;
}

export function labelValueErrors(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push(`must be no more than 63 characters (got ${v.length})`);
  if (!LABEL_VALUE.test(v)) {
    out.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  }
  return out;
}

/** Checks `labels` and `annotations` of an ObjectMeta at `metaPath` (syntax, string values, annotation size). */
export function checkLabelsAndAnnotations(meta: Record<string, unknown>, metaPath: string, r: Reporter): void {
  const labels = meta.labels;
  const labelsPath = joinKey(metaPath, 'labels');
  if (labels !== undefined && labels !== null) {
    if (!isPlainObject(labels)) {
      r.add(labelsPath, `must be a map of strings, got ${show(labels)}`);
    } else {
      for (const [k, v] of Object.entries(labels)) {
        if (v === undefined) continue;
        const p = joinKey(labelsPath, k);
        for (const e of qualifiedNameErrors(k)) r.add(p, `Invalid label key ${show(k)}: ${e}`);
        if (typeof v !== 'string') r.add(p, `Invalid label value ${show(v)}: label values must be strings, got ${typeof v}`);
        else for (const e of labelValueErrors(v)) r.add(p, `Invalid label value ${show(v)}: ${e}`);
      }
    }
  }
  const annotations = meta.annotations;
  const annotationsPath = joinKey(metaPath, 'annotations');
  if (annotations !== undefined && annotations !== null) {
    if (!isPlainObject(annotations)) {
      r.add(annotationsPath, `must be a map of strings, got ${show(annotations)}`);
    } else {
      let total = 0;
      for (const [k, v] of Object.entries(annotations)) {
        if (v === undefined) continue;
        const p = joinKey(annotationsPath, k);
        for (const e of qualifiedNameErrors(k.toLowerCase())) r.add(p, `Invalid annotation key ${show(k)}: ${e}`);
        if (typeof v !== 'string') r.add(p, `Invalid annotation value ${show(v)}: annotation values must be strings, got ${typeof v}`);
        total += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
      }
      if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
        r.add(annotationsPath, `Too long: annotations must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes (got ${total})`);
      }
    }
  }
}

/** The name rule of a kind: which validator the API server applies to `metadata.name`. */
function nameRule(group: string, kind: string): { describe: string; errors: (v: string) => string[] } {
  if (group === '' && kind === 'Namespace') return { describe: 'DNS-1123 label', errors: dns1123LabelErrors };
  if (group === '' && kind === 'Service') return { describe: 'DNS-1035 label', errors: dns1035LabelErrors };
  if (group === 'rbac.authorization.k8s.io') return { describe: 'path segment name', errors: pathSegmentNameErrors };
  const extra = (v: string): string[] => {
    // CronJob: the controller appends an 11-character suffix to Job names (ValidateCronJob).
    if (group === 'batch' && kind === 'CronJob' && v.length > 52) return [`must be no more than 52 characters (got ${v.length})`];
    // Job: its name becomes the value of the batch.kubernetes.io/job-name label of its pods.
    if (group === 'batch' && kind === 'Job' && v.length > 63) return [`must be no more than 63 characters (got ${v.length}), it is used as a label value`];
    return [];
  };
  return { describe: 'DNS-1123 subdomain', errors: (v) => [...dns1123SubdomainErrors(v), ...extra(v)] };
}

/** Checks the top-level `metadata` of an object: name, namespace, labels and annotations. */
export function checkObjectMeta(obj: Record<string, unknown>, group: string, kind: string, r: Reporter): void {
  const meta = obj.metadata;
  if (meta === undefined || meta === null) {
    r.add('metadata', 'Required value: metadata is required');
    return;
  }
  if (!isPlainObject(meta)) {
    r.add('metadata', `must be of type object, got ${show(meta)}`);
    return;
  }
  const { name, generateName, namespace } = meta;
  if (name === undefined || name === '') {
    if (typeof generateName !== 'string' || generateName === '') r.add('metadata.name', 'Required value: name or generateName is required');
  } else if (typeof name !== 'string') {
    r.add('metadata.name', `must be of type string, got ${show(name)}`);
  } else {
    const rule = nameRule(group, kind);
    for (const e of rule.errors(name)) r.add('metadata.name', `Invalid value: ${show(name)}: ${e} (${kind} names must be a ${rule.describe})`);
  }
  if (namespace !== undefined && namespace !== '') {
    if (typeof namespace !== 'string') {
      r.add('metadata.namespace', `must be of type string, got ${show(namespace)}`);
    } else {
      for (const e of dns1123LabelErrors(namespace)) r.add('metadata.namespace', `Invalid value: ${show(namespace)}: ${e}`);
    }
  }
  checkLabelsAndAnnotations(meta, 'metadata', r);
}
