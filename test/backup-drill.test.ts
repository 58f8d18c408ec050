import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  BackupStore, BARMAN_CLOUD_PLUGIN, DrillExpectation, RecoveryTarget, RestoreDrill, RestoreDrillProps,
} from '../lib/backup';
import { CnpgCluster } from '../lib/cluster/cluster';
import { ImageFlavour, PostgresImage } from '../lib/cluster/postgres-image';
import { IS3Credential } from '../lib/secrets/credential-ref';
import { validateObjects } from './support/schema';
import { findObject, synthChart, synthError, testChart } from './support/synth';

function s3(namespace: string, secretName = 'cnpg-backup-s3'): IS3Credential {
  return {
    secretName, namespace, accessKeyIdKey: 'aws_access_key_id', secretAccessKeyKey: 'aws_secret_access_key', regionKey: 'region',
    keys: ['aws_access_key_id', 'aws_secret_access_key', 'region'],
  };
}

interface Setup {
  app: App;
  production: Chart;
  drillChart: Chart;
  store: BackupStore;
  source: CnpgCluster;
}

function setup(wire = true): Setup {
  const { app, chart: production } = testChart('data-infra');
  const drillChart = new Chart(app, 'restore-drill', { namespace: 'restore-drill' });
  const store = new BackupStore(production, 'Backups', {
    storeName: 'cnpg-backups',
    destinationPath: 's3://my-cnpg-backups/production',
    endpointUrl: 'https://s3.ap-northeast-1.amazonaws.com',
    credential: s3('data-infra'),
    walMaxParallel: 4,
  });
  const source = new CnpgCluster(production, 'Cluster', {
    clusterName: 'cnpg-ha',
    image: PostgresImage.of('16.14', { flavour: ImageFlavour.STANDARD }),
    storageSize: '40Gi',
    database: 'appdb',
    ownerCredential: { secretName: 'cnpg-app-user', namespace: 'data-infra', username: 'app_user' },
    parameters: { max_connections: 200, shared_buffers: '512MB', wal_level: 'logical' },
  });
  if (wire) store.archiveWal(source);
  return { app, production, drillChart, store, source };
}

function drillProps(s: Setup, overrides: Partial<RestoreDrillProps> = {}): RestoreDrillProps {
  return {
    store: s.store,
    sourceCluster: s.source,
    namespace: 'restore-drill',
    s3Credential: s3('restore-drill', 'drill-backup-s3'),
    ownerCredential: { secretName: 'drill-app-user', namespace: 'restore-drill', username: 'app_user' },
    storageSize: '40Gi',
    target: RecoveryTarget.time('2026-08-30T09:15:00+09:00'),
    ...overrides,
  };
}

