import { Chart } from 'cdk8s';
import {
  BackupOwnerReference, BackupStore, BackupTarget, BARMAN_CLOUD_PLUGIN, ScheduledBackup,
} from '../lib/backup';
import { maxIntervalSeconds, nextRuns, parseCron, parseGoDuration } from '../lib/rules/cron';
import { scheduleProblem } from '../lib/rules/schedule';
import { CnpgCluster } from '../lib/cluster/cluster';
import { validateObjects } from './support/schema';
import { findObject, synthChart, synthError, testChart } from './support/synth';

const FROM = new Date('2026-08-30T12:00:00Z'); // a Sunday

function fields(spec: string): Record<string, number[]> {
  const r = parseCron(spec);
  if (!r.ok) throw new Error(r.error);
  if (r.schedule.kind !== 'spec') throw new Error('not a spec schedule');
  const s = r.schedule;
  return {
    second: [...s.second.values], minute: [...s.minute.values], hour: [...s.hour.values],
    dom: [...s.dayOfMonth.values], month: [...s.month.values], dow: [...s.dayOfWeek.values],
  };
}

const ALL_DOM = Array.from({ length: 31 }, (_, i) => i + 1);
const ALL_MONTHS = Array.from({ length: 12 }, (_, i) => i + 1);
const ALL_DOW = [0, 1, 2, 3, 4, 5, 6];

