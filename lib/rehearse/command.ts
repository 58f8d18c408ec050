/**
 * `npm run rehearse -- --env default`: the backup rehearsal as a command. bin/rehearse.ts wires the real process,
 * environments and signals to `runRehearseCommand`.
 */
import type { SealedStore } from '../secrets/sealed-store';
import * as fs from 'fs';
import * as path from 'path';
import { IConstruct } from 'constructs';
import { commandFor } from '../core/commands';
import { inputsFromConstructs, RehearsalError, RehearsalInputs } from './manifests';
import { drRehearsalInputs, runDrRehearsal } from './dr-rehearsal';
import { runRehearsal } from './rehearsal';

export const REHEARSE_USAGE = `Usage: npm run rehearse -- [--env <name>] [--cluster <name>] [--timeout <seconds>] [--real-endpoint] [--no-pooler]

Proves an environment's synthesized backup configuration with the real tools: a real PostgreSQL of the
cluster's major with the cluster's parameters archives WAL and takes a base backup with barman-cloud
(exactly as the ObjectStore configures the Barman Cloud plugin), then a second PostgreSQL is restored
with barman-cloud-restore and barman-cloud-wal-restore to a recovery target of the kind the restore
drill declares; every row committed before the target must be back and none after it. Each Pooler's
PgBouncer configuration is loaded by a real pgbouncer and a query goes through it.

  --env <name>        environment (default: default)
  --cluster <name>    cluster to rehearse (default: the platform's cluster)
  --timeout <seconds> give up after this long, cleaning up everything (default: 120)
  --real-endpoint     use the environment's real endpoint and bucket (a preflight) instead of a local
                      S3 server on 127.0.0.1; credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
                      (AWS_SESSION_TOKEN, AWS_DEFAULT_REGION, AWS_CA_BUNDLE); writes only below
                      <destinationPath>/<serverName>-rehearsal-<time>/ and removes it afterwards
  --no-pooler         skip the pooler check
  --dr <replica env>  the disaster-recovery rehearsal instead: --env is the primary site, <replica env> its
                      replica site (one DisasterRecovery topology); the replica replays the primary's
                      archive through its read-only ObjectStore copy, the primary is lost, the replica is
                      promoted; prints the WAL replay lag and the data loss (docs/drills/dr-failover.md)
  --help              this text

Needs: apt-get install barman-cli-cloud pgbouncer. See docs/rehearse.md.
Exit status: 0 passed, 1 failed, 2 usage error.`;


/** What the rehearsal reads of an environment's `PostgresPlatform` (commands sit above the platform layer). */
export interface RehearsedPlatform {
  readonly cluster: { readonly clusterName: string };
  readonly sealedValues: { readonly store: SealedStore; readonly storePath: string };
}

/** The usage, naming the command this project has (`npm run rehearse --` here, `npx cdk8s-cnpg rehearse` elsewhere). */
function rehearseUsage(): string {
  return REHEARSE_USAGE.split('npm run rehearse --').join(commandFor('rehearse'));
}

/** An environment the command can rehearse. */
export interface RehearseEnvironment {
  readonly name: string;
  readonly production: boolean;
  /** Builds the environment's app (not synthesized to disk). */
  readonly build: () => { readonly app: IConstruct; readonly platform: RehearsedPlatform };
}

/** Where the command writes, and what it reads from its process. */
export interface RehearseIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** AWS_* variables for --real-endpoint. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Options of `runRehearseCommand`. */
export interface RehearseCommandOptions {
  /** The TEST-ONLY demo key (test/keys/demo-sealing-key.TEST-ONLY.pem); used for the demo environment only. */
  readonly demoKeyPath?: string;
  /** Aborts the rehearsal (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  /** Shown paths are relative to this directory. */
  readonly repoRoot?: string;
}

interface Args {
  env: string;
  cluster?: string;
  timeoutS: number;
  realEndpoint: boolean;
  pooler: boolean;
  help: boolean;
  dr?: string;
}

class UsageError extends Error {}

