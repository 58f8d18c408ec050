import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { isDns1123Subdomain } from '../core/k8s-syntax';
import { Problem, Problems } from '../core/problems';
import { stringifyYamlDocuments } from '../core/yaml-writer';

/**
 * CloudNativePG user-defined metrics ("custom queries", `queries.yaml` format of the instance manager's
 * exporter). Each query `<name>` with metric column `<col>` is exported as `cnpg_<name>_<col>`.
 * The ConfigMap is referenced from `Cluster.spec.monitoring.customQueriesConfigMap: [{ name, key }]`;
 * the label `cnpg.io/reload: "true"` makes the instances reload it on change.
 */

/** How a result column is exported. */
export type CustomQueryColumnUsage = 'LABEL' | 'GAUGE' | 'COUNTER' | 'DISCARD' | 'MAPPEDMETRIC' | 'DURATION' | 'HISTOGRAM';

/** One column of a custom query. */
export interface CustomQueryColumn {
  readonly usage: CustomQueryColumnUsage;
  readonly description: string;
  /** Override of the column name in the metric. */
  readonly name?: string;
  /** Value mapping when `usage` is `MAPPEDMETRIC`. */
  readonly metrics_mapping?: { [text: string]: number };
}

/** One custom query. Field names are those of the CNPG format. */
export interface CustomQuery {
  /** The SQL query. */
  readonly query: string;
  /** Columns, in order; each item is `{ <column>: CustomQueryColumn }`. */
  readonly metrics: { [column: string]: CustomQueryColumn }[];
  /** Run on the primary only. */
  readonly primary?: boolean;
  /** Semantic version range of PostgreSQL the query runs on, e.g. `">=15.0.0"`. */
  readonly runonserver?: string;
  /** Databases to run on; shell patterns (`"*"`) enable auto-discovery. @default the application database */
  readonly target_databases?: string[];
  /** SQL returning at most one row with one boolean column; the query runs only when it is true. */
  readonly predicate_query?: string;
  /** Override of the metric name prefix (defaults to the query's key). */
  readonly name?: string;
}

/** Names of the queries in the operator's default set (`default-monitoring`); redefining one replaces it. */
export const CNPG_DEFAULT_QUERY_NAMES = [
  'backends', 'backends_waiting', 'pg_database', 'pg_postmaster', 'pg_replication', 'pg_replication_slots', 'pg_roles',
  'pg_stat_archiver', 'pg_stat_bgwriter', 'pg_stat_bgwriter_17', 'pg_stat_checkpointer', 'pg_stat_database',
  'pg_stat_replication', 'pg_settings', 'pg_extensions',
] as const;

/**
 * Logical replication health, one row per subscription of the current database (PostgreSQL 15+, where
 * `pg_stat_subscription_stats` exists). Exports `cnpg_pg_stat_subscription_{enabled,apply_error_count,
 * sync_error_count,workers,receipt_lag_seconds}{datname,subname}` — the metrics behind the
 * `CNPGClusterLogicalReplicationErrors` alert (same names as the `cluster` Helm chart's query, but one
 * row per subscription, so no duplicate series when table-sync workers run, and no PG 17-only columns).
 */
export const LOGICAL_REPLICATION_QUERY: CustomQuery = {
  query: [
    'SELECT pg_catalog.current_database() AS datname',
    '     , s.subname',
    '     , CASE WHEN s.subenabled THEN 1 ELSE 0 END AS enabled',
    '     , COALESCE(st.apply_error_count, 0) AS apply_error_count',
    '     , COALESCE(st.sync_error_count, 0) AS sync_error_count',
    '     , (SELECT pg_catalog.count(*) FROM pg_catalog.pg_stat_subscription w',
    '         WHERE w.subid OPERATOR(pg_catalog.=) s.oid AND w.pid IS NOT NULL) AS workers',
    '     , COALESCE((SELECT EXTRACT(EPOCH FROM (pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.max(w.last_msg_receipt_time)))',
    '         FROM pg_catalog.pg_stat_subscription w WHERE w.subid OPERATOR(pg_catalog.=) s.oid), -1) AS receipt_lag_seconds',
    'FROM pg_catalog.pg_subscription s',
    'LEFT JOIN pg_catalog.pg_stat_subscription_stats st ON st.subid OPERATOR(pg_catalog.=) s.oid',
    'WHERE s.subdbid OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database())',
  ].join('\n'),
  primary: true,
  runonserver: '>=15.0.0',
  target_databases: ['*'],
  metrics: [
    { datname: { usage: 'LABEL', description: 'Name of the database' } },
    { subname: { usage: 'LABEL', description: 'Name of the subscription' } },
    { enabled: { usage: 'GAUGE', description: '1 if the subscription is enabled' } },
    { apply_error_count: { usage: 'COUNTER', description: 'Number of errors while applying changes' } },
    { sync_error_count: { usage: 'COUNTER', description: 'Number of errors during initial table synchronization' } },
    { workers: { usage: 'GAUGE', description: 'Number of running apply and table-sync workers' } },
    { receipt_lag_seconds: { usage: 'GAUGE', description: 'Seconds since the last message from the publisher (-1 if none)' } },
  ],
};

