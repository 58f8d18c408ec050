import { Chart, Testing } from 'cdk8s';
import { CnpgCluster } from '../lib/cluster/cluster';
import { Pooler, PoolerType } from '../lib/cluster/pooler';
import {
  CnpgClusterPodMonitor,
  CnpgOperatorPodMonitor,
  CnpgPoolerPodMonitor,
  kubernetesLabelProblems,
  MetricsScheme,
  MonitoredNamespaces,
  parsePrometheusDuration,
  PodMonitor,
  PodMonitorProps,
  RelabelAction,
  SelectorOperator,
} from '../lib/monitoring';
import { findObject, synthChart, synthError, testChart } from './support/synth';

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

const PROMETHEUS_LABELS = { release: 'kube-prometheus-stack' };

/** A chart with a real cluster and its rw Pooler (without the Pooler's own PodMonitor). */
function clusterAndPooler(): { chart: Chart; cluster: CnpgCluster; pooler: Pooler } {
  const { chart } = testChart('data-infra');
  const cluster = new CnpgCluster(chart, 'Cluster', { clusterName: 'cnpg-ha', storageSize: '10Gi' });
  const pooler = new Pooler(chart, 'Pooler', { cluster, monitoring: false });
  return { chart, cluster, pooler };
}

describe('PodMonitor for any workload', () => {
  test('renders every prop: selector and expressions, namespaces, endpoints with interval, timeout, relabelings and TLS', () => {
    // GIVEN
    const { chart } = testChart('orders');
    // WHEN
    const pm = new PodMonitor(chart, 'Api', {
      name: 'orders-api',
      labels: PROMETHEUS_LABELS,
      selector: { 'app.kubernetes.io/name': 'orders-api' },
      selectorExpressions: [{ key: 'tier', operator: SelectorOperator.IN, values: ['web', 'worker'] }],
      namespaceSelector: MonitoredNamespaces.named('orders', 'orders-canary'),
      endpoints: [
        {
          port: 'http-metrics',
          path: '/internal/metrics',
          interval: '30s',
          scrapeTimeout: '10s',
          relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }],
          metricRelabelings: [{ action: RelabelAction.DROP, sourceLabels: ['__name__'], regex: 'go_gc_.*' }],
        },
        { port: 'tls-metrics', interval: '1m', tlsCaSecretName: 'orders-ca', tlsServerName: 'orders-api.orders.svc' },
      ],
    });
    // THEN
    const m = findObject(synthChart(chart), 'PodMonitor');
    expect(m.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(m.metadata).toEqual({ name: 'orders-api', namespace: 'orders', labels: { release: 'kube-prometheus-stack' } });
    expect(m.spec.selector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'orders-api' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'worker'] }],
    });
    expect(m.spec.namespaceSelector).toEqual({ matchNames: ['orders', 'orders-canary'] });
    expect(m.spec.podMetricsEndpoints).toEqual([
      {
        port: 'http-metrics',
        path: '/internal/metrics',
        interval: '30s',
        scrapeTimeout: '10s',
        relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }],
        metricRelabelings: [{ action: 'drop', sourceLabels: ['__name__'], regex: 'go_gc_.*' }],
      },
      {
        port: 'tls-metrics',
        interval: '1m',
        scheme: 'https',
        tlsConfig: { ca: { secret: { name: 'orders-ca', key: 'ca.crt' } }, serverName: 'orders-api.orders.svc' },
      },
    ]);
    expect(pm.podMonitorName).toBe('orders-api');
    expect(pm.namespace).toBe('orders');
    expect(pm.selector).toEqual({ 'app.kubernetes.io/name': 'orders-api' });
    expect(matches(m.spec.selector, { 'app.kubernetes.io/name': 'orders-api', tier: 'web' })).toBe(true);
    expect(matches(m.spec.selector, { 'app.kubernetes.io/name': 'orders-api', tier: 'batch' })).toBe(false);
  });

  test('defaults: the chart\'s namespace, one endpoint on port "metrics", a generated name, no namespace selector', () => {
    const { chart } = testChart('orders');
    const pm = new PodMonitor(chart, 'Worker', { selector: { app: 'worker' } });
    const m = findObject(synthChart(chart), 'PodMonitor');
    expect(m.metadata.namespace).toBe('orders');
    expect(m.metadata.name).toBe(pm.podMonitorName);
    expect(m.metadata.name).toMatch(/^test-worker-c8[0-9a-f]+$/);
    expect(m.metadata.labels).toBeUndefined();
    expect(m.spec).toEqual({ selector: { matchLabels: { app: 'worker' } }, podMetricsEndpoints: [{ port: 'metrics' }] });
  });

  test('namespace selectors: any namespace, or explicitly the own namespace (rendered as the default)', () => {
    const { chart } = testChart('monitoring');
    new PodMonitor(chart, 'Any', { name: 'any', selector: { app: 'x' }, namespaceSelector: MonitoredNamespaces.any() });
    new PodMonitor(chart, 'Own', { name: 'own', namespace: 'apps', selector: { app: 'x' }, namespaceSelector: MonitoredNamespaces.own() });
    const objects = synthChart(chart);
    expect(findObject(objects, 'PodMonitor', 'any').spec.namespaceSelector).toEqual({ any: true });
    const own = findObject(objects, 'PodMonitor', 'own');
    expect(own.metadata.namespace).toBe('apps');
    expect(own.spec.namespaceSelector).toBeUndefined();
  });

  test('expressions alone are a valid selector; an explicit http scheme and skip-verify TLS render as given', () => {
    const { chart } = testChart();
    new PodMonitor(chart, 'A', {
      name: 'a',
      selector: {},
      selectorExpressions: [{ key: 'app.kubernetes.io/name', operator: SelectorOperator.EXISTS }],
      endpoints: [{ port: 'metrics', scheme: MetricsScheme.HTTP }, { port: 'https', tlsInsecureSkipVerify: true }],
    });
    const m = findObject(synthChart(chart), 'PodMonitor', 'a');
    expect(m.spec.selector).toEqual({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'Exists' }] });
    expect(m.spec.podMetricsEndpoints).toEqual([
      { port: 'metrics', scheme: 'http' },
      { port: 'https', scheme: 'https', tlsConfig: { insecureSkipVerify: true } },
    ]);
  });
});

