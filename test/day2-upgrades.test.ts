import { App, Chart, Testing } from 'cdk8s';
import {
  BasicAuthSecret, ClusterImport, CnpgCluster, CnpgImageCatalog, CnpgDatabase, ExternalTls, ImageCatalogKind,
  ImageCatalogRef, ImageFlavour, PostgresImage,
} from '../lib';
import { describeChangeImpact } from '../lib/rules/change-impact';
import { tutorialCluster, userCredentials } from './support/day2';
import { findObject, synthChart, synthError, testChart } from './support/synth';

const STD = { flavour: ImageFlavour.STANDARD };

describe('image catalogs', () => {
  test('a namespaced catalog with one image per major; a cluster selects a major instead of naming an image', () => {
    const { chart } = testChart();
    const catalog = new CnpgImageCatalog(chart, 'Catalog', {
      catalogName: 'postgresql-standard',
      images: [PostgresImage.of('18.4', STD), PostgresImage.of('16.14', STD), PostgresImage.of('17.10', STD)],
    });
    expect(catalog.majors).toEqual([16, 17, 18]);
    const cluster = tutorialCluster(chart, { imageCatalog: catalog.select(16) });
    expect(cluster.image.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:16.14-standard-trixie');
    expect(cluster.postgresMajor).toBe(16);
    new CnpgDatabase(chart, 'AppDb', { cluster, databaseName: 'appdb', extensions: ['vector'] }); // flavour known from the catalog
    const objects = synthChart(chart);
    const spec = findObject(objects, 'Cluster').spec;
    expect(spec.imageName).toBeUndefined();
    expect(spec.imageCatalogRef).toEqual({ apiGroup: 'postgresql.cnpg.io', kind: 'ImageCatalog', name: 'postgresql-standard', major: 16 });
    expect(findObject(objects, 'ImageCatalog', 'postgresql-standard')).toEqual({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'ImageCatalog',
      metadata: { name: 'postgresql-standard', namespace: 'data-infra' },
      spec: {
        images: [
          { major: 16, image: 'ghcr.io/cloudnative-pg/postgresql:16.14-standard-trixie' },
          { major: 17, image: 'ghcr.io/cloudnative-pg/postgresql:17.10-standard-trixie' },
          { major: 18, image: 'ghcr.io/cloudnative-pg/postgresql:18.4-standard-trixie' },
        ],
      },
    });
    expect(objects).toMatchSnapshot();
  });

  test('a ClusterImageCatalog lives in a chart without namespace; CloudNativePG\'s published catalogs by reference', () => {
    const app = Testing.app();
    const global = new Chart(app, 'global');
    const chart = new Chart(app, 'db', { namespace: 'data-infra' });
    const catalog = new CnpgImageCatalog(global, 'Catalog', { catalogName: 'pg-minimal', clusterWide: true, images: [PostgresImage.of('18.4')] });
    expect(catalog.kind).toBe(ImageCatalogKind.CLUSTER_WIDE);
    tutorialCluster(chart, { imageCatalog: catalog.select(18) });
    const published = ImageCatalogRef.clusterWide('postgresql-standard-trixie', STD);
    const other = tutorialCluster(chart, { clusterName: 'other', imageCatalog: published.select(17) }, 'Other');
    expect(other.image.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:17-standard-trixie');
    const g = synthChart(global);
    expect(findObject(g, 'ClusterImageCatalog', 'pg-minimal').metadata).toEqual({ name: 'pg-minimal' });
    const objects = synthChart(chart);
    expect(findObject(objects, 'Cluster', 'cnpg-ha').spec.imageCatalogRef).toEqual({ apiGroup: 'postgresql.cnpg.io', kind: 'ClusterImageCatalog', name: 'pg-minimal', major: 18 });
    expect(findObject(objects, 'Cluster', 'other').spec.imageCatalogRef.name).toBe('postgresql-standard-trixie');
  });

  test('bad catalogs and selections', () => {
    const { chart } = testChart();
    const catalog = new CnpgImageCatalog(chart, 'Catalog', { images: [PostgresImage.of('16.13'), PostgresImage.of('16.14'), PostgresImage.fromImageName('ghcr.io/cloudnative-pg/postgresql:latest')] });
    new CnpgImageCatalog(chart, 'Wide', { clusterWide: true, images: [PostgresImage.of('18.4')] });
    tutorialCluster(chart, { imageCatalog: catalog.select(17) });
    tutorialCluster(chart, { clusterName: 'both', image: PostgresImage.of('16.14'), imageCatalog: catalog.select(16) }, 'Both');
    const other = new CnpgImageCatalog(chart, 'OtherNs', { namespace: 'elsewhere', images: [PostgresImage.of('18.4')] });
    tutorialCluster(chart, { clusterName: 'cross', imageCatalog: other.select(18) }, 'Cross');
    const error = synthError(chart);
    expect(error).toMatch(/\[test\/Catalog\] images: two images for PostgreSQL 16: a catalog has one image per major/);
    expect(error).toMatch(/\[test\/Catalog\] images: "latest" cannot be used as image tag/);
    expect(error).toMatch(/\[test\/Wide\] clusterWide: a ClusterImageCatalog is cluster-scoped, but its chart has the namespace "data-infra"/);
    expect(error).toMatch(/\[test\/Cluster\] imageCatalog\.major: the catalog "Catalog" has no image for PostgreSQL 17/);
    expect(error).toMatch(/\[test\/Both\] imageCatalog: image and imageCatalog are mutually exclusive/);
    expect(error).toMatch(/\[test\/Cross\] imageCatalog: an ImageCatalog is only visible to clusters of its own namespace "elsewhere"/);
  });
});

describe('controlled upgrades as change impact', () => {
  function clusterJson(build: (chart: Chart) => CnpgCluster): any {
    const app = new App({ outdir: '/tmp' });
    const chart = new Chart(app, 'c', { namespace: 'data-infra' });
    build(chart);
    return Testing.synth(chart).find((o) => o.kind === 'Cluster');
  }

  test('a minor upgrade is a rolling update: replicas first, the primary last (restart or switchover)', () => {
    const before = clusterJson((c) => tutorialCluster(c));
    const after = clusterJson((c) => tutorialCluster(c, { image: PostgresImage.of('16.15', STD) }));
    const impact = describeChangeImpact(before, after);
    expect(impact.overall).toBe('rolling-update');
    expect(impact.severity).toBe('warning');
    expect(impact.changes[0].detail).toMatch(/minor upgrade 16\.14 → 16\.15: every pod is recreated with the new image, the replicas one at a time \(highest serial first\), then the primary restarts in place/);
  });

  test('changing the catalog\'s major is an in-place major upgrade; downgrades and upgrades below 16 are rejected', () => {
    const catalog = (c: Chart) => new CnpgImageCatalog(c, 'Cat', { catalogName: 'pg', images: [PostgresImage.of('15.14'), PostgresImage.of('16.14'), PostgresImage.of('18.4')] });
    const on = (major: number) => clusterJson((c) => tutorialCluster(c, { imageCatalog: catalog(c).select(major) }));
    const up = describeChangeImpact(on(16), on(18));
    expect(up.overall).toBe('major-upgrade');
    expect(up.summary).toMatch(/offline major upgrade/);
    expect(up.changes[0]).toMatchObject({ field: 'spec.imageCatalogRef', from: 'ImageCatalog/pg@16', to: 'ImageCatalog/pg@18' });
    expect(up.changes[0].detail).toMatch(/pg_upgrade --link.*re-cloned.*ANALYZE/);
    expect(describeChangeImpact(on(18), on(16)).changes[0]).toMatchObject({ effect: 'rejected', detail: expect.stringMatching(/can't downgrade from major 18 to 16/) });
    const old = clusterJson((c) => tutorialCluster(c, { image: PostgresImage.of('14.19') }));
    expect(describeChangeImpact(old, on(15)).changes[0].detail).toMatch(/only supported to version 16 or higher/);
  });

  test('a major upgrade that keeps the archive serverName is told to change it; a distribution change is rejected', () => {
    const withArchive = (version: string, serverName?: string, os?: string) => clusterJson((c) => {
      const cl = tutorialCluster(c, { image: PostgresImage.of(version, { os }) });
      cl.addPlugin({ name: 'barman-cloud.cloudnative-pg.io', isWalArchiver: true, parameters: { barmanObjectName: 'store', ...(serverName ? { serverName } : {}) } });
      return cl;
    });
    const same = describeChangeImpact(withArchive('16.14'), withArchive('18.4'));
    expect(same.changes.find((c) => c.effect === 'major-upgrade')!.detail).toMatch(/keeps serverName "<cluster name>".*change serverName in the same commit/);
    const renamed = describeChangeImpact(withArchive('16.14'), withArchive('18.4', 'cnpg-ha-pg18'));
    expect(renamed.changes.find((c) => c.effect === 'major-upgrade')!.detail).toMatch(/Take a new base backup right after/);
    expect(describeChangeImpact(withArchive('16.14', undefined, 'bookworm'), withArchive('18.4', undefined, 'trixie')).overall).toBe('rejected');
  });
});

describe('ClusterImport: a new cluster importing from the old one (blue/green major upgrade)', () => {
  test('microservice: one database into the new application database, connecting as the owner over verified TLS', () => {
    const { chart } = testChart();
    const creds = userCredentials(chart, [{ namespace: 'data-infra', secretName: 'cnpg-app-user', username: 'app_user' }]);
    const old = tutorialCluster(chart, { ownerCredential: creds['cnpg-app-user'] });
    const next = new CnpgCluster(chart, 'Pg18', {
      clusterName: 'cnpg-ha-18', image: PostgresImage.of('18.4', STD), storageSize: '40Gi', database: 'appdb', ownerCredential: creds['cnpg-app-user'],
      bootstrap: ClusterImport.microservice(old, { postImportSql: ['ANALYZE'] }),
    });
    expect(next.externalClusterNames).toEqual(['cnpg-ha-import']);
    const spec = findObject(synthChart(chart), 'Cluster', 'cnpg-ha-18').spec;
    expect(spec.bootstrap).toEqual({
      initdb: {
        database: 'appdb', owner: 'app_user', secret: { name: 'cnpg-app-user' },
        import: { type: 'microservice', databases: ['appdb'], source: { externalCluster: 'cnpg-ha-import' }, postImportApplicationSQL: ['ANALYZE'] },
      },
    });
    expect(spec.externalClusters).toEqual([{
      name: 'cnpg-ha-import',
      connectionParameters: { host: 'cnpg-ha-rw.data-infra.svc', port: '5432', user: 'app_user', dbname: 'appdb', sslmode: 'verify-full' },
      password: { name: 'cnpg-app-user', key: 'password' },
      sslRootCert: { name: 'cnpg-ha-ca', key: 'ca.crt' },
    }]);
  });

  test('monolith: databases and roles, as a superuser, no application database', () => {
    const { chart } = testChart();
    const su = BasicAuthSecret.fromSecretName('cnpg-superuser', 'data-infra', 'postgres');
    const old = tutorialCluster(chart);
    new CnpgCluster(chart, 'Pg18', {
      clusterName: 'cnpg-ha-18', image: PostgresImage.of('18.4', STD), storageSize: '40Gi',
      bootstrap: ClusterImport.monolith(old, { databases: ['appdb', 'reports'], roles: ['app_user', 'reporting'], credential: su }),
    });
    const spec = findObject(synthChart(chart), 'Cluster', 'cnpg-ha-18').spec;
    expect(spec.bootstrap.initdb).toEqual({
      import: { type: 'monolith', databases: ['appdb', 'reports'], roles: ['app_user', 'reporting'], source: { externalCluster: 'cnpg-ha-import' } },
    });
    expect(spec.externalClusters[0].connectionParameters).toMatchObject({ user: 'postgres', dbname: 'postgres' });
  });

  test('bad imports: downgrade, wildcards, operator roles, no credential, another namespace without a TLS choice', () => {
    const { chart } = testChart();
    const old = tutorialCluster(chart, { image: PostgresImage.of('17.10') });
    new CnpgCluster(chart, 'Down', { clusterName: 'down', image: PostgresImage.of('16.14'), storageSize: '1Gi', bootstrap: ClusterImport.microservice(old, { database: 'app*', credential: BasicAuthSecret.fromSecretName('x', 'data-infra', 'x') }) });
    new CnpgCluster(chart, 'Mono', {
      clusterName: 'mono', image: PostgresImage.of('18.4'), storageSize: '1Gi',
      bootstrap: ClusterImport.monolith(old, { databases: ['*', 'appdb'], roles: ['streaming_replica'], credential: BasicAuthSecret.fromSecretName('su', 'data-infra', 'postgres') }),
    });
    new CnpgCluster(chart, 'NoCred', { clusterName: 'nocred', namespace: 'other', image: PostgresImage.of('18.4'), storageSize: '1Gi', bootstrap: ClusterImport.microservice(old) });
    new CnpgCluster(chart, 'Cross', {
      clusterName: 'cross', namespace: 'other', image: PostgresImage.of('18.4'), storageSize: '1Gi',
      bootstrap: ClusterImport.microservice(old, { credential: BasicAuthSecret.fromSecretName('app', 'other', 'appdb') }),
    });
    const error = synthError(chart);
    expect(error).toMatch(/\[test\/Down\] bootstrap\.initdb\.import: the new cluster runs PostgreSQL 16 but the source runs 17/);
    expect(error).toMatch(/\[test\/Down\] bootstrap\.initdb\.import\.databases: a microservice import takes one named database, not a wildcard/);
    expect(error).toMatch(/\[test\/Mono\] bootstrap\.initdb\.import\.databases: the wildcard "\*" cannot be used along other names/);
    expect(error).toMatch(/\[test\/Mono\] bootstrap\.initdb\.import\.roles: CloudNativePG never imports "streaming_replica"/);
    expect(error).toMatch(/\[test\/NoCred\] bootstrap\.initdb\.import\.credential: no credential to log in to the source data-infra\/cnpg-ha/);
    expect(error).toMatch(/\[test\/Cross\] externalClusters\.cnpg-ha-import\.tls: the source data-infra\/cnpg-ha is in another namespace/);
  });

  test('across namespaces with the CA copied into the new namespace', () => {
    const { chart } = testChart();
    const old = tutorialCluster(chart);
    new CnpgCluster(chart, 'Cross', {
      clusterName: 'cross', namespace: 'other', image: PostgresImage.of('18.4'), storageSize: '1Gi',
      bootstrap: ClusterImport.microservice(old, {
        credential: BasicAuthSecret.fromSecretName('app', 'other', 'appdb'),
        tls: ExternalTls.verifyFull({ secretName: 'cnpg-ha-ca-copy', key: 'ca.crt' }),
      }),
    });
    const ext = findObject(synthChart(chart), 'Cluster', 'cross').spec.externalClusters[0];
    expect(ext.sslRootCert).toEqual({ name: 'cnpg-ha-ca-copy', key: 'ca.crt' });
    expect(ext.connectionParameters.sslmode).toBe('verify-full');
  });
});
