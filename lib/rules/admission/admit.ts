/**
 * Runs the admission rules on a rendered object: `clusterAdmissionProblems` (a Cluster) and `admissionProblemsFor`
 * (any CloudNativePG object, by kind). `CnpgResource` calls `admissionProblemsFor` once per rendering of its object.
 */
import { CLUSTER_RULES, clusterContext, Finding } from './cluster-rules';
import { applyClusterDefaults } from './defaults';
import { ObjectContext, OTHER_KIND_RULES } from './other-kinds';
import { AdmissionOptions, AdmissionProblem, AdmissionResult, AdmissionRule } from './types';

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
