// First, before the library loads: when this file is the program (`node build/main.js`), every module loaded after
// it uses the V8 code cache (lib/core/compile-cache.ts). Not when a test runner or a command imports it.
import { enableCompileCache } from './lib/core/compile-cache';
if (require.main === module) enableCompileCache();
import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  ClusterEndpoint, defineEnvironment, DisasterRecovery, DrReadCredential, Environment, ExternalTls, findProjectRoot, ImageFlavour,
  KubernetesClusterDeclaration, PostgresImage, PrimaryUpdateStrategy, PublicationRef, PublicationTarget, RecoveryTarget, runSynth,
} from './lib';

/**
 * This repository's environments. The file only declares them: `synthEnvironments` (through `runSynth` below, which
 * `cdk8s synth` runs as `node build/main.js`) does the rest — every check, the first-sync model, the output. The
 * commands (`npm run seal`, `backup`, `rehearse`, `plan:sync`) find them as this module's `environments` export.
 */

/** The repository root (where cdk8s.yaml is), whether this runs from main.ts or build/main.js. */
export const REPO_ROOT = findProjectRoot(__dirname);
const project = { projectRoot: REPO_ROOT };

/**
 * The tutorial's k3s cluster: one Argo CD, one set of operators (cert-manager, CloudNativePG, the Barman Cloud plugin,
 * Sealed Secrets) for every environment below. `warehouse` subscribes to `default` inside it
 * (`cnpg-ha-rw.data-infra.svc`), and all three share its Sealed Secrets controller (its certificate is
 * `secrets/<env>/sealing-cert.pem`).
 */
export const TUTORIAL_CLUSTER: KubernetesClusterDeclaration = {
  name: 'tutorial',
  delivery: {
    // The repository Argo CD syncs dist/ from: set it to your fork.
    repoUrl: 'https://github.com/example-org/cdk8s-cnpg.git',
    targetRevision: 'main',
    // The tutorial's Prometheus and Grafana: kube-prometheus-stack, which also brings the PodMonitor and PrometheusRule
    // CRDs the monitoring folders need (a cluster that already runs a Prometheus Operator lists its kinds in
    // `preinstalledKinds` instead).
    monitoringStack: true,
  },
};

/**
 * The disaster-recovery site: a second Kubernetes cluster (another data centre or provider) with its own Argo CD,
 * operators and Sealed Secrets controller (its certificate is `secrets/dr/sealing-cert.pem`). It needs nothing from
 * the tutorial cluster but the object store.
 */
export const DR_CLUSTER: KubernetesClusterDeclaration = {
  name: 'dr',
  delivery: {
    repoUrl: 'https://github.com/example-org/cdk8s-cnpg.git',
    targetRevision: 'main',
    monitoringStack: true,
  },
};

/** The tutorial's bucket (S3, ap-northeast-1): the primary archives below `production/cnpg-ha/`. */
const TUTORIAL_ARCHIVE = { destinationPath: 's3://my-cnpg-backups/production', endpointUrl: 'https://s3.ap-northeast-1.amazonaws.com', region: 'ap-northeast-1' };
/** The DR site's own archive, in the same (regional, multi-AZ) bucket under another path: `dr/cnpg-ha-dr/`. */
const DR_ARCHIVE = { destinationPath: 's3://my-cnpg-backups/dr', endpointUrl: 'https://s3.ap-northeast-1.amazonaws.com', region: 'ap-northeast-1' };

/**
 * Disaster recovery of the default environment's database, declared once: `cnpg-ha` in the tutorial cluster is the
 * primary; `cnpg-ha-dr` in the `dr` cluster is a replica cluster created from its archive and replaying its WAL
 * (distributed topology). A switchover or failover is a change of `primary` with a transition: docs/drills/dr-switchover.md.
 */
