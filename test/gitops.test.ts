import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { lauxlib, lua, lualib, to_luastring, to_jsstring } from 'fengari';
import {
  ArgoCdDelivery, footprintOf, HEALTH_CHECKS, NamespaceGuardrails, OperatorDelivery, OperatorInstalls, OperatorReleases,
  PostgresPlatform, SyncWave, synthComponents,
} from '../lib';
import { DEFAULT_ENVIRONMENT, environmentProblems, REPO_ROOT, synthAll } from '../main';
import { listFiles, readManifests, synthChart, synthError, tempDir, testChart } from './support/synth';
import { validateObjects } from './support/schema';

const DIST = path.join(REPO_ROOT, 'dist');
const wave = (o: any) => Number(o.metadata?.annotations?.['argocd.argoproj.io/sync-wave']);
const syncOptions = (o: any): string[] => (o.metadata?.annotations?.['argocd.argoproj.io/sync-options'] ?? '').split(',').filter(Boolean);

describe('sync waves of the default environment', () => {
  const objects = readManifests(path.join(DIST, 'default')).map((m) => m.object);
  const waveOf = (kind: string, name?: string) => {
    const found = objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
    expect(found.length).toBeGreaterThan(0);
    return Math.max(...found.map(wave));
  };

  test('every object has a sync wave', () => {
    expect(objects.filter((o) => Number.isNaN(wave(o))).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  test('a first sync converges: namespaces → operators (cert-manager before the plugin) → credentials → store → cluster → consumers → exposure', () => {
    const order: [string, number][] = [
      ['Namespace', waveOf('Namespace', 'data-infra')],
      ['cert-manager, CNPG and Sealed Secrets operators', Math.max(waveOf('Application', 'default-operator-cert-manager'), waveOf('Application', 'default-operator-cnpg'), waveOf('Application', 'default-operator-sealed-secrets-controller'))],
      ['Barman Cloud plugin', waveOf('Application', 'default-operator-barman-cloud')],
      ['SealedSecret', waveOf('SealedSecret')],
      ['ObjectStore', waveOf('ObjectStore', 'cnpg-ha-backups')],
      ['Cluster', waveOf('Cluster', 'cnpg-ha')],
      ['ScheduledBackup, Pooler, PodMonitor, PrometheusRule', Math.max(waveOf('ScheduledBackup'), waveOf('Pooler'), waveOf('PodMonitor'), waveOf('PrometheusRule'))],
      ['tunnel Deployment', waveOf('Deployment')],
    ];
    for (let i = 1; i < order.length; i++) {
      expect(`${order[i - 1][0]} (${order[i - 1][1]}) < ${order[i][0]} (${order[i][1]})`).toBe(
        order[i - 1][1] < order[i][1] ? `${order[i - 1][0]} (${order[i - 1][1]}) < ${order[i][0]} (${order[i][1]})` : 'out of order');
    }
    // Guardrails and network policies are in place before any database pod starts.
    expect(waveOf('ResourceQuota')).toBeLessThan(waveOf('Cluster'));
    expect(waveOf('NetworkPolicy')).toBeLessThan(waveOf('Cluster'));
    expect(waveOf('LimitRange')).toBeLessThan(waveOf('Cluster'));
  });

  test('component Applications are ordered like their contents', () => {
    const apps = new Map(objects.filter((o) => o.kind === 'Application').map((o) => [o.metadata.name, wave(o)]));
    expect(apps.get('default-namespaces')).toBeLessThan(apps.get('default-credentials')!);
    expect(apps.get('default-credentials')).toBeLessThan(apps.get('default-backup')!);
    expect(apps.get('default-backup')).toBeLessThan(apps.get('default-database')!);
    expect(apps.get('default-database')).toBeLessThan(apps.get('default-monitoring')!);
    expect(apps.get('default-monitoring')).toBeLessThan(apps.get('default-exposure')!);
    expect(apps.get('default-operator-cnpg')).toBeLessThan(apps.get('default-credentials')!);
  });
});

describe('Argo CD applications', () => {
  for (const env of ['default', 'dev']) {
    test(`${env}: every Application points only at a folder that exists in dist/, with a *.yaml directory source`, () => {
      const apps = readManifests(path.join(DIST, env, 'argocd')).map((m) => m.object).filter((o) => o.kind === 'Application' && o.spec.source.path);
      expect(apps.length).toBeGreaterThanOrEqual(5);
      for (const app of apps) {
        const folder = path.join(REPO_ROOT, app.spec.source.path);
        expect({ app: app.metadata.name, exists: fs.existsSync(folder) && listFiles(folder).some((f) => f.endsWith('.yaml')) }).toEqual({ app: app.metadata.name, exists: true });
        expect(app.spec.source.directory).toEqual({ include: '*.yaml' });
        expect(app.spec.project).toBe(`${env}-postgres`);
      }
      // Every component folder has an Application (the argocd folder is the root application's).
      const folders = fs.readdirSync(path.join(DIST, env)).filter((f) => f !== 'argocd');
      expect(apps.map((a) => path.basename(a.spec.source.path)).filter((p) => p !== 'argocd').sort()).toEqual(folders.sort());
    });
  }

  const objects = readManifests(path.join(DIST, 'default', 'argocd')).map((m) => m.object);
  const app = (name: string) => objects.find((o) => o.kind === 'Application' && o.metadata.name === name);

  test('operator installs are pinned Helm chart sources, never pruned or deleted, with the tutorial\'s controller resources', () => {
    const cnpg = app('default-operator-cnpg');
    expect(cnpg.spec.source).toMatchObject({ repoURL: 'https://cloudnative-pg.github.io/charts', chart: 'cloudnative-pg', targetRevision: '0.29.0' });
    expect(cnpg.spec.source.helm.valuesObject.resources).toEqual({ requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    expect(cnpg.spec.source.helm.valuesObject.controllerManager).toBeUndefined();
    expect(cnpg.spec.destination.namespace).toBe('cnpg-system');
    // The CNPG CRDs are larger than the 262144-byte last-applied annotation.
    expect(cnpg.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(app('default-operator-barman-cloud').spec.destination.namespace).toBe('cnpg-system');
    expect(app('default-operator-sealed-secrets-controller').spec.source.helm.valuesObject.fullnameOverride).toBe('sealed-secrets-controller');
    expect(app('default-operator-sealed-secrets-controller').spec.destination.namespace).toBe('sealed-secrets');
    for (const name of ['default-operator-cnpg', 'default-operator-barman-cloud', 'default-operator-cert-manager', 'default-operator-sealed-secrets-controller']) {
      expect(syncOptions(app(name))).toEqual(['Prune=false', 'Delete=false']);
      expect(app(name).spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
      expect(app(name).spec.source.targetRevision).toMatch(/^v?\d+\.\d+\.\d+$/);
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
    const root = app('default-root');
    expect(root.spec.source).toMatchObject({ path: 'dist/default/argocd', repoURL: 'https://github.com/example-org/cdk8s-cnpg.git', targetRevision: 'main' });
  });

  test('the database and its namespace are never pruned or deleted by Argo CD', () => {
    const db = readManifests(path.join(DIST, 'default')).map((m) => m.object);
    const cluster = db.find((o) => o.kind === 'Cluster' && o.metadata.name === 'cnpg-ha');
    expect(syncOptions(cluster)).toEqual(['Prune=false', 'Delete=false']);
    expect(syncOptions(db.find((o) => o.kind === 'Namespace' && o.metadata.name === 'data-infra'))).toEqual(['Prune=false', 'Delete=false']);
  });

  test('the AppProject allows only the platform\'s repositories and namespaces', () => {
    const project = objects.find((o) => o.kind === 'AppProject');
    expect(project.spec.sourceRepos).toEqual([
      'https://github.com/example-org/cdk8s-cnpg.git', 'https://charts.jetstack.io', 'https://cloudnative-pg.github.io/charts', 'https://bitnami-labs.github.io/sealed-secrets',
    ]);
    expect(project.spec.destinations.map((d: any) => d.namespace)).toEqual(['argocd', 'cert-manager', 'cnpg-system', 'data-infra', 'restore-drill', 'sealed-secrets']);
    expect(project.spec.clusterResourceWhitelist).toEqual(expect.arrayContaining([{ group: '', kind: 'Namespace' }, { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }]));
  });
});

describe('k3s HelmChart delivery', () => {
  test('operators become helm.cattle.io HelmCharts in kube-system, with no Argo CD objects', () => {
    const app = Testing.app();
    const platform = new PostgresPlatform(app, 'k3s', {
      ...DEFAULT_ENVIRONMENT.platform,
      environment: 'default',
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

describe('Argo CD health checks (Lua, run by a Lua VM)', () => {
  function health(groupKind: string, obj: unknown): { status: string; message: string } {
    const L = lauxlib.luaL_newstate();
    lualib.luaL_openlibs(L);
    // Build `obj` as a Lua table from JSON, as Argo CD does.
    const toLua = (v: any): string => v === null || v === undefined ? 'nil'
      : Array.isArray(v) ? `{${v.map(toLua).join(',')}}`
        : typeof v === 'object' ? `{${Object.entries(v).map(([k, x]) => `[${JSON.stringify(k)}]=${toLua(x)}`).join(',')}}`
          : typeof v === 'string' ? JSON.stringify(v) : String(v);
    const code = `obj = ${toLua(obj)}\nlocal function check()\n${HEALTH_CHECKS[groupKind]}\nend\nlocal hs = check()\nreturn hs.status, hs.message`;
    expect(lauxlib.luaL_loadstring(L, to_luastring(code))).toBe(lua.LUA_OK);
    expect(lua.lua_pcall(L, 0, 2, 0)).toBe(lua.LUA_OK);
    return { status: to_jsstring(lua.lua_tostring(L, -2)), message: to_jsstring(lua.lua_tostring(L, -1) ?? to_luastring('')) };
  }

  test.each([
    ['postgresql.cnpg.io/Database', { status: { applied: true } }, 'Healthy'],
    ['postgresql.cnpg.io/Database', { status: { applied: false, message: 'extension "x" is not available' } }, 'Degraded'],
    ['postgresql.cnpg.io/Database', {}, 'Progressing'],
    ['postgresql.cnpg.io/Publication', { status: { applied: true } }, 'Healthy'],
    ['postgresql.cnpg.io/Subscription', { status: { applied: false } }, 'Degraded'],
    ['postgresql.cnpg.io/DatabaseRole', { status: {} }, 'Progressing'],
    ['postgresql.cnpg.io/Pooler', { spec: { instances: 2 }, status: { instances: 2 } }, 'Healthy'],
    ['postgresql.cnpg.io/Pooler', { spec: { instances: 2 }, status: { instances: 1 } }, 'Progressing'],
    ['postgresql.cnpg.io/ScheduledBackup', { spec: { suspend: true } }, 'Suspended'],
    ['postgresql.cnpg.io/ScheduledBackup', { spec: {}, status: { nextScheduleTime: '2026-12-01T00:00:00Z' } }, 'Healthy'],
    ['postgresql.cnpg.io/Backup', { status: { phase: 'completed' } }, 'Healthy'],
    ['postgresql.cnpg.io/Backup', { status: { phase: 'failed', error: 'no space' } }, 'Degraded'],
    ['postgresql.cnpg.io/Backup', { status: { phase: 'running' } }, 'Progressing'],
    ['barmancloud.cnpg.io/ObjectStore', { spec: {} }, 'Healthy'],
    ['helm.cattle.io/HelmChart', { status: { jobName: 'helm-install-cnpg' } }, 'Healthy'],
    ['helm.cattle.io/HelmChart', { status: { conditions: [{ type: 'Failed', status: 'True', message: 'chart not found' }] } }, 'Degraded'],
    ['helm.cattle.io/HelmChart', {}, 'Progressing'],
    ['argoproj.io/Application', { status: { health: { status: 'Degraded', message: 'x' } } }, 'Degraded'],
    ['argoproj.io/Application', {}, 'Progressing'],
  ])('%s %j → %s', (groupKind, obj, expected) => {
    expect(health(groupKind, obj).status).toBe(expected);
  });

  test('every CNPG and plugin kind the platform emits that Argo CD does not know has a check, and dist/ ships the argocd-cm patch', () => {
    const kinds = new Set(readManifests(path.join(DIST, 'default')).map((m) => `${m.object.apiVersion.split('/')[0]}/${m.object.kind}`));
    const unknownToArgo = [...kinds].filter((k) => /cnpg\.io|helm\.cattle\.io/.test(k) && k !== 'postgresql.cnpg.io/Cluster');
    for (const k of unknownToArgo) expect([k, HEALTH_CHECKS[k] !== undefined]).toEqual([k, true]);
    const patch = fs.readFileSync(path.join(DIST, 'argocd-cm.health-checks.yaml'), 'utf8');
    expect(patch).toContain('resource.customizations.health.postgresql.cnpg.io_Pooler: |');
    expect(patch).toContain('resource.customizations.health.argoproj.io_Application: |');
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
    expect(() => synthAll(tempDir(), { environments: [DEFAULT_ENVIRONMENT, DEFAULT_ENVIRONMENT] })).toThrow('two environments would write to dist/default/');
  });

  test('an operator chart version must be exact', () => {
    const { chart } = testChart('argocd');
    new OperatorInstalls(chart, 'Ops', { releases: [{ ...OperatorReleases.cloudnativePg(), version: '^0.29' }] });
    expect(synthError(chart)).toContain('[test/Ops] releases.cnpg.version: must be an exact chart version (got "^0.29")');
  });

  test('Argo CD delivery without a repository URL', () => {
    const app = new App({ outdir: tempDir() });
    new PostgresPlatform(app, 'x', { ...DEFAULT_ENVIRONMENT.platform, delivery: {} });
    expect(() => synthComponents(app, { warn: () => undefined })).toThrow('delivery.repoUrl: Argo CD delivery needs the git repository that holds dist/');
  });

  test('the operator Applications pass the schema test', () => {
    const { chart } = testChart('argocd');
    new OperatorInstalls(chart, 'Ops', { releases: [...OperatorReleases.defaults(), OperatorReleases.kubePrometheusStack()] });
    expect(validateObjects(Testing.synth(chart))).toEqual([]);
  });
});
