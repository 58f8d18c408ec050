import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing, Yaml } from 'cdk8s';
import {
  CnpgCluster, CnpgClusterProps, ImageFlavour, PostgresImage, PrimaryUpdateMethod, Problems, ScheduledBackup,
} from '../lib';
import { synthComponents } from '../lib/core/synth';
import {
  checkAppUpdates, discardPrefetchedManifests, GitRunner, parseAcknowledgements, prefetchCommittedManifests, PreviousManifests,
  spawnGit,
} from '../lib/core/update-checks';
import * as yamlParserModule from '../lib/core/yaml-parser';
import { checkClusterUpdate, checkObjectUpdate } from '../lib/rules/changes';
import { synthError, tempDir } from './support/synth';

/**
 * The committed "previous" state: what `baseline()` synthesizes, as Argo CD would have applied it
 * (regenerate with UPDATE_FIXTURES=1 when the baseline changes on purpose).
 */
const FIXTURE = path.join(__dirname, 'fixtures', 'update-checks', 'previous');
const NS = 'data-infra';

const BASE_PROPS: CnpgClusterProps = {
  clusterName: 'cnpg-ha',
  namespace: NS,
  instances: 3,
  image: PostgresImage.of('16.14', { flavour: ImageFlavour.STANDARD }),
  storageSize: '40Gi',
  storageClass: 'longhorn',
  walStorageSize: '10Gi',
  parameters: { max_connections: 200, shared_buffers: '512MB', wal_level: 'logical' },
  database: 'appdb',
};

interface Variant {
  readonly props?: Partial<CnpgClusterProps>;
  /** Without the WAL archiver plugin. */
  readonly noArchiver?: boolean;
  /** Without the ScheduledBackup. */
  readonly noSchedule?: boolean;
  /** Without the Cluster (and everything that refers to it). */
  readonly noCluster?: boolean;
  readonly databaseName?: string;
}

/** The environment as configured: charts `database` and `backup`, like a platform. */
function build(v: Variant = {}): { app: App; cluster?: CnpgCluster } {
  const app = Testing.app({ outdir: tempDir() });
  const database = new Chart(app, 'database', { namespace: NS, disableResourceNameHashes: true });
  const backup = new Chart(app, 'backup', { namespace: NS, disableResourceNameHashes: true });
  new ApiObject(database, 'AppDatabase', {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Database',
    metadata: { name: 'cnpg-ha-shop', namespace: NS },
    spec: { cluster: { name: 'cnpg-ha' }, name: v.databaseName ?? 'shop', owner: 'app_user' },
  });
  if (v.noCluster) return { app };
  const cluster = new CnpgCluster(database, 'Cluster', { ...BASE_PROPS, ...v.props });
  if (!v.noArchiver) {
    cluster.addPlugin({ name: 'barman-cloud.cloudnative-pg.io', isWalArchiver: true, parameters: { barmanObjectName: 'cnpg-ha-backups', serverName: 'cnpg-ha' } });
  }
  if (!v.noSchedule) new ScheduledBackup(backup, 'Scheduled', { cluster, name: 'cnpg-ha-daily' });
  return { app, cluster };
}

const previous = () => PreviousManifests.fromDist(FIXTURE, 'default', { source: 'files' });

/** Runs the update checks against the fixture, then synth; returns the error message ('' when synth succeeds). */
function check(v: Variant, acknowledge: string[] = []): { message: string; warnings: string[]; acknowledged: string[] } {
  const { app } = build(v);
  const report = checkAppUpdates(app, previous(), { acknowledge, note: () => undefined });
  const warnings: string[] = [];
  try {
    synthComponents(app, { warn: (w) => warnings.push(w) });
    return { message: '', warnings, acknowledged: report.acknowledged };
  } catch (e) {
    return { message: (e as Error).message, warnings, acknowledged: report.acknowledged };
  }
}

