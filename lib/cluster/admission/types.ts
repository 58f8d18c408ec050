import { Problem } from '../../core/problems';

/**
 * A problem found by an admission rule: a `Problem` with the rule id, and optionally the construct prop that
 * reports the same thing in the user's terms (the construct's own check wins, so nothing is reported twice).
 */
export interface AdmissionProblem extends Problem {
  readonly rule: string;
  /**
   * The construct prop (`Problem.field` of the construct's own check) that reports the same mistake, e.g.
   * `storageSize` for `spec.storage.size`. When the construct already reported an error for it, this problem is
   * dropped by `CnpgCluster`.
   */
  readonly propField?: string;
}

/** Errors and warnings. */
export interface AdmissionResult {
  readonly errors: AdmissionProblem[];
  readonly warnings: AdmissionProblem[];
}

/** Where a rule comes from in `docs/cnpg-operator.md`. */
export type RuleSection = '2.1' | '2.3' | '2.4' | '2.6' | '2.7' | 'library';

/**
 * One admission rule. `id` is traceable to `docs/cnpg-operator.md`: `2.1#N` is rule N of §2.1, `W<N>` a warning of
 * §2.3, `2.4#…` a CRD rule, `2.6#…` a PostgreSQL parameter or pg_hba rule, `2.7#<Kind>.…` a rule of another CRD.
 */
export interface AdmissionRule<C> {
  readonly id: string;
  readonly section: RuleSection;
  /** The webhook's (or API server's) message, or what the rule checks. */
  readonly message: string;
  readonly severity: 'error' | 'warning';
  /**
   * The rule only applies when the object is created (CloudNativePG checks `resourceVersion`), e.g. rule 69.
   * @default false
   */
  readonly createOnly?: boolean;
  readonly check: (ctx: C) => Problem[];
}

/** Options of the admission checks. */
export interface AdmissionOptions {
  /**
   * The object already exists in the Kubernetes cluster (it is in the deployed manifests), so create-only rules
   * are skipped.
   * @default false
   */
  readonly existing?: boolean;
}
