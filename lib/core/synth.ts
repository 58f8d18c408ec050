import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Problems } from './problems';
import { rendered, renderSession } from './render';
import { saveYamlDocuments } from './yaml-writer';

/** Options of `synthComponents`. */
export interface SynthComponentsOptions {
  /**
   * Fail when there are warnings, for CI.
   * @default false
   */
  readonly strict?: boolean;
  /**
   * Where warnings go.
   * @default - standard error
   */
  readonly warn?: (message: string) => void;
}

/** One validation error of a construct. */
export interface ConstructError {
  /** The construct path, e.g. `default/database/Cluster`. */
  readonly path: string;
  readonly message: string;
}

/**
 * Runs every construct's validation once (as cdk8s does at synth) and returns the errors with their construct paths.
 * Validations may record warnings (`Problems.warn`), so this runs before the warnings are collected.
 */
export function validateApp(app: IConstruct): ConstructError[] {
  const out: ConstructError[] = [];
  for (const c of app.node.findAll()) {
    for (const message of c.node.validate()) out.push({ path: c.node.path, message });
  }
  return out;
}

/**
 * Formats errors grouped by construct path, in the order the constructs were defined:
 *
 * ```
 * 3 errors in 2 constructs:
 *
 * [default/database/Cluster]
 *   - spec.storage.size: Size value isn't valid (got "40 gigs"); use a Kubernetes quantity such as "40Gi" [rule 2.1#50]
 * ```
 */
export function formatGroupedErrors(errors: readonly ConstructError[], noun = 'error'): string {
  const groups = new Map<string, string[]>();
  for (const e of errors) {
    const list = groups.get(e.path) ?? [];
    list.push(e.message);
    groups.set(e.path, list);
  }
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const lines = [`${plural(errors.length, noun)} in ${plural(groups.size, 'construct')}:`];
  for (const [path, messages] of groups) {
    lines.push('', `[${path}]`, ...messages.map((m) => `  - ${m}`));
  }
  return lines.join('\n');
}

/** The rendered output of an app: one file per component chart, `<chart id>/<chart id>.yaml`, with its objects. */
export interface RenderedComponent {
  /** The file, relative to the app's outdir. */
  readonly file: string;
  /** The component folder (the chart id). */
  readonly folder: string;
  readonly objects: readonly any[];
}

/**
 * Validates an app and renders each of its charts once: every construct's validation runs first, all errors of the app
 * are reported together (grouped by construct path), warnings are printed once and, in strict mode, fail.
 * Charts without objects are left out (they write no folder).
 */
export function renderComponents(app: App, options: SynthComponentsOptions = {}): RenderedComponent[] {
  // One render of each object, shared by the validations that read rendered objects and by the writers.
  return renderSession(() => validateAndRender(app, options));
}

function validateAndRender(app: App, options: SynthComponentsOptions): RenderedComponent[] {
  const charts = app.node.findAll().filter((c): c is Chart => Chart.isChart(c));
  const seen = new Map<string, Chart>();
  for (const chart of charts) {
    const other = seen.get(chart.node.id);
    if (other) {
      throw new Error(`two charts would write ${chart.node.id}/: ${other.node.path} and ${chart.node.path}; give them different ids`);
    }
    seen.set(chart.node.id, chart);
  }
  const errors = validateApp(app);
  const warnings = Problems.warningsBelow(app);
  const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  for (const w of warnings) warn(w);
  if (errors.length > 0) {
    throw new Error(formatGroupedErrors(errors));
  }
  if (options.strict && warnings.length > 0) {
    throw new Error(`strict mode: ${warnings.length} warning(s) are treated as errors:\n  ${warnings.join('\n  ')}`);
  }
  return charts
    .map((chart) => ({ file: path.join(chart.node.id, `${chart.node.id}.yaml`), folder: chart.node.id, objects: renderChart(chart) }))
    .filter((r) => r.objects.length > 0);
}

/**
 * A chart's objects as `chart.toJson()` renders them, without validating the whole app again: cdk8s' `toJson`
 * re-runs every validation of the App for each chart, which makes a synth of N charts cost N² (an app of many tenants
 * spent nearly all its time there). The app was validated once above. The library adds no construct dependencies,
 * so the order is the chart's dependency topology, as cdk8s computes it.
 */
function renderChart(chart: Chart): any[] {
  return new DependencyGraph(chart.node).topology()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    .map((o) => rendered(o));
}

/** Writes rendered components under `outdir`; returns the files written, relative to it, sorted. */
export function writeComponents(outdir: string, rendered: readonly RenderedComponent[]): string[] {
  fs.mkdirSync(outdir, { recursive: true });
  for (const { file, objects } of rendered) {
    // One folder per component, right below the outdir: a plain mkdir is several times cheaper than a recursive one,
    // which checks every parent again (a fleet writes thousands of folders).
    const dir = path.dirname(path.join(outdir, file));
    if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: path.dirname(dir) !== path.resolve(outdir) && path.dirname(dir) !== outdir });
    saveYamlDocuments(path.join(outdir, file), objects);
  }
  return rendered.map((r) => r.file).sort();
}

/**
 * Synthesizes an app into one folder per chart, `<app.outdir>/<chart id>/<chart id>.yaml`, so that each component has
 * a stable folder an Argo CD application can sync (cdk8s' own naming would add path hashes or index prefixes).
 *
 * Every construct's validation runs first; all errors of the app are reported together, grouped by construct path.
 * Warnings (including those recorded while validating) are printed once.
 * Returns the files written, relative to the output directory.
 */
export function synthComponents(app: App, options: SynthComponentsOptions = {}): string[] {
  return writeComponents(app.outdir, renderComponents(app, options));
}