/**
 * Per-database aggregates of `pg_stat_statements` (opt-in: needs the extension in `shared_preload_libraries`
 * and `CREATE EXTENSION pg_stat_statements` in the application database). The predicate makes the query a
 * no-op where the extension is absent; only columns that exist on PostgreSQL 13–18 are used.
 */
export const PG_STAT_STATEMENTS_QUERY: CustomQuery = {
  query: [
    'SELECT d.datname',
    '     , pg_catalog.sum(s.calls) AS calls',
    '     , pg_catalog.sum(s.total_exec_time) / 1000 AS total_exec_time_seconds',
    '     , pg_catalog.sum(s.rows) AS rows',
    '     , pg_catalog.sum(s.shared_blks_hit) AS shared_blks_hit',
    '     , pg_catalog.sum(s.shared_blks_read) AS shared_blks_read',
    '     , pg_catalog.sum(s.temp_blks_written) AS temp_blks_written',
    'FROM pg_stat_statements s',
    'JOIN pg_catalog.pg_database d ON d.oid OPERATOR(pg_catalog.=) s.dbid',
    'GROUP BY d.datname',
  ].join('\n'),
  predicate_query: "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_stat_statements')",
  metrics: [
    { datname: { usage: 'LABEL', description: 'Name of the database' } },
    { calls: { usage: 'COUNTER', description: 'Number of statement executions' } },
    { total_exec_time_seconds: { usage: 'COUNTER', description: 'Total statement execution time in seconds' } },
    { rows: { usage: 'COUNTER', description: 'Rows returned or affected' } },
    { shared_blks_hit: { usage: 'COUNTER', description: 'Shared buffer hits' } },
    { shared_blks_read: { usage: 'COUNTER', description: 'Shared blocks read' } },
    { temp_blks_written: { usage: 'COUNTER', description: 'Temporary blocks written' } },
  ],
};

/** Props of {@link CnpgCustomQueries}. */
export interface CnpgCustomQueriesProps {
  /** Cluster the queries belong to (only name and namespace are used). */
  readonly cluster: { readonly clusterName: string; readonly namespace: string };
  /** `metadata.name` of the ConfigMap. @default `<cluster>-monitoring` */
  readonly name?: string;
  /** Include {@link LOGICAL_REPLICATION_QUERY} (needed by `CNPGClusterLogicalReplicationErrors`). @default true */
  readonly logicalReplication?: boolean;
  /** Include {@link PG_STAT_STATEMENTS_QUERY}. @default false */
  readonly pgStatStatements?: boolean;
  /** More queries, by name (the metric prefix `cnpg_<name>_`). */
  readonly queries?: { [name: string]: CustomQuery };
}

const QUERY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const USAGES: CustomQueryColumnUsage[] = ['LABEL', 'GAUGE', 'COUNTER', 'DISCARD', 'MAPPEDMETRIC', 'DURATION', 'HISTOGRAM'];