describe('the previous state (fixture)', () => {
  test('the fixture is what the baseline synthesizes', () => {
    const { app } = build();
    const objects = app.node.findAll().filter((c): c is Chart => Chart.isChart(c)).map((c) => ({ chart: c.node.id, objects: Testing.synth(c) }));
    for (const { chart, objects: objs } of objects) {
      const file = path.join(FIXTURE, 'default', chart, `${chart}.yaml`);
      if (process.env.UPDATE_FIXTURES) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        Yaml.save(file, objs);
      }
      expect(Yaml.load(file)).toEqual(objs);
    }
  });

  test('an unchanged configuration has no update problems', () => {
    const r = check({});
    expect(r.message).toBe('');
    expect(r.warnings).toEqual([]);
  });

  test('PreviousManifests finds objects by kind, namespace and name', () => {
    const p = previous();
    expect(p.source).toContain('files in');
    expect(p.find('Cluster', NS, 'cnpg-ha')?.file).toBe(path.join('database', 'database.yaml'));
    expect(p.find('ScheduledBackup', NS, 'cnpg-ha-daily')?.object.spec.cluster.name).toBe('cnpg-ha');
    expect(p.find('Cluster', 'other', 'cnpg-ha')).toBeUndefined();
  });
});

describe('update rules, each with the smallest change that breaks it', () => {
  test.each([
    ['U1', { props: { image: PostgresImage.of('15.10', { flavour: ImageFlavour.STANDARD }) } }, "spec.imageName: can't downgrade from major 16 to 15"],
    ['U4', { props: { storageSize: '20Gi' } }, "spec.storage: can't shrink existing storage from 40Gi to 20Gi (data volumes): volumes only grow"],
    ['U5', { props: { walStorageSize: '5Gi' } }, "spec.walStorage: can't shrink existing storage from 10Gi to 5Gi (WAL volumes)"],
    ['U5', { props: { walStorageSize: undefined } }, 'spec.walStorage: walStorage cannot be disabled once configured'],
    ['U3', {
      props: {
        image: PostgresImage.of('16.15', { flavour: ImageFlavour.STANDARD }),
        primaryUpdateMethod: PrimaryUpdateMethod.SWITCHOVER,
        parameters: { ...BASE_PROPS.parameters, work_mem: '8MB' },
      },
    }, "spec.imageName: Can't change image name and configuration at the same time when `primaryUpdateMethod` is set to `switchover`. There are differences in PostgreSQL configuration parameters: {\"work_mem\":{\"to\":\"8MB\"}}"],
    ['U9', { props: { instances: 1, parameters: { wal_level: 'minimal', max_wal_senders: 0 } } }, 'spec.postgresql.parameters.wal_level: Change of `wal_level` to `minimal` not allowed on an existing cluster (from logical)'],
    ['UL1', { props: { storageClass: 'fast-ssd' } }, 'spec.storage.storageClass: the storage class of existing data volumes cannot change'],
    ['UL1', { props: { walStorageClass: 'fast-ssd' } }, 'spec.walStorage.storageClass: the storage class of existing WAL volumes cannot change'],
    ['UL2', { noArchiver: true, noSchedule: true }, 'spec.plugins: the WAL archiver (plugin barman-cloud.cloudnative-pg.io) is removed while ScheduledBackups of the cluster exist (cnpg-ha-daily)'],
    ['UL3', { noCluster: true }, 'Cluster data-infra/cnpg-ha: the deployed Cluster data-infra/cnpg-ha is no longer synthesized (removed or renamed)'],
    ['UL3', { props: { clusterName: 'cnpg-ha2' }, noSchedule: true }, 'the deployed Cluster data-infra/cnpg-ha is no longer synthesized'],
    ['2.7#Database.immutable', { databaseName: 'store' }, 'spec.name: name is immutable (got "store"); keep "shop"'],
  ] as Array<[string, Variant, string]>)('%s', (rule, variant, expected) => {
    const { message } = check(variant);
    expect(message).toContain(expected);
    expect(message).toContain(`[rule ${rule}]`);
    // the error tells how to accept an intended change
    expect(message).toMatch(/if the change is intended: CDK8S_CNPG_ACK=data-infra\/cnpg-ha[^:]*:/);
  });

  test('U2: a major upgrade to a version below 16', () => {
    const prev = { kind: 'Cluster', metadata: { name: 'pg', namespace: 'db' }, spec: { imageName: 'ghcr.io/cloudnative-pg/postgresql:14.15-minimal-trixie', storage: { size: '1Gi' } } };
    const next = { ...prev, spec: { ...prev.spec, imageName: 'ghcr.io/cloudnative-pg/postgresql:15.10-minimal-trixie' } };
    expect(checkClusterUpdate(prev, next).map((p) => [p.rule, p.field, p.message])).toEqual([['U2', 'spec.imageName', 'major upgrades are only supported to version 16 or higher (from 14 to 15)']]);
    // an upgrade to 16 or later is allowed (pg_upgrade)
    expect(checkClusterUpdate(prev, { ...prev, spec: { ...prev.spec, imageName: 'ghcr.io/cloudnative-pg/postgresql:17.6-minimal-trixie' } })).toEqual([]);
  });

  const fixtureCluster = () => previous().find('Cluster', NS, 'cnpg-ha')!.object;
  const withSpec = (spec: any) => ({ ...fixtureCluster(), spec: { ...fixtureCluster().spec, ...spec } });

  test.each([
    ['U6', { tablespaces: [{ name: 'idx', storage: { size: '5Gi' } }] }, { tablespaces: undefined }, 'spec.tablespaces', 'tablespaces section cannot be deleted once created'],
    ['U6', { tablespaces: [{ name: 'idx', storage: { size: '5Gi' } }] }, { tablespaces: [{ name: 'idx', storage: { size: '1Gi' } }] }, 'spec.tablespaces[0]', "can't shrink existing storage from 5Gi to 1Gi"],
    ['U6', { tablespaces: [{ name: 'idx', storage: { size: '5Gi' } }] }, { tablespaces: [{ name: 'other', storage: { size: '5Gi' } }] }, 'spec.tablespaces[0]', 'no tablespace can be deleted once created'],
    ['U7', {}, { postgresUID: 1000 }, 'spec.postgresUID', 'UID is an immutable field in the spec'],
    ['U7', { postgresGID: 26 }, { postgresGID: 1000 }, 'spec.postgresGID', 'GID is an immutable field in the spec'],
    ['U8', {}, { replicationSlots: { highAvailability: { enabled: true, slotPrefix: 'ha_' } } }, 'spec.replicationSlots.highAvailability.slotPrefix', 'Cannot change replication slot prefix while highAvailability is enabled'],
    ['U11', { serviceAccountName: 'pg' }, { serviceAccountName: 'pg2' }, 'spec.serviceAccountName', 'serviceAccountName is immutable'],
    ['UL1', { tablespaces: [{ name: 'idx', storage: { size: '5Gi', storageClass: 'a' } }] }, { tablespaces: [{ name: 'idx', storage: { size: '5Gi', storageClass: 'b' } }] }, 'spec.tablespaces[0].storage.storageClass', 'the storage class of existing tablespace idx volumes cannot change'],
    ['UL4', {}, { bootstrap: { initdb: { database: 'other', owner: 'app_user' } } }, 'spec.bootstrap', 'the operator reads it only when the cluster is created'],
  ] as Array<[string, any, any, string, string]>)('%s on the wire JSON: %s', (rule, before, after, field, message) => {
    const found = checkClusterUpdate(withSpec(before), withSpec({ ...before, ...after }));
    expect(found.filter((p) => p.rule === rule).map((p) => [p.field, p.message])).toContainEqual([field, expect.stringContaining(message)]);
  });

  test('the defaults are applied to both sides first: an explicit default is no change', () => {
    expect(checkClusterUpdate(fixtureCluster(), withSpec({ postgresUID: 26, postgresGID: 26, replicationSlots: { highAvailability: { enabled: true, slotPrefix: '_cnpg_' } } }))).toEqual([]);
  });

  test('immutable fields of the other kinds', () => {
    const pooler = (cluster: string) => ({ apiVersion: 'postgresql.cnpg.io/v1', kind: 'Pooler', metadata: { name: 'p', namespace: 'db' }, spec: { cluster: { name: cluster }, pgbouncer: {} } });
    expect(checkObjectUpdate(pooler('a'), pooler('b')).map((p) => [p.rule, p.field])).toEqual([['2.7#Pooler.immutable', 'spec.cluster']]);
    const backup = (target: string) => ({ kind: 'Backup', metadata: { name: 'b' }, spec: { cluster: { name: 'a' }, target } });
    expect(checkObjectUpdate(backup('primary'), backup('prefer-standby'))[0].message).toBe('spec is immutable');
    const pub = (allTables: boolean | undefined) => ({ kind: 'Publication', metadata: { name: 'p' }, spec: { name: 'p', dbname: 'app', cluster: { name: 'a' }, target: { allTables } } });
    expect(checkObjectUpdate(pub(true), pub(undefined))).toEqual([]); // CEL transition rules only compare fields present on both sides
  });
});

