import * as fs from 'fs';
import * as path from 'path';
import { buildOrdersApp } from '../examples/consumer-app';
import { readManifests, tempDir } from './support/synth';

test('the README example synthesizes a cluster in the consuming team\'s namespace', () => {
  const out = tempDir();
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  buildOrdersApp(out).synth();
  expect(log).toHaveBeenCalledWith('connect to orders-db-rw.orders.svc, credentials in Secret orders-db-app');
  log.mockRestore();
  const [cluster] = readManifests(out).map((m) => m.object);
  expect(cluster.metadata).toEqual({ name: 'orders-db', namespace: 'orders' });
  expect(cluster.spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:17.10-minimal-trixie');
  expect(cluster.spec.resources.requests).toEqual({ cpu: '2', memory: '4Gi' });
});

test('the package entry points are the compiled library with type declarations', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  expect(pkg.name).toBe('cdk8s-cnpg');
  expect(pkg.main).toBe('build/lib/index.js');
  expect(pkg.types).toBe('build/lib/index.d.ts');
  expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdk8s', 'constructs']);
  expect(pkg.dependencies['cdk8s-plus-28']).toBeDefined();
  expect(pkg.devDependencies.typescript).toMatch(/^~5\.9\./);
});
