/**
 * `npm run rehearse` for real: the default environment's synthesized backup configuration, with a real PostgreSQL 16,
 * the real barman-cloud tools and an S3 server on loopback — base backup, WAL archive, point-in-time restore the way
 * the restore drill declares it, and the row-level verdict. Broken configurations fail naming the synthesized field.
 *
 * The servers are started one after another (one rehearsal at a time) to keep the suite within its time budget.
 */
import * as fs from 'fs';
import * as os from 'os';
import { JsonPatch } from 'cdk8s';
import { runRehearseCommand } from '../lib/rehearse/command';
import { openSealedValue } from '../lib/rehearse/credentials';
import { inputsFromConstructs, Manifest, RehearsalInputs } from '../lib/rehearse/manifests';
import { runRehearsal } from '../lib/rehearse/rehearsal';
import { buildEnvironment, Environment } from '../lib';
import { DEFAULT_ENVIRONMENT, REPO_ROOT } from '../main';
import { rehearsalToolsPresent } from './support/rehearse-tools';
import { demoKey, labelFor, unsealValue } from './support/unseal';

jest.setTimeout(120_000);

const STORE = 'ObjectStore data-infra/cnpg-ha-backups';
const DEMO_KEY_PATH = `${REPO_ROOT}/test/keys/demo-sealing-key.TEST-ONLY.pem`;

/** The default environment's inputs; `patch` may use escape hatches on the built platform first. */
function defaultInputs(patch?: (p: ReturnType<typeof buildEnvironment>['platform']) => void): RehearsalInputs {
  const { app, platform } = buildEnvironment(DEFAULT_ENVIRONMENT, os.tmpdir());
  patch?.(platform);
  return inputsFromConstructs(app, {
    environment: 'default',
    defaultCluster: platform.cluster.clusterName,
    sealedStore: platform.sealedValues.store,
    sealedStorePath: 'secrets/default/sealed-values.json',
  });
}

/** A copy of `m` with `edit` applied to its JSON (what an escape-hatch patch would render). */
function edited(m: Manifest, edit: (json: any) => void): Manifest {
  const copy = JSON.parse(JSON.stringify(m));
  edit(copy);
  return copy;
}

/** Our temporary directories that exist now. */
function ourTempDirs(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((d) => /^cdk8s-cnpg-(rehearse|s3)-/.test(d)).sort();
}

let inputs: RehearsalInputs;
beforeAll(() => {
  inputs = defaultInputs();
});

const options = { demoKeyPem: demoKey().privateKeyPem, demoKeyPath: 'test/keys/demo-sealing-key.TEST-ONLY.pem', processEnv: {} };

describe('what the rehearsal reads', () => {
  test('the default environment: cluster, ObjectStore, server name, PostgreSQL 16, the restore drill and the pooler', () => {
    expect(inputs.cluster.metadata).toMatchObject({ name: 'cnpg-ha', namespace: 'data-infra' });
    expect(inputs.objectStore.metadata).toMatchObject({ name: 'cnpg-ha-backups', namespace: 'data-infra' });
    expect(inputs.serverName).toBe('cnpg-ha');
    expect(inputs.serverNameField).toBe('Cluster data-infra/cnpg-ha spec.plugins[0].parameters.serverName');
    expect(inputs.postgresMajor).toBe(16);
    expect(inputs.drill?.metadata).toMatchObject({ name: 'cnpg-ha-drill', namespace: 'restore-drill' });
    expect(inputs.poolers.map((p) => p.metadata.name)).toEqual(['cnpg-ha-pooler-rw']);
  });

  test('the demo credentials open with the lib unsealer exactly as with the independent test unsealer', () => {
    const entry = inputs.sealedStore!.lookup('data-infra', 'cnpg-backup-s3')!;
    const label = labelFor('data-infra', 'cnpg-backup-s3');
    for (const key of ['aws_access_key_id', 'aws_secret_access_key', 'region']) {
      const ours = openSealedValue(demoKey().privateKeyPem, label, entry.keys[key]).toString('utf8');
      expect(ours).toBe(unsealValue(demoKey().privateKeyPem, label, entry.keys[key]).toString('utf8'));
    }
  });
});

