// An application team's own cdk8s app using the library: a small cluster for a service, in its own namespace.
// Compiled by `npm run typecheck` and synthesized by test/consumer-example.test.ts, so the README example stays true.
import { App, Chart, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { CnpgCluster, PostgresImage } from 'cdk8s-cnpg';

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

  // Wire the application to the cluster through its public properties, never through copied strings.
  console.log(`connect to ${db.rwServiceName}.${db.namespace}.svc, credentials in Secret ${db.appSecretName}`);
  return app;
}
