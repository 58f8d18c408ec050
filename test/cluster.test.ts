import { Chart, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  BasicAuthSecret, CnpgCluster, DataDurability, ImageFlavour, PodAntiAffinity, PostgresImage, PrimaryUpdateMethod,
  PrimaryUpdateStrategy, Problems, SynchronousReplication,
} from '../lib';
import { findObject, synthChart, synthError, testChart } from './support/synth';

describe('CnpgCluster defaults', () => {
  test('production defaults: 3 instances on different nodes, TLS-only scram, explicit operator defaults', () => {
    const { chart } = testChart();
    const cluster = new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '10Gi' });
    const objects = synthChart(chart);
    expect(objects).toMatchSnapshot();
    const spec = findObject(objects, 'Cluster', 'pg').spec;

    expect(spec.instances).toBe(3);
    expect(spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:18.6-minimal-trixie'); // PostgresImage.current(18)
    expect(spec.affinity).toEqual({ enablePodAntiAffinity: true, podAntiAffinityType: 'required', topologyKey: 'kubernetes.io/hostname' });
    expect(spec.postgresql.pg_hba).toEqual(['hostssl all all all scram-sha-256', 'hostnossl all all all reject']);
    expect(spec.enableSuperuserAccess).toBe(false);
    expect(spec.superuserSecret).toBeUndefined();
    expect(spec.enablePDB).toBe(true);
    expect(spec.primaryUpdateStrategy).toBe('unsupervised');
    expect(spec.primaryUpdateMethod).toBe('restart');
    expect(spec.replicationSlots).toEqual({ highAvailability: { enabled: true } });
    expect(spec.storage).toEqual({ size: '10Gi', resizeInUseVolumes: true });
    expect(spec.bootstrap).toEqual({ initdb: { database: 'app', owner: 'app' } });
    expect(spec.monitoring?.enablePodMonitor).toBeUndefined();

    expect(cluster.rwServiceName).toBe('pg-rw');
    expect(cluster.roServiceName).toBe('pg-ro');
    expect(cluster.rServiceName).toBe('pg-r');
    expect(cluster.appSecretName).toBe('pg-app');
    expect(cluster.namespace).toBe('data-infra');
    expect(cluster.postgresMajor).toBe(18);
    expect(cluster.connectionUriTemplate).toBe('postgresql://app:{password}@pg-rw.data-infra.svc:5432/app?sslmode=verify-full');
  });

  test('a single instance gets preferred anti-affinity and no PodDisruptionBudget', () => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Cluster', { clusterName: 'dev', instances: 1, storageSize: '1Gi' });
    const spec = findObject(synthChart(chart), 'Cluster').spec;
    expect(spec.affinity.podAntiAffinityType).toBe('preferred');
    expect(spec.enablePDB).toBe(false);
  });

  test('the tutorial cluster: credentials, parameters as strings, storage class, Guaranteed QoS, WAL volume, zones, quorum', () => {
    const { chart } = testChart();
    const owner = BasicAuthSecret.fromSecretName('cnpg-app-user', 'data-infra', 'app_user');
    const superuser = BasicAuthSecret.fromSecretName('cnpg-superuser', 'data-infra', 'postgres');
    const cluster = new CnpgCluster(chart, 'Cluster', {
      clusterName: 'cnpg-ha',
      image: PostgresImage.of('16.14', { flavour: ImageFlavour.STANDARD }),
      storageSize: '40Gi',
      storageClass: 'longhorn',
      walStorageSize: '10Gi',
      resources: { cpu: { limit: Cpu.millis(1500) }, memory: { limit: Size.gibibytes(2) } },
      parameters: { max_connections: 200, shared_buffers: '512MB', wal_level: 'logical', jit: false },
      database: 'appdb',
      ownerCredential: owner,
      superuserCredential: superuser,
      primaryUpdateStrategy: PrimaryUpdateStrategy.SUPERVISED,
      primaryUpdateMethod: PrimaryUpdateMethod.SWITCHOVER,
      spreadOverZones: true,
      synchronousReplication: SynchronousReplication.quorum({ number: 1, dataDurability: DataDurability.PREFERRED }),
    });
    const spec = findObject(synthChart(chart), 'Cluster', 'cnpg-ha').spec;
    expect(spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:16.14-standard-trixie');
    expect(spec.postgresql.parameters).toEqual({ jit: 'false', max_connections: '200', shared_buffers: '512MB', wal_level: 'logical' });
    expect(Object.keys(spec.postgresql.parameters)).toEqual(['jit', 'max_connections', 'shared_buffers', 'wal_level']);
    expect(spec.bootstrap.initdb).toEqual({ database: 'appdb', owner: 'app_user', secret: { name: 'cnpg-app-user' } });
    expect(spec.enableSuperuserAccess).toBe(true);
    expect(spec.superuserSecret).toEqual({ name: 'cnpg-superuser' });
    expect(spec.resources).toEqual({ limits: { cpu: '1500m', memory: '2Gi' }, requests: { cpu: '1500m', memory: '2Gi' } });
    expect(spec.walStorage).toEqual({ size: '10Gi', storageClass: 'longhorn', resizeInUseVolumes: true });
    expect(spec.topologySpreadConstraints).toEqual([{
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { 'cnpg.io/cluster': 'cnpg-ha', 'cnpg.io/podRole': 'instance' } },
    }]);
    expect(spec.postgresql.synchronous).toEqual({ method: 'any', number: 1, dataDurability: 'preferred', failoverQuorum: false });
    expect(spec.primaryUpdateStrategy).toBe('supervised');
    expect(spec.primaryUpdateMethod).toBe('switchover');
    expect(cluster.ownerName).toBe('app_user');
    expect(cluster.appSecretName).toBe('cnpg-app-user');
  });

  test('explicit requests are kept when they differ from limits', () => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Cluster', {
      clusterName: 'pg', storageSize: '1Gi',
      resources: { cpu: { request: Cpu.millis(250), limit: Cpu.units(1) }, memory: { request: Size.mebibytes(512) } },
    });
    const spec = findObject(synthChart(chart), 'Cluster').spec;
    expect(spec.resources).toEqual({ limits: { cpu: '1' }, requests: { cpu: '250m', memory: '512Mi' } });
  });

  test('anti-affinity can be turned off', () => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '1Gi', podAntiAffinity: PodAntiAffinity.NONE });
    expect(findObject(synthChart(chart), 'Cluster').spec.affinity).toEqual({ enablePodAntiAffinity: false });
  });

  test('md5 in pg_hba is a warning, not an error', () => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '1Gi', pgHba: ['hostssl all all 0.0.0.0/0 md5'] });
    synthChart(chart);
    const warnings = Problems.warningsBelow(chart);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('[test/Cluster] pgHba → spec.postgresql.pg_hba[0]: md5 is deprecated');
    expect(warnings[0]).toContain('"hostssl all all 0.0.0.0/0 md5"');
  });
});

