import { IConstruct } from 'constructs';

/**
 * One thing wrong with a construct's input, in the user's terms.
 */
export interface Problem {
  /** The prop or manifest field at fault, e.g. `instances` or `spec.postgresql.parameters.shared_buffers`. */
  readonly field: string;
  /** What is wrong, lower-case, no trailing period. */
  readonly message: string;
  /** The offending value, rendered with `describeValue`. Omit when there is no value (a missing prop). */
  readonly value?: unknown;
  /** What to do instead. */
  readonly fix?: string;
  /**
   * The rule broken, for rules taken from elsewhere: e.g. `2.1#32` (CloudNativePG admission rule), `W5` (admission
   * warning), `U4` (update rule, see `lib/core/update-checks.ts`). Rendered as ` [rule 2.1#32]`; the admission rules
   * are catalogued in `docs/rules.md`, each at the anchor `ruleAnchor(id)` (`2.1#32` → `docs/rules.md#2-1-32`).
   */
  readonly rule?: string;
}

const PROBLEMS = Symbol.for('cdk8s-cnpg.problems');
const GUARDED = Symbol.for('cdk8s-cnpg.plain-synth-guard');
const WARNINGS = Symbol.for('cdk8s-cnpg.warnings');

/**
 * Collects the errors and warnings of one construct.
 *
 * Errors are reported through `node.addValidation`, so cdk8s reports every error of the whole app together,
 * each prefixed with the construct path, when `app.synth()` (or `Testing.synth`) runs. Nothing is thrown
 * from constructors: a user with five mistakes sees five messages in one run.
 */
export class Problems {
  /** The collector of a construct, created on first use. */
  public static of(construct: IConstruct): Problems {
    const host = construct as unknown as { [PROBLEMS]?: Problems };
    if (!host[PROBLEMS]) {
      host[PROBLEMS] = new Problems(construct);
    }
    return host[PROBLEMS]!;
  }

  /** Every warning recorded anywhere below `root`, formatted with its construct path. */
  public static warningsBelow(root: IConstruct): string[] {
    const out: string[] = [];
    for (const c of root.node.findAll()) {
      const host = c as unknown as { [PROBLEMS]?: Problems };
      for (const w of host[PROBLEMS]?.[WARNINGS] ?? []) {
        out.push(`[${c.node.path}] ${formatProblem(w)}`);
      }
    }
    return out;
  }

  private readonly errors: Problem[] = [];
  private readonly [WARNINGS]: Problem[] = [];

  private constructor(construct: IConstruct) {
    construct.node.addValidation({ validate: () => this.errors.map(formatProblem) });
    guardPlainSynth(construct.node.root);
  }

  /** Records an error; synth fails with it. */
  public error(problem: Problem): void {
    this.errors.push(problem);
  }

  /** Records a warning; synth prints it once and goes on (or fails in strict mode). A repeated warning is kept once. */
  public warn(problem: Problem): void {
    const text = formatProblem(problem);
    if (!this[WARNINGS].some((w) => formatProblem(w) === text)) this[WARNINGS].push(problem);
  }

  /** Records an error when `ok` is false. Returns `ok`, so checks can be chained. */
  public require(ok: boolean, problem: Problem): boolean {
    if (!ok) this.error(problem);
    return ok;
  }

  /** The fields of the errors recorded so far (props or manifest fields). */
  public get errorFields(): string[] {
    return this.errors.map((p) => p.field);
  }

  /** The fields of the warnings recorded so far. */
  public get warningFields(): string[] {
    return this[WARNINGS].map((p) => p.field);
  }

  /** The errors recorded so far (formatted). */
  public get errorMessages(): string[] {
    return this.errors.map(formatProblem);
  }
}

/** `field: message (got value); fix [rule id]` */
export function formatProblem(p: Problem): string {
  const got = 'value' in p ? ` (got ${describeValue(p.value)})` : '';
  const fix = p.fix ? `; ${p.fix}` : '';
  const rule = p.rule ? ` [rule ${p.rule}]` : '';
  return `${p.field}: ${p.message}${got}${fix}${rule}`;
}

/** Renders a value for an error message: strings quoted, objects as compact JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * A consumer's plain `app.synth()` must not skip the library's safety features: the first construct of the library in
 * an App wraps that App's `synth` so that it first runs every validation, prints every warning once and, with
 * `CDK8S_CNPG_STRICT=true` (or `--strict`), fails on warnings — as `synthEnvironments` does. (Update checks against
 * the committed output and the first-sync model need the environments: they run in `synthEnvironments` only.)
 */
function guardPlainSynth(root: IConstruct): void {
  const app = root as IConstruct & { synth?: () => void; outdir?: unknown; [GUARDED]?: boolean };
  if (typeof app.synth !== 'function' || typeof app.outdir !== 'string' || app[GUARDED]) return;
  app[GUARDED] = true;
  const synth = app.synth.bind(app);
  app.synth = () => {
    const errors: string[] = [];
    for (const c of app.node.findAll()) for (const message of c.node.validate()) errors.push(`[${c.node.path}] ${message}`);
    const warnings = Problems.warningsBelow(app);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
    if ((process.env.CDK8S_CNPG_STRICT === 'true' || process.argv.includes('--strict')) && warnings.length > 0) {
      throw new Error(`strict mode: ${warnings.length} warning(s) are treated as errors:\n  ${warnings.join('\n  ')}`);
    }
    synth();
  };
}