/** Parses the arguments; throws on a usage error. */
export function parseRehearseArgs(argv: readonly string[]): Args {
  const out: Args = { env: 'default', timeoutS: 120, realEndpoint: false, pooler: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--env':
        out.env = value();
        break;
      case '--cluster':
        out.cluster = value();
        break;
      case '--timeout': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 10 || n > 3600) throw new UsageError(`--timeout takes whole seconds from 10 to 3600, got "${v}"`);
        out.timeoutS = n;
        break;
      }
      case '--real-endpoint':
        out.realEndpoint = true;
        break;
      case '--no-pooler':
        out.pooler = false;
        break;
      case '--dr':
        out.dr = value();
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(argv[i])}; see --help`);
    }
  }
  return out;
}

/** Runs the command; resolves to the exit status. */
export async function runRehearseCommand(
  argv: readonly string[],
  io: RehearseIo,
  environments: readonly RehearseEnvironment[],
  options: RehearseCommandOptions = {},
): Promise<number> {
  let args: Args;
  try {
    args = parseRehearseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`rehearse: ${e.message}\n\n${rehearseUsage()}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout(`${rehearseUsage()}\n`);
    return 0;
  }
  const env = environments.find((e) => e.name === args.env);
  if (!env) {
    io.stderr(`rehearse: unknown environment "${args.env}"; environments: ${environments.map((e) => e.name).join(', ')}\n`);
    return 2;
  }
  const rel = (p: string) => (options.repoRoot ? path.relative(options.repoRoot, p) || p : p);
  if (args.dr !== undefined) return runDr(args, env, environments, io, options, rel);
  let inputs: RehearsalInputs;
  try {
    const { app, platform } = env.build();
    inputs = inputsFromConstructs(app, {
      environment: env.name,
      production: env.production,
      cluster: args.cluster,
      defaultCluster: platform.cluster.clusterName,
      sealedStore: platform.sealedValues.store,
      sealedStorePath: rel(platform.sealedValues.storePath),
    });
  } catch (e) {
    const message = e instanceof RehearsalError ? e.message : `the environment "${env.name}" could not be built: ${(e as Error).message}`;
    io.stdout(`REHEARSAL FAILED: ${env.name}: ${message}\n`);
    return 1;
  }
  let demoKeyPem: string | undefined;
  if (!env.production && options.demoKeyPath && fs.existsSync(options.demoKeyPath)) {
    demoKeyPem = fs.readFileSync(options.demoKeyPath, 'utf8');
  }
  const result = await runRehearsal(inputs, {
    realEndpoint: args.realEndpoint,
    timeoutMs: args.timeoutS * 1000,
    signal: options.signal,
    log: (line) => io.stdout(`${line}\n`),
    demoKeyPem,
    demoKeyPath: options.demoKeyPath ? rel(options.demoKeyPath) : undefined,
    processEnv: io.env,
    poolers: args.pooler,
  });
  return result.passed ? 0 : 1;
}

/** `--dr <replica env>`: the disaster-recovery rehearsal of `--env` (the primary site) and the replica site. */
async function runDr(
  args: Args,
  env: RehearseEnvironment,
  environments: readonly RehearseEnvironment[],
  io: RehearseIo,
  options: RehearseCommandOptions,
  rel: (p: string) => string,
): Promise<number> {
  const replica = environments.find((e) => e.name === args.dr);
  if (!replica) {
    io.stderr(`rehearse: unknown environment "${args.dr}"; environments: ${environments.map((e) => e.name).join(', ')}\n`);
    return 2;
  }
  let inputs;
  try {
    inputs = drRehearsalInputs({ name: env.name, production: env.production, ...env.build() }, { name: replica.name, production: replica.production, ...replica.build() });
  } catch (e) {
    io.stdout(`DR REHEARSAL FAILED: ${env.name} → ${replica.name}: ${(e as Error).message}\n`);
    return 1;
  }
  const demo = options.demoKeyPath && !env.production && !replica.production && fs.existsSync(options.demoKeyPath) ? fs.readFileSync(options.demoKeyPath, 'utf8') : undefined;
  const result = await runDrRehearsal(inputs, {
    demoKeyPem: demo,
    demoKeyPath: options.demoKeyPath ? rel(options.demoKeyPath) : undefined,
    processEnv: io.env,
    timeoutMs: args.timeoutS * 1000,
    log: (line) => io.stdout(`${line}\n`),
  });
  return result.passed ? 0 : 1;
}
