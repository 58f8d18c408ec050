import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import {
  CNPG_DEFAULT_QUERY_NAMES,
  CnpgCustomQueries,
  CnpgGrafanaDashboard,
  customQueryProblems,
  emittedAlertNames,
  loadCloudNativePgDashboard,
} from '../lib/monitoring';

describe('Grafana dashboard ConfigMap', () => {
  test('the vendored dashboard is the upstream CloudNativePG dashboard', () => {
    const d = loadCloudNativePgDashboard() as { uid: string; title: string; templating: { list: { name: string; type: string }[] } };
    expect(d.uid).toBe('cloudnative-pg');
    expect(d.title).toBe('CloudNativePG');
    // The data source is a template variable, so sidecar provisioning (no import-time inputs) works.
    expect(d.templating.list.find((v) => v.name === 'DS_PROMETHEUS')?.type).toBe('datasource');
    const upstream = path.join(__dirname, '..', '..', 'shared', 'reference', 'charts', 'grafana-dashboards', 'grafana-dashboard.json');
    if (fs.existsSync(upstream)) {
      expect(d).toEqual(JSON.parse(fs.readFileSync(upstream, 'utf8')));
    }
  });

  test('defaults: sidecar label grafana_dashboard="1", minified JSON, server-side apply, no folder', () => {
    const chart = Testing.chart();
    const db = new CnpgGrafanaDashboard(chart, 'dash', { namespace: 'monitoring' });
    const [cm] = Testing.synth(chart);
    expect(cm).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(cm.metadata).toEqual({
      name: 'cnpg-grafana-dashboard',
      namespace: 'monitoring',
      labels: { grafana_dashboard: '1' },
      annotations: { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true' },
    });
    const json = cm.data[db.dataKey];
    expect(JSON.parse(json)).toEqual(loadCloudNativePgDashboard());
    expect(json).not.toContain('\n');
    // Under the 256 KiB last-applied-configuration limit even with client-side apply.
    expect(Buffer.byteLength(json)).toBeLessThan(200 * 1024);
  });

  test('custom sidecar label, extra labels, folder annotation', () => {
    const chart = Testing.chart();
    new CnpgGrafanaDashboard(chart, 'dash', {
      name: 'pg-dashboard', sidecarLabel: 'grafana.com/dashboard', sidecarLabelValue: 'true', labels: { team: 'dba' },
      folder: 'Databases', folderAnnotation: 'grafana_folder', serverSideApply: false,
    });
    const [cm] = Testing.synth(chart);
    expect(cm.metadata.labels).toEqual({ team: 'dba', 'grafana.com/dashboard': 'true' });
    expect(cm.metadata.annotations).toEqual({ grafana_folder: 'Databases' });
  });

  test('invalid labels and folders are reported at synth', () => {
    const chart = Testing.chart();
    new CnpgGrafanaDashboard(chart, 'dash', { sidecarLabel: 'grafana dashboard', sidecarLabelValue: 'yes please', folder: 'a/b', labels: { grafana_dashboard: '0' } });
    expect(() => Testing.synth(chart)).toThrow(/sidecarLabel: is not a valid Kubernetes label key/);
    try {
      Testing.synth(chart);
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('sidecarLabelValue: is not a valid Kubernetes label value');
      expect(msg).toContain('folder: must be a non-empty folder name');
    }
    const chart2 = Testing.chart();
    new CnpgGrafanaDashboard(chart2, 'dash', { labels: { grafana_dashboard: '0' } });
    expect(() => Testing.synth(chart2)).toThrow(/labels\.grafana_dashboard: conflicts with the sidecar discovery label/);
  });
});

describe('custom queries ConfigMap', () => {
  const cluster = { clusterName: 'cnpg-ha', namespace: 'data-infra' };

  test('defaults: logical replication query, reload label, name and key for spec.monitoring.customQueriesConfigMap', () => {
    const chart = Testing.chart();
    const q = new CnpgCustomQueries(chart, 'q', { cluster });
    expect(q.configMapRef).toEqual({ name: 'cnpg-ha-monitoring', key: 'custom-queries' });
    const [cm] = Testing.synth(chart);
    expect(cm.metadata).toEqual({ name: 'cnpg-ha-monitoring', namespace: 'data-infra', labels: { 'cnpg.io/reload': 'true', 'cnpg.io/cluster': 'cnpg-ha' } });
    const queries = YAML.parse(cm.data['custom-queries']);
    expect(Object.keys(queries)).toEqual(['pg_stat_subscription']);
    const sub = queries.pg_stat_subscription;
    expect(sub).toMatchObject({ primary: true, runonserver: '>=15.0.0', target_databases: ['*'] });
    // The metrics the CNPGClusterLogicalReplicationErrors alert reads: cnpg_pg_stat_subscription_{apply,sync}_error_count.
    const cols = sub.metrics.map((m: object) => Object.keys(m)[0]);
    expect(cols).toEqual(expect.arrayContaining(['datname', 'subname', 'apply_error_count', 'sync_error_count']));
    expect(sub.metrics.find((m: Record<string, { usage: string }>) => m.apply_error_count).apply_error_count.usage).toBe('COUNTER');
    expect(sub.query).toContain('pg_stat_subscription_stats');
    expect(emittedAlertNames({ clusterName: 'cnpg-ha', namespace: 'data-infra', instances: 3 })).toContain('CNPGClusterLogicalReplicationErrors');
  });

  test('pg_stat_statements is opt-in and guarded by a boolean predicate', () => {
    const chart = Testing.chart();
    new CnpgCustomQueries(chart, 'q', { cluster, pgStatStatements: true, logicalReplication: false, name: 'pg-queries' });
    const [cm] = Testing.synth(chart);
    expect(cm.metadata.name).toBe('pg-queries');
    const queries = YAML.parse(cm.data['custom-queries']);
    expect(Object.keys(queries)).toEqual(['pg_stat_statements']);
    expect(queries.pg_stat_statements.predicate_query).toMatch(/^SELECT EXISTS \(/);
  });

  test('extra queries are rendered in the CNPG format and validated', () => {
    const chart = Testing.chart();
    new CnpgCustomQueries(chart, 'q', {
      cluster,
      queries: {
        app_orders: {
          query: 'SELECT status, count(*) AS total FROM orders GROUP BY status',
          target_databases: ['app'],
          metrics: [{ status: { usage: 'LABEL', description: 'Order status' } }, { total: { usage: 'GAUGE', description: 'Orders' } }],
        },
      },
    });
    const [cm] = Testing.synth(chart);
    const queries = YAML.parse(cm.data['custom-queries']);
    expect(queries.app_orders.metrics[1]).toEqual({ total: { usage: 'GAUGE', description: 'Orders' } });

    expect(customQueryProblems({ pg_replication: { query: 'SELECT 1 AS x', metrics: [{ x: { usage: 'GAUGE', description: 'x' } }] } })[0])
      .toMatchObject({ field: 'queries.pg_replication', message: expect.stringMatching(/default set/) });
    expect(CNPG_DEFAULT_QUERY_NAMES).toContain('pg_stat_archiver');
    const bad = customQueryProblems({
      '1bad': { query: '', metrics: [{ a: { usage: 'GAUGES' as never, description: '' } }] },
      only_labels: { query: 'SELECT 1', metrics: [{ a: { usage: 'LABEL', description: '' } }] },
    });
    expect(bad.map((p) => p.field)).toEqual(['queries.1bad', 'queries.1bad.query', 'queries.1bad.metrics[0].a.usage', 'queries.1bad.metrics', 'queries.only_labels.metrics']);
  });

  test('a query colliding with a built-in fails synth', () => {
    const chart = Testing.chart();
    new CnpgCustomQueries(chart, 'q', { cluster, queries: { pg_stat_subscription: { query: 'SELECT 1 AS x', metrics: [{ x: { usage: 'GAUGE', description: 'x' } }] } } });
    expect(() => Testing.synth(chart)).toThrow(/queries\.pg_stat_subscription: collides with a built-in query/);
  });
});
