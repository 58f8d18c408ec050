import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { Chart } from 'cdk8s';
import {
  CnpgUserCredential, Problems, runSeal, S3Credential, SealedCredential, SealedStore, SealedValues, SealingCertificate,
  SealingScope, SecretType,
} from '../lib';
import { DEMO_CERTIFICATE_FINGERPRINT } from '../lib/secrets/sealed-values';
import { credentialCatalogOf } from '../lib';
import { DEFAULT_ENVIRONMENT, ENVIRONMENTS, REPO_ROOT } from '../main';
import { findObject, readManifests, synthChart, synthError, tempDir, testChart } from './support/synth';
import { demoKey, FIXTURES, labelFor, secondControllerKey, tryUnseal, unsealValue } from './support/unseal';

const DEMO = DEFAULT_ENVIRONMENT.platform;
const GENERATED = path.join(FIXTURES, 'generated');

function demoValues(chart: Chart, overrides: Partial<ConstructorParameters<typeof SealedValues>[2]> = {}): SealedValues {
  return new SealedValues(chart, 'SealedValues', { environment: 'default', certificatePath: DEMO.sealingCertificatePath, storePath: DEMO.sealedStorePath, ...overrides });
}

/** Opens every SealedSecret value of `objects` with the test-only demo key, as the controller would. */
function unsealAll(objects: any[]): Map<string, Record<string, string>> {
  const key = demoKey().privateKeyPem;
  const out = new Map<string, Record<string, string>>();
  for (const o of objects.filter((x) => x.kind === 'SealedSecret')) {
    const label = labelFor(o.metadata.namespace, o.metadata.name, o.metadata.annotations ?? {});
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries<string>(o.spec.encryptedData)) {
      values[k] = unsealValue(key, label, v).toString('utf8');
    }
    out.set(`${o.metadata.namespace}/${o.metadata.name}`, values);
  }
  return out;
}

