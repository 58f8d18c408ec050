import * as fs from 'fs';
import * as path from 'path';
import { parser } from '@prometheus-io/lezer-promql';
import { Testing } from 'cdk8s';
import { formatProblem } from '../lib/core/problems';
import {
  buildClusterAlertRules,
  ClusterAlertOptions,
  ClusterAlertRules,
  CNPG_ALERT_NAMES,
  CNPG_ALERTS,
  CNPG_RECORDING_RULES,
  DEFAULT_ALERT_THRESHOLDS,
  DEFAULT_RUNBOOK_BASE_URL,
  emittedAlertNames,
  instancePodRegex,
  instancePvcRegex,
  isAlertingRule,
  poolerPodRegex,
  PrometheusAlertingRule,
  PrometheusRuleEntry,
  validateAlertOptions,
} from '../lib/monitoring';
import { Duration } from 'cdk8s';
import { BackupExpectation } from '../lib/monitoring';
import { CnpgCluster } from '../lib';

const FULL: ClusterAlertOptions = {
  clusterName: 'cnpg-ha',
  namespace: 'data-infra',
  instances: 3,
  poolerNames: ['cnpg-ha-pooler-rw', 'cnpg-ha-pooler-ro'],
  backupIntervalHours: 24,
};

function rules(opts: ClusterAlertOptions): PrometheusRuleEntry[] {
  return buildClusterAlertRules(opts).flatMap((g) => g.rules);
}
function alerts(opts: ClusterAlertOptions): PrometheusAlertingRule[] {
  return rules(opts).filter(isAlertingRule);
}
function alert(opts: ClusterAlertOptions, name: string): PrometheusAlertingRule {
  const found = alerts(opts).filter((a) => a.alert === name);
  expect(found).toHaveLength(1);
  return found[0];
}

// --- PromQL parse tree helpers (Prometheus' own lezer grammar) ------------------------------------

interface Matcher { name: string; op: string; value: string }
interface Selector { metric?: string; matchers: Matcher[] }

function parse(expr: string) {
  const tree = parser.parse(expr);
  const errors: number[] = [];
  tree.iterate({ enter: (n) => { if (n.type.isError) errors.push(n.from); } });
  return { tree, errors };
}

function selectors(expr: string): Selector[] {
  const { tree } = parse(expr);
  const out: Selector[] = [];
  const text = (from: number, to: number) => expr.slice(from, to);
  tree.iterate({
    enter: (n) => {
      if (n.name !== 'VectorSelector') return;
      const sel: Selector = { matchers: [] };
      const c = n.node.cursor();
      if (c.firstChild()) {
        do {
          if (c.name === 'Identifier') sel.metric = text(c.from, c.to);
          if (c.name === 'LabelMatchers') {
            const m = c.node.cursor();
            if (m.firstChild()) {
              do {
                if (m.name !== 'UnquotedLabelMatcher') continue;
                const name = m.node.getChild('LabelName')!;
                const op = m.node.getChild('MatchOp')!.firstChild!;
                const value = m.node.getChild('StringLiteral')!;
                sel.matchers.push({ name: text(name.from, name.to), op: op.name, value: JSON.parse(text(value.from, value.to)) });
              } while (m.nextSibling());
            }
          }
        } while (c.nextSibling());
      }
      out.push(sel);
    },
  });
  return out;
}

describe('every expression parses with the Prometheus grammar', () => {
  const variants: [string, ClusterAlertOptions][] = [
    ['full', FULL],
    ['single instance, no backups, no poolers', { clusterName: 'db', namespace: 'apps', instances: 1 }],
    ['two instances, custom thresholds', { ...FULL, instances: 2, thresholds: { replicationLagWarningSeconds: 12.5, xidAgeCritical: 1_500_000_000 } }],
  ];
  test.each(variants)('%s', (_name, opts) => {
    const all = rules(opts);
    expect(all.length).toBeGreaterThan(10);
    for (const r of all) {
      const { errors } = parse(r.expr);
      if (errors.length) throw new Error(`${'alert' in r ? r.alert : r.record}: parse error at ${errors[0]} in\n${r.expr}`);
      expect(selectors(r.expr).length).toBeGreaterThan(0);
    }
  });

  test('the parse check catches broken PromQL', () => {
    expect(parse('max by (pod (up').errors.length).toBeGreaterThan(0);
    expect(parse('sum(rate(x{a="b"}[5m])) > 1').errors).toEqual([]);
  });
});

