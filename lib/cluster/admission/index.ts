/**
 * CloudNativePG's admission at synth: the rules of the 1.30 webhook, the CRDs and PostgreSQL (catalogue:
 * docs/rules.md, `npm run gen:rules`), run on the rendered wire JSON of an object, so that escape hatches (`apiObject.addJsonPatch`) are covered too.
 * Defaulting (`defaults.ts`) is applied first, as the mutating webhook does before the validating one.
 *
 * - `clusterAdmissionProblems(clusterJson)`: a Cluster.
 * - `admissionProblemsFor(obj)`: any `postgresql.cnpg.io` object, dispatched by kind.
 * - `validateAdmission(construct, apiObject)`: the hook constructs register (`CnpgCluster` does).
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { formatProblem, Problems } from '../../core/problems';
import { CLUSTER_RULES, clusterContext, Finding } from './cluster-rules';
import { applyClusterDefaults } from './defaults';
import { ObjectContext, OTHER_KIND_RULES } from './other-kinds';
import { AdmissionOptions, AdmissionProblem, AdmissionResult, AdmissionRule } from './types';

export * from './types';
export { applyClusterDefaults, CNPG_DEFAULT_IMAGE, CNPG_GLOBAL_DEFAULT_PARAMETERS, isReplicaCluster, computedArchiveMode } from './defaults';
export { CLUSTER_RULES, CLUSTER_RULE_IDS, clusterMajor, imageTag, isReservedRole, storageSize, unknownPlaceholders } from './cluster-rules';
export { parseImageReference, versionFromTag } from './image-reference';
export type { ImageReference, TagVersion } from './image-reference';
export { applyJsonPatch, decodeJsonPatch, instancePodSkeleton, podPatchProblem } from './pod-patch';
export type { InstancePodOptions, JsonPatchOperation } from './pod-patch';
export { renderRuleCatalogue, ruleAnchor, ruleCatalogue } from './catalogue';
export type { CatalogueRow } from './catalogue';
export type { ClusterContext, Finding } from './cluster-rules';
export { OTHER_KIND_RULES } from './other-kinds';
export type { ObjectContext } from './other-kinds';
export {
  FORBIDDEN_PARAMETERS, forbiddenParameter, parsePostgresBoolean, parseWebhookMemory, postgresParameterProblems,
} from './parameters';
export type { ForbiddenParameter, ParameterCheckOptions } from './parameters';

const CNPG_GROUP = 'postgresql.cnpg.io';

function runRules<C>(rules: readonly AdmissionRule<C>[], ctx: C, options: AdmissionOptions): AdmissionResult {
  const errors: AdmissionProblem[] = [];
  const warnings: AdmissionProblem[] = [];
  for (const r of rules) {
    if (r.createOnly && options.existing) continue;
    let findings: Finding[];
    try {
      findings = r.check(ctx) as Finding[];
    } catch (e) {
      // A rule must never crash synth on odd input; report it so it gets fixed.
      findings = [{ field: 'spec', message: `admission rule ${r.id} could not check this object: ${(e as Error).message}` }];
    }
    for (const f of findings) {
      const { severity, ...problem } = f;
      const p: AdmissionProblem = { ...problem, rule: f.rule ?? r.id };
      if ('value' in p && p.value === undefined) delete (p as { value?: unknown }).value; // no "(got undefined)"
      ((severity ?? r.severity) === 'warning' ? warnings : errors).push(p);
    }
  }
  return { errors, warnings };
}

/**
 * The admission problems of a Cluster (wire JSON, as `apiObject.toJson()` renders it): the operator's defaults are
 * applied first, then every rule of `CLUSTER_RULES`. PostgreSQL's own verdict on a parameter (`2.6#postgres`) is
 * dropped when a webhook rule already reported that parameter.
 */
