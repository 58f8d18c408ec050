import * as path from 'path';
import { listFiles } from './support/synth';
import { validateYamlFiles } from './support/schema';

const DIST = path.join(__dirname, '..', 'dist');

// Kubernetes objects live in dist/<environment>/<component>/ and, for what a shared Kubernetes cluster installs once,
// dist/clusters/<name>/<component>/ (dist/argocd-cm.health-checks.yaml is a patch).
const files = listFiles(DIST).filter((f) => f.endsWith('.yaml') && f.includes('/'));
const environments = [...new Set(files.map((f) => f.split('/')[0]).filter((f) => f !== 'clusters'))];
const kubernetesClusters = [...new Set(files.filter((f) => f.startsWith('clusters/')).map((f) => f.split('/')[1]))];

test('dist/ holds the environments and the Kubernetes cluster they share', () => {
  expect(environments).toEqual(['default', 'dev', 'warehouse']);
  expect(kubernetesClusters).toEqual(['tutorial']);
});

test.each(environments)('every object in dist/%s passes the schema test', (env) => {
  const own = files.filter((f) => f.startsWith(`${env}/`)).map((f) => path.join(DIST, f));
  expect(own.length).toBeGreaterThanOrEqual(5);
  expect(validateYamlFiles(own).map((i) => `${i.path}: ${i.message}`)).toEqual([]);
});

// The three environments share one Kubernetes cluster (and one Argo CD): no object may be declared twice anywhere in
// it, or two Argo CD applications would own, and fight over, it.
test('every object of the Kubernetes cluster tutorial (its own folder and its environments\') passes the schema test, with no duplicates', () => {
  const all = files.map((f) => path.join(DIST, f));
  expect(all.filter((f) => f.includes('/clusters/tutorial/')).length).toBeGreaterThanOrEqual(3);
  expect(validateYamlFiles(all).map((i) => `${i.path}: ${i.message}`)).toEqual([]);
});
