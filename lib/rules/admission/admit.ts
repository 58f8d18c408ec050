/**
 * Runs the admission rules on a rendered object: `clusterAdmissionProblems` (a Cluster) and `admissionProblemsFor`
 * (any CloudNativePG object, by kind). `CnpgResource` calls `admissionProblemsFor` once per rendering of its object.
 */
import { CLUSTER_RULES } from './cluster';
import { clusterContext } from './cluster-checks';
import { applyClusterDefaults } from './defaults';
import { OTHER_KIND_RULES } from './kinds';
import { ObjectContext, runRules } from './rule';
import { AdmissionOptions, AdmissionResult } from './types';

const CNPG_GROUP = 'postgresql.cnpg.io';

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