test('RE2 regexes JavaScript cannot compile as written pass: flag groups and (?P<name>) groups', () => {
  const { chart } = testChart();
  new PodMonitor(chart, 'A', {
    name: 'a',
    selector: { app: 'x' },
    endpoints: [{
      port: 'metrics',
      metricRelabelings: [
        { action: RelabelAction.DROP, sourceLabels: ['__name__'], regex: '(?i)GO_GC_.*' },
        { sourceLabels: ['__address__'], regex: '(?P<host>[^:]+):\\d+', targetLabel: 'host', replacement: '${host}' },
      ],
    }],
  });
  expect(findObject(synthChart(chart), 'PodMonitor', 'a').spec.podMetricsEndpoints[0].metricRelabelings).toEqual([
    { action: 'drop', sourceLabels: ['__name__'], regex: '(?i)GO_GC_.*' },
    { sourceLabels: ['__address__'], regex: '(?P<host>[^:]+):\\d+', targetLabel: 'host', replacement: '${host}' },
  ]);
});

describe('PodMonitor.forCluster', () => {
  test('selects the instance pods of its cluster only (not poolers, jobs or a cluster with a longer name)', () => {
    const chart = Testing.chart();
    const cluster = CnpgCluster.fromClusterAttributes(chart, 'cluster-cnpg-ha', { clusterName: 'cnpg-ha', namespace: 'data-infra' });
    const pm = PodMonitor.forCluster(chart, 'pm', { cluster, labels: PROMETHEUS_LABELS });
    const [m] = Testing.synth(chart);
    expect(m).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'cnpg-ha-instances', namespace: 'data-infra', labels: { release: 'kube-prometheus-stack' } },
      spec: {
        selector: { matchLabels: { 'cnpg.io/cluster': 'cnpg-ha', 'cnpg.io/podRole': 'instance' } },
        podMetricsEndpoints: [{ port: 'metrics' }],
      },
    });
    expect(pm).toBeInstanceOf(PodMonitor);
    expect(pm.selector).toEqual(m.spec.selector.matchLabels);

    const sel: LabelSelector = m.spec.selector;
    expect(matches(sel, instancePod('cnpg-ha', 1, 'primary'))).toBe(true);
    expect(matches(sel, instancePod('cnpg-ha', 3, 'replica'))).toBe(true);
    expect(matches(sel, poolerPod('cnpg-ha', 'cnpg-ha-pooler-rw'))).toBe(false);
    expect(matches(sel, jobPod('cnpg-ha'))).toBe(false);
    expect(matches(sel, instancePod('cnpg-ha-2', 1, 'primary'))).toBe(false);
    expect(matches(sel, operatorPod)).toBe(false);
  });

  test('takes a real CnpgCluster and passes interval, timeout and relabelings to its one endpoint', () => {
    const { chart, cluster } = clusterAndPooler();
    PodMonitor.forCluster(chart, 'Instances', {
      cluster,
      interval: '30s',
      scrapeTimeout: '25s',
      relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_label_cnpg_io_instanceRole'], targetLabel: 'role' }],
    });
    const m = findObject(synthChart(chart), 'PodMonitor', 'cnpg-ha-instances');
    expect(m.metadata.namespace).toBe('data-infra');
    expect(m.spec.podMetricsEndpoints).toEqual([{
      port: 'metrics', interval: '30s', scrapeTimeout: '25s',
      relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_label_cnpg_io_instanceRole'], targetLabel: 'role' }],
    }]);
  });

  test('TLS: https with the operator CA and the -rw server name, custom values, and a CA alone implying https', () => {
    const chart = Testing.chart();
    const cluster = CnpgCluster.fromClusterAttributes(chart, 'cluster-cnpg-ha', { clusterName: 'cnpg-ha', namespace: 'data-infra' });
    PodMonitor.forCluster(chart, 'a', { cluster, tls: true, interval: '30s' });
    PodMonitor.forCluster(chart, 'b', { cluster, name: 'custom', tls: true, tlsCaSecretName: 'my-ca', tlsCaSecretKey: 'tls.crt', tlsServerName: 'cnpg-ha-r' });
    PodMonitor.forCluster(chart, 'c', { cluster, name: 'implied', tlsCaSecretName: 'my-ca' });
    const [a, b, c] = Testing.synth(chart);
    expect(a.spec.podMetricsEndpoints).toEqual([{
      port: 'metrics', interval: '30s', scheme: 'https',
      tlsConfig: { ca: { secret: { name: 'cnpg-ha-ca', key: 'ca.crt' } }, serverName: 'cnpg-ha-rw' },
    }]);
    expect(b.metadata.name).toBe('custom');
    expect(b.spec.podMetricsEndpoints[0].tlsConfig).toEqual({ ca: { secret: { name: 'my-ca', key: 'tls.crt' } }, serverName: 'cnpg-ha-r' });
    expect(c.spec.podMetricsEndpoints).toEqual([{
      port: 'metrics', scheme: 'https', tlsConfig: { ca: { secret: { name: 'my-ca', key: 'ca.crt' } }, serverName: 'cnpg-ha-rw' },
    }]);
  });
});