describe('cron parser (robfig/cron cron.Parse semantics)', () => {
  test.each<[string, Partial<Record<string, number[]>>]>([
    ['0 0 0 * * *', { second: [0], minute: [0], hour: [0], dom: ALL_DOM, month: ALL_MONTHS, dow: ALL_DOW }],
    ['0 30 2 * * *', { second: [0], minute: [30], hour: [2] }],
    ['*/15 * * * * *', { second: [0, 15, 30, 45] }],
    ['0 5/20 * * * *', { minute: [5, 25, 45] }],
    ['0 0 9-17/4 * * *', { hour: [9, 13, 17] }],
    ['0 0 3 1,15 * *', { dom: [1, 15] }],
    ['0 0 3 1,,15 * *', { dom: [1, 15] }],
    ['0 0 2 * * MON-FRI', { dow: [1, 2, 3, 4, 5] }],
    ['0 0 2 * * mon,Wed,FRI', { dow: [1, 3, 5] }],
    ['0 0 4 ? * SUN', { dom: ALL_DOM, dow: [0] }],
    ['0 0 0 1 JAN,jul *', { month: [1, 7] }],
    ['0 0 0 1 feb-apr ?', { month: [2, 3, 4] }],
    ['0 0 0 * * 0-6/2', { dow: [0, 2, 4, 6] }],
    ['+5 0 0 * * *', { second: [5] }],
    ['0\t0  0 * *   *', { second: [0], hour: [0] }],
    ['0 0 0 *-5 * *', { dom: ALL_DOM }],
    ['0 0 0 * *', { dow: ALL_DOW }],
    ['@daily', { second: [0], minute: [0], hour: [0], dom: ALL_DOM, dow: ALL_DOW }],
    ['@midnight', { hour: [0] }],
    ['@hourly', { minute: [0], hour: Array.from({ length: 24 }, (_, i) => i) }],
    ['@weekly', { dow: [0] }],
    ['@monthly', { dom: [1], month: ALL_MONTHS }],
    ['@yearly', { dom: [1], month: [1] }],
    ['@annually', { dom: [1], month: [1] }],
  ])('accepts %j', (spec, expected) => {
    expect(fields(spec)).toMatchObject(expected);
  });

  test.each<[string, string]>([
    ['', 'the schedule is empty'],
    ['* * * *', 'expected 6 fields (second minute hour day-of-month month day-of-week), found 4'],
    ['0 0 0 * * * *', 'expected 6 fields (second minute hour day-of-month month day-of-week), found 7'],
    ['CRON_TZ=Asia/Tokyo 0 0 2 * * *', 'time zone prefixes (TZ=, CRON_TZ=) are not supported'],
    ['60 0 0 * * *', 'the second field "60" is invalid: 60 is above the maximum 59 (0-59)'],
    ['0 60 0 * * *', 'the minute field "60" is invalid: 60 is above the maximum 59'],
    ['0 0 24 * * *', 'the hour field "24" is invalid: 24 is above the maximum 23 (0-23)'],
    ['0 0 0 0 * *', 'the day-of-month field "0" is invalid: 0 is below the minimum 1 (1-31)'],
    ['0 0 0 32 * *', 'the day-of-month field "32" is invalid: 32 is above the maximum 31'],
    ['0 0 0 * 13 *', 'the month field "13" is invalid: 13 is above the maximum 12 (1-12 or JAN-DEC)'],
    ['0 0 0 * * 7', 'the day-of-week field "7" is invalid: 7 is above the maximum 6 (0-6 or SUN-SAT, 0 = Sunday; robfig/cron does not accept 7 for Sunday)'],
    ['0 0 0 * * -1', 'the day-of-week field "-1" is invalid: "" is not a number'],
    ['0 0 0 * * MON-', 'the day-of-week field "MON-" is invalid: "" is not a number'],
    ['0 0 0 * FOO *', 'the month field "FOO" is invalid: "FOO" is not a number'],
    ['0 0 0 * * MONDAY', 'the day-of-week field "MONDAY" is invalid: "MONDAY" is not a number'],
    ['0 0 0 JAN * *', 'the day-of-month field "JAN" is invalid: "JAN" is not a number'],
    ['0 0 5-2 * * *', 'the hour field "5-2" is invalid: the range 5-2 ends before it starts'],
    ['0 */0 * * * *', 'the minute field "*/0" is invalid: the step in "*/0" must be a positive number'],
    ['0 1-2-3 * * *', 'the minute field "1-2-3" is invalid: too many hyphens in "1-2-3"'],
    ['0 */5/2 * * *', 'the minute field "*/5/2" is invalid: too many slashes in "*/5/2"'],
    ['0 */x * * * *', 'the minute field "*/x" is invalid: "x" is not a number'],
    ['0 1.5 * * * *', 'the minute field "1.5" is invalid: "1.5" is not a number'],
    ['@daily ', 'unrecognized descriptor "@daily "'],
    ['@fortnightly', 'unrecognized descriptor "@fortnightly"'],
    ['@every 1d', '"1d" in "@every 1d" is not a Go duration'],
    ['@every', 'unrecognized descriptor "@every"'],
    ['@every ', '"" in "@every " is not a Go duration'],
    [' @daily', 'expected 6 fields'],
  ])('rejects %j', (spec, message) => {
    const r = parseCron(spec);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error).toContain(message);
  });

  test('the first error is the first bad field, left to right', () => {
    const r = parseCron('99 99 99 * * *');
    expect(r.ok ? '' : r.error).toContain('the second field');
  });

  test.each<[string, string[]]>([
    ['0 0 0 *-5 * *', ['the day-of-month field "*-5" has a range starting with "*"; the part after "-" is ignored']],
    ['0 0 3 1,,15 * *', ['the day-of-month field "1,,15" has an empty list item']],
    ['0 0 3 , * *', ['the day-of-month field "," has an empty list item', 'the day-of-month field "," matches no value']],
    ['@every 500ms', ['"@every 500ms" is shorter than one second; the operator would run it every second']],
    ['@every 1.5s', ['"@every 1.5s" is not a whole number of seconds; the operator truncates it to 1s']],
    ['0 0 0 * * *', []],
  ])('reports what it accepts silently: %j', (spec, quirks) => {
    const r = parseCron(spec);
    expect(r.ok && r.quirks).toEqual(quirks);
  });

  test.each<[string, number | undefined]>([
    ['0', 0], ['12h', 12 * 3600e9], ['1h30m', 5400e9], ['1.5h', 5400e9], ['.5s', 0.5e9], ['1.s', 1e9], ['-1m', -60e9],
    ['300ms', 300e6], ['2us', 2000], ['2µs', 2000], ['7ns', 7],
    ['', undefined], ['1', undefined], ['1d', undefined], ['h', undefined], ['.s', undefined], ['1h 30m', undefined],
  ])('Go duration %j', (text, nanos) => {
    expect(parseGoDuration(text)).toBe(nanos);
  });

  test('run times: the day-of-month / day-of-week rule of robfig/cron', () => {
    const iso = (spec: string, n: number) => nextRuns(spec, FROM, n).map((d) => d.toISOString());
    expect(iso('0 0 0 * * *', 2)).toEqual(['2026-08-31T00:00:00.000Z', '2026-09-01T00:00:00.000Z']);
    expect(iso('0 30 2 * * *', 1)).toEqual(['2026-08-31T02:30:00.000Z']);
    // Day-of-month is "*": both must match, i.e. Mondays only.
    expect(iso('0 0 0 * * MON', 2)).toEqual(['2026-08-31T00:00:00.000Z', '2026-09-07T00:00:00.000Z']);
    // Both restricted: either matches (Mondays and the 1st).
    expect(iso('0 0 0 1 * MON', 4)).toEqual(['2026-08-31T00:00:00.000Z', '2026-09-01T00:00:00.000Z', '2026-09-07T00:00:00.000Z', '2026-09-14T00:00:00.000Z']);
    // A stepped day-of-month is restricted too (no star): either matches.
    expect(iso('0 0 0 */10 * SAT', 3)).toEqual(['2026-08-31T00:00:00.000Z', '2026-09-01T00:00:00.000Z', '2026-09-05T00:00:00.000Z']);
    expect(iso('@every 12h', 2)).toEqual(['2026-08-31T00:00:00.000Z', '2026-08-31T12:00:00.000Z']);
    // A five-field schedule is shifted: "0 2 * * *" runs at minute 2 of every hour.
    expect(iso('0 2 * * *', 3)).toEqual(['2026-08-30T12:02:00.000Z', '2026-08-30T13:02:00.000Z', '2026-08-30T14:02:00.000Z']);
  });

  test.each<[string, number]>([
    ['0 0 0 * * *', 86400],
    ['@daily', 86400],
    ['0 0 */6 * * *', 6 * 3600],
    ['0 0 0,12 * * *', 12 * 3600],
    ['0 0 1,2 * * *', 23 * 3600],
    ['0 0 2 * * MON-FRI', 3 * 86400],
    ['0 0 2 * * SUN', 7 * 86400],
    ['@weekly', 7 * 86400],
    ['@hourly', 3600],
    ['0 */5 * * * *', 300],
    ['*/30 * * * * *', 30],
    ['@every 90m', 5400],
    ['@every 1.5s', 1],
    ['0 0 0 1 * *', 31 * 86400],
    ['0 0 0 31 * *', 61 * 86400],
    ['0 0 0 1 1 *', 366 * 86400],
    ['0 0 0 29 2 *', 1461 * 86400],
    ['0 0 0 13 * FRI', 7 * 86400],
  ])('maxIntervalSeconds(%j) = %d', (spec, seconds) => {
    expect(maxIntervalSeconds(spec)).toBe(seconds);
  });

  test('maxIntervalSeconds rejects invalid schedules and schedules that never run', () => {
    expect(() => maxIntervalSeconds('0 0 25 * * *')).toThrow('invalid schedule "0 0 25 * * *": the hour field "25" is invalid');
    expect(() => maxIntervalSeconds('0 0 0 30 2 *')).toThrow('the schedule "0 0 0 30 2 *" never runs');
  });
});

