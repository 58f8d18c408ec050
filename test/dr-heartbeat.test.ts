/**
 * The disaster-recovery primary's heartbeat (lib/replication/dr-heartbeat.ts): a CronJob on the site that is the
 * primary, let through the network policies to the instances only, counted in the namespace quota, and a transaction
 * that really writes a commit record (checked on a real PostgreSQL server).
 */
import { ApiObject, App } from 'cdk8s';
import { DisasterRecovery, DrHeartbeat, DrTransition, Environment, buildEnvironment } from '../lib';
import { validateApp } from '../lib/core/synth';
import { footprintOf } from '../lib/platform/guardrails';
import { DEFAULT_ENVIRONMENT, DISASTER_RECOVERY, DR_ENVIRONMENT } from '../main';
import { RealPostgres } from './support/real-postgres';
import { tempDir } from './support/synth';

const TOKEN = Buffer.from(JSON.stringify({
  latestCheckpointTimelineID: '1', redoWalFile: '000000010000000000000007', databaseSystemIdentifier: '7321',
  latestCheckpointREDOLocation: '0/7000028', timeOfLatestCheckpoint: 'Mon Dec  7 08:00:00 2026', operatorVersion: '1.30.0',
})).toString('base64');

const withDr = (env: Environment, disasterRecovery: DisasterRecovery): Environment => ({ ...env, platform: { ...env.platform, disasterRecovery } });
const objectsOf = (app: App): any[] => app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
const heartbeatsOf = (app: App) => objectsOf(app).filter((o: any) => o.kind === 'CronJob' && o.metadata.name.endsWith('-dr-heartbeat'));
const policiesOf = (app: App) => objectsOf(app).filter((o: any) => o.kind === 'NetworkPolicy' && /dr-heartbeat/.test(o.metadata.name));

describe('on the site that is the primary', () => {
  const { app, platform } = buildEnvironment(DEFAULT_ENVIRONMENT, tempDir(), { updateChecks: false });

  test('the default environment (the primary of the pair) commits a transaction every five minutes', () => {
    const [cron] = heartbeatsOf(app);
    expect(platform.drHeartbeat?.cronJobName).toBe('cnpg-ha-dr-heartbeat');
    expect(cron.metadata).toMatchObject({ name: 'cnpg-ha-dr-heartbeat', namespace: 'data-infra' });
    expect(cron.spec).toMatchObject({ schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 60 });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom?.secretKeyRef?.name]));
    expect(pod.containers[0].command).toEqual(['/bin/sh', '-c', 'psql -X -v ON_ERROR_STOP=1 -qAt -c "SELECT pg_current_xact_id()" > /dev/null']);
    expect(env).toMatchObject({ PGHOST: 'cnpg-ha-rw', PGUSER: 'cnpg-app-user', PGPASSWORD: 'cnpg-app-user', PGSSLMODE: 'verify-full' });
    expect(pod.volumes[0].secret.secretName).toBe('cnpg-ha-ca');
    expect(cron.spec.jobTemplate.spec.template.metadata.labels).toEqual(DrHeartbeat.podLabels('cnpg-ha'));
  });

  test('the network policies let exactly its pods reach the instances, on 5432', () => {
    const [policy] = policiesOf(app);
    expect(policy.metadata.name).toBe('cnpg-ha-allow-dr-heartbeat');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'cnpg.io/cluster': 'cnpg-ha', 'cnpg.io/podRole': 'instance' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: DrHeartbeat.podLabels('cnpg-ha') } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
  });

  test('the namespace quota counts its pod (one at a time: concurrencyPolicy Forbid)', () => {
    const [cron] = heartbeatsOf(app);
    const without = footprintOf([]);
    const withIt = footprintOf([cron]);
    expect(withIt.pods - without.pods).toBe(1);
    expect(withIt.requestsCpu).toBeCloseTo(0.05);
    expect(footprintOf([{ ...cron, spec: { ...cron.spec, concurrencyPolicy: 'Allow' } }]).pods).toBe(2);
  });
});

