/**
 * The admission rules against CloudNativePG 1.30.0's own behaviour (issue 15, item 5): each case is what the
 * operator's webhook (read at tag v1.30.0) accepts or rejects, cited in the test name.
 */
import {
  admissionProblemsFor, AdmissionProblem, clusterAdmissionProblems, CLUSTER_RULES, instancePodSkeleton, OTHER_KIND_RULES,
  applyClusterDefaults, podPatchProblem,
} from '../lib/rules/admission';
import { parseImageReference, versionFromTag } from '../lib/rules/image-reference';
import { PostgresImage } from '../lib/cluster/postgres-image';

const IMAGE18 = 'ghcr.io/cloudnative-pg/postgresql:18.4-minimal-trixie';

function cluster(spec: any = {}, metadata: any = {}): any {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'pg', namespace: 'db', ...metadata },
    spec: { instances: 3, imageName: IMAGE18, storage: { size: '1Gi' }, ...spec },
  };
}
const withPatch = (patch: unknown, spec: any = {}) => cluster(spec, { annotations: { 'cnpg.io/podPatch': typeof patch === 'string' ? patch : JSON.stringify(patch) } });
const byRule = (ps: AdmissionProblem[], rule: string) => ps.filter((p) => p.rule === rule);

describe('cnpg.io/podPatch is applied to the instance Pod (cluster_webhook.go@v1.30.0 validatePodPatchAnnotation → pods.go NewInstance)', () => {
  test('a patch replacing /spec/podInvalidSection is rejected: it decodes, but does not apply (cluster_webhook_test.go)', () => {
    const errors = byRule(clusterAdmissionProblems(withPatch([{ op: 'replace', path: '/spec/podInvalidSection', value: 'test' }])).errors, '2.1#129');
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe('metadata.annotations.cnpg.io/podPatch');
    expect(errors[0].message).toContain("jsonpatch doesn't apply cleanly to the pod");
    expect(errors[0].message).toContain('replace operation does not apply: doc is missing key: /spec/podInvalidSection');
  });

  test('an undecodable patch is "error decoding JSON patch", as upstream', () => {
    expect(podPatchProblem('invalid-json-patch', applyClusterDefaults(cluster()))).toMatch(/^error decoding JSON patch: /);
    expect(podPatchProblem('{"op": "add"}', applyClusterDefaults(cluster()))).toContain('cannot unmarshal object into Go value of type jsonpatch.Patch');
    expect(podPatchProblem('[{"op": "add", "path": "/x"}]', applyClusterDefaults(cluster()))).toContain("failed to decode 'value'");
    expect(podPatchProblem('[{"op": "frobnicate", "path": "/x"}]', applyClusterDefaults(cluster()))).toContain('unsupported operation');
  });

  test.each([
    ['replace /metadata/name (upstream test: accepted)', [{ op: 'replace', path: '/metadata/name', value: 'test' }]],
    ['add an env var to the postgres container', [{ op: 'add', path: '/spec/containers/0/env/-', value: { name: 'TZ', value: 'UTC' } }]],
    ['add a sidecar container', [{ op: 'add', path: '/spec/containers/-', value: { name: 'sidecar', image: 'busybox:1.36' } }]],
    ['add a volume and mount it', [
      { op: 'add', path: '/spec/volumes/-', value: { name: 'extra', emptyDir: {} } },
      { op: 'add', path: '/spec/containers/0/volumeMounts/-', value: { name: 'extra', mountPath: '/extra' } },
    ]],
    ['add a label', [{ op: 'add', path: '/metadata/labels/team', value: 'payments' }]],
    ['tune the liveness probe', [{ op: 'replace', path: '/spec/containers/0/livenessProbe/timeoutSeconds', value: 10 }]],
    ['remove the startup probe', [{ op: 'remove', path: '/spec/containers/0/startupProbe' }]],
    ['set dnsConfig (an absent field: add works on an existing parent)', [{ op: 'add', path: '/spec/dnsConfig', value: { options: [{ name: 'ndots', value: '2' }] } }]],
    ['add an unknown field (json.Unmarshal ignores it)', [{ op: 'add', path: '/spec/podInvalidSection', value: 'test' }]],
    ['test the container name, then patch it', [{ op: 'test', path: '/spec/containers/0/name', value: 'postgres' }, { op: 'add', path: '/spec/containers/0/args', value: [] }]],
    ['an empty patch', []],
  ])('accepted like upstream: %s', (_name, patch) => {
    expect(byRule(clusterAdmissionProblems(withPatch(patch)).errors, '2.1#129')).toEqual([]);
  });

  test.each([
    ['remove a field the Pod does not have', [{ op: 'remove', path: '/spec/hostNetwork' }], 'unable to remove nonexistent key: hostNetwork'],
    ['add below a missing parent', [{ op: 'add', path: '/spec/dnsConfig/options/-', value: { name: 'ndots' } }], 'add operation does not apply: doc is missing path'],
    ['an index past the end', [{ op: 'add', path: '/spec/containers/2', value: { name: 'x' } }], 'Unable to access invalid index: 2'],
    ['a failing test', [{ op: 'test', path: '/spec/containers/0/name', value: 'pg' }], 'testing value /spec/containers/0/name failed'],
    ['move from a missing path', [{ op: 'move', from: '/spec/nope', path: '/spec/x' }], 'unable to get nonexistent key: nope'],
    ['a container that is not an object (json.Unmarshal)', [{ op: 'add', path: '/spec/containers/-', value: 'sidecar' }], 'cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container'],
    ['a label that is not a string (json.Unmarshal)', [{ op: 'add', path: '/metadata/labels/n', value: 1 }], 'cannot unmarshal number into Go struct field ObjectMeta.metadata.labels.n of type string'],
  ])('rejected like upstream: %s', (_name, patch, detail) => {
    const errors = byRule(clusterAdmissionProblems(withPatch(patch)).errors, '2.1#129');
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining(detail)]);
    expect(errors[0].message).toContain("jsonpatch doesn't apply cleanly to the pod");
  });

  test('the Pod follows the Cluster: walStorage adds pg-wal, tablespaces add tbs-<name> (volumes.go createPostgresVolumes)', () => {
    const patch = [{ op: 'test', path: '/spec/volumes/3/name', value: 'pg-wal' }, { op: 'test', path: '/spec/volumes/4/name', value: 'tbs-idx' }];
    expect(byRule(clusterAdmissionProblems(withPatch(patch, { walStorage: { size: '1Gi' }, tablespaces: [{ name: 'idx', storage: { size: '1Gi' } }] })).errors, '2.1#129')).toEqual([]);
    expect(byRule(clusterAdmissionProblems(withPatch(patch)).errors, '2.1#129')).toHaveLength(1);
  });

  test('the instance image is in the Pod only once the Cluster has a status (create vs update)', () => {
    const patch = withPatch([{ op: 'replace', path: '/spec/containers/0/image', value: 'mirror/postgresql:18.4' }]);
    expect(byRule(clusterAdmissionProblems(patch).errors, '2.1#129')).toHaveLength(1);
    expect(byRule(clusterAdmissionProblems(patch, { existing: true }).errors, '2.1#129')).toEqual([]);
    const pod = instancePodSkeleton(applyClusterDefaults(cluster()), { existing: true }) as any;
    expect(pod.spec.containers[0]).toMatchObject({ name: 'postgres', image: IMAGE18 });
    expect(pod.metadata.labels['app.kubernetes.io/version']).toBe('18');
  });
});

