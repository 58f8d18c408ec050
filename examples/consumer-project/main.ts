// Another team's cdk8s app, as the README's "Using the library" section describes it. CI packs the library, installs
// the tarball into a fresh copy of this folder outside the repository and runs scripts/consumer-test.sh: build, seal,
// synthesize, and the cdk8s-cnpg commands.
// First: the library's V8 code cache for every module loaded after it (a faster synth from the second run on).
import 'cdk8s-cnpg/compile-cache';
import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  defineEnvironment, Environment, findProjectRoot, KubernetesClusterDeclaration, PostgresImage, runSynth, TenantDeclaration,
} from 'cdk8s-cnpg';

const project = { projectRoot: findProjectRoot(__dirname) };

/**
 * The orders team's production database, alone in its Kubernetes cluster (it installs the operators itself): three
 * instances, continuous backup to S3, monitoring, sealed with the team's own Sealed Secrets controller certificate
 * (secrets/orders/sealing-cert.pem).
 */
export const ORDERS = defineEnvironment({
  name: 'orders',
  production: true,
  platform: {
    databaseNamespace: 'orders-db',
    cluster: {
      clusterName: 'orders-db',
      image: PostgresImage.current(17),
      storageSize: '20Gi',
      resources: { cpu: { limit: Cpu.units(2) }, memory: { limit: Size.gibibytes(4) } },
      parameters: { shared_buffers: '1GB', max_connections: 100 },
      database: 'orders',
    },
    s3Credential: { region: 'eu-central-1' },
    backup: { destinationPath: 's3://orders-backups/prod', endpointUrl: 'https://s3.eu-central-1.amazonaws.com', retentionPolicy: '30d' },
    monitoring: { labels: { release: 'kube-prometheus-stack' } },
    delivery: { repoUrl: 'https://git.example.com/orders/database.git', monitoringStack: true },
  },
}, project);

/** The platform team's shared Kubernetes cluster: operators installed once for every tenant. */
export const PLATFORM_CLUSTER: KubernetesClusterDeclaration = {
  name: 'platform',
  delivery: { repoUrl: 'https://git.example.com/platform/databases.git', monitoringStack: true },
};

/** Twenty small databases declared once: each tenant overrides only its name, namespace and bucket path. */
const tenant = (i: number): TenantDeclaration => {
  const name = `svc${String(i).padStart(2, '0')}`;
  return {
    name,
    databaseNamespace: `db-${name}`,
    backup: { destinationPath: `s3://platform-backups/${name}`, endpointUrl: 'https://s3.eu-central-1.amazonaws.com', retentionPolicy: '7d' },
  };
};

export const TENANTS = defineEnvironment({
  name: 'tenants',
  platform: {
    kubernetesCluster: PLATFORM_CLUSTER,
    cluster: {
      clusterName: 'pg',
      instances: 3,
      image: PostgresImage.current(16),
      storageSize: '10Gi',
      resources: { cpu: { limit: Cpu.millis(500) }, memory: { limit: Size.gibibytes(1) } },
      database: 'app',
    },
    s3Credential: { region: 'eu-central-1' },
  },
  tenants: Array.from({ length: 20 }, (_, i) => tenant(i + 1)),
}, project);

/** What `cdk8s-cnpg seal | backup | plan | rehearse` read. */
export const environments: readonly Environment[] = [ORDERS, TENANTS];

if (require.main === module) runSynth(environments);
