import { Chart, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { CnpgCluster } from '../lib/cluster/cluster';
import {
  BackupStore, BackupStoreProps, BARMAN_CLOUD_PLUGIN, DataCompression, ServerSideEncryption, WalCompression,
} from '../lib/backup';
import { IS3Credential } from '../lib/secrets/credential-ref';
import { validateObjects } from './support/schema';
import { findObject, synthChart, synthError, testChart } from './support/synth';

/** The tutorial's cnpg-backup-s3 Secret: access key id, secret key and region. */
function s3Credential(namespace = 'data-infra', overrides: Partial<IS3Credential> = {}): IS3Credential {
  return {
    secretName: 'cnpg-backup-s3',
    namespace,
    accessKeyIdKey: 'aws_access_key_id',
    secretAccessKeyKey: 'aws_secret_access_key',
    regionKey: 'region',
    keys: ['aws_access_key_id', 'aws_secret_access_key', 'region'],
    ...overrides,
  };
}

const NO_REGION: Partial<IS3Credential> = { regionKey: undefined, keys: ['aws_access_key_id', 'aws_secret_access_key'] };

function tutorialStore(chart: Chart, overrides: Partial<BackupStoreProps> = {}): BackupStore {
  return new BackupStore(chart, 'Backups', {
    storeName: 'cnpg-backups',
    destinationPath: 's3://my-cnpg-backups/production',
    endpointUrl: 'https://s3.ap-northeast-1.amazonaws.com',
    credential: s3Credential(),
    ...overrides,
  });
}

function cluster(chart: Chart, name = 'cnpg-ha', namespace?: string): CnpgCluster {
  return new CnpgCluster(chart, name, { clusterName: name, namespace, storageSize: '1Gi' });
}

describe('BackupStore', () => {
  test('the tutorial store on AWS: key references, region from the Secret, encryption and compression on, 14 days', () => {
    const { chart } = testChart();
    const store = tutorialStore(chart);
    const objects = synthChart(chart);
    expect(objects).toMatchSnapshot();
    expect(validateObjects(objects)).toEqual([]);
    const os = findObject(objects, 'ObjectStore', 'cnpg-backups');
    expect(os.apiVersion).toBe('barmancloud.cnpg.io/v1');
    expect(os.metadata.namespace).toBe('data-infra');
    expect(os.spec.retentionPolicy).toBe('14d');
    expect(os.spec.configuration).toEqual({
      destinationPath: 's3://my-cnpg-backups/production',
      endpointURL: 'https://s3.ap-northeast-1.amazonaws.com',
      s3Credentials: {
        accessKeyId: { name: 'cnpg-backup-s3', key: 'aws_access_key_id' },
        secretAccessKey: { name: 'cnpg-backup-s3', key: 'aws_secret_access_key' },
        region: { name: 'cnpg-backup-s3', key: 'region' },
      },
      wal: { compression: 'gzip', encryption: 'AES256' },
      data: { compression: 'gzip', encryption: 'AES256' },
    });
    expect(os.spec.configuration.serverName).toBeUndefined();
    expect(os.spec.instanceSidecarConfiguration).toBeUndefined();
    expect(store.storeName).toBe('cnpg-backups');
    expect(store.namespace).toBe('data-infra');
    expect(store.destinationPath).toBe('s3://my-cnpg-backups/production');
    expect(store.bucket).toBe('my-cnpg-backups');
    expect(store.isAws).toBe(true);
    expect(store.encryption).toBe(ServerSideEncryption.AES256);
  });

  test('no endpoint means AWS S3: encrypted by default', () => {
    const { chart } = testChart();
    new BackupStore(chart, 'store', { destinationPath: 's3://bucket-1', credential: s3Credential() });
    const os = findObject(synthChart(chart), 'ObjectStore', 'store');
    expect(os.spec.configuration.endpointURL).toBeUndefined();
    expect(os.spec.configuration.wal.encryption).toBe('AES256');
    expect(os.spec.configuration.data.encryption).toBe('AES256');
  });

  test('MinIO: no encryption by default, CA bundle, sidecar resources, parallelism, compression, tags', () => {
    const { chart } = testChart();
    new BackupStore(chart, 'minio-store', {
      destinationPath: 's3://backups/',
      endpointUrl: 'https://minio.minio.svc:9000',
      endpointCa: { secretName: 'minio-server-tls', key: 'tls.crt' },
      credential: s3Credential('data-infra', { secretName: 'minio', accessKeyIdKey: 'ACCESS_KEY_ID', secretAccessKeyKey: 'ACCESS_SECRET_KEY', regionKey: undefined, keys: ['ACCESS_KEY_ID', 'ACCESS_SECRET_KEY'] }),
      walCompression: WalCompression.ZSTD,
      dataCompression: DataCompression.SNAPPY,
      walMaxParallel: 8,
      dataJobs: 4,
      immediateCheckpoint: true,
      retentionPolicy: '4w',
      sidecarResources: { cpu: { request: Cpu.millis(250), limit: Cpu.millis(500) }, memory: { limit: Size.mebibytes(512) } },
      tags: { team: 'data', env: 'prod' },
    });
    const objects = synthChart(chart);
    expect(validateObjects(objects)).toEqual([]);
    const spec = findObject(objects, 'ObjectStore', 'minio-store').spec;
    expect(spec.retentionPolicy).toBe('4w');
    expect(spec.configuration.endpointCA).toEqual({ name: 'minio-server-tls', key: 'tls.crt' });
    expect(spec.configuration.s3Credentials).toEqual({
      accessKeyId: { name: 'minio', key: 'ACCESS_KEY_ID' },
      secretAccessKey: { name: 'minio', key: 'ACCESS_SECRET_KEY' },
    });
    expect(spec.configuration.wal).toEqual({ compression: 'zstd', maxParallel: 8 });
    expect(spec.configuration.data).toEqual({ compression: 'snappy', jobs: 4, immediateCheckpoint: true });
    expect(Object.keys(spec.configuration.tags)).toEqual(['env', 'team']);
    expect(spec.instanceSidecarConfiguration).toEqual({
      resources: { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '250m', memory: '512Mi' } },
    });
  });

  test('a plain region becomes AWS_DEFAULT_REGION in the sidecar; encryption can be switched on and off', () => {
    const { chart } = testChart();
    new BackupStore(chart, 'wasabi', {
      destinationPath: 's3://cnpg-backup/production',
      endpointUrl: 'https://s3.ap-northeast-1.wasabisys.com',
      region: 'ap-northeast-1',
      credential: s3Credential('data-infra', NO_REGION),
    });
    new BackupStore(chart, 'b2', {
      destinationPath: 's3://cnpg-backup-b2/production',
      endpointUrl: 'https://s3.us-west-004.backblazeb2.com',
      region: 'us-west-004',
      encryption: ServerSideEncryption.AES256,
      walCompression: WalCompression.NONE,
      dataCompression: DataCompression.NONE,
      credential: s3Credential('data-infra', NO_REGION),
    });
    new BackupStore(chart, 'aws-unencrypted', {
      destinationPath: 's3://cnpg-backup-plain',
      region: 'eu-central-1',
      encryption: ServerSideEncryption.NONE,
      credential: s3Credential('data-infra', NO_REGION),
    });
    const objects = synthChart(chart);
    expect(validateObjects(objects)).toEqual([]);
    const wasabi = findObject(objects, 'ObjectStore', 'wasabi').spec;
    expect(wasabi.instanceSidecarConfiguration).toEqual({ env: [{ name: 'AWS_DEFAULT_REGION', value: 'ap-northeast-1' }] });
    expect(wasabi.configuration.s3Credentials.region).toBeUndefined();
    expect(wasabi.configuration.wal).toEqual({ compression: 'gzip' });
    const b2 = findObject(objects, 'ObjectStore', 'b2').spec;
    expect(b2.configuration.wal).toEqual({ encryption: 'AES256' });
    expect(b2.configuration.data).toEqual({ encryption: 'AES256' });
    const plain = findObject(objects, 'ObjectStore', 'aws-unencrypted').spec;
    expect(plain.configuration.wal).toEqual({ compression: 'gzip' });
  });

  test('archiveWal adds the plugin as the WAL archiver with explicit barmanObjectName and serverName', () => {
    const { chart } = testChart();
    const store = tutorialStore(chart);
    const a = cluster(chart, 'cnpg-ha');
    const b = cluster(chart, 'reporting');
    const archive = store.archiveWal(a);
    store.archiveWal(b, { serverName: 'reporting-v2' });
    const objects = synthChart(chart);
    expect(validateObjects(objects)).toEqual([]);
    expect(findObject(objects, 'Cluster', 'cnpg-ha').spec.plugins).toEqual([{
      name: BARMAN_CLOUD_PLUGIN,
      enabled: true,
      isWALArchiver: true,
      parameters: { barmanObjectName: 'cnpg-backups', serverName: 'cnpg-ha' },
    }]);
    expect(findObject(objects, 'Cluster', 'reporting').spec.plugins[0].parameters).toEqual({ barmanObjectName: 'cnpg-backups', serverName: 'reporting-v2' });
    expect(archive).toEqual({ cluster: a, store, serverName: 'cnpg-ha' });
    expect(BackupStore.archiveOf(a)).toBe(archive);
    expect(store.walArchives.map((w) => w.serverName)).toEqual(['cnpg-ha', 'reporting-v2']);
    expect(a.walArchiver?.name).toBe(BARMAN_CLOUD_PLUGIN);
  });

  test('copyTo: the same bucket and settings in another namespace with its own credential', () => {
    const { chart } = testChart();
    const store = tutorialStore(chart, { walMaxParallel: 4 });
    const drill = new Chart(chart.node.root, 'drill', { namespace: 'restore-drill' });
    const copy = store.copyTo(drill, 'Store', { namespace: 'restore-drill', credential: s3Credential('restore-drill', { secretName: 'drill-s3' }) });
    const original = findObject(synthChart(chart), 'ObjectStore', 'cnpg-backups');
    const copied = findObject(synthChart(drill), 'ObjectStore', 'cnpg-backups');
    expect(copied.metadata.namespace).toBe('restore-drill');
    expect(copied.spec.configuration.s3Credentials.accessKeyId).toEqual({ name: 'drill-s3', key: 'aws_access_key_id' });
    const { s3Credentials: _a, ...originalRest } = original.spec.configuration;
    const { s3Credentials: _b, ...copiedRest } = copied.spec.configuration;
    expect(copiedRest).toEqual(originalRest);
    expect(copied.spec.retentionPolicy).toBe('14d');
    expect(copy.archiveLocation('cnpg-ha')).toBe(store.archiveLocation('cnpg-ha'));
  });
});