describe('image tags are parsed as machinery version.FromTag does (cluster_webhook.go@v1.30.0 validateImageName)', () => {
  test.each(['16.five', '17.old', 'v18', 'latest-18', '18.-minimal'])('"%s" is an invalid version tag (2.1#34)', (tag) => {
    const errors = byRule(clusterAdmissionProblems(cluster({ imageName: `ghcr.io/cloudnative-pg/postgresql:${tag}` })).errors, '2.1#34');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/^invalid version tag/);
    expect(errors[0].fix).toBeTruthy();
  });

  test.each(['18.4-minimal-trixie', '18', '17beta1', '17rc1', '13.3.2.1-1', '15.5-10', '16.5.x'])('"%s" parses', (tag) => {
    expect(clusterAdmissionProblems(cluster({ imageName: `ghcr.io/cloudnative-pg/postgresql:${tag}` })).errors.filter((e) => e.rule === '2.1#34')).toEqual([]);
  });

  test('FromTag examples of machinery v0.5.0', () => {
    expect(versionFromTag('13.3.2.1-1')).toEqual({ major: 13, minor: 3 });
    expect(versionFromTag('17beta1')).toEqual({ major: 17, minor: 0 });
    expect(versionFromTag('16.five')).toEqual({ error: 'wrong PostgreSQL minor in version 16.' });
  });

  test('reference.New: no tag means latest, a digest alone means no tag, a registry port is not a tag', () => {
    expect(parseImageReference('postgres')).toEqual({ name: 'docker.io/library/postgres', tag: 'latest', digest: '' });
    expect(parseImageReference('localhost:5000/pg')).toMatchObject({ tag: 'latest' });
    expect(parseImageReference('ghcr.io/x/pg@sha256:abcd')).toMatchObject({ tag: '', digest: 'abcd' });
    expect(parseImageReference('ghcr.io/x/pg:18.4@sha256:abcd')).toMatchObject({ tag: '18.4', digest: 'abcd' });
  });

  test('the major is read the same way, and PostgresImage agrees', () => {
    const errors = clusterAdmissionProblems(cluster({ imageName: 'ghcr.io/cloudnative-pg/postgresql:16.five' })).errors;
    expect(errors.map((e) => e.rule)).toEqual(['2.1#34']);
    expect(PostgresImage.fromImageName('ghcr.io/cloudnative-pg/postgresql:16.five').problems()).toEqual([expect.stringContaining('invalid version tag')]);
    expect(PostgresImage.fromImageName('ghcr.io/cloudnative-pg/postgresql:17-minimal-trixie').major).toBe(17);
  });
});

