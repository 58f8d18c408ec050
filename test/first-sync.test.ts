import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { CHART_PINS, IMAGE_PINS } from '../lib/core/pins';
import {
  Environment, FirstSyncProblem, KubernetesClusterDeclaration, planEnvironments, KubernetesClusterPlatform, Manifest, modelFirstSync, OperatorDelivery,
  OperatorReleases, readManifestRepository,
} from '../lib';
import { DEFAULT_ENVIRONMENT, DEV_ENVIRONMENT, ENVIRONMENTS, REPO_ROOT, TUTORIAL_CLUSTER, WAREHOUSE_ENVIRONMENT } from '../main';

const planAll = (outdir: string, options: { environments?: readonly Environment[]; updateChecks?: boolean }) =>
  planEnvironments(options.environments ?? ENVIRONMENTS, { outdir, updateChecks: options.updateChecks, report: () => undefined });
import { synthError, tempDir } from './support/synth';

/** The committed dist/ as it was before issue 13: every defect the issue lists is in it. */
const BEFORE = path.join(__dirname, 'fixtures', 'first-sync', 'before-issue-13');
const before = readManifestRepository(BEFORE);
const now = readManifestRepository(REPO_ROOT);

const findings = (problems: readonly FirstSyncProblem[], text: string) => problems.filter((p) => `${p.object}: ${p.missing}`.includes(text));

describe('the first-sync model on the dist/ of before issue 13 finds each defect the issue lists', () => {
  const defaultAlone = modelFirstSync(before, { mode: 'argocd', bootstrapFolders: ['dist/default/argocd'] });

  test('1. the Sealed Secrets chart comes from the retired bitnami-labs repository, which has no chart table entry', () => {
    const [p] = findings(defaultAlone.problems, 'from https://bitnami-labs.github.io/sealed-secrets has no entry in the chart table');
    expect(p).toMatchObject({ application: 'default-operator-sealed-secrets-controller', object: 'HelmRelease sealed-secrets/sealed-secrets-controller (sealed-secrets 2.20.0)' });
    // Today's pin is the bitnami.github.io repository.
    expect(CHART_PINS.sealedSecrets.repository).toBe('https://bitnami.github.io/sealed-secrets');
  });

  test('2. nothing creates the cert-manager namespace, while operator Applications set CreateNamespace=false', () => {
    expect(findings(defaultAlone.problems, 'namespace cert-manager ((the release)) does not exist')).toEqual([
      expect.objectContaining({ application: 'default-operator-cert-manager', fix: 'create cert-manager in an earlier wave' }),
    ]);
  });

  test('3. the AppProject forbids kube-system, where cert-manager puts its leader-election Roles', () => {
    const found = findings(defaultAlone.problems, 'does not permit namespace kube-system');
    expect(found.map((p) => p.application)).toEqual(['default-operator-cert-manager', 'default-operator-cert-manager']);
    expect(found[0].missing).toContain('rbac.authorization.k8s.io/Role, rbac.authorization.k8s.io/RoleBinding (deploy/charts/cert-manager/templates/rbac.yaml)');
  });

  test('4. the daily ScheduledBackup is applied (backup application, wave -1) before its Cluster (database application, wave 0)', () => {
    expect(findings(defaultAlone.problems, 'ScheduledBackup data-infra/cnpg-ha-daily: spec.cluster.name refers to postgresql.cnpg.io/Cluster data-infra/cnpg-ha')).toEqual([
      expect.objectContaining({ application: 'default-backup' }),
    ]);
  });

  test('5. the Barman Cloud plugin chart 0.8.0 is not the chart of the vendored plugin v0.14.0 (no table entry); the images are stale', () => {
    expect(findings(defaultAlone.problems, 'chart plugin-barman-cloud 0.8.0')).toHaveLength(1);
    const images = [...before.values()].flat().filter((o) => o.kind === 'Cluster').map((o) => o.spec.imageName as string);
    expect(images.filter((i) => !currentMinor(i))).toContain('ghcr.io/cloudnative-pg/postgresql:16.14-standard-trixie');
  });

  test('7. two environments in one Kubernetes cluster install the same operators and fight over the same objects', () => {
    const both = modelFirstSync(before, { mode: 'argocd', bootstrapFolders: ['dist/default/argocd', 'dist/warehouse/argocd'] });
    // (The Barman Cloud and Sealed Secrets charts of that dist/ have no table entry at all: defects 1 and 5.)
    expect(findings(both.problems, 'the Helm release is already installed by default-operator-').map((p) => p.application)).toEqual([
      'warehouse-operator-cert-manager', 'warehouse-operator-cnpg',
    ]);
    expect(findings(both.problems, 'CRDs of postgresql.cnpg.io/Backup, postgresql.cnpg.io/Cluster')).toEqual([
      expect.objectContaining({ application: 'warehouse-operator-cnpg', missing: expect.stringContaining('are already installed by default-operator-cnpg: two applications would own them') }),
    ]);
    expect(findings(both.problems, 'PodMonitor cnpg-system/cnpg-controller-manager: default-monitoring applies the same object')).toHaveLength(1);
  });

  test('and two defects the issue did not list: a ConfigMap the Cluster reads is synced after it, and PodMonitor CRDs no one installs', () => {
    expect(findings(defaultAlone.problems, 'Cluster data-infra/cnpg-ha: spec.monitoring.customQueriesConfigMap[0].name refers to ConfigMap data-infra/cnpg-ha-monitoring')).toHaveLength(1);
    expect(findings(defaultAlone.problems, 'the CRD of monitoring.coreos.com/PodMonitor is not installed').length).toBeGreaterThan(0);
  });
});

