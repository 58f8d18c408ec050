import { App, Chart, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { Size } from 'cdk8s';
import {
  CnpgClusterProps, CnpgDatabase, ImageFlavour, PostgresImage, PrimaryUpdateMethod, PrimaryUpdateStrategy,
} from '../lib';
import { describeChangeImpact, formatChangeImpact } from '../lib/rules/change-impact';
import { tutorialCluster } from './support/day2';

function clusterJson(overrides: Partial<CnpgClusterProps> = {}, extra?: (chart: Chart, cluster: ReturnType<typeof tutorialCluster>) => void): any {
  const app = new App({ outdir: '/tmp' });
  const chart = new Chart(app, 'c', { namespace: 'data-infra' });
  const cluster = tutorialCluster(chart, overrides);
  extra?.(chart, cluster);
  return Testing.synth(chart).find((o) => o.kind === 'Cluster');
}

const BASE_PARAMS = { max_connections: 200, shared_buffers: '512MB', wal_level: 'logical' };

describe('describeChangeImpact: parameters (pg_settings context)', () => {
  test('no change, and the same value written differently', () => {
    const base = clusterJson();
    expect(describeChangeImpact(base, base)).toMatchObject({ overall: 'none', severity: 'info', changes: [], summary: 'cluster data-infra/cnpg-ha: no change' });
    const impact = describeChangeImpact(base, clusterJson({ parameters: { ...BASE_PARAMS, shared_buffers: '0.5GB' } }));
    expect(impact.overall).toBe('none');
    expect(impact.changes[0]).toMatchObject({ field: 'spec.postgresql.parameters.shared_buffers', effect: 'none' });
  });

  test('sighup and user settings are applied online by a reload', () => {
    const impact = describeChangeImpact(clusterJson(), clusterJson({ parameters: { ...BASE_PARAMS, work_mem: '16MB', checkpoint_timeout: '15min', log_min_duration_statement: '1s' } }));
    expect(impact.overall).toBe('reload');
    expect(impact.severity).toBe('info');
    expect(impact.changes.map((c) => [c.field.split('.').pop(), c.effect])).toEqual([
      ['checkpoint_timeout', 'reload'], ['log_min_duration_statement', 'reload'], ['work_mem', 'reload'],
    ]);
    expect(impact.changes.find((c) => c.field.endsWith('work_mem'))!.detail).toMatch(/context user/);
    expect(impact.changes.find((c) => c.field.endsWith('checkpoint_timeout'))!.detail).toMatch(/context sighup/);
  });

  test('postmaster settings need a rolling restart; the primary per primaryUpdateMethod', () => {
    const restart = describeChangeImpact(clusterJson(), clusterJson({ parameters: { ...BASE_PARAMS, shared_buffers: '1GB' } }));
    expect(restart).toMatchObject({ overall: 'restart', severity: 'warning' });
    expect(restart.changes[0].detail).toMatch(/can only change at server start \(context postmaster\): the replicas one at a time \(highest serial first\), then the primary restarts in place/);
    const switchover = describeChangeImpact(
      clusterJson({ primaryUpdateMethod: PrimaryUpdateMethod.SWITCHOVER }),
      clusterJson({ primaryUpdateMethod: PrimaryUpdateMethod.SWITCHOVER, parameters: { ...BASE_PARAMS, max_wal_senders: 20 } }),
    );
    expect(switchover.changes[0].detail).toMatch(/then a switchover promotes the most aligned replica/);
    const supervised = describeChangeImpact(
      clusterJson({ primaryUpdateStrategy: PrimaryUpdateStrategy.SUPERVISED }),
      clusterJson({ primaryUpdateStrategy: PrimaryUpdateStrategy.SUPERVISED, parameters: { ...BASE_PARAMS, shared_buffers: '1GB' } }),
    );
    expect(supervised.changes[0].detail).toMatch(/waits for a manual switchover \(kubectl cnpg promote\)/);
  });

  test('decreasing a hot-standby-sensitive setting is flagged', () => {
    const impact = describeChangeImpact(clusterJson(), clusterJson({ parameters: { ...BASE_PARAMS, max_connections: 100 } }));
    expect(impact.changes[0].detail).toMatch(/It decreases: standbys need a value at least as high as the primary's/);
    const up = describeChangeImpact(clusterJson(), clusterJson({ parameters: { ...BASE_PARAMS, max_connections: 300 } }));
    expect(up.changes[0].detail).not.toMatch(/decreases/);
  });

  test('backend settings reach new sessions; removing a setting goes back to the default', () => {
    const impact = describeChangeImpact(clusterJson(), clusterJson({ parameters: { max_connections: 200, wal_level: 'logical', log_connections: 'on' } }));
    expect(impact.changes.map((c) => [c.field.split('.').pop(), c.effect, c.to])).toEqual([
      ['log_connections', 'new-sessions', 'on'],
      ['shared_buffers', 'restart', undefined],
    ]);
    expect(impact.changes[1].detail).toMatch(/^removed: back to the default/);
  });

  test('a managed extension parameter adds its library: a restart', () => {
    const impact = describeChangeImpact(clusterJson(), clusterJson({ parameters: { ...BASE_PARAMS, 'pg_stat_statements.track': 'all' } }));
    const preload = impact.changes.find((c) => c.field === 'spec.postgresql.shared_preload_libraries')!;
    expect(preload).toMatchObject({ effect: 'restart', from: '∅', to: 'pg_stat_statements' });
    expect(impact.overall).toBe('restart');
  });

  test('an extension installed through a Database resource preloads its library: a restart', () => {
    const before = clusterJson();
    const after = clusterJson({}, (chart, cluster) => new CnpgDatabase(chart, 'Db', { cluster, databaseName: 'appdb', extensions: ['pg_stat_statements', 'vector'] }));
    const impact = describeChangeImpact(before, after);
    expect(impact.changes).toEqual([expect.objectContaining({ field: 'spec.postgresql.shared_preload_libraries', effect: 'restart', to: 'pg_stat_statements' })]);
  });

  test('image and parameters together with primaryUpdateMethod switchover are rejected', () => {
    const impact = describeChangeImpact(
      clusterJson({ primaryUpdateMethod: PrimaryUpdateMethod.SWITCHOVER }),
      clusterJson({ primaryUpdateMethod: PrimaryUpdateMethod.SWITCHOVER, image: PostgresImage.of('16.15', { flavour: ImageFlavour.STANDARD }), parameters: { ...BASE_PARAMS, work_mem: '8MB' } }),
    );
    expect(impact.overall).toBe('rejected');
    expect(impact.severity).toBe('error');
    expect(impact.summary).toMatch(/REJECTED by CloudNativePG/);
    expect(impact.changes.find((c) => c.effect === 'rejected')!.detail).toMatch(/Can't change image name and configuration at the same time when `primaryUpdateMethod` is set to `switchover`.* \[rule U3\]$/);
  });
});

describe('describeChangeImpact: scaling, storage, pods, identity', () => {
  test('instances up: new replicas cloned with pg_basebackup; down: replicas removed', () => {
    const up = describeChangeImpact(clusterJson(), clusterJson({ instances: 5 }));
    expect(up).toMatchObject({ overall: 'scale-up', severity: 'info' });
    expect(up.changes[0]).toMatchObject({ field: 'spec.instances', from: '3', to: '5' });
    expect(up.changes[0].detail).toMatch(/2 new replica\(s\).*pg_basebackup streamed from the primary/);
    const down = describeChangeImpact(clusterJson(), clusterJson({ instances: 2 }));
    expect(down).toMatchObject({ overall: 'scale-down', severity: 'warning' });
    expect(down.changes[0].detail).toMatch(/highest serial numbers are shut down and removed/);
  });

  test('resources recreate the pods; storage grows online and never shrinks; pg_hba reloads', () => {
    const a = clusterJson();
    const impact = describeChangeImpact(a, clusterJson({
      resources: { cpu: { limit: Cpu.units(2) }, memory: { limit: Size.gibibytes(4) } },
      storageSize: '80Gi',
      pgHba: ['hostssl all all 10.0.0.0/8 scram-sha-256', 'hostnossl all all all reject'],
    }));
    expect(impact.changes.map((c) => [c.field, c.effect])).toEqual(expect.arrayContaining([
      ['spec.resources', 'rolling-update'], ['spec.storage.size', 'online'], ['spec.postgresql.pg_hba', 'reload'],
    ]));
    expect(describeChangeImpact(a, clusterJson({ storageSize: '20Gi' })).changes[0]).toMatchObject({ effect: 'rejected', detail: "can't shrink existing storage from 40Gi to 20Gi (data volumes): volumes only grow [rule U4]" });
  });

  test('roles are online; a rename replaces the cluster; creation and deletion', () => {
    const withRole = clusterJson({}, (_c, cluster) => cluster.addRole({ name: 'reporting' }));
    expect(describeChangeImpact(clusterJson(), withRole)).toMatchObject({ overall: 'online', changes: [{ field: 'spec.managed', effect: 'online' }] });
    const renamed = describeChangeImpact(clusterJson(), clusterJson({ clusterName: 'cnpg-ha2' }));
    expect(renamed).toMatchObject({ overall: 'replaced', severity: 'error' });
    expect(describeChangeImpact(undefined, clusterJson())).toMatchObject({ overall: 'created', changes: [{ detail: 'a new cluster: an empty initdb' }] });
    expect(describeChangeImpact(clusterJson(), undefined)).toMatchObject({ overall: 'replaced' });
  });

  test('the tutorial\'s step 5 in one change: minor upgrade, tuning, scaling, an extension (snapshot of the synth output)', () => {
    const before = clusterJson();
    const after = clusterJson({
      image: PostgresImage.of('16.15', { flavour: ImageFlavour.STANDARD }), instances: 4,
      parameters: { ...BASE_PARAMS, shared_buffers: '768MB', work_mem: '16MB', log_connections: 'on' },
    }, (chart, cluster) => new CnpgDatabase(chart, 'Db', { cluster, databaseName: 'appdb', extensions: ['pg_stat_statements'] }));
    expect(formatChangeImpact(describeChangeImpact(before, after))).toMatchSnapshot();
  });

  test('formatChangeImpact prints the summary and one line per change', () => {
    const lines = formatChangeImpact(describeChangeImpact(clusterJson(), clusterJson({ instances: 4, parameters: { ...BASE_PARAMS, work_mem: '8MB' } })));
    expect(lines[0]).toBe('cluster data-infra/cnpg-ha: replicas added (1 scale-up, 1 reload)');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}reload: spec\.postgresql\.parameters\.work_mem \(∅ → 8MB\): set; applied online/),
      expect.stringMatching(/^ {2}scale-up: spec\.instances \(3 → 4\): 1 new replica/),
    ]);
  });
});

