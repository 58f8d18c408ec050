/**
 * CloudNativePG's admission at synth: the rules of the 1.30 webhook, the CRDs and PostgreSQL (catalogue:
 * docs/rules.md, `npm run gen:rules`), run on the rendered wire JSON of an object, so that escape hatches (`apiObject.addJsonPatch`) are covered too.
 * Defaulting (`defaults.ts`) is applied first, as the mutating webhook does before the validating one.
 *
 * - `clusterAdmissionProblems(clusterJson)`: a Cluster.
 * - `admissionProblemsFor(obj)`: any `postgresql.cnpg.io` object, dispatched by kind.
 *
 * Constructs do not call these: every construct that renders a CloudNativePG object extends `CnpgResource`
 * (lib/cluster/cnpg-resource.ts), which admits its object once per rendering and maps the problems back to its props.
 */

export * from './types';
export { applyClusterDefaults, CNPG_DEFAULT_IMAGE, CNPG_GLOBAL_DEFAULT_PARAMETERS, isReplicaCluster, computedArchiveMode } from './defaults';
export { CLUSTER_RULES, CLUSTER_RULE_IDS } from './cluster';
export { clusterMajor, imageTag, storageSize, unknownPlaceholders } from './cluster-checks';
export { applyJsonPatch, decodeJsonPatch, instancePodSkeleton, podPatchProblem } from './pod-patch';
export type { InstancePodOptions, JsonPatchOperation } from './pod-patch';
export { renderRuleCatalogue, ruleAnchor, ruleCatalogue } from './catalogue';
export type { CatalogueRow } from './catalogue';
export type { ClusterContext } from './cluster-checks';
export { OTHER_KIND_RULES } from './kinds';
export { CNPG_VERSION, rule, runRules, sectionOf } from './rule';
export type { AdmissionRule, Finding, Hit, ObjectContext, RuleRow, SubRule, Verdict } from './rule';
export {
  CNPG_OVERRIDABLE_DEFAULT_PARAMETERS, FORBIDDEN_PARAMETERS, forbiddenParameter, parsePostgresBoolean, parseWebhookMemory, postgresParameterProblems,
} from './parameters';
export type { ForbiddenParameter, ParameterCheckOptions } from './parameters';
export { admissionProblemsFor, clusterAdmissionProblems } from './admit';