/** Whether an image uses the current minor of its major (IMAGE_PINS). */
function currentMinor(image: string): boolean {
  const m = /:(\d+)\.(\d+)-/.exec(image);
  return m !== null && IMAGE_PINS.postgres[Number(m[1]) as 16 | 17 | 18] === `${m[1]}.${m[2]}`;
}

describe('today\'s dist/ converges on an empty cluster', () => {
  const result = modelFirstSync(now, { mode: 'argocd', bootstrapFolders: ['dist/clusters/tutorial/argocd'] });

  test('no problem, and every environment\'s root application is synced', () => {
    expect(result.problems).toEqual([]);
    const synced = new Set(result.timeline.map((s) => s.applications[s.applications.length - 1]));
    for (const app of ['tutorial-cluster', 'default-root', 'dev-root', 'warehouse-root', 'default-database', 'warehouse-database', 'dev-database', 'default-restore-drill']) {
      expect([app, synced.has(app)]).toEqual([app, true]);
    }
  });

  test('the Sealed Secrets chart comes from bitnami.github.io; each operator is installed once, by the Kubernetes cluster', () => {
    // (The dr Kubernetes cluster, where the default environment's DR replica runs, has its own set.)
    const apps = [...now.entries()].filter(([folder]) => !folder.startsWith('dist/clusters/dr/')).flatMap(([, objects]) => objects)
      .filter((o) => o.kind === 'Application' && o.spec.source.chart);
    expect(apps.map((a) => a.metadata.name).sort()).toEqual([
      'tutorial-operator-barman-cloud', 'tutorial-operator-cert-manager', 'tutorial-operator-cnpg', 'tutorial-operator-monitoring', 'tutorial-operator-sealed-secrets-controller',
    ]);
    expect(apps.find((a) => a.spec.source.chart === 'sealed-secrets')!.spec.source.repoURL).toBe('https://bitnami.github.io/sealed-secrets');
    expect(apps.map((a) => `${a.spec.source.chart} ${a.spec.source.targetRevision}`).sort()).toEqual([
      `cert-manager ${CHART_PINS.certManager.version}`, `cloudnative-pg ${CHART_PINS.cloudnativePg.version}`, `kube-prometheus-stack ${CHART_PINS.kubePrometheusStack.version}`,
      `plugin-barman-cloud ${CHART_PINS.barmanCloudPlugin.version}`, `sealed-secrets ${CHART_PINS.sealedSecrets.version}`,
    ]);
  });

  test('cert-manager keeps its leader-election Roles in its own namespace; the cluster creates every operator namespace', () => {
    const certManager = [...now.values()].flat().find((o) => o.kind === 'Application' && o.spec.source.chart === 'cert-manager')!;
    expect(certManager.spec.source.helm.valuesObject.global).toEqual({ leaderElection: { namespace: 'cert-manager' } });
    const namespaces = now.get('dist/clusters/tutorial/namespaces')!.map((o) => o.metadata.name);
    expect(namespaces).toEqual(['cert-manager', 'cnpg-system', 'sealed-secrets', 'monitoring']);
    // node-exporter needs host access: the monitoring namespace enforces `privileged`, the others `baseline`.
    expect(now.get('dist/clusters/tutorial/namespaces')!.map((o) => o.metadata.labels!['pod-security.kubernetes.io/enforce'])).toEqual(['baseline', 'baseline', 'baseline', 'privileged']);
    const project = now.get('dist/clusters/tutorial/argocd')!.find((o) => o.kind === 'AppProject')!;
    expect(project.spec.destinations.map((d: any) => d.namespace)).not.toContain('kube-system');
  });

  test('the ScheduledBackup is applied with its Cluster, one wave later, in the database application', () => {
    const database = now.get('dist/default/database')!;
    const wave = (kind: string) => Number(database.find((o) => o.kind === kind)!.metadata.annotations!['argocd.argoproj.io/sync-wave']);
    expect(wave('ScheduledBackup')).toBeGreaterThan(wave('Cluster'));
    // Its own store, and a read-only copy of the DR site's store (for failing back).
    expect(now.get('dist/default/backup')!.map((o) => o.kind)).toEqual(['ObjectStore', 'ObjectStore']);
    expect(now.get('dist/default/backup')!.some((o) => o.kind === 'ScheduledBackup')).toBe(false);
    const step = result.timeline.find((s) => s.applies.includes('ScheduledBackup data-infra/cnpg-ha-daily'))!;
    expect(step.applications.slice(-1)).toEqual(['default-database']);
  });

  test('every Cluster runs the current minor of its major', () => {
    const images = [...now.values()].flat().filter((o) => o.kind === 'Cluster').map((o) => o.spec.imageName as string);
    expect(images.length).toBeGreaterThan(0);
    expect(images.filter((i) => !currentMinor(i))).toEqual([]);
  });

  test('warehouse subscribes to default, so its root application syncs one wave later', () => {
    const roots = now.get('dist/clusters/tutorial/argocd')!.filter((o) => o.kind === 'Application' && /-root$/.test(o.metadata.name));
    const wave = Object.fromEntries(roots.map((r) => [r.metadata.name, Number(r.metadata.annotations!['argocd.argoproj.io/sync-wave'])]));
    expect(wave).toEqual({ 'default-root': 0, 'dev-root': 0, 'warehouse-root': 1 });
    const sub = result.timeline.find((s) => s.applies.some((a) => a.startsWith('Subscription warehouse/')))!;
    expect(sub.needs).toContain('Service data-infra/cnpg-ha-rw (default-database (Cluster cnpg-ha))');
  });

  test('the committed timelines under docs/sync are what synth produces (run npm run synth)', () => {
    const plan = planAll(tempDir(), { updateChecks: false });
    const pages = plan.timelinePages();
    expect([...pages.keys()]).toEqual(['README.md', 'cluster-tutorial.md', 'default.md', 'dev.md', 'warehouse.md', 'cluster-dr.md', 'dr.md']);
    expect(fs.readdirSync(path.join(REPO_ROOT, 'docs', 'sync')).sort()).toEqual([...pages.keys()].sort());
    for (const [name, text] of pages) {
      const file = path.join(REPO_ROOT, 'docs', 'sync', name);
      expect([file, fs.readFileSync(file, 'utf8') === text]).toEqual([file, true]);
    }
    // The page is the timeline: each step of the default environment is a node and a table row.
    const page = pages.get('default.md')!;
    const steps = plan.timelines.find((t) => t.name === 'default')!.steps;
    expect(page).toContain('```mermaid\nflowchart TD');
    expect(steps.length).toBeGreaterThan(10);
    expect(page.split('\n').filter((l) => l.startsWith('| tutorial-cluster › default-root')).length).toBe(steps.length);
    expect(page.split('\n').filter((l) => /^  s\d+\["/.test(l)).length).toBe(steps.length);
  });
});

describe('bad input is a synth error naming the application, the object, what is missing and the fix', () => {
  const ns = (name: string): Manifest => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const project = (extra: Partial<any> = {}): Manifest => ({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p', namespace: 'argocd', labels: { 'cdk8s-cnpg/bootstrap': 'true' } },
    spec: { sourceRepos: ['https://git.example.com/r.git'], destinations: [{ namespace: 'argocd' }, { namespace: 'db' }], clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }], ...extra },
  });
  const app = (name: string, folder: string, wave: number, namespace = 'db'): Manifest => ({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } },
    spec: { project: 'p', source: { repoURL: 'https://git.example.com/r.git', path: folder }, destination: { namespace }, syncPolicy: { automated: {} } },
  });
  const root: Manifest = { ...app('root', 'dist/x/argocd', 0, 'argocd'), metadata: { name: 'root', namespace: 'argocd', labels: { 'cdk8s-cnpg/bootstrap': 'true' } } };
  const run = (folders: Record<string, Manifest[]>) => modelFirstSync(new Map(Object.entries(folders)), { mode: 'argocd', bootstrapFolders: ['dist/x/argocd'] }).problems;

  test('an object in a namespace nothing creates', () => {
    const problems = run({
      'dist/x/argocd': [project(), root, app('x-db', 'dist/x/db', 0)],
      'dist/x/db': [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'db' } }],
    });
    expect(problems).toEqual([{ application: 'x-db', object: 'ConfigMap db/c', missing: 'namespace db does not exist when it is applied', fix: expect.stringContaining('create the Namespace in an earlier wave') }]);
  });

  test('a kind the AppProject does not allow', () => {
    const problems = run({
      'dist/x/argocd': [project(), root, app('x-ns', 'dist/x/ns', 0)],
      'dist/x/ns': [ns('db'), { apiVersion: 'postgresql.cnpg.io/v1', kind: 'ClusterImageCatalog', metadata: { name: 'c' } }],
    });
    expect(findings(problems, 'does not allow the cluster-scoped kind postgresql.cnpg.io/ClusterImageCatalog')).toEqual([expect.objectContaining({ application: 'x-ns', object: 'ClusterImageCatalog c' })]);
    // …and whose CRD nothing installs.
    expect(findings(problems, 'the CRD of postgresql.cnpg.io/ClusterImageCatalog is not installed')).toHaveLength(1);
  });

  test('a reference to an object no wave creates', () => {
    const problems = run({
      'dist/x/argocd': [project(), root, app('x-ns', 'dist/x/ns', -1), app('x-app', 'dist/x/app', 0)],
      'dist/x/ns': [ns('db')],
      'dist/x/app': [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'db' }, spec: { template: { spec: { containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'missing' } }] }] } } } }],
    });
    expect(problems).toEqual([{
      application: 'x-app', object: 'Deployment db/d',
      missing: 'containers[0].envFrom[0].secretRef.name refers to Secret db/missing, which nothing has created by the time it is applied',
      fix: 'create it in an earlier wave or application (an object\'s wave inside another folder does not order it: the application\'s wave does)',
    }]);
  });

  test('a namespace the AppProject does not permit', () => {
    const problems = run({
      'dist/x/argocd': [project(), root, app('x-ns', 'dist/x/ns', -1), app('x-app', 'dist/x/app', 0)],
      'dist/x/ns': [ns('db'), ns('other')],
      'dist/x/app': [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'other' } }],
    });
    expect(problems).toEqual([expect.objectContaining({ application: 'x-app', object: 'ConfigMap other/c', missing: 'the project p does not permit namespace other' })]);
  });

  test('an Application whose project does not exist, and a path synth does not produce', () => {
    const problems = run({ 'dist/x/argocd': [project(), root, { ...app('x-a', 'dist/x/nowhere', 0), spec: { ...app('x-a', 'dist/x/nowhere', 0).spec, project: 'nope' } }, app('x-b', 'dist/x/nowhere', 0)] });
    expect(findings(problems, 'its AppProject nope does not exist')).toHaveLength(2);
    expect(findings(problems, 'its path dist/x/nowhere is not in the repository')).toEqual([expect.objectContaining({ application: 'x-b' })]);
  });

  test('a chart version with no entry in the chart table (at construction, and in the model)', () => {
    const chart = Testing.app();
    const cluster = new KubernetesClusterPlatform(chart, 'k', {
      name: 'k', delivery: { repoUrl: 'https://git.example.com/r.git', operatorReleases: [{ ...OperatorReleases.cloudnativePg(), version: '0.99.0' }] },
    });
    expect(synthError(cluster.charts.get('argocd' as any)!)).toContain('[k] delivery.operatorReleases.cnpg: the chart version has no entry in the chart table');
  });

  test('a dependency cycle between environments', () => {
    const app2 = Testing.app();
    const declaration: KubernetesClusterDeclaration = { name: 'k', delivery: { repoUrl: 'https://git.example.com/r.git' } };
    const cluster = new KubernetesClusterPlatform(app2, 'k', {
      ...declaration,
      environments: [{ application: 'a-root', path: 'dist/a/argocd', dependsOn: ['b-root'] }, { application: 'b-root', path: 'dist/b/argocd', dependsOn: ['a-root'] }],
    });
    expect(synthError(cluster.charts.get('argocd' as any)!)).toContain('environments: the environments depend on each other in a cycle, so no sync order exists (got "a-root -> b-root -> a-root")');
  });

  test('synth refuses a dist/ that would not converge: an environment whose Prometheus Operator nobody installs', () => {
    const bare: KubernetesClusterDeclaration = { ...TUTORIAL_CLUSTER, delivery: { ...TUTORIAL_CLUSTER.delivery, monitoringStack: false } };
    const envs: Environment[] = [DEFAULT_ENVIRONMENT, DEV_ENVIRONMENT, WAREHOUSE_ENVIRONMENT].map((e) => ({ ...e, platform: { ...e.platform, kubernetesCluster: bare } }));
    expect(() => planAll(tempDir(), { environments: envs, updateChecks: false })).toThrow(
      /\[tutorial-cluster-monitoring\] PodMonitor cnpg-system\/cnpg-controller-manager: the CRD of monitoring.coreos.com\/PodMonitor is not installed when it is applied/);
    // Declaring the kinds as installed outside dist/ is the way out for a cluster that already runs Prometheus.
    const preinstalled = { ...bare, preinstalledKinds: ['monitoring.coreos.com/PodMonitor', 'monitoring.coreos.com/PrometheusRule'] };
    const ok = [DEFAULT_ENVIRONMENT, DEV_ENVIRONMENT, WAREHOUSE_ENVIRONMENT].map((e) => ({ ...e, platform: { ...e.platform, kubernetesCluster: preinstalled } }));
    expect(() => planAll(tempDir(), { environments: ok, updateChecks: false })).not.toThrow();
  });
});