describe('BackupStore bad input', () => {
  test.each<[string, Partial<BackupStoreProps>, string]>([
    ['a destination that is not s3://', { destinationPath: 'https://my-cnpg-backups/production' },
      'destinationPath: must be an S3 URL starting with "s3://" (got "https://my-cnpg-backups/production")'],
    ['a bucket name with upper case letters', { destinationPath: 's3://My_Backups/prod' },
      'destinationPath: "My_Backups" is not a valid bucket name'],
    ['a bucket name that is too short', { destinationPath: 's3://ab' }, 'destinationPath: "ab" is not a valid bucket name'],
    ['a destination without a bucket', { destinationPath: 's3:///prod' }, 'destinationPath: "" is not a valid bucket name'],
    ['an empty path segment', { destinationPath: 's3://my-cnpg-backups//prod' }, 'destinationPath: the path must not contain empty'],
    ['a retention policy in days spelled out', { retentionPolicy: '14 days' },
      'retentionPolicy: must be a positive number followed by d (days), w (weeks) or m (months) (got "14 days")'],
    ['a retention policy of zero days', { retentionPolicy: '0d' }, 'retentionPolicy: must be a positive number'],
    ['a retention policy with an upper-case unit', { retentionPolicy: '30D' }, 'retentionPolicy: must be a positive number'],
    ['an endpoint that is not a URL', { endpointUrl: 's3.wasabisys.com' }, 'endpointUrl: must be an http or https URL (got "s3.wasabisys.com")'],
    ['an endpoint with a path', { endpointUrl: 'https://minio.example.com/bucket', credential: s3Credential('data-infra', NO_REGION) },
      'endpointUrl: must be scheme, host and port only'],
    ['a CA bundle for an http endpoint', { endpointUrl: 'http://minio:9000', endpointCa: { secretName: 'ca', key: 'ca.crt' } },
      'endpointCa: a CA bundle only applies to an https endpointUrl (got "http://minio:9000")'],
    ['an AWS endpoint without a region', { credential: s3Credential('data-infra', NO_REGION) },
      'region: AWS S3 needs a region, and neither the region prop nor the credential\'s regionKey gives one'],
    ['no endpoint (AWS) and no region', { endpointUrl: undefined, credential: s3Credential('data-infra', NO_REGION) }, 'region: AWS S3 needs a region'],
    ['a region that contradicts the endpoint', { region: 'us-east-1', credential: s3Credential('data-infra', NO_REGION) },
      'region: does not match the region of the endpoint "s3.ap-northeast-1.amazonaws.com" (ap-northeast-1) (got "us-east-1")'],
    ['a region set twice', { region: 'ap-northeast-1' }, 'region: the region is set twice: here and by the credential\'s key "region"'],
    ['a credential without the access key id key', { credential: s3Credential('data-infra', { keys: ['aws_secret_access_key', 'region'] }) },
      'credential: the Secret "cnpg-backup-s3" has no key "aws_access_key_id" for the access key id (accessKeyIdKey) (got ["aws_secret_access_key","region"])'],
    ['a credential without the secret key key', { credential: s3Credential('data-infra', { secretAccessKeyKey: 'secret', keys: ['aws_access_key_id', 'region'] }) },
      'credential: the Secret "cnpg-backup-s3" has no key "secret" for the secret access key (secretAccessKeyKey)'],
    ['a credential whose region key is missing', { credential: s3Credential('data-infra', { regionKey: 'AWS_REGION' }) },
      'credential: the Secret "cnpg-backup-s3" has no key "AWS_REGION" for the region (regionKey)'],
    ['a credential in another namespace', { credential: s3Credential('default') },
      'credential: the Secret must be in the store\'s namespace "data-infra": the plugin cannot read Secrets in other namespaces (got "default/cnpg-backup-s3")'],
    ['xz for base backups', { dataCompression: DataCompression.of('xz') },
      'dataCompression: is not supported for base backups (bzip2, gzip, lz4, snappy; xz and zstd are for WAL files only) (got "xz")'],
    ['an unknown WAL compression', { walCompression: WalCompression.of('zip') }, 'walCompression: is not supported for WAL files'],
    ['an unknown encryption', { encryption: ServerSideEncryption.of('SSE-C') }, 'encryption: must be AES256 or aws:kms (got "SSE-C")'],
    ['zero parallel WAL uploads', { walMaxParallel: 0 }, 'walMaxParallel: must be a whole number of at least 1 (got 0)'],
    ['fractional data jobs', { dataJobs: 1.5 }, 'dataJobs: must be a whole number of at least 1 (got 1.5)'],
    ['an invalid store name', { storeName: 'Backups' }, 'storeName: must be a DNS-1123 subdomain'],
    ['sidecar requests above limits', { sidecarResources: { memory: { request: Size.gibibytes(1), limit: Size.mebibytes(512) } } },
      'sidecarResources.memory: the request is greater than the limit (got "1024Mi > 512Mi")'],
  ])('%s', (_name, overrides, expected) => {
    const { chart } = testChart();
    tutorialStore(chart, overrides);
    expect(synthError(chart)).toContain(`[test/Backups] ${expected}`);
  });

  test('every error is reported at once', () => {
    const { chart } = testChart();
    tutorialStore(chart, { destinationPath: 'backups', retentionPolicy: '2 weeks', credential: s3Credential('other', NO_REGION) });
    const message = synthError(chart);
    expect(message).toContain('[test/Backups] destinationPath:');
    expect(message).toContain('[test/Backups] retentionPolicy:');
    expect(message).toContain('[test/Backups] credential:');
    expect(message).toContain('[test/Backups] region:');
  });

  test('a second WAL archiver on a cluster is an error', () => {
    const { chart } = testChart();
    const store = tutorialStore(chart);
    const other = new BackupStore(chart, 'Other', { destinationPath: 's3://other-bucket', region: 'eu-west-1', credential: s3Credential('data-infra', NO_REGION) });
    const c = cluster(chart);
    store.archiveWal(c);
    other.archiveWal(c);
    expect(synthError(chart)).toContain(`[test/cnpg-ha] spec.plugins: a cluster can have only one WAL archiver (got "${BARMAN_CLOUD_PLUGIN}")`);
  });

  test('a cluster in another namespace cannot archive into the store', () => {
    const { chart } = testChart();
    const store = tutorialStore(chart);
    store.archiveWal(cluster(chart, 'elsewhere', 'apps'));
    expect(synthError(chart)).toContain('[test/Backups] archiveWal: the cluster is in namespace "apps" but the ObjectStore is in "data-infra"');
  });

  test('two clusters archiving under the same server name are an error', () => {
    const { chart } = testChart();
    const store = tutorialStore(chart);
    store.archiveWal(cluster(chart, 'cnpg-ha'));
    store.archiveWal(cluster(chart, 'cnpg-ha-2'), { serverName: 'cnpg-ha' });
    expect(synthError(chart)).toContain('[test/Backups] archiveWal: the clusters test/cnpg-ha and test/cnpg-ha-2 would both archive into '
      + 's3://my-cnpg-backups/production/cnpg-ha (got serverName "cnpg-ha"); give each cluster its own serverName');
  });

  test('two clusters archiving under the same server name through a copy of the store are an error', () => {
    const { app, chart } = testChart();
    const store = tutorialStore(chart);
    store.archiveWal(cluster(chart, 'cnpg-ha'));
    const other = new Chart(app, 'other', { namespace: 'staging' });
    const copy = store.copyTo(other, 'Store', { namespace: 'staging', credential: s3Credential('staging') });
    copy.archiveWal(cluster(other, 'cnpg-ha'));
    expect(synthError(chart)).toContain('[other/Store] archiveWal: the clusters test/cnpg-ha and other/cnpg-ha would both archive into s3://my-cnpg-backups/production/cnpg-ha');
  });

  test('an invalid server name', () => {
    const { chart } = testChart();
    tutorialStore(chart).archiveWal(cluster(chart), { serverName: 'prod/cnpg-ha' });
    expect(synthError(chart)).toContain('[test/Backups] archiveWal.serverName: must be a folder name');
  });
});
