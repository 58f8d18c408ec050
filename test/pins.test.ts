import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { CHART_PINS, ChartPin, ChartPins, CRD_PINS, IMAGE_PINS, Pin, sameVersion } from '../lib/core/pins';
import { DEFAULT_CLOUDFLARED_IMAGE } from '../lib/exposure/cloudflared-tunnel';
import { CHART_FACTS, chartFacts, helmTruthy, isRendered, namespaceOf } from '../lib/platform/chart-facts';

const ROOT = path.join(__dirname, '..');
const CRD_DIR = path.join(ROOT, 'crds');
const readLf = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/\r\n/g, '\n');

/** The rows of crds/README.md's table: file → upstream repository and path, version, commit, kinds. */
function readmeRows(): Map<string, { repo: string; dir: string; version: string; commit: string; kinds: string[] }> {
  const rows = new Map<string, { repo: string; dir: string; version: string; commit: string; kinds: string[] }>();
  for (const line of readLf('crds/README.md').split('\n')) {
    const m = /^\| `([^`]+\.yaml)` \| (\S+) `([^`]+)` \| \*\*([^*]+)\*\* \(`([0-9a-f]+)`\) \| ([^|]+) \|$/.exec(line);
    if (m) rows.set(m[1], { repo: m[2], dir: m[3], version: m[4], commit: m[5], kinds: m[6].split(',').map((k) => k.trim()) });
  }
  return rows;
}

/** The CRD documents of a vendored file, each with the `# source:` file name that precedes it. */
function crdDocuments(file: string): { source?: string; crd: any }[] {
  const docs: { source?: string; crd: any }[] = [];
  let pendingSource: string | undefined;
  for (const chunk of readLf(file).split(/^---$/m)) {
    pendingSource = /^# source: (\S+)$/m.exec(chunk)?.[1] ?? pendingSource;
    const crd = parse(chunk);
    if (crd === null || crd === undefined) continue;
    docs.push({ source: pendingSource, crd });
    pendingSource = undefined;
  }
  return docs;
}

const vendoredFiles = fs.readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml')).map((f) => `crds/${f}`).sort();
const chartPins = Object.entries(CHART_PINS) as [keyof ChartPins, ChartPin][];
const allPins: [string, Pin][] = [...chartPins, ['postgres', IMAGE_PINS.postgresPin], ['cloudflared', IMAGE_PINS.cloudflared]];

