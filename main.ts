import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  ClusterEndpoint, defineEnvironment, Environment, ExternalTls, findProjectRoot, ImageFlavour, KubernetesClusterDeclaration, PostgresImage,
  PrimaryUpdateStrategy, PublicationRef, PublicationTarget, RecoveryTarget, runSynth,
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
      destinationPath: 's3://my-cnpg-backups/production',
      endpointUrl: 'https://s3.ap-northeast-1.amazonaws.com',
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
export const ENVIRONMENTS: readonly Environment[] = [DEFAULT_ENVIRONMENT, DEV_ENVIRONMENT, WAREHOUSE_ENVIRONMENT];

/** What the commands (seal, backup, rehearse, plan) read from this module. */
export const environments = ENVIRONMENTS;

if (require.main === module) runSynth(ENVIRONMENTS);