describe('Pooler secrets with an empty name are absent (pooler_webhook.go@v1.30.0 validatePgBouncer, validateMonitoring, getAdmissionWarnings)', () => {
  const pooler = (pgbouncer: any, spec: any = {}) => ({
    apiVersion: 'postgresql.cnpg.io/v1', kind: 'Pooler', metadata: { name: 'pg-pooler', namespace: 'db' },
    spec: { cluster: { name: 'pg' }, type: 'rw', pgbouncer: { poolMode: 'session', ...pgbouncer }, ...spec },
  });

  test('authQuerySecret / serverTLSSecret with name "" need no authQuery', () => {
    expect(admissionProblemsFor(pooler({ authQuerySecret: { name: '' } })).errors).toEqual([]);
    expect(admissionProblemsFor(pooler({ serverTLSSecret: { name: '' } })).errors).toEqual([]);
  });

  test('an authQuery with only empty-named secrets has no secret', () => {
    const errors = admissionProblemsFor(pooler({ authQuery: 'SELECT 1', authQuerySecret: { name: '' } })).errors;
    expect(errors.map((e) => [e.rule, e.field])).toEqual([['2.7#Pooler.authQuery', 'spec.pgbouncer.authQuerySecret.name']]);
  });

  test('monitoring over TLS with the PodMonitor needs a clientTLSSecret with a name', () => {
    const monitoring = { monitoring: { tls: { enabled: true }, enablePodMonitor: true } };
    expect(admissionProblemsFor(pooler({ clientTLSSecret: { name: '' } }, monitoring)).errors.map((e) => e.rule)).toEqual(['2.7#Pooler.monitoring']);
    expect(admissionProblemsFor(pooler({ clientTLSSecret: { name: 'pooler-tls' } }, monitoring)).errors).toEqual([]);
  });

  test('no "manual integration" or "deprecated authQuerySecret" warning for an empty name', () => {
    expect(admissionProblemsFor(pooler({ authQuerySecret: { name: '' } })).warnings).toEqual([]);
    const warnings = admissionProblemsFor(pooler({ serverTLSSecret: { name: 'tls' }, authQuery: 'SELECT 1' })).warnings;
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining('The operator won\'t handle the Pooler "pg-pooler" integration with the Cluster "pg"')]);
  });

  test('pool_mode in parameters points at spec.pgbouncer.poolMode', () => {
    const [e] = admissionProblemsFor(pooler({ parameters: { pool_mode: 'transaction' } })).errors;
    expect(e.rule).toBe('2.7#Pooler.parameters');
    expect(e.message).toContain('spec.pgbouncer.poolMode');
    expect(e.fix).toContain('set spec.pgbouncer.poolMode');
  });
});

