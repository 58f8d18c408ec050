import { Problem } from '../../core/problems';

/**
 * A problem found by an admission rule: a `Problem` with the rule id. `field` is the wire field (a JSON path);
 * `CnpgResource` maps it back to the construct's prop.
 */
export interface AdmissionProblem extends Problem {
  readonly rule: string;
}

/** Errors and warnings. */
export interface AdmissionResult {
  readonly errors: AdmissionProblem[];
  readonly warnings: AdmissionProblem[];
}

/**
 * Where a rule comes from: `2.1` the validating webhook's Cluster rules, `2.3` its Cluster warnings, `2.4` the
 * Cluster CRD (schema and CEL rules, checked by the API server), `2.6` PostgreSQL parameters and `pg_hba`, `2.7` the
 * other kinds (webhook or CRD), `library` a rule of this library that CloudNativePG does not have.
 */
export type RuleSection = '2.1' | '2.3' | '2.4' | '2.6' | '2.7' | 'library';

/** Options of the admission checks. */
export interface AdmissionOptions {
  /**
   * The object already exists in the Kubernetes cluster (it is in the deployed manifests), so create-only rules
   * are skipped.
   * @default false
   */
  readonly existing?: boolean;
}