describe('an environment alone in its Kubernetes cluster (a consumer\'s single PostgresPlatform)', () => {
  test('installs the operators itself and converges from its own root application', () => {
    const alone: Environment = {
      ...DEV_ENVIRONMENT,
      platform: { ...DEV_ENVIRONMENT.platform, kubernetesCluster: undefined, delivery: { repoUrl: 'https://git.example.com/db.git', monitoringStack: true } },
    };
    const plan = planAll(tempDir(), { environments: [alone], updateChecks: false });
    const [timeline] = plan.timelines;
    expect(timeline.name).toBe('dev');
    expect(timeline.bootstrap).toBe('kubectl apply --server-side -l cdk8s-cnpg/bootstrap=true -f dist/dev/argocd/');
    const apps = timeline.steps.map((s) => s.applications[s.applications.length - 1]);
    expect(apps.indexOf('dev-operator-cert-manager')).toBeLessThan(apps.indexOf('dev-operator-barman-cloud'));
    expect(apps.indexOf('dev-operator-cnpg')).toBeLessThan(apps.indexOf('dev-database'));
    // Its namespaces: every operator release's (cert-manager included) and its database's.
    expect(plan.repository.get('dist/dev/namespaces')!.map((o) => o.metadata.name)).toEqual(['cert-manager', 'cnpg-system', 'sealed-secrets', 'monitoring', 'data-dev']);
  });
});