describe('vendored CRDs are tied to the pinned app versions', () => {
  const readme = readmeRows();

  test('every vendored file has exactly one CRD_PINS row and one crds/README.md row, and no row is stale', () => {
    expect(vendoredFiles.length).toBeGreaterThan(0);
    expect(CRD_PINS.map((p) => p.file).sort()).toEqual(vendoredFiles);
    expect([...readme.keys()].map((f) => `crds/${f}`).sort()).toEqual(vendoredFiles);
  });

  test.each(vendoredFiles)('%s: README version, commit, upstream and kinds match its CRD_PINS row', (file) => {
    const pin = CRD_PINS.find((p) => p.file === file)!;
    const row = readme.get(path.basename(file))!;
    expect(row.version).toBe(pin.appVersion);
    expect(row.commit).toBe(pin.commit);
    // source is "owner/repo path@tag": the README names the same repository and directory, and the tag is the version.
    expect(pin.source).toBe(`${row.repo} ${row.dir}@${row.version}`);
    expect([...row.kinds].sort()).toEqual([...pin.kinds].sort());
  });

  test.each(vendoredFiles)('%s: content is the upstream documents the pin was checked against (sha256)', (file) => {
    const pin = CRD_PINS.find((p) => p.file === file)!;
    expect(createHash('sha256').update(readLf(file)).digest('hex')).toBe(pin.sha256);
  });

  test.each(vendoredFiles)('%s: every document is a CRD of the pinned group, preceded by its # source: comment', (file) => {
    const pin = CRD_PINS.find((p) => p.file === file)!;
    const docs = crdDocuments(file);
    expect(docs.map((d) => d.crd.kind)).toEqual(docs.map(() => 'CustomResourceDefinition'));
    expect(docs.map((d) => d.crd.spec.group)).toEqual(docs.map(() => pin.group));
    expect(docs.map((d) => d.crd.spec.names.kind).sort()).toEqual([...pin.kinds].sort());
    for (const d of docs) {
      // Upstream file names are `<group>_<plural>.yaml` for the kubebuilder projects, `<kind>-crd.yaml` for Argo CD.
      expect(d.source).toMatch(new RegExp(`^(${pin.group.replace(/\./g, '\\.')}_${d.crd.spec.names.plural}|${d.crd.spec.names.kind.toLowerCase()}-crd)\\.yaml$`));
    }
  });

  test.each(vendoredFiles)('%s: a version annotation in the documents, where upstream sets one, equals the pinned version', (file) => {
    const pin = CRD_PINS.find((p) => p.file === file)!;
    for (const { crd } of crdDocuments(file)) {
      const annotated = crd.metadata?.annotations?.['operator.prometheus.io/version'] ?? crd.metadata?.labels?.['app.kubernetes.io/version'];
      if (annotated !== undefined) expect(sameVersion(String(annotated), pin.appVersion)).toBe(true);
    }
  });

  test('the monitoring CRDs carry prometheus-operator\'s version annotation (so the check above does run)', () => {
    const versions = crdDocuments('crds/monitoring.coreos.com.yaml').map(({ crd }) => crd.metadata.annotations['operator.prometheus.io/version']);
    expect(versions).toEqual(['0.93.0', '0.93.0']);
  });

  test.each(CRD_PINS.filter((p) => p.chartPin).map((p) => [p.file, p] as const))(
    '%s: the chart that installs it ships the same app version and serves its kinds', (_file, pin) => {
      const chart = CHART_PINS[pin.chartPin!];
      expect(sameVersion(chart.appVersion, pin.appVersion)).toBe(true);
      const facts = chartFacts(chart.repository, chart.chart, chart.version)!;
      expect(facts).toBeDefined();
      for (const kind of pin.kinds) expect(facts.crds).toContain(`${pin.group}/${kind}`);
    },
  );

  test('explicit pairs: Barman Cloud v0.14.0, prometheus-operator v0.93.0, Sealed Secrets 0.38.4, CloudNativePG 1.30.0', () => {
    const crd = (group: string) => CRD_PINS.find((p) => p.group === group)!;
    expect([crd('barmancloud.cnpg.io').appVersion, CHART_PINS.barmanCloudPlugin.appVersion]).toEqual(['v0.14.0', 'v0.14.0']);
    expect([crd('monitoring.coreos.com').appVersion, CHART_PINS.kubePrometheusStack.appVersion]).toEqual(['v0.93.0', 'v0.93.0']);
    expect([crd('bitnami.com').appVersion, CHART_PINS.sealedSecrets.appVersion]).toEqual(['v0.38.4', '0.38.4']);
    expect([crd('postgresql.cnpg.io').appVersion, CHART_PINS.cloudnativePg.appVersion]).toEqual(['v1.30.0', '1.30.0']);
    expect(crd('barmancloud.cnpg.io').chartPin).toBe('barmanCloudPlugin');
    expect(crd('monitoring.coreos.com').chartPin).toBe('kubePrometheusStack');
    expect(crd('bitnami.com').chartPin).toBe('sealedSecrets');
    expect(crd('postgresql.cnpg.io').chartPin).toBe('cloudnativePg');
  });

  test('sameVersion ignores only a leading v', () => {
    expect(sameVersion('v0.38.4', '0.38.4')).toBe(true);
    expect(sameVersion('v0.14.0', 'v0.15.0')).toBe(false);
    expect(sameVersion('1.30.0', '1.30.01')).toBe(false);
  });
});

