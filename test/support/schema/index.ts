/**
 * Strict, API-server-like validation of synthesized Kubernetes objects, for tests.
 *
 * - Custom resources: against the vendored CRDs in `crds/` (structural schema semantics, unknown fields are errors
 *   unless preserved, CEL `x-kubernetes-validations` rules evaluated with cel-js).
 * - Built-in kinds: kubernetes-models' validators (types, required fields) plus a strict unknown-field walk over
 *   @kubernetes/client-node's model type maps, plus a few API-server checks (workload selectors, config keys, ...).
 * - Names, namespaces, labels and annotations: Kubernetes syntax rules.
 *
 * Issue paths look like `Cluster data-infra/cnpg-ha: spec.instances` (`Kind namespace/name: field`).
 */
import * as fs from 'fs';
import * as YAML from 'yaml';
import { compileRule, CelRule } from './cel';
import { findCoreKind, validateCoreObject, walkTyped } from './core';
import { allCrds, findCrd, knownGroupKinds } from './crds';
import { checkObjectMeta } from './meta';
import { validateCustomResource } from './structural';
import { compilePattern, isPlainObject, joinKey, Reporter, SchemaIssue, show, splitApiVersion } from './util';

export type { SchemaIssue } from './util';

/** `Kind namespace/name` (or `Kind name`) of an object, for issue paths. */
export function describeObject(obj: any): string {
  const kind = typeof obj?.kind === 'string' && obj.kind ? obj.kind : '<no kind>';
  const meta = isPlainObject(obj?.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' && meta.name ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '<no name>';
  return typeof meta.namespace === 'string' && meta.namespace ? `${kind} ${meta.namespace}/${name}` : `${kind} ${name}`;
}

/** Validates one object (a parsed manifest document). */
export function validateObject(obj: any): SchemaIssue[] {
  const r = new Reporter(describeObject(obj));
  if (!isPlainObject(obj)) {
    r.add('', `a Kubernetes object must be a JSON object, got ${show(obj)}`);
    return r.issues;
  }
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || apiVersion === '') r.add('apiVersion', 'Required value: apiVersion must be a non-empty string');
  if (typeof kind !== 'string' || kind === '') r.add('kind', 'Required value: kind must be a non-empty string');
  if (r.count > 0) return r.issues;
  const av = apiVersion as string;
  const k = kind as string;
  const { group } = splitApiVersion(av);

  const crd = findCrd(av, k);
  if (crd) {
    if (!crd.served) r.add('apiVersion', `version ${crd.version} of ${crd.crdName} is not served`);
    checkObjectMeta(obj, group, k, r);
    if (obj.metadata !== undefined) walkTyped('V1ObjectMeta', obj.metadata, 'metadata', r, { checkTypes: true });
    validateCustomResource(crd, obj, r);
    return r.issues;
  }
  const core = findCoreKind(av, k);
  if (core) {
    checkObjectMeta(obj, group, k, r);
    validateCoreObject(core, obj, r);
    return r.issues;
  }
  const known = group ? knownGroupKinds(group) : [];
  r.add(
    'kind',
    known.length > 0
      ? `unknown kind: ${av} ${k} is not defined by crds/${group}.yaml (it defines ${known.join(', ')})`
      : `unknown kind: ${av} ${k} is neither a vendored CRD (crds/) nor a built-in Kubernetes kind`,
  );
  return r.issues;
}

function identity(obj: any): string | undefined {
  if (!isPlainObject(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || !isPlainObject(obj.metadata)) return undefined;
  const { name, namespace } = obj.metadata;
  if (typeof name !== 'string' || name === '') return undefined;
  return `${splitApiVersion(obj.apiVersion).group}|${obj.kind}|${typeof namespace === 'string' ? namespace : ''}|${name}`;
}

function validateMany(objs: { obj: any; origin?: string }[]): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const seen = new Map<string, string>();
  objs.forEach(({ obj, origin }, i) => {
    const prefix = origin ? `${origin} ` : '';
    for (const issue of validateObject(obj)) issues.push({ path: prefix + issue.path, message: issue.message });
    const id = identity(obj);
    if (id === undefined) return;
    const where = origin ?? `object #${i}`;
    if (seen.has(id)) {
      issues.push({ path: `${prefix}${describeObject(obj)}: (root)`, message: `duplicate object: the same ${obj.kind} is also defined by ${seen.get(id)}` });
    } else {
      seen.set(id, where);
    }
  });
  return issues;
}

/** Validates objects and that no two of them are the same object (group, kind, namespace, name). */
export function validateObjects(objs: any[]): SchemaIssue[] {
  return validateMany(objs.map((obj) => ({ obj })));
}

