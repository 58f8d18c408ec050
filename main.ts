import * as fs from 'fs';
import * as path from 'path';
import { App, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  argocdConfigMapPatch, changeImpactReport, CredentialCatalog, isDns1123Label, DeclaredCredential, ImageFlavour, PostgresImage, PostgresPlatform, PostgresPlatformProps,
  PrimaryUpdateStrategy, RecoveryTarget, synthComponents, PublicationTarget, PublicationRef, ClusterEndpoint, ExternalTls,
} from './lib';
import { checkAppUpdates, PreviousManifests } from './lib/core/update-checks';

/** The repository root (where cdk8s.yaml is), whether this runs from main.ts or build/main.js. */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'cdk8s.yaml'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cdk8s.yaml not found above ${start}`);
  }
}

/** The committed sealing material of an environment: `secrets/<env>/`. */
export function sealingPaths(environment: string): { sealingCertificatePath: string; sealedStorePath: string } {
  const dir = path.join(REPO_ROOT, 'secrets', environment);
  return { sealingCertificatePath: path.join(dir, 'sealing-cert.pem'), sealedStorePath: path.join(dir, 'sealed-values.json') };
}

/**
 * One deployment target: a name (its folder under `dist/`) and the platform it runs.
 */
export interface Environment {
  /** Folder name under `dist/`; a DNS-1123 label. */
  readonly name: string;
  /** Production environments refuse demo material (such as the demo sealing certificate). */
  readonly production: boolean;
  /** The platform of this environment. */
  readonly platform: PostgresPlatformProps;
}

/**
 * The built-in default environment: the tutorial's system, corrected where the tutorial is out of date
 * (image tag, TLS-only scram authentication, separate superuser secret, plugin-based backups).
 */
export const DEFAULT_ENVIRONMENT: Environment = {
  name: 'default',
  production: false,
  platform: {
    environment: 'default',
    ...sealingPaths('default'),
    databaseNamespace: 'data-infra',
    appUsername: 'app_user',
    // The tutorial gives the superuser its own access; here with its own Secret, never the app user's.
    superuserAccess: true,
    s3Credential: { region: 'ap-northeast-1' },
    cluster: {
      clusterName: 'cnpg-ha',
      instances: 3,
      // The tutorial pins 16.4, whose bare tag now resolves to a deprecated `system` image.
      image: PostgresImage.of('16.14', { flavour: ImageFlavour.STANDARD }),
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
    delivery: {
      // The repository Argo CD syncs dist/ from: set it to your fork.
      repoUrl: 'https://github.com/example-org/cdk8s-cnpg.git',
      targetRevision: 'main',
    },
    // 定期的な復旧演習: restore into a temporary namespace to a point in time (edit the target before a drill).
    restoreDrill: {
      namespace: 'restore-drill',
      target: RecoveryTarget.time('2026-11-30T00:00:00Z'),
    },
  },
};

/**
 * A development environment from the same definition: one instance, small storage, no backups or drill, no tunnel.
 * It shares the demo sealing certificate; its sealed values are its own (`secrets/dev/`).
 */
export const DEV_ENVIRONMENT: Environment = {
  name: 'dev',
  production: false,
  platform: {
    environment: 'dev',
    ...sealingPaths('dev'),
    databaseNamespace: 'data-dev',
    appUsername: 'app_user',
    cluster: {
      clusterName: 'cnpg-dev',
      instances: 1,
      image: PostgresImage.of('16.14', { flavour: ImageFlavour.STANDARD }),
      storageSize: '5Gi',
      resources: { cpu: { limit: Cpu.millis(500) }, memory: { limit: Size.mebibytes(512) } },
      parameters: { max_connections: 50, shared_buffers: '128MB', wal_level: 'logical' },
      database: 'appdb',
    },
    pooler: false,
    applicationNamespaces: ['app-dev'],
    delivery: { repoUrl: 'https://github.com/example-org/cdk8s-cnpg.git', targetRevision: 'main' },
  },
};

/**
 * A warehouse: a second cluster that subscribes to the default environment's publication (logical replication).
 */
export const WAREHOUSE_ENVIRONMENT: Environment = {
  name: 'warehouse',
  production: false,
  platform: {
    environment: 'warehouse',
    ...sealingPaths('warehouse'),
    databaseNamespace: 'warehouse',
    appUsername: 'dwh_owner',
    cluster: {
      clusterName: 'warehouse',
      instances: 1,
      image: PostgresImage.of('16.14', { flavour: ImageFlavour.STANDARD }),
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
    delivery: { repoUrl: 'https://github.com/example-org/cdk8s-cnpg.git', targetRevision: 'main' },
  },
};

/** Every environment `npm run synth` writes. */
export const ENVIRONMENTS: readonly Environment[] = [DEFAULT_ENVIRONMENT, DEV_ENVIRONMENT, WAREHOUSE_ENVIRONMENT];

/** Builds the app of one environment, writing to `<outdir>/<environment>/`. */
export function buildEnvironment(env: Environment, outdir: string): { app: App; platform: PostgresPlatform } {
  const app = new App({ outdir: path.join(outdir, env.name), outputFileExtension: '.yaml' });
  const platform = new PostgresPlatform(app, env.name, env.platform);
  return { app, platform };
}

/** Synthesizes every environment into `outdir` (the cdk8s CLI passes `CDK8S_OUTDIR`). */
export function synthAll(outdir: string, options: { strict?: boolean; environments?: readonly Environment[]; updateChecks?: boolean } = {}): void {
  const environments = options.environments ?? ENVIRONMENTS;
  const problems = environmentProblems(environments);
  if (problems.length > 0) throw new Error(`invalid environments:\n  ${problems.join('\n  ')}`);
  for (const env of environments) {
    const { app } = buildEnvironment(env, outdir);
    // Breaking changes against what Argo CD applies: the committed dist/ (read from git; the cdk8s CLI has already
    // deleted the folder). CDK8S_CNPG_ACK accepts intended ones; CDK8S_CNPG_PREVIOUS_REF picks the deployed revision.
    if (options.updateChecks !== false) {
      const previous = PreviousManifests.fromDist(outdir, env.name);
      checkAppUpdates(app, previous);
      // What the change does to each running cluster (reload, rolling restart, scaling), for the reviewer.
      for (const line of changeImpactReport(app, previous)) process.stderr.write(`impact: ${line}\n`);
    }
    synthComponents(app, { strict: options.strict });
  }
  // Not under an environment folder, so no Argo CD application applies it: it is patched into argocd-cm once.
  fs.writeFileSync(path.join(outdir, 'argocd-cm.health-checks.yaml'), argocdConfigMapPatch());
}

/** Environments must have distinct, valid folder names: two environments must never write to the same folder. */
export function environmentProblems(environments: readonly Environment[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const env of environments) {
    if (!isDns1123Label(env.name)) out.push(`environment ${JSON.stringify(env.name)}: the name must be a DNS-1123 label (it is a folder and part of Argo CD application names)`);
    if (seen.has(env.name)) out.push(`environment ${JSON.stringify(env.name)}: two environments would write to dist/${env.name}/; give each a distinct name`);
    if (env.platform.environment !== env.name) out.push(`environment ${JSON.stringify(env.name)}: platform.environment is ${JSON.stringify(env.platform.environment)}; it must equal the environment's name (it names the sealed store and the seal command's --env)`);
    seen.add(env.name);
  }
  return out;
}

/** The credentials every environment declares, for `npm run seal`. */
export const credentialCatalog: CredentialCatalog = {
  environments: () => ENVIRONMENTS.map((e) => e.name),
  credentials: (environment: string): DeclaredCredential[] => {
    const env = ENVIRONMENTS.find((e) => e.name === environment);
    if (!env) return [];
    const { platform } = buildEnvironment(env, path.join(REPO_ROOT, 'dist'));
    return platform.sealedCredentials.map((c) => ({
      environment,
      namespace: c.namespace,
      name: c.secretName,
      scope: c.scope,
      keys: [...c.keys],
      generatedKeys: [...c.generatedKeys],
      fixedValues: { ...c.fixedValues },
    }));
  },
  certificatePath: (environment: string) => sealingPaths(environment).sealingCertificatePath,
  storePath: (environment: string) => sealingPaths(environment).sealedStorePath,
};

if (require.main === module) {
  try {
    synthAll(process.env.CDK8S_OUTDIR ?? 'dist', { strict: process.env.CDK8S_CNPG_STRICT === 'true' || process.argv.includes('--strict') });
  } catch (e) {
    // The message lists every error with its construct path; a stack trace would only bury it.
    process.stderr.write(`synth failed: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
