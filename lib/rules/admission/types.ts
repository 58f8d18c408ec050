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

/**
 * One admission rule. Every id is documented in `docs/rules.md` (generated from the rule tables by
 * `npm run gen:rules`, anchor `ruleAnchor(id)`): `2.1#N` is rule N of the webhook's Cluster rules, `W<N>` a webhook
 * warning, `2.4#…` a CRD rule, `2.6#…` a PostgreSQL parameter or pg_hba rule, `2.7#<Kind>.…` a rule of another kind,
 * `lib#…` a rule of this library only.
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
  /**
   * What the rule mirrors upstream: `<file>@v1.30.0 <function>` in cloudnative-pg (or the CRD, or PostgreSQL);
   * absent for library rules.
   */
  readonly upstream?: string;
  /** The field the rule checks (a JSON path; `[i]` for any index). */
  readonly field?: string;
  /** The usual fix. */
  readonly fix?: string;
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
