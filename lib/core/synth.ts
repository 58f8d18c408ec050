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
 * Synthesizes an app into one folder per chart, `<app.outdir>/<chart id>/<chart id>.yaml`, so that each component has
 * a stable folder an Argo CD application can sync (cdk8s' own naming would add path hashes or index prefixes).
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
      throw new Error(`two charts would write ${chart.node.id}/: ${other.node.path} and ${chart.node.path}; give them different ids`);
    }
    seen.set(chart.node.id, chart);
  }
  // The first toJson() validates the whole app (cdk8s collects every construct's errors and throws once).
  const rendered = charts.map((chart) => ({ file: path.join(chart.node.id, `${chart.node.id}.yaml`), objects: chart.toJson() }));
  for (const { file, objects } of rendered) {
    if (objects.length === 0) continue;
    fs.mkdirSync(path.dirname(path.join(app.outdir, file)), { recursive: true });
    Yaml.save(path.join(app.outdir, file), objects);
  }
  return rendered.filter((r) => r.objects.length > 0).map((r) => r.file).sort();
}
