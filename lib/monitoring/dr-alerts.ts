/**
 * Alerts of a disaster-recovery site (a CloudNativePG replica cluster fed from the object store, or the primary of a
 * distributed topology). A separate rule set from the per-cluster one (alert-rules.ts), in its own PrometheusRule.
 *
 * WAL replay lag by time. On a replica cluster every instance is in recovery, and CloudNativePG's default metric
 * `cnpg_pg_replication_lag` is, when no WAL receiver streams (`pg_last_wal_receive_lsn()` is NULL: WAL shipping only),
 * `now() - pg_last_xact_replay_timestamp()`: how long ago the newest transaction this replica has replayed was
 * committed on the primary. It grows while the replica falls behind the archive (restore_command failing, replay
 * blocked) — and also while the primary commits nothing: the primary's heartbeat (replication/dr-heartbeat.ts, a
 * transaction every five minutes) keeps that from happening, and with `archive_timeout` = 5min (CloudNativePG's
 * default) the primary then ships a segment at least every 5 minutes.
 * `cnpg_collector_replica_mode` (1 on a replica cluster) tells the site's role as the operator sees it.
 */
import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRules, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring.coreos.com';
import { ICnpgCluster } from '../cluster/cluster-ref';
import { Problems } from '../core/problems';
import { instancePodRegex, PrometheusAlertingRule, PrometheusRuleGroup } from './alert-rules';

/** Names of the disaster-recovery alerts. */
export const DR_ALERT_NAMES = ['DRReplicaReplayLagWarning', 'DRReplicaReplayLagCritical', 'DRReplicaUnexpectedPrimary', 'DRPrimaryDemoted'] as const;

/** Thresholds of the disaster-recovery alerts. */
export interface DrAlertThresholds {
  /** Replay lag by time (seconds) of a replica site for the warning. @default 900 (three archive_timeouts) */
  readonly replayLagWarningSeconds?: number;
  /** Replay lag by time (seconds) for the critical alert: the data a failover now would lose. @default 3600 */
  readonly replayLagCriticalSeconds?: number;
}

/** The defaults behind {@link DrAlertThresholds}. */
export const DEFAULT_DR_ALERT_THRESHOLDS: Required<DrAlertThresholds> = { replayLagWarningSeconds: 900, replayLagCriticalSeconds: 3600 };

/** Runbooks of the disaster-recovery alerts (the drills). */
export const DR_RUNBOOK_BASE_URL = 'https://github.com/example-org/cdk8s-cnpg/blob/main/docs/drills';

/** Input of {@link buildDrAlertRules}. */
export interface DrAlertOptions {
  readonly clusterName: string;
  readonly namespace: string;
  /** Name of the topology (label `dr_topology`). */
  readonly topology: string;
  /** The site is a replica (else the primary) as declared now. */
  readonly replica: boolean;
  /** The cluster named primary. */
  readonly primaryClusterName: string;
  readonly thresholds?: DrAlertThresholds;
}

/** What is wrong with the thresholds. */
export function drAlertProblems(t: DrAlertThresholds = {}): string[] {
  const v = { ...DEFAULT_DR_ALERT_THRESHOLDS, ...Object.fromEntries(Object.entries(t).filter(([, x]) => x !== undefined)) };
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) if (!Number.isFinite(x) || x <= 0) out.push(`thresholds.${k}: must be a positive number of seconds (got ${x})`);
  if (v.replayLagWarningSeconds >= v.replayLagCriticalSeconds) out.push(`thresholds.replayLagWarningSeconds: must be lower than replayLagCriticalSeconds (got ${v.replayLagWarningSeconds} >= ${v.replayLagCriticalSeconds})`);
  return out;
}