describe('failure is informative, before anything starts', () => {
  test('a store whose credentials sit under a key name the Secret does not have fails naming the field', async () => {
    const broken = defaultInputs((platform) => {
      // an escape hatch the synth checks cannot see: the rendered ObjectStore references another key
      platform.backupStore!.apiObject.addJsonPatch(JsonPatch.replace('/spec/configuration/s3Credentials/accessKeyId/key', 'access_key_id'));
    });
    const before = ourTempDirs();
    const lines: string[] = [];
    const result = await runRehearsal(broken, { ...options, log: (l) => lines.push(l) });
    expect(result.passed).toBe(false);
    expect(result.verdict).toMatch(/^REHEARSAL FAILED: default\/cnpg-ha: /);
    expect(result.verdict).toContain(`${STORE} spec.configuration.s3Credentials.accessKeyId.key: `);
    expect(result.verdict).toContain('refers to key "access_key_id" of the Secret data-infra/cnpg-backup-s3, which has only aws_access_key_id, aws_secret_access_key, region');
    expect(lines[lines.length - 1]).toBe(result.verdict);
    expect(ourTempDirs()).toEqual(before);
  });

  test('a parameter PostgreSQL refuses fails naming the Cluster field', async () => {
    const broken: RehearsalInputs = {
      ...inputs,
      cluster: edited(inputs.cluster, (c) => (c.spec.postgresql.parameters.shared_buffers = 'lots')),
    };
    const result = await runRehearsal(broken, options);
    expect(result.passed).toBe(false);
    expect(result.error?.message).toMatch(/^Cluster data-infra\/cnpg-ha spec\.postgresql\.parameters\.shared_buffers: PostgreSQL 16 refuses it: .*invalid value for parameter "shared_buffers": "lots"/);
  });

  test('the command: usage errors exit 2, a broken environment exits 1 with the one-line verdict', async () => {
    const out: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), env: {} };
    const broken: Environment = { ...DEFAULT_ENVIRONMENT, platform: { ...DEFAULT_ENVIRONMENT.platform, s3Credential: { region: 'ap-northeast-1', accessKeyIdKey: 'access_key_id' } } };
    const envs = [{ name: 'default', production: false, build: () => buildEnvironment(broken, os.tmpdir()) }];
    expect(await runRehearseCommand(['--timeout', 'soon'], io, envs)).toBe(2);
    expect(out.join('')).toContain('--timeout takes whole seconds');
    expect(await runRehearseCommand(['--env', 'nope'], io, envs)).toBe(2);
    expect(await runRehearseCommand(['--help'], io, envs)).toBe(0);
    out.length = 0;
    expect(await runRehearseCommand(['--env', 'default'], io, envs, { demoKeyPath: DEMO_KEY_PATH })).toBe(1);
    const text = out.join('');
    // the synth check catches this one first: the sealed store has no such key
    expect(text).toMatch(/REHEARSAL FAILED: default: .*does not synthesize/);
    expect(text).toContain('access_key_id');
  });
});