describe('scoping: no expression can see another cluster', () => {
  const clusterScopes = (opts: ClusterAlertOptions): ((s: Selector) => boolean)[] => [
    (s) => s.matchers.some((m) => m.name === 'pod' && m.op === 'EqlRegex' && m.value === instancePodRegex(opts.clusterName)),
    (s) => s.matchers.some((m) => m.name === 'persistentvolumeclaim' && m.op === 'EqlRegex' && m.value === instancePvcRegex(opts.clusterName)),
    (s) => s.matchers.some((m) => m.name === 'cnpg_cluster' && m.op === 'EqlSingle' && m.value === opts.clusterName),
    ...(opts.poolerNames ?? []).map((p) => (s: Selector) => s.matchers.some((m) => m.name === 'pod' && m.op === 'EqlRegex' && m.value === poolerPodRegex(p))),
  ];

  test.each([
    ['cnpg-ha', FULL],
    ['db-2', { ...FULL, clusterName: 'db-2', namespace: 'shop', poolerNames: ['db-2-pooler'] }],
  ])('every selector of %s carries the namespace and a cluster matcher', (_n, opts) => {
    const scopes = clusterScopes(opts);
    for (const r of rules(opts)) {
      const sels = selectors(r.expr);
      for (const s of sels) {
        if (s.metric === 'kube_node_labels') {
          // Nodes have no namespace; only ever joined on(node) with this cluster's kube_pod_info.
          expect(r.expr).toMatch(/\* on\(node\) group_left\(label_topology_kubernetes_io_zone\)/);
          expect(sels.some((o) => o.metric === 'kube_pod_info' && scopes.some((f) => f(o)))).toBe(true);
          continue;
        }
        const where = `${'alert' in r ? r.alert : r.record}: ${JSON.stringify(s)}`;
        expect({ where, ns: s.matchers.some((m) => m.name === 'namespace' && m.op === 'EqlSingle' && m.value === opts.namespace) })
          .toEqual({ where, ns: true });
        expect({ where, cluster: scopes.some((f) => f(s)) }).toEqual({ where, cluster: true });
      }
      // The string form too: the namespace and the cluster appear literally.
      expect(r.expr).toContain(`namespace="${opts.namespace}"`);
    }
  });

  const anchored = (re: string) => new RegExp(`^(?:${re})$`);
  test('instance pod regex: prefixes of each other never match (db vs db-2)', () => {
    const db = anchored(instancePodRegex('db'));
    expect(['db-1', 'db-2', 'db-12'].every((p) => db.test(p))).toBe(true);
    expect(['db-2-1', 'db-2-13', 'db-1-initdb-x7k2p', 'db-pooler-rw-7d9f8b6c5-abcde', 'db', 'xdb-1', 'db-1-wal'].some((p) => db.test(p))).toBe(false);
    const db2 = anchored(instancePodRegex('db-2'));
    expect(db2.test('db-2-1')).toBe(true);
    expect(db2.test('db-2')).toBe(false);
  });

  test('PVC regex: data, WAL and tablespace volumes of this cluster only', () => {
    const db = anchored(instancePvcRegex('db'));
    expect(['db-1', 'db-1-wal', 'db-3-tbs-indexes', 'db-2-tbs-hot_data'].every((p) => db.test(p))).toBe(true);
    expect(['db-2-1', 'db-2-1-wal', 'db-exports', 'db-1-tbs-x-1', 'db-1-walx'].some((p) => db.test(p))).toBe(false);
  });

  test('pooler pod regex: Deployment pods of that Pooler only', () => {
    const p = anchored(poolerPodRegex('db-pooler'));
    expect(p.test('db-pooler-7d9f8b6c5-abcde')).toBe(true);
    expect(['db-pooler-2-5c6d7f8b9-xyz12', 'db-pooler-ro-5c6d7f8b9-xyz12', 'db-1', 'db-pooler'].some((n) => p.test(n))).toBe(false);
  });

  test('regex metacharacters in names are escaped', () => {
    expect(instancePodRegex('a.b')).toBe('a\\\\.b-[0-9]+');
  });
});

