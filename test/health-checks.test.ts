import * as fs from 'fs';
import * as path from 'path';
import { lauxlib, lua, lualib, to_luastring, to_jsstring } from 'fengari';
import { parse } from 'yaml';
// Imported from the module itself, not from '../lib': these tests need nothing else of the library.
import { argocdConfigMapPatch, HEALTH_CHECKS, healthCheckKey } from '../lib/platform/health-checks';
import { readManifests } from './support/synth';

// The Argo CD health checks of lib/platform/health-checks.ts, run in a Lua VM (fengari) the way Argo CD runs them:
// `obj` is the live object as a Lua table, the script returns `hs` with `status` and `message`. The statuses and
// messages asserted here are the ones the CNPG 1.30.0 operator and the Barman Cloud plugin v0.14.0 actually produce
// (see the upstream references in lib/platform/health-checks.ts).

const DIST = path.join(__dirname, '..', 'dist');
const ARGO_STATUSES = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'];

function health(groupKind: string, obj: unknown): { status: string; message: string } {
  const script = HEALTH_CHECKS[groupKind];
  if (script === undefined) throw new Error(`no health check for ${groupKind}`);
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  // Build `obj` as a Lua table from JSON, as Argo CD does.
  const toLua = (v: any): string => v === null || v === undefined ? 'nil'
    : Array.isArray(v) ? `{${v.map(toLua).join(',')}}`
      : typeof v === 'object' ? `{${Object.entries(v).map(([k, x]) => `[${JSON.stringify(k)}]=${toLua(x)}`).join(',')}}`
        : typeof v === 'string' ? JSON.stringify(v) : String(v);
  const code = `obj = ${toLua(obj)}\nlocal function check()\n${script}\nend\nlocal hs = check()\nreturn hs.status, hs.message`;
  const loaded = lauxlib.luaL_loadstring(L, to_luastring(code));
  if (loaded !== lua.LUA_OK) throw new Error(`${groupKind}: Lua syntax error: ${to_jsstring(lua.lua_tostring(L, -1))}`);
  if (lua.lua_pcall(L, 0, 2, 0) !== lua.LUA_OK) throw new Error(`${groupKind}: Lua error: ${to_jsstring(lua.lua_tostring(L, -1))}`);
  return { status: to_jsstring(lua.lua_tostring(L, -2)), message: to_jsstring(lua.lua_tostring(L, -1) ?? to_luastring('')) };
}

/** A live object as Argo CD sees it: `metadata.generation` is always set by the API server for custom resources. */
const live = (generation: number, spec: object, status?: object) => ({ metadata: { name: 'x', generation }, spec, status });

