import * as fs from 'fs';
import * as path from 'path';
import { App, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  CredentialCatalog, DeclaredCredential, ImageFlavour, PostgresImage, PostgresPlatform, PostgresPlatformProps,
  PrimaryUpdateStrategy, RecoveryTarget, synthComponents,
} from './lib';

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
    applicationNamespaces: ['app'],
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

/** Every environment `npm run synth` writes. */
export const ENVIRONMENTS: readonly Environment[] = [DEFAULT_ENVIRONMENT];

/** Builds the app of one environment, writing to `<outdir>/<environment>/`. */
export function buildEnvironment(env: Environment, outdir: string): { app: App; platform: PostgresPlatform } {
  const app = new App({ outdir: path.join(outdir, env.name), outputFileExtension: '.yaml' });
  const platform = new PostgresPlatform(app, env.name, env.platform);
  return { app, platform };
}

/** Synthesizes every environment into `outdir` (the cdk8s CLI passes `CDK8S_OUTDIR`). */
export function synthAll(outdir: string, options: { strict?: boolean } = {}): void {
  for (const env of ENVIRONMENTS) {
    const { app } = buildEnvironment(env, outdir);
    synthComponents(app, { strict: options.strict });
  }
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
