import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRules, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring.coreos.com';
import { ICnpgCluster } from '../cluster/cluster-ref';
import { isDns1123Subdomain } from '../core/k8s-syntax';
import { Problems } from '../core/problems';
import {
  AlertRuleOptions,
  buildClusterAlertRules,
  ClusterAlertOptions,
  isAlertingRule,
  PrometheusRuleGroup,
  validateAlertOptions,
} from './alert-rules';
import { kubernetesLabelProblems } from './pod-monitor';

/** Props of {@link ClusterAlertRules}. */
export interface ClusterAlertRulesProps extends AlertRuleOptions {
  /** The cluster the alerts watch. Its name, namespace and instance count scope every expression. */
  readonly cluster: ICnpgCluster;
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
    const { cluster, labels, name, ...options } = props;
    this.ruleName = name ?? `${cluster.clusterName}-alerts`;

    const opts: ClusterAlertOptions = {
      ...options,
      clusterName: cluster.clusterName,
      namespace: cluster.namespace,
      instances: cluster.instances,
    };
    const problems = [
      ...validateAlertOptions(opts),
      ...kubernetesLabelProblems('labels', labels),
    ];
    if (!isDns1123Subdomain(this.ruleName)) {
      problems.push({ field: 'name', message: 'is not a valid object name (DNS-1123 subdomain)', value: this.ruleName, fix: 'use lower-case letters, digits, "-" and "."' });
    }
    problems.forEach((p) => Problems.of(this).error(p));

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
