import { Testing } from 'cdk8s';
import {
  CnpgClusterPodMonitor,
  CnpgOperatorPodMonitor,
  CnpgPoolerPodMonitor,
  kubernetesLabelProblems,
} from '../lib/monitoring';
import { FakeCluster } from './support/fake-cluster';

/** Kubernetes label-selector semantics (matchLabels AND matchExpressions). */
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}
function matches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
    if (e.operator === 'In' && !(has && e.values!.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values!.includes(labels[e.key])) return false;
  }
  return true;
}

/** Labels CloudNativePG 1.30 puts on the pods it creates (pkg/specs, pkg/specs/pgbouncer, docs labels_annotations.md). */
const instancePod = (cluster: string, serial: number, role: 'primary' | 'replica') => ({
  'cnpg.io/cluster': cluster,
  'cnpg.io/instanceName': `${cluster}-${serial}`,
  'cnpg.io/podRole': 'instance',
  'cnpg.io/instanceRole': role,
  role,
});
const poolerPod = (cluster: string, pooler: string) => ({
  'cnpg.io/cluster': cluster,
  'cnpg.io/poolerName': pooler,
  'cnpg.io/podRole': 'pooler',
  'pod-template-hash': '7d9f8b6c5',
});
const jobPod = (cluster: string) => ({
  'cnpg.io/cluster': cluster,
  'cnpg.io/jobRole': 'initdb',
  'cnpg.io/instanceName': `${cluster}-1`,
  'batch.kubernetes.io/job-name': `${cluster}-1-initdb`,
});
const operatorPod = { 'app.kubernetes.io/name': 'cloudnative-pg', 'app.kubernetes.io/instance': 'cnpg' };


describe('instance PodMonitor', () => {
  test('selects the instance pods of its cluster only (not poolers, jobs or a cluster with a longer name)', () => {
    const chart = Testing.chart();
    const cluster = new FakeCluster(chart, 'cnpg-ha', 'data-infra');
    const pm = new CnpgClusterPodMonitor(chart, 'pm', { cluster, labels: { release: 'kube-prometheus-stack' } });
    const [m] = Testing.synth(chart);
    expect(m).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'cnpg-ha-instances', namespace: 'data-infra', labels: { release: 'kube-prometheus-stack' } },
      spec: { podMetricsEndpoints: [{ port: 'metrics' }] },
    });
    expect(m.spec.podMetricsEndpoints[0].scheme).toBeUndefined();
    const sel: LabelSelector = m.spec.selector;
    expect(sel).toEqual({ matchLabels: { 'cnpg.io/cluster': 'cnpg-ha', 'cnpg.io/podRole': 'instance' } });
    expect(pm.selector).toEqual(sel.matchLabels);

    expect(matches(sel, instancePod('cnpg-ha', 1, 'primary'))).toBe(true);
    expect(matches(sel, instancePod('cnpg-ha', 3, 'replica'))).toBe(true);
    expect(matches(sel, poolerPod('cnpg-ha', 'cnpg-ha-pooler-rw'))).toBe(false);
    expect(matches(sel, jobPod('cnpg-ha'))).toBe(false);
    expect(matches(sel, instancePod('cnpg-ha-2', 1, 'primary'))).toBe(false);
    expect(matches(sel, operatorPod)).toBe(false);
  });

  test('TLS: https with the operator CA and the -rw server name, or custom values', () => {
    const chart = Testing.chart();
    const cluster = new FakeCluster(chart, 'cnpg-ha', 'data-infra');
    new CnpgClusterPodMonitor(chart, 'a', { cluster, tls: true, interval: '30s' });
    new CnpgClusterPodMonitor(chart, 'b', { cluster, name: 'custom', tls: { caSecretName: 'my-ca', caSecretKey: 'tls.crt', serverName: 'cnpg-ha-r' } });
    const [a, b] = Testing.synth(chart);
    expect(a.spec.podMetricsEndpoints).toEqual([{
      port: 'metrics', interval: '30s', scheme: 'https',
      tlsConfig: { ca: { secret: { name: 'cnpg-ha-ca', key: 'ca.crt' } }, serverName: 'cnpg-ha-rw' },
    }]);
    expect(b.metadata.name).toBe('custom');
    expect(b.spec.podMetricsEndpoints[0].tlsConfig).toEqual({ ca: { secret: { name: 'my-ca', key: 'tls.crt' } }, serverName: 'cnpg-ha-r' });
  });
});

