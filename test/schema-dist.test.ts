import * as path from 'path';
import { listFiles } from './support/synth';
import { validateYamlFiles } from './support/schema';

const DIST = path.join(__dirname, '..', 'dist');

// Kubernetes objects live in dist/<environment>/<component>/ (dist/argocd-cm.health-checks.yaml is a patch). Each
// environment is one Kubernetes cluster, so duplicates are checked within an environment.
const environments = [...new Set(listFiles(DIST).filter((f) => f.includes('/')).map((f) => f.split('/')[0]))];

test('dist/ holds the environments', () => {
  expect(environments).toEqual(['default', 'dev', 'warehouse']);
});

test.each(environments)('every object in dist/%s passes the schema test', (env) => {
  const files = listFiles(path.join(DIST, env)).filter((f) => /^[^/]+\/[^/]+\.yaml$/.test(f)).map((f) => path.join(DIST, env, f));
  expect(files.length).toBeGreaterThanOrEqual(5);
  expect(validateYamlFiles(files).map((i) => `${i.path}: ${i.message}`)).toEqual([]);
});

test('Argo CD objects of different environments never collide (one Argo CD may manage several clusters)', () => {
  const files = environments.map((env) => path.join(DIST, env, 'argocd', 'argocd.yaml'));
  expect(validateYamlFiles(files).map((i) => `${i.path}: ${i.message}`)).toEqual([]);
});