describe('acknowledgements', () => {
  const shrink: Variant = { props: { storageSize: '20Gi' } };

  test('CDK8S_CNPG_ACK=<namespace>/<name>:<rule> accepts an intended breaking change', () => {
    const r = check(shrink, ['data-infra/cnpg-ha:U4']);
    expect(r.message).toBe('');
    expect(r.acknowledged).toEqual([expect.stringContaining("data-infra/cnpg-ha: spec.storage: can't shrink existing storage from 40Gi to 20Gi")]);
    expect(parseAcknowledgements(' data-infra/cnpg-ha:U4, data-infra/cnpg-ha:UL1 ')).toEqual(['data-infra/cnpg-ha:U4', 'data-infra/cnpg-ha:UL1']);
  });

  test('an acknowledgement of another rule or cluster does not', () => {
    expect(check(shrink, ['data-infra/cnpg-ha:U5']).message).toContain('[rule U4]');
    expect(check(shrink, ['other/cnpg-ha:U4']).message).toContain('[rule U4]');
  });

  test('the acknowledgeBreakingChanges prop', () => {
    expect(check({ props: { storageSize: '20Gi', acknowledgeBreakingChanges: ['U4'] } }).message).toBe('');
  });

  test('an acknowledgement that matches nothing is a warning, so it cannot accept a later change unnoticed', () => {
    const env = check({}, ['data-infra/cnpg-ha:U4']);
    expect(env.warnings).toEqual([expect.stringContaining('CDK8S_CNPG_ACK: the acknowledgement data-infra/cnpg-ha:U4 matches no breaking change')]);
    const prop = check({ props: { acknowledgeBreakingChanges: ['U4'] } });
    expect(prop.warnings).toEqual([expect.stringContaining('[database/Cluster] acknowledgeBreakingChanges: the acknowledgement of U4 matches no breaking change')]);
  });
});

