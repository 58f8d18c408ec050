import * as fs from 'fs';
import * as path from 'path';
import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  credentialCatalogOf, defineEnvironment, Environment, KubernetesClusterDeclaration, Manifest, planEnvironments, PostgresImage, runSeal,
  TenantDeclaration,
} from '../lib';
import { DEFAULT_ENVIRONMENT } from '../main';
import { tempDir } from './support/synth';
import { validateObjects } from './support/schema';

/**
 * A platform team's fleet: one Kubernetes cluster, one environment, twenty database tenants declared once — each with
 * credentials, a Cluster, a backup store and schedule, a pooler, monitoring, guardrails and delivery.
 */
const FLEET_CLUSTER: KubernetesClusterDeclaration = {
  name: 'fleet-k8s',
  delivery: { repoUrl: 'https://git.example.com/platform/fleet.git', monitoringStack: true },
};
const TENANTS = 20;

function fleet(storePath: string, tenants = TENANTS): Environment {
  const tenant = (i: number): TenantDeclaration => ({
    name: `t${String(i).padStart(2, '0')}`,
    databaseNamespace: `db-t${String(i).padStart(2, '0')}`,
    cluster: {
      clusterName: 'pg',
      instances: 3,
      image: PostgresImage.current(17),
      storageSize: '10Gi',
      resources: { cpu: { limit: Cpu.millis(500) }, memory: { limit: Size.gibibytes(1) } },
      database: 'app',
    },
    backup: { destinationPath: `s3://fleet-backups/t${String(i).padStart(2, '0')}`, endpointUrl: 'https://s3.eu-central-1.amazonaws.com', retentionPolicy: '7d' },
  });
  return defineEnvironment({
    name: 'fleet',
    platform: {
      kubernetesCluster: FLEET_CLUSTER,
      // The demo controller certificate; the values are sealed into this test's own store.
      sealingCertificatePath: DEFAULT_ENVIRONMENT.platform.sealingCertificatePath,
      sealedStorePath: storePath,
      s3Credential: { region: 'eu-central-1' },
      cluster: { storageSize: '1Gi' },
    },
    tenants: Array.from({ length: tenants }, (_, i) => tenant(i + 1)),
  });
}

/** One seal run for every tenant of the environment (S3 keys from SEAL_* variables, passwords generated). */
async function sealAll(env: Environment): Promise<string> {
  const vars: Record<string, string> = {};
  for (const c of credentialCatalogOf([env]).credentials(env.name)) {
    for (const key of c.keys.filter((k) => !(c.generatedKeys ?? []).includes(k) && c.fixedValues?.[k] === undefined)) {
      vars[`SEAL_${c.namespace}_${c.name}_${key}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_')] = `test-only-${key}-value-0123456789`;
    }
  }
  let out = '';
  const code = await runSeal(['--env', env.name, '--all', '--from-env-prefix', 'SEAL_', '--generate-missing'], {
    stdin: () => Buffer.alloc(0), env: vars, stdout: (s) => { out += s; }, stderr: (s) => { out += s; }, readFile: (p) => fs.readFileSync(p),
  }, credentialCatalogOf([env]));
  expect([code, out]).toEqual([0, out]);
  return out;
}

describe('a fleet: twenty tenants in one environment of one Kubernetes cluster', () => {
  const dir = tempDir();
  const storePath = path.join(dir, 'sealed-values.json');
  const env = fleet(storePath);
  let repo: ReadonlyMap<string, readonly Manifest[]>;

  beforeAll(async () => {
    await sealAll(env);
    repo = planEnvironments([env], { outdir: path.join(dir, 'dist'), updateChecks: false, report: () => undefined }).repository;
  });

  test('one seal run sealed every tenant\'s credentials into the environment\'s store', () => {
    const store = JSON.parse(fs.readFileSync(storePath, 'utf8'));
    const ids = Object.keys(store.credentials);
    expect(ids.filter((id) => id.endsWith('/cnpg-app-user'))).toHaveLength(TENANTS);
    expect(ids.filter((id) => id.endsWith('/cnpg-backup-s3'))).toHaveLength(TENANTS);
  });

  test('exactly one install of each operator, and one set of operator namespaces', () => {
    const all = [...repo.values()].flat();
    const charts = all.filter((o) => o.kind === 'Application' && o.spec?.source?.chart).map((o) => o.spec.source.chart).sort();
    expect(charts).toEqual(['cert-manager', 'cloudnative-pg', 'kube-prometheus-stack', 'plugin-barman-cloud', 'sealed-secrets']);
    const namespaces = all.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
    expect(namespaces.filter((n) => ['cnpg-system', 'sealed-secrets', 'cert-manager'].includes(n))).toEqual(['cert-manager', 'cnpg-system', 'sealed-secrets']);
    expect(namespaces.filter((n) => n.startsWith('db-t'))).toHaveLength(TENANTS);
  });

  test('every tenant has its own folders, AppProject, root and Cluster; no object is declared twice', () => {
    expect([...repo.keys()].filter((k) => k.startsWith('dist/fleet/t07-')).sort()).toEqual([
      'dist/fleet/t07-argocd', 'dist/fleet/t07-backup', 'dist/fleet/t07-credentials', 'dist/fleet/t07-database', 'dist/fleet/t07-guardrails',
      'dist/fleet/t07-monitoring', 'dist/fleet/t07-namespaces',
    ]);
    const all = [...repo.values()].flat();
    const ids = all.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(all.filter((o) => o.kind === 'Cluster').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toHaveLength(TENANTS);
    const roots = repo.get('dist/clusters/fleet-k8s/argocd')!.filter((o) => o.kind === 'Application' && o.metadata.name.endsWith('-root'));
    expect(roots.map((r) => `${r.metadata.name} ${r.spec.source.path}`)).toContain('fleet-t07-root dist/fleet/t07-argocd');
    expect(repo.get('dist/fleet/t07-argocd')!.find((o) => o.kind === 'AppProject')!.spec.destinations.map((d: any) => d.namespace)).toEqual(['argocd', 'db-t07']);
  });

  test('every object passes the schema test', () => {
    expect(validateObjects([...repo.values()].flat())).toEqual([]);
  });
});

describe('fleet bad input', () => {
  test('a tenant without a Kubernetes cluster, and two tenants in one namespace', async () => {
    const dir = tempDir();
    const env = fleet(path.join(dir, 'sealed-values.json'), 2);
    const clash: Environment = { ...env, tenants: env.tenants!.map((t) => ({ ...t, databaseNamespace: 'shared' })) };
    // The seal command refuses to seal the same credential twice; seal it once, for the first tenant.
    await sealAll({ ...clash, tenants: clash.tenants!.slice(0, 1) });
    // Two tenants declare the same objects in one namespace: refused, naming both.
    expect(() => planEnvironments([clash], { outdir: dir, updateChecks: false, report: () => undefined }))
      .toThrow(/t02[^\n]*shared[^\n]*t01|t01[^\n]*shared[^\n]*t02/);
    const alone: Environment = { ...env, platform: { ...env.platform, kubernetesCluster: undefined, delivery: { repoUrl: 'https://git.example.com/x.git' } } };
    expect(() => planEnvironments([alone], { outdir: dir, updateChecks: false, report: () => undefined }))
      .toThrow('tenant: tenants share their Kubernetes cluster\'s operators, so a tenant needs kubernetesCluster (got "t01")');
  });
});
