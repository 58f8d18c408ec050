import { Size } from 'cdk8s';
import { ContainerResources, k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CnpgCluster, ParameterValue } from '../cluster/cluster';
import { isDns1123Label } from '../core/k8s-syntax';
import { Problems } from '../core/problems';
import { IBasicAuthCredential, IS3Credential } from '../secrets/credential-ref';
import { BARMAN_CLOUD_PLUGIN, BackupStore, SecretKeyReference } from './backup-store';
import { ClusterRecovery, RecoveryTarget } from './recovery';
import { psqlPodSpec } from '../core/psql-job';

/** What the verification query of a restore drill must return. */
export class DrillExpectation {
  /** A whole number of at least `n` (e.g. a row count). */
  public static atLeast(n: number): DrillExpectation {
    return new DrillExpectation('at-least', String(n), Number.isInteger(n) && n >= 0);
  }

  /** Exactly this text (psql's unaligned output: one value, or rows separated by newlines and columns by `|`). */
  public static equals(value: string): DrillExpectation {
    return new DrillExpectation('equals', value, typeof value === 'string');
  }

  private constructor(
    /** `at-least` or `equals`. */
    public readonly mode: 'at-least' | 'equals',
    /** The expected value. */
    public readonly value: string,
    /** @internal */
    public readonly valid: boolean,
  ) {}
}

/**
 * Properties of a `RestoreDrill`.
 */