describe('scheduleProblem (what ScheduledBackup accepts)', () => {
  test.each(['0 0 0 * * *', '0 0 2 * * MON-FRI', '@daily', '@every 6h', '0 0 0 29 2 *'])('%j is fine', (spec) => {
    expect(scheduleProblem(spec)).toBeUndefined();
  });

  test('a five-field schedule explains the seconds-first format', () => {
    expect(scheduleProblem('0 2 * * *')).toEqual({
      message: 'has 5 fields, but CloudNativePG schedules have 6 with seconds first; a five-field schedule is shifted by one field '
        + 'and read as second=0 minute=2 hour=* day-of-month=* month=* (day-of-week=*), which runs far more often than intended',
      fix: 'prepend the seconds: "0 0 2 * * *"',
    });
  });

  test.each<[string, string]>([
    ['0 0 0 30 2 *', 'never runs (no day matches, e.g. February 30)'],
    ['0 0 0 31 4,6,9,11 *', 'never runs'],
    ['@every 100ms', 'shorter than one second'],
    ['0 0 0 *-5 * *', 'the part after "-" is ignored'],
    ['0 0 0 * * 7', 'robfig/cron does not accept 7 for Sunday'],
  ])('%j is rejected', (spec, message) => {
    expect(scheduleProblem(spec)?.message).toContain(message);
  });
});