describe('issue 13 item 6: defects of the health checks (each failed before the fix)', () => {
  test('a Backup whose WAL archiving fails, or whose definition is invalid, is Degraded, not Progressing', () => {
    // pkg/management/postgres/backup.go@v1.30.0 sets phase walArchivingFailing and leaves status.error empty.
    expect(health('postgresql.cnpg.io/Backup', live(1, { method: 'barmanObjectStore' }, { phase: 'walArchivingFailing' }))).toEqual({
      status: 'Degraded',
      message: 'WAL archiving is not working, so the backup did not start: see the Cluster\'s ContinuousArchiving condition',
    });
    // The admission guard (internal/webhook/guard/guard.go, api/v1/backup_funcs.go SetAdmissionError @v1.30.0).
    expect(health('postgresql.cnpg.io/Backup', live(1, { method: 'plugin' }, {
      phase: 'invalid backup definition', error: 'invalid fields: spec.pluginConfiguration.name',
    }))).toEqual({ status: 'Degraded', message: 'Invalid backup definition: invalid fields: spec.pluginConfiguration.name' });
  });

  test('a Pooler is Healthy only when the operator reports it active with every pod created, and does not claim ready pods (CNPG 1.30 reports none)', () => {
    const spec = { cluster: { name: 'cnpg-ha' }, instances: 2, type: 'rw' };
    // status.instances is the Deployment's status.replicas (created pods), set in internal/controller/pooler_status.go.
    expect(health('postgresql.cnpg.io/Pooler', live(1, spec, { instances: 2, phase: 'inactive', phaseReason: 'ClientCASecret "cnpg-ha-ca" not found' })))
      .toEqual({ status: 'Progressing', message: 'Pooler inactive: ClientCASecret "cnpg-ha-ca" not found' });
    expect(health('postgresql.cnpg.io/Pooler', live(1, spec, { instances: 2, phase: 'failed', phaseReason: 'image catalog "pg" not found' })))
      .toEqual({ status: 'Degraded', message: 'Pooler failed: image catalog "pg" not found' });
    expect(health('postgresql.cnpg.io/Pooler', live(1, spec, { instances: 2, phase: 'active', error: 'invalid fields: spec.pgbouncer.parameters' })))
      .toEqual({ status: 'Degraded', message: 'Invalid Pooler definition: invalid fields: spec.pgbouncer.parameters' });
    // No phase: the operator has not reconciled it yet (the phase is written on every status update in 1.30).
    expect(health('postgresql.cnpg.io/Pooler', live(1, spec, { instances: 2 })).status).toBe('Progressing');
    const active = health('postgresql.cnpg.io/Pooler', live(1, spec, { instances: 2, phase: 'active' }));
    expect(active.status).toBe('Healthy');
    expect(active.message).not.toMatch(/pods? ready|ready pods?|instances/i);
    expect(active.message).toBe('Pooler active, 2/2 PgBouncer pods created (CNPG reports no ready count: see Deployment x)');
  });

  test.each([
    ['postgresql.cnpg.io/Database', 'Database'],
    ['postgresql.cnpg.io/DatabaseRole', 'Role'],
    ['postgresql.cnpg.io/Publication', 'Publication'],
    ['postgresql.cnpg.io/Subscription', 'Subscription'],
  ])('%s is not Healthy before the operator has reconciled the current generation', (groupKind, what) => {
    // SetAsReady (api/v1/*_funcs.go@v1.30.0) writes applied=true and observedGeneration=generation together, so
    // applied=true with an older observedGeneration is the previous spec's result.
    expect(health(groupKind, live(3, {}, { applied: true, observedGeneration: 2 }))).toEqual({
      status: 'Progressing', message: `Waiting for the operator to apply generation 3 of the ${what} (generation 2 applied)`,
    });
    expect(health(groupKind, live(1, {}, { applied: true }))).toEqual({
      status: 'Progressing', message: `Waiting for the operator to apply generation 1 of the ${what}`,
    });
    expect(health(groupKind, live(3, {}, { applied: true, observedGeneration: 3 }))).toEqual({ status: 'Healthy', message: `${what} applied (generation 3)` });
  });
});

