import * as path from 'path';
import { App, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  ImageFlavour, PostgresImage, PostgresPlatform, PostgresPlatformProps, PrimaryUpdateStrategy, synthComponents,
} from './lib';

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
    databaseNamespace: 'data-infra',
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

if (require.main === module) {
  synthAll(process.env.CDK8S_OUTDIR ?? 'dist', { strict: process.env.CDK8S_CNPG_STRICT === 'true' || process.argv.includes('--strict') });
}