describe('pins', () => {
  test.each(allPins)('%s: cites "owner/repo path@tag" and explains itself when unverified', (_name, pin) => {
    expect(pin.source).toMatch(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+ \S+@\S+/);
    expect(pin.version).not.toBe('');
    if (!pin.verified) expect((pin.note ?? '').length).toBeGreaterThan(40);
  });

  test.each(chartPins)('%s: an exact chart version from an https Helm repository', (_name, pin) => {
    expect(pin.version).toMatch(/^v?\d+\.\d+\.\d+$/);
    expect(pin.repository).toMatch(/^https:\/\/[^/]+(\/\S*)?$/);
    expect(pin.appVersion).not.toBe('');
  });

  test('issue 13 pins: cert-manager 1.21, Sealed Secrets from bitnami.github.io with the app whose CRD is vendored', () => {
    expect(CHART_PINS.certManager.version).toMatch(/^v1\.21\.\d+$/);
    expect(CHART_PINS.certManager.appVersion).toBe(CHART_PINS.certManager.version);
    expect(CHART_PINS.sealedSecrets.repository).toBe('https://bitnami.github.io/sealed-secrets');
    expect(CHART_PINS.barmanCloudPlugin.version).not.toBe('0.8.0'); // ships plugin v0.15.0, not the vendored v0.14.0
  });

  test('the PostgreSQL minors are one per major, of that major', () => {
    for (const major of [16, 17, 18] as const) expect(IMAGE_PINS.postgres[major]).toMatch(new RegExp(`^${major}\\.\\d+$`));
    expect(IMAGE_PINS.postgres).toEqual({ 16: '16.15', 17: '17.11', 18: '18.6' });
  });

  test('the cloudflared pin is the tunnel\'s default image', () => {
    expect(DEFAULT_CLOUDFLARED_IMAGE).toBe(`cloudflare/cloudflared:${IMAGE_PINS.cloudflared.version}`);
  });
});

