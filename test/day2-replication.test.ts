import { Chart, Testing } from 'cdk8s';
import {
  addReplicationRole, BasicAuthSecret, ClusterEndpoint, ClusterImport, CnpgCluster, CnpgPublication, CnpgSubscription,
  ExternalCluster, ExternalTls, ImageFlavour, PostgresImage, PublicationRef, PublicationTarget, PublishOperation,
} from '../lib';
import { walLevelProblems } from '../lib/replication/publication';
import { tutorialCluster, userCredentials } from './support/day2';
import { findObject, synthChart, synthError, testChart } from './support/synth';

const REPL_PASSWORD = 'same-password-in-both-namespaces-0001';

function warehouse(chart: Chart, props: { namespace?: string; id?: string } = {}): CnpgCluster {
  return new CnpgCluster(chart, props.id ?? 'Warehouse', {
    clusterName: 'warehouse', namespace: props.namespace, instances: 1, image: PostgresImage.of('18.4', { flavour: ImageFlavour.STANDARD }),
    storageSize: '100Gi', database: 'dwh',
  });
}

describe('logical replication to a warehouse', () => {
  test('publication on the source, replication role with a sealed password, subscription in the warehouse namespace', () => {
    const app = Testing.app();
    const source = new Chart(app, 'source', { namespace: 'data-infra' });
    const dwh = new Chart(app, 'dwh', { namespace: 'warehouse' });
    const creds = userCredentials(source, [{ namespace: 'data-infra', secretName: 'cnpg-warehouse-sync', username: 'warehouse_sync', password: REPL_PASSWORD }]);
    const dwhCreds = userCredentials(dwh, [{ namespace: 'warehouse', secretName: 'warehouse-sync', username: 'warehouse_sync', password: REPL_PASSWORD }]);

    const cluster = tutorialCluster(source);
    const role = addReplicationRole(cluster, { name: 'warehouse_sync', credential: creds['cnpg-warehouse-sync'] });
    expect(role.replication).toBe(true);
    const pub = new CnpgPublication(source, 'Pub', {
      cluster, publicationName: 'warehouse_pub', target: PublicationTarget.tables('orders', 'sales.customers', { schema: 'sales', name: 'invoices', columns: ['id', 'total'] }),
      publish: [PublishOperation.INSERT, PublishOperation.UPDATE],
    });
    const sub = CnpgSubscription.fromPublication(dwh, 'Sub', {
      cluster: warehouse(dwh), publication: pub, credential: dwhCreds['warehouse-sync'],
      tls: ExternalTls.verifyFull({ secretName: 'cnpg-ha-ca-copy', key: 'ca.crt' }),
      parameters: { binary: 'true' },
    });
    expect(sub.externalClusterName).toBe('cnpg-ha');

    const src = synthChart(source);
    expect(findObject(src, 'Publication', 'cnpg-ha-warehouse-pub')).toEqual({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Publication',
      metadata: { name: 'cnpg-ha-warehouse-pub', namespace: 'data-infra' },
      spec: {
        cluster: { name: 'cnpg-ha' },
        name: 'warehouse_pub',
        dbname: 'appdb',
        target: {
          objects: [
            { table: { name: 'orders' } },
            { table: { name: 'customers', schema: 'sales' } },
            { table: { name: 'invoices', schema: 'sales', columns: ['id', 'total'] } },
          ],
        },
        parameters: { publish: 'insert, update' },
        publicationReclaimPolicy: 'retain',
      },
    });
    expect(findObject(src, 'Cluster', 'cnpg-ha').spec.managed.roles).toEqual([{
      name: 'warehouse_sync', comment: 'logical replication subscriber (managed by cdk8s-cnpg)', ensure: 'present', login: true, superuser: false,
      createdb: false, createrole: false, inherit: true, replication: true, bypassrls: false, connectionLimit: 10,
      inRoles: ['pg_read_all_data'], passwordSecret: { name: 'cnpg-warehouse-sync' },
    }]);

    const w = synthChart(dwh);
    expect(findObject(w, 'Subscription', 'warehouse-warehouse-pub').spec).toEqual({
      cluster: { name: 'warehouse' },
      name: 'warehouse_pub',
      dbname: 'dwh',
      externalClusterName: 'cnpg-ha',
      publicationName: 'warehouse_pub',
      publicationDBName: 'appdb',
      parameters: { binary: 'true' },
      subscriptionReclaimPolicy: 'retain',
    });
    expect(findObject(w, 'Cluster', 'warehouse').spec.externalClusters).toEqual([{
      name: 'cnpg-ha',
      connectionParameters: { host: 'cnpg-ha-rw.data-infra.svc', port: '5432', user: 'warehouse_sync', dbname: 'appdb', sslmode: 'verify-full' },
      password: { name: 'warehouse-sync', key: 'password' },
      sslRootCert: { name: 'cnpg-ha-ca-copy', key: 'ca.crt' },
    }]);
    // No plaintext Secret in either namespace.
    expect([...src, ...w].filter((o) => o.kind === 'Secret')).toEqual([]);
    expect({ source: src.filter((o) => o.kind !== 'SealedSecret'), warehouse: w.filter((o) => o.kind !== 'SealedSecret') }).toMatchSnapshot();
  });

  test('across apps (another environment): the publication by its attributes; all tables, same namespace uses the source CA', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    const pub = new CnpgPublication(chart, 'Pub', { cluster, publicationName: 'all_tables', target: PublicationTarget.allTables() });
    // Another environment's app knows the publisher only by name and namespace.
    const ref = PublicationRef.fromAttributes({ publicationName: pub.publicationName, dbname: pub.dbname, publisher: ClusterEndpoint.of('cnpg-ha', 'data-infra') });
    const dwh = warehouse(chart, { id: 'Dwh' });
    CnpgSubscription.fromPublication(chart, 'Sub', { cluster: dwh, publication: ref, credential: BasicAuthSecret.fromSecretName('warehouse-sync', 'data-infra', 'warehouse_sync') });
    const objects = synthChart(chart);
    expect(findObject(objects, 'Publication').spec.target).toEqual({ allTables: true });
    expect(findObject(objects, 'Cluster', 'warehouse').spec.externalClusters[0]).toMatchObject({
      sslRootCert: { name: 'cnpg-ha-ca', key: 'ca.crt' }, connectionParameters: { sslmode: 'verify-full' },
    });
  });

  test('schemas (PostgreSQL 15+) and an explicit encrypted-but-unverified connection', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    new CnpgPublication(chart, 'Pub', { cluster, publicationName: 'sales', target: PublicationTarget.objects({ schemas: ['sales'], tables: ['public.orders'] }), publishViaPartitionRoot: true });
    const dwh = warehouse(chart, { namespace: 'warehouse', id: 'Dwh' });
    dwh.addExternalCluster(ExternalCluster.fromCluster(cluster, {
      name: 'app', dbname: 'appdb', credential: BasicAuthSecret.fromSecretName('warehouse-sync', 'warehouse', 'warehouse_sync'), tls: ExternalTls.encryptedUnverified(),
    }));
    new CnpgSubscription(chart, 'Sub', { cluster: dwh, subscriptionName: 'sales_sub', externalClusterName: 'app', publicationName: 'sales' });
    const objects = synthChart(chart);
    expect(findObject(objects, 'Publication').spec).toMatchObject({
      target: { objects: [{ tablesInSchema: 'sales' }, { table: { name: 'orders', schema: 'public' } }] },
      parameters: { publish_via_partition_root: 'true' },
    });
    const ext = findObject(objects, 'Cluster', 'warehouse').spec.externalClusters[0];
    expect(ext.connectionParameters.sslmode).toBe('require');
    expect(ext.sslRootCert).toBeUndefined();
  });

  test('a subscription pointing at an external cluster the subscriber does not declare is a synth error', () => {
    const { chart } = testChart();
    const dwh = warehouse(chart);
    new CnpgSubscription(chart, 'Sub', { cluster: dwh, subscriptionName: 'sub', externalClusterName: 'cnpg-ha', publicationName: 'pub' });
    expect(synthError(chart)).toMatch(/\[test\/Sub\] externalClusterName: the subscriber data-infra\/warehouse declares no external cluster "cnpg-ha" \(it declares none\).*cluster\.addExternalCluster/);
  });

  test('a publisher without wal_level=logical is a synth error; an absent wal_level is CloudNativePG\'s logical', () => {
    const { chart } = testChart();
    const replica = tutorialCluster(chart, { parameters: { wal_level: 'replica' } });
    new CnpgPublication(chart, 'Pub', { cluster: replica, publicationName: 'pub', target: PublicationTarget.allTables() });
    expect(synthError(chart)).toMatch(/\[test\/Pub\] cluster\.parameters\.wal_level: logical replication needs wal_level = logical on the publisher, but data-infra\/cnpg-ha sets it to "replica"/);
    const { chart: ok } = testChart();
    expect(walLevelProblems(tutorialCluster(ok, { parameters: {} }))).toEqual([]);
    expect(walLevelProblems(tutorialCluster(ok, { clusterName: 'b', parameters: { wal_level: 'LOGICAL' } }, 'B'))).toEqual([]);
  });

  test('cross-namespace without a TLS choice, a credential in the wrong namespace, subscribing to itself', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    const pub = new CnpgPublication(chart, 'Pub', { cluster, publicationName: 'pub', target: PublicationTarget.allTables() });
    CnpgSubscription.fromPublication(chart, 'Sub', {
      cluster: warehouse(chart, { namespace: 'warehouse' }), publication: pub,
      credential: BasicAuthSecret.fromSecretName('warehouse-sync', 'data-infra', 'warehouse_sync'),
    });
    CnpgSubscription.fromPublication(chart, 'Self', { cluster, publication: pub, credential: BasicAuthSecret.fromSecretName('s', 'data-infra', 'warehouse_sync'), subscriptionName: 'self' });
    const error = synthError(chart);
    expect(error).toMatch(/externalClusters\.cnpg-ha\.credential: the password Secret must be in the connecting cluster's namespace "warehouse"/);
    expect(error).toMatch(/externalClusters\.cnpg-ha\.tls: the source data-infra\/cnpg-ha is in another namespace, so its CA Secret "cnpg-ha-ca" cannot be mounted into "warehouse"; copy the CA certificate.*ExternalTls\.encryptedUnverified\(\)/);
    expect(error).toMatch(/\[test\/Cluster\] externalClusters\.cnpg-ha: a cluster cannot connect to itself/);
  });

  test('bad targets: nothing, duplicates, column lists and schemas before PostgreSQL 15, duplicate publications', () => {
    const { chart } = testChart();
    const pg14 = tutorialCluster(chart, { image: PostgresImage.of('14.19') });
    new CnpgPublication(chart, 'A', { cluster: pg14, publicationName: 'a', target: PublicationTarget.tables() });
    new CnpgPublication(chart, 'B', { cluster: pg14, publicationName: 'b', target: PublicationTarget.objects({ schemas: ['s'], tables: ['t', 't', { name: 'u', columns: ['x'] }] }) });
    new CnpgPublication(chart, 'C', { cluster: pg14, publicationName: 'a', resourceName: 'other', target: PublicationTarget.allTables(), publish: [] });
    const error = synthError(chart);
    expect(error).toMatch(/\[test\/A\] target: publishes nothing/);
    expect(error).toMatch(/\[test\/B\] target\.tables: a table is listed twice \(got "t"\)/);
    expect(error).toMatch(/\[test\/B\] target\.tables\.u\.columns: column lists need PostgreSQL 15 or newer; the publisher runs 14/);
    expect(error).toMatch(/\[test\/B\] target\.schemas: FOR TABLES IN SCHEMA needs PostgreSQL 15 or newer/);
    expect(error).toMatch(/\[test\/C\] publicationName: the publication "a" of database "appdb" is already declared by test\/A/);
    expect(error).toMatch(/\[test\/C\] publish: an empty list publishes no change/);
  });

  test('the warehouse schema can be prepared by a schema-only import from the source', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    const dwh = new CnpgCluster(chart, 'Dwh', {
      clusterName: 'warehouse', instances: 1, image: PostgresImage.of('18.4'), storageSize: '100Gi', database: 'dwh',
      bootstrap: ClusterImport.microservice(cluster, { schemaOnly: true, credential: BasicAuthSecret.fromSecretName('cnpg-app-user', 'data-infra', 'app_user') }),
    });
    const pub = new CnpgPublication(chart, 'Pub', { cluster, publicationName: 'pub', target: PublicationTarget.allTables() });
    CnpgSubscription.fromPublication(chart, 'Sub', { cluster: dwh, publication: pub, credential: BasicAuthSecret.fromSecretName('warehouse-sync', 'data-infra', 'warehouse_sync') });
    const spec = findObject(synthChart(chart), 'Cluster', 'warehouse').spec;
    expect(spec.bootstrap.initdb.import.schemaOnly).toBe(true);
    expect(spec.externalClusters.map((e: any) => e.name)).toEqual(['cnpg-ha-import', 'cnpg-ha']);
  });
});
