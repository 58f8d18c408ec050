import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import { Problems } from './problems';

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

/**
 * Synthesizes an app into one file per chart, `<app.outdir>/<chart id>.yaml`, so that each component has a stable
 * file an Argo CD application can select (cdk8s' own naming would add path hashes or index prefixes).
 *
 * Every construct's validation runs first and all errors of the app are reported together.
 * Returns the files written, relative to the output directory.
 */
export function synthComponents(app: App, options: SynthComponentsOptions = {}): string[] {
  const charts = app.node.findAll().filter((c): c is Chart => Chart.isChart(c));
  const warnings = Problems.warningsBelow(app);
  const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  for (const w of warnings) warn(w);
  if (options.strict && warnings.length > 0) {
    throw new Error(`strict mode: ${warnings.length} warning(s) are treated as errors:\n  ${warnings.join('\n  ')}`);
  }
  const seen = new Map<string, Chart>();
  for (const chart of charts) {
    const other = seen.get(chart.node.id);
    if (other) {
      throw new Error(`two charts would write ${chart.node.id}.yaml: ${other.node.path} and ${chart.node.id}; give them different ids`);
    }
    seen.set(chart.node.id, chart);
  }
  // The first toJson() validates the whole app (cdk8s collects every construct's errors and throws once).
  const rendered = charts.map((chart) => ({ file: `${chart.node.id}.yaml`, objects: chart.toJson() }));
  fs.mkdirSync(app.outdir, { recursive: true });
  for (const { file, objects } of rendered) {
    if (objects.length > 0) Yaml.save(path.join(app.outdir, file), objects);
  }
  return rendered.filter((r) => r.objects.length > 0).map((r) => r.file).sort();
}
