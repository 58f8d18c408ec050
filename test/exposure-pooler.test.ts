import { Chart, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { CnpgCluster } from '../lib/cluster/cluster';
import { PodAntiAffinity } from '../lib/cluster/cluster-options';
import { Pooler, PoolerProps, PoolerType, PoolMode } from '../lib/cluster/pooler';
import { PGBOUNCER_ALLOWED_PARAMETERS } from '../lib/rules/pgbouncer';
import { findObject, synthChart, synthError, testChart } from './support/synth';

function setup(overrides: Partial<PoolerProps> = {}): { chart: Chart; pooler: Pooler; cluster: CnpgCluster } {
  const { chart } = testChart();
  const cluster = new CnpgCluster(chart, 'Cluster', { clusterName: 'cnpg-ha', storageSize: '10Gi' });
  const pooler = new Pooler(chart, 'Pooler', { cluster, ...overrides });
  return { chart, pooler, cluster };
}

describe('Pooler defaults', () => {
  const { chart, pooler } = setup();
  const objects = synthChart(chart);
  const spec = findObject(objects, 'Pooler', 'cnpg-ha-pooler-rw').spec;

  test('snapshot', () => {
    expect(objects.filter((o) => o.kind !== 'Cluster')).toMatchSnapshot();
  });

  test('an rw pooler named after its cluster, two pods, session pooling spelled out', () => {
    expect(spec.cluster).toEqual({ name: 'cnpg-ha' });
    expect(spec.type).toBe('rw');
    expect(spec.instances).toBe(2);
    expect(spec.pgbouncer).toEqual({ poolMode: 'session' });
    expect(spec.monitoring).toBeUndefined(); // the deprecated enablePodMonitor is never used
    expect(pooler.poolerName).toBe('cnpg-ha-pooler-rw');
    expect(pooler.serviceName).toBe('cnpg-ha-pooler-rw');
    expect(pooler.host).toBe('cnpg-ha-pooler-rw.data-infra.svc');
    expect(pooler.port).toBe(5432);
    expect(pooler.type).toBe(PoolerType.RW);
    expect(pooler.poolMode).toBe(PoolMode.SESSION);
    expect(pooler.namespace).toBe('data-infra');
  });

  test('PgBouncer pods prefer different nodes (anti-affinity on the pooler\'s own pods)', () => {
    expect(spec.template.spec.affinity).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100,
          podAffinityTerm: { labelSelector: { matchLabels: { 'cnpg.io/poolerName': 'cnpg-ha-pooler-rw' } }, topologyKey: 'kubernetes.io/hostname' },
        }],
      },
    });
    expect(spec.deploymentStrategy).toBeUndefined();
  });

  test('the pgbouncer container has requests and limits', () => {
    expect(spec.template.spec.containers).toEqual([{
      name: 'pgbouncer',
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    }]);
  });

  test('a PodMonitor selects the pooler\'s pods on the metrics port', () => {
    const monitor = findObject(objects, 'PodMonitor', 'cnpg-ha-pooler-rw');
    expect(monitor.metadata.namespace).toBe('data-infra');
    expect(monitor.spec).toEqual({
      selector: { matchLabels: { 'cnpg.io/poolerName': 'cnpg-ha-pooler-rw', 'cnpg.io/podRole': 'pooler' } },
      podMetricsEndpoints: [{ port: 'metrics' }],
    });
    expect(pooler.podSelectorLabels).toEqual(monitor.spec.selector.matchLabels);
  });
});

