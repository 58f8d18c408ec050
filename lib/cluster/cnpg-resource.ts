/**
 * The base of every construct that renders a CloudNativePG object (`postgresql.cnpg.io`, `barmancloud.cnpg.io`), in
 * the spirit of cdk8s-plus `Resource`: the construct creates its L1 object (`apiObject`, id `Resource`), and the base
 * admits it once — CloudNativePG's admission rules (lib/rules/admission) on the rendered wire JSON, so escape hatches
 * are covered too — and maps each problem from the wire field back to the prop the user wrote, by the construct's
 * table of fields (`PropFields`).
 *
 * Constructs keep only the library's policy and wiring checks; what the webhook, the CRD or PostgreSQL reject is
 * reported by the rule, in the construct's terms (`storageSize → spec.storage.size: … [rule 2.1#50]`). Where a
 * construct does check a prop itself (a managed role, an external cluster, an extension image), its own error on
 * that prop stands and the admission problem on the same prop is not repeated.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { formatProblem, Problem, Problems } from '../core/problems';
import { isDeployed } from '../core/update-checks';
import { AdmissionProblem, AdmissionResult } from '../rules/admission';
import { admissionProblemsFor } from '../rules/admission/admit';
import '../rules/changes'; // installs the update rules of these objects into checkAppUpdates

/**
 * Wire fields (JSON paths, `[i]` for any index) and the props that render them. The longest matching path wins; a
 * path ending in `.*` maps the rest of the field too (`'spec.postgresql.parameters.*': 'parameters.*'` maps
 * `spec.postgresql.parameters.max_wal_size` to `parameters.max_wal_size`).
 */
export type PropFields = Readonly<Record<string, string>>;

/** A construct that renders one CloudNativePG object and has it admitted at synth. */
export abstract class CnpgResource extends Construct {
  /** The generated L1 object, for escape hatches (`addJsonPatch`). */
  public abstract readonly apiObject: ApiObject;

  private readonly propFields: ReadonlyArray<readonly [string, string]>;
  private admitted?: { readonly key: string; readonly result: AdmissionResult };
  private warningsRecorded = false;

  protected constructor(scope: Construct, id: string, propFields: PropFields = {}) {
    super(scope, id);
    this.propFields = Object.entries(propFields).sort(([a], [b]) => b.length - a.length);
    Problems.of(this); // the construct's own checks are validated first
    this.node.addValidation({ validate: () => this.admissionErrors() });
  }

  /** The prop that renders a wire field (`spec.storage.size` → `storageSize`), when the construct has one. */
  public propOf(field: string): string | undefined {
    const normal = field.replace(/\[\d+\]/g, '[i]');
    for (const [path, prop] of this.propFields) {
      if (path.endsWith('.*')) {
        const base = path.slice(0, -2);
        if (normal === base) return prop.replace(/\.\*$/, '');
        if (normal.startsWith(`${base}.`)) return prop.replace(/\*$/, field.slice(field.length - (normal.length - base.length - 1)));
      } else if (normal === path || normal.startsWith(`${path}.`) || normal.startsWith(`${path}[`)) {
        return prop;
      }
    }
    return undefined;
  }

  /** The admission result of the object as rendered now (computed once per rendering). */
  private admit(): AdmissionResult {
    const json = this.apiObject.toJson();
    const existing = isDeployed(this);
    const key = `${existing}|${JSON.stringify(json)}`;
    if (!this.admitted || this.admitted.key !== key) this.admitted = { key, result: admissionProblemsFor(json, { existing }) };
    return this.admitted.result;
  }

  private admissionErrors(): string[] {
    const result = this.admit();
    const problems = Problems.of(this);
    const ownErrors = problems.errorFields;
    if (!this.warningsRecorded) {
      this.warningsRecorded = true;
      const ownWarnings = problems.warningFields;
      for (const w of result.warnings) {
        const mapped = this.inPropTerms(w);
        if (!mapped.ownedBy(ownWarnings)) problems.warn(mapped.problem);
      }
    }
    return result.errors.map((e) => this.inPropTerms(e)).filter((m) => !m.ownedBy(ownErrors)).map((m) => formatProblem(m.problem));
  }

  private inPropTerms(p: AdmissionProblem): { problem: Problem; ownedBy: (fields: string[]) => boolean } {
    const prop = this.propOf(p.field);
    const problem: Problem = prop === undefined ? p : { ...p, field: `${prop} → ${p.field}` };
    // the construct checked that prop (or that field) itself: its own error is the one in the user's terms
    const related = (a: string, b: string) => {
      const x = a.toLowerCase();
      const y = b.toLowerCase();
      return x === y || x.startsWith(`${y}.`) || y.startsWith(`${x}.`);
    };
    return { problem, ownedBy: (fields) => fields.some((f) => (prop !== undefined && related(f, prop)) || related(f, p.field)) };
  }
}