describe('RestoreDrill', () => {
  test('a store copy, a one-instance recovered cluster that does not archive, and a hardened verification Job', () => {
    const s = setup();
    const drill = new RestoreDrill(s.drillChart, 'Drill', drillProps(s));
    const objects = synthChart(s.drillChart);
    expect(objects).toMatchSnapshot();
    expect(validateObjects(objects)).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ObjectStore/restore-drill/cnpg-backups',
      'Cluster/restore-drill/cnpg-ha-drill',
      'Job/restore-drill/cnpg-ha-drill-verify',
    ]);

    const store = findObject(objects, 'ObjectStore').spec;
    expect(store.configuration.destinationPath).toBe('s3://my-cnpg-backups/production');
    expect(store.configuration.endpointURL).toBe('https://s3.ap-northeast-1.amazonaws.com');
    expect(store.configuration.s3Credentials.secretAccessKey).toEqual({ name: 'drill-backup-s3', key: 'aws_secret_access_key' });
    expect(store.configuration.wal.maxParallel).toBe(4);

    const cluster = findObject(objects, 'Cluster', 'cnpg-ha-drill').spec;
    expect(cluster.instances).toBe(1);
    expect(cluster.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:16.14-standard-trixie');
    expect(cluster.storage).toEqual({ size: '40Gi', resizeInUseVolumes: true });
    expect(cluster.plugins).toBeUndefined();
    expect(cluster.enablePDB).toBe(false);
    expect(cluster.postgresql.parameters).toEqual({ max_connections: '200', shared_buffers: '512MB', wal_level: 'logical' });
    expect(cluster.bootstrap.recovery).toEqual({
      source: 'cnpg-ha',
      database: 'appdb',
      owner: 'app_user',
      secret: { name: 'drill-app-user' },
      recoveryTarget: { targetTime: '2026-08-30T09:15:00+09:00' },
    });
    expect(cluster.externalClusters).toEqual([{
      name: 'cnpg-ha',
      plugin: { name: BARMAN_CLOUD_PLUGIN, parameters: { barmanObjectName: 'cnpg-backups', serverName: 'cnpg-ha' } },
    }]);

    const job = findObject(objects, 'Job', 'cnpg-ha-drill-verify');
    expect(job.spec.backoffLimit).toBe(1);
    expect(job.spec.activeDeadlineSeconds).toBe(7200);
    expect(job.spec.ttlSecondsAfterFinished).toBe(86400);
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 26, runAsGroup: 26, seccompProfile: { type: 'RuntimeDefault' } });
    const [container] = pod.containers;
    expect(container.image).toBe('ghcr.io/cloudnative-pg/postgresql:16.14-standard-trixie');
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, privileged: false, capabilities: { drop: ['ALL'] },
    });
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } });
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      PGHOST: 'cnpg-ha-drill-rw',
      PGDATABASE: 'appdb',
      PGUSER: { secretKeyRef: { name: 'drill-app-user', key: 'username' } },
      PGPASSWORD: { secretKeyRef: { name: 'drill-app-user', key: 'password' } },
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: '/etc/postgres-ca/ca.crt',
      DRILL_SQL: 'SELECT count(*) FROM pg_catalog.pg_tables',
      DRILL_EXPECT_MODE: 'at-least',
      DRILL_EXPECT_VALUE: '1',
    });
    expect(pod.volumes[0]).toEqual({ name: 'server-ca', secret: { secretName: 'cnpg-ha-drill-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    expect(container.command[2]).toContain('until pg_isready -q');
    expect(container.command[2]).toContain('pg_is_in_recovery()');

    expect(drill.namespace).toBe('restore-drill');
    expect(drill.jobName).toBe('cnpg-ha-drill-verify');
    expect(drill.sourceServerName).toBe('cnpg-ha');
    expect(drill.cluster.clusterName).toBe('cnpg-ha-drill');
    expect(drill.store.namespace).toBe('restore-drill');
    // The production objects are unchanged.
    expect(findObject(synthChart(s.production), 'Cluster', 'cnpg-ha').spec.plugins).toHaveLength(1);
  });

  test('options: own name, server name, latest target from a backup, parameters, resources, query and expectation, Job limits', () => {
    const s = setup(false);
    s.store.archiveWal(s.source, { serverName: 'cnpg-ha-2' });
    new RestoreDrill(s.drillChart, 'Drill', drillProps(s, {
      clusterName: 'drill',
      target: RecoveryTarget.latest(),
      backupId: '20260830T000003',
      storageSize: '50Gi',
      storageClass: 'longhorn',
      resources: { cpu: { limit: Cpu.units(1) }, memory: { limit: Size.gibibytes(1) } },
      parameters: { shared_buffers: '256MB' },
      verifySql: 'SELECT count(*) FROM public.orders',
      expect: DrillExpectation.equals('42'),
      jobDeadlineSeconds: 600,
      jobTtlSecondsAfterFinished: 0,
      jobBackoffLimit: 0,
      labels: { 'app.kubernetes.io/part-of': 'restore-drill' },
    }));
    const objects = synthChart(s.drillChart);
    expect(validateObjects(objects)).toEqual([]);
    const cluster = findObject(objects, 'Cluster', 'drill');
    expect(cluster.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'restore-drill' });
    expect(cluster.spec.postgresql.parameters).toEqual({ max_connections: '200', shared_buffers: '256MB', wal_level: 'logical' });
    expect(cluster.spec.bootstrap.recovery.recoveryTarget).toEqual({ backupID: '20260830T000003' });
    expect(cluster.spec.externalClusters[0].plugin.parameters.serverName).toBe('cnpg-ha-2');
    expect(cluster.spec.resources).toEqual({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } });
    const job = findObject(objects, 'Job', 'drill-verify');
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 0 });
    const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ DRILL_SQL: 'SELECT count(*) FROM public.orders', DRILL_EXPECT_MODE: 'equals', DRILL_EXPECT_VALUE: '42' });
  });
});

