/**
 * Issue 14 items 5 and 6: constructs are wired with objects, not strings (alert rules take the Pooler and
 * ScheduledBackup objects, `CnpgCluster.fromClusterAttributes` gives an `ICnpgCluster`, storage sizes are `Size`), and
 * names are safe (DNS-safe defaults from idiomatic ids, one object per kind, name and namespace, the TLS-only reject
 * line kept in a custom pg_hba, WAL volumes big enough for the WAL, valid StorageClass names).
 */
import { Chart, Duration, Size } from 'cdk8s';
import {
  BackupExpectation, BackupStore, ClusterAlertRules, CnpgCluster, CnpgClusterPodMonitor, CnpgDatabase, CnpgPublication,
  DatabaseNetworkPolicies, Pooler, PoolerType, PublicationTarget, ScheduledBackup,
} from '../lib';
import { nameFromId, namePartFromIdentifier } from '../lib/core/resource-names';
import { findObject, synthChart, synthError, testChart } from './support/synth';

const S3 = { secretName: 'cnpg-backup-s3', namespace: 'data-infra', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret', keys: ['id', 'secret'] };

function storeFor(chart: Chart, cluster: CnpgCluster, id = 'Backups'): BackupStore {
  const store = new BackupStore(chart, id, { destinationPath: 's3://my-cnpg-backups/production', region: 'ap-northeast-1', credential: S3 });
  store.archiveWal(cluster);
  return store;
}

function alertRule(objects: any[]): any {
  return findObject(objects, 'PrometheusRule');
}

function alertsOf(rule: any): any[] {
  return rule.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
}

describe('alert rules are wired with the Pooler and ScheduledBackup objects', () => {
  test('pooler names and the backup interval come from the objects', () => {
    const { chart } = testChart();
    const cluster = new CnpgCluster(chart, 'Db', { storageSize: Size.gibibytes(10) });
    storeFor(chart, cluster);
    const rw = new Pooler(chart, 'PoolerRw', { cluster, monitoring: false });
    const ro = new Pooler(chart, 'PoolerRo', { cluster, type: PoolerType.RO, monitoring: false });
    // Every six hours: the warning fires at 1.5 × 6 h = 9 h, the critical alert at 3 × 6 h = 18 h.
    const backups = new ScheduledBackup(chart, 'Every6h', { cluster, schedule: '0 0 */6 * * *' });
    const rules = new ClusterAlertRules(chart, 'Alerts', { cluster, poolers: [rw, ro], scheduledBackup: backups });

    const objects = synthChart(chart);
    const alerts = alertsOf(alertRule(objects));
    expect(alerts.filter((a) => a.alert === 'CNPGPoolerDown').map((a) => a.labels.pooler)).toEqual(['db-pooler-rw', 'db-pooler-ro']);
    expect(alerts.find((a) => a.alert === 'CNPGClusterBackupTooOld').expr).toContain('> 32400');
    expect(alerts.find((a) => a.alert === 'CNPGClusterBackupTooOldCritical').expr).toContain('> 64800');
    expect(rules.alertNames).toContain('CNPGClusterBackupFailed');
  });

  test('backups scheduled elsewhere: BackupExpectation.every(Duration)', () => {
    const { chart } = testChart();
    const cluster = CnpgCluster.fromClusterAttributes(chart, 'Db', { clusterName: 'orders', namespace: 'data-infra' });
    new ClusterAlertRules(chart, 'Alerts', { cluster, backups: BackupExpectation.every(Duration.hours(12)) });
    const alerts = alertsOf(alertRule(synthChart(chart)));
    expect(alerts.find((a) => a.alert === 'CNPGClusterBackupTooOld').expr).toContain('> 64800'); // 1.5 × 12 h
  });

  test('without a ScheduledBackup or an expectation there are no backup alerts', () => {
    const { chart } = testChart();
    const cluster = CnpgCluster.fromClusterAttributes(chart, 'Db', { clusterName: 'orders', namespace: 'data-infra' });
    const rules = new ClusterAlertRules(chart, 'Alerts', { cluster });
    expect(rules.alertNames.filter((n) => n.startsWith('CNPGClusterBackup'))).toEqual([]);
  });

  test('fails for a Pooler or ScheduledBackup of another cluster, and for both ways of saying when backups run', () => {
    const { chart } = testChart();
    const cluster = new CnpgCluster(chart, 'Db', { storageSize: Size.gibibytes(10) });
    const other = new CnpgCluster(chart, 'Other', { storageSize: Size.gibibytes(10) });
    storeFor(chart, other);
    const foreignPooler = new Pooler(chart, 'OtherPooler', { cluster: other, monitoring: false });
    const foreignBackup = new ScheduledBackup(chart, 'OtherDaily', { cluster: other });
    new ClusterAlertRules(chart, 'Alerts', { cluster, poolers: [foreignPooler], scheduledBackup: foreignBackup });
    new ClusterAlertRules(chart, 'Both', {
      cluster: other, name: 'other-alerts-2', scheduledBackup: foreignBackup, backups: BackupExpectation.every(Duration.days(1)),
    });
    const message = synthError(chart);
    expect(message).toContain('[test/Alerts] poolers[0]: the Pooler data-infra/other-pooler-rw is in front of cluster data-infra/other, not data-infra/db (got "test/OtherPooler")');
    expect(message).toContain('[test/Alerts] scheduledBackup: the ScheduledBackup data-infra/other-other-daily backs up cluster data-infra/other, not data-infra/db');
    expect(message).toContain('[test/Both] backups: scheduledBackup and backups both say when backups are taken (got "every 1 day"); pass scheduledBackup');
  });

  test('an expectation longer than a month is refused, named after the prop', () => {
    const { chart } = testChart();
    const cluster = CnpgCluster.fromClusterAttributes(chart, 'Db', { clusterName: 'orders', namespace: 'data-infra' });
    new ClusterAlertRules(chart, 'Alerts', { cluster, backups: BackupExpectation.every(Duration.days(40)) });
    expect(synthError(chart)).toContain('[test/Alerts] backups: is longer than a month');
  });
});

describe('CnpgCluster.fromClusterAttributes', () => {
  test('an ICnpgCluster that emits nothing and wires monitoring, poolers, backups and policies', () => {
    const { chart } = testChart();
    const cluster = CnpgCluster.fromClusterAttributes(chart, 'Orders', { clusterName: 'orders', namespace: 'data-infra', instances: 1 });
    expect(cluster).toMatchObject({ clusterName: 'orders', namespace: 'data-infra', instances: 1, rwServiceName: 'orders-rw', roServiceName: 'orders-ro', rServiceName: 'orders-r' });
    const pooler = new Pooler(chart, 'Pooler', { cluster, monitoring: false });
    // Its WAL archiving is wired where the cluster is declared: not checked here.
    const daily = new ScheduledBackup(chart, 'Daily', { cluster });
    new CnpgClusterPodMonitor(chart, 'Monitor', { cluster });
    new DatabaseNetworkPolicies(chart, 'Policies', { cluster });
    new ClusterAlertRules(chart, 'Alerts', { cluster, poolers: [pooler], scheduledBackup: daily });
    const objects = synthChart(chart);
    expect(objects.filter((o) => o.kind === 'Cluster')).toEqual([]);
    expect(findObject(objects, 'ScheduledBackup', 'orders-daily').spec.cluster).toEqual({ name: 'orders' });
    expect(findObject(objects, 'Pooler', 'orders-pooler-rw').spec.cluster).toEqual({ name: 'orders' });
    // One instance: no HA alerts.
    expect(alertsOf(alertRule(objects)).map((a) => a.alert)).not.toContain('CNPGClusterHACritical');
  });

  test('fails for attributes no Cluster can have', () => {
    const { chart } = testChart();
    CnpgCluster.fromClusterAttributes(chart, 'Bad', { clusterName: 'Orders', namespace: 'Data', instances: 0 });
    const message = synthError(chart);
    expect(message).toContain('[test/Bad] clusterName: is not a CloudNativePG cluster name (a DNS-1035 label) (got "Orders")');
    expect(message).toContain('[test/Bad] namespace: must be a DNS-1123 label (got "Data")');
    expect(message).toContain('[test/Bad] instances: must be a whole number of at least 1 (got 0)');
  });

  test('a publication on a cluster declared elsewhere needs its database', () => {
    const { chart } = testChart();
    const cluster = CnpgCluster.fromClusterAttributes(chart, 'Orders', { clusterName: 'orders', namespace: 'data-infra' });
    new CnpgPublication(chart, 'Pub', { cluster, publicationName: 'orders_pub', target: PublicationTarget.allTables() });
    expect(synthError(chart)).toContain('[test/Pub] dbname: is required for a cluster declared elsewhere (data-infra/orders)');

    const ok = testChart();
    const ref = CnpgCluster.fromClusterAttributes(ok.chart, 'Orders', { clusterName: 'orders', namespace: 'data-infra' });
    new CnpgPublication(ok.chart, 'Pub', { cluster: ref, dbname: 'appdb', publicationName: 'orders_pub', target: PublicationTarget.allTables() });
    expect(findObject(synthChart(ok.chart), 'Publication', 'orders-orders-pub').spec).toMatchObject({ dbname: 'appdb', cluster: { name: 'orders' } });
  });
});

describe('storage sizes are Size', () => {
  test('Size and the deprecated string form render the same quantities', () => {
    const a = testChart();
    new CnpgCluster(a.chart, 'Db', { storageSize: Size.gibibytes(40), walStorageSize: Size.gibibytes(10), storageClass: 'longhorn' });
    const b = testChart();
    new CnpgCluster(b.chart, 'Db', { storageSize: '40Gi', walStorageSize: '10Gi', storageClass: 'longhorn' });
    const specA = findObject(synthChart(a.chart), 'Cluster').spec;
    expect(specA.storage).toEqual({ size: '40Gi', storageClass: 'longhorn', resizeInUseVolumes: true });
    expect(specA.walStorage).toEqual({ size: '10Gi', storageClass: 'longhorn', resizeInUseVolumes: true });
    expect(findObject(synthChart(b.chart), 'Cluster').spec).toEqual(specA);
  });

  test('the cluster exposes the sizes as quantities', () => {
    const { chart } = testChart();
    const c = new CnpgCluster(chart, 'Db', { storageSize: Size.mebibytes(5120), walStorageSize: Size.gibibytes(2) });
    expect(c.storageSize).toBe('5120Mi');
    expect(c.walStorageSize).toBe('2Gi');
  });
});

describe('default names are DNS-safe and derived predictably', () => {
  test.each([
    ['Db', 'db'], ['Nightly', 'nightly'], ['Backups', 'backups'], ['OrdersDb', 'orders-db'], ['OrdersDB', 'orders-db'],
    ['MyDBCluster', 'my-db-cluster'], ['pg_18', 'pg-18'], ['Pg18', 'pg18'], ['cnpg-ha', 'cnpg-ha'], ['Orders Db', 'orders-db'],
    ['--x--', 'x'],
  ])('nameFromId(%j) is %j', (id, name) => {
    expect(nameFromId(id)).toBe(name);
  });

  test('dots are kept only where names may hold them, and PostgreSQL names become name parts', () => {
    expect(nameFromId('Backups.Eu', { dots: true })).toBe('backups.eu');
    expect(nameFromId('Backups.Eu')).toBe('backups-eu');
    expect(namePartFromIdentifier('warehouse_pub')).toBe('warehouse-pub');
    expect(namePartFromIdentifier('Sales Q1')).toBe('sales-q1');
  });

  test('idiomatic ids synthesize: Db, Backups, Nightly, and the owned objects follow the cluster name', () => {
    const { chart } = testChart();
    const db = new CnpgCluster(chart, 'Db', { storageSize: Size.gibibytes(10) });
    const store = new BackupStore(chart, 'Backups', { destinationPath: 's3://my-cnpg-backups/production', region: 'ap-northeast-1', credential: S3 });
    store.archiveWal(db);
    const nightly = new ScheduledBackup(chart, 'Nightly', { cluster: db });
    new CnpgDatabase(chart, 'Sales', { cluster: db, databaseName: 'Sales_Q1' });
    const objects = synthChart(chart);
    expect(db.clusterName).toBe('db');
    expect(store.storeName).toBe('backups');
    expect(nightly.name).toBe('db-nightly');
    expect(findObject(objects, 'Cluster', 'db').spec.plugins[0].parameters).toEqual({ barmanObjectName: 'backups', serverName: 'db' });
    expect(findObject(objects, 'Database', 'db-sales-q1').spec.name).toBe('Sales_Q1');
  });

  test('a default name that still is no valid name says where it comes from', () => {
    const { chart } = testChart();
    new CnpgCluster(chart, '1st', { storageSize: Size.gibibytes(10) });
    expect(synthError(chart)).toContain('[test/1st] clusterName: must be a DNS-1035 label of at most 50 characters');
    expect(synthError(chart)).toContain('(got "1st"); set clusterName (the default is derived from the construct id "1st")');
  });
});

describe('one object per kind, name and namespace', () => {
  test('fails for two Clusters with the same name in one namespace, naming both construct paths', () => {
    const { app, chart } = testChart();
    new CnpgCluster(chart, 'Db', { storageSize: Size.gibibytes(10) });
    const other = new Chart(app, 'other', { namespace: 'data-infra' });
    new CnpgCluster(other, 'Db2', { clusterName: 'db', storageSize: Size.gibibytes(10) });
    expect(synthError(chart)).toContain('[other/Db2] clusterName: test/Db already declares the Cluster "db" in namespace "data-infra" '
      + 'that other/Db2 declares too: two objects of one kind cannot share a name in a namespace (the later one would replace the earlier one in the cluster) (got "db"); '
      + 'give one of them another clusterName, or declare the Cluster once and pass the construct to everything that needs it');
  });

  test('the same name in two namespaces, or for two kinds, is fine', () => {
    const { app, chart } = testChart();
    new CnpgCluster(chart, 'Db', { storageSize: Size.gibibytes(10) });
    const other = new Chart(app, 'other', { namespace: 'data-dev' });
    new CnpgCluster(other, 'Db', { storageSize: Size.gibibytes(10) });
    new BackupStore(chart, 'Store', { storeName: 'db', destinationPath: 's3://my-cnpg-backups/production', region: 'ap-northeast-1', credential: S3 });
    expect(() => synthChart(chart)).not.toThrow();
  });

  test('fails for two Poolers of one type on one cluster, two stores, two schedules and two databases of one name', () => {
    const { chart } = testChart();
    const db = new CnpgCluster(chart, 'Db', { storageSize: Size.gibibytes(10) });
    storeFor(chart, db, 'Backups');
    new BackupStore(chart, 'Backups2', { storeName: 'backups', destinationPath: 's3://my-cnpg-backups/other', region: 'ap-northeast-1', credential: S3 });
    new Pooler(chart, 'P1', { cluster: db, monitoring: false });
    new Pooler(chart, 'P2', { cluster: db, monitoring: false });
    new ScheduledBackup(chart, 'Nightly', { cluster: db });
    new ScheduledBackup(chart, 'Nightly2', { cluster: db, name: 'db-nightly' });
    new CnpgDatabase(chart, 'Sales', { cluster: db, databaseName: 'sales' });
    new CnpgDatabase(chart, 'Sales2', { cluster: db, databaseName: 'sales2', resourceName: 'db-sales' });
    const message = synthError(chart);
    expect(message).toContain('[test/Backups2] storeName: test/Backups already declares the ObjectStore "backups" in namespace "data-infra" that test/Backups2 declares too');
    expect(message).toContain('[test/P2] name: test/P1 already declares the Pooler "db-pooler-rw"');
    expect(message).toContain('[test/Nightly2] name: test/Nightly already declares the ScheduledBackup "db-nightly"');
    expect(message).toContain('[test/Sales2] resourceName: test/Sales already declares the Database "db-sales"');
  });
});

describe('a custom pgHba keeps the TLS-only reject line', () => {
  const pgHbaOf = (props: { pgHba?: string[]; pgHbaRejectNonTls?: boolean }) => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Db', { storageSize: Size.gibibytes(10), ...props });
    return findObject(synthChart(chart), 'Cluster').spec.postgresql.pg_hba;
  };

  test('appended after the custom lines', () => {
    expect(pgHbaOf({ pgHba: ['hostssl app app 10.0.0.0/8 scram-sha-256'] }))
      .toEqual(['hostssl app app 10.0.0.0/8 scram-sha-256', 'hostnossl all all all reject']);
  });

  test('not repeated when the custom lines already have it, and unchanged by default', () => {
    expect(pgHbaOf({ pgHba: ['hostnossl  all all all   reject', 'hostssl all all all scram-sha-256'] }))
      .toEqual(['hostnossl  all all all   reject', 'hostssl all all all scram-sha-256']);
    expect(pgHbaOf({})).toEqual(['hostssl all all all scram-sha-256', 'hostnossl all all all reject']);
  });

  test('left out only when the user opts out explicitly', () => {
    expect(pgHbaOf({ pgHba: ['hostssl app app 10.0.0.0/8 scram-sha-256'], pgHbaRejectNonTls: false }))
      .toEqual(['hostssl app app 10.0.0.0/8 scram-sha-256']);
    expect(pgHbaOf({ pgHbaRejectNonTls: false })).toEqual(['hostssl all all all scram-sha-256']);
  });
});

