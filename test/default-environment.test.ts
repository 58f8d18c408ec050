import * as fs from 'fs';
import * as path from 'path';
import { synthEnvironments } from '../lib';
import { ENVIRONMENTS } from '../main';
import { listFiles, readManifests, tempDir } from './support/synth';

const REPO = path.join(__dirname, '..');

/** Synthesizes every environment into a fresh temp dir, as `npm run synth` does. */
function synthAllInto(dir: string): void {
  synthEnvironments(ENVIRONMENTS, { outdir: dir, strict: true, updateChecks: false, report: () => undefined });
}

describe('the default environment', () => {
  const out = tempDir();
  synthAllInto(out);
  const manifests = readManifests(path.join(out, 'default'));
  const byKind = (kind: string) => manifests.filter((m) => m.object.kind === kind);

  test('one folder per component chart under dist/<environment>/, holding one file', () => {
    expect(listFiles(out).filter((f) => f.startsWith('default/'))).toEqual([
      'default/argocd/argocd.yaml',
      'default/backup/backup.yaml',
      'default/credentials/credentials.yaml',
      'default/database/database.yaml',
      'default/exposure/exposure.yaml',
      'default/guardrails/guardrails.yaml',
      'default/monitoring/monitoring.yaml',
      'default/namespaces/namespaces.yaml',
      'default/restore-drill/restore-drill.yaml',
    ]);
  });

  test('snapshot of every file', () => {
    for (const file of listFiles(out).filter((f) => f.startsWith('default/'))) {
      expect(fs.readFileSync(path.join(out, file), 'utf8')).toMatchSnapshot(file);
    }
  });

  test("holds the tutorial's cluster, corrected where the tutorial is out of date", () => {
    const [cluster] = byKind('Cluster');
    expect(cluster.file).toBe('database/database.yaml');
    const { metadata, spec } = cluster.object;
    expect(metadata).toMatchObject({ name: 'cnpg-ha', namespace: 'data-infra' });
    expect(spec.instances).toBe(3);
    // The tutorial's 16.4 as the current 16.x (IMAGE_PINS.postgres[16]), standard flavour (pgvector).
    expect(spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:16.15-standard-trixie');
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
    expect(spec.plugins).toEqual([{
      name: 'barman-cloud.cloudnative-pg.io',
      enabled: true,
      isWALArchiver: true,
      parameters: { barmanObjectName: 'cnpg-ha-backups', serverName: 'cnpg-ha' },
    }]);
    expect(spec.monitoring).toEqual({ customQueriesConfigMap: [{ name: 'cnpg-ha-monitoring', key: 'custom-queries' }] });
    expect(spec.affinity.podAntiAffinityType).toBe('required');
  });

  test('the namespaces are cluster-scoped objects without a namespace', () => {
    const namespaces = byKind('Namespace');
    expect(namespaces.map((n) => `${n.file}:${n.object.metadata.name}`).sort()).toEqual([
      'namespaces/namespaces.yaml:data-infra',
      // The drill's temporary namespace lives with the drill, so deleting the drill removes it.
      'restore-drill/restore-drill.yaml:restore-drill',
    ]);
    for (const ns of namespaces) {
      expect(ns.object.metadata.namespace).toBeUndefined();
    }
  });

  test('backups: the ObjectStore with 14d retention and the sealed S3 credential, and a daily plugin ScheduledBackup', () => {
    const store = byKind('ObjectStore').find((m) => m.object.metadata.namespace === 'data-infra' && m.object.metadata.name === 'cnpg-ha-backups')!;
    expect(store.file).toBe('backup/backup.yaml');
    expect(store.object.metadata.name).toBe('cnpg-ha-backups');
    expect(store.object.spec.retentionPolicy).toBe('14d');
    expect(store.object.spec.configuration.s3Credentials).toEqual({
      accessKeyId: { name: 'cnpg-backup-s3', key: 'aws_access_key_id' },
      secretAccessKey: { name: 'cnpg-backup-s3', key: 'aws_secret_access_key' },
      region: { name: 'cnpg-backup-s3', key: 'region' },
    });
    const [scheduled] = byKind('ScheduledBackup');
    expect(scheduled.object.spec).toMatchObject({
      cluster: { name: 'cnpg-ha' }, method: 'plugin', pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
      schedule: '0 0 0 * * *', backupOwnerReference: 'self', target: 'prefer-standby',
    });
  });

  test('the restore drill recovers into its own namespace, to a point in time, from the production archive, and does not archive', () => {
    const drill = byKind('Cluster').find((m) => m.object.metadata.namespace === 'restore-drill')!;
    expect(drill.file).toBe('restore-drill/restore-drill.yaml');
    const { spec } = drill.object;
    expect(spec.bootstrap.recovery).toMatchObject({ source: 'cnpg-ha', recoveryTarget: { targetTime: '2026-11-30T00:00:00Z' } });
    expect(spec.externalClusters).toEqual([{
      name: 'cnpg-ha',
      plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'cnpg-ha-backups', serverName: 'cnpg-ha' } },
    }]);
    expect(spec.plugins).toBeUndefined();
    const drillStore = byKind('ObjectStore').find((m) => m.object.metadata.namespace === 'restore-drill')!;
    expect(drillStore.object.spec.configuration.destinationPath).toBe('s3://my-cnpg-backups/production');
    expect(drillStore.object.spec.configuration.s3Credentials.accessKeyId.name).toBe('drill-backup-s3');
    expect(byKind('Job').map((j) => j.object.metadata.name)).toEqual(['cnpg-ha-drill-verify']);
  });

  test('monitoring: PodMonitors for the instances and the pooler, the alert set, the dashboard and the wired custom queries', () => {
    // The operator's PodMonitor belongs to the Kubernetes cluster the environments share (dist/clusters/tutorial/monitoring).
    const monitors = byKind('PodMonitor').map((m) => m.object);
    expect(monitors.map((m) => `${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual(['data-infra/cnpg-ha-instances', 'data-infra/cnpg-ha-pooler-rw']);
    const [rules] = byKind('PrometheusRule');
    const alerts = rules.object.spec.groups.flatMap((g: any) => g.rules).map((r: any) => r.alert).filter(Boolean);
    expect(alerts).toEqual(expect.arrayContaining(['CNPGClusterBackupTooOld', 'CNPGClusterWALArchivingFailing', 'CNPGClusterHADegraded']));
    const configMaps = byKind('ConfigMap').map((m) => m.object.metadata.name).sort();
    // The Grafana dashboard is the Kubernetes cluster's, once (dist/clusters/tutorial/monitoring), not one per environment.
    expect(configMaps).toEqual(['cnpg-ha-monitoring']);
    const cluster = readManifests(path.join(out, 'clusters', 'tutorial', 'monitoring')).map((m) => m.object);
    expect(cluster.filter((o) => o.kind === 'ConfigMap').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['monitoring/cnpg-grafana-dashboard']);
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