describe('the alert set', () => {
  test('the full configuration emits every alert, each with severity, summary, description and runbook', () => {
    const all = alerts(FULL);
    expect(new Set(all.map((a) => a.alert))).toEqual(new Set(CNPG_ALERT_NAMES));
    for (const a of all) {
      expect(['warning', 'critical']).toContain(a.labels.severity);
      expect(a.labels.severity).toBe(CNPG_ALERTS[a.alert as keyof typeof CNPG_ALERTS].severity);
      expect(a.labels).toMatchObject({ namespace: 'data-infra', cnpg_cluster: 'cnpg-ha' });
      expect(a.annotations.summary).toContain('data-infra/cnpg-ha');
      expect(a.annotations.description.length).toBeGreaterThan(40);
      expect(a.annotations.runbook_url).toBe(`${DEFAULT_RUNBOOK_BASE_URL}/${a.alert}.md`);
      expect(a.for).toMatch(/^\d+[smh]$/);
    }
    // Descriptions that name something per series use the series' labels.
    expect(alert(FULL, 'CNPGClusterReplicationLagWarning').annotations.description).toContain('{{ $labels.pod }}');
    expect(alert(FULL, 'CNPGClusterLowDiskSpaceCritical').annotations.description).toContain('{{ $labels.persistentvolumeclaim }}');
    expect(alert(FULL, 'CNPGClusterXIDWraparoundWarning').annotations.description).toContain('{{ $labels.datname }}');
  });

  test('every alert has a runbook in docs/runbooks', () => {
    const dir = path.join(__dirname, '..', 'docs', 'runbooks');
    for (const name of CNPG_ALERT_NAMES) {
      const file = path.join(dir, `${name}.md`);
      expect({ name, exists: fs.existsSync(file) }).toEqual({ name, exists: true });
      const text = fs.readFileSync(file, 'utf8');
      expect(text.startsWith(`# ${name}`)).toBe(true);
      expect(text).toMatch(/kubectl/);
    }
  });

  test('recording rules exist only with backups, and the backup alerts read them', () => {
    const withBackups = rules(FULL).filter((r) => !isAlertingRule(r)).map((r) => (r as { record: string }).record);
    expect(withBackups).toEqual([CNPG_RECORDING_RULES.lastBackupSuccess, CNPG_RECORDING_RULES.lastBackupFailure]);
    expect(alert(FULL, 'CNPGClusterBackupFailed').expr).toContain(`${CNPG_RECORDING_RULES.lastBackupFailure}{namespace="data-infra", cnpg_cluster="cnpg-ha"}`);
    // Both the Barman Cloud plugin metric and the in-core (deprecated) metric are read.
    const rec = rules(FULL).find((r) => !isAlertingRule(r))!;
    expect(rec.expr).toContain('barman_cloud_cloudnative_pg_io_last_available_backup_timestamp|cnpg_collector_last_available_backup_timestamp');

    const without = { ...FULL, backupIntervalHours: undefined };
    expect(rules(without).every(isAlertingRule)).toBe(true);
    expect(emittedAlertNames(without)).not.toEqual(expect.arrayContaining(['CNPGClusterBackupTooOld']));
    expect(emittedAlertNames(without).filter((n) => n.startsWith('CNPGClusterBackup'))).toEqual([]);
    expect(emittedAlertNames(without)).toContain('CNPGClusterWALArchivingFailing');
  });

  test('HA and placement alerts depend on the instance count', () => {
    const one = emittedAlertNames({ ...FULL, instances: 1 });
    for (const n of ['CNPGClusterHADegraded', 'CNPGClusterHACritical', 'CNPGClusterInstancesOnSameNode', 'CNPGClusterZoneSpreadWarning']) {
      expect(one).not.toContain(n);
    }
    const two = emittedAlertNames({ ...FULL, instances: 2 });
    expect(two).toContain('CNPGClusterHACritical');
    expect(two).not.toContain('CNPGClusterHADegraded');
    expect(alert({ ...FULL, instances: 5 }, 'CNPGClusterHADegraded').expr).toMatch(/< 4$/);
    expect(alert({ ...FULL, instances: 2 }, 'CNPGClusterZoneSpreadWarning').expr).toMatch(/< 2$/);
    expect(alert({ ...FULL, instances: 5 }, 'CNPGClusterZoneSpreadWarning').expr).toMatch(/< 3$/);
  });

  test('one CNPGPoolerDown per pooler, labelled with the pooler', () => {
    const pd = alerts(FULL).filter((a) => a.alert === 'CNPGPoolerDown');
    expect(pd.map((a) => a.labels.pooler)).toEqual(['cnpg-ha-pooler-rw', 'cnpg-ha-pooler-ro']);
    expect(pd[0].expr).toContain(`pod=~"${poolerPodRegex('cnpg-ha-pooler-rw')}"`);
    expect(emittedAlertNames({ ...FULL, poolerNames: [] })).not.toContain('CNPGPoolerDown');
  });

  test('default thresholds appear in the expressions', () => {
    const t = DEFAULT_ALERT_THRESHOLDS;
    expect(alert(FULL, 'CNPGClusterReplicationLagWarning').expr).toMatch(new RegExp(`> ${t.replicationLagWarningSeconds}$`));
    expect(alert(FULL, 'CNPGClusterHighConnectionsCritical').expr).toMatch(/> 95$/);
    expect(alert(FULL, 'CNPGClusterLowDiskSpaceWarning').expr).toMatch(/> 80$/);
    expect(alert(FULL, 'CNPGClusterXIDWraparoundCritical').expr).toMatch(/> 1000000000$/);
    // daily backups: 1.5 × 24 h = 36 h, 3 × 24 h = 72 h
    expect(alert(FULL, 'CNPGClusterBackupTooOld').expr).toContain('> 129600');
    expect(alert(FULL, 'CNPGClusterBackupTooOldCritical').expr).toContain('> 259200');
  });

  test('thresholds, disabled alerts, for overrides, extra labels and the runbook base are applied', () => {
    const opts: ClusterAlertOptions = {
      ...FULL,
      backupIntervalHours: 6,
      thresholds: { connectionsWarningPercent: 70, diskUsageCriticalPercent: 97, backupAgeWarningFactor: 2, longRunningTransactionSeconds: 600 },
      disabledAlerts: ['CNPGClusterZoneSpreadWarning', 'CNPGClusterLongRunningTransaction'],
      forOverrides: { CNPGClusterOffline: '1m', CNPGClusterHACritical: '0s' },
      extraLabels: { team: 'dba', page: 'true' },
      runbookBaseUrl: 'https://git.example.com/platform/cdk8s-cnpg/-/blob/main/docs/runbooks/',
    };
    expect(validateAlertOptions(opts)).toEqual([]);
    expect(alert(opts, 'CNPGClusterHighConnectionsWarning').expr).toMatch(/> 70$/);
    expect(alert(opts, 'CNPGClusterLowDiskSpaceCritical').expr).toMatch(/> 97$/);
    expect(alert(opts, 'CNPGClusterBackupTooOld').expr).toContain('> 43200'); // 2 × 6 h
    const names = emittedAlertNames(opts);
    expect(names).not.toContain('CNPGClusterZoneSpreadWarning');
    expect(names).not.toContain('CNPGClusterLongRunningTransaction');
    expect(names).toHaveLength(CNPG_ALERT_NAMES.length - 2 + 1); // two poolers
    expect(alert(opts, 'CNPGClusterOffline').for).toBe('1m');
    expect(alert(opts, 'CNPGClusterHACritical').for).toBe('0s');
    expect(alert(opts, 'CNPGClusterHADegraded').for).toBe('5m');
    for (const a of alerts(opts)) {
      expect(a.labels).toMatchObject({ team: 'dba', page: 'true' });
      expect(a.annotations.runbook_url).toBe(`https://git.example.com/platform/cdk8s-cnpg/-/blob/main/docs/runbooks/${a.alert}.md`);
    }
  });
});