export const DISASTER_RECOVERY = DisasterRecovery.pair({
  name: 'cnpg-ha',
  primary: {
    environment: 'default', kubernetesCluster: TUTORIAL_CLUSTER, clusterName: 'cnpg-ha', postgresMajor: 16, archive: TUTORIAL_ARCHIVE,
    // The tutorial's credential may read the whole bucket, the DR path included: nothing new to seal there.
    readCredential: DrReadCredential.PLATFORM,
  },
  replicas: [{ environment: 'dr', kubernetesCluster: DR_CLUSTER, clusterName: 'cnpg-ha-dr', postgresMajor: 16, archive: DR_ARCHIVE }],
});

/**
 * The built-in default environment: the tutorial's system, corrected where the tutorial is out of date
 * (image tag, TLS-only scram authentication, separate superuser secret, plugin-based backups).
 */
export const DEFAULT_ENVIRONMENT: Environment = defineEnvironment({
  name: 'default',
  production: false,
  platform: {
    kubernetesCluster: TUTORIAL_CLUSTER,
    databaseNamespace: 'data-infra',
    appUsername: 'app_user',
    // The tutorial gives the superuser its own access; here with its own Secret, never the app user's.
    superuserAccess: true,
    s3Credential: { region: 'ap-northeast-1' },
    cluster: {
      clusterName: 'cnpg-ha',
      instances: 3,
      // The tutorial pins 16.4, whose bare tag now resolves to a deprecated `system` image: the current 16.x instead.
      image: PostgresImage.current(16, { flavour: ImageFlavour.STANDARD }),
      primaryUpdateStrategy: PrimaryUpdateStrategy.UNSUPERVISED,
      storageSize: '40Gi',
      storageClass: 'longhorn',
      // shared_buffers is a quarter of the memory, as CloudNativePG recommends; requests = limits (Guaranteed QoS).
      resources: {
        cpu: { limit: Cpu.units(1) },
        memory: { limit: Size.gibibytes(2) },
      },
      parameters: {
        max_connections: 200,
        shared_buffers: '512MB',
        wal_level: 'logical',
      },
      database: 'appdb',
    },
    // The tutorial's bucket and endpoint; retention 14 days. WAL archiving and a daily base backup.
    backup: {
      destinationPath: TUTORIAL_ARCHIVE.destinationPath,
      endpointUrl: TUTORIAL_ARCHIVE.endpointUrl,
      retentionPolicy: '14d',
      schedule: '0 0 0 * * *',
    },
    pooler: {},
    // The tutorial's "plugin install", declaratively: extensions through a Database resource.
    databases: [{ databaseName: 'appdb', owner: 'app_user', extensions: ['pg_stat_statements', 'vector'] }],
    roles: [{ name: 'reporting', inRoles: ['pg_read_all_data'], connectionLimit: 10, comment: 'read-only reporting' }],
    // Logical replication to the warehouse environment's cluster.
    publications: [{ publicationName: 'warehouse_pub', target: PublicationTarget.allTables(), replicationRole: { name: 'warehouse_sync' } }],
    applicationNamespaces: ['app', 'warehouse'],
    // The tutorial's cloudflared exposure, for development and testing only (see docs/cloudflared.md).
    tunnel: { hostname: 'db.example.com' },
    // 定期的な復旧演習: restore into a temporary namespace to a point in time (edit the target before a drill).
    restoreDrill: {
      namespace: 'restore-drill',
      target: RecoveryTarget.time('2026-11-30T00:00:00Z'),
    },
    // The primary site of the disaster-recovery pair.
    disasterRecovery: DISASTER_RECOVERY,
  },
}, project);

/**
 * The disaster-recovery replica of the default environment, in the `dr` Kubernetes cluster: the same database (a
 * replica cluster created from the default environment's archive, replaying its WAL), its own archive and daily
 * backups (for after a promotion), its own sealed credentials (`secrets/dr/`, sealed for the dr cluster's controller;
 * the application and superuser passwords are the default environment's, so they keep working after a promotion).
 */