export function clusterAdmissionProblems(clusterJson: any, options: AdmissionOptions = {}): AdmissionResult {
  const ctx = clusterContext(clusterJson, applyClusterDefaults(clusterJson), options.existing === true);
  const { errors, warnings } = runRules(CLUSTER_RULES, ctx, options);
  const webhookFields = new Set(errors.filter((e) => e.rule !== '2.6#postgres').map((e) => e.field));
  return { errors: errors.filter((e) => e.rule !== '2.6#postgres' || !webhookFields.has(e.field)), warnings };
}

/**
 * The admission problems of any `postgresql.cnpg.io` object (wire JSON), by kind: Cluster, Pooler, Database,
 * Publication, Subscription, DatabaseRole, ImageCatalog, ClusterImageCatalog, Backup, ScheduledBackup. Other objects
 * have none.
 */
export function admissionProblemsFor(obj: any, options: AdmissionOptions = {}): AdmissionResult {
  const apiVersion = typeof obj?.apiVersion === 'string' ? obj.apiVersion : '';
  if (!apiVersion.startsWith(`${CNPG_GROUP}/`)) return { errors: [], warnings: [] };
  if (obj.kind === 'Cluster') return clusterAdmissionProblems(obj, options);
  const rules = OTHER_KIND_RULES[obj.kind];
  if (!rules) return { errors: [], warnings: [] };
  const ctx: ObjectContext = {
    obj,
    spec: typeof obj.spec === 'object' && obj.spec !== null ? obj.spec : {},
    name: typeof obj.metadata?.name === 'string' ? obj.metadata.name : '',
    annotations: typeof obj.metadata?.annotations === 'object' && obj.metadata.annotations !== null ? obj.metadata.annotations : {},
  };
  return runRules(rules, ctx, options);
}

const RECORDED = Symbol.for('cdk8s-cnpg.admission.recorded');
const EXISTING = Symbol.for('cdk8s-cnpg.admission.existing');

/**
 * Marks a construct's object as already deployed (it is in the deployed manifests), so create-only rules are skipped.
 * Called by the update checks (`checkAppUpdates`) before synth.
 */
export function markDeployed(construct: IConstruct): void {
  (construct as unknown as Record<symbol, boolean>)[EXISTING] = true;
}

/**
 * Registers CloudNativePG's admission rules as a validation of `construct`, run on `apiObject`'s rendered JSON at
 * synth. Errors fail synth with the construct's other errors; warnings are recorded once with `Problems.warn`. A
 * problem the construct already reported in its own terms (same prop, see `AdmissionProblem.propField`, or the same
 * text) is not reported again.
 */
export function validateAdmission(construct: IConstruct, apiObject: ApiObject): void {
  let cache: { key: string; result: AdmissionResult } | undefined;
  Problems.of(construct); // created now, so its own validation is registered before synth
  construct.node.addValidation({
    validate: () => {
      const host = construct as unknown as Record<symbol, boolean>;
      // cdk8s validates the whole app once per chart: check each rendering once
      const json = apiObject.toJson();
      const key = `${host[EXISTING] === true}|${JSON.stringify(json)}`;
      if (!cache || cache.key !== key) cache = { key, result: admissionProblemsFor(json, { existing: host[EXISTING] === true }) };
      const result = cache.result;
      const problems = Problems.of(construct);
      const ownErrors = problems.errorMessages;
      const ownWarnings = Problems.warningsBelow(construct).map((w) => w.replace(/^\[[^\]]*\] /, ''));
      const reported = (p: AdmissionProblem, own: string[]) =>
        own.includes(formatProblem(p)) || own.includes(formatProblem({ ...p, rule: undefined }))
        || (p.propField !== undefined && own.some((m) => m.startsWith(`${p.propField}:`) || m.startsWith(`${p.propField}.`))
          && (p.propField !== 'pgHba' || own.some((m) => m.startsWith('pgHba:') && m.includes(JSON.stringify(p.value)))));
      if (!host[RECORDED]) {
        host[RECORDED] = true;
        for (const w of result.warnings) if (!reported(w, ownWarnings)) problems.warn(w);
      }
      return result.errors.filter((e) => !reported(e, ownErrors)).map(formatProblem);
    },
  });
}
