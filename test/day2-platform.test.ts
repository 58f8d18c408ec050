/**
 * The day-2 operations as the environments in `main.ts` use them: the default environment has an extension-managed
 * application database, a managed role and a publication; the warehouse environment subscribes to it.
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { PostgresPlatform, Problems, SealedStore } from '../lib';
import { sealingPaths } from '../lib';
import { DEFAULT_ENVIRONMENT, REPO_ROOT, WAREHOUSE_ENVIRONMENT } from '../main';
import { findObject, readManifests, tempDir } from './support/synth';
import { demoKey, unsealValue } from './support/unseal';
import { validateObjects } from './support/schema';

const dist = (env: string) => readManifests(path.join(REPO_ROOT, 'dist', env)).map((m) => m.object);

describe('the default environment\'s day-2 operations', () => {
  const objects = dist('default');

  test('appdb with pg_stat_statements and vector through a Database resource, preloading what needs it', () => {
    const cluster = findObject(objects, 'Cluster', 'cnpg-ha').spec;
    expect(cluster.postgresql.shared_preload_libraries).toEqual(['pg_stat_statements']);
    const db = findObject(objects, 'Database', 'cnpg-ha-appdb').spec;
    expect(db).toMatchObject({ name: 'appdb', owner: 'app_user', cluster: { name: 'cnpg-ha' }, databaseReclaimPolicy: 'retain' });
    expect(db.extensions.map((e: any) => [e.name, e.ensure])).toEqual([['pg_stat_statements', 'present'], ['vector', 'present']]);
  });

  test('managed roles with explicit defaults (no Argo CD drift) and sealed passwords, never a plain Secret', () => {
    const cluster = findObject(objects, 'Cluster', 'cnpg-ha').spec;
    expect(cluster.managed.roles.map((r: any) => [r.name, r.login, r.replication, r.passwordSecret?.name, r.connectionLimit, r.inherit, r.ensure])).toEqual([
      ['reporting', true, false, 'cnpg-reporting', 10, true, 'present'],
      ['warehouse_sync', true, true, 'cnpg-warehouse-sync', 10, true, 'present'],
    ]);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(findObject(objects, 'Publication', 'cnpg-ha-warehouse-pub').spec).toMatchObject({ name: 'warehouse_pub', dbname: 'appdb', target: { allTables: true } });
  });
});

describe('the warehouse environment', () => {
  const objects = dist('warehouse');

  test('a subscription to the default environment\'s publication, with the external cluster on the subscriber', () => {
    expect(findObject(objects, 'Subscription', 'warehouse-warehouse-pub').spec).toMatchObject({
      cluster: { name: 'warehouse' }, dbname: 'dwh', externalClusterName: 'cnpg-ha', publicationName: 'warehouse_pub', publicationDBName: 'appdb',
    });
    expect(findObject(objects, 'Cluster', 'warehouse').spec.externalClusters).toEqual([{
      name: 'cnpg-ha',
      connectionParameters: { host: 'cnpg-ha-rw.data-infra.svc', port: '5432', user: 'warehouse_sync', dbname: 'appdb', sslmode: 'require' },
      password: { name: 'cnpg-warehouse-sync', key: 'password' },
    }]);
  });

  test('the replication role\'s password is the same on both sides, sealed separately for each namespace', () => {
    const key = demoKey().privateKeyPem;
    const open = (env: string, ns: string) => {
      const entry = SealedStore.load(sealingPaths(env, REPO_ROOT).sealedStorePath).lookup(ns, 'cnpg-warehouse-sync')!;
      return unsealValue(key, `${ns}/cnpg-warehouse-sync`, entry.keys.password).toString();
    };
    const publisher = open('default', 'data-infra');
    expect(publisher).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(open('warehouse', 'warehouse')).toBe(publisher);
  });
});

test('drill marker Jobs go to their own component, which Argo CD does not sync', () => {
  const app = new App({ outdir: tempDir(), outputFileExtension: '.yaml' });
  const platform = new PostgresPlatform(app, 'default', {
    ...DEFAULT_ENVIRONMENT.platform,
    drills: [{ runId: '2026-09-01-failover', drill: 'primary pod deletion' }],
  });
  expect(platform.day2.drills[0].writeJobName).toBe('cnpg-ha-drill-2026-09-01-failover-write');
  const drills = platform.charts.get('drills' as any)!.toJson();
  expect(drills.map((o: any) => `${o.kind}/${o.metadata.name}`)).toEqual([
    'Job/cnpg-ha-drill-2026-09-01-failover-write', 'Job/cnpg-ha-drill-2026-09-01-failover-verify',
  ]);
  expect(validateObjects(drills)).toEqual([]);
  const apps = platform.charts.get('argocd' as any)!.toJson().filter((o: any) => o.kind === 'Application');
  expect(apps.map((a: any) => a.metadata.name)).not.toContain('default-drills');
  expect(Problems.warningsBelow(app)).toEqual([]);
  expect(WAREHOUSE_ENVIRONMENT.platform.subscriptions).toHaveLength(1);
});
