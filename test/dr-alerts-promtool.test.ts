/**
 * The disaster-recovery alerts (lib/monitoring/dr-alerts.ts) with Prometheus' own promtool: `check rules` on the
 * synthesized PrometheusRules of the repository's pair, `test rules` with test/promtool/dr-alerts.rules-test.yaml
 * (replay lag by time growing on the replica, a replica promoted outside the declaration, a primary left demoted).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { buildEnvironment, DR_ALERT_NAMES } from '../lib';
import { DEFAULT_ENVIRONMENT, DR_ENVIRONMENT } from '../main';

jest.setTimeout(120_000);
const ROOT = path.join(__dirname, '..');

function promtoolPath(): string | undefined {
  try {
    const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'install-promtool.sh')], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 }).trim().split('\n');
    const p = out[out.length - 1];
    return p && fs.existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** The DR rule groups of both sites as synthesized. */
function drGroups(): any[] {
  return [DEFAULT_ENVIRONMENT, DR_ENVIRONMENT].flatMap((env) => {
    const { platform } = buildEnvironment(env, os.tmpdir());
    const rules = platform.node.findAll().filter((c) => (c as any).kind === 'PrometheusRule').map((c) => (c as any).toJson());
    return rules.filter((r: any) => r.metadata.name.endsWith('-disaster-recovery-alerts')).flatMap((r: any) => r.spec.groups);
  });
}

test('each site gets its DR rules: the replica\'s lag and unexpected-primary alerts, the primary\'s demoted alert', () => {
  const alerts = drGroups().flatMap((g) => g.rules.map((r: any) => `${r.labels.cnpg_cluster}:${r.alert}`)).sort();
  expect(alerts).toEqual(['cnpg-ha-dr:DRReplicaReplayLagCritical', 'cnpg-ha-dr:DRReplicaReplayLagWarning', 'cnpg-ha-dr:DRReplicaUnexpectedPrimary', 'cnpg-ha:DRPrimaryDemoted']);
  expect([...DR_ALERT_NAMES].sort()).toEqual(['DRPrimaryDemoted', 'DRReplicaReplayLagCritical', 'DRReplicaReplayLagWarning', 'DRReplicaUnexpectedPrimary']);
  // the replica's standard lag alerts (30 s) would fire on WAL shipping lag: the DR set replaces them there
  const { platform } = buildEnvironment(DR_ENVIRONMENT, os.tmpdir());
  expect(platform.alertRules!.alertNames.filter((n) => n.startsWith('CNPGClusterReplicationLag'))).toEqual([]);
});

const promtool = promtoolPath();
(promtool ? describe : describe.skip)('promtool on the DR rules', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnpg-dr-promtool-'));
    const groups = drGroups();
    fs.writeFileSync(path.join(dir, 'dr-rules.yaml'), YAML.stringify({ groups }, { lineWidth: 0 }));
    const bare = groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }: any) => r) }));
    fs.writeFileSync(path.join(dir, 'dr-rules-no-annotations.yaml'), YAML.stringify({ groups: bare }, { lineWidth: 0 }));
    fs.copyFileSync(path.join(__dirname, 'promtool', 'dr-alerts.rules-test.yaml'), path.join(dir, 'dr-alerts.rules-test.yaml'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('promtool check rules', () => {
    const r = spawnSync(promtool!, ['check', 'rules', path.join(dir, 'dr-rules.yaml')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${r.stdout}\n${r.stderr}`);
    expect(r.stdout).toMatch(/SUCCESS: 4 rules found/);
  });

  test('promtool test rules: lag by time, an unexpected primary, a primary left demoted', () => {
    const r = spawnSync(promtool!, ['test', 'rules', 'dr-alerts.rules-test.yaml'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${r.stdout}\n${r.stderr}`);
    expect(r.stdout).not.toMatch(/FAILED/);
  });
});