describe('PodMonitor.forPooler', () => {
  test('takes the Pooler: its name, its namespace, its PgBouncer pods only', () => {
    const { chart, cluster, pooler } = clusterAndPooler();
    const ro = new Pooler(chart, 'PoolerRo', { cluster, type: PoolerType.RO, monitoring: false });
    const pm = PodMonitor.forPooler(chart, 'PoolerMonitor', { pooler, labels: PROMETHEUS_LABELS, interval: '15s' });
    const objects = synthChart(chart);
    expect(objects.filter((o) => o.kind === 'PodMonitor')).toHaveLength(1);
    const m = findObject(objects, 'PodMonitor', 'cnpg-ha-pooler-rw');
    expect(m.metadata).toEqual({ name: 'cnpg-ha-pooler-rw', namespace: 'data-infra', labels: { release: 'kube-prometheus-stack' } });
    expect(m.spec).toEqual({
      selector: { matchLabels: { 'cnpg.io/poolerName': 'cnpg-ha-pooler-rw', 'cnpg.io/podRole': 'pooler' } },
      podMetricsEndpoints: [{ port: 'metrics', interval: '15s' }],
    });
    expect(pm.selector).toEqual(pooler.podSelectorLabels);
    const sel: LabelSelector = m.spec.selector;
    expect(matches(sel, poolerPod('cnpg-ha', pooler.poolerName))).toBe(true);
    expect(matches(sel, poolerPod('cnpg-ha', ro.poolerName))).toBe(false);
    expect(matches(sel, instancePod('cnpg-ha', 1, 'primary'))).toBe(false);
  });
});