function wiredCluster(chart: Chart, wire = true): CnpgCluster {
  const cluster = new CnpgCluster(chart, 'Cluster', { clusterName: 'cnpg-ha', storageSize: '10Gi' });
  if (wire) {
    const store = new BackupStore(chart, 'Backups', {
      storeName: 'cnpg-backups',
      destinationPath: 's3://my-cnpg-backups/production',
      region: 'ap-northeast-1',
      credential: { secretName: 'cnpg-backup-s3', namespace: 'data-infra', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret', keys: ['id', 'secret'] },
    });
    store.archiveWal(cluster);
  }
  return cluster;
}

describe('ScheduledBackup', () => {
  test('defaults: daily at midnight UTC, method plugin with the plugin name, owned by itself, from a standby, immediate', () => {
    const { chart } = testChart();
    const cluster = wiredCluster(chart);
    const daily = new ScheduledBackup(chart, 'Daily', { name: 'cnpg-ha-daily', cluster });
    const objects = synthChart(chart);
    expect(findObject(objects, 'ScheduledBackup')).toMatchSnapshot();
    expect(validateObjects(objects)).toEqual([]);
    const sb = findObject(objects, 'ScheduledBackup', 'cnpg-ha-daily');
    expect(sb.apiVersion).toBe('postgresql.cnpg.io/v1');
    expect(sb.metadata.namespace).toBe('data-infra');
    expect(sb.spec).toEqual({
      cluster: { name: 'cnpg-ha' },
      schedule: '0 0 0 * * *',
      method: 'plugin',
      pluginConfiguration: { name: BARMAN_CLOUD_PLUGIN },
      backupOwnerReference: 'self',
      target: 'prefer-standby',
      immediate: true,
      suspend: false,
    });
    expect(daily.maxIntervalSeconds).toBe(86400);
    expect(daily.namespace).toBe('data-infra');
  });

  test('options: schedule, owner, target, immediate, suspend', () => {
    const { chart } = testChart();
    const sb = new ScheduledBackup(chart, 'Nightly', {
      name: 'nightly',
      cluster: wiredCluster(chart),
      schedule: '0 30 2 * * MON-FRI',
      backupOwnerReference: BackupOwnerReference.CLUSTER,
      target: BackupTarget.PRIMARY,
      immediate: false,
      suspend: true,
    });
    const spec = findObject(synthChart(chart), 'ScheduledBackup', 'nightly').spec;
    expect(spec).toMatchObject({ schedule: '0 30 2 * * MON-FRI', backupOwnerReference: 'cluster', target: 'primary', immediate: false, suspend: true });
    expect(sb.maxIntervalSeconds).toBe(3 * 86400);
  });

  test('the cluster may be wired to its store after the ScheduledBackup is created', () => {
    const { chart } = testChart();
    const cluster = wiredCluster(chart, false);
    new ScheduledBackup(chart, 'Daily', { name: 'daily', cluster });
    new BackupStore(chart, 'Backups', {
      storeName: 'cnpg-backups',
      destinationPath: 's3://my-cnpg-backups/production',
      region: 'ap-northeast-1',
      credential: { secretName: 's3', namespace: 'data-infra', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret', keys: ['id', 'secret'] },
    }).archiveWal(cluster);
    expect(() => synthChart(chart)).not.toThrow();
  });
});

describe('ScheduledBackup bad input', () => {
  test('a cluster without the Barman Cloud WAL archiver is an error', () => {
    const { chart } = testChart();
    new ScheduledBackup(chart, 'Daily', { name: 'daily', cluster: wiredCluster(chart, false) });
    expect(synthError(chart)).toContain('[test/Daily] cluster: the cluster data-infra/cnpg-ha does not archive its WAL with the Barman Cloud plugin, '
      + 'so a plugin backup would fail at runtime (got no WAL archiver); wire it with store.archiveWal(cluster)');
  });

  test('a cluster archiving with another plugin is an error', () => {
    const { chart } = testChart();
    const cluster = wiredCluster(chart, false);
    cluster.addPlugin({ name: 'wal-g.example.com', isWalArchiver: true });
    new ScheduledBackup(chart, 'Daily', { name: 'daily', cluster });
    expect(synthError(chart)).toContain('(got WAL archiver wal-g.example.com)');
  });

  test.each<[string, string]>([
    ['0 2 * * *', 'schedule: has 5 fields, but CloudNativePG schedules have 6 with seconds first'],
    ['0 0 25 * * *', 'schedule: the hour field "25" is invalid: 25 is above the maximum 23 (0-23) (got "0 0 25 * * *"); write six fields, seconds first'],
    ['0 0 2 * * 1-7', 'schedule: the day-of-week field "1-7" is invalid: 7 is above the maximum 6'],
    ['0 0 2 * * *  *', 'schedule: expected 6 fields (second minute hour day-of-month month day-of-week), found 7'],
    ['every day', 'schedule: expected 6 fields'],
    ['@nightly', 'schedule: unrecognized descriptor "@nightly"'],
    ['0 0 0 30 2 *', 'schedule: never runs'],
    ['@every 0s', 'schedule: "@every 0s" is shorter than one second'],
  ])('schedule %j', (schedule, message) => {
    const { chart } = testChart();
    new ScheduledBackup(chart, 'Daily', { name: 'daily', cluster: wiredCluster(chart), schedule });
    expect(synthError(chart)).toContain(`[test/Daily] ${message}`);
  });

  test('invalid name, owner reference and target', () => {
    const { chart } = testChart();
    new ScheduledBackup(chart, 'Daily', {
      cluster: wiredCluster(chart),
      name: 'Daily',
      backupOwnerReference: 'backup' as BackupOwnerReference,
      target: 'standby' as BackupTarget,
    });
    const message = synthError(chart);
    expect(message).toContain('[test/Daily] name: must be a DNS-1123 subdomain');
    expect(message).toContain('(got "Daily")');
    expect(message).toContain('[test/Daily] backupOwnerReference: must be none, self or cluster (got "backup")');
    expect(message).toContain('[test/Daily] target: must be primary or prefer-standby (got "standby")');
  });
});