describe('the default environment\'s sealed credentials', () => {
  const objects = readManifests(path.join(REPO_ROOT, 'dist', 'default')).map((m) => m.object);
  const unsealed = unsealAll(objects);

  test('dist/ holds SealedSecrets for the app user, the superuser and the S3 credentials, wired into the cluster', () => {
    expect([...unsealed.keys()].sort()).toEqual([
      'data-infra/cnpg-app-user', 'data-infra/cnpg-backup-s3', 'data-infra/cnpg-reporting', 'data-infra/cnpg-superuser',
      'data-infra/cnpg-tunnel-token', 'data-infra/cnpg-warehouse-sync',
      // The restore drill's own credentials, sealed for its namespace (Secrets are not readable across namespaces).
      'restore-drill/drill-app-user', 'restore-drill/drill-backup-s3',
    ]);
    const cluster = findObject(objects, 'Cluster', 'cnpg-ha');
    expect(cluster.spec.bootstrap.initdb).toMatchObject({ database: 'appdb', owner: 'app_user', secret: { name: 'cnpg-app-user' } });
    expect(cluster.spec.superuserSecret).toEqual({ name: 'cnpg-superuser' });
    expect(cluster.spec.enableSuperuserAccess).toBe(true);
    const app = findObject(objects, 'SealedSecret', 'cnpg-app-user');
    expect(app.spec.template).toEqual({
      metadata: { name: 'cnpg-app-user', namespace: 'data-infra', labels: { 'cnpg.io/reload': 'true' } },
      type: 'kubernetes.io/basic-auth',
    });
    // Strict scope: no scope annotations, only the sync wave that puts credentials before the cluster.
    expect(app.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-2' });
  });

  test('every value decrypts with the demo key and has the expected shape', () => {
    const app = unsealed.get('data-infra/cnpg-app-user')!;
    const su = unsealed.get('data-infra/cnpg-superuser')!;
    const drill = unsealed.get('restore-drill/drill-app-user')!;
    expect(drill.username).toBe('app_user');
    expect(drill.password).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(drill.password).not.toBe(app.password);
    const s3 = unsealed.get('data-infra/cnpg-backup-s3')!;
    expect(app.username).toBe('app_user');
    expect(su.username).toBe('postgres');
    for (const password of [app.password, su.password]) {
      expect(password).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    }
    expect(app.password).not.toBe(su.password);
    expect(Object.keys(s3).sort()).toEqual(['aws_access_key_id', 'aws_secret_access_key', 'region']);
    expect(s3.region).toBe('ap-northeast-1');
  });

  test('a value does not decrypt under another name, namespace or scope (strict scope)', () => {
    const app = findObject(objects, 'SealedSecret', 'cnpg-app-user');
    const key = demoKey().privateKeyPem;
    const ciphertext = app.spec.encryptedData.password;
    expect(tryUnseal(key, 'data-infra/cnpg-app-user', ciphertext)).toBeDefined();
    expect(tryUnseal(key, 'data-infra/renamed', ciphertext)).toBeUndefined();
    expect(tryUnseal(key, 'other-ns/cnpg-app-user', ciphertext)).toBeUndefined();
    expect(tryUnseal(key, 'data-infra', ciphertext)).toBeUndefined();
    expect(tryUnseal(key, '', ciphertext)).toBeUndefined();
  });

  test('no plaintext secret value appears in dist/, the snapshots or any tracked file', () => {
    const secrets = [...unsealed.values()].flatMap((v) => [v.password, v.aws_secret_access_key]).filter((s): s is string => !!s && s.length >= 16);
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    const tracked = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\n').filter((f) => f && !f.startsWith('test/keys/') && fs.existsSync(path.join(REPO_ROOT, f)));
    expect(tracked).toEqual(expect.arrayContaining(['dist/default/credentials/credentials.yaml']));
    for (const file of tracked) {
      const text = fs.readFileSync(path.join(REPO_ROOT, file));
      for (const secret of secrets) {
        expect({ file, leaks: text.includes(secret) }).toEqual({ file, leaks: false });
      }
    }
  });

  test('the demo certificate is the one production refuses', () => {
    expect(SealingCertificate.fromFile(DEMO.sealingCertificatePath).fingerprint).toBe(DEMO_CERTIFICATE_FINGERPRINT);
  });
});

describe('SealedCredential', () => {
  test('a generic credential: its Secret annotations go on the template, keys in a stable order', () => {
    const { chart } = testChart();
    const values = demoValues(chart);
    new SealedCredential(chart, 'Generic', { secretName: 'cnpg-app-user', keys: ['username', 'password'], scope: SealingScope.STRICT, secretType: SecretType.BASIC_AUTH, sealedValues: values, secretAnnotations: { team: 'db' } });
    const ss = findObject(synthChart(chart), 'SealedSecret', 'cnpg-app-user');
    expect(ss.spec.template.metadata.annotations).toEqual({ team: 'db' });
    expect(Object.keys(ss.spec.encryptedData)).toEqual(['password', 'username']);
  });

  test('namespace-wide and cluster-wide scopes annotate the SealedSecret and its template', () => {
    for (const scope of [SealingScope.NAMESPACE_WIDE, SealingScope.CLUSTER_WIDE]) {
      const { chart } = testChart();
      new SealedCredential(chart, 'Wide', { secretName: 'wide', keys: ['token'], scope, sealedValues: demoValues(chart) });
      // No value is sealed for it: synth fails, but the rendered object can still be inspected.
      const obj = (chart.node.findChild('Wide').node.defaultChild as any).toJson();
      expect(obj.metadata.annotations).toEqual(scope.annotations);
      expect(obj.spec.template.metadata.annotations).toEqual(scope.annotations);
      expect(Object.keys(scope.annotations)).toHaveLength(1);
    }
  });

  test('a credential sealed with another scope than declared is an error that says how to re-seal', () => {
    const { chart } = testChart();
    new CnpgUserCredential(chart, 'App', { secretName: 'cnpg-app-user', username: 'app_user', scope: SealingScope.NAMESPACE_WIDE, sealedValues: demoValues(chart) });
    const message = synthError(chart);
    expect(message).toContain('[test/App]');
    expect(message).toContain('sealed with scope strict but declared namespace-wide');
    expect(message).toContain('npm run seal -- --env default --credential data-infra/cnpg-app-user --key password --generate');
  });

  test('a renamed or re-namespaced credential has no sealed value and names the command to run', () => {
    const { chart } = testChart('other-ns');
    new CnpgUserCredential(chart, 'App', { secretName: 'cnpg-app-user', username: 'app_user', sealedValues: demoValues(chart) });
    const message = synthError(chart);
    expect(message).toContain('no sealed values for other-ns/cnpg-app-user (keys username, password)');
    expect(message).toContain('npm run seal -- --env default --credential other-ns/cnpg-app-user --key password --generate');
  });

  test('a changed username is detected without storing any plaintext secret', () => {
    const { chart } = testChart();
    new CnpgUserCredential(chart, 'App', { secretName: 'cnpg-app-user', username: 'someone_else', sealedValues: demoValues(chart) });
    expect(synthError(chart)).toContain('the fixed value of "username" is declared as "someone_else" but "app_user" was sealed');
  });

  test('invalid key names, duplicate credentials and missing keys are reported together', () => {
    const { chart } = testChart();
    const values = demoValues(chart);
    new CnpgUserCredential(chart, 'App', { secretName: 'cnpg-app-user', username: 'app_user', sealedValues: values });
    new CnpgUserCredential(chart, 'AppAgain', { secretName: 'cnpg-app-user', username: 'app_user', sealedValues: values });
    new S3Credential(chart, 'S3', { secretName: 'cnpg-backup-s3', accessKeyIdKey: 'access key', region: 'ap-northeast-1', sealedValues: values });
    const message = synthError(chart);
    expect(message).toContain('[test/AppAgain] secretName: the credential data-infra/cnpg-app-user is already declared at test/App');
    expect(message).toContain('[test/S3] keys: is not a valid Secret data key');
    expect(message).toContain('(got "access key")');
    expect(message).toContain('no sealed value for key "access key"');
  });

  test.each([
    ['a missing certificate', path.join(GENERATED, 'does-not-exist.pem'), /certificatePath: .*does-not-exist\.pem/],
    ['a file that is not a certificate', path.join(FIXTURES, 'README.md'), /certificatePath: .*README\.md/],
    ['an EC certificate', path.join(GENERATED, 'ec.cert.pem'), /certificatePath: .*RSA/],
    ['an expired certificate', path.join(GENERATED, 'expired.cert.pem'), /certificatePath: .*expired/],
  ])('%s is a clear synth error', (_name, certificatePath, expected) => {
    const { chart } = testChart();
    new CnpgUserCredential(chart, 'App', { secretName: 'cnpg-app-user', username: 'app_user', sealedValues: demoValues(chart, { certificatePath }) });
    expect(synthError(chart)).toMatch(expected);
  });

  test('values sealed for another certificate: a warning in development, an error in production', () => {
    const other = secondControllerKey().certPath;
    const dev = testChart();
    new CnpgUserCredential(dev.chart, 'App', { secretName: 'cnpg-app-user', username: 'app_user', sealedValues: demoValues(dev.chart, { certificatePath: other }) });
    synthChart(dev.chart);
    expect(Problems.warningsBelow(dev.chart).join('\n')).toContain('sealed for certificate');

    const prod = testChart();
    new CnpgUserCredential(prod.chart, 'App', { secretName: 'cnpg-app-user', username: 'app_user', sealedValues: demoValues(prod.chart, { certificatePath: other, production: true }) });
    expect(synthError(prod.chart)).toContain('sealed for certificate');
  });

  test('a production environment refuses the demo certificate', () => {
    const { chart } = testChart();
    new CnpgUserCredential(chart, 'App', { secretName: 'cnpg-app-user', username: 'app_user', sealedValues: demoValues(chart, { production: true }) });
    expect(synthError(chart)).toContain('[test/SealedValues] certificatePath: a production environment cannot use the demo certificate');
  });
});

describe('npm run seal with the real catalog', () => {
  test('seals the default environment for a freshly generated certificate, and the independent unsealer opens it', async () => {
    const dir = tempDir();
    const key = secondControllerKey();
    const storePath = path.join(dir, 'sealed-values.json');
    const out: string[] = [];
    const code = await runSeal(
      ['--env', 'default', '--all', '--from-env-prefix', 'SEAL_', '--generate-missing', '--cert', key.certPath],
      {
        stdin: () => Buffer.alloc(0),
        env: {
          SEAL_DATA_INFRA_CNPG_BACKUP_S3_AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEY000001',
          SEAL_DATA_INFRA_CNPG_BACKUP_S3_AWS_SECRET_ACCESS_KEY: 'example-secret-access-key-value-0001',
          SEAL_RESTORE_DRILL_DRILL_BACKUP_S3_AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEY000002',
          SEAL_RESTORE_DRILL_DRILL_BACKUP_S3_AWS_SECRET_ACCESS_KEY: 'example-secret-access-key-value-0002',
          SEAL_DATA_INFRA_CNPG_TUNNEL_TOKEN_TOKEN: 'example-tunnel-token-0001',
          SEAL_DATA_INFRA_CNPG_WAREHOUSE_SYNC_PASSWORD: 'example-replication-password-0001',
        },
        stdout: (s) => out.push(s),
        stderr: (s) => out.push(s),
        readFile: (p) => fs.readFileSync(p),
      },
      { ...credentialCatalogOf(ENVIRONMENTS), storePath: () => storePath, certificatePath: () => key.certPath },
    );
    expect(out.join('')).toContain('wrote');
    expect(code).toBe(0);
    expect(out.join('')).not.toContain('example-secret-access-key-value-0001');
    const store = SealedStore.load(storePath);
    const s3 = store.lookup('data-infra', 'cnpg-backup-s3')!;
    expect(unsealValue(key.privateKeyPem, 'data-infra/cnpg-backup-s3', s3.keys.aws_secret_access_key).toString()).toBe('example-secret-access-key-value-0001');
    const app = store.lookup('data-infra', 'cnpg-app-user')!;
    expect(unsealValue(key.privateKeyPem, 'data-infra/cnpg-app-user', app.keys.username).toString()).toBe('app_user');
    expect(unsealValue(key.privateKeyPem, 'data-infra/cnpg-app-user', app.keys.password).toString()).toMatch(/^[A-Za-z0-9_-]{32,}$/);
  });
});