describe('PodMonitor.forOperator', () => {
  test('cnpg-system, app.kubernetes.io/name=cloudnative-pg, port metrics', () => {
    const chart = Testing.chart();
    PodMonitor.forOperator(chart, 'op');
    const [m] = Testing.synth(chart);
    expect(m.metadata).toEqual({ name: 'cnpg-controller-manager', namespace: 'cnpg-system' });
    expect(m.spec).toEqual({ selector: { matchLabels: { 'app.kubernetes.io/name': 'cloudnative-pg' } }, podMetricsEndpoints: [{ port: 'metrics' }] });
    expect(matches(m.spec.selector, operatorPod)).toBe(true);
    expect(matches(m.spec.selector, instancePod('cnpg-ha', 1, 'primary'))).toBe(false);
  });

  test('another namespace, name and the platform\'s labels', () => {
    const chart = Testing.chart();
    PodMonitor.forOperator(chart, 'op', { namespace: 'cnpg-operator', name: 'cnpg', labels: PROMETHEUS_LABELS });
    const [m] = Testing.synth(chart);
    expect(m.metadata).toEqual({ name: 'cnpg', namespace: 'cnpg-operator', labels: { release: 'kube-prometheus-stack' } });
  });
});

describe('deprecated aliases', () => {
  test('CnpgClusterPodMonitor, CnpgPoolerPodMonitor and CnpgOperatorPodMonitor render exactly what the factories render', () => {
    const build = (legacy: boolean) => {
      const chart = Testing.chart();
      const cluster = CnpgCluster.fromClusterAttributes(chart, 'cluster-cnpg-ha', { clusterName: 'cnpg-ha', namespace: 'data-infra' });
      const pooler = { poolerName: 'cnpg-ha-pooler-rw', namespace: 'data-infra' } as Pooler;
      if (legacy) {
        expect(new CnpgClusterPodMonitor(chart, 'c', { cluster, labels: PROMETHEUS_LABELS, interval: '30s', tls: { caSecretName: 'my-ca' } })).toBeInstanceOf(PodMonitor);
        expect(new CnpgPoolerPodMonitor(chart, 'p', { poolerName: 'cnpg-ha-pooler-rw', namespace: 'data-infra', labels: PROMETHEUS_LABELS })).toBeInstanceOf(PodMonitor);
        expect(new CnpgOperatorPodMonitor(chart, 'o', { labels: PROMETHEUS_LABELS })).toBeInstanceOf(PodMonitor);
      } else {
        PodMonitor.forCluster(chart, 'c', { cluster, labels: PROMETHEUS_LABELS, interval: '30s', tls: true, tlsCaSecretName: 'my-ca' });
        PodMonitor.forPooler(chart, 'p', { pooler, labels: PROMETHEUS_LABELS });
        PodMonitor.forOperator(chart, 'o', { labels: PROMETHEUS_LABELS });
      }
      return Testing.synth(chart);
    };
    const legacy = build(true);
    expect(legacy).toHaveLength(3);
    expect(legacy).toEqual(build(false));
  });

  test('fails: the pooler alias still checks the name it is given', () => {
    const chart = Testing.chart();
    new CnpgPoolerPodMonitor(chart, 'b', { poolerName: 'Pooler_1', namespace: 'data-infra' });
    expect(synthError(chart)).toContain('poolerName: is not a valid Pooler name (DNS-1123 label) (got "Pooler_1")');
  });
});