describe('Argo CD health checks, per kind: status and message', () => {
  type Case = [string, unknown, string, string];
  const cases = (groupKind: string, rows: Case[]) => test.each(rows)(`${groupKind}: %s`, (_what, obj, status, message) => {
    expect(health(groupKind, obj)).toEqual({ status, message });
  });

  describe('postgresql.cnpg.io/Backup', () => cases('postgresql.cnpg.io/Backup', [
    ['no status yet', live(1, { method: 'plugin' }), 'Progressing', 'Waiting for the operator to start the backup'],
    ['pending (target pod not ready, cluster not found yet)', live(1, {}, { phase: 'pending' }), 'Progressing', 'Backup pending'],
    ['started (plugin backups stay here until done)', live(1, { method: 'plugin' }, { phase: 'started' }), 'Progressing', 'Backup started'],
    ['running', live(1, {}, { phase: 'running' }), 'Progressing', 'Backup running'],
    ['finalizing (volume snapshots)', live(1, {}, { phase: 'finalizing' }), 'Progressing', 'Backup finalizing'],
    ['completed', live(1, {}, { phase: 'completed', backupId: '20260801T000000' }), 'Healthy', 'Backup completed: 20260801T000000'],
    ['completed without an id', live(1, {}, { phase: 'completed' }), 'Healthy', 'Backup completed'],
    ['failed (plugin error)', live(1, { method: 'plugin' }, { phase: 'failed', error: 'rpc error: code = Unknown desc = exit status 4' }),
      'Degraded', 'Backup failed: rpc error: code = Unknown desc = exit status 4'],
    ['failed (missing prerequisite)', live(1, {}, { phase: 'failed', error: 'cannot proceed with the backup as the cluster has no plugin configured' }),
      'Degraded', 'Backup failed: cannot proceed with the backup as the cluster has no plugin configured'],
    ['failed without an error', live(1, {}, { phase: 'failed' }), 'Degraded', 'Backup failed'],
    ['walArchivingFailing', live(1, {}, { phase: 'walArchivingFailing' }), 'Degraded',
      'WAL archiving is not working, so the backup did not start: see the Cluster\'s ContinuousArchiving condition'],
    ['invalid backup definition', live(1, {}, { phase: 'invalid backup definition', error: 'invalid fields: spec.method' }), 'Degraded',
      'Invalid backup definition: invalid fields: spec.method'],
    ['invalid backup definition without an error', live(1, {}, { phase: 'invalid backup definition' }), 'Degraded', 'Invalid backup definition'],
  ]));

  describe('postgresql.cnpg.io/Pooler', () => cases('postgresql.cnpg.io/Pooler', [
    ['no status yet', live(1, { instances: 2 }), 'Progressing', 'Waiting for the operator to reconcile the Pooler'],
    ['active, all pods created', live(1, { instances: 2 }, { instances: 2, phase: 'active' }), 'Healthy',
      'Pooler active, 2/2 PgBouncer pods created (CNPG reports no ready count: see Deployment x)'],
    ['active, spec.instances defaulted to 1', live(1, {}, { instances: 1, phase: 'active' }), 'Healthy',
      'Pooler active, 1/1 PgBouncer pods created (CNPG reports no ready count: see Deployment x)'],
    ['active, scaling up', live(2, { instances: 3 }, { instances: 2, phase: 'active' }), 'Progressing', 'Pooler active, 2/3 PgBouncer pods created'],
    ['active, no pods yet (status.instances omitted when 0)', live(1, { instances: 2 }, { phase: 'active' }), 'Progressing', 'Pooler active, 0/2 PgBouncer pods created'],
    ['paused', live(1, { instances: 2, pgbouncer: { paused: true } }, { instances: 2, phase: 'paused', phaseReason: 'pgbouncer is paused' }),
      'Suspended', 'Pooler paused: pgbouncer is paused'],
    ['inactive', live(1, { instances: 2 }, { phase: 'inactive', phaseReason: 'Cluster "cnpg-ha" not found' }), 'Progressing',
      'Pooler inactive: Cluster "cnpg-ha" not found'],
    ['failed', live(1, { instances: 2 }, { instances: 2, phase: 'failed', phaseReason: 'catalog error' }), 'Degraded', 'Pooler failed: catalog error'],
    ['invalid definition', live(1, { instances: 2 }, { error: 'invalid fields: spec.type' }), 'Degraded', 'Invalid Pooler definition: invalid fields: spec.type'],
  ]));

  for (const [kind, what] of [['Database', 'Database'], ['Publication', 'Publication'], ['Subscription', 'Subscription'], ['DatabaseRole', 'Role']]) {
    describe(`postgresql.cnpg.io/${kind}`, () => cases(`postgresql.cnpg.io/${kind}`, [
      ['no status yet', live(1, {}), 'Progressing', `Waiting for the operator to apply generation 1 of the ${what}`],
      ['applied, current generation', live(2, {}, { applied: true, observedGeneration: 2 }), 'Healthy', `${what} applied (generation 2)`],
      ['applied, older generation', live(2, {}, { applied: true, observedGeneration: 1 }), 'Progressing',
        `Waiting for the operator to apply generation 2 of the ${what} (generation 1 applied)`],
      // SetAsFailed does not advance observedGeneration: a failure is reported whatever the generation.
      ['not applied, first generation', live(1, {}, { applied: false, message: 'extension "x" is not available' }), 'Degraded', 'extension "x" is not available'],
      ['not applied after a spec change', live(3, {}, { applied: false, observedGeneration: 2, message: 'permission denied' }), 'Degraded', 'permission denied'],
      ['not applied, no message', live(1, {}, { applied: false }), 'Degraded', `${what} not applied`],
      // SetAsUnknown: applied unset with a message, e.g. on a replica cluster.
      ['unknown (replica cluster)', live(1, {}, { message: 'waiting for the cluster to become primary' }), 'Progressing',
        'waiting for the cluster to become primary'],
    ]));
  }

  describe('postgresql.cnpg.io/DatabaseRole password changes', () => cases('postgresql.cnpg.io/DatabaseRole', [
    ['password Secret changed, not applied yet', live(1, { name: 'app', passwordSecret: { name: 's' } }, {
      applied: true, observedGeneration: 1, secretResourceVersion: '100',
      conditions: [{ type: 'PasswordSecretChange', status: 'True', reason: 'ChangeDetected', message: '101' }],
    }), 'Progressing', 'Waiting for the instance manager to apply the new password (Secret version 101, applied 100)'],
    ['password Secret applied', live(1, { name: 'app', passwordSecret: { name: 's' } }, {
      applied: true, observedGeneration: 1, secretResourceVersion: '101',
      conditions: [{ type: 'PasswordSecretChange', status: 'True', reason: 'ChangeDetected', message: '101' }],
    }), 'Healthy', 'Role applied (generation 1)'],
    ['stale condition without a passwordSecret is ignored', live(2, { name: 'app' }, {
      applied: true, observedGeneration: 2, secretResourceVersion: '',
      conditions: [{ type: 'PasswordSecretChange', status: 'True', reason: 'ChangeDetected', message: '101' }],
    }), 'Healthy', 'Role applied (generation 2)'],
  ]));

  describe('postgresql.cnpg.io/ScheduledBackup', () => cases('postgresql.cnpg.io/ScheduledBackup', [
    ['suspended', live(1, { suspend: true }), 'Suspended', 'Scheduled backups are suspended'],
    ['scheduled', live(1, {}, { nextScheduleTime: '2026-12-01T00:00:00Z' }), 'Healthy', 'Next backup at 2026-12-01T00:00:00Z'],
    ['not yet scheduled', live(1, {}), 'Healthy', 'Next backup scheduled'],
    ['invalid definition', live(1, {}, { error: 'invalid fields: spec.schedule' }), 'Degraded', 'Invalid ScheduledBackup definition: invalid fields: spec.schedule'],
  ]));

  describe('barmancloud.cnpg.io/ObjectStore', () => cases('barmancloud.cnpg.io/ObjectStore', [
    ['no status (no backup yet)', live(1, { configuration: {} }), 'Healthy', 'ObjectStore defined'],
    ['recovery windows, sorted by server', live(1, {}, {
      serverRecoveryWindow: {
        'cnpg-ha': { firstRecoverabilityPoint: '2026-07-01T00:00:00Z', lastSuccessfulBackupTime: '2026-08-01T00:00:00Z' },
        'b-old': { lastSuccessfulBackupTime: '2026-08-01T00:00:00Z', lastFailedBackupTime: '2026-08-02T00:00:00Z' },
        'a-new': { lastFailedBackupTime: '2026-08-02T00:00:00Z' },
      },
    }), 'Healthy', 'ObjectStore defined; a-new: no successful backup, last backup failed at 2026-08-02T00:00:00Z; '
      + 'b-old: last backup 2026-08-01T00:00:00Z, last backup failed at 2026-08-02T00:00:00Z; cnpg-ha: last backup 2026-08-01T00:00:00Z'],
    ['a failure older than the last success is not reported', live(1, {}, {
      serverRecoveryWindow: { 'cnpg-ha': { lastSuccessfulBackupTime: '2026-08-02T00:00:00Z', lastFailedBackupTime: '2026-08-01T00:00:00Z' } },
    }), 'Healthy', 'ObjectStore defined; cnpg-ha: last backup 2026-08-02T00:00:00Z'],
  ]));

  describe('helm.cattle.io/HelmChart', () => cases('helm.cattle.io/HelmChart', [
    ['installed', { status: { jobName: 'helm-install-cnpg' } }, 'Healthy', 'Installed by job helm-install-cnpg'],
    ['failed', { status: { jobName: 'helm-install-cnpg', conditions: [{ type: 'Failed', status: 'True', message: 'chart not found' }] } }, 'Degraded', 'chart not found'],
    ['not yet run', {}, 'Progressing', 'Waiting for the helm-controller'],
  ]));

  describe('argoproj.io/Application', () => cases('argoproj.io/Application', [
    ['healthy child', { spec: { syncPolicy: { automated: {} } }, status: { health: { status: 'Healthy' } } }, 'Healthy', ''],
    ['degraded child', { spec: { syncPolicy: { automated: {} } }, status: { health: { status: 'Degraded', message: 'x' } } }, 'Degraded', 'x'],
    ['no status yet', { spec: { syncPolicy: { automated: {} } } }, 'Progressing', ''],
    // The restore drill: synced by hand, so its Missing resources must not hold the app of apps back (issue 13).
    ['a manual child never synced', { spec: { syncPolicy: { syncOptions: [] } }, status: { health: { status: 'Missing' } } }, 'Healthy', 'Synced by hand only: not synced yet'],
    ['a manual child that was synced and is degraded', { spec: {}, status: { health: { status: 'Degraded', message: 'x' }, operationState: { phase: 'Succeeded' } } }, 'Degraded', 'x'],
    ['a manual child being synced', { spec: {}, status: { health: { status: 'Progressing' }, operationState: { phase: 'Running' } } }, 'Progressing', ''],
  ]));
});