describe('extension env placeholders (environment.go@v1.30.0 FindUnknownPlaceholders)', () => {
  const env = (value: string) => clusterAdmissionProblems(cluster({
    postgresql: { extensions: [{ name: 'x', image: { reference: 'ghcr.io/x:1' }, env: [{ name: 'X', value }] }] },
  })).errors.filter((e) => e.rule === '2.1#127');

  test.each(['$${HOME}/x', '$${image_root}', '${image_root}/lib', '$$$${a}', 'plain $HOME', '${}'])('"%s" has no unknown placeholder', (value) => {
    expect(env(value)).toEqual([]);
  });

  test.each([['${home}/x', '${home}'], ['$$${home}', '${home}'], ['$${a} ${b}', '${b}']])('"%s" has the unknown placeholder %s', (value, unknown) => {
    expect(env(value).map((e) => e.message)).toEqual([`unsupported placeholder(s): ${unknown}; supported: \${image_root}`]);
  });
});

describe('rule ids: a rule the webhook does not have carries a library id', () => {
  test('the backupID format is lib#backupID-format, not 2.1#30', () => {
    const recovery = (t: any) => cluster({
      bootstrap: { recovery: { source: 'src', recoveryTarget: t } },
      externalClusters: [{ name: 'src', plugin: { name: 'barman-cloud.cloudnative-pg.io' } }],
    });
    expect(clusterAdmissionProblems(recovery({ targetName: 'x', backupID: 'last-night' })).errors.map((e) => e.rule)).toEqual(['lib#backupID-format']);
    expect(clusterAdmissionProblems(recovery({ targetName: 'x' })).errors.map((e) => e.rule)).toEqual(['2.1#30']);
  });

  test('library rules, and only they, have lib# ids and no upstream function', () => {
    const all = [...CLUSTER_RULES, ...Object.values(OTHER_KIND_RULES).flat()];
    for (const r of all) {
      expect([r.id, r.section === 'library']).toEqual([r.id, r.id.startsWith('lib#')]);
      if (r.section === 'library') expect([r.id, r.upstream]).toEqual([r.id, undefined]);
    }
    expect(all.filter((r) => r.section === 'library').map((r) => r.id)).toEqual(expect.arrayContaining(['lib#backupID-format', 'lib#Backup.method', 'lib#ScheduledBackup.method']));
  });
});

describe('advice and messages', () => {
  test('2.1#93 does not suggest "$" in parameter names (PostgreSQL cannot read it from postgresql.conf)', () => {
    const [e] = clusterAdmissionProblems(cluster({ postgresql: { parameters: { 'bad-name': '1' } } })).errors;
    expect(e.rule).toBe('2.1#93');
    expect(e.fix).toMatch(/letters, digits and "_"/);
    expect(e.fix).not.toMatch(/"_" and "\$"/);
  });

  test('min_wal_size ≥ max_wal_size states both values with their unit, and the fix (no "vale")', () => {
    const [e] = clusterAdmissionProblems(cluster({ postgresql: { parameters: { min_wal_size: '2048', max_wal_size: '1GB' } } })).errors;
    expect(e.rule).toBe('2.1#103');
    expect(e.message).not.toContain('vale');
    expect(e.message).toContain('"2048", read as 2GB');
    expect(e.message).toContain('"1GB"');
    expect(e.message).toContain('MB');
    expect(e.fix).toContain('lower min_wal_size below 1GB');
  });

  test('synchronous number states the ceiling and the fix', () => {
    const [e] = clusterAdmissionProblems(cluster({ postgresql: { synchronous: { method: 'any', number: 3 } } })).errors;
    expect(e.rule).toBe('2.1#45');
    expect(e.message).toContain('3 instances = 3, so number can be at most 2');
    expect(e.fix).toContain('set spec.postgresql.synchronous.number to 2 or less');
  });

  test('a reserved role is named by its index', () => {
    const [e] = clusterAdmissionProblems(cluster({ managed: { roles: [{ name: 'app' }, { name: 'streaming_replica' }] } })).errors;
    expect(e.rule).toBe('2.1#122');
    expect(e.field).toBe('spec.managed.roles[1].name');
    expect(e.message).toContain('spec.managed.roles[1]');
  });
});