describe('validateAlertOptions: bad input names the field, the value and the fix', () => {
  const problemsOf = (extra: Partial<ClusterAlertOptions>) => validateAlertOptions({ ...FULL, ...extra });
  const only = (extra: Partial<ClusterAlertOptions>) => {
    const ps = problemsOf(extra);
    expect(ps).toHaveLength(1);
    expect(ps[0].fix).toBeTruthy();
    return ps[0];
  };

  test('valid defaults give no problems', () => {
    expect(validateAlertOptions(FULL)).toEqual([]);
    expect(validateAlertOptions({ clusterName: 'db', namespace: 'default', instances: 1 })).toEqual([]);
  });

  test('percentages outside 0–100', () => {
    const p = only({ thresholds: { connectionsCriticalPercent: 120 } });
    expect(p.field).toBe('thresholds.connectionsCriticalPercent');
    expect(p.value).toBe(120);
    expect(p.message).toMatch(/percentage/);
    expect(only({ thresholds: { diskUsageWarningPercent: 0 } }).field).toBe('thresholds.diskUsageWarningPercent');
  });

  test('warning must be lower than critical', () => {
    const p = only({ thresholds: { diskUsageWarningPercent: 95 } });
    expect(p.field).toBe('thresholds.diskUsageWarningPercent');
    expect(p.message).toMatch(/must be lower than the critical threshold diskUsageCriticalPercent \(90\)/);
    expect(only({ thresholds: { replicationLagCriticalSeconds: 10 } }).field).toBe('thresholds.replicationLagCriticalSeconds');
    expect(only({ thresholds: { xidAgeWarning: 2e9, xidAgeCritical: 1e9 } }).field).toBe('thresholds.xidAgeWarning');
    expect(only({ thresholds: { backupAgeWarningFactor: 3 } }).field).toBe('thresholds.backupAgeWarningFactor');
  });

  test('non-positive and out-of-range durations and counts', () => {
    expect(only({ thresholds: { replicationLagWarningSeconds: -5 } }).message).toMatch(/greater than 0/);
    expect(only({ thresholds: { longRunningTransactionSeconds: 0 } }).field).toBe('thresholds.longRunningTransactionSeconds');
    expect(only({ thresholds: { inactiveSlotRetainedWalBytes: Number.NaN } }).message).toMatch(/finite number/);
    expect(only({ thresholds: { backupAgeWarningFactor: 0.5 } }).message).toMatch(/at least 1/);
    expect(only({ thresholds: { xidAgeCritical: 3_000_000_000 } }).message).toMatch(/2\^31/);
    expect(only({ backupIntervalHours: 0 }).field).toBe('backupIntervalHours');
    expect(only({ forOverrides: { CNPGClusterOffline: '5 minutes' } }).field).toBe('forOverrides.CNPGClusterOffline');
    expect(only({ forOverrides: { CNPGClusterOffline: '' } }).message).toMatch(/Prometheus duration/);
  });

  test('unknown alert names and thresholds', () => {
    const p = only({ disabledAlerts: ['CNPGClusterHACritical', 'CNPGClusterHAWarning'] });
    expect(p.field).toBe('disabledAlerts[1]');
    expect(p.value).toBe('CNPGClusterHAWarning');
    expect(p.fix).toContain('CNPGClusterHADegraded');
    expect(formatProblem(p)).toMatch(/^disabledAlerts\[1\]: is not an alert of this rule set \(got "CNPGClusterHAWarning"\); use one of /);
    expect(only({ forOverrides: { NoSuchAlert: '5m' } }).field).toBe('forOverrides.NoSuchAlert');
    expect(only({ thresholds: { lagSeconds: 3 } as never }).field).toBe('thresholds.lagSeconds');
  });

  test('labels, names and URLs', () => {
    expect(only({ extraLabels: { 'team-name': 'dba' } }).message).toMatch(/Prometheus label name/);
    expect(only({ extraLabels: { severity: 'page' } }).message).toMatch(/cannot be overridden/);
    expect(only({ extraLabels: { page: true as unknown as string } }).message).toMatch(/strings/);
    expect(only({ runbookBaseUrl: 'docs/runbooks' }).field).toBe('runbookBaseUrl');
    expect(only({ clusterName: 'DB_1' }).field).toBe('clusterName');
    expect(only({ namespace: 'Data' }).field).toBe('namespace');
    expect(only({ instances: 0 }).field).toBe('instances');
    expect(only({ instances: 2.5 }).field).toBe('instances');
    expect(only({ poolerNames: ['p', 'p'] }).field).toBe('poolerNames[1]');
    expect(only({ poolerNames: ['Bad_Name'] }).field).toBe('poolerNames[0]');
  });

  test('all problems are reported together', () => {
    const ps = problemsOf({ instances: 0, thresholds: { connectionsWarningPercent: 150, diskUsageWarningPercent: 99 }, disabledAlerts: ['x'] });
    expect(ps.map((p) => p.field).sort()).toEqual([
      'disabledAlerts[0]', 'instances', 'thresholds.connectionsWarningPercent', 'thresholds.diskUsageWarningPercent',
    ]);
  });
});


