import * as fs from 'fs';
import * as path from 'path';
// The four constructs the design names as the library's face, imported by name as another team's app would.
import { BackupStore, CnpgCluster, PodMonitor, SealedCredential } from 'cdk8s-cnpg';
import { buildOrdersApp } from '../examples/consumer-app';
import { findObject, readManifests, tempDir } from './support/synth';
import { validateObjects } from './support/schema';

describe('the README example', () => {
  const out = tempDir();
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  buildOrdersApp(out).synth();
  const logged = log.mock.calls.map((c) => c[0]);
  log.mockRestore();
  const objects = readManifests(out).map((m) => m.object);

  test('synthesizes a cluster in the consuming team\'s namespace', () => {
    expect(logged).toEqual(['connect to orders-db-pooler-rw.orders.svc:5432 (or orders-db-rw.orders.svc), credentials in Secret orders-db-app']);
    const cluster = findObject(objects, 'Cluster', 'orders-db');
    expect(cluster.metadata).toEqual({ name: 'orders-db', namespace: 'orders' });
    expect(cluster.spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:17.10-minimal-trixie');
    expect(cluster.spec.resources.requests).toEqual({ cpu: '2', memory: '4Gi' });
    expect(findObject(objects, 'Pooler', 'orders-db-pooler-rw').spec.cluster).toEqual({ name: 'orders-db' });
  });

  test('monitors the cluster\'s instances and its pooler with PodMonitor, with the team\'s Prometheus labels', () => {
    const monitors = objects.filter((o) => o.kind === 'PodMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(['orders-api', 'orders-db-instances', 'orders-db-pooler-rw']);
    for (const m of monitors) {
      expect(m.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(m.metadata.namespace).toBe('orders');
      expect(m.metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
    }
    expect(findObject(objects, 'PodMonitor', 'orders-db-instances').spec).toEqual({
      selector: { matchLabels: { 'cnpg.io/cluster': 'orders-db', 'cnpg.io/podRole': 'instance' } },
      podMetricsEndpoints: [{ port: 'metrics', interval: '30s' }],
    });
    expect(findObject(objects, 'PodMonitor', 'orders-db-pooler-rw').spec).toEqual({
      selector: { matchLabels: { 'cnpg.io/poolerName': 'orders-db-pooler-rw', 'cnpg.io/podRole': 'pooler' } },
      podMetricsEndpoints: [{ port: 'metrics', interval: '30s' }],
    });
    expect(findObject(objects, 'PodMonitor', 'orders-api').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'orders-api' } },
      podMetricsEndpoints: [{ port: 'http-metrics', interval: '30s', scrapeTimeout: '10s' }],
    });
  });

  test('every object passes the schema test (vendored CRDs, Kubernetes OpenAPI)', () => {
    expect(validateObjects(objects)).toEqual([]);
  });
});

test('the four named constructs are exported from the package under their names', () => {
  for (const construct of [CnpgCluster, SealedCredential, BackupStore, PodMonitor]) {
    expect(typeof construct).toBe('function');
  }
  expect(CnpgCluster.name).toBe('CnpgCluster');
  expect(SealedCredential.name).toBe('SealedCredential');
  expect(BackupStore.name).toBe('BackupStore');
  expect(PodMonitor.name).toBe('PodMonitor');
  expect(typeof PodMonitor.forCluster).toBe('function');
  expect(typeof PodMonitor.forPooler).toBe('function');
  expect(typeof PodMonitor.forOperator).toBe('function');
});

test('the package entry points are the compiled library with type declarations', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  expect(pkg.name).toBe('cdk8s-cnpg');
  expect(pkg.main).toBe('build/lib/index.js');
  expect(pkg.types).toBe('build/lib/index.d.ts');
  expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdk8s', 'constructs', 'pg', 's3rver']);
  // Only the rehearsal needs pg and s3rver: optional, and `cdk8s-cnpg rehearse` names them when they are missing.
  expect(pkg.peerDependenciesMeta).toEqual({ pg: { optional: true }, s3rver: { optional: true } });
  // The package ships what runs (built by `prepare` on npm pack and git installs), not the vendored CRDs.
  expect(pkg.scripts.prepare).toBe('npm run -s build');
  expect(pkg.files).toEqual(['build/lib/**', 'build/imports/**', 'build/bin/**', 'compile-cache.js', 'compile-cache.d.ts', 'README.md']);
  expect(pkg.bin['cdk8s-cnpg']).toBe('build/bin/cdk8s-cnpg.js');
  expect(pkg.dependencies['cdk8s-plus-28']).toBeDefined();
  expect(pkg.devDependencies.typescript).toMatch(/^~5\.9\./);
});