describe('RestoreDrill bad input', () => {
  test('the drill cannot run in the production namespace', () => {
    const s = setup();
    new RestoreDrill(s.production, 'Drill', drillProps(s, {
      namespace: 'data-infra',
      s3Credential: s3('data-infra'),
      ownerCredential: { secretName: 'drill-app-user', namespace: 'data-infra', username: 'app_user' },
    }));
    expect(synthError(s.production)).toContain('[test/Drill] namespace: the drill must run in its own temporary namespace');
  });

  test('the owner must be the source database owner, and the credentials must be in the drill namespace', () => {
    const s = setup();
    new RestoreDrill(s.drillChart, 'Drill', drillProps(s, {
      ownerCredential: { secretName: 'drill-app-user', namespace: 'restore-drill', username: 'drill_user' },
      s3Credential: s3('data-infra'),
    }));
    const message = synthError(s.drillChart);
    expect(message).toContain('[restore-drill/Drill] ownerCredential: the drill restores the source\'s database, owned by "app_user"; '
      + 'the credential logs in as another role (got "drill_user")');
    expect(message).toContain('[restore-drill/Drill/Store] credential: the Secret must be in the store\'s namespace "restore-drill"');
  });

  test('a source that does not archive into the store is an error', () => {
    const s = setup(false);
    new RestoreDrill(s.drillChart, 'Drill', drillProps(s));
    expect(synthError(s.drillChart)).toContain('[restore-drill/Drill] sourceCluster: the source cluster data-infra/cnpg-ha does not archive into '
      + 's3://my-cnpg-backups/production as "cnpg-ha", so the drill would find no backups (got: it does not archive)');
  });

  test('a source wired after the drill with another server name is an error', () => {
    const s = setup(false);
    new RestoreDrill(s.drillChart, 'Drill', drillProps(s));
    s.store.archiveWal(s.source, { serverName: 'cnpg-ha-2' });
    expect(synthError(s.drillChart)).toContain('(got: it archives to s3://my-cnpg-backups/production as "cnpg-ha-2"); wire it with store.archiveWal(cluster) or set sourceServerName');
  });

  test('PITR rules apply to the drill target', () => {
    const s = setup();
    new RestoreDrill(s.drillChart, 'Drill', drillProps(s, { target: RecoveryTarget.name('before-migration') }));
    expect(synthError(s.drillChart)).toContain('[restore-drill/Drill/Cluster] spec.bootstrap.recovery.recoveryTarget.backupID: BackupID is missing');
  });

  test('invalid query, expectation and Job limits', () => {
    const s = setup();
    new RestoreDrill(s.drillChart, 'Drill', drillProps(s, {
      verifySql: '  ',
      expect: DrillExpectation.atLeast(-1),
      jobDeadlineSeconds: 0,
      jobBackoffLimit: 1.5,
      storageSize: 'big',
    }));
    const message = synthError(s.drillChart);
    expect(message).toContain('[restore-drill/Drill] verifySql: must be a non-empty SQL query');
    expect(message).toContain('[restore-drill/Drill] expect: atLeast needs a whole number of at least 0 (got "-1")');
    expect(message).toContain('[restore-drill/Drill] jobDeadlineSeconds: must be a whole number of at least 1 (got 0)');
    expect(message).toContain('[restore-drill/Drill] jobBackoffLimit: must be a whole number of at least 0 (got 1.5)');
    expect(message).toContain('[restore-drill/Drill/Cluster] storageSize → spec.storage.size: Size value isn\'t valid (got "big")');
  });
});

describe('RestoreDrill verification script (with stub psql and pg_isready)', () => {
  let bin: string;
  beforeAll(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-stub-'));
    fs.writeFileSync(path.join(bin, 'pg_isready'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'psql'), [
      '#!/bin/sh',
      'for a; do q="$a"; done',
      'case "$q" in',
      '  "SELECT version()") echo "PostgreSQL 16.14" ;;',
      '  "SELECT pg_is_in_recovery()") echo "${STUB_RECOVERY:-f}" ;;',
      '  *pg_database_size*) echo "8 MB" ;;',
      '  *) echo "$STUB_RESULT" ;;',
      'esac',
      '',
    ].join('\n'), { mode: 0o755 });
  });
  afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));

  function run(expectation: DrillExpectation, result: string, recovery = 'f'): { status: number | null; out: string } {
    const s = setup();
    new RestoreDrill(s.drillChart, 'Drill', drillProps(s, { expect: expectation }));
    const container = findObject(synthChart(s.drillChart), 'Job').spec.template.spec.containers[0];
    const env: Record<string, string> = { PATH: `${bin}:/usr/bin:/bin`, STUB_RESULT: result, STUB_RECOVERY: recovery };
    for (const e of container.env) if (e.value !== undefined) env[e.name] = e.value;
    env.PGUSER = 'app_user';
    const r = spawnSync(container.command[0], container.command.slice(1), { env, encoding: 'utf8' });
    return { status: r.status, out: r.stdout + r.stderr };
  }

  test.each<[string, DrillExpectation, string, string, number, string]>([
    ['at least: enough rows', DrillExpectation.atLeast(1), '68', 'f', 0, 'restore drill PASSED'],
    ['at least: too few rows', DrillExpectation.atLeast(100), '68', 'f', 1, 'restore drill FAILED: expected at least 100'],
    ['at least: not a number', DrillExpectation.atLeast(1), 'ERROR', 'f', 1, 'restore drill FAILED: expected a whole number of at least 1'],
    ['equals: the expected value', DrillExpectation.equals('42'), '42', 'f', 0, 'restore drill PASSED'],
    ['equals: another value', DrillExpectation.equals('42'), '41', 'f', 1, 'restore drill FAILED: expected 42'],
    ['a server still in recovery', DrillExpectation.atLeast(1), '68', 't', 1, 'restore drill FAILED: the server is still in recovery'],
  ])('%s', (_name, expectation, result, recovery, status, message) => {
    const r = run(expectation, result, recovery);
    expect(r.out).toContain(message);
    expect(r.status).toBe(status);
  });
});