describe('ClusterAlertRules construct', () => {
  test('emits a PrometheusRule <cluster>-alerts in the cluster namespace with the selector labels', () => {
    const chart = Testing.chart();
    const cluster = CnpgCluster.fromClusterAttributes(chart, 'cluster-cnpg-ha', { clusterName: 'cnpg-ha', namespace: 'data-infra', instances: 3 });
    const c = new ClusterAlertRules(chart, 'alerts', { cluster, backups: BackupExpectation.every(Duration.hours(24)), labels: { release: 'kube-prometheus-stack' }, extraLabels: { team: 'dba' } });
    const [rule] = Testing.synth(chart);
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.metadata).toMatchObject({ name: 'cnpg-ha-alerts', namespace: 'data-infra', labels: { release: 'kube-prometheus-stack', 'cnpg.io/cluster': 'cnpg-ha' } });
    expect(rule.spec.groups).toHaveLength(1);
    expect(rule.spec.groups[0].name).toBe('cnpg/data-infra/cnpg-ha');
    const offline = rule.spec.groups[0].rules.find((r: { alert?: string }) => r.alert === 'CNPGClusterOffline');
    expect(offline).toMatchObject({ for: '5m', labels: { severity: 'critical', team: 'dba', cnpg_cluster: 'cnpg-ha' } });
    expect(typeof offline.expr).toBe('string');
    expect(c.alertNames).toContain('CNPGClusterBackupFailed');
    expect(c.ruleName).toBe('cnpg-ha-alerts');
  });

  test('invalid options fail synth with every problem, none thrown from the constructor', () => {
    const chart = Testing.chart();
    const cluster = CnpgCluster.fromClusterAttributes(chart, 'cluster-cnpg-ha', { clusterName: 'cnpg-ha', namespace: 'data-infra', instances: 3 });
    expect(() => new ClusterAlertRules(chart, 'alerts', {
      cluster,
      thresholds: { connectionsWarningPercent: 101 },
      disabledAlerts: ['Nope'],
      labels: { 'bad label': 'x' },
    })).not.toThrow();
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('thresholds.connectionsWarningPercent: is a percentage');
    expect(message).toContain('disabledAlerts[0]: is not an alert of this rule set (got "Nope")');
    expect(message).toContain('labels.bad label: is not a valid Kubernetes label key');
  });
});
