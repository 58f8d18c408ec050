/**
 * The drill runbooks and the marker Jobs: the Jobs are hardened like the restore drill's, and their scripts run (with
 * /bin/sh, as in the image) against a real PostgreSQL through a psql stand-in, so the SQL, the quoting and the exit
 * codes are proven, not just rendered.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { BasicAuthSecret, CNPG_ALERT_NAMES, DrillMarkerJobs } from '../lib';
import { tutorialCluster } from './support/day2';
import { RealPostgres, withPostgres } from './support/real-postgres';
import { findObject, synthChart, synthError, tempDir, testChart } from './support/synth';

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..');
const DRILLS = path.join(ROOT, 'docs', 'drills');

function markerJobs(overrides: Partial<ConstructorParameters<typeof DrillMarkerJobs>[2]> = {}) {
  const { chart } = testChart();
  const cluster = tutorialCluster(chart, { ownerCredential: BasicAuthSecret.fromSecretName('cnpg-app-user', 'data-infra', 'app_user') });
  const jobs = new DrillMarkerJobs(chart, 'Drill', { cluster, runId: '2026-09-01-failover', drill: 'primary pod deletion', ...overrides });
  return { chart, cluster, jobs };
}

describe('DrillMarkerJobs', () => {
  test('two hardened Jobs (restricted Pod Security), verified TLS as the owner, labelled for kubectl apply -l', () => {
    const { chart, jobs } = markerJobs();
    expect([jobs.writeJobName, jobs.verifyJobName]).toEqual(['cnpg-ha-drill-2026-09-01-failover-write', 'cnpg-ha-drill-2026-09-01-failover-verify']);
    const objects = synthChart(chart);
    for (const [name, component] of [[jobs.writeJobName, 'write'], [jobs.verifyJobName, 'verify']]) {
      const job = findObject(objects, 'Job', name);
      expect(job.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'cnpg-drill', 'app.kubernetes.io/component': component, 'app.kubernetes.io/instance': 'cnpg-ha' });
      expect(job.spec).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 86400 });
      const pod = job.spec.template.spec;
      expect(pod).toMatchObject({
        restartPolicy: 'Never', automountServiceAccountToken: false, enableServiceLinks: false,
        securityContext: { runAsNonRoot: true, runAsUser: 26, runAsGroup: 26, seccompProfile: { type: 'RuntimeDefault' } },
      });
      const c = pod.containers[0];
      expect(c.image).toBe('ghcr.io/cloudnative-pg/postgresql:16.14-standard-trixie');
      expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, privileged: false, capabilities: { drop: ['ALL'] } });
      expect(c.resources.limits).toEqual({ cpu: '500m', memory: '128Mi' });
      const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
      expect(env).toMatchObject({
        PGHOST: 'cnpg-ha-rw', PGDATABASE: 'appdb', PGSSLMODE: 'verify-full', PGSSLROOTCERT: '/etc/postgres-ca/ca.crt',
        PGUSER: { secretKeyRef: { name: 'cnpg-app-user', key: 'username' } }, PGPASSWORD: { secretKeyRef: { name: 'cnpg-app-user', key: 'password' } },
        DRILL_RUN_ID: '2026-09-01-failover', DRILL_SCHEMA: 'cnpg_drill', DRILL_INSTANCES: '3', DRILL_RO_HOST: 'cnpg-ha-ro',
      });
      // Only the CA certificate of the operator's CA Secret is mounted, never its private key.
      expect(pod.volumes[0]).toEqual({ name: 'server-ca', secret: { secretName: 'cnpg-ha-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    }
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Job')).toMatchSnapshot();
  });

  test('without an owner credential the operator-generated <cluster>-app Secret is used', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    new DrillMarkerJobs(chart, 'Drill', { cluster, runId: 'r1' });
    const env = findObject(synthChart(chart), 'Job', 'cnpg-ha-drill-r1-write').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'PGUSER').valueFrom.secretKeyRef.name).toBe('cnpg-ha-app');
  });

  test('bad run ids, schemas and credentials', () => {
    const { chart } = markerJobs({ runId: 'Not_A_Label', schema: 'pg_drill', waitSeconds: 0, credential: BasicAuthSecret.fromSecretName('x', 'other', 'app_user') });
    const error = synthError(chart);
    expect(error).toMatch(/\[test\/Drill\] runId: must be a DNS label/);
    expect(error).toMatch(/schema: must be a lower-case PostgreSQL identifier not starting with "pg_"/);
    expect(error).toMatch(/credential: the Secret must be in the cluster's namespace "data-infra"/);
    expect(error).toMatch(/waitSeconds: must be a whole number of at least 1/);
    expect(synthError(markerJobs({ runId: 'x'.repeat(45) }).chart)).toMatch(/within 63 characters/);
  });
});

describe('the marker scripts on a real PostgreSQL', () => {
  /** A psql and pg_isready stand-in on node-postgres: -v variables, :'var' interpolation, unaligned tuples-only output. */
  function fakeTools(): string {
    const bin = tempDir('fake-psql-');
    const pgPath = JSON.stringify(require.resolve('pg'));
    fs.writeFileSync(path.join(bin, 'psql'), `#!/usr/bin/env node
const { Client } = require(${pgPath});
const args = process.argv.slice(2); const vars = {}; let sql;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '-v') { const [k, ...v] = args[++i].split('='); vars[k] = v.join('='); }
  else if (args[i] === '-c') sql = args[++i];
}
if (sql === undefined) sql = require('fs').readFileSync(0, 'utf8');
sql = sql.replace(/:'([A-Za-z_]+)'/g, (_, k) => "'" + String(vars[k]).replace(/'/g, "''") + "'");
const client = new Client({ types: { getTypeParser: () => (v) => v } });
client.connect().then(async () => {
  let res = await client.query({ text: sql, rowMode: 'array' });
  if (Array.isArray(res)) res = res.filter((r) => r.fields && r.fields.length).pop();
  if (res && res.rows) for (const row of res.rows) process.stdout.write(row.join('|') + '\\n');
  await client.end();
}).catch((e) => { process.stderr.write('psql: error: ' + e.message + '\\n'); process.exit(3); });
`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'pg_isready'), `#!/usr/bin/env node
const { Client } = require(${pgPath});
const c = new Client(); c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(2));
`, { mode: 0o755 });
    return bin;
  }

  function run(script: string, env: Record<string, string>): { code: number | null; out: string } {
    const r = spawnSync('/bin/sh', ['-c', script], { env, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  test('write, then verify; a lost marker fails the verification', async () => {
    const { chart, jobs } = markerJobs({ waitSeconds: 20 });
    synthChart(chart);
    const containerOf = (job: any) => (job.toJson ? job.toJson() : job).spec.template.spec.containers[0];
    const write = containerOf(jobs.writeJob);
    const verify = containerOf(jobs.verifyJob);
    const bin = fakeTools();
    await withPostgres(16, { ssl: false }, async (pg: RealPostgres) => {
      await pg.query('CREATE DATABASE appdb');
      const conn = pg.connection;
      const envOf = (container: any, runId?: string) => {
        const env: Record<string, string> = {};
        for (const e of container.env) if (e.value !== undefined) env[e.name] = e.value;
        return {
          ...env, PATH: `${bin}:${process.env.PATH}`, HOME: tempDir(),
          PGHOST: conn.host, DRILL_RO_HOST: conn.host, PGPORT: String(conn.port), PGUSER: conn.user, PGPASSWORD: 'unused', PGSSLMODE: 'disable',
          ...(runId ? { DRILL_RUN_ID: runId } : {}),
        };
      };
      const w = run(write.command[2], envOf(write));
      expect(w.out).toMatch(/drill marker: run 2026-09-01-failover written at .* on /);
      expect(w.out).toMatch(/a replica behind .* to receive it/);
      expect(w.out).toMatch(/drill marker WRITTEN: start the drill now/);
      expect(w.code).toBe(0);
      // Idempotent: a second write (e.g. a retried pod) keeps the first marker.
      expect(run(write.command[2], envOf(write)).code).toBe(0);

      const v = run(verify.command[2], envOf(verify));
      expect(v.out).toMatch(/primary writable after \d+ s of waiting/);
      expect(v.out).toMatch(/marker written at .* verified at .* on /);
      expect(v.out).toMatch(/a replica has the marker/);
      expect(v.out).toMatch(/drill verify PASSED/);
      expect(v.code).toBe(0);

      const client = new Client({ ...conn, database: 'appdb' });
      await client.connect();
      const rows = (await client.query('SELECT run_id, drill, written_at <= verified_at AS ordered FROM cnpg_drill.drill_markers')).rows;
      await client.end();
      expect(rows).toEqual([{ run_id: '2026-09-01-failover', drill: 'primary pod deletion', ordered: true }]);

      const lost = run(verify.command[2], envOf(verify, 'another-run'));
      expect(lost.code).toBe(1);
      expect(lost.out).toMatch(/drill verify FAILED: the marker of run another-run is missing: data written before the drill was lost/);
    });
  });
});

describe('the drill runbooks', () => {
  const pages = ['README.md', 'primary-pod-deletion.md', 'node-loss.md', 'rolling-update.md', 'extension-install.md', 'scaling.md', 'restore.md', 'major-upgrade.md', 'logical-replication.md',
    // Disaster recovery across Kubernetes clusters (issue 17).
    'dr-switchover.md', 'dr-failover.md', 'dr-failback.md'];

  test('one page per drill of the tutorial, indexed by the README', () => {
    expect(fs.readdirSync(DRILLS).sort()).toEqual([...pages].sort());
    const readme = fs.readFileSync(path.join(DRILLS, 'README.md'), 'utf8');
    for (const page of pages.filter((p) => p !== 'README.md')) expect(readme).toContain(`(${page})`);
  });

  test('every relative link resolves; every alert named exists in the alert set', () => {
    const known = new Set<string>(CNPG_ALERT_NAMES);
    for (const page of pages) {
      const text = fs.readFileSync(path.join(DRILLS, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)) {
        if (/^https?:/.test(target)) continue;
        expect({ page, target, exists: fs.existsSync(path.join(DRILLS, target)) }).toEqual({ page, target, exists: true });
      }
      for (const [alert] of text.matchAll(/\bCNPG[A-Z][A-Za-z]+\b/g)) {
        expect({ page, alert, known: known.has(alert) }).toEqual({ page, alert, known: true });
      }
    }
  });

  test('each drill names its commands, timings and alerts', () => {
    for (const page of pages.filter((p) => !['README.md', 'restore.md'].includes(p))) {
      const text = fs.readFileSync(path.join(DRILLS, page), 'utf8');
      expect({ page, kubectl: /kubectl (--context \S+ )?(cnpg )?\w+/.test(text) }).toEqual({ page, kubectl: true });
      expect({ page, alerts: /## Alerts/.test(text) }).toEqual({ page, alerts: true });
      expect({ page, pass: /## Pass criteria/.test(text) }).toEqual({ page, pass: true });
    }
    const readme = fs.readFileSync(path.join(DRILLS, 'README.md'), 'utf8');
    for (const timing of ['40–55 s', '300 s', '15 s', 'about 30 s', '0 s']) expect(readme).toContain(timing);
    expect(fs.readFileSync(path.join(DRILLS, 'restore.md'), 'utf8')).toContain('(../restore-drill.md)');
  });
});
