/**
 * The custom metric queries run on real PostgreSQL (16 and 18, the oldest and newest majors of the test
 * harness): a query that fails on the server makes the exporter drop the metric silently, and the alert
 * built on it never fires.
 */
import { CustomQuery, LOGICAL_REPLICATION_QUERY, PG_STAT_STATEMENTS_QUERY } from '../lib/monitoring';
import { RealPostgres, withPostgres } from './support/real-postgres';

jest.setTimeout(120_000);

/** Column names the exporter expects, in the order CNPG reads them. */
function columns(q: CustomQuery): string[] {
  return q.metrics.map((m) => Object.keys(m)[0]);
}

async function assertRuns(pg: RealPostgres, q: CustomQuery): Promise<Record<string, unknown>[]> {
  const rows = await pg.query(q.query);
  for (const row of rows) {
    expect(Object.keys(row)).toEqual(columns(q));
  }
  return rows;
}

describe.each([16, 18])('PostgreSQL %i', (major) => {
  test('the logical replication query returns one row per subscription with numeric metrics', async () => {
    await withPostgres(major, { parameters: { shared_preload_libraries: 'pg_stat_statements' } }, async (pg) => {
      expect(await assertRuns(pg, LOGICAL_REPLICATION_QUERY)).toEqual([]);
      await pg.query('CREATE PUBLICATION orders_pub FOR ALL TABLES');
      await pg.query("CREATE SUBSCRIPTION orders CONNECTION 'host=/nonexistent dbname=postgres' PUBLICATION orders_pub WITH (connect = false)");
      const rows = await assertRuns(pg, LOGICAL_REPLICATION_QUERY);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ datname: 'postgres', subname: 'orders', enabled: 0, workers: '0' });
      expect(Number(rows[0].apply_error_count)).toBe(0);
      expect(Number(rows[0].sync_error_count)).toBe(0);
      expect(Number(rows[0].receipt_lag_seconds)).toBe(-1);

      // pg_stat_statements: the predicate is false without the extension, the query runs with it.
      const predicate = async () => (await pg.query<{ exists: boolean }>(PG_STAT_STATEMENTS_QUERY.predicate_query!))[0].exists;
      expect(await predicate()).toBe(false);
      await pg.query('CREATE EXTENSION pg_stat_statements');
      expect(await predicate()).toBe(true);
      const pgss = await assertRuns(pg, PG_STAT_STATEMENTS_QUERY);
      expect(pgss.map((r) => r.datname)).toContain('postgres');
    });
  });
});
