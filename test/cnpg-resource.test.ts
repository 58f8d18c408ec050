/**
 * `CnpgResource` (lib/cluster/cnpg-resource.ts): every construct that renders a CloudNativePG object is admitted
 * exactly once by the base class, and admission problems are reported in terms of the prop the user wrote.
 */
import { JsonPatch, Testing } from 'cdk8s';
import { BackupStore, ScheduledBackup } from '../lib/backup';
import { CnpgCluster } from '../lib/cluster/cluster';
import { CnpgResource } from '../lib/cluster/cnpg-resource';
import { Pooler } from '../lib/cluster/pooler';
import * as admit from '../lib/rules/admission/admit';
import { IS3Credential } from '../lib/secrets/credential-ref';
import { synthError, testChart } from './support/synth';

const S3: IS3Credential = {
  secretName: 'cnpg-backup-s3', namespace: 'data-infra', accessKeyIdKey: 'aws_access_key_id', secretAccessKeyKey: 'aws_secret_access_key',
  regionKey: 'region', keys: ['aws_access_key_id', 'aws_secret_access_key', 'region'],
};

describe('CnpgResource', () => {
  afterEach(() => jest.restoreAllMocks());

  test('admits each CloudNativePG object exactly once per synth, by the base class', () => {
    const { chart } = testChart();
    const cluster = new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '1Gi' });
    const store = new BackupStore(chart, 'Store', { destinationPath: 's3://bucket/pg', credential: S3 });
    store.archiveWal(cluster);
    const schedule = new ScheduledBackup(chart, 'Daily', { cluster, schedule: '0 0 2 * * *' });
    const pooler = new Pooler(chart, 'Pooler', { cluster });
    const resources = [cluster, store, schedule, pooler];
    for (const r of resources) expect(r).toBeInstanceOf(CnpgResource);

    const spy = jest.spyOn(admit, 'admissionProblemsFor');
    Testing.synth(chart);
    const kinds = spy.mock.calls.map(([obj]) => `${obj.apiVersion}/${obj.kind}`).sort();
    expect(kinds).toEqual([
      'barmancloud.cnpg.io/v1/ObjectStore', 'postgresql.cnpg.io/v1/Cluster', 'postgresql.cnpg.io/v1/Pooler', 'postgresql.cnpg.io/v1/ScheduledBackup',
    ]);
  });

  test('a ScheduledBackup is admitted: an escape hatch that breaks the schedule fails synth with the rule', () => {
    const { chart } = testChart();
    const cluster = new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '1Gi' });
    const schedule = new ScheduledBackup(chart, 'Daily', { cluster, schedule: '0 0 2 * * *' });
    schedule.apiObject.addJsonPatch(JsonPatch.replace('/spec/schedule', '0 0 2 * *'));
    expect(synthError(chart)).toMatch(/\[test\/Daily\] schedule → spec\.schedule: .*\[rule 2\.7#ScheduledBackup\./);
  });

  test('problems map from the wire field to the prop by the construct\'s table', () => {
    const { chart } = testChart();
    const cluster = new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '1Gi' });
    expect(cluster.propOf('spec.storage.size')).toBe('storageSize');
    expect(cluster.propOf('spec.storage.storageClass')).toBe('storageClass');
    expect(cluster.propOf('spec.postgresql.parameters.max_wal_size')).toBe('parameters.max_wal_size');
    expect(cluster.propOf('spec.managed.roles[2].name')).toBe('managed.roles');
    expect(cluster.propOf('spec.tablespaces')).toBeUndefined();
    const pooler = new Pooler(chart, 'Pooler', { cluster });
    expect(pooler.propOf('spec.pgbouncer.parameters.max_client_conn')).toBe('parameters.max_client_conn');
  });
});
