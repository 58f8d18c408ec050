/**
 * The pooler check of `npm run rehearse`: a synthesized Pooler's PgBouncer configuration, rendered as CloudNativePG
 * renders it, loaded by a real pgbouncer in front of a real PostgreSQL 16, with a query through it in the pooler's
 * pool mode. A parameter PgBouncer refuses fails naming the Pooler field.
 */
import * as os from 'os';
import { Client } from 'pg';
import { Pooler, PoolMode } from '../lib/cluster/pooler';
import { PlatformComponent } from '../lib/platform';
import { Manifest, RehearsalError } from '../lib/rehearse/manifests';
import { checkPooler, POOLER_AUTH_QUERY, preparePoolerAuth, renderPgbouncerFiles, versionAtLeast } from '../lib/rehearse/pooler-check';
import { toolInfo } from '../lib/rehearse/processes';
import { RealPostgres } from '../lib/rehearse/real-postgres';
import { rehearsalHbaLines } from '../lib/rehearse/rehearsal';
import { buildEnvironment } from '../lib';
import { DEFAULT_ENVIRONMENT } from '../main';
import { rehearsalToolsPresent } from './support/rehearse-tools';

jest.setTimeout(60_000);

const { platform } = buildEnvironment(DEFAULT_ENVIRONMENT, os.tmpdir());
const chart = platform.component(PlatformComponent.DATABASE, 'data-infra');
const cluster = platform.cluster.apiObject.toJson() as Manifest;
const defaultPooler = platform.pooler!.apiObject.toJson() as Manifest;
const pooler = (id: string, props: Omit<ConstructorParameters<typeof Pooler>[2], 'cluster'>): Manifest =>
  new Pooler(chart, id, { cluster: platform.cluster, monitoring: false, ...props }).apiObject.toJson() as Manifest;
const transactionPooler = pooler('Tx', { name: 'cnpg-ha-pooler-tx', poolMode: PoolMode.TRANSACTION, parameters: { default_pool_size: 5, max_client_conn: 200 } });
const refusedPooler = pooler('Refused', { name: 'cnpg-ha-pooler-refused', parameters: { default_pool_size: 'lots' } });
const newerPooler = pooler('Newer', { name: 'cnpg-ha-pooler-newer', poolMode: PoolMode.TRANSACTION, parameters: { max_prepared_statements: 100 } });

describe('the pgbouncer.ini CloudNativePG would write', () => {
  const layout = { dir: '/run/x', listenPort: 6432, serverHost: '127.0.0.1', serverPort: 5433, authPassword: 'pw"1' };

  test('databases, pool mode, auth query, CloudNativePG defaults under the Pooler\'s parameters, the forced ones', () => {
    const files = renderPgbouncerFiles(transactionPooler, layout);
    const lines = files.ini.split('\n');
    expect(lines.slice(0, 9)).toEqual([
      '[databases]',
      '* = host=127.0.0.1 port=5433',
      '',
      '[pgbouncer]',
      'pool_mode = transaction',
      'auth_user = cnpg_pooler_pgbouncer',
      `auth_query = ${POOLER_AUTH_QUERY}`,
      'auth_dbname = postgres',
      '',
    ]);
    expect(lines).toEqual(expect.arrayContaining([
      'auth_type = hba',
      'client_tls_sslmode = prefer',
      'server_tls_sslmode = verify-ca',
      'log_stats = 0',
      'ignore_startup_parameters = extra_float_digits,options',
      'default_pool_size = 5',
      'max_client_conn = 200',
      'listen_addr = 127.0.0.1',
      'listen_port = 6432',
      'admin_users = pgbouncer',
      'auth_file = /run/x/userlist.txt',
      'auth_hba_file = /run/x/pg_hba.conf',
    ]));
    expect(files.fields.get('default_pool_size')).toBe('Pooler data-infra/cnpg-ha-pooler-tx spec.pgbouncer.parameters.default_pool_size');
    expect(files.fields.get('pool_mode')).toBe('Pooler data-infra/cnpg-ha-pooler-tx spec.pgbouncer.poolMode');
    expect(files.hba).toBe('local pgbouncer pgbouncer peer\nhost all all 0.0.0.0/0 md5\nhost all all ::/0 md5\n');
    expect(files.userlist).toBe('"cnpg_pooler_pgbouncer" "pw""1"\n');
  });

  test('a PgBouncer older than 1.20 gets no auth_dbname; skipped parameters are left out', () => {
    const ini = renderPgbouncerFiles(newerPooler, layout, { authDbname: false, skip: ['max_prepared_statements'] }).ini;
    expect(ini).not.toContain('auth_dbname');
    expect(ini).not.toContain('max_prepared_statements');
    expect(versionAtLeast('1.18.0', 1, 20)).toBe(false);
    expect(versionAtLeast('1.24.1', 1, 20)).toBe(true);
    expect(versionAtLeast('2.0', 1, 20)).toBe(true);
  });
});

