/**
 * Disaster recovery across Kubernetes clusters: the declaration, its rules (lib/replication/dr-rules.ts, from the
 * CloudNativePG v1.30.0 webhook), the change of primary against the deployed manifests, and the first-sync model
 * over a primary environment and a replica environment in two Kubernetes clusters.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import {
  buildEnvironment, DisasterRecovery, DrTransition, Environment, planEnvironments,
} from '../lib';
import { validateApp } from '../lib/core/synth';
import {
  classifyRoleChange, isReplicaCluster, promotionTokenProblem, renderedTopologyProblems, roleChangeProblems,
} from '../lib/replication/dr-rules';
import { DEFAULT_ENVIRONMENT, DISASTER_RECOVERY, DR_CLUSTER, DR_ENVIRONMENT, TUTORIAL_CLUSTER } from '../main';
import { tempDir } from './support/synth';

const TOKEN = Buffer.from(JSON.stringify({
  latestCheckpointTimelineID: '1', redoWalFile: '000000010000000000000007', databaseSystemIdentifier: '7321',
  latestCheckpointREDOLocation: '0/7000028', timeOfLatestCheckpoint: 'Mon Dec  7 08:00:00 2026', operatorVersion: '1.30.0',
})).toString('base64');

const site = (environment: string, clusterName: string, over: object = {}) => ({
  environment, kubernetesCluster: environment === 'default' ? TUTORIAL_CLUSTER : DR_CLUSTER, clusterName, postgresMajor: 16,
  archive: { destinationPath: `s3://b/${environment}`, region: 'ap-northeast-1' }, ...over,
});
const rules = (dr: DisasterRecovery) => dr.problems().map((p) => `${p.rule} ${p.field}: ${p.message}`);

describe('the declaration (rules DR1–DR10)', () => {
  test('the repository\'s pair is valid: default is the primary, dr its replica created from default\'s archive', () => {
    expect(DISASTER_RECOVERY.problems()).toEqual([]);
    expect(DISASTER_RECOVERY.roleOf('default')).toEqual({ replica: false, spec: { self: 'cnpg-ha', primary: 'cnpg-ha', source: 'cnpg-ha-dr', promotionToken: undefined, minApplyDelay: undefined } });
    expect(DISASTER_RECOVERY.roleOf('dr').spec).toMatchObject({ self: 'cnpg-ha-dr', primary: 'cnpg-ha', source: 'cnpg-ha' });
    expect(DISASTER_RECOVERY.bootstrapSourceOf(DISASTER_RECOVERY.site('dr')!)).toBe('default');
  });

  test('fails: a replica whose source is not declared, two primaries, a replica archiving into the primary\'s path, a major mismatch', () => {
    const dr = DisasterRecovery.pair({
      name: 'x',
      primary: site('default', 'cnpg-ha'),
      replicas: [
        site('dr', 'cnpg-ha-dr', { source: 'nowhere', postgresMajor: 17, archive: { destinationPath: 's3://b/default', region: 'ap-northeast-1', serverName: 'cnpg-ha' } }),
        site('default', 'cnpg-ha'),
      ],
    });
    const found = rules(dr).join('\n');
    expect(found).toMatch(/DR1 sites.environment: the environment is declared twice .* two clusters would both be the primary/);
    expect(found).toMatch(/DR3 sites.dr.source: the source is not a declared site/);
    expect(found).toMatch(/DR4 sites.dr.postgresMajor: the replica runs PostgreSQL 17 but the primary runs 16/);
    expect(found).toMatch(/DR5 sites.dr.archive: archives into the same path as default/);
  });

  test('fails: a promotion without the demotion token, a malformed token, a failover without a reason', () => {
    const base = { name: 'x', primary: site('dr', 'cnpg-ha-dr'), replicas: [site('default', 'cnpg-ha')], origin: 'default' };
    expect(rules(DisasterRecovery.pair({ ...base, transition: DrTransition.promotion({ token: '' }) })).join('\n')).toMatch(/DR9 transition.token: a promotion in the distributed topology needs the demotion token/);
    expect(rules(DisasterRecovery.pair({ ...base, transition: DrTransition.promotion({ token: Buffer.from('{}').toString('base64') }) })).join('\n'))
      .toContain('Invalid promotionToken content: invalid promotion token (LatestCheckpointTimelineID is empty)');
    expect(rules(DisasterRecovery.pair({ ...base, transition: DrTransition.failover({ reason: '' }) })).join('\n')).toMatch(/DR10 transition.reason/);
    expect(DisasterRecovery.pair({ ...base, transition: DrTransition.promotion({ token: TOKEN }) }).problems()).toEqual([]);
    expect(promotionTokenProblem('not base64!')).toBe('Invalid promotionToken format: invalid promotion token (Base64 decoding failed)');
  });

  test('a planned switchover: demotion (both replicas for a moment), then promotion with the token', () => {
    const demotion = DisasterRecovery.pair({ name: 'x', primary: site('default', 'cnpg-ha'), replicas: [site('dr', 'cnpg-ha-dr')], transition: DrTransition.demotion({ to: 'dr' }) });
    expect(demotion.roleOf('default')).toMatchObject({ replica: true, spec: { primary: 'cnpg-ha-dr', source: 'cnpg-ha-dr' } });
    expect(demotion.roleOf('dr')).toMatchObject({ replica: true, spec: { primary: 'cnpg-ha', source: 'cnpg-ha' } });
    const promotion = DisasterRecovery.pair({ name: 'x', primary: site('dr', 'cnpg-ha-dr'), replicas: [site('default', 'cnpg-ha')], origin: 'default', transition: DrTransition.promotion({ token: TOKEN }) });
    expect(promotion.roleOf('dr')).toMatchObject({ replica: false, spec: { primary: 'cnpg-ha-dr', promotionToken: TOKEN } });
    expect(promotion.roleOf('default')).toMatchObject({ replica: true, spec: { primary: 'cnpg-ha-dr', source: 'cnpg-ha-dr' } });
    expect(promotion.bootstrapSourceOf(promotion.site('dr')!)).toBe('default');
  });
});

const cluster = (name: string, replica: object, extra: object = {}) => ({
  apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name, namespace: 'data-infra' },
  spec: { replica, externalClusters: [{ name: 'cnpg-ha' }, { name: 'cnpg-ha-dr' }], bootstrap: { recovery: { source: 'cnpg-ha' } }, ...extra },
});

describe('rendered clusters and changes of primary (DR11, DR12, DRU1–DRU4)', () => {
  const a = cluster('cnpg-ha', { self: 'cnpg-ha', primary: 'cnpg-ha', source: 'cnpg-ha-dr' });
  const b = cluster('cnpg-ha-dr', { self: 'cnpg-ha-dr', primary: 'cnpg-ha', source: 'cnpg-ha' });

  test('IsReplica as the operator computes it (api/v1/cluster_funcs.go@v1.30.0)', () => {
    expect([isReplicaCluster(a), isReplicaCluster(b)]).toEqual([false, true]);
    expect(isReplicaCluster(cluster('x', { enabled: true, source: 'y' }))).toBe(true);
  });

  test('two clusters both primary is a split brain', () => {
    const b2 = cluster('cnpg-ha-dr', { self: 'cnpg-ha-dr', primary: 'cnpg-ha-dr', source: 'cnpg-ha' });
    expect(renderedTopologyProblems([a, b2]).map((p) => p.rule)).toContain('DR11');
    expect(renderedTopologyProblems([a, b])).toEqual([]);
  });

  test('a replica created with initdb, and a source nobody declares, are refused', () => {
    const bad = cluster('cnpg-ha-dr', { self: 'cnpg-ha-dr', primary: 'cnpg-ha', source: 'elsewhere' }, { bootstrap: { initdb: {} } });
    const found = renderedTopologyProblems([bad]).map((p) => p.message).join('\n');
    expect(found).toContain('External cluster elsewhere not found');
    expect(found).toContain('replica mode bootstrap is compatible only with pg_basebackup or recovery');
  });

  test('changes of primary: demotion, promotion with the token, failover (refused unless declared), split brain', () => {
    const aDemoted = cluster('cnpg-ha', { self: 'cnpg-ha', primary: 'cnpg-ha-dr', source: 'cnpg-ha-dr' });
    const bPromoted = cluster('cnpg-ha-dr', { self: 'cnpg-ha-dr', primary: 'cnpg-ha-dr', source: 'cnpg-ha', promotionToken: TOKEN });
    const bFailover = cluster('cnpg-ha-dr', { self: 'cnpg-ha-dr', primary: 'cnpg-ha-dr', source: 'cnpg-ha' });
    expect(classifyRoleChange(a, aDemoted).kind).toBe('demotion');
    expect(classifyRoleChange(a, aDemoted).impact).toMatch(/DEMOTED .* status.demotionToken/);
    expect(classifyRoleChange(b, bPromoted).kind).toBe('promotion');
    expect(classifyRoleChange(b, bFailover).kind).toBe('failover');
    // a planned promotion after the demotion was synced: fine
    expect(roleChangeProblems(b, bPromoted, { kind: 'promotion', token: TOKEN }, [{ environment: 'default', previous: aDemoted, next: aDemoted }])).toEqual([]);
    // promoting while the former primary is still deployed as primary: two primaries
    expect(roleChangeProblems(b, bPromoted, { kind: 'promotion', token: TOKEN }, [{ environment: 'default', previous: a, next: aDemoted }]).map((p) => p.rule)).toEqual(['DRU2']);
    // a promotion without a token is a failover, refused unless declared
    expect(roleChangeProblems(b, bFailover, undefined, []).map((p) => p.rule)).toEqual(['DRU1']);
    expect(roleChangeProblems(b, bFailover, { kind: 'failover', reason: 'tutorial cluster lost' }, [{ environment: 'default' }])).toEqual([]);
    expect(roleChangeProblems(a, aDemoted, undefined, []).map((p) => p.rule)).toEqual(['DRU3']);
  });
});

describe('the change of primary is checked against the deployed manifests, unless update checks are off', () => {
  /** An output folder where the default environment's Cluster was deployed as the replica of cnpg-ha-dr. */
  function deployedAsReplica(): string {
    const outdir = tempDir();
    const { platform } = buildEnvironment(DEFAULT_ENVIRONMENT, tempDir(), { updateChecks: false });
    const deployed = platform.cluster.apiObject.toJson();
    deployed.spec.replica = { self: 'cnpg-ha', primary: 'cnpg-ha-dr', source: 'cnpg-ha-dr' };
    fs.mkdirSync(path.join(outdir, 'default', 'database'), { recursive: true });
    Yaml.save(path.join(outdir, 'default', 'database', 'database.yaml'), [deployed]);
    return outdir;
  }
  const roleChangeErrors = (outdir: string, updateChecks?: boolean) => validateApp(buildEnvironment(DEFAULT_ENVIRONMENT, outdir, { updateChecks }).app)
    .map((e) => e.message).filter((m) => /DRU\d/.test(m));

  test('a replica that becomes primary without a declared transition is refused (DRU1)', () => {
    const errors = roleChangeErrors(deployedAsReplica());
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('DRU1');
  });

  test('with update checks off (synthEnvironments { updateChecks: false }) nothing deployed is read', () => {
    expect(roleChangeErrors(deployedAsReplica(), false)).toEqual([]);
  });
});