test('a replica site has none; after a switchover the new primary has it and the former one no longer', () => {
  expect(heartbeatsOf(buildEnvironment(DR_ENVIRONMENT, tempDir(), { updateChecks: false }).app)).toEqual([]);
  const swapped = DisasterRecovery.pair({
    name: DISASTER_RECOVERY.name,
    primary: DISASTER_RECOVERY.site('dr')!,
    replicas: [DISASTER_RECOVERY.site('default')!],
    origin: 'default',
    transition: DrTransition.promotion({ token: TOKEN }),
  });
  const dr = buildEnvironment(withDr(DR_ENVIRONMENT, swapped), tempDir(), { updateChecks: false });
  const former = buildEnvironment(withDr(DEFAULT_ENVIRONMENT, swapped), tempDir(), { updateChecks: false });
  expect(heartbeatsOf(dr.app).map((c: any) => c.metadata.name)).toEqual(['cnpg-ha-dr-dr-heartbeat']);
  expect(policiesOf(dr.app).map((p: any) => p.metadata.name)).toEqual(['cnpg-ha-dr-allow-dr-heartbeat']);
  expect(heartbeatsOf(former.app)).toEqual([]);
  expect(policiesOf(former.app)).toEqual([]);
});

test('heartbeat: false turns it off, with its network policy', () => {
  const off = DisasterRecovery.pair({ name: 'cnpg-ha', primary: DISASTER_RECOVERY.site('default')!, replicas: [DISASTER_RECOVERY.site('dr')!], heartbeat: false });
  const { app, platform } = buildEnvironment(withDr(DEFAULT_ENVIRONMENT, off), tempDir(), { updateChecks: false });
  expect(platform.drHeartbeat).toBeUndefined();
  expect(heartbeatsOf(app)).toEqual([]);
  expect(policiesOf(app)).toEqual([]);
});

test.each([
  ['*/5 * * *', /is not a Kubernetes cron schedule that runs/],
  ['0 */5 * * * *', /is not a Kubernetes cron schedule that runs/],
  ['0 0 30 2 *', /is not a Kubernetes cron schedule that runs/],
  ['0 * * * *', /leaves up to 3600 s between heartbeats, not less than the replicas' replay-lag warning \(900 s\)/],
  ['@hourly', /leaves up to 3600 s between heartbeats/],
])('the schedule %s is refused at synth', (schedule, message) => {
  const dr = DisasterRecovery.pair({ name: 'cnpg-ha', primary: DISASTER_RECOVERY.site('default')!, replicas: [DISASTER_RECOVERY.site('dr')!], heartbeat: { schedule } });
  const { app } = buildEnvironment(withDr(DEFAULT_ENVIRONMENT, dr), tempDir(), { updateChecks: false });
  const errors = validateApp(app).filter((e) => e.path.endsWith('DisasterRecoveryHeartbeat')).map((e) => e.message);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/^heartbeat\.schedule: /);
  expect(errors[0]).toMatch(message);
});

test('*/2 * * * * and @every 2m pass', () => {
  for (const schedule of ['*/2 * * * *', '@every 2m']) {
    const dr = DisasterRecovery.pair({ name: 'cnpg-ha', primary: DISASTER_RECOVERY.site('default')!, replicas: [DISASTER_RECOVERY.site('dr')!], heartbeat: { schedule } });
    const { app } = buildEnvironment(withDr(DEFAULT_ENVIRONMENT, dr), tempDir(), { updateChecks: false });
    expect(validateApp(app).filter((e) => e.path.endsWith('DisasterRecoveryHeartbeat'))).toEqual([]);
  }
});

test('its transaction writes a commit record with a timestamp, which is what a replica reports as replayed (real PostgreSQL 16)', async () => {
  const pg = await RealPostgres.start(16, { parameters: { track_commit_timestamp: 'on' } });
  try {
    const [{ x }] = await pg.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x');
    const [last] = await pg.query<{ xid: string; at: Date }>('SELECT (pg_last_committed_xact()).xid::text AS xid, (pg_last_committed_xact()).timestamp AS at');
    // pg_current_xact_id() is the 64-bit id; pg_last_committed_xact() the 32-bit one
    expect(String(BigInt(x) & 0xffffffffn)).toBe(last.xid);
    expect(Date.now() - new Date(last.at).getTime()).toBeLessThan(60_000);
  } finally {
    await pg.stop();
  }
});