describe('k3s HelmChart delivery', () => {
  const k3s: KubernetesClusterDeclaration = { name: 'edge', delivery: { operators: OperatorDelivery.K3S_HELM_CONTROLLER }, monitoring: false };

  test('the model plays the HelmCharts with the helm-controller\'s retries: cert-manager before the plugin that needs it', () => {
    const envs: Environment[] = [{ ...DEV_ENVIRONMENT, platform: { ...DEV_ENVIRONMENT.platform, kubernetesCluster: k3s, monitoring: false } }];
    const plan = planAll(tempDir(), { environments: envs, updateChecks: false });
    const cluster = plan.timelines.find((t) => t.name === 'cluster-edge')!;
    const rounds = cluster.steps.filter((s) => s.applications[0] === 'k3s helm-controller').map((s) => s.applies.map((a) => a.split(' ')[1]));
    expect(rounds).toEqual([
      ['cert-manager/cert-manager', 'cnpg-system/cnpg', 'sealed-secrets/sealed-secrets-controller'],
      ['cnpg-system/barman-cloud'],
    ]);
    expect(plan.repository.get('dist/clusters/edge/operators')!.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'HelmChart/kube-system/cert-manager', 'HelmChart/kube-system/cnpg', 'HelmChart/kube-system/barman-cloud', 'HelmChart/kube-system/sealed-secrets-controller',
    ]);
    // Without Argo CD a human applies the folders in this order, waiting for each to be ready.
    expect(cluster.bootstrap!.split('\n')).toEqual(['namespaces', 'operators'].map((f) => `kubectl apply --server-side -f dist/clusters/edge/${f}/`)
      .concat(['namespaces', 'credentials', 'guardrails', 'database'].map((f) => `kubectl apply --server-side -f dist/dev/${f}/`)));
  });

  test('a HelmChart whose namespace nothing creates is a problem', () => {
    const repo = new Map<string, Manifest[]>([['dist/k/operators', [{
      apiVersion: 'helm.cattle.io/v1', kind: 'HelmChart', metadata: { name: 'cert-manager', namespace: 'kube-system' },
      spec: { repo: CHART_PINS.certManager.repository, chart: 'cert-manager', version: CHART_PINS.certManager.version, targetNamespace: 'cert-manager', valuesContent: '' },
    }]]]);
    expect(modelFirstSync(repo, { mode: 'k3s', k3sFolders: ['dist/k/operators'] }).problems).toEqual([
      expect.objectContaining({ application: 'k3s helm-controller', missing: 'namespace cert-manager does not exist and createNamespace is false' }),
    ]);
  });
});