describe('deployed objects', () => {
  test('create-only admission rules are skipped for a deployed cluster', () => {
    // Demoting the deployed primary to a replica cluster: allowed on update (rule 2.1#69 applies to new clusters only).
    const demote = (app: App, cluster: CnpgCluster) => {
      cluster.apiObject.addJsonPatch(
        JsonPatch.add('/spec/replica', { enabled: true, source: 'origin' }),
        JsonPatch.add('/spec/externalClusters', [{ name: 'origin', connectionParameters: { host: 'origin-rw', dbname: 'postgres' } }]),
      );
      return app;
    };
    const fresh = build();
    expect(synthError(Chart.of(demote(fresh.app, fresh.cluster!).node.findChild('database') as Chart))).toContain('[rule 2.1#69]');
    const deployed = build();
    demote(deployed.app, deployed.cluster!);
    checkAppUpdates(deployed.app, previous(), { acknowledge: [], note: () => undefined });
    expect(() => synthComponents(deployed.app, { warn: () => undefined })).not.toThrow();
    expect(Problems.warningsBelow(deployed.app)).toEqual([]);
  });
});

describe('PreviousManifests.fromDist', () => {
  const git = (cwd: string, ...args: string[]) => {
    const r = spawnSync('git', ['-C', cwd, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  test('reads the committed dist/ from git, even after the cdk8s CLI deleted the folder', () => {
    const repo = tempDir();
    git(repo, 'init', '-q');
    fs.cpSync(FIXTURE, path.join(repo, 'dist'), { recursive: true });
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'deployed');
    // a newer, uncommitted synth changed the file; then the CLI deletes dist/ before running the app
    fs.writeFileSync(path.join(repo, 'dist', 'default', 'database', 'database.yaml'), 'kind: ConfigMap\n');
    fs.rmSync(path.join(repo, 'dist'), { recursive: true });
    const p = PreviousManifests.fromDist(path.join(repo, 'dist'), 'default');
    expect(p.source).toBe('git HEAD:dist/default');
    expect(p.find('Cluster', NS, 'cnpg-ha')?.file).toBe('database/database.yaml');
    expect(p.find('ScheduledBackup', NS, 'cnpg-ha-daily')).toBeDefined();
    // another revision, e.g. the deployed branch in CI
    expect(PreviousManifests.fromDist(path.join(repo, 'dist'), 'default', { ref: 'HEAD~0' }).objects.length).toBe(p.objects.length);
    expect(PreviousManifests.fromDist(path.join(repo, 'dist'), 'default', { ref: 'no-such-ref', source: 'git' }).note).toContain('git archive no-such-ref failed: fatal: not a valid object name');
    // an environment that was never committed: nothing to compare with
    const none = PreviousManifests.fromDist(path.join(repo, 'dist'), 'staging');
    expect(none.objects).toEqual([]);
    expect(none.note).toContain('update checks skipped');
  });

  test('outside a git checkout the files on disk are used; without them the checks are skipped with a note', () => {
    const dir = tempDir();
    fs.cpSync(FIXTURE, path.join(dir, 'dist'), { recursive: true });
    const p = PreviousManifests.fromDist(path.join(dir, 'dist'), 'default');
    expect(p.source).toBe(`files in ${path.join(dir, 'dist', 'default')}`);
    expect(p.find('Cluster', NS, 'cnpg-ha')).toBeDefined();
    const notes: string[] = [];
    const { app } = build({ props: { storageSize: '20Gi' } });
    const report = checkAppUpdates(app, PreviousManifests.fromDist(path.join(dir, 'nothing'), 'default'), { acknowledge: [], note: (m) => notes.push(m) });
    expect(report.problems).toEqual([]);
    expect(notes).toEqual([expect.stringContaining('no deployed manifests of "default" found')]);
  });
});

describe('reading the committed dist/ (one git process per synth)', () => {
  const git = (cwd: string, ...args: string[]) => {
    const r = spawnSync('git', ['-C', cwd, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** The real git, counting its processes. */
  const counting = () => {
    const calls: string[][] = [];
    const runner: GitRunner = (args, cwd) => {
      calls.push([...args]);
      return spawnGit(args, cwd);
    };
    return { runner, calls };
  };
  // a path longer than the 100 bytes of a tar header name: git archive writes it in a pax header
  const LONG = `${'nested-folder-with-a-long-name/'.repeat(4)}extra.yaml`;

  /** A repository whose committed dist/ has two environments (the fixture twice, one with a long path). */
  function repoWithDist(): { repo: string; dist: string; onDisk: Record<string, PreviousManifests> } {
    const repo = tempDir();
    git(repo, 'init', '-q');
    const dist = path.join(repo, 'dist');
    for (const env of ['default', 'dev']) fs.cpSync(path.join(FIXTURE, 'default'), path.join(dist, env), { recursive: true });
    fs.mkdirSync(path.dirname(path.join(dist, 'dev', LONG)), { recursive: true });
    fs.writeFileSync(path.join(dist, 'dev', LONG), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: data-infra\n');
    fs.writeFileSync(path.join(dist, 'argocd-cm.health-checks.yaml'), 'kind: ConfigMap\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'deployed');
    const onDisk = Object.fromEntries(['default', 'dev'].map((env) => [env, PreviousManifests.fromDist(dist, env, { source: 'files' })]));
    fs.rmSync(dist, { recursive: true }); // as the cdk8s CLI does before it runs the app
    return { repo, dist, onDisk };
  }

  test('every environment of a synth shares one git process, and reads what the files on disk held', () => {
    const { dist, onDisk } = repoWithDist();
    const { runner, calls } = counting();
    const read = ['default', 'dev', 'staging'].map((env) => PreviousManifests.fromDist(dist, env, { git: runner }));
    expect(calls).toEqual([['--literal-pathspecs', 'archive', '--format=tar', 'HEAD', '--', 'dist']]);
    expect(read.map((p) => p.source)).toEqual(['git HEAD:dist/default', 'git HEAD:dist/dev', 'none']);
    for (const [i, env] of ['default', 'dev'].entries()) {
      // the same objects from the same files, in the same order, as the files on disk (and as `git show` per file gave)
      expect(read[i].objects).toEqual(onDisk[env].objects);
      for (const kind of ['Cluster', 'ScheduledBackup', 'Database', 'ConfigMap']) {
        expect(read[i].ofKind(kind)).toEqual(onDisk[env].objects.filter((o) => o.object.kind === kind));
      }
    }
    expect(read[1].find('ConfigMap', NS, 'extra')?.file).toBe(LONG);
    expect(read[2].note).toContain('update checks skipped');
    expect(PreviousManifests.fromDist(dist, 'staging', { git: runner, source: 'git' }).note).toBe('dist/staging/ is not committed in HEAD');
    expect(calls).toHaveLength(1);
  });

  test('the update checks find the same problems in git as in the files', () => {
    const { dist, onDisk } = repoWithDist();
    const shrink = (previous: PreviousManifests) => {
      const { app } = build({ props: { storageSize: '20Gi', walStorageClass: 'fast' }, noArchiver: true, noSchedule: true });
      return checkAppUpdates(app, previous, { acknowledge: [], note: () => undefined }).problems;
    };
    const fromGit = shrink(PreviousManifests.fromDist(dist, 'default'));
    expect(fromGit.map((p) => p.rule).sort()).toEqual(['U4', 'UL1', 'UL2']);
    expect(fromGit).toEqual(shrink(onDisk.default));
  });

  test('the next synth reads git again (the read is shared within one synchronous run only)', async () => {
    const { repo, dist } = repoWithDist();
    const { runner, calls } = counting();
    expect(PreviousManifests.fromDist(dist, 'default', { git: runner }).find('Cluster', NS, 'cnpg-ha')).toBeDefined();
    await Promise.resolve();
    git(repo, 'rm', '-q', '-r', 'dist/default/database');
    git(repo, 'commit', '-q', '-m', 'cluster removed');
    expect(PreviousManifests.fromDist(dist, 'default', { git: runner }).find('Cluster', NS, 'cnpg-ha')).toBeUndefined();
    expect(calls).toHaveLength(2);
    // CDK8S_CNPG_PREVIOUS_REF picks the revision; `none` starts no process at all
    const previousRef = process.env.CDK8S_CNPG_PREVIOUS_REF;
    try {
      process.env.CDK8S_CNPG_PREVIOUS_REF = 'HEAD~1';
      expect(PreviousManifests.fromDist(dist, 'default', { git: runner }).find('Cluster', NS, 'cnpg-ha')).toBeDefined();
      process.env.CDK8S_CNPG_PREVIOUS_REF = 'none';
      expect(PreviousManifests.fromDist(dist, 'default', { git: runner }).source).toBe('none');
    } finally {
      if (previousRef === undefined) delete process.env.CDK8S_CNPG_PREVIOUS_REF;
      else process.env.CDK8S_CNPG_PREVIOUS_REF = previousRef;
    }
    expect(calls.map((c) => c[3])).toEqual(['HEAD', 'HEAD', 'HEAD~1']);
  });

  test('outside a git checkout no git process starts', () => {
    const dir = tempDir();
    const { runner, calls } = counting();
    expect(PreviousManifests.fromDist(path.join(dir, 'dist'), 'default', { git: runner, source: 'git' }).note).toContain('not a git checkout');
    expect(calls).toEqual([]);
  });

  test('only the documents of the kinds asked for are parsed', () => {
    const dir = tempDir();
    fs.cpSync(path.join(FIXTURE, 'default'), path.join(dir, 'dist', 'default'), { recursive: true });
    // a document that fails when parsed (an undefined alias), standing in for the large dashboards and rules
    fs.appendFileSync(path.join(dir, 'dist', 'default', 'database', 'database.yaml'), '---\napiVersion: v1\nkind: ConfigMap\ndata: *undefined-anchor\n');
    const p = PreviousManifests.fromDist(path.join(dir, 'dist'), 'default');
    expect(p.find('Cluster', NS, 'cnpg-ha')).toBeDefined();
    const { app } = build({ props: { storageSize: '20Gi' } });
    expect(checkAppUpdates(app, p, { acknowledge: [], note: () => undefined }).problems.map((x) => x.rule)).toEqual(['U4']);
    expect(() => p.ofKind('ConfigMap')).toThrow(/undefined-anchor/);
    expect(() => p.objects).toThrow(/undefined-anchor/);
  });

  describe('git started ahead of need (prefetchCommittedManifests, while synth builds the apps)', () => {
    const gitTemps = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('cdk8s-cnpg-git-'));
    afterEach(() => jest.restoreAllMocks());

    /** Waits (synchronously, as synth would) until the prefetched git archive has ended. */
    const prefetchEnded = (dir: string) => {
      const tick = new Int32Array(new SharedArrayBuffer(4));
      for (let i = 0; i < 10_000 && !fs.existsSync(path.join(os.tmpdir(), dir, 'status')); i++) Atomics.wait(tick, 0, 0, 1);
    };

    test('the update checks take its output (what was committed when it ran), and leave no temporary files', async () => {
      const { repo, dist, onDisk } = repoWithDist();
      await Promise.resolve();
      const before = gitTemps();
      prefetchCommittedManifests(dist);
      const [started] = gitTemps().filter((d) => !before.includes(d));
      expect(started).toBeDefined();
      prefetchEnded(started);
      // committed after git read: a read of its own would no longer find the Cluster
      git(repo, 'rm', '-q', '-r', 'dist/default/database');
      git(repo, 'commit', '-q', '-m', 'cluster removed');
      const read = ['default', 'dev'].map((env) => PreviousManifests.fromDist(dist, env));
      expect(read.map((p) => p.source)).toEqual(['git HEAD:dist/default', 'git HEAD:dist/dev']);
      expect(read[0].find('Cluster', NS, 'cnpg-ha')).toBeDefined();
      expect(read[0].objects).toEqual(onDisk.default.objects);
      expect(gitTemps()).toEqual(before);
      // the next synth reads git again
      await Promise.resolve();
      expect(PreviousManifests.fromDist(dist, 'default').find('Cluster', NS, 'cnpg-ha')).toBeUndefined();
    });

    test('a failing git says so, as without the prefetch', async () => {
      const { dist } = repoWithDist();
      await Promise.resolve();
      const read = () => PreviousManifests.fromDist(dist, 'default', { ref: 'no-such-revision', source: 'git' });
      prefetchCommittedManifests(dist, 'no-such-revision');
      const prefetched = read();
      await Promise.resolve();
      const own = read();
      expect(prefetched.source).toBe('none');
      expect(prefetched.note).toMatch(/^git archive no-such-revision failed: fatal: not a valid object name/);
      expect(prefetched.note).toBe(own.note);
    });

    test('a prefetch that gives no result (its files gone, its shell ended) is replaced by git run then', async () => {
      const { dist, onDisk } = repoWithDist();
      await Promise.resolve();
      const before = gitTemps();
      prefetchCommittedManifests(dist);
      for (const d of gitTemps().filter((x) => !before.includes(x))) fs.rmSync(path.join(os.tmpdir(), d), { recursive: true, force: true });
      const read = PreviousManifests.fromDist(dist, 'default');
      expect(read.source).toBe('git HEAD:dist/default');
      expect(read.objects).toEqual(onDisk.default.objects);
    });

    test('a read nobody took (a synth that failed before its update checks) is discarded with its files', () => {
      const { dist } = repoWithDist();
      const before = gitTemps();
      prefetchCommittedManifests(dist);
      expect(gitTemps()).toHaveLength(before.length + 1);
      discardPrefetchedManifests();
      expect(gitTemps()).toEqual(before);
    });

    test('nothing starts outside a git checkout, or for the revision none', () => {
      const before = gitTemps();
      prefetchCommittedManifests(path.join(tempDir(), 'dist'));
      prefetchCommittedManifests(repoWithDist().dist, 'none');
      expect(gitTemps()).toEqual(before);
    });
  });
});

describe('the committed documents the app renders unchanged are not parsed', () => {
  // The fixture is what the baseline synthesizes (first test above): its Cluster, Database and ScheduledBackup
  // documents are exactly what the writer writes for the baseline's objects.
  const parses = () => jest.spyOn(yamlParserModule, 'yamlParser');
  afterEach(() => jest.restoreAllMocks());

  test('nothing changed: nothing is parsed, and nothing is found', async () => {
    await Promise.resolve(); // a new synchronous run: nothing known from the tests before
    const spy = parses();
    const report = checkAppUpdates(build().app, previous(), { acknowledge: [], note: () => undefined });
    expect(report.problems).toEqual([]);
    expect(spy).not.toHaveBeenCalled();
  });

  test('a changed Cluster: only its document is parsed, and the change is found as before', async () => {
    await Promise.resolve();
    const spy = parses();
    const { app } = build({ props: { storageSize: '20Gi' } });
    expect(checkAppUpdates(app, previous(), { acknowledge: [], note: () => undefined }).problems.map((p) => p.rule)).toEqual(['U4']);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  test('the object read without parsing is what parsing gives (YAML 1.1, undefined as null)', async () => {
    await Promise.resolve();
    const p = previous();
    const parsed = p.ofKind('Cluster').map((o) => o.object);
    await Promise.resolve();
    const { app } = build();
    const spy = parses();
    checkAppUpdates(app, previous(), { acknowledge: [], note: () => undefined });
    const assumed = previous().ofKind('Cluster').map((o) => o.object);
    expect(spy).not.toHaveBeenCalled();
    expect(assumed).toEqual(parsed);
    expect(assumed[0]).not.toBe(parsed[0]);
  });
});
