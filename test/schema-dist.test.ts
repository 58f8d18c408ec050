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
  expect(environments).toEqual(['default', 'dev', 'dr', 'warehouse']);
  expect(kubernetesClusters).toEqual(['dr', 'tutorial']);
});

test.each(environments)('every object in dist/%s passes the schema test', (env) => {
  const own = files.filter((f) => f.startsWith(`${env}/`)).map((f) => path.join(DIST, f));
  expect(own.length).toBeGreaterThanOrEqual(5);
  expect(validateYamlFiles(own).map((i) => `${i.path}: ${i.message}`)).toEqual([]);
});

// Three environments share the Kubernetes cluster tutorial (one Argo CD); dr, the default environment's DR replica,
// runs in its own. No object may be declared twice anywhere in one Kubernetes cluster, or two Argo CD applications
// would own, and fight over, it.
const MEMBERS: Record<string, string[]> = { tutorial: ['default', 'dev', 'warehouse'], dr: ['dr'] };
test.each(Object.keys(MEMBERS))('every object of the Kubernetes cluster %s (its own folder and its environments\') passes the schema test, with no duplicates', (cluster) => {
  const own = files.filter((f) => f.startsWith(`clusters/${cluster}/`) || MEMBERS[cluster].some((env) => f.startsWith(`${env}/`))).map((f) => path.join(DIST, f));
  expect(own.filter((f) => f.includes(`/clusters/${cluster}/`)).length).toBeGreaterThanOrEqual(2);
  expect(validateYamlFiles(own).map((i) => `${i.path}: ${i.message}`)).toEqual([]);
});

test('every environment belongs to exactly one Kubernetes cluster', () => {
  expect(Object.values(MEMBERS).flat().sort()).toEqual([...environments].sort());
});