export interface RestoreDrillProps {
  /** The production backup store to restore from. */
  readonly store: BackupStore;
  /**
   * The production cluster whose backups are restored. The drill cluster uses its image, database, owner and
   * parameters, and the drill checks that it archives into `store`: that is why this is the concrete `CnpgCluster` of
   * this app, not an `ICnpgCluster` (a cluster declared elsewhere carries none of these).
   */
  readonly sourceCluster: CnpgCluster;
  /**
   * The temporary namespace of the drill, e.g. `restore-drill`. It must not be the source's namespace: deleting it
   * removes everything the drill created. Create the Namespace in a cluster-scoped chart (see `RestoreDrill.namespace`).
   */
  readonly namespace: string;
  /** An S3 credential in the drill namespace (Secrets cannot be read across namespaces); read-only access is enough. */
  readonly s3Credential: IS3Credential;
  /** The application owner's credential in the drill namespace; its username must be the source's owner. */
  readonly ownerCredential: IBasicAuthCredential;
  /**
   * Size of the drill cluster's volume: the database plus the WAL replayed, e.g. the source's storage size. The string
   * form (a quantity such as `"40Gi"`) is deprecated: pass a `Size`.
   */
  readonly storageSize: Size | string;
  /**
   * Where recovery stops.
   * @default RecoveryTarget.latest()
   */
  readonly target?: RecoveryTarget;
  /**
   * The base backup to start from (required for name, XID and immediate targets).
   * @default - the operator picks the latest backup before the target
   */
  readonly backupId?: string;
  /**
   * The server name the source archived under.
   * @default - the server name the source cluster archives with (`store.archiveWal`)
   */
  readonly sourceServerName?: string;
  /**
   * Name of the drill cluster.
   * @default `<source cluster>-drill`
   */
  readonly clusterName?: string;
  /**
   * StorageClass of the drill volume.
   * @default - the Kubernetes cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * CPU and memory of the drill instance.
   * @default - none
   */
  readonly resources?: ContainerResources;
  /**
   * PostgreSQL parameters of the drill cluster, over the source cluster's. Recovery needs `max_connections`,
   * `max_worker_processes`, `max_wal_senders`, `max_prepared_transactions` and `max_locks_per_transaction` at least
   * as high as on the source, which copying the source's parameters guarantees.
   * @default - the source cluster's parameters
   */
  readonly parameters?: Record<string, ParameterValue>;
  /**
   * The endpoint CA bundle in the drill namespace, when the store uses one.
   * @default - the same Secret name and key as the production store
   */
  readonly endpointCa?: SecretKeyReference;
  /**
   * The verification query, run as the owner in the application database once the drill cluster accepts
   * connections. It should return one value.
   * @default "SELECT count(*) FROM pg_catalog.pg_tables"
   */
  readonly verifySql?: string;
  /**
   * What the verification query must return.
   * @default DrillExpectation.atLeast(1)
   */
  readonly expect?: DrillExpectation;
  /**
   * How long the verification Job may run, including the wait for the recovery (`activeDeadlineSeconds`).
   * @default 7200
   */
  readonly jobDeadlineSeconds?: number;
  /**
   * How long the finished Job (and its logs) is kept (`ttlSecondsAfterFinished`).
   * @default 86400
   */
  readonly jobTtlSecondsAfterFinished?: number;
  /**
   * Retries of the verification pod (`backoffLimit`).
   * @default 1
   */
  readonly jobBackoffLimit?: number;
  /**
   * Labels on every object of the drill.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** The verification script: waits for the drill cluster, checks it is a promoted primary, runs the query. */
const VERIFY_SCRIPT = `set -eu
echo "restore drill: waiting for $PGHOST to accept connections (the recovery runs first)"
until pg_isready -q; do sleep 10; done
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"; }
# The owner's password is set once the instance is up: retry the login for a few minutes.
tries=0
until out="$(q 'SELECT version()' 2>&1)"; do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then echo "restore drill FAILED: cannot log in as $PGUSER: $out"; exit 1; fi
  echo "restore drill: cannot log in yet (attempt $tries): $out"
  sleep 10
done
echo "restore drill: connected to $out"
if [ "$(q 'SELECT pg_is_in_recovery()')" != "f" ]; then echo "restore drill FAILED: the server is still in recovery"; exit 1; fi
echo "restore drill: database size $(q 'SELECT pg_size_pretty(pg_database_size(current_database()))')"
result="$(q "$DRILL_SQL")"
echo "restore drill: $DRILL_SQL"
echo "restore drill: returned: $result"
case "$DRILL_EXPECT_MODE" in
  equals)
    if [ "$result" != "$DRILL_EXPECT_VALUE" ]; then echo "restore drill FAILED: expected $DRILL_EXPECT_VALUE"; exit 1; fi ;;
  at-least)
    case "$result" in ''|*[!0-9]*) echo "restore drill FAILED: expected a whole number of at least $DRILL_EXPECT_VALUE"; exit 1 ;; esac
    if [ "$result" -lt "$DRILL_EXPECT_VALUE" ]; then echo "restore drill FAILED: expected at least $DRILL_EXPECT_VALUE"; exit 1; fi ;;
  *) echo "restore drill FAILED: unknown expectation $DRILL_EXPECT_MODE"; exit 1 ;;
esac
echo "restore drill PASSED"
`;

/**
 * A restore drill (定期的な復旧演習): rebuilds the production database from object storage in a temporary namespace,
 * at a chosen point in time, and verifies it with a query.
 *
 * It creates, all in `namespace`:
 * - a copy of the production `BackupStore` (same bucket, path and settings, the drill namespace's credential);
 * - a one-instance `CnpgCluster` recovered from it, with the source's image, database, owner and parameters. It does
 *   **not** archive WAL: a drill is disposable, and archiving would write a new server folder into the production
 *   bucket (which the drill credential should not even be allowed to write to);
 * - a hardened `Job` that waits for the drill cluster, connects to `<drill>-rw` over verified TLS as the owner, and
 *   fails unless the verification query returns what is expected.
 *
 * The Namespace itself is cluster-scoped: create `namespace` in the platform's namespaces chart. Apply the drill by
 * hand (`kubectl apply`), not with an auto-syncing Argo CD application: the Job deletes itself after
 * `jobTtlSecondsAfterFinished` and would be re-created. See docs/restore-drill.md.
 */
export class RestoreDrill extends Construct {
  /** The drill namespace (create it as a Namespace in a cluster-scoped chart). */
  public readonly namespace: string;
  /** The drill's copy of the backup store. */
  public readonly store: BackupStore;
  /** The recovered cluster. */
  public readonly cluster: CnpgCluster;
  /** The recovery bootstrap of the drill cluster. */
  public readonly recovery: ClusterRecovery;
  /** The verification Job. */
  public readonly job: k8s.KubeJob;
  /** Name of the verification Job. */
  public readonly jobName: string;
  /** The server name restored from. */
  public readonly sourceServerName: string;