describe('pooler PodMonitor', () => {
  test('selects the PgBouncer pods of that Pooler only', () => {
    const chart = Testing.chart();
    new CnpgPoolerPodMonitor(chart, 'pm', { poolerName: 'cnpg-ha-pooler-rw', namespace: 'data-infra' });
    const [m] = Testing.synth(chart);
    expect(m.metadata).toMatchObject({ name: 'cnpg-ha-pooler-rw', namespace: 'data-infra' });
    expect(m.spec.podMetricsEndpoints).toEqual([{ port: 'metrics' }]);
    const sel: LabelSelector = m.spec.selector;
    expect(matches(sel, poolerPod('cnpg-ha', 'cnpg-ha-pooler-rw'))).toBe(true);
    expect(matches(sel, poolerPod('cnpg-ha', 'cnpg-ha-pooler-ro'))).toBe(false);
    expect(matches(sel, instancePod('cnpg-ha', 1, 'primary'))).toBe(false);
  });
});

describe('operator PodMonitor', () => {
  test('cnpg-system, app.kubernetes.io/name=cloudnative-pg, port metrics', () => {
    const chart = Testing.chart();
    new CnpgOperatorPodMonitor(chart, 'op');
    const [m] = Testing.synth(chart);
    expect(m.metadata).toMatchObject({ name: 'cnpg-controller-manager', namespace: 'cnpg-system' });
    expect(m.spec).toEqual({ selector: { matchLabels: { 'app.kubernetes.io/name': 'cloudnative-pg' } }, podMetricsEndpoints: [{ port: 'metrics' }] });
    expect(matches(m.spec.selector, operatorPod)).toBe(true);
    expect(matches(m.spec.selector, instancePod('cnpg-ha', 1, 'primary'))).toBe(false);
  });
});

describe('validation', () => {
  test('labels are validated as Kubernetes labels', () => {
    expect(kubernetesLabelProblems('labels', { release: 'kube-prometheus-stack', 'example.com/team': 'dba' })).toEqual([]);
    const ps = kubernetesLabelProblems('labels', { 'bad key!': 'x', ok: 'not ok value', n: 1 as unknown as string });
    expect(ps.map((p) => p.field)).toEqual(['labels.bad key!', 'labels.ok', 'labels.n']);
  });

  test('bad props fail synth with field-named messages', () => {
    const chart = Testing.chart();
    const cluster = new FakeCluster(chart, 'cnpg-ha', 'data-infra');
    new CnpgClusterPodMonitor(chart, 'a', { cluster, labels: { 'release!': 'x' }, interval: 'often', tls: { caSecretName: 'Bad_CA' } });
    new CnpgPoolerPodMonitor(chart, 'b', { poolerName: 'Pooler_1', namespace: 'data-infra' });
    new CnpgOperatorPodMonitor(chart, 'c', { namespace: 'CNPG', interval: '0s' });
    expect(() => Testing.synth(chart)).toThrow(/labels\.release!: is not a valid Kubernetes label key/);
    try {
      Testing.synth(chart);
    } catch (e) {
      const msg = (e as Error).message;
      for (const s of ['interval: must be a positive Prometheus duration (got "often")', 'tls.caSecretName', 'poolerName: is not a valid Pooler name', 'namespace: is not a valid namespace name (got "CNPG")', '(got "0s")']) {
        expect(msg).toContain(s);
      }
    }
  });
});
