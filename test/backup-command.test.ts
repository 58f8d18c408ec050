import { App, Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  BACKUP_USAGE, BackupEnvironment, BackupStore, BackupTarget, BARMAN_CLOUD_PLUGIN, backupTimestamp, onDemandBackupManifest,
  runBackupCommand,
} from '../lib/backup';
import { CnpgCluster } from '../lib/cluster/cluster';
import { validateObjects } from './support/schema';

const NOW = new Date('2026-08-30T09:05:07.123Z');

describe('onDemandBackupManifest', () => {
  test('a plugin Backup named after the cluster and the UTC time', () => {
    const manifest = onDemandBackupManifest({ clusterName: 'cnpg-ha', namespace: 'data-infra', now: NOW });
    expect(manifest).toMatchSnapshot();
    expect(manifest).toEqual({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Backup',
      metadata: { name: 'cnpg-ha-ondemand-20260830090507', namespace: 'data-infra' },
      spec: {
        cluster: { name: 'cnpg-ha' },
        method: 'plugin',
        pluginConfiguration: { name: BARMAN_CLOUD_PLUGIN },
        target: 'prefer-standby',
      },
    });
    expect(validateObjects([manifest])).toEqual([]);
  });

  test('name and target', () => {
    const manifest = onDemandBackupManifest({ clusterName: 'cnpg-ha', namespace: 'data-infra', name: 'before-upgrade', target: BackupTarget.PRIMARY, now: NOW });
    expect(manifest.metadata.name).toBe('before-upgrade');
    expect(manifest.spec.target).toBe('primary');
  });

  test('the timestamp is zero-padded UTC', () => {
    expect(backupTimestamp(new Date('2027-01-02T03:04:05+09:00'))).toBe('20270101180405');
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['an invalid cluster name', { clusterName: 'CNPG' }, 'clusterName: not a valid cluster name (got "CNPG")'],
    ['an invalid namespace', { namespace: 'Data' }, 'namespace: must be a DNS-1123 label (got "Data")'],
    ['an invalid name', { name: 'Before_Upgrade' }, 'name: must be a DNS-1123 subdomain'],
    ['an invalid target', { target: 'standby' }, 'target: must be primary or prefer-standby (got "standby")'],
    ['an invalid time', { now: new Date('x') }, 'now: must be a valid Date'],
  ])('%s', (_name, overrides, message) => {
    expect(() => onDemandBackupManifest({ clusterName: 'cnpg-ha', namespace: 'data-infra', now: NOW, ...overrides } as any)).toThrow(message);
  });
});

/** An environment with an archiving cluster, a non-archiving one, and two clusters sharing a name. */
function environments(): BackupEnvironment[] {
  const build = (): App => {
    const app = Testing.app();
    const chart = new Chart(app, 'database', { namespace: 'data-infra' });
    const ha = new CnpgCluster(chart, 'Cluster', { clusterName: 'cnpg-ha', storageSize: '1Gi' });
    new CnpgCluster(chart, 'Plain', { clusterName: 'no-backups', storageSize: '1Gi' });
    new BackupStore(chart, 'Backups', {
      storeName: 'cnpg-backups', destinationPath: 's3://my-cnpg-backups/production', region: 'ap-northeast-1',
      credential: { secretName: 's3', namespace: 'data-infra', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret', keys: ['id', 'secret'] },
    }).archiveWal(ha);
    const staging = new Chart(app, 'staging', { namespace: 'staging' });
    new CnpgCluster(staging, 'Cluster', { clusterName: 'cnpg-ha', storageSize: '1Gi' });
    return app;
  };
  return [{ name: 'default', build }, { name: 'other', build: () => Testing.app() }];
}

function run(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runBackupCommand(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, now: () => NOW }, environments());
  return { code, stdout, stderr };
}

describe('runBackupCommand', () => {
  test('prints the Backup of a cluster as YAML', () => {
    const r = run('--env', 'default', '--cluster', 'cnpg-ha', '--namespace', 'data-infra');
    expect(r.code).toBe(0);
    const manifest = parse(r.stdout);
    expect(manifest).toEqual(onDemandBackupManifest({ clusterName: 'cnpg-ha', namespace: 'data-infra', now: NOW }));
    expect(r.stderr).toContain('kubectl get backup -n data-infra cnpg-ha-ondemand-20260830090507 -w');
  });

  test('--name, --target and the --opt=value form', () => {
    const r = run('--env=default', '--cluster=cnpg-ha', '--namespace=data-infra', '--name', 'before-upgrade', '--target', 'primary');
    expect(r.code).toBe(0);
    expect(parse(r.stdout)).toMatchObject({ metadata: { name: 'before-upgrade', namespace: 'data-infra' }, spec: { target: 'primary' } });
  });

  test('--help', () => {
    const r = run('--help');
    expect(r).toEqual({ code: 0, stdout: BACKUP_USAGE, stderr: '' });
  });

  test.each<[string, string[], number, string]>([
    ['no environment', ['--cluster', 'cnpg-ha'], 2, 'backup: --env is required (one of: default, other)'],
    ['an unknown environment', ['--env', 'prod', '--cluster', 'cnpg-ha'], 2, 'backup: unknown environment "prod" (one of: default, other)'],
    ['no cluster', ['--env', 'default'], 2, 'backup: --cluster is required (clusters of default: data-infra/cnpg-ha, data-infra/no-backups, staging/cnpg-ha)'],
    ['an unknown cluster', ['--env', 'default', '--cluster', 'pg'], 1,
      'backup: environment default has no cluster pg (clusters: data-infra/cnpg-ha, data-infra/no-backups, staging/cnpg-ha)'],
    ['an environment without clusters', ['--env', 'other', '--cluster', 'pg'], 1, 'backup: environment other has no cluster pg (clusters: none)'],
    ['an ambiguous cluster name', ['--env', 'default', '--cluster', 'cnpg-ha'], 2, 'backup: 2 clusters are named cnpg-ha (data-infra, staging); add --namespace'],
    ['a cluster without WAL archiving', ['--env', 'default', '--cluster', 'no-backups'], 1,
      'backup: cluster data-infra/no-backups does not archive its WAL with the Barman Cloud plugin (it has no WAL archiver), so a plugin backup would fail'],
    ['an invalid target', ['--env', 'default', '--cluster', 'no-backups', '--target', 'standby'], 2, 'backup: --target must be primary or prefer-standby (got "standby")'],
    ['an invalid name', ['--env', 'default', '--cluster', 'cnpg-ha', '--namespace', 'data-infra', '--name', 'Bad_Name'], 1, 'backup: name: must be a DNS-1123 subdomain'],
    ['an unknown option', ['--env', 'default', '--force'], 2, 'backup: unknown argument "--force"; see --help'],
    ['a positional argument', ['cnpg-ha'], 2, 'backup: unknown argument "cnpg-ha"'],
    ['a missing value', ['--env', 'default', '--cluster'], 2, 'backup: --cluster needs a value'],
    ['an option given twice', ['--env', 'default', '--env', 'other'], 2, 'backup: --env is given twice'],
  ])('%s', (_name, argv, code, message) => {
    const r = run(...argv);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
  });
});