export const DR_ENVIRONMENT: Environment = defineEnvironment({
  name: 'dr',
  production: false,
  platform: {
    kubernetesCluster: DR_CLUSTER,
    databaseNamespace: 'data-infra',
    appUsername: 'app_user',
    superuserAccess: true,
    s3Credential: { region: DR_ARCHIVE.region },
    cluster: {
      clusterName: 'cnpg-ha-dr',
      instances: 3,
      image: PostgresImage.current(16, { flavour: ImageFlavour.STANDARD }),
      primaryUpdateStrategy: PrimaryUpdateStrategy.UNSUPERVISED,
      storageSize: '40Gi',
      resources: {
        cpu: { limit: Cpu.units(1) },
        memory: { limit: Size.gibibytes(2) },
      },
      // The same settings as the primary: a standby needs max_connections and friends at least as high.
      parameters: { max_connections: 200, shared_buffers: '512MB', wal_level: 'logical' },
      database: 'appdb',
    },
    backup: {
      destinationPath: DR_ARCHIVE.destinationPath,
      endpointUrl: DR_ARCHIVE.endpointUrl,
      retentionPolicy: '14d',
      schedule: '0 0 0 * * *',
    },
    pooler: {},
    applicationNamespaces: ['app'],
    disasterRecovery: DISASTER_RECOVERY,
  },
}, project);

/**
 * A development environment from the same definition: one instance, small storage, no backups or drill, no tunnel.
 * It shares the demo sealing certificate; its sealed values are its own (`secrets/dev/`).
 */
export const DEV_ENVIRONMENT: Environment = defineEnvironment({
  name: 'dev',
  platform: {
    kubernetesCluster: TUTORIAL_CLUSTER,
    databaseNamespace: 'data-dev',
    appUsername: 'app_user',
    cluster: {
      clusterName: 'cnpg-dev',
      instances: 1,
      image: PostgresImage.current(16, { flavour: ImageFlavour.STANDARD }),
      storageSize: '5Gi',
      resources: { cpu: { limit: Cpu.millis(500) }, memory: { limit: Size.mebibytes(512) } },
      parameters: { max_connections: 50, shared_buffers: '128MB', wal_level: 'logical' },
      database: 'appdb',
    },
    pooler: false,
    applicationNamespaces: ['app-dev'],
  },
}, project);

/**
 * A warehouse: a second cluster that subscribes to the default environment's publication (logical replication).
 */
export const WAREHOUSE_ENVIRONMENT: Environment = defineEnvironment({
  name: 'warehouse',
  platform: {
    kubernetesCluster: TUTORIAL_CLUSTER,
    databaseNamespace: 'warehouse',
    appUsername: 'dwh_owner',
    cluster: {
      clusterName: 'warehouse',
      instances: 1,
      image: PostgresImage.current(16, { flavour: ImageFlavour.STANDARD }),
      storageSize: '100Gi',
      database: 'dwh',
    },
    pooler: false,
    subscriptions: [{
      publication: PublicationRef.fromAttributes({ publicationName: 'warehouse_pub', dbname: 'appdb', publisher: ClusterEndpoint.of('cnpg-ha', 'data-infra') }),
      replicationRole: { name: 'warehouse_sync' },
      // The publisher's CA lives in another namespace; until it is copied over (docs/drills/logical-replication.md),
      // the connection is encrypted but the server is not verified — an explicit, documented choice.
      tls: ExternalTls.encryptedUnverified(),
    }],
  },
}, project);

/** Every environment `npm run synth` writes, in this order. */
export const ENVIRONMENTS: readonly Environment[] = [DEFAULT_ENVIRONMENT, DEV_ENVIRONMENT, WAREHOUSE_ENVIRONMENT, DR_ENVIRONMENT];

/** What the commands (seal, backup, rehearse, plan) read from this module. */
export const environments = ENVIRONMENTS;

if (require.main === module) runSynth(ENVIRONMENTS);
