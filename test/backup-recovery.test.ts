import { Chart } from 'cdk8s';
import {
  BackupStore, BARMAN_CLOUD_PLUGIN, ClusterRecovery, RecoveryTarget,
} from '../lib/backup';
import { isValidTargetTime, recoveryTargetProblems } from '../lib/rules/recovery-target';
import { CnpgCluster } from '../lib/cluster/cluster';
import { IBasicAuthCredential, IS3Credential } from '../lib/secrets/credential-ref';
import { validateObjects } from './support/schema';
import { findObject, synthChart, synthError, testChart } from './support/synth';

const S3: IS3Credential = {
  secretName: 'cnpg-backup-s3', namespace: 'data-infra', accessKeyIdKey: 'aws_access_key_id', secretAccessKeyKey: 'aws_secret_access_key',
  regionKey: 'region', keys: ['aws_access_key_id', 'aws_secret_access_key', 'region'],
};
const OWNER: IBasicAuthCredential = { secretName: 'cnpg-app-user', namespace: 'data-infra', username: 'app_user' };

function store(chart: Chart, id = 'Backups', storeName = 'cnpg-backups'): BackupStore {
  return new BackupStore(chart, id, {
    storeName,
    destinationPath: 's3://my-cnpg-backups/production',
    endpointUrl: 'https://s3.ap-northeast-1.amazonaws.com',
    credential: S3,
  });
}

function restored(chart: Chart, s: BackupStore, target?: RecoveryTarget, backupId?: string, clusterName = 'cnpg-ha-restored'): CnpgCluster {
  return new CnpgCluster(chart, 'Restored', {
    clusterName,
    storageSize: '40Gi',
    database: 'appdb',
    ownerCredential: OWNER,
    bootstrap: ClusterRecovery.fromBackupStore(s, { sourceServerName: 'cnpg-ha', target, backupId }),
  });
}

const EXTERNAL_CLUSTER = {
  name: 'cnpg-ha',
  plugin: { name: BARMAN_CLOUD_PLUGIN, parameters: { barmanObjectName: 'cnpg-backups', serverName: 'cnpg-ha' } },
};