describe('WAL volume size and StorageClass names', () => {
  test('fails for a WAL volume no larger than max_wal_size (1GB by default)', () => {
    for (const size of ['1Mi', '1Gi']) {
      const { chart } = testChart();
      new CnpgCluster(chart, 'Db', { storageSize: Size.gibibytes(10), walStorageSize: size });
      expect(synthError(chart)).toContain(`[test/Db] walStorageSize: is too small for PostgreSQL's WAL: it must be larger than max_wal_size (1GB, PostgreSQL's default), `
        + 'because pg_wal grows to max_wal_size between checkpoints, with WAL not yet archived or still needed by a standby on top; '
        + `a full WAL volume stops PostgreSQL (PANIC: could not write to file "pg_wal/…") (got "${size}"); `
        + 'use at least Size.gibibytes(2) (twice max_wal_size), or set parameters.max_wal_size well below the volume size');
    }
  });

  test('a WAL volume above max_wal_size is fine; a lowered max_wal_size is checked by the admission rule', () => {
    const ok = testChart();
    new CnpgCluster(ok.chart, 'Db', { storageSize: Size.gibibytes(10), walStorageSize: Size.gibibytes(2) });
    expect(() => synthChart(ok.chart)).not.toThrow();
    const small = testChart();
    new CnpgCluster(small.chart, 'Db', { storageSize: Size.gibibytes(10), walStorageSize: Size.mebibytes(512), parameters: { max_wal_size: '256MB' } });
    expect(() => synthChart(small.chart)).not.toThrow();
    const tooSmall = testChart();
    new CnpgCluster(tooSmall.chart, 'Db', { storageSize: Size.gibibytes(10), walStorageSize: Size.mebibytes(512), parameters: { max_wal_size: '1GB' } });
    const message = synthError(tooSmall.chart);
    expect(message).toContain('max_wal_size (default 1GB) should be smaller than WAL volume size');
    expect(message).not.toContain('walStorageSize: is too small');
  });

  test('fails for a StorageClass name no StorageClass can have, suggesting the lower-case name', () => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Db', { storageSize: Size.gibibytes(10), storageClass: 'Longhorn', walStorageSize: Size.gibibytes(2), walStorageClass: 'fast ssd' });
    const message = synthError(chart);
    expect(message).toContain('[test/Db] storageClass: is not a StorageClass name: StorageClass names are DNS-1123 subdomains '
      + '(lower-case letters, digits, \'-\' and \'.\'), so no StorageClass can have this name and the volumes would stay Pending (got "Longhorn"); '
      + 'use "longhorn" (see kubectl get storageclass)');
    expect(message).toContain('[test/Db] walStorageClass: is not a StorageClass name');
    expect(message).toContain('(got "fast ssd"); use the name kubectl get storageclass shows, e.g. "longhorn"');
  });
});
