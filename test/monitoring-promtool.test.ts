/**
 * Runs Prometheus' own `promtool` on the synthesized alert rules of two clusters that share a namespace
 * and whose names are prefixes of each other (`cnpg-ha`, `cnpg-ha-2`):
 *   - `promtool check rules` on the PrometheusRule groups exactly as synthesized;
 *   - `promtool test rules` with the unit tests in test/promtool/*.test.yaml, which feed synthetic
 *     series and assert which alerts fire (and which stay silent) for which cluster.
 * promtool comes from PATH or from scripts/install-promtool.sh (Debian's `prometheus` package unpacked
 * into .cache/promtool). In CI (`CI` set) a missing promtool fails this suite; locally it is skipped loudly.
 *
 * promtool compares annotations exactly, so the behaviour tests use a copy of the rules without
 * annotations (`rules-no-annotations.yaml`); `annotations.test.yaml` checks the rendered annotations of a
 * few alerts against the full rules (`rules.yaml`).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { CnpgCluster, Pooler } from '../lib';
import { BackupExpectation, ClusterAlertRules } from '../lib/monitoring';

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..');
const UNIT_TESTS = path.join(__dirname, 'promtool');


function locatePromtool(): { path?: string; why?: string } {
  try {
    const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'install-promtool.sh')], {
      cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000,
    });
    const lines = out.trim().split('\n');
    const p = lines[lines.length - 1];
    if (p && fs.existsSync(p)) return { path: p };
    return { why: `install-promtool.sh printed no usable path: ${out}` };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { why: `${err.message}\n${err.stderr ?? ''}` };
  }
}

/** The synthesized `spec.groups` of both clusters' PrometheusRules, in one rules file. */
function synthesizeRuleFile(): { groups: unknown[] } {
  const chart = Testing.chart();
  const a = CnpgCluster.fromClusterAttributes(chart, 'cluster-cnpg-ha', { clusterName: 'cnpg-ha', namespace: 'data-infra', instances: 3 });
  const b = CnpgCluster.fromClusterAttributes(chart, 'cluster-cnpg-ha-2', { clusterName: 'cnpg-ha-2', namespace: 'data-infra', instances: 3 });
  const poolerA = new Pooler(chart, 'pooler-a', { cluster: a, name: 'cnpg-ha-pooler', monitoring: false });
  const poolerB = new Pooler(chart, 'pooler-b', { cluster: b, name: 'cnpg-ha-pooler-2', monitoring: false });
  const common = { labels: { release: 'kube-prometheus-stack' } };
  new ClusterAlertRules(chart, 'alerts-a', { cluster: a, poolers: [poolerA], backups: BackupExpectation.every(Duration.hours(1)), ...common });
  new ClusterAlertRules(chart, 'alerts-b', { cluster: b, poolers: [poolerB], backups: BackupExpectation.every(Duration.hours(2)), ...common });
  const manifests = Testing.synth(chart).filter((m) => m.kind === 'PrometheusRule');
  expect(manifests.map((m) => m.metadata.name).sort()).toEqual(['cnpg-ha-2-alerts', 'cnpg-ha-alerts']);
  return { groups: manifests.flatMap((m) => m.spec.groups) };
}

function withoutAnnotations(file: { groups: any[] }): { groups: unknown[] } {
  return {
    groups: file.groups.map((g) => ({
      ...g,
      rules: g.rules.map(({ annotations: _drop, ...rule }: { annotations?: unknown }) => rule),
    })),
  };
}

const promtool = locatePromtool();
if (!promtool.path) {
  const banner = '!'.repeat(100);
  // eslint-disable-next-line no-console
  console.warn(`${banner}\n  promtool is not available: the Prometheus rule tests are ${process.env.CI ? 'FAILING (CI)' : 'SKIPPED (local run)'}\n  ${promtool.why}\n${banner}`);
}

test('promtool is available (required in CI)', () => {
  if (!promtool.path && process.env.CI) {
    throw new Error(`promtool is required in CI: ${promtool.why}`);
  }
});

const maybe = promtool.path ? describe : describe.skip;

maybe('promtool on the synthesized alert rules of cnpg-ha and cnpg-ha-2 (same namespace)', () => {
  let dir: string;

  beforeAll(() => {
    dir = process.env.PROMTOOL_WORKDIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cnpg-promtool-'));
    fs.mkdirSync(dir, { recursive: true });
    const rules = synthesizeRuleFile();
    fs.writeFileSync(path.join(dir, 'rules.yaml'), YAML.stringify(rules, { lineWidth: 0 }));
    fs.writeFileSync(path.join(dir, 'rules-no-annotations.yaml'), YAML.stringify(withoutAnnotations(rules as { groups: any[] }), { lineWidth: 0 }));
    for (const f of fs.readdirSync(UNIT_TESTS)) {
      if (f.endsWith('.test.yaml')) fs.copyFileSync(path.join(UNIT_TESTS, f), path.join(dir, f));
    }
  });

  afterAll(() => {
    if (dir && !process.env.PROMTOOL_WORKDIR) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('promtool check rules accepts the rules exactly as synthesized', () => {
    const r = spawnSync(promtool.path!, ['check', 'rules', path.join(dir, 'rules.yaml')], { encoding: 'utf8' });
    const out = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0) throw new Error(`promtool check rules failed:\n${out}`);
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  test('promtool test rules: each alert fires when it should, stays silent otherwise, never for the other cluster', () => {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.yaml')).sort();
    expect(files.length).toBeGreaterThanOrEqual(5);
    const r = spawnSync(promtool.path!, ['test', 'rules', ...files], { cwd: dir, encoding: 'utf8' });
    const out = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0) throw new Error(`promtool test rules failed:\n${out}`);
    expect(out).not.toMatch(/FAILED/);
  });
});