  public constructor(scope: Construct, id: string, props: RestoreDrillProps) {
    super(scope, id);
    const source = props.sourceCluster;
    const problems = Problems.of(this);
    this.namespace = props.namespace;
    const clusterName = props.clusterName ?? `${source.clusterName}-drill`;
    this.jobName = `${clusterName}-verify`;
    const archive = BackupStore.archiveOf(source);
    this.sourceServerName = props.sourceServerName ?? archive?.serverName ?? source.walArchiver?.parameters?.serverName ?? source.clusterName;
    const labels = props.labels;

    if (!isDns1123Label(this.namespace ?? '')) {
      problems.error({ field: 'namespace', message: 'must be a DNS-1123 label', value: this.namespace, fix: 'use a name such as "restore-drill"' });
    } else if (this.namespace === source.namespace) {
      problems.error({
        field: 'namespace',
        message: 'the drill must run in its own temporary namespace, not the production one: deleting the namespace is how the drill is torn down',
        value: this.namespace,
        fix: 'use a namespace such as "restore-drill"',
      });
    }
    if (props.ownerCredential.username !== source.ownerName) {
      problems.error({
        field: 'ownerCredential',
        message: `the drill restores the source's database, owned by "${source.ownerName}"; the credential logs in as another role`,
        value: props.ownerCredential.username,
        fix: `seal a credential for "${source.ownerName}" in the drill namespace (a different password than production)`,
      });
    }
    const expect = props.expect ?? DrillExpectation.atLeast(1);
    if (!expect.valid) {
      problems.error({ field: 'expect', message: 'atLeast needs a whole number of at least 0', value: expect.value });
    }
    const verifySql = props.verifySql ?? 'SELECT count(*) FROM pg_catalog.pg_tables';
    if (typeof verifySql !== 'string' || verifySql.trim() === '') {
      problems.error({ field: 'verifySql', message: 'must be a non-empty SQL query', value: verifySql, fix: 'e.g. "SELECT count(*) FROM orders"' });
    }
    const deadline = props.jobDeadlineSeconds ?? 7200;
    const ttl = props.jobTtlSecondsAfterFinished ?? 86400;
    const backoff = props.jobBackoffLimit ?? 1;
    for (const [field, value, min] of [['jobDeadlineSeconds', deadline, 1], ['jobTtlSecondsAfterFinished', ttl, 0], ['jobBackoffLimit', backoff, 0]] as const) {
      if (!Number.isInteger(value) || value < min || value > 2 ** 31 - 1) {
        problems.error({ field, message: `must be a whole number of at least ${min}`, value });
      }
    }
    this.node.addValidation({ validate: () => this.validateSource(props) });

    this.store = props.store.copyTo(this, 'Store', {
      namespace: this.namespace,
      credential: props.s3Credential,
      endpointCa: props.endpointCa,
    });
    this.recovery = ClusterRecovery.fromBackupStore(this.store, {
      sourceServerName: this.sourceServerName,
      target: props.target,
      backupId: props.backupId,
    });
    this.cluster = new CnpgCluster(this, 'Cluster', {
      clusterName,
      namespace: this.namespace,
      instances: 1,
      image: source.image,
      storageSize: props.storageSize,
      storageClass: props.storageClass,
      resources: props.resources,
      parameters: { ...sourceParameters(source), ...props.parameters },
      database: source.databaseName,
      ownerCredential: props.ownerCredential,
      bootstrap: this.recovery,
      labels,
    });

    this.job = new k8s.KubeJob(this, 'Verify', {
      metadata: { name: this.jobName, namespace: this.namespace, labels },
      spec: {
        backoffLimit: backoff,
        activeDeadlineSeconds: deadline,
        ttlSecondsAfterFinished: ttl,
        template: {
          metadata: { labels: { ...labels, 'app.kubernetes.io/name': 'restore-drill', 'app.kubernetes.io/component': 'verify', 'app.kubernetes.io/instance': clusterName } },
          spec: psqlPodSpec({
            cluster: this.cluster,
            credentialSecretName: props.ownerCredential.secretName,
            containerName: 'verify',
            script: VERIFY_SCRIPT,
            applicationName: 'restore-drill',
            connectTimeoutSeconds: 10,
            env: [
              { name: 'DRILL_SQL', value: verifySql },
              { name: 'DRILL_EXPECT_MODE', value: expect.mode },
              { name: 'DRILL_EXPECT_VALUE', value: expect.value },
            ],
          }),
        },
      },
    });
  }

  /** The drill must restore what the source actually archives into the store. */
  private validateSource(props: RestoreDrillProps): string[] {
    const source = props.sourceCluster;
    const archive = BackupStore.archiveOf(source);
    const archiver = source.walArchiver;
    const archivesHere = archive
      ? archive.store.archiveLocation(archive.serverName) === props.store.archiveLocation(this.sourceServerName)
      : archiver?.name === BARMAN_CLOUD_PLUGIN && archiver.parameters?.barmanObjectName === props.store.storeName
        && (archiver.parameters?.serverName ?? source.clusterName) === this.sourceServerName;
    if (archivesHere) return [];
    const got = archive ? `it archives to ${archive.store.destinationPath} as "${archive.serverName}"` : archiver ? `its WAL archiver is ${archiver.name}` : 'it does not archive';
    return [`sourceCluster: the source cluster ${source.namespace}/${source.clusterName} does not archive into ${props.store.destinationPath} as "${this.sourceServerName}", so the drill would find no backups (got: ${got}); wire it with store.archiveWal(cluster) or set sourceServerName`];
  }
}

/** The source cluster's PostgreSQL parameters, as rendered (strings). */
function sourceParameters(source: CnpgCluster): Record<string, string> {
  return { ...source.parameters };
}
