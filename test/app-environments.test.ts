import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import {
  CnpgCluster, commandFor, defineEnvironment, loadProjectEnvironments, planEnvironments, runCli, synthEnvironments,
} from '../lib';
import { DEFAULT_ENVIRONMENT, DEV_ENVIRONMENT, ENVIRONMENTS, REPO_ROOT } from '../main';
import { tempDir } from './support/synth';

const MAIN = path.join(REPO_ROOT, 'main.ts');

/** Runs the `cdk8s-cnpg` command in-process, capturing its output. */
async function cli(argv: string[], cwd = REPO_ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, env: {}, cwd, stdin: () => Buffer.alloc(0) });
  return { code, stdout, stderr };
}

/** Captures what is written to standard error while `fn` runs. */
function stderrOf(fn: () => void): { text: string; error?: Error } {
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    fn();
    return { text: spy.mock.calls.map((c) => String(c[0])).join('') };
  } catch (e) {
    return { text: spy.mock.calls.map((c) => String(c[0])).join(''), error: e as Error };
  } finally {
    spy.mockRestore();
  }
}

describe('environments in the library', () => {
  test('defineEnvironment: sealing material from secrets/<name>/, one production flag for environment and platform', () => {
    const env = defineEnvironment({ name: 'prod', production: true, platform: { cluster: { storageSize: '10Gi' } } }, { projectRoot: '/srv/db' });
    expect(env).toMatchObject({ name: 'prod', production: true });
    expect(env.platform).toMatchObject({
      environment: 'prod', production: true,
      sealingCertificatePath: '/srv/db/secrets/prod/sealing-cert.pem', sealedStorePath: '/srv/db/secrets/prod/sealed-values.json',
    });
  });

  test('an environment marked production (and only the environment) refuses no backups and the demo certificate', () => {
    const prod = { ...DEV_ENVIRONMENT, name: 'dev', production: true, platform: { ...DEV_ENVIRONMENT.platform, production: false } };
    const { error } = stderrOf(() => planEnvironments([prod], { outdir: tempDir(), updateChecks: false, report: () => undefined }));
    expect(error?.message).toContain('backup: a production environment needs continuous backups');
    expect(error?.message).toContain('demo');
  });

  test('synthEnvironments writes every environment, the shared Kubernetes cluster and the health checks, and reports impact lines', () => {
    const out = tempDir();
    const lines: string[] = [];
    const plan = synthEnvironments(ENVIRONMENTS, { outdir: out, updateChecks: false, report: (l) => lines.push(l), timelineDir: false });
    expect(fs.readdirSync(out).sort()).toEqual(['argocd-cm.health-checks.yaml', 'clusters', 'default', 'dev', 'dr', 'warehouse']);
    expect(fs.readdirSync(path.join(out, 'clusters')).sort()).toEqual(['dr', 'tutorial']);
    expect(plan.timelines.map((t) => t.name)).toEqual(['cluster-tutorial', 'default', 'dev', 'warehouse', 'cluster-dr', 'dr']);
    // No timelines were written outside the project's own dist/.
    expect(fs.existsSync(path.join(out, 'docs'))).toBe(false);
  });
});

describe('a plain app.synth() keeps the safety features', () => {
  const md5Cluster = () => {
    const app = new App({ outdir: tempDir() });
    const chart = new (require('cdk8s').Chart)(app, 'db', { namespace: 'db' });
    new CnpgCluster(chart, 'Db', { clusterName: 'db', storageSize: '1Gi', pgHba: ['hostssl all all 0.0.0.0/0 md5'] });
    return app;
  };

  test('warnings are printed', () => {
    const { text, error } = stderrOf(() => md5Cluster().synth());
    expect(error).toBeUndefined();
    expect(text).toContain('warning: [db/Db] pgHba → spec.postgresql.pg_hba[0]: md5 is deprecated');
  });

  test('CDK8S_CNPG_STRICT=true turns them into errors, and nothing is written', () => {
    const app = md5Cluster();
    process.env.CDK8S_CNPG_STRICT = 'true';
    try {
      const { error } = stderrOf(() => app.synth());
      expect(error?.message).toContain('strict mode: 1 warning(s) are treated as errors');
      expect(fs.readdirSync(app.outdir)).toEqual([]);
    } finally {
      delete process.env.CDK8S_CNPG_STRICT;
    }
  });
});

