import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import {
  ArgoCdDelivery, modelFirstSync, NamespaceGuardrails, OperatorDelivery, OperatorInstalls, OperatorReleases,
  PostgresPlatform, readManifestRepository, SyncWave,
} from '../lib';
import { synthComponents } from '../lib/core/synth';
import { footprintOf } from '../lib/platform/guardrails';
import { environmentProblems, synthEnvironments } from '../lib';
import { DEFAULT_ENVIRONMENT, REPO_ROOT } from '../main';
import { listFiles, readManifests, synthChart, synthError, tempDir, testChart } from './support/synth';
import { validateObjects } from './support/schema';

const DIST = path.join(REPO_ROOT, 'dist');
const wave = (o: any) => Number(o.metadata?.annotations?.['argocd.argoproj.io/sync-wave']);
const syncOptions = (o: any): string[] => (o.metadata?.annotations?.['argocd.argoproj.io/sync-options'] ?? '').split(',').filter(Boolean);

describe('sync order of a first sync of the Kubernetes cluster tutorial (the first-sync model over dist/)', () => {
  const repo = readManifestRepository(REPO_ROOT);
  const timeline = modelFirstSync(repo, { mode: 'argocd', bootstrapFolders: ['dist/clusters/tutorial/argocd'] }).timeline;
  const firstStep = (app: string) => {
    const i = timeline.findIndex((s) => s.applications[s.applications.length - 1] === app);
    expect([app, i >= 0]).toEqual([app, true]);
    return i;
  };
  const objects = [...repo.values()].flat();

  test('every object has a sync wave', () => {
    expect(objects.filter((o) => Number.isNaN(wave(o))).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  test('namespaces → operators (cert-manager before the plugin) → environments: credentials → store → cluster → consumers → exposure', () => {
    const order = [
      'tutorial-cluster-namespaces', 'tutorial-operator-cert-manager', 'tutorial-operator-barman-cloud', 'tutorial-cluster-monitoring', 'default-root',
      'default-namespaces', 'default-credentials', 'default-backup', 'default-database', 'default-monitoring', 'default-exposure', 'default-restore-drill',
    ];
    const positions = order.map(firstStep);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // The CNPG operator and Sealed Secrets controller are healthy before any environment starts.
    expect(firstStep('tutorial-operator-cnpg')).toBeLessThan(firstStep('default-root'));
    expect(firstStep('tutorial-operator-sealed-secrets-controller')).toBeLessThan(firstStep('default-credentials'));
  });

  test('inside the database application: the custom queries ConfigMap, then the Cluster, then what needs a running cluster', () => {
    const db = repo.get('dist/default/database')!;
    const waveOf = (kind: string) => Math.max(...db.filter((o) => o.kind === kind).map(wave));
    expect(waveOf('ConfigMap')).toBeLessThan(waveOf('Cluster'));
    for (const kind of ['ScheduledBackup', 'Pooler', 'Database', 'Publication']) expect([kind, waveOf(kind) > waveOf('Cluster')]).toEqual([kind, true]);
    // Guardrails and network policies are in place before any database pod starts.
    const apps = new Map(objects.filter((o) => o.kind === 'Application').map((o) => [o.metadata.name, wave(o)]));
    expect(apps.get('default-guardrails')).toBeLessThan(apps.get('default-database')!);
  });
});

describe('Argo CD applications', () => {
  for (const env of ['default', 'dev', 'warehouse']) {
    test(`${env}: every Application points only at a folder that exists in dist/, with a *.yaml directory source`, () => {
      const apps = readManifests(path.join(DIST, env, 'argocd')).map((m) => m.object).filter((o) => o.kind === 'Application' && o.spec.source.path);
      expect(apps.length).toBeGreaterThanOrEqual(5);
      for (const app of apps) {
        const folder = path.join(REPO_ROOT, app.spec.source.path);
        expect({ app: app.metadata.name, exists: fs.existsSync(folder) && listFiles(folder).some((f) => f.endsWith('.yaml')) }).toEqual({ app: app.metadata.name, exists: true });
        expect(app.spec.source.directory).toEqual({ include: '*.yaml' });
        expect(app.spec.project).toBe(`${env}-postgres`);
      }
      // Every component folder has an Application (the argocd folder is synced by the Kubernetes cluster's root).
      const folders = fs.readdirSync(path.join(DIST, env)).filter((f) => f !== 'argocd');
      expect(apps.map((a) => path.basename(a.spec.source.path)).sort()).toEqual(folders.sort());
    });
  }

  const cluster = readManifests(path.join(DIST, 'clusters', 'tutorial', 'argocd')).map((m) => m.object);
  const objects = [...cluster, ...readManifests(path.join(DIST, 'default', 'argocd')).map((m) => m.object)];
  const app = (name: string) => objects.find((o) => o.kind === 'Application' && o.metadata.name === name);

  test('operator installs are pinned Helm chart sources, never pruned or deleted, with the tutorial\'s controller resources', () => {
    const cnpg = app('tutorial-operator-cnpg');
    expect(cnpg.spec.source).toMatchObject({ repoURL: 'https://cloudnative-pg.github.io/charts', chart: 'cloudnative-pg', targetRevision: '0.29.0' });
    expect(cnpg.spec.source.helm.valuesObject.resources).toEqual({ requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    expect(cnpg.spec.source.helm.valuesObject.controllerManager).toBeUndefined();
    expect(cnpg.spec.destination.namespace).toBe('cnpg-system');
    // The CNPG CRDs are larger than the 262144-byte last-applied annotation.
    expect(cnpg.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(app('tutorial-operator-barman-cloud').spec.destination.namespace).toBe('cnpg-system');
    expect(app('tutorial-operator-sealed-secrets-controller').spec.source.helm.valuesObject.fullnameOverride).toBe('sealed-secrets-controller');
    expect(app('tutorial-operator-sealed-secrets-controller').spec.destination.namespace).toBe('sealed-secrets');
    for (const name of ['tutorial-operator-cnpg', 'tutorial-operator-barman-cloud', 'tutorial-operator-cert-manager', 'tutorial-operator-sealed-secrets-controller', 'tutorial-operator-monitoring']) {
      expect(syncOptions(app(name))).toEqual(['Prune=false', 'Delete=false']);
      expect(app(name).spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
      expect(app(name).spec.source.targetRevision).toMatch(/^v?\d+\.\d+\.\d+$/);
      expect(app(name).spec.project).toBe('tutorial-platform');
    }
  });

  test('sync options per component: SSA everywhere, dry runs skipped where a CRD arrives in the same sync, the drill manual', () => {
    for (const name of ['default-credentials', 'default-backup', 'default-database', 'default-monitoring', 'default-restore-drill']) {
      expect(app(name).spec.syncPolicy.syncOptions).toEqual(expect.arrayContaining(['ServerSideApply=true', 'SkipDryRunOnMissingResource=true']));
    }
    expect(app('default-database').spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(app('default-namespaces').spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
    expect(app('default-restore-drill').spec.syncPolicy.automated).toBeUndefined();
    expect(app('default-database').metadata.annotations['argocd.argoproj.io/compare-options']).toBe('ServerSideDiff=true');
  });

  test('bootstrap: one root application per Kubernetes cluster, labelled with its project; it syncs the environments\' roots', () => {
    const bootstrap = objects.filter((o) => o.metadata.labels?.['cdk8s-cnpg/bootstrap'] === 'true');
    expect(bootstrap.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['AppProject/tutorial-platform', 'Application/tutorial-cluster']);
    expect(app('tutorial-cluster').spec.source).toMatchObject({ path: 'dist/clusters/tutorial/argocd', repoURL: 'https://github.com/example-org/cdk8s-cnpg.git', targetRevision: 'main' });
    expect(app('default-root').spec).toMatchObject({ project: 'tutorial-platform', source: { path: 'dist/default/argocd' } });
    // No environment has a root application of its own any more: one owner per object.
    expect(readManifests(path.join(DIST, 'default', 'argocd')).map((m) => m.object.metadata.name)).not.toContain('default-root');
  });

  test('the database and its namespace are never pruned or deleted by Argo CD', () => {
    const db = readManifests(path.join(DIST, 'default')).map((m) => m.object);
    const c = db.find((o) => o.kind === 'Cluster' && o.metadata.name === 'cnpg-ha');
    expect(syncOptions(c)).toEqual(['Prune=false', 'Delete=false']);
    expect(syncOptions(db.find((o) => o.kind === 'Namespace' && o.metadata.name === 'data-infra'))).toEqual(['Prune=false', 'Delete=false']);
  });

  test('the AppProjects allow exactly the repositories, namespaces and cluster-scoped kinds their applications write', () => {
    const platform = cluster.find((o) => o.kind === 'AppProject');
    expect(platform.spec.sourceRepos).toEqual([
      'https://github.com/example-org/cdk8s-cnpg.git', 'https://charts.jetstack.io', 'https://cloudnative-pg.github.io/charts',
      'https://bitnami.github.io/sealed-secrets', 'https://prometheus-community.github.io/helm-charts',
    ]);
    expect(platform.spec.destinations.map((d: any) => d.namespace)).toEqual(['argocd', 'cert-manager', 'cnpg-system', 'monitoring', 'sealed-secrets']);
    expect(platform.spec.clusterResourceWhitelist.map((w: any) => `${w.group}/${w.kind}`)).toEqual([
      '/Namespace', 'admissionregistration.k8s.io/MutatingWebhookConfiguration', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
      'apiextensions.k8s.io/CustomResourceDefinition', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
    ]);
    const env = readManifests(path.join(DIST, 'default', 'argocd')).map((m) => m.object).find((o) => o.kind === 'AppProject');
    expect(env.spec.sourceRepos).toEqual(['https://github.com/example-org/cdk8s-cnpg.git']);
    expect(env.spec.destinations.map((d: any) => d.namespace)).toEqual(['argocd', 'data-infra', 'restore-drill']);
    expect(env.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
  });
});

describe('k3s HelmChart delivery', () => {
  test('operators become helm.cattle.io HelmCharts in kube-system, with no Argo CD objects', () => {
    const app = Testing.app();
    const platform = new PostgresPlatform(app, 'k3s', {
      ...DEFAULT_ENVIRONMENT.platform,
      environment: 'default',
      // Alone in its Kubernetes cluster, so it installs the operators itself.
      kubernetesCluster: undefined,
      delivery: { operators: OperatorDelivery.K3S_HELM_CONTROLLER },
    });
    const chart = platform.charts.get('operators' as any)!;
    const objects = synthChart(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'HelmChart/kube-system/cert-manager', 'HelmChart/kube-system/cnpg', 'HelmChart/kube-system/barman-cloud', 'HelmChart/kube-system/sealed-secrets-controller',
    ]);
    const cnpg = objects.find((o) => o.metadata.name === 'cnpg');
    expect(cnpg.spec).toMatchObject({ chart: 'cloudnative-pg', repo: 'https://cloudnative-pg.github.io/charts', version: '0.29.0', targetNamespace: 'cnpg-system', createNamespace: false });
    expect(cnpg.spec.valuesContent).toContain('cpu: 200m');
    expect(cnpg.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
    expect(platform.argoCd).toBeUndefined();
    expect(platform.charts.has('argocd' as any)).toBe(false);
  });
});

describe('namespace guardrails', () => {
  test.each([
    ['a 3-instance cluster with limits: 4 pods (one extra for switchover), requests = limits', [
      { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', spec: { instances: 3, resources: { limits: { cpu: '1', memory: '2Gi' } }, storage: { size: '40Gi' } } },
    ], { requestsCpu: 4, requestsMemory: 8 * 2 ** 30, limitsCpu: 4, limitsMemory: 8 * 2 ** 30, pods: 4, persistentVolumeClaims: 4, requestsStorage: 160 * 2 ** 30 }],
    ['WAL volumes and the Barman Cloud sidecar of the store that archives the cluster', [
      { apiVersion: 'barmancloud.cnpg.io/v1', kind: 'ObjectStore', metadata: { name: 's' }, spec: { instanceSidecarConfiguration: { resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } } } } },
      { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', spec: { instances: 1, resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }, storage: { size: '10Gi' }, walStorage: { size: '2Gi' }, plugins: [{ isWALArchiver: true, parameters: { barmanObjectName: 's' } }] } },
    ], { requestsCpu: 1.2, requestsMemory: 2 * (1024 + 128) * 2 ** 20, limitsCpu: 2.4, limitsMemory: 2 * (1024 + 256) * 2 ** 20, pods: 2, persistentVolumeClaims: 4, requestsStorage: 24 * 2 ** 30 }],
    ['a pooler and a deployment get one surge pod; containers without resources get the LimitRange defaults', [
      { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Pooler', spec: { instances: 2, template: { spec: { containers: [{ name: 'pgbouncer', resources: { limits: { cpu: '500m', memory: '256Mi' } } }] } } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 1, template: { spec: { containers: [{ name: 'x' }] } } } },
    ], { requestsCpu: 1.5 + 0.2, requestsMemory: 3 * 256 * 2 ** 20 + 2 * 128 * 2 ** 20, limitsCpu: 1.5 + 1, limitsMemory: 3 * 256 * 2 ** 20 + 2 * 512 * 2 ** 20, pods: 5, persistentVolumeClaims: 0, requestsStorage: 0 }],
  ])('%s', (_name, objects, expected) => {
    const f = footprintOf(objects as any[]);
    for (const [k, v] of Object.entries(expected)) {
      expect([k, f[k as keyof typeof f]]).toEqual([k, expect.closeTo(v as number, 6)]);
    }
  });

  test('the default environment\'s quota covers its workloads with headroom', () => {
    const objects = readManifests(path.join(DIST, 'default')).map((m) => m.object);
    const quota = objects.find((o) => o.kind === 'ResourceQuota').spec.hard;
    const f = footprintOf(objects.filter((o) => o.metadata.namespace === 'data-infra'));
    expect(quota.pods).toBe(String(Math.ceil(f.pods * 1.1)));
    expect(quota['requests.cpu']).toBe(`${Math.ceil(f.requestsCpu * 1.1 * 1000)}m`);
    expect(quota['requests.storage']).toBe('160Gi');
    expect(quota.persistentvolumeclaims).toBe('4');
  });

  test('an explicit quota smaller than what the workloads request is a synth error', () => {
    const { chart } = testChart();
    const workloads = new Chart(Testing.app(), 'w', { namespace: 'data-infra' });
    new (require('cdk8s').ApiObject)(workloads, 'C', { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'c', namespace: 'data-infra' }, spec: { instances: 3, resources: { limits: { cpu: '1', memory: '1Gi' } }, storage: { size: '10Gi' } } });
    new NamespaceGuardrails(chart, 'G', { namespace: 'data-infra', workloads: [workloads], quota: { 'requests.cpu': '2', pods: '3' } });
    const message = synthError(chart);
    expect(message).toContain('[test/G] quota.requests.cpu: 2 is less than the namespace\'s workloads need');
    expect(message).toContain('(4000m)');
    expect(message).toContain('quota.pods: 3 is less than');
  });
});

describe('GitOps bad input', () => {
  test('a repository URL that is not a URL, and an Application for a folder synth does not produce', () => {
    const { chart } = testChart('argocd');
    const empty = new Chart(chart, 'empty');
    new ArgoCdDelivery(chart, 'Argo', {
      environment: 'default', repoUrl: 'not a url',
      components: [{ name: 'empty', chart: empty, syncWave: SyncWave.CLUSTER }],
    });
    const message = synthError(chart);
    expect(message).toContain('[test/Argo] repoUrl: is not a git repository URL (got "not a url")');
    expect(message).toContain('[test/Argo] components.empty: the Application\'s path dist/default/empty is not produced by synth (the chart is empty)');
  });

  test('two environments writing to the same folder', () => {
    expect(environmentProblems([DEFAULT_ENVIRONMENT, DEFAULT_ENVIRONMENT])).toEqual([
      'environment "default": two environments would write to dist/default/; give each a distinct name',
    ]);
    expect(() => synthEnvironments([DEFAULT_ENVIRONMENT, DEFAULT_ENVIRONMENT], { outdir: tempDir() })).toThrow('two environments would write to dist/default/');
  });

  test('an operator chart version must be exact', () => {
    const { chart } = testChart('argocd');
    new OperatorInstalls(chart, 'Ops', { releases: [{ ...OperatorReleases.cloudnativePg(), version: '^0.29' }] });
    expect(synthError(chart)).toContain('[test/Ops] releases.cnpg.version: must be an exact chart version (got "^0.29")');
  });

  test('Argo CD delivery without a repository URL', () => {
    const app = new App({ outdir: tempDir() });
    new PostgresPlatform(app, 'x', { ...DEFAULT_ENVIRONMENT.platform, kubernetesCluster: undefined, delivery: {} });
    expect(() => synthComponents(app, { warn: () => undefined })).toThrow('delivery.repoUrl: Argo CD delivery needs the git repository that holds dist/');
  });

  test('the operator Applications pass the schema test', () => {
    const { chart } = testChart('argocd');
    new OperatorInstalls(chart, 'Ops', { releases: [...OperatorReleases.defaults(), OperatorReleases.kubePrometheusStack()] });
    expect(validateObjects(Testing.synth(chart))).toEqual([]);
  });
});
