import * as fs from 'fs';
import * as path from 'path';
import { synthComponents } from '../lib';
import { buildEnvironment, ENVIRONMENTS } from '../main';
import { listFiles, readManifests, tempDir } from './support/synth';

const REPO = path.join(__dirname, '..');

/** Synthesizes every environment into a fresh temp dir, as `npm run synth` does. */
function synthAllInto(dir: string): void {
  for (const env of ENVIRONMENTS) {
    synthComponents(buildEnvironment(env, dir).app, { warn: () => undefined });
  }
}

describe('the default environment', () => {
  const out = tempDir();
  synthAllInto(out);
  const manifests = readManifests(path.join(out, 'default'));
  const byKind = (kind: string) => manifests.filter((m) => m.object.kind === kind);

  test('one file per component chart under dist/<environment>/', () => {
    expect(listFiles(out)).toEqual(expect.arrayContaining(['default/database.yaml', 'default/namespaces.yaml']));
    for (const file of listFiles(out)) {
      expect(file).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+\.yaml$/);
    }
  });

  test('snapshot of every file', () => {
    for (const file of listFiles(out)) {
      expect(fs.readFileSync(path.join(out, file), 'utf8')).toMatchSnapshot(file);
    }
  });

  test("holds the tutorial's cluster, corrected where the tutorial is out of date", () => {
    const [cluster] = byKind('Cluster');
    expect(cluster.file).toBe('database.yaml');
    const { metadata, spec } = cluster.object;
    expect(metadata).toMatchObject({ name: 'cnpg-ha', namespace: 'data-infra' });
    expect(spec.instances).toBe(3);
    expect(spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:16.14-standard-trixie');
    expect(spec.primaryUpdateStrategy).toBe('unsupervised');
    expect(spec.storage).toMatchObject({ size: '40Gi', storageClass: 'longhorn' });
    expect(spec.postgresql.parameters).toEqual({ max_connections: '200', shared_buffers: '512MB', wal_level: 'logical' });
    expect(spec.bootstrap.initdb.database).toBe('appdb');
    // TLS only with scram-sha-256, never the tutorial's md5.
    expect(spec.postgresql.pg_hba).toEqual(['hostssl all all all scram-sha-256', 'hostnossl all all all reject']);
    // The tutorial's `spec.authentication` is not a Cluster field, and the PodMonitor flag is deprecated.
    expect(spec.authentication).toBeUndefined();
    expect(spec.monitoring?.enablePodMonitor).toBeUndefined();
    expect(spec.backup?.barmanObjectStore).toBeUndefined();
    expect(spec.affinity.podAntiAffinityType).toBe('required');
  });

  test('the namespaces are cluster-scoped objects without a namespace', () => {
    const namespaces = byKind('Namespace');
    expect(namespaces.map((n) => n.object.metadata.name).sort()).toEqual(['cnpg-system', 'data-infra', 'sealed-secrets']);
    for (const ns of namespaces) {
      expect(ns.file).toBe('namespaces.yaml');
      expect(ns.object.metadata.namespace).toBeUndefined();
    }
  });

  test('synthesizing twice gives byte-identical output', () => {
    const again = tempDir();
    synthAllInto(again);
    expect(listFiles(again)).toEqual(listFiles(out));
    for (const file of listFiles(out)) {
      expect(fs.readFileSync(path.join(again, file)).equals(fs.readFileSync(path.join(out, file)))).toBe(true);
    }
  });

  test('the committed dist/ is what synth produces (run `npm run synth` and commit when this fails)', () => {
    const committed = path.join(REPO, 'dist');
    const files = listFiles(committed).filter((f) => f !== 'construct-metadata.json');
    expect(files).toEqual(listFiles(out));
    for (const file of files) {
      expect(`${file}:\n${fs.readFileSync(path.join(committed, file), 'utf8')}`).toBe(`${file}:\n${fs.readFileSync(path.join(out, file), 'utf8')}`);
    }
  });
});