describe('validation', () => {
  /** The synth error of one PodMonitor built from `props` in a chart with namespace `apps`. */
  function errorOf(props: Partial<PodMonitorProps>): string {
    const { chart } = testChart('apps');
    new PodMonitor(chart, 'pm', { selector: { app: 'x' }, ...props });
    return synthError(chart);
  }

  test('parsePrometheusDuration: Prometheus\' grammar, largest unit first', () => {
    expect(parsePrometheusDuration('30s')).toBe(30_000);
    expect(parsePrometheusDuration('1h30m')).toBe(5_400_000);
    expect(parsePrometheusDuration('1d')).toBe(86_400_000);
    expect(parsePrometheusDuration('1w')).toBe(604_800_000);
    expect(parsePrometheusDuration('1y')).toBe(31_536_000_000);
    expect(parsePrometheusDuration('500ms')).toBe(500);
    expect(parsePrometheusDuration('0')).toBe(0);
    for (const bad of ['', '30', '1m1h', '1.5s', '30 s', '-1s', '1M', 'often']) {
      expect(parsePrometheusDuration(bad)).toBeUndefined();
    }
  });

  test('labels are validated as Kubernetes labels', () => {
    expect(kubernetesLabelProblems('labels', { release: 'kube-prometheus-stack', 'example.com/team': 'dba' })).toEqual([]);
    const ps = kubernetesLabelProblems('labels', { 'bad key!': 'x', ok: 'not ok value', n: 1 as unknown as string });
    expect(ps.map((p) => p.field)).toEqual(['labels.bad key!', 'labels.ok', 'labels.n']);
  });

  test('fails when scrapeTimeout is longer than the interval', () => {
    expect(errorOf({ endpoints: [{ port: 'metrics', interval: '30s', scrapeTimeout: '1m' }] })).toContain(
      'endpoints[0].scrapeTimeout: must not be longer than the scrape interval (30s): Prometheus refuses the configuration (got "1m"); set scrapeTimeout to 30s or less, or lengthen the interval',
    );
    // Equal is fine.
    const { chart } = testChart('apps');
    new PodMonitor(chart, 'pm', { selector: { app: 'x' }, endpoints: [{ port: 'metrics', interval: '30s', scrapeTimeout: '30s' }] });
    expect(() => synthChart(chart)).not.toThrow();
  });

  test('fails on bad duration syntax and zero durations', () => {
    const msg = errorOf({ endpoints: [{ port: 'metrics', interval: '30 s', scrapeTimeout: '1m1h' }, { port: 'metrics', interval: '0s' }] });
    expect(msg).toContain('endpoints[0].interval: must be a positive Prometheus duration (units y, w, d, h, m, s, ms, largest first, each once) (got "30 s"); write e.g. "30s", "1m" or "1m30s"');
    expect(msg).toContain('endpoints[0].scrapeTimeout: must be a positive Prometheus duration (units y, w, d, h, m, s, ms, largest first, each once) (got "1m1h")');
    expect(msg).toContain('endpoints[1].interval: must be a positive Prometheus duration (got "0s")');
  });

  test('fails on an empty selector (it would scrape every pod of the namespace)', () => {
    expect(errorOf({ selector: {} })).toContain('selector: is empty: the PodMonitor would scrape every pod of the selected namespaces (got {}); select the workload\'s pods by their labels');
  });

  test('fails on invalid label names: PodMonitor labels, selector keys and values, expression keys', () => {
    const msg = errorOf({
      labels: { 'release!': 'x' },
      selector: { 'app name': 'x', tier: 'not valid' },
      selectorExpressions: [{ key: '-bad', operator: SelectorOperator.EXISTS }],
    });
    expect(msg).toContain('labels.release!: is not a valid Kubernetes label key (got "release!")');
    expect(msg).toContain('selector.app name: is not a valid Kubernetes label key (got "app name")');
    expect(msg).toContain('selector.tier: is not a valid Kubernetes label value (got "not valid")');
    expect(msg).toContain('selectorExpressions[0].key: is not a valid Kubernetes label key (got "-bad")');
  });

  test('fails on selector expressions whose values do not fit their operator', () => {
    const msg = errorOf({
      selectorExpressions: [
        { key: 'tier', operator: SelectorOperator.IN },
        { key: 'tier', operator: SelectorOperator.DOES_NOT_EXIST, values: ['web'] },
        { key: 'tier', operator: 'Like' as SelectorOperator },
      ],
    });
    expect(msg).toContain('selectorExpressions[0].values: must not be empty for operator In (got []); list the label values to compare with');
    expect(msg).toContain('selectorExpressions[1].values: must be empty for operator DoesNotExist (got ["web"])');
    expect(msg).toContain('selectorExpressions[2].operator: is not a label selector operator (got "Like"); use SelectorOperator.IN, NOT_IN, EXISTS or DOES_NOT_EXIST');
  });

  test('fails on bad names: object name, namespace, namespace selector entries, port names, paths', () => {
    const msg = errorOf({
      name: 'Orders_API',
      namespace: 'Apps',
      namespaceSelector: MonitoredNamespaces.named('orders', 'Orders', 'orders'),
      endpoints: [{ port: 'http_metrics', path: 'metrics' }, { port: 'a-very-long-port-name' }],
    });
    expect(msg).toContain('name: is not a valid object name (DNS-1123 subdomain) (got "Orders_API")');
    expect(msg).toContain('namespace: is not a valid namespace name (DNS-1123 label) (got "Apps")');
    expect(msg).toContain('namespaceSelector[1]: is not a valid namespace name (DNS-1123 label) (got "Orders")');
    expect(msg).toContain('namespaceSelector[2]: is listed twice (got "orders")');
    expect(msg).toContain('endpoints[0].port: is not a container port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and "-", with a letter) (got "http_metrics")');
    expect(msg).toContain('endpoints[0].path: must be an absolute HTTP path (got "metrics"); write e.g. "/metrics"');
    expect(msg).toContain('endpoints[1].port: is not a container port name');
    expect(errorOf({ namespaceSelector: MonitoredNamespaces.named() })).toContain('namespaceSelector: names no namespace (got [])');
    expect(errorOf({ endpoints: [] })).toContain('endpoints: must list at least one port to scrape (got [])');
  });

  test('fails without a namespace: a PodMonitor is namespaced', () => {
    const chart = Testing.chart();
    new PodMonitor(chart, 'pm', { selector: { app: 'x' } });
    expect(synthError(chart)).toContain('namespace: is required: a PodMonitor is a namespaced object and the chart has no namespace; set namespace');
  });

  test('fails on relabelings Prometheus would refuse', () => {
    const msg = errorOf({
      endpoints: [{
        port: 'metrics',
        relabelings: [
          { sourceLabels: ['__meta_kubernetes_pod_label_app'] },
          { action: RelabelAction.HASHMOD, sourceLabels: ['__address__'], targetLabel: '__tmp_hash' },
          { action: RelabelAction.KEEP, sourceLabels: ['app.kubernetes.io/name'], regex: '(?!debug).*' },
          { action: RelabelAction.LABELDROP, regex: 'pod_template_hash', targetLabel: 'x' },
          { action: 'explode' as RelabelAction },
          { action: RelabelAction.REPLACE, targetLabel: 'bad-name', sourceLabels: ['job'] },
          // A long invalid name is refused at once (Prometheus' own pattern backtracks exponentially in JavaScript).
          { action: RelabelAction.REPLACE, targetLabel: `${'a'.repeat(60)}-`, sourceLabels: ['job'] },
        ],
        metricRelabelings: [{ action: RelabelAction.DROP, sourceLabels: ['__name__'], regex: 'go_(gc' }],
      }],
    });
    expect(msg).toContain('endpoints[0].relabelings[0].targetLabel: is required by the replace action');
    expect(msg).toContain('endpoints[0].relabelings[1].modulus: must be a positive whole number for the hashmod action');
    expect(msg).toContain('endpoints[0].relabelings[2].sourceLabels[0]: is not a valid Prometheus label name (got "app.kubernetes.io/name")');
    expect(msg).toContain('endpoints[0].relabelings[2].regex: is not a valid RE2 regular expression: lookaround is not supported (got "(?!debug).*")');
    expect(msg).toContain('endpoints[0].relabelings[3].targetLabel: is not allowed with the labeldrop action');
    expect(msg).toContain('endpoints[0].relabelings[4].action: is not a relabeling action (got "explode")');
    expect(msg).toContain('endpoints[0].relabelings[5].targetLabel: is not a valid Prometheus label name (got "bad-name")');
    expect(msg).toContain('endpoints[0].relabelings[6].targetLabel: is not a valid Prometheus label name');
    expect(msg).toContain('endpoints[0].metricRelabelings[0].regex: is not a valid RE2 regular expression');
  });

  test('fails on contradictory or malformed TLS settings', () => {
    const msg = errorOf({
      endpoints: [
        { port: 'metrics', scheme: MetricsScheme.HTTP, tlsServerName: 'api.apps.svc' },
        { port: 'metrics', tlsCaSecretKey: 'ca crt' },
        { port: 'metrics', tlsCaSecretName: 'Bad_CA' },
      ],
    });
    expect(msg).toContain('endpoints[0].scheme: is http, but TLS options are set (they only apply to https) (got "http")');
    expect(msg).toContain('endpoints[1].tlsCaSecretKey: is set without tlsCaSecretName (got "ca crt")');
    expect(msg).toContain('endpoints[1].tlsCaSecretKey: is not a valid Secret key (got "ca crt")');
    expect(msg).toContain('endpoints[2].tlsCaSecretName: is not a valid Secret name (got "Bad_CA")');
  });

  test('fails: the CloudNativePG factories name their own (flat) props in errors', () => {
    const chart = Testing.chart();
    const cluster = CnpgCluster.fromClusterAttributes(chart, 'cluster-cnpg-ha', { clusterName: 'cnpg-ha', namespace: 'data-infra' });
    PodMonitor.forCluster(chart, 'a', { cluster, labels: { 'release!': 'x' }, interval: 'often', tlsCaSecretName: 'Bad_CA' });
    PodMonitor.forCluster(chart, 'b', { cluster, name: 'b', tls: false, tlsServerName: 'cnpg-ha-r' });
    PodMonitor.forOperator(chart, 'c', { namespace: 'CNPG', interval: '30s', scrapeTimeout: '45s' });
    const msg = synthError(chart);
    expect(msg).toContain('labels.release!: is not a valid Kubernetes label key');
    expect(msg).toContain('interval: must be a positive Prometheus duration (units y, w, d, h, m, s, ms, largest first, each once) (got "often")');
    expect(msg).toContain('tlsCaSecretName: is not a valid Secret name (got "Bad_CA")');
    expect(msg).toContain('tls: is false, but tlsCaSecretName, tlsCaSecretKey or tlsServerName is set (got false)');
    expect(msg).toContain('namespace: is not a valid namespace name (DNS-1123 label) (got "CNPG")');
    expect(msg).toContain('scrapeTimeout: must not be longer than the scrape interval (30s)');
    expect(msg).not.toContain('endpoints[0]');
  });
});