describe('with the real tools', () => {
  if (!rehearsalToolsPresent()) return;

  test('the default environment round trip: nothing committed before the target is lost, nothing after it appears', async () => {
    const before = ourTempDirs();
    const lines: string[] = [];
    const result = await runRehearsal(inputs, { ...options, log: (l) => lines.push(l) });
    const text = lines.join('\n');
    if (!result.passed) throw new Error(`${result.verdict}\n${text}`);

    // the target is of the kind the drill declares (a time), taken between the two batches
    expect(result.target).toMatchObject({ kind: 'time', setting: 'recovery_target_time', inclusive: true });
    expect(result.target!.value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    // the row-level verdict
    expect(result.rows).toEqual({
      beforeTarget: { written: 200, restored: 200 },
      afterTarget: { written: 100, restored: 0 },
      missing: [],
      unexpected: [],
    });
    expect(result.backup!.bytes).toBeGreaterThan(1024 * 1024);
    expect(result.wal!.files).toBeGreaterThanOrEqual(2);
    expect(result.wal!.restored).toBeGreaterThanOrEqual(2);
    // exactly the synthesized store: compression, encryption, destination, server name; the endpoint overridden
    expect(text).toMatch(/archive_command = \S*barman-cloud-wal-archive --gzip -e AES256 --endpoint-url http:\/\/127\.0\.0\.1:\d+ --cloud-provider aws-s3 s3:\/\/my-cnpg-backups\/production cnpg-ha %p/);
    expect(text).toContain('endpointURL https://s3.ap-northeast-1.amazonaws.com is OVERRIDDEN');
    expect(text).toContain('unsealed from secrets/default/sealed-values.json with the TEST-ONLY demo key');
    expect(text).toMatch(/restore_command = \S*barman-cloud-wal-restore --endpoint-url http:\/\/127\.0\.0\.1:\d+ --cloud-provider aws-s3 s3:\/\/my-cnpg-backups\/production cnpg-ha %f %p/);
    expect(text).toMatch(/recovery_target_action = 'promote', recovery_target_time = '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00'/);
    // s3rver does not implement server-side encryption: said, not hidden
    expect(result.notes.join('\n')).toContain('-e AES256 (ObjectStore data-infra/cnpg-ha-backups spec.configuration.wal.encryption) was passed and accepted, but the local S3 server (s3rver) does not report server-side encryption');
    // the default environment's pooler was loaded by a real PgBouncer in front of the rehearsal's PostgreSQL
    expect(result.poolers).toHaveLength(1);
    expect(result.poolers[0]).toMatchObject({ pooler: 'Pooler data-infra/cnpg-ha-pooler-rw', poolMode: 'session', rows: [{ rows: 300 }] });
    // the one-line verdict, last
    expect(lines[lines.length - 1]).toBe(result.verdict);
    expect(result.verdict).toMatch(/^REHEARSAL PASSED: default\/cnpg-ha: base backup [\d.]+ MiB \+ \d+ WAL files .* 200\/200 rows before the target, 0\/100 after it/);
    // everything cleaned up
    expect(ourTempDirs()).toEqual(before);
  });

  test('a destination the tools reject fails naming destinationPath, before PostgreSQL starts', async () => {
    const broken: RehearsalInputs = {
      ...inputs,
      objectStore: edited(inputs.objectStore, (s) => (s.spec.configuration.destinationPath = 'gs://my-cnpg-backups/production')),
    };
    const lines: string[] = [];
    const result = await runRehearsal(broken, { ...options, log: (l) => lines.push(l) });
    expect(result.passed).toBe(false);
    expect(result.error?.message).toMatch(/^ObjectStore data-infra\/cnpg-ha-backups spec\.configuration\.destinationPath: barman-cloud-wal-archive failed \(exit \d+\): .*Invalid s3 URL address: gs:\/\/my-cnpg-backups\/production/);
    expect(lines.join('\n')).not.toContain('PostgreSQL 16.');
  });

  test('a compression the tools do not know fails naming wal.compression', async () => {
    const broken: RehearsalInputs = { ...inputs, objectStore: edited(inputs.objectStore, (s) => (s.spec.configuration.wal.compression = 'brotli')) };
    const result = await runRehearsal(broken, options);
    expect(result.passed).toBe(false);
    expect(result.error?.message).toMatch(/^ObjectStore data-infra\/cnpg-ha-backups spec\.configuration\.wal\.compression: barman-cloud-wal-archive [\d.]+ has no --brotli/);
  });

  test('an abort (SIGINT) stops every process and removes every temporary file', async () => {
    const pgDirs = () => fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('cdk8s-cnpg-pg16-'));
    const before = ourTempDirs();
    const pgBefore = pgDirs();
    const abort = new AbortController();
    const lines: string[] = [];
    const result = await runRehearsal(inputs, {
      ...options,
      signal: abort.signal,
      log: (l) => {
        lines.push(l);
        if (/PostgreSQL 16\.\d+ started/.test(l)) abort.abort();
      },
    });
    expect(result.passed).toBe(false);
    expect(result.verdict).toContain('aborted (signal)');
    expect(ourTempDirs()).toEqual(before);
    // the server's own directory goes only after its process has exited
    expect(pgDirs().filter((d) => !pgBefore.includes(d))).toEqual([]);
  });
});