/** The rule group of one site. */
export function buildDrAlertRules(o: DrAlertOptions): PrometheusRuleGroup[] {
  const t = { ...DEFAULT_DR_ALERT_THRESHOLDS, ...Object.fromEntries(Object.entries(o.thresholds ?? {}).filter(([, x]) => x !== undefined)) };
  const S = `{namespace="${o.namespace}", pod=~"${instancePodRegex(o.clusterName)}"}`;
  const who = `${o.namespace}/${o.clusterName}`;
  const labels = (severity: string) => ({ severity, namespace: o.namespace, cnpg_cluster: o.clusterName, dr_topology: o.topology });
  const rules: PrometheusAlertingRule[] = [];
  const add = (alert: string, severity: string, forDuration: string, expr: string, summary: string, description: string, runbook: string) => {
    rules.push({ alert, expr, for: forDuration, labels: labels(severity), annotations: { summary: `${summary} (${who})`, description, runbook_url: `${DR_RUNBOOK_BASE_URL}/${runbook}` } });
  };
  if (o.replica) {
    const lag = `max(cnpg_pg_replication_lag${S})\n  and on() (max(cnpg_collector_replica_mode${S}) == 1)`;
    add('DRReplicaReplayLagWarning', 'warning', '5m', `${lag.replace('\n', ` > ${t.replayLagWarningSeconds}\n`)}`,
      'The DR replica is falling behind the primary\'s WAL archive',
      `Replica cluster ${who} last replayed a transaction committed {{ $value | humanizeDuration }} ago (warning above ${t.replayLagWarningSeconds}s). ` +
      `Either ${o.primaryClusterName} committed nothing since (its heartbeat CronJob stopped, or is turned off), or this replica cannot fetch or replay its WAL archive: a failover now would lose that much.`,
      'dr-failover.md#replica-falling-behind');
    add('DRReplicaReplayLagCritical', 'critical', '5m', `${lag.replace('\n', ` > ${t.replayLagCriticalSeconds}\n`)}`,
      'The DR replica is far behind the primary\'s WAL archive',
      `Replica cluster ${who} is {{ $value | humanizeDuration }} behind (critical above ${t.replayLagCriticalSeconds}s): the recovery point of the disaster-recovery pair is that old.`,
      'dr-failover.md#replica-falling-behind');
    add('DRReplicaUnexpectedPrimary', 'critical', '1m',
      `count(cnpg_pg_replication_in_recovery${S} == 0) > 0`,
      'A cluster declared as DR replica runs a primary',
      `Cluster ${who} is declared a replica of ${o.primaryClusterName}, but an instance accepts writes: it was promoted outside the declaration. ` +
      `If ${o.primaryClusterName} is alive this is a split brain: stop writes to one of them now.`,
      'dr-failover.md#two-primaries');
  } else {
    add('DRPrimaryDemoted', 'warning', '15m',
      `max(cnpg_collector_replica_mode${S}) == 1`,
      'The declared DR primary runs as a replica',
      `Cluster ${who} is declared the primary of the disaster-recovery topology ${o.topology}, but it runs in replica mode: ` +
      'a switchover stopped after the demotion (no promotion of the new primary yet) and nobody can write.',
      'dr-switchover.md');
  }
  return [{ name: `${o.clusterName}-disaster-recovery`, rules }];
}

/** Properties of `DrReplicaAlerts`. */
export interface DrReplicaAlertsProps {
  readonly cluster: ICnpgCluster;
  /** Name of the topology. */
  readonly topology: string;
  /** Whether the site is a replica now. */
  readonly replica: boolean;
  /** The cluster named primary. */
  readonly primaryClusterName: string;
  /** @default DEFAULT_DR_ALERT_THRESHOLDS */
  readonly thresholds?: DrAlertThresholds;
  /** @default - none */
  readonly labels?: Record<string, string>;
}

/** The disaster-recovery alerts of one site, as a `PrometheusRule` `<cluster>-disaster-recovery-alerts`. */
export class DrReplicaAlerts extends Construct {
  /** The rule groups. */
  public readonly groups: PrometheusRuleGroup[];

  public constructor(scope: Construct, id: string, props: DrReplicaAlertsProps) {
    super(scope, id);
    for (const message of drAlertProblems(props.thresholds)) {
      const [field, rest] = [message.slice(0, message.indexOf(':')), message.slice(message.indexOf(':') + 2)];
      Problems.of(this).error({ field, message: rest });
    }
    const { cluster } = props;
    this.groups = buildDrAlertRules({
      clusterName: cluster.clusterName, namespace: cluster.namespace, topology: props.topology, replica: props.replica,
      primaryClusterName: props.primaryClusterName, thresholds: props.thresholds,
    });
    new PrometheusRule(this, 'Resource', {
      metadata: { name: `${cluster.clusterName}-disaster-recovery-alerts`, namespace: cluster.namespace, labels: { 'cnpg.io/cluster': cluster.clusterName, ...(props.labels ?? {}) } },
      spec: {
        groups: this.groups.map((g) => ({
          name: g.name,
          rules: g.rules.map((r): PrometheusRuleSpecGroupsRules => {
            const a = r as PrometheusAlertingRule;
            return { alert: a.alert, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(a.expr), for: a.for, labels: { ...a.labels }, annotations: { ...a.annotations } };
          }),
        })),
      },
    });
  }
}
