/**
 * The library's admission verdicts against real PostgreSQL servers:
 * - the parameters and pg_hba of every environment in main.ts are accepted by a server of their major, as
 *   CloudNativePG would write them (its fixed pg_hba rules first, its trailing rule last; the forbidden parameters
 *   are the operator's, so they never appear in what the library emits);
 * - the pg_hba parser agrees with PostgreSQL's own (pg_hba_file_rules) on good and bad lines.
 */
import { CnpgCluster } from '../lib';
import { clusterAdmissionProblems } from '../lib/rules/admission';
import { clusterMajor } from '../lib/rules/admission/cluster-checks';
import { forbiddenParameter } from '../lib/rules/admission/parameters';
import { CNPG_FIXED_PG_HBA, parseHbaLine } from '../lib/rules/pg-hba';
import { CNPG_MANAGED_EXTENSIONS } from '../lib/rules/postgres-settings';
import { buildEnvironment } from '../lib';
import { ENVIRONMENTS } from '../main';
import { checkConfigWithRealServer, REAL_POSTGRES_MAJORS, withPostgres } from './support/real-postgres';
import { tempDir } from './support/synth';

jest.setTimeout(180_000);

/** Managed extensions the test servers do not ship (CloudNativePG's standard images do): their parameters are left out. */
const NOT_SHIPPED = ['pgaudit', 'pg_failover_slots'];

interface ServerConfig {
  readonly where: string[];
  readonly major: number;
  readonly parameters: Record<string, string>;
  readonly hba: string[];
}

/** postgresql.conf and pg_hba.conf as CloudNativePG writes them for a Cluster (the parts PostgreSQL checks). */
function serverConfig(where: string, cluster: any): ServerConfig {
  const pg = cluster.spec?.postgresql ?? {};
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries<string>(pg.parameters ?? {})) {
    if (NOT_SHIPPED.some((e) => k.startsWith(`${e}.`))) continue;
    parameters[k] = v;
  }
  // the operator adds its managed extensions to shared_preload_libraries when one of their parameters is set
  const libraries = new Set<string>(pg.shared_preload_libraries ?? []);
  for (const e of CNPG_MANAGED_EXTENSIONS) {
    if (!NOT_SHIPPED.includes(e) && Object.keys(parameters).some((k) => k.startsWith(`${e}.`))) libraries.add(e);
  }
  if (libraries.size > 0) parameters.shared_preload_libraries = [...libraries].sort().join(',');
  const hba = [
    ...CNPG_FIXED_PG_HBA,
    ...(pg.pg_hba ?? []).map((l: string) => l.replace(/\$\{podselector:[^}]*\}/g, '192.0.2.1/32')),
    'host all all all scram-sha-256',
  ];
  return { where: [where], major: clusterMajor(cluster)!, parameters, hba };
}

const configs: ServerConfig[] = [];
const clusters: Array<{ where: string; json: any }> = [];
for (const env of ENVIRONMENTS) {
  const { app } = buildEnvironment(env, tempDir());
  for (const c of app.node.findAll().filter((x): x is CnpgCluster => x instanceof CnpgCluster)) {
    const json = c.apiObject.toJson();
    const where = `${env.name}: ${c.node.path}`;
    clusters.push({ where, json });
    const cfg = serverConfig(where, json);
    const same = configs.find((x) => JSON.stringify([x.major, x.parameters, x.hba]) === JSON.stringify([cfg.major, cfg.parameters, cfg.hba]));
    if (same) same.where.push(where);
    else configs.push(cfg);
  }
}

describe('every environment in main.ts', () => {
  test('has clusters, all of a major with a real test server', () => {
    expect(clusters.length).toBeGreaterThanOrEqual(ENVIRONMENTS.length);
    for (const c of configs) expect(REAL_POSTGRES_MAJORS as readonly number[]).toContain(c.major);
  });

  test.each(clusters.map((c) => [c.where, c.json] as const))('%s passes the admission rules and emits no forbidden parameter', (_where, json) => {
    expect(clusterAdmissionProblems(json).errors).toEqual([]);
    expect(Object.keys(json.spec?.postgresql?.parameters ?? {}).filter((k) => forbiddenParameter(k))).toEqual([]);
  });

  test.each(configs.map((c) => [c.where.join(', '), c] as const))('a real server accepts the parameters and pg_hba of %s', async (_where, cfg) => {
    const r = await checkConfigWithRealServer(cfg.major, cfg.parameters, cfg.hba);
    expect({ started: r.started, messages: r.messages, hbaErrors: r.hbaErrors }).toEqual({ started: true, messages: [], hbaErrors: [] });
    for (const [k, v] of Object.entries(cfg.parameters)) {
      if (k !== 'shared_preload_libraries') expect([k, r.settings[k]]).not.toEqual([k, undefined]);
      expect(typeof v).toBe('string');
    }
  });
});