describe('ClusterRecovery from a backup store, one cluster per PITR target', () => {
  test.each<[string, () => RecoveryTarget, string | undefined, Record<string, unknown> | undefined]>([
    ['latest (all WAL)', () => RecoveryTarget.latest(), undefined, undefined],
    ['a point in time (RFC 3339)', () => RecoveryTarget.time('2026-08-30T09:15:00+09:00'), undefined, { targetTime: '2026-08-30T09:15:00+09:00' }],
    ['a point in time, exclusive, on timeline 2', () => RecoveryTarget.time('2026-08-30 00:15:00.123456+00', { exclusive: true, timeline: 2 }), undefined,
      { targetTime: '2026-08-30 00:15:00.123456+00', exclusive: true, targetTLI: '2' }],
    ['a WAL location', () => RecoveryTarget.lsn('0/3000000'), undefined, { targetLSN: '0/3000000' }],
    ['a WAL location from a given backup', () => RecoveryTarget.lsn('1A/FF0000A8', { timeline: 'latest' }), '20260830T000003',
      { targetLSN: '1A/FF0000A8', targetTLI: 'latest', backupID: '20260830T000003' }],
    ['a transaction id', () => RecoveryTarget.xid(12345, { exclusive: false }), '20260830T000003', { targetXID: '12345', exclusive: false, backupID: '20260830T000003' }],
    ['a named restore point', () => RecoveryTarget.name('before-migration'), '20260830T000003', { targetName: 'before-migration', backupID: '20260830T000003' }],
    ['immediate (end of the base backup)', () => RecoveryTarget.immediate(), '20260830T000003', { targetImmediate: true, backupID: '20260830T000003' }],
    ['latest from a given backup', () => RecoveryTarget.latest(), '20260830T000003', { backupID: '20260830T000003' }],
  ])('%s', (_name, target, backupId, expectedTarget) => {
    const { chart } = testChart();
    const s = store(chart);
    restored(chart, s, target(), backupId);
    const objects = synthChart(chart);
    expect(findObject(objects, 'Cluster')).toMatchSnapshot();
    expect(validateObjects(objects)).toEqual([]);
    const spec = findObject(objects, 'Cluster', 'cnpg-ha-restored').spec;
    expect(spec.bootstrap).toEqual({
      recovery: {
        source: 'cnpg-ha',
        database: 'appdb',
        owner: 'app_user',
        secret: { name: 'cnpg-app-user' },
        ...(expectedTarget ? { recoveryTarget: expectedTarget } : {}),
      },
    });
    expect(spec.bootstrap.initdb).toBeUndefined();
    expect(spec.externalClusters).toEqual([EXTERNAL_CLUSTER]);
    expect(spec.plugins).toBeUndefined();
  });

  test('a recovered cluster may archive into the same store under a new server name', () => {
    const { chart } = testChart();
    const s = store(chart);
    const cluster = restored(chart, s, RecoveryTarget.time('2026-08-30T09:15:00Z'), undefined, 'cnpg-ha');
    s.archiveWal(cluster, { serverName: 'cnpg-ha-2' });
    const objects = synthChart(chart);
    expect(validateObjects(objects)).toEqual([]);
    const spec = findObject(objects, 'Cluster', 'cnpg-ha').spec;
    expect(spec.plugins[0].parameters).toEqual({ barmanObjectName: 'cnpg-backups', serverName: 'cnpg-ha-2' });
    expect(spec.externalClusters[0].plugin.parameters.serverName).toBe('cnpg-ha');
  });

  test('a recovered cluster with another name archives under its own name by default', () => {
    const { chart } = testChart();
    const s = store(chart);
    s.archiveWal(restored(chart, s));
    expect(findObject(synthChart(chart), 'Cluster').spec.plugins[0].parameters.serverName).toBe('cnpg-ha-restored');
  });

  test('the external cluster can have its own name', () => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Restored', {
      clusterName: 'restored', storageSize: '1Gi',
      bootstrap: ClusterRecovery.fromBackupStore(store(chart), { sourceServerName: 'cnpg-ha', sourceName: 'origin' }),
    });
    const spec = findObject(synthChart(chart), 'Cluster').spec;
    expect(spec.bootstrap.recovery).toEqual({ source: 'origin', database: 'app', owner: 'app' });
    expect(spec.externalClusters[0].name).toBe('origin');
  });
});

describe('recovering into the archive it recovers from', () => {
  test('the same store and server name is an error', () => {
    const { chart } = testChart();
    const s = store(chart);
    s.archiveWal(restored(chart, s, undefined, undefined, 'cnpg-ha'));
    expect(synthError(chart)).toContain('[test/Restored] spec.plugins: the cluster would archive its WAL into s3://my-cnpg-backups/production/cnpg-ha, '
      + 'the archive it recovers from; the new timeline would mix with the source\'s WAL and backups (got "cnpg-ha"); '
      + 'archive under a new serverName, e.g. store.archiveWal(cluster, { serverName: "cnpg-ha-2" })');
  });

  test('an explicit server name equal to the source is an error', () => {
    const { chart } = testChart();
    const s = store(chart);
    s.archiveWal(restored(chart, s), { serverName: 'cnpg-ha' });
    expect(synthError(chart)).toContain('[test/Restored] spec.plugins: the cluster would archive its WAL into s3://my-cnpg-backups/production/cnpg-ha');
  });

  test('another ObjectStore pointing at the same bucket path is the same archive', () => {
    const { chart } = testChart();
    const s = store(chart);
    const alias = store(chart, 'Alias', 'cnpg-backups-alias');
    alias.archiveWal(restored(chart, s), { serverName: 'cnpg-ha' });
    expect(synthError(chart)).toContain('[test/Restored] spec.plugins: the cluster would archive its WAL into s3://my-cnpg-backups/production/cnpg-ha');
  });

  test('a plugin entry added by hand is checked too', () => {
    const { chart } = testChart();
    const s = store(chart);
    const cluster = restored(chart, s);
    cluster.addPlugin({ name: BARMAN_CLOUD_PLUGIN, isWalArchiver: true, parameters: { barmanObjectName: 'cnpg-backups', serverName: 'cnpg-ha' } });
    expect(synthError(chart)).toContain('[test/Restored] spec.plugins: the cluster would archive its WAL into');
  });
});