describe('Argo CD health checks: every check, the argocd-cm patch and dist/', () => {
  // Only these two are Healthy before anything reported on them (see lib/platform/health-checks.ts for why).
  // (An Application without spec.syncPolicy.automated is synced by hand: Healthy until someone syncs it.)
  const HEALTHY_WHEN_THEY_EXIST = ['argoproj.io/Application', 'barmancloud.cnpg.io/ObjectStore', 'postgresql.cnpg.io/ScheduledBackup'];
  test.each(Object.keys(HEALTH_CHECKS))('%s runs on an object without status, and with an empty status, and returns an Argo CD status', (groupKind) => {
    for (const obj of [{}, { metadata: { generation: 1 } }, { metadata: { generation: 1 }, spec: {}, status: {} }]) {
      const { status, message } = health(groupKind, obj);
      expect(ARGO_STATUSES).toContain(status);
      expect([groupKind, status]).toEqual([groupKind, HEALTHY_WHEN_THEY_EXIST.includes(groupKind) ? 'Healthy' : 'Progressing']);
      expect(typeof message).toBe('string');
    }
  });

  test('the argocd-cm patch carries every check under its resource.customizations.health key', () => {
    expect(healthCheckKey('postgresql.cnpg.io/Pooler')).toBe('resource.customizations.health.postgresql.cnpg.io_Pooler');
    const data = parse(argocdConfigMapPatch())?.data ?? {};
    expect(Object.keys(data).sort()).toEqual(Object.keys(HEALTH_CHECKS).map(healthCheckKey).sort());
    for (const groupKind of Object.keys(HEALTH_CHECKS)) expect(data[healthCheckKey(groupKind)]).toBe(HEALTH_CHECKS[groupKind]);
  });

  test('every CNPG and plugin kind the platform emits that Argo CD does not know has a check, and dist/ ships the argocd-cm patch', () => {
    const kinds = new Set(readManifests(path.join(DIST, 'default')).map((m) => `${m.object.apiVersion.split('/')[0]}/${m.object.kind}`));
    const unknownToArgo = [...kinds].filter((k) => /cnpg\.io|helm\.cattle\.io/.test(k) && k !== 'postgresql.cnpg.io/Cluster');
    for (const k of unknownToArgo) expect([k, HEALTH_CHECKS[k] !== undefined]).toEqual([k, true]);
    const patch = fs.readFileSync(path.join(DIST, 'argocd-cm.health-checks.yaml'), 'utf8');
    expect(patch).toContain('resource.customizations.health.postgresql.cnpg.io_Pooler: |');
    expect(patch).toContain('resource.customizations.health.argoproj.io_Application: |');
  });
});
