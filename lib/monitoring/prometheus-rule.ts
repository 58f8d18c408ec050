import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRules, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring.coreos.com';
import type { ScheduledBackup } from '../backup/scheduled-backup';
import { ICnpgCluster } from '../cluster/cluster-ref';
import type { Pooler } from '../cluster/pooler';
import { isDns1123Subdomain } from '../core/k8s-syntax';
import { Problem, Problems } from '../core/problems';
import { claimObjectName } from '../core/resource-names';
import {
  AlertRuleOptions,
  buildClusterAlertRules,
  ClusterAlertOptions,
  isAlertingRule,
  PrometheusRuleGroup,
  validateAlertOptions,
} from './alert-rules';
import { kubernetesLabelProblems } from './pod-monitor';

/**
 * How often base backups of a cluster are expected, for the backup alerts of {@link ClusterAlertRules}: from a
 * `ScheduledBackup` of this app (pass it as `scheduledBackup`), or `BackupExpectation.every(…)` for backups scheduled
 * elsewhere (another app, an external scheduler taking on-demand backups).
 */
export class BackupExpectation {
  /**
   * At least one successful base backup every `interval` (e.g. `Duration.hours(24)`), taken by something this app
   * does not declare. The alerts fire when the newest one is older than `factor × interval`.
   */
  public static every(interval: Duration): BackupExpectation {
    return new BackupExpectation(interval.toMilliseconds() / 1000, `every ${interval.toHumanString()}`);
  }

  /** What a ScheduledBackup promises: the longest gap of its schedule. */
  public static fromScheduledBackup(backup: ScheduledBackup): BackupExpectation {
    let seconds: number;
    try {
      seconds = backup.maxIntervalSeconds;
    } catch {
      // An invalid schedule is reported by the ScheduledBackup itself; the alerts use a day meanwhile.
      seconds = 24 * 3600;
    }
    return new BackupExpectation(seconds, `ScheduledBackup ${backup.namespace}/${backup.name}`, backup.cluster);
  }

  private constructor(
    /** The longest expected time between two successful base backups, in seconds. */
    public readonly intervalSeconds: number,
    /** Where the expectation comes from, for messages. */
    public readonly description: string,
    /** The cluster the backups are of, when known. */
    public readonly cluster?: ICnpgCluster,
  ) {}
}

/** Props of {@link ClusterAlertRules}. */
export interface ClusterAlertRulesProps extends AlertRuleOptions {
  /** The cluster the alerts watch. Its name, namespace and instance count scope every expression. */
  readonly cluster: ICnpgCluster;
  /**
   * The PgBouncer Poolers in front of the cluster: one `CNPGPoolerDown` alert each. Each must be a Pooler of `cluster`.
   * @default - none
   */
  readonly poolers?: Pooler[];
  /**
   * The cluster's ScheduledBackup: enables the backup alerts, which expect a base backup at least as often as its
   * schedule runs (its longest gap). It must back up `cluster`.
   * @default - no backup alerts, unless `backups` is set
   */
  readonly scheduledBackup?: ScheduledBackup;
  /**
   * For backups scheduled elsewhere (not by a ScheduledBackup of this app): `BackupExpectation.every(Duration.hours(24))`.
   * Mutually exclusive with `scheduledBackup`.
   * @default - no backup alerts, unless `scheduledBackup` is set
   */
  readonly backups?: BackupExpectation;
  /**
   * Labels of the PrometheusRule object, e.g. `{ release: 'kube-prometheus-stack' }`, so that the
   * Prometheus `ruleSelector` picks it up. Not added to the alerts (use `extraLabels` for that).
   */
  readonly labels?: { [key: string]: string };
  /** `metadata.name` of the PrometheusRule. @default `<cluster>-alerts` */
  readonly name?: string;
}

/**
 * A `monitoring.coreos.com/v1` PrometheusRule with the alert set of one CloudNativePG cluster, in the
 * cluster's namespace. Invalid options are reported at synth (all of them), never thrown.
 */
export class ClusterAlertRules extends Construct {
  /** `metadata.name` of the PrometheusRule. */
  public readonly ruleName: string;
  /** The rule groups, as rendered. */
  public readonly groups: PrometheusRuleGroup[];
  /** Names of the alerts emitted. */
  public readonly alertNames: string[];

