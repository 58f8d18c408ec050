/**
 * The heartbeat of a disaster-recovery primary: a CronJob that commits one small transaction every few minutes.
 *
 * Why: a replica site replays the primary's WAL from the object store, and its lag metric (`cnpg_pg_replication_lag`,
 * `now() - pg_last_xact_replay_timestamp()` when no WAL receiver streams) is the age of the newest transaction it
 * replayed. A primary that commits nothing writes no WAL, so `archive_timeout` ships nothing and that age grows: the
 * replay-lag alerts (dr-alerts.ts) would fire every quiet night. With a commit every five minutes, `archive_timeout`
 * (CloudNativePG's default: 5 minutes) ships a segment at least that often, and the replica's lag measures the
 * pipeline again: primary, archive, restore_command, replay.
 *
 * The transaction is `SELECT pg_current_xact_id()`: assigning a transaction id makes PostgreSQL write a commit record
 * (with its timestamp, which `pg_last_xact_replay_timestamp()` reports on the replica) without touching any table.
 * `test/dr-heartbeat.test.ts` checks this on a real PostgreSQL server.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CnpgCluster } from '../cluster/cluster';
import { psqlPodSpec } from '../core/psql-job';
import { InNamespaceClient } from '../exposure/network-policies';
import { Problems } from '../core/problems';
import { cronEverRuns, maxIntervalSeconds, parseCron } from '../rules/cron';

/** The heartbeat's transaction: a transaction id makes it a commit record in the WAL; nothing is written to a table. */
export const DR_HEARTBEAT_SQL = 'SELECT pg_current_xact_id()';

/** Options of a DR primary's heartbeat (`DisasterRecoveryProps.heartbeat`). */
export interface DrHeartbeatOptions {
  /**
   * When the CronJob runs (Kubernetes cron: five fields or a descriptor such as `@every 2m`, in the
   * kube-controller-manager's time zone). Keep the interval below the replicas' replay-lag warning threshold, minus
   * `archive_timeout`.
   * @default '*\/5 * * * *' (every five minutes)
   */
  readonly schedule?: string;
}

/** Properties of `DrHeartbeat`. */
export interface DrHeartbeatProps extends DrHeartbeatOptions {
  /** The primary's cluster (its `-rw` Service, database, image and CA Secret). */
  readonly cluster: CnpgCluster;
  /** The basic-auth Secret to log in with (keys `username` and `password`): any role may run the transaction. */
  readonly credentialSecretName: string;
  /** More labels on the CronJob and its pods. */
  readonly labels?: Record<string, string>;
  /**
   * The replay-lag warning threshold of the replicas (seconds): the schedule's longest gap must stay below it.
   * @default - not checked
   */
  readonly replayLagWarningSeconds?: number;
}

/** The CronJob that commits a transaction on a DR primary at a steady pace (see the file comment). */
export class DrHeartbeat extends Construct {
  /** The labels of the heartbeat's pods (the network policies let exactly these reach the instances). */
  public static podLabels(clusterName: string): Record<string, string> {
    return { 'app.kubernetes.io/name': 'cnpg-dr-heartbeat', 'app.kubernetes.io/instance': clusterName };
  }

  /** `metadata.name` of the CronJob. */
  public readonly cronJobName: string;
  /** The schedule. */
  public readonly schedule: string;
  /** The labels of its pods. */
  public readonly podLabels: Record<string, string>;
  /** What the database namespace's network policies must let through: its pods to the instances, on 5432. */
  public readonly networkClient: InNamespaceClient;
  /** The CronJob. */
  public readonly cronJob: k8s.KubeCronJob;

  public constructor(scope: Construct, id: string, props: DrHeartbeatProps) {
    super(scope, id);
    const { cluster } = props;
    this.schedule = props.schedule ?? '*/5 * * * *';
    this.cronJobName = `${cluster.clusterName}-dr-heartbeat`;
    this.podLabels = { ...props.labels, ...DrHeartbeat.podLabels(cluster.clusterName) };
    this.networkClient = {
      name: 'dr-heartbeat',
      podLabels: DrHeartbeat.podLabels(cluster.clusterName),
      reason: 'The disaster-recovery heartbeat commits one transaction on the primary every few minutes (through the -rw Service, on 5432), so that a quiet primary still ships WAL to its replicas.',
    };
    this.validateSchedule(props.replayLagWarningSeconds);
    this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
      metadata: { name: this.cronJobName, namespace: cluster.namespace, labels: this.podLabels },
      spec: {
        schedule: this.schedule,
        // One heartbeat at a time; a missed one is not made up for (the next one is as good).
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 60,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: 60,
            ttlSecondsAfterFinished: 3600,
            template: {
              metadata: { labels: this.podLabels },
              spec: psqlPodSpec({
                cluster,
                credentialSecretName: props.credentialSecretName,
                containerName: 'heartbeat',
                script: `psql -X -v ON_ERROR_STOP=1 -qAt -c "${DR_HEARTBEAT_SQL}" > /dev/null`,
                applicationName: 'cnpg-dr-heartbeat',
                connectTimeoutSeconds: 10,
              }),
            },
          },
        },
      },
    });
  }

  private validateSchedule(warningSeconds: number | undefined): void {
    // Kubernetes validates CronJob schedules with robfig/cron's standard parser (`cron.ParseStandard`: five fields, or a
    // descriptor such as @hourly; `validateScheduleFormat` in kubernetes' pkg/apis/batch/validation/validation.go, read
    // from its source without a pinned tag); the project's parser is robfig/cron's with seconds first, so a zero seconds
    // field goes in front. A TZ= or CRON_TZ= prefix, which Kubernetes refuses there too, fails the field count.
    const descriptor = this.schedule.trim().startsWith('@');
    const spec = descriptor ? this.schedule.trim() : `0 ${this.schedule.trim()}`;
    const parsed = descriptor || this.schedule.trim().split(/\s+/).length === 5 ? parseCron(spec) : undefined;
    if (!parsed?.ok || !cronEverRuns(parsed.schedule)) {
      Problems.of(this).error({
        field: 'heartbeat.schedule',
        message: `is not a Kubernetes cron schedule that runs${parsed && !parsed.ok ? ` (${parsed.error})` : ''}`,
        value: this.schedule,
        fix: 'write minute hour day-of-month month day-of-week, e.g. "*/5 * * * *"',
      });
      return;
    }
    const gap = maxIntervalSeconds(spec);
    if (warningSeconds !== undefined && gap >= warningSeconds) {
      Problems.of(this).error({
        field: 'heartbeat.schedule',
        message: `leaves up to ${gap} s between heartbeats, not less than the replicas' replay-lag warning (${warningSeconds} s): a quiet primary would still raise it`,
        value: this.schedule,
        fix: 'run the heartbeat more often (e.g. "*/5 * * * *"), or raise alertThresholds.replayLagWarningSeconds',
      });
    }
  }
}