describe('with a real pgbouncer in front of a real PostgreSQL', () => {
  if (!rehearsalToolsPresent({ barman: false })) return;

  let pg: RealPostgres;
  let authPassword: string;
  const app = { user: 'app_user', password: 'app-secret-1', database: 'appdb' };
  beforeAll(async () => {
    pg = await RealPostgres.start(16, { tcp: true, hbaLines: rehearsalHbaLines(cluster) });
    await pg.query(`CREATE ROLE app_user LOGIN PASSWORD '${app.password}'`);
    await pg.query('CREATE DATABASE appdb OWNER app_user');
    authPassword = await preparePoolerAuth(pg, ['appdb']);
  });
  afterAll(async () => {
    await pg?.stop({ immediate: true });
  });
  const check = (p: Manifest) => checkPooler({ pooler: p, postgres: pg, authPassword, ...app, query: 'SELECT current_user AS who, current_database() AS db', workDir: os.tmpdir() });

  test('the cluster\'s hba (hostssl scram-sha-256, hostnossl reject) admits PgBouncer over TLS only', async () => {
    const plain = new Client({ host: '127.0.0.1', port: pg.port, user: 'app_user', password: app.password, database: 'appdb' });
    await expect(plain.connect()).rejects.toThrow(/no encryption/);
  });

  test('the default environment\'s pooler: a query goes through in session mode, one server connection per client', async () => {
    const r = await check(defaultPooler);
    expect(r).toMatchObject({ pooler: 'Pooler data-infra/cnpg-ha-pooler-rw', poolMode: 'session', rows: [{ who: 'app_user', db: 'appdb' }] });
    expect(r.backendPids[0]).not.toBe(r.backendPids[1]);
    expect(r.ini).toContain('pool_mode = session');
  });

  test('a transaction-mode pooler: two clients in turn share one server connection', async () => {
    const r = await check(transactionPooler);
    expect(r).toMatchObject({ poolMode: 'transaction', rows: [{ who: 'app_user', db: 'appdb' }] });
    expect(r.backendPids[0]).toBe(r.backendPids[1]);
  });

  test('a parameter PgBouncer refuses fails naming the Pooler field', async () => {
    const e = await check(refusedPooler).then(() => undefined, (x: Error) => x);
    expect(e).toBeInstanceOf(RehearsalError);
    expect(e!.message).toMatch(/^Pooler data-infra\/cnpg-ha-pooler-refused spec\.pgbouncer\.parameters\.default_pool_size: PgBouncer [\d.]+ refuses the value "lots" of default_pool_size/);
  });

  test('a parameter newer than the local PgBouncer is reported as not checked, not as a failure', async () => {
    const version = (await toolInfo('pgbouncer'))!.version;
    const r = await check(newerPooler);
    expect(r.unverified).toEqual(versionAtLeast(version, 1, 21) ? [] : ['max_prepared_statements']);
    expect(r.backendPids[0]).toBe(r.backendPids[1]);
  });
});