describe('recovery target validation', () => {
  test.each([
    '2026-08-30T09:15:00Z', '2026-08-30T09:15:00.123456Z', '2026-08-30T09:15:00.5+09:00', '2026-08-30T18:15:00-03:30',
    '2026-08-30 09:15:00', '2026-08-30 09:15:00.123456', '2026-08-30 09:15:00+09', '2026-08-30 09:15:00.123+09:00', '2026-08-30 09:15:00Z',
    '2026-08-30T09:15:00', '2024-02-29 23:59:59', '2026-08-30',
  ])('accepts the time %j', (t) => {
    expect(isValidTargetTime(t)).toBe(true);
  });

  test.each([
    '', 'yesterday', '2026/08/30 09:15:00', '2026-08-30 25:00:00', '2026-08-30T09:60:00Z', '2026-02-30T00:00:00Z', '2025-02-29 00:00:00',
    '2026-13-01 00:00:00', '2026-08-30T09:15:00+0900', '2026-08-30T09:15Z', '2026-08-30 9:15:00', '2026-08-30T09:15:00 Z', '30.08.2026 09:15',
    '2026-08-30 09:15:00 BC',
  ])('rejects the time %j', (t) => {
    expect(isValidTargetTime(t)).toBe(false);
  });

  const F = 'spec.bootstrap.recovery.recoveryTarget';
  test.each<[string, () => RecoveryTarget, string | undefined, string]>([
    ['an unparsable time', () => RecoveryTarget.time('2026-08-30 25:00'), undefined,
      `${F}.targetTime: is not a time CloudNativePG can parse (got "2026-08-30 25:00"); use RFC 3339`],
    ['an impossible date', () => RecoveryTarget.time('2026-02-30T00:00:00Z'), undefined, `${F}.targetTime: is not a time CloudNativePG can parse`],
    ['an LSN without a slash', () => RecoveryTarget.lsn('3000000'), undefined, `${F}.targetLsn: is not a WAL location XXXXXXXX/XXXXXXXX (hexadecimal) (got "3000000")`],
    ['an LSN that is not hexadecimal', () => RecoveryTarget.lsn('0/XYZ'), undefined, `${F}.targetLsn: is not a WAL location`],
    ['an LSN part longer than 32 bits', () => RecoveryTarget.lsn('123456789/0'), undefined, `${F}.targetLsn: is not a WAL location`],
    ['an XID above 32 bits', () => RecoveryTarget.xid('4294967296'), '20260830T000003',
      `${F}.targetXid: recovery target xid must be a non-negative 32-bit integer (got "4294967296")`],
    ['a negative XID', () => RecoveryTarget.xid(-1), '20260830T000003', `${F}.targetXid: recovery target xid must be a non-negative 32-bit integer (got "-1")`],
    ['an XID that is not a number', () => RecoveryTarget.xid('abc'), '20260830T000003', `${F}.targetXid: recovery target xid must be a non-negative 32-bit integer`],
    ['a restore point name of 64 bytes', () => RecoveryTarget.name('n'.repeat(64)), '20260830T000003', `${F}.targetName: recovery target name must be shorter than 64 bytes`],
    ['a restore point name of 64 UTF-8 bytes', () => RecoveryTarget.name('é'.repeat(32)), '20260830T000003', `${F}.targetName: recovery target name must be shorter than 64 bytes`],
    ['a restore point name with a newline', () => RecoveryTarget.name('before\nmigration'), '20260830T000003',
      `${F}.targetName: recovery target name must not contain ASCII control characters`],
    ['an empty restore point name', () => RecoveryTarget.name(''), '20260830T000003', `${F}.targetName: must not be empty`],
    ['a restore point without a backup id', () => RecoveryTarget.name('before-migration'), undefined,
      `${F}.backupID: BackupID is missing: a name target needs the base backup to start from; only time and LSN targets can pick one`],
    ['an XID without a backup id', () => RecoveryTarget.xid(12345), undefined, `${F}.backupID: BackupID is missing: a xid target`],
    ['immediate without a backup id', () => RecoveryTarget.immediate(), undefined, `${F}.backupID: BackupID is missing: a immediate target`],
    ['a backup id that is not a Barman id', () => RecoveryTarget.latest(), 'backup-2026-08-30',
      `${F}.backupID: is not a Barman backup id (YYYYMMDDTHHMMSS) (got "backup-2026-08-30")`],
    ['timeline 0', () => RecoveryTarget.time('2026-08-30T09:15:00Z', { timeline: 0 }), undefined,
      `${F}.targetTli: recovery target timeline can be set to 'latest' or a positive integer (got "0")`],
    ['timeline "current"', () => RecoveryTarget.latest({ timeline: 'current' }), undefined, `${F}.targetTli: recovery target timeline can be set to 'latest' or a positive integer`],
    ['two targets in raw input', () => RecoveryTarget.fromSpec({ targetTime: '2026-08-30T09:15:00Z', targetLsn: '0/3000000' }), undefined,
      `${F}: recovery target options are mutually exclusive (got ["targetLsn","targetTime"])`],
    ['immediate together with a name in raw input', () => RecoveryTarget.fromSpec({ targetImmediate: true, targetName: 'x' }), '20260830T000003',
      `${F}: recovery target options are mutually exclusive (got ["targetImmediate","targetName"])`],
  ])('%s', (_name, target, backupId, expected) => {
    const { chart } = testChart();
    restored(chart, store(chart), target(), backupId);
    expect(synthError(chart)).toContain(`[test/Restored] ${expected}`);
  });

  test('raw input that follows the rules renders as given', () => {
    const t = RecoveryTarget.fromSpec({ targetTime: '2026-08-30T09:15:00Z', exclusive: true, targetTli: 'latest' });
    expect(t.kind).toBe('raw');
    expect(t.problems()).toEqual([]);
    expect(t.render()).toEqual({ targetTime: '2026-08-30T09:15:00Z', exclusive: true, targetTli: 'latest' });
    expect(recoveryTargetProblems({ targetImmediate: false, targetXid: '1' }, '20260830T000003')).toEqual([]);
  });

  test('a store in another namespace cannot be recovered from', () => {
    const { app, chart } = testChart();
    const other = new Chart(app, 'other', { namespace: 'backups' });
    const s = new BackupStore(other, 'Backups', {
      storeName: 'cnpg-backups', destinationPath: 's3://my-cnpg-backups/production', region: 'ap-northeast-1',
      credential: { ...S3, namespace: 'backups', regionKey: undefined, keys: ['aws_access_key_id', 'aws_secret_access_key'] },
    });
    restored(chart, s);
    expect(synthError(chart)).toContain('[test/Restored] bootstrap: the backup store is in namespace "backups" but the cluster is in "data-infra"');
  });

  test('an invalid source server name', () => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Restored', {
      clusterName: 'restored', storageSize: '1Gi',
      bootstrap: ClusterRecovery.fromBackupStore(store(chart), { sourceServerName: '../cnpg-ha' }),
    });
    expect(synthError(chart)).toContain('[test/Restored] bootstrap.sourceServerName: must be a folder name');
  });
});