/**
 * Lines whose verdict the parser and PostgreSQL must agree on. Methods the test servers are built without (gss,
 * ldap, pam: CloudNativePG's images have them) are left out.
 */
const HBA_LINES = [
  'hostssl all all 10.0.0.0/8 scram-sha-256',
  'hostnossl all all all reject',
  'host all all 10.0.0.0 255.0.0.0 md5',
  'host all all 10.1/16 trust',
  'host all all 010.0.0.1/32 trust',
  'host all all 0x7f.1 255.255.255.255 trust',
  'host all all 300.1.1.1 trust',
  'host all all 300.1.1.1/8 trust',
  'host all all fe80::1%eth0/64 trust',
  'host all all ::ffff:1.2.3.4/128 trust',
  'host all all ::1 ffff:ffff:: trust',
  'host all all 10.0.0.0 ::1 trust',
  'host all all 10.0.0.0/33 trust',
  'host all all ::/129 trust',
  'host all all 10.0.0.0/ trust',
  'host all all .example.com scram-sha-256',
  'host all all samenet scram-sha-256',
  'host "my db",app +readers,"Role With Space" samehost scram-sha-256',
  'host all,,x all all trust',
  'host all /^app_.*$ all scram-sha-256',
  'host all /^(x$ all trust',
  'host all @admins all trust',
  'host replication all all scram-sha-256',
  'hostssl all all all cert',
  'hostssl all all all cert clientcert=verify-ca',
  'hostssl all all all cert clientname=DN map=users',
  'hostssl all all all scram-sha-256 clientcert=verify-ca',
  'hostssl all all all scram-sha-256 clientcert=maybe',
  'host all all all trust clientcert=verify-full',
  'host all all all cert',
  'host all all all peer',
  'local all all peer map=local',
  'local all all ident',
  'local all all md5',
  'host all all all radius radiusservers=r.example.com radiussecrets=s',
  'host all all all radius radiusservers=r.example.com',
  'host all all all scram-sha-256 map=x',
  'host all all all trust bogus=1',
  'host all all all trust verbose',
  'host all all all sspi',
  'host all all all bsd',
  'host all all all scram-sha-257',
  'host all all all crypt',
  'hosts all all all trust',
  'host,hostssl all all all trust',
  'host all all all,samenet trust',
  'host all all all trust,reject',
  'host all',
  'host all all',
  'host all all 10.0.0.0/8',
  'host all all 10.0.0.0',
  'host all all all oauth issuer=https://id.example.com scope=openid',
  'host all all all scram-sha-256 # a comment',
  'hostssl all cnpg_pooler_pgbouncer all cert map=cnpg_pooler_pgbouncer',
];

describe('the pg_hba parser agrees with PostgreSQL', () => {
  test.each([16, 18])('PostgreSQL %i', async (major) => {
    const server = await withPostgres(major, {}, (pg) => pg.hbaErrors(HBA_LINES));
    const rejectedByPostgres = new Map(server.map((e) => [HBA_LINES[e.line - 1], e.error]));
    const verdicts = HBA_LINES.map((line) => {
      const ours = parseHbaLine(line, { major, oauthValidatorLibraries: false });
      return { line, postgres: rejectedByPostgres.get(line) ?? 'ok', ours: ours.kind === 'error' ? ours.message : 'ok' };
    });
    // same verdict for every line; where both reject, usually the same message
    expect(verdicts.filter((v) => (v.postgres === 'ok') !== (v.ours === 'ok'))).toEqual([]);
    const sameMessage = verdicts.filter((v) => v.postgres !== 'ok' && v.ours.includes(v.postgres.replace(/^invalid authentication method "(\w+)": not supported by this build$/, 'invalid authentication method "$1"')));
    expect(sameMessage.length).toBeGreaterThanOrEqual(verdicts.filter((v) => v.postgres !== 'ok').length * 0.6);
  });
});