describe('the first-sync model covers the pair: two Kubernetes clusters, only the object store between them', () => {
  const plan = planEnvironments([DEFAULT_ENVIRONMENT, DR_ENVIRONMENT], { outdir: tempDir(), updateChecks: false, report: () => undefined });

  test('both Kubernetes clusters converge from empty, each with its own timeline', () => {
    expect(plan.timelines.map((t) => t.name)).toEqual(['cluster-tutorial', 'default', 'cluster-dr', 'dr']);
  });

  test('the replica side needs nothing from the primary\'s Kubernetes cluster: its external clusters are object stores of its own namespace', () => {
    const database = plan.repository.get('dist/dr/database')!;
    const c = database.find((o) => o.kind === 'Cluster')!;
    expect(c.spec.replica).toEqual({ self: 'cnpg-ha-dr', primary: 'cnpg-ha', source: 'cnpg-ha' });
    expect(c.spec.bootstrap.recovery.source).toBe('cnpg-ha');
    expect(c.spec.externalClusters.every((e: any) => e.plugin && !e.connectionParameters)).toBe(true);
    const stores = plan.repository.get('dist/dr/backup')!.map((o) => `${o.metadata.name} ${o.spec.configuration.destinationPath}`);
    expect(stores).toEqual(['cnpg-ha-archive s3://my-cnpg-backups/production', 'cnpg-ha-dr-backups s3://my-cnpg-backups/dr']);
    // it archives only into its own path
    expect(c.spec.plugins.map((p: any) => p.parameters.barmanObjectName)).toEqual(['cnpg-ha-dr-backups']);
    const dr = plan.timelines.find((t) => t.name === 'dr')!;
    const clusterStep = dr.steps.find((s) => s.applies.includes('Cluster data-infra/cnpg-ha-dr'))!;
    expect(clusterStep.needs.join('\n')).toContain('ObjectStore data-infra/cnpg-ha-archive');
    expect(dr.steps.flatMap((s) => s.needs).filter((n) => /default-|tutorial-/.test(n))).toEqual([]);
  });

  test('fails: a replica site without its own backup store (for after a promotion)', () => {
    const broken: Environment = { ...DR_ENVIRONMENT, platform: { ...DR_ENVIRONMENT.platform, backup: undefined } };
    expect(() => planEnvironments([DEFAULT_ENVIRONMENT, broken], { outdir: tempDir(), updateChecks: false, report: () => undefined }))
      .toThrow(/a disaster-recovery site needs its own backup store/);
  });
});