describe('changeImpactReport: what synth prints against the committed dist/', () => {
  const { App, Chart } = jest.requireActual('cdk8s');
  const lib = { ...jest.requireActual('../lib'), ...jest.requireActual('../lib/cluster/change-impact'), ...jest.requireActual('../lib/core/update-checks') };
  const fixture = require('path').join(__dirname, 'fixtures', 'update-checks', 'previous');

  const build = (parameters: Record<string, string | number>, instances = 3) => {
    const app = new App({ outdir: require('os').tmpdir() });
    const chart = new Chart(app, 'database', { namespace: 'data-infra' });
    const cluster = new lib.CnpgCluster(chart, 'Cluster', {
      clusterName: 'cnpg-ha', instances, image: lib.PostgresImage.of('16.14', { flavour: lib.ImageFlavour.STANDARD }),
      storageSize: '40Gi', storageClass: 'longhorn', walStorageSize: '10Gi', database: 'appdb', parameters,
    });
    // As deployed: archiving into the store (the fixture's Cluster has the same plugin entry).
    cluster.addPlugin({ name: 'barman-cloud.cloudnative-pg.io', isWalArchiver: true, parameters: { barmanObjectName: 'cnpg-ha-backups', serverName: 'cnpg-ha' } });
    return app;
  };
  const previous = () => lib.PreviousManifests.fromDist(fixture, 'default', { source: 'files' });

  test('a postmaster parameter is reported as a rolling restart, a sighup one as a reload, scaling as scaling', () => {
    const lines: string[] = lib.changeImpactReport(build({ max_connections: 300, shared_buffers: '512MB', wal_level: 'logical', work_mem: '8MB' }, 5), previous());
    expect(lines[0]).toMatch(/^cluster data-infra\/cnpg-ha: rolling restart/);
    expect(lines.join('\n')).toContain('restart: spec.postgresql.parameters.max_connections (200 → 300)');
    expect(lines.join('\n')).toMatch(/reload: spec.postgresql.parameters.work_mem \(∅ → 8MB\)/);
    expect(lines.join('\n')).toMatch(/scale-up: spec.instances \(3 → 5\)/);
  });

  test('an unchanged cluster prints nothing', () => {
    expect(lib.changeImpactReport(build({ max_connections: 200, shared_buffers: '512MB', wal_level: 'logical' }), previous())).toEqual([]);
  });
});