describe('the cdk8s-cnpg command finds the project\'s environments', () => {
  test('plan --env prints the timeline of an environment', async () => {
    const { code, stdout } = await cli(['plan', '--env', 'warehouse', '--app', MAIN]);
    expect(code).toBe(0);
    expect(stdout).toContain('# First sync of the environment warehouse');
    expect(stdout).toContain('tutorial-cluster > warehouse-root > warehouse-database  wave 2');
  });

  test('backup prints an on-demand Backup for a cluster of an environment', async () => {
    const { code, stdout } = await cli(['backup', '--env', 'default', '--cluster', 'cnpg-ha', '--app', MAIN]);
    expect(code).toBe(0);
    expect(stdout).toContain('kind: Backup');
    expect(stdout).toContain('method: plugin');
  });

  test('seal --list lists what the environment declares, sealed or not', async () => {
    const { code, stdout } = await cli(['seal', '--env', 'default', '--list', '--app', MAIN]);
    expect(code).toBe(0);
    expect(stdout).toContain('data-infra/cnpg-app-user');
  });

  test('without --app: package.json "cdk8s-cnpg".app, else the file cdk8s.yaml runs; a missing build says what to do', async () => {
    const project = tempDir();
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'language: typescript\napp: node build/main.js\n');
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'orders-db' }));
    expect(() => loadProjectEnvironments(project)).toThrow('build/main.js does not exist: build your app first');
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'orders-db', 'cdk8s-cnpg': { app: MAIN } }));
    expect(loadProjectEnvironments(project).environments.map((e) => e.name)).toEqual(['default', 'dev', 'warehouse', 'dr']);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'orders-db' }));
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'app: npx ts-node main.ts\n');
    const { code, stderr } = await cli(['plan'], project);
    expect(code).toBe(1);
    expect(stderr).toContain('cannot tell which module exports your environments: cdk8s.yaml\'s app is "npx ts-node main.ts"; pass --app <compiled module>');
  });

  test('a module without environments, and an unknown command', async () => {
    const project = tempDir();
    fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'app: node app.js\n');
    fs.writeFileSync(path.join(project, 'app.js'), 'module.exports = {};\n');
    expect((await cli(['plan'], project)).stderr).toContain('app.js does not export `environments`');
    expect((await cli(['deploy'], project)).code).toBe(2);
  });

  test('messages name the command the user has: this repository\'s npm script, or npx cdk8s-cnpg elsewhere', () => {
    expect(commandFor('seal', REPO_ROOT)).toBe('npm run seal --');
    expect(commandFor('plan', REPO_ROOT)).toBe('npm run plan:sync --');
    const elsewhere = tempDir();
    fs.writeFileSync(path.join(elsewhere, 'package.json'), JSON.stringify({ name: 'x', scripts: { seal: 'echo something else' } }));
    expect(commandFor('seal', elsewhere)).toBe('npx cdk8s-cnpg seal');
  });

  test('main.ts only declares: requiring it synthesizes nothing', () => {
    expect(DEFAULT_ENVIRONMENT.platform.sealingCertificatePath).toBe(path.join(REPO_ROOT, 'secrets', 'default', 'sealing-cert.pem'));
    const source = fs.readFileSync(MAIN, 'utf8');
    expect(source.match(/^(export )?(async )?function /gm)).toBeNull();
    expect(source).toContain('if (require.main === module) runSynth(ENVIRONMENTS);');
  });
});
