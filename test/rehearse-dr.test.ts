/**
 * The disaster-recovery rehearsal for real (`npm run test:rehearsal`; `npm run rehearse -- --dr`): the default
 * environment's cluster as the primary archiving to a local S3 server with the Barman Cloud plugin's arguments, the
 * dr environment's replica restored from that archive through its read-only ObjectStore copy and replaying WAL with
 * barman-cloud-wal-restore, rows arriving with a measured lag, the primary lost, the replica promoted, the data loss
 * measured: exactly the rows committed after the last archived WAL.
 */
import * as os from 'os';
import { buildEnvironment } from '../lib';
import { drRehearsalInputs, runDrRehearsal } from '../lib/rehearse/dr-rehearsal';
import { RehearsalError } from '../lib/rehearse/manifests';
import { DEFAULT_ENVIRONMENT, DR_ENVIRONMENT } from '../main';
import { rehearsalToolsPresent } from './support/rehearse-tools';
import { demoKey } from './support/unseal';

jest.setTimeout(120_000);

const site = (env: typeof DEFAULT_ENVIRONMENT) => ({ name: env.name, production: env.production, ...buildEnvironment(env, os.tmpdir()) });

describe('what the DR rehearsal reads', () => {
  test('the primary\'s own store, the replica\'s read-only copy of it (same path, its own sealed credential) and the replica\'s own store', () => {
    const inputs = drRehearsalInputs(site(DEFAULT_ENVIRONMENT), site(DR_ENVIRONMENT));
    expect(inputs.primary.objectStore.metadata).toMatchObject({ name: 'cnpg-ha-backups', namespace: 'data-infra' });
    expect(inputs.replicaSource.objectStore.metadata).toMatchObject({ name: 'cnpg-ha-archive', namespace: 'data-infra' });
    expect((inputs.replicaSource.objectStore.spec as any).configuration.destinationPath).toBe((inputs.primary.objectStore.spec as any).configuration.destinationPath);
    expect((inputs.replicaSource.objectStore.spec as any).configuration.s3Credentials.accessKeyId.name).toBe('cnpg-ha-archive-s3');
    expect(inputs.replicaSource.serverName).toBe('cnpg-ha');
    expect(inputs.replicaOwn.serverName).toBe('cnpg-ha-dr');
    expect(inputs.replicaOwn.cluster.metadata.name).toBe('cnpg-ha-dr');
  });

  test('fails before anything starts when the two environments are not one topology', () => {
    expect(() => drRehearsalInputs(site(DEFAULT_ENVIRONMENT), site({ ...DR_ENVIRONMENT, platform: { ...DR_ENVIRONMENT.platform, disasterRecovery: undefined, cluster: { ...DR_ENVIRONMENT.platform.cluster } } })))
      .toThrow(RehearsalError);
  });
});

if (process.env.CDK8S_CNPG_REHEARSAL_RUN !== '1') {
  test.skip('the real-tool DR rehearsal runs with npm run test:rehearsal', () => undefined);
} else if (rehearsalToolsPresent({ pgbouncer: false })) {
  test('replay, the primary\'s loss, promotion and the measured data loss with the real tools', async () => {
    const lines: string[] = [];
    const result = await runDrRehearsal(drRehearsalInputs(site(DEFAULT_ENVIRONMENT), site(DR_ENVIRONMENT)), {
      demoKeyPem: demoKey().privateKeyPem, demoKeyPath: 'test/keys/demo-sealing-key.TEST-ONLY.pem', processEnv: {}, log: (l) => lines.push(l),
    });
    // eslint-disable-next-line no-console
    console.log(lines.join('\n'));
    expect(result.error?.message).toBeUndefined();
    expect(result.passed).toBe(true);
    expect(result.lagMs).toHaveLength(3);
    for (const lag of result.lagMs) expect(lag).toBeLessThan(20_000);
    // a quiet primary still ships: the heartbeat's transaction, with no other write, is replayed on the replica
    expect(result.heartbeat?.xid).toMatch(/^\d+$/);
    expect(result.heartbeat!.replayedAfterMs).toBeLessThan(20_000);
    expect(result.rows).toEqual({ written: 210, onReplica: 160, lost: 50, lostAfterLastArchivedWal: 50 });
    expect(result.promoted).toEqual({ timeline: 2, wrote: true, ownArchiveHistory: true, primaryPathUntouched: true });
    expect(result.durationMs).toBeLessThan(40_000);
    expect(result.verdict).toMatch(/^DR REHEARSAL PASSED: WAL replay lag .*data loss 50 rows, exactly those committed after the last archived WAL/);
  });
}