/**
 * Validates every document of multi-document YAML files (e.g. everything under dist/). Documents are parsed as YAML
 * 1.1, as kubectl does (so an unquoted `on`/`yes`/`0755` is a boolean/number there, as in a real apply). Issue paths
 * are prefixed with `file[documentIndex]`.
 */
export function validateYamlFiles(paths: string[]): SchemaIssue[] {
  const objs: { obj: any; origin?: string }[] = [];
  const issues: SchemaIssue[] = [];
  for (const file of paths) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      issues.push({ path: file, message: `cannot read: ${(e as Error).message}` });
      continue;
    }
    // go-yaml (kubectl) keeps timestamp-looking scalars as strings: drop YAML 1.1's timestamp tag
    const customTags = (tags: any[]) => tags.filter((t) => t?.tag !== 'tag:yaml.org,2002:timestamp');
    YAML.parseAllDocuments(text, { version: '1.1', uniqueKeys: true, customTags }).forEach((doc: any, i: number) => {
      const origin = `${file}[${i}]`;
      if (doc.errors?.length) {
        for (const e of doc.errors) issues.push({ path: origin, message: `YAML error: ${String(e.message).split('\n')[0]}` });
        return;
      }
      const obj = doc.toJS({ maxAliasCount: -1 });
      if (obj === null || obj === undefined) return; // empty document
      objs.push({ obj, origin });
    });
  }
  return [...issues, ...validateMany(objs)];
}

export interface UnsupportedCelRule {
  /** `clusters.postgresql.cnpg.io/v1` */
  readonly crd: string;
  /** schema path of the node holding the rule, e.g. `spec.postgresql.synchronous` (`[*]` = list items, `{*}` = map values) */
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

interface RuleSite {
  readonly crd: string;
  readonly path: string;
  readonly rule: CelRule;
}

function ruleSites(): RuleSite[] {
  const out: RuleSite[] = [];
  for (const crd of allCrds()) {
    const id = `${crd.crdName}/${crd.version}`;
    const visit = (s: any, p: string) => {
      if (!isPlainObject(s)) return;
      for (const rule of Array.isArray(s['x-kubernetes-validations']) ? s['x-kubernetes-validations'] : []) out.push({ crd: id, path: p || '(root)', rule });
      if (isPlainObject(s.properties)) for (const [k, c] of Object.entries(s.properties)) visit(c, joinKey(p, k));
      if (isPlainObject(s.items)) visit(s.items, `${p}[*]`);
      if (isPlainObject(s.additionalProperties)) visit(s.additionalProperties, `${p}{*}`);
      for (const kw of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(s[kw])) s[kw].forEach((b: any) => visit(b, p));
      if (isPlainObject(s.not)) visit(s.not, p);
    };
    visit(crd.schema, '');
  }
  return out;
}

/**
 * Every CEL rule of the vendored CRDs that cel-js cannot compile (loads all CRDs). Rules not allow-listed in
 * cel.ts are also reported as issues on each object they apply to; allow-listed ones carry their justification in
 * `reason`. Transition rules (referencing oldSelf) are skipped by design and not listed.
 */
export function unsupportedCelRules(): UnsupportedCelRule[] {
  const out: UnsupportedCelRule[] = [];
  for (const site of ruleSites()) {
    const c = compileRule(site.rule);
    if (c.kind === 'unsupported') out.push({ crd: site.crd, path: site.path, rule: site.rule.rule, reason: c.reason });
  }
  return out;
}

/** Counts of the vendored CEL rules by how they are handled (for reporting). */
export function celRuleSummary(): { evaluated: number; transitionSkipped: number; unsupported: number } {
  const summary = { evaluated: 0, transitionSkipped: 0, unsupported: 0 };
  for (const site of ruleSites()) {
    const c = compileRule(site.rule);
    if (c.kind === 'program') summary.evaluated++;
    else if (c.kind === 'transition') summary.transitionSkipped++;
    else summary.unsupported++;
  }
  return summary;
}

/** Every `pattern` of the vendored CRDs that cannot be compiled to a JS RegExp (would be reported on each use). */
export function unsupportedPatterns(): { crd: string; pattern: string; reason: string }[] {
  const out: { crd: string; pattern: string; reason: string }[] = [];
  for (const crd of allCrds()) {
    const visit = (s: any) => {
      if (Array.isArray(s)) return s.forEach(visit);
      if (!isPlainObject(s)) return;
      if (typeof s.pattern === 'string') {
        const re = compilePattern(s.pattern);
        if (typeof re === 'string') out.push({ crd: `${crd.crdName}/${crd.version}`, pattern: s.pattern, reason: re });
      }
      for (const v of Object.values(s)) if (typeof v === 'object') visit(v);
    };
    visit(crd.schema);
  }
  return out;
}