  public constructor(scope: Construct, id: string, props: ClusterAlertRulesProps) {
    super(scope, id);
    const { cluster, labels, name, poolers = [], scheduledBackup, backups, ...options } = props;
    this.ruleName = name ?? `${cluster.clusterName}-alerts`;
    const problems: Problem[] = [];
    const where = (c: { namespace: string; clusterName: string }) => `${c.namespace}/${c.clusterName}`;

    poolers.forEach((pooler, i) => {
      if (pooler.namespace !== cluster.namespace || pooler.clusterName !== cluster.clusterName) {
        problems.push({
          field: `poolers[${i}]`,
          message: `the Pooler ${pooler.namespace}/${pooler.poolerName} is in front of cluster ${where(pooler)}, not ${where(cluster)}`,
          value: pooler.node.path,
          fix: 'list only the Poolers of this cluster (each cluster has its own ClusterAlertRules)',
        });
      } else if (poolers.indexOf(pooler) !== i) {
        problems.push({ field: `poolers[${i}]`, message: 'lists the same Pooler twice', value: pooler.node.path, fix: 'list each Pooler once' });
      }
    });
    if (scheduledBackup && backups) {
      problems.push({
        field: 'backups',
        message: 'scheduledBackup and backups both say when backups are taken',
        value: backups.description,
        fix: 'pass scheduledBackup for a ScheduledBackup of this app, or backups for backups scheduled elsewhere, not both',
      });
    }
    const expectation = scheduledBackup ? BackupExpectation.fromScheduledBackup(scheduledBackup) : backups;
    const backupField = scheduledBackup ? 'scheduledBackup' : 'backups';
    if (expectation?.cluster && where(expectation.cluster) !== where(cluster)) {
      problems.push({
        field: backupField,
        message: `the ${expectation.description} backs up cluster ${where(expectation.cluster)}, not ${where(cluster)}`,
        value: expectation.description,
        fix: 'pass the ScheduledBackup of this cluster',
      });
    }

    const opts: ClusterAlertOptions = {
      ...options,
      clusterName: cluster.clusterName,
      namespace: cluster.namespace,
      instances: cluster.instances,
      poolerNames: poolers.map((p) => p.poolerName),
      backupIntervalHours: expectation ? expectation.intervalSeconds / 3600 : undefined,
    };
    // Problems with derived fields are reported against the props they come from.
    const propField = (field: string) => field.replace(/^poolerNames/, 'poolers').replace(/^backupIntervalHours$/, backupField);
    problems.push(
      ...validateAlertOptions(opts).map((p) => ({ ...p, field: propField(p.field) })),
      ...kubernetesLabelProblems('labels', labels),
    );
    if (!isDns1123Subdomain(this.ruleName)) {
      problems.push({ field: 'name', message: 'is not a valid object name (DNS-1123 subdomain)', value: this.ruleName, fix: 'use lower-case letters, digits, "-" and "."' });
    }
    problems.forEach((p) => Problems.of(this).error(p));
    claimObjectName(this, { kind: 'monitoring.coreos.com/PrometheusRule', namespace: cluster.namespace, name: this.ruleName, field: 'name' });

    this.groups = buildClusterAlertRules(opts);
    this.alertNames = this.groups.flatMap((g) => g.rules.filter(isAlertingRule).map((r) => r.alert));

    new PrometheusRule(this, 'Resource', {
      metadata: {
        name: this.ruleName,
        namespace: cluster.namespace,
        labels: { 'cnpg.io/cluster': cluster.clusterName, ...(labels ?? {}) },
      },
      spec: {
        groups: this.groups.map((g) => ({
          name: g.name,
          rules: g.rules.map((r): PrometheusRuleSpecGroupsRules => isAlertingRule(r)
            ? {
              alert: r.alert,
              expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
              for: r.for,
              labels: { ...r.labels },
              annotations: { ...r.annotations },
            }
            : {
              record: r.record,
              expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
              ...(r.labels ? { labels: { ...r.labels } } : {}),
            }),
        })),
      },
    });
  }
}