describe('chart facts', () => {
  test.each(chartPins)('%s: CHART_FACTS has an entry for the pinned version with the same app version', (_name, pin) => {
    const facts = chartFacts(pin.repository, pin.chart, pin.version);
    expect(facts).toBeDefined();
    expect(facts!.appVersion).toBe(pin.appVersion);
    // A pin verified upstream has its templates read at the same tag; an unverified one says where they were read.
    if (pin.verified) expect(facts!.verified).toBe(true);
    if (!facts!.verified) expect((facts!.note ?? '').length).toBeGreaterThan(40);
  });

  test('one entry per repository, chart and version; chartFacts finds nothing else', () => {
    const keys = CHART_FACTS.map((f) => `${f.repoUrl} ${f.chart} ${f.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(chartFacts('https://cloudnative-pg.github.io/charts', 'plugin-barman-cloud', '0.8.0')).toBeUndefined();
    expect(chartFacts('https://bitnami-labs.github.io/sealed-secrets', 'sealed-secrets', '2.19.1')).toBeUndefined();
    expect(chartFacts('https://charts.jetstack.io/', 'cert-manager', 'v1.21.1')?.version).toBe('v1.21.1');
  });

  test.each(CHART_FACTS.map((f) => [`${f.chart} ${f.version}`, f] as const))('%s: well-formed', (_name, f) => {
    const kind = /^([a-z0-9.-]+\/)?[A-Z][A-Za-z]+$/;
    for (const k of [...f.clusterScopedKinds, ...f.crds, ...f.requiresKinds, ...f.foreignNamespaces.flatMap((o) => o.kinds)]) expect(k).toMatch(kind);
    for (const k of f.crds) expect(k).toMatch(/^[a-z0-9.-]+\.[a-z]+\/[A-Z]/);
    if (f.crds.length > 0) expect(f.clusterScopedKinds).toContain('apiextensions.k8s.io/CustomResourceDefinition');
    if (f.admissionWebhookGroups.length > 0) {
      expect(f.clusterScopedKinds.some((k) => k.startsWith('admissionregistration.k8s.io/'))).toBe(true);
    }
    expect(f.source).toMatch(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+ \S+@\S+/);
    for (const o of f.foreignNamespaces) expect(o.template).toMatch(/templates\/.+\.yaml$/);
  });

  test('every kind a pinned chart requires is served by another pinned chart', () => {
    const pinned = chartPins.map(([, p]) => chartFacts(p.repository, p.chart, p.version)!);
    for (const facts of pinned) {
      for (const kind of facts.requiresKinds) {
        const servers = pinned.filter((f) => f !== facts && f.crds.includes(kind));
        expect([kind, servers.map((f) => f.chart)]).toEqual([kind, ['cert-manager']]);
      }
    }
    expect(chartFacts(CHART_PINS.barmanCloudPlugin.repository, 'plugin-barman-cloud', CHART_PINS.barmanCloudPlugin.version)!.requiresKinds)
      .toEqual(['cert-manager.io/Certificate', 'cert-manager.io/Issuer']);
  });

  describe('what lands outside the release namespace', () => {
    const cm = chartFacts(CHART_PINS.certManager.repository, 'cert-manager', CHART_PINS.certManager.version)!;
    const kps = chartFacts(CHART_PINS.kubePrometheusStack.repository, 'kube-prometheus-stack', CHART_PINS.kubePrometheusStack.version)!;
    const rendered = (facts: typeof cm, values: Record<string, unknown>, releaseNamespace: string) =>
      facts.foreignNamespaces.filter((o) => isRendered(o, values))
        .flatMap((o) => o.kinds.map((k) => `${namespaceOf(o, values, releaseNamespace)} ${k}`))
        .filter((s) => !s.startsWith(`${releaseNamespace} `));

    test('cert-manager: the leader-election Roles go to kube-system unless global.leaderElection.namespace moves them', () => {
      expect(rendered(cm, { crds: { enabled: true, keep: true } }, 'cert-manager')).toEqual([
        'kube-system rbac.authorization.k8s.io/Role', 'kube-system rbac.authorization.k8s.io/RoleBinding',
        'kube-system rbac.authorization.k8s.io/Role', 'kube-system rbac.authorization.k8s.io/RoleBinding',
      ]);
      expect(rendered(cm, { global: { leaderElection: { namespace: 'cert-manager' } } }, 'cert-manager')).toEqual([]);
      expect(rendered(cm, { global: { leaderElection: { namespace: '' } } }, 'cert-manager')).toEqual([]);
    });

    test('kube-prometheus-stack: five kube-system Services by default, none with the k3s values', () => {
      expect(rendered(kps, {}, 'monitoring')).toEqual([
        'kube-system Service', 'kube-system Service', 'kube-system Service', 'kube-system Service', 'kube-system Service',
      ]);
      const k3s = {
        kubeControllerManager: { enabled: false }, kubeScheduler: { enabled: false }, kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false }, coreDns: { enabled: false },
      };
      expect(rendered(kps, k3s, 'monitoring')).toEqual([]);
      expect(rendered(kps, { kubernetesServiceMonitors: { enabled: false } }, 'monitoring')).toEqual([]);
      expect(rendered(kps, { ...k3s, kubeDns: { enabled: true } }, 'monitoring')).toEqual(['kube-system Service']);
      expect(rendered(kps, { ...k3s, prometheus: { prometheusSpec: { ignoreNamespaceSelectors: true } } }, 'monitoring'))
        .toEqual(['kube-system monitoring.coreos.com/ServiceMonitor', 'default monitoring.coreos.com/ServiceMonitor']);
      expect(rendered(kps, { ...k3s, kubeEtcd: { enabled: true, service: { enabled: false }, endpoints: ['10.0.0.1'] } }, 'monitoring'))
        .toEqual(['kube-system Endpoints']);
    });

    test('helmTruthy follows Go templates: empty lists, maps and strings are false', () => {
      expect([[], {}, '', 0, false, null, undefined].map(helmTruthy)).toEqual([false, false, false, false, false, false, false]);
      expect([['x'], { a: 1 }, 'x', 1, true].map(helmTruthy)).toEqual([true, true, true, true, true]);
    });
  });
});