describe('CnpgCluster plugins', () => {
  test('a second WAL archiver is an error', () => {
    const { chart } = testChart();
    const cluster = new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '1Gi' });
    cluster.addPlugin({ name: 'barman-cloud.cloudnative-pg.io', isWalArchiver: true, parameters: { barmanObjectName: 'store' } });
    cluster.addPlugin({ name: 'other-archiver', isWalArchiver: true });
    expect(synthError(chart)).toContain('[test/Cluster] spec.plugins: a cluster can have only one WAL archiver (got "other-archiver")');
  });
});

describe('CnpgCluster bad input', () => {
  test('fails with every error at once, each naming the construct path, the field and the value', () => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Cluster', {
      clusterName: 'Bad_Name',
      instances: 0,
      storageSize: '40 gigs',
      image: PostgresImage.fromImageName('ghcr.io/cloudnative-pg/postgresql:latest'),
      parameters: { shared_buffers: { size: 512 } as unknown as string, work_mem: Number.NaN },
    });
    const message = synthError(chart);
    expect(message).toContain('[test/Cluster] clusterName: must be a DNS-1035 label of at most 50 characters');
    expect(message).toContain('(got "Bad_Name")');
    expect(message).toContain('[test/Cluster] instances → spec.instances: should be an integer greater than or equal to 1 (got 0) [rule 2.4#instances]');
    expect(message).toContain('[test/Cluster] storageSize → spec.storage.size: Size value isn\'t valid (got "40 gigs")');
    expect(message).toContain('[test/Cluster] image: "latest" cannot be used as image tag');
    expect(message).toContain('[test/Cluster] parameters.shared_buffers: must be a string, a finite number or a boolean (got {"size":512})');
    expect(message).toContain('[test/Cluster] parameters.work_mem: must be a string, a finite number or a boolean (got NaN)');
  });

  test.each([
    ['a name longer than 50 characters', { clusterName: 'a'.repeat(51) }, 'clusterName: must be a DNS-1035 label of at most 50'],
    ['a name starting with a digit', { clusterName: '1pg' }, 'clusterName: must be a DNS-1035 label'],
    ['an image without a tag', { image: PostgresImage.fromImageName('ghcr.io/cloudnative-pg/postgresql') }, 'image: the image has no tag'],
    ['a digest without a tag', { image: PostgresImage.fromImageName('ghcr.io/cloudnative-pg/postgresql@sha256:abcd') }, 'image: a digest without a tag cannot be used'],
    ['a tag without a version', { image: PostgresImage.fromImageName('ghcr.io/cloudnative-pg/postgresql:trixie') }, 'image: the tag "trixie" does not start with a PostgreSQL version'],
    ['a system image', { image: PostgresImage.fromImageName('ghcr.io/cloudnative-pg/postgresql:16.4-system-bullseye') }, 'image: "system" images are deprecated'],
    ['an unsupported major', { image: PostgresImage.of('12.20') }, 'image: PostgreSQL 12 is not supported'],
    ['fractional instances', { instances: 2.5 }, 'instances → spec.instances: should be an integer greater than or equal to 1 (got 2.5) [rule 2.4#instances]'],
    ['a bad WAL size', { walStorageSize: 'ten' }, 'walStorageSize → spec.walStorage.size: Size value isn\'t valid (got "ten")'],
    ['supervised with one instance', { instances: 1, primaryUpdateStrategy: PrimaryUpdateStrategy.SUPERVISED }, 'primaryUpdateStrategy → spec.primaryUpdateStrategy: supervised update strategy is not allowed for clusters with a single instance'],
    ['a quorum as large as the cluster', { synchronousReplication: SynchronousReplication.quorum({ number: 3 }) }, 'synchronousReplication.number → spec.postgresql.synchronous.number: Invalid synchronous configuration'],
    ['a superuser that is not postgres', { superuserCredential: BasicAuthSecret.fromSecretName('su', 'data-infra', 'admin') }, 'superuserCredential: the superuser Secret must log in as "postgres" (got "admin")'],
    ['a credential in another namespace', { ownerCredential: BasicAuthSecret.fromSecretName('app', 'other', 'app_user') }, 'ownerCredential: the Secret must be in the cluster\'s namespace "data-infra" (got "other/app")'],
    ['superuser sharing the owner secret', {
      ownerCredential: BasicAuthSecret.fromSecretName('shared', 'data-infra', 'app_user'),
      superuserCredential: BasicAuthSecret.fromSecretName('shared', 'data-infra', 'postgres'),
    }, 'superuserCredential: the superuser and the application owner must not share a Secret'],
  ])('fails on %s', (_name, props, expected) => {
    const { chart } = testChart();
    new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '1Gi', ...props });
    expect(synthError(chart)).toContain(`[test/Cluster] ${expected}`);
  });

  test('fails without a namespace', () => {
    const { app } = testChart();
    const chart = new Chart(app, 'nons');
    new CnpgCluster(chart, 'Cluster', { clusterName: 'pg', storageSize: '1Gi' });
    expect(synthError(chart)).toContain('[nons/Cluster] namespace: the cluster has no namespace');
  });
});
