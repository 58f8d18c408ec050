import { BasicAuthSecret, Problems, RoleEnsure } from '../lib';
import { isReservedRoleName } from '../lib/cluster/roles';
import { tutorialCluster, userCredentials } from './support/day2';
import { findObject, synthChart, synthError, testChart } from './support/synth';

describe('declarative roles (spec.managed.roles)', () => {
  test('a login role with a sealed password and a group role render every attribute explicitly', () => {
    const { chart } = testChart();
    const creds = userCredentials(chart, [{ namespace: 'data-infra', secretName: 'cnpg-reporting', username: 'reporting' }]);
    const cluster = tutorialCluster(chart);
    cluster.addRole({ name: 'readers', comment: 'read-only group', inRoles: ['pg_read_all_data'] });
    const reporting = cluster.addRole({
      name: 'reporting', credential: creds['cnpg-reporting'], connectionLimit: 20, inRoles: ['readers'], validUntil: '2027-03-31T00:00:00Z',
    });
    expect(reporting.login).toBe(true);
    const objects = synthChart(chart);
    const roles = findObject(objects, 'Cluster', 'cnpg-ha').spec.managed.roles;
    expect(roles).toEqual([
      {
        name: 'readers', comment: 'read-only group', ensure: 'present', login: false, superuser: false, createdb: false, createrole: false,
        inherit: true, replication: false, bypassrls: false, connectionLimit: -1, inRoles: ['pg_read_all_data'],
      },
      {
        name: 'reporting', ensure: 'present', login: true, superuser: false, createdb: false, createrole: false, inherit: true,
        replication: false, bypassrls: false, connectionLimit: 20, inRoles: ['readers'], passwordSecret: { name: 'cnpg-reporting' },
        validUntil: '2027-03-31T00:00:00Z',
      },
    ]);
    // The password lives only in a SealedSecret; no plain Secret is ever rendered.
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const sealed = findObject(objects, 'SealedSecret', 'cnpg-reporting');
    expect(sealed.spec.template.type).toBe('kubernetes.io/basic-auth');
    expect(sealed.spec.template.metadata.labels).toEqual({ 'cnpg.io/reload': 'true' });
    expect(objects.filter((o) => o.kind === 'Cluster')).toMatchSnapshot();
  });

  test('CRD defaults are always rendered (Argo CD compares list items whole)', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    cluster.addRole({ name: 'app_readonly' });
    const role = findObject(synthChart(chart), 'Cluster').spec.managed.roles[0];
    expect(role).toMatchObject({ connectionLimit: -1, inherit: true, ensure: 'present' });
  });

  test('a Date validUntil, ensure absent and a disabled password', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    cluster.addRole({ name: 'old_app', ensure: RoleEnsure.ABSENT });
    cluster.addRole({ name: 'cert_only', login: true, disablePassword: true, validUntil: new Date(Date.UTC(2027, 0, 1)) });
    const roles = findObject(synthChart(chart), 'Cluster').spec.managed.roles;
    expect(roles[0]).toMatchObject({ name: 'old_app', ensure: 'absent', login: false });
    expect(roles[1]).toMatchObject({ name: 'cert_only', login: true, disablePassword: true, validUntil: '2027-01-01T00:00:00.000Z' });
  });

  test('reserved names are rejected, naming the role and the rule', () => {
    for (const name of ['postgres', 'streaming_replica', 'cnpg_pooler_pgbouncer', 'pg_monitor']) {
      expect(isReservedRoleName(name)).toBe(true);
      const { chart } = testChart();
      tutorialCluster(chart).addRole({ name });
      expect(synthError(chart)).toMatch(new RegExp(`managed\\.roles\\.${name}: this role name is reserved for operator use.*\\(got "${name}"\\)`));
    }
    expect(isReservedRoleName('app_user')).toBe(false);
    expect(isReservedRoleName('pgadmin')).toBe(false);
  });

  test('the credential must log in as the role, from the cluster\'s namespace', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    cluster.addRole({ name: 'reporting', credential: BasicAuthSecret.fromSecretName('cnpg-reporting', 'data-infra', 'someone_else') });
    cluster.addRole({ name: 'etl', credential: BasicAuthSecret.fromSecretName('cnpg-etl', 'other-ns', 'etl') });
    const error = synthError(chart);
    expect(error).toMatch(/managed\.roles\.reporting\.credential: the credential logs in as "someone_else" but the role is "reporting"/);
    expect(error).toMatch(/managed\.roles\.etl\.credential: the Secret must be in the cluster's namespace "data-infra" \(got "other-ns\/cnpg-etl"\)/);
  });

  test('duplicates, bad limits, self-membership, password both set and disabled, bad timestamps', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    cluster.addRole({ name: 'etl' });
    cluster.addRole({ name: 'etl' });
    cluster.addRole({ name: 'a', connectionLimit: -2 });
    cluster.addRole({ name: 'b', inRoles: ['b', 'x', 'x'] });
    cluster.addRole({ name: 'c', credential: BasicAuthSecret.fromSecretName('c', 'data-infra', 'c'), disablePassword: true });
    cluster.addRole({ name: 'd', validUntil: '31/03/2027' });
    cluster.addRole({ name: 'x'.repeat(64) });
    const error = synthError(chart);
    expect(error).toMatch(/managed\.roles\.etl: the role is declared twice/);
    expect(error).toMatch(/managed\.roles\.a\.connectionLimit: must be a whole number, -1 \(no limit\) or more \(got -2\)/);
    expect(error).toMatch(/managed\.roles\.b\.inRoles: a role cannot be a member of itself/);
    expect(error).toMatch(/managed\.roles\.b\.inRoles: lists a role twice \(got "x"\)/);
    expect(error).toMatch(/managed\.roles\.c: this role both sets and disables a password/);
    expect(error).toMatch(/managed\.roles\.d\.validUntil: is not an RFC 3339 timestamp/);
    expect(error).toMatch(/is longer than 63 bytes/);
  });

  test('a superuser role is a warning, not an error', () => {
    const { app, chart } = testChart();
    tutorialCluster(chart).addRole({ name: 'dba', superuser: true });
    expect(() => synthChart(chart)).not.toThrow();
    expect(Problems.warningsBelow(app).join('\n')).toMatch(/managed\.roles\.dba\.superuser: a superuser role bypasses every permission check/);
  });
});