describe('Pooler options', () => {
  test('an ro pooler in transaction mode with parameters (rendered as sorted strings) and its own resources', () => {
    const { chart, pooler } = setup({
      type: PoolerType.RO,
      poolMode: PoolMode.TRANSACTION,
      instances: 3,
      parameters: { max_client_conn: 1000, default_pool_size: '20', max_prepared_statements: 100 },
      resources: { cpu: { limit: Cpu.millis(500) }, memory: { limit: Size.mebibytes(128) } },
      monitoring: { labels: { release: 'kube-prometheus-stack' }, interval: '30s' },
    });
    const objects = synthChart(chart);
    const spec = findObject(objects, 'Pooler', 'cnpg-ha-pooler-ro').spec;
    expect(pooler.poolerName).toBe('cnpg-ha-pooler-ro');
    expect(spec.type).toBe('ro');
    expect(spec.instances).toBe(3);
    expect(spec.pgbouncer).toEqual({
      poolMode: 'transaction',
      parameters: { default_pool_size: '20', max_client_conn: '1000', max_prepared_statements: '100' },
    });
    expect(Object.keys(spec.pgbouncer.parameters)).toEqual(['default_pool_size', 'max_client_conn', 'max_prepared_statements']);
    // limits only: requests follow the limits
    expect(spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '500m', memory: '128Mi' }, limits: { cpu: '500m', memory: '128Mi' } });
    const monitor = findObject(objects, 'PodMonitor', 'cnpg-ha-pooler-ro');
    expect(monitor.metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', interval: '30s' }]);
  });

  test('required anti-affinity replaces one pod at a time; none leaves scheduling alone', () => {
    const required = findObject(synthChart(setup({ podAntiAffinity: PodAntiAffinity.REQUIRED }).chart), 'Pooler', 'cnpg-ha-pooler-rw').spec;
    expect(required.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { labelSelector: { matchLabels: { 'cnpg.io/poolerName': 'cnpg-ha-pooler-rw' } }, topologyKey: 'kubernetes.io/hostname' },
    ]);
    expect(required.deploymentStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    const none = findObject(synthChart(setup({ podAntiAffinity: PodAntiAffinity.NONE }).chart), 'Pooler', 'cnpg-ha-pooler-rw').spec;
    expect(none.template.spec.affinity).toBeUndefined();
  });

  test('a custom name, and no PodMonitor', () => {
    const { chart, pooler } = setup({ name: 'app-pool', monitoring: false });
    const objects = synthChart(chart);
    expect(findObject(objects, 'Pooler', 'app-pool')).toBeDefined();
    expect(objects.filter((o) => o.kind === 'PodMonitor')).toEqual([]);
    expect(pooler.podMonitor).toBeUndefined();
  });

  test('every allow-listed parameter passes the schema', () => {
    const parameters = Object.fromEntries(PGBOUNCER_ALLOWED_PARAMETERS.map((p) => [p, '1']));
    expect(() => synthChart(setup({ parameters }).chart)).not.toThrow();
    expect(PGBOUNCER_ALLOWED_PARAMETERS).toHaveLength(57);
  });
});

describe('Pooler validation', () => {
  test('a PgBouncer parameter outside the allow-list', () => {
    const error = synthError(setup({ parameters: { max_client_conn: 100, listen_port: 6432, pool_mode: 'transaction' } }).chart);
    expect(error).toMatch(/\[test\/Pooler\] parameters\.listen_port: is not a PgBouncer parameter CloudNativePG allows \(Invalid or reserved parameter\) \(got "listen_port"\)/);
    expect(error).toMatch(/parameters\.pool_mode: .*; set the poolMode prop instead/);
    expect(error).not.toMatch(/parameters\.max_client_conn/);
    expect(error).toMatch(/parameters\.listen_port: .*; CloudNativePG manages the other PgBouncer settings itself/);
  });

  test('a pooler named like its cluster, or like one of its Services', () => {
    expect(synthError(setup({ name: 'cnpg-ha' }).chart)).toMatch(/name: the pooler resource cannot have the same name as its cluster \(got "cnpg-ha"\)/);
    expect(synthError(setup({ name: 'cnpg-ha-rw' }).chart)).toMatch(/name: the pooler's Service would replace one of the cluster's own Services/);
  });

  test('a name that is not a DNS-1035 label, bad instances and values', () => {
    expect(synthError(setup({ name: '1pool' }).chart)).toMatch(/name: must be a DNS-1035 label/);
    expect(synthError(setup({ name: `p${'x'.repeat(63)}` }).chart)).toMatch(/name: must be a DNS-1035 label/);
    expect(synthError(setup({ instances: 0 }).chart)).toMatch(/instances: must be a whole number of at least 1 \(got 0\)/);
    expect(synthError(setup({ parameters: { max_client_conn: Number.NaN } }).chart)).toMatch(/parameters\.max_client_conn: must be a string or a finite number/);
  });
});