/** Problems with a set of custom queries, reported under `queries.<name>`. */
export function customQueryProblems(queries: { [name: string]: CustomQuery }): Problem[] {
  const problems: Problem[] = [];
  for (const [name, q] of Object.entries(queries)) {
    const field = `queries.${name}`;
    if (!QUERY_NAME.test(name)) {
      problems.push({ field, message: 'is not a valid metric name prefix', value: name, fix: 'use letters, digits and "_", not starting with a digit' });
    }
    if ((CNPG_DEFAULT_QUERY_NAMES as readonly string[]).includes(name)) {
      problems.push({ field, message: 'replaces a query of the operator\'s default set, whose metrics the alert rules and dashboard rely on', value: name, fix: 'choose another name' });
    }
    if (typeof q.query !== 'string' || q.query.trim() === '') {
      problems.push({ field: `${field}.query`, message: 'must be a non-empty SQL query', value: q.query, fix: 'write the SELECT that produces the metric columns' });
    }
    if (!Array.isArray(q.metrics) || q.metrics.length === 0) {
      problems.push({ field: `${field}.metrics`, message: 'must list at least one column', value: q.metrics, fix: 'add e.g. [{ total: { usage: "GAUGE", description: "..." } }]' });
      continue;
    }
    let values = 0;
    q.metrics.forEach((item, i) => {
      const entries = Object.entries(item ?? {});
      if (entries.length !== 1) {
        problems.push({ field: `${field}.metrics[${i}]`, message: 'must have exactly one column name as key', value: item, fix: 'write { <column>: { usage, description } }' });
        return;
      }
      const [col, spec] = entries[0];
      if (!USAGES.includes(spec?.usage)) {
        problems.push({ field: `${field}.metrics[${i}].${col}.usage`, message: 'is not a column usage CNPG knows', value: spec?.usage, fix: `use one of ${USAGES.join(', ')}` });
      }
      if (spec?.usage === 'MAPPEDMETRIC' && !spec.metrics_mapping) {
        problems.push({ field: `${field}.metrics[${i}].${col}.metrics_mapping`, message: 'is required when usage is MAPPEDMETRIC', fix: 'map each text value to a number' });
      }
      if (spec && USAGES.includes(spec.usage) && spec.usage !== 'LABEL' && spec.usage !== 'DISCARD') values++;
    });
    if (values === 0) {
      problems.push({ field: `${field}.metrics`, message: 'has no value column (only labels/discarded columns)', fix: 'mark at least one column GAUGE or COUNTER' });
    }
  }
  return problems;
}

/**
 * A ConfigMap of custom queries for one cluster. Wire it with
 * `spec.monitoring.customQueriesConfigMap: [customQueries.configMapRef]`.
 */
export class CnpgCustomQueries extends Construct {
  /** `metadata.name` of the ConfigMap. */
  public readonly configMapName: string;
  /** Key holding the queries. */
  public readonly key = 'custom-queries';
  /** The queries, by name. */
  public readonly queries: { readonly [name: string]: CustomQuery };
  /** The ConfigMap. */
  public readonly configMap: k8s.KubeConfigMap;

  public constructor(scope: Construct, id: string, props: CnpgCustomQueriesProps) {
    super(scope, id);
    this.configMapName = props.name ?? `${props.cluster.clusterName}-monitoring`;
    const extra = props.queries ?? {};
    const problems = customQueryProblems(extra);
    if (!isDns1123Subdomain(this.configMapName)) {
      problems.push({ field: 'name', message: 'is not a valid ConfigMap name (DNS-1123 subdomain)', value: this.configMapName, fix: 'use lower-case letters, digits, "-" and "."' });
    }
    const builtIn: { [name: string]: CustomQuery } = {};
    if (props.logicalReplication ?? true) builtIn.pg_stat_subscription = LOGICAL_REPLICATION_QUERY;
    if (props.pgStatStatements ?? false) builtIn.pg_stat_statements = PG_STAT_STATEMENTS_QUERY;
    for (const name of Object.keys(extra)) {
      if (name in builtIn) {
        problems.push({ field: `queries.${name}`, message: 'collides with a built-in query of this ConfigMap', value: name, fix: `choose another name, or turn the built-in off (${name === 'pg_stat_subscription' ? 'logicalReplication' : 'pgStatStatements'}: false)` });
      }
    }
    problems.forEach((p) => Problems.of(this).error(p));

    this.queries = { ...builtIn, ...extra };
    this.configMap = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name: this.configMapName,
        namespace: props.cluster.namespace,
        labels: { 'cnpg.io/reload': 'true', 'cnpg.io/cluster': props.cluster.clusterName },
      },
      data: { [this.key]: renderQueries(this.queries) },
    });
  }

  /** The reference for `Cluster.spec.monitoring.customQueriesConfigMap`. */
  public get configMapRef(): { name: string; key: string } {
    return { name: this.configMapName, key: this.key };
  }
}

/** Renders queries in the CNPG `queries.yaml` format (plain YAML, keys in the given order). */
export function renderQueries(queries: { readonly [name: string]: CustomQuery }): string {
  return stringifyYamlDocuments([JSON.parse(JSON.stringify(queries))]);
}
