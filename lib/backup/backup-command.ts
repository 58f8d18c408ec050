import { IConstruct } from 'constructs';
import { CnpgCluster } from '../cluster/cluster';
import { BARMAN_CLOUD_PLUGIN } from './backup-store';
import { onDemandBackupManifest } from './on-demand-backup';
import { BackupTarget } from './scheduled-backup';
import { stringifyYamlDocuments } from '../core/yaml-writer';

/** An environment the `backup` command can look clusters up in. */
export interface BackupEnvironment {
  /** The environment name (`--env`). */
  readonly name: string;
  /** Builds the environment's construct tree (not synthesized) and returns its root, e.g. the App. */
  build(): IConstruct;
}

/** The outside world of `runBackupCommand` (injectable for tests). */
export interface BackupCommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** The current time, for the Backup's default name. */
  now: () => Date;
}

/** The `--help` text. */
export const BACKUP_USAGE = `Usage:
  node build/bin/backup.js --env <env> --cluster <cluster> [--namespace <ns>] [--name <name>] [--target primary|prefer-standby]
  node build/bin/backup.js --help

Prints an on-demand Backup manifest (method: plugin, Barman Cloud) for a cluster of an environment, the
declarative equivalent of "kubectl cnpg backup <cluster> --method=plugin --plugin-name=${BARMAN_CLOUD_PLUGIN}".
Review it, then apply it and watch it:

  node build/bin/backup.js --env default --cluster cnpg-ha > backup.yaml
  kubectl apply -f backup.yaml
  kubectl get backup -n <namespace> -w

Options:
  --env <env>          environment name
  --cluster <cluster>  cluster name (metadata.name of the Cluster)
  --namespace <ns>     namespace, when two clusters of the environment share a name
  --name <name>        Backup name (default <cluster>-ondemand-<yyyymmddhhmmss>, UTC)
  --target <target>    primary or prefer-standby (default prefer-standby)
`;

class UsageError extends Error {}

interface Args {
  help: boolean;
  env?: string;
  cluster?: string;
  namespace?: string;
  name?: string;
  target?: string;
}

const VALUE_OPTIONS = ['env', 'cluster', 'namespace', 'name', 'target'] as const;

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      args.help = true;
      continue;
    }
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    const option = m?.[1] as (typeof VALUE_OPTIONS)[number] | undefined;
    if (!m || !option || !VALUE_OPTIONS.includes(option)) throw new UsageError(`unknown argument ${JSON.stringify(arg)}; see --help`);
    let value = m[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${option} needs a value`);
      i++;
    }
    if (args[option] !== undefined) throw new UsageError(`--${option} is given twice`);
    args[option] = value;
  }
  return args;
}

/**
 * The `backup` command: prints an on-demand Backup manifest for a cluster of an environment.
 * Returns the exit code: 0 on success, 1 when the cluster cannot be backed up, 2 on a usage error.
 */
export function runBackupCommand(argv: readonly string[], io: BackupCommandIo, environments: readonly BackupEnvironment[]): number {
  try {
    const args = parseArgs(argv);
    if (args.help) {
      io.stdout(BACKUP_USAGE);
      return 0;
    }
    const envNames = environments.map((e) => e.name);
    if (!args.env) throw new UsageError(`--env is required (one of: ${envNames.join(', ')})`);
    const env = environments.find((e) => e.name === args.env);
    if (!env) throw new UsageError(`unknown environment ${JSON.stringify(args.env)} (one of: ${envNames.join(', ')})`);
    if (args.target !== undefined && !Object.values(BackupTarget).includes(args.target as BackupTarget)) {
      throw new UsageError(`--target must be primary or prefer-standby (got ${JSON.stringify(args.target)})`);
    }

    const clusters = env.build().node.findAll().filter((c): c is CnpgCluster => c instanceof CnpgCluster);
    const available = clusters.map((c) => `${c.namespace}/${c.clusterName}`).sort();
    const list = available.length > 0 ? available.join(', ') : 'none';
    if (!args.cluster) throw new UsageError(`--cluster is required (clusters of ${env.name}: ${list})`);
    const matches = clusters.filter((c) => c.clusterName === args.cluster && (args.namespace === undefined || c.namespace === args.namespace));
    if (matches.length === 0) {
      throw new Error(`environment ${env.name} has no cluster ${args.namespace ? `${args.namespace}/` : ''}${args.cluster} (clusters: ${list})`);
    }
    if (matches.length > 1) {
      throw new UsageError(`${matches.length} clusters are named ${args.cluster} (${matches.map((c) => c.namespace).join(', ')}); add --namespace`);
    }
    const cluster = matches[0];
    const archiver = cluster.walArchiver;
    if (!archiver || archiver.name !== BARMAN_CLOUD_PLUGIN || archiver.enabled === false) {
      throw new Error(`cluster ${cluster.namespace}/${cluster.clusterName} does not archive its WAL with the Barman Cloud plugin `
        + `(${archiver ? `its WAL archiver is ${archiver.name}` : 'it has no WAL archiver'}), so a plugin backup would fail; wire it with store.archiveWal(cluster)`);
    }
    const manifest = onDemandBackupManifest({
      clusterName: cluster.clusterName,
      namespace: cluster.namespace,
      name: args.name,
      target: args.target as BackupTarget | undefined,
      now: io.now(),
    });
    io.stdout(stringifyYamlDocuments([manifest]));
    io.stderr(`backup: apply with "kubectl apply -f <file>", then watch "kubectl get backup -n ${cluster.namespace} ${manifest.metadata.name} -w"\n`);
    return 0;
  } catch (e) {
    io.stderr(`backup: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
