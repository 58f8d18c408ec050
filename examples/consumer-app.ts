// An application team's own cdk8s app using the library: a small cluster for a service, in its own namespace, with
// a PgBouncer pooler and the PodMonitors that let the team's Prometheus scrape both (and the team's own API).
// Compiled by `npm run typecheck` and synthesized by test/consumer-example.test.ts, so the README example stays true.
import { App, Chart, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { CnpgCluster, PodMonitor, Pooler, PostgresImage } from 'cdk8s-cnpg';

export function buildOrdersApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'orders-db', { namespace: 'orders' });

  const db = new CnpgCluster(chart, 'Db', {
    clusterName: 'orders-db',
    image: PostgresImage.of('17.10'),
    storageSize: '20Gi',
    resources: { cpu: { limit: Cpu.units(2) }, memory: { limit: Size.gibibytes(4) } },
    parameters: { shared_buffers: '1GB', max_connections: 100 },
    database: 'orders',
  });
  // The PodMonitor below scrapes the pooler, so the Pooler does not add its own.
  const pooler = new Pooler(chart, 'Pooler', { cluster: db, monitoring: false });

  // The labels the team's Prometheus selects PodMonitors by (`podMonitorSelector`).
  const labels = { release: 'kube-prometheus-stack' };
  PodMonitor.forCluster(chart, 'DbMetrics', { cluster: db, labels, interval: '30s' });  // instance pods only
  PodMonitor.forPooler(chart, 'PoolerMetrics', { pooler, labels, interval: '30s' });    // this pooler's PgBouncer pods
  new PodMonitor(chart, 'ApiMetrics', {                                                  // any other workload
    name: 'orders-api',
    selector: { 'app.kubernetes.io/name': 'orders-api' },
    endpoints: [{ port: 'http-metrics', interval: '30s', scrapeTimeout: '10s' }],
    labels,
  });

  // Wire the application to the cluster through its public properties, never through copied strings.
  console.log(`connect to ${pooler.host}:${pooler.port} (or ${db.rwServiceName}.${db.namespace}.svc), credentials in Secret ${db.appSecretName}`);
  return app;
}
