import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { fetchCertCommand, SealingCertificate } from '../lib/secrets/certificate';
import {
  CLUSTER_WIDE_ANNOTATION,
  describeMalformedSealedValue,
  NAMESPACE_WIDE_ANNOTATION,
  sealValue,
  SealingScope,
} from '../lib/secrets/kubeseal';
import {
  demoKey,
  expectedFingerprints,
  FIXTURES,
  ksealControllerKey,
  labelFor,
  secondControllerKey,
  tryUnseal,
  unsealValue,
} from './support/unseal';

/** Fixed "now" inside every fixture certificate's validity. */
const NOW = new Date('2026-12-01T00:00:00Z');
const GENERATED = path.join(FIXTURES, 'generated');

describe('the test unsealer opens REAL kubeseal ciphertexts (ground truth)', () => {
  const { privateKeyPem } = ksealControllerKey();
  const label = 'my-namespace/my-secret';

  test.each([
    ['dev-values.yaml', ['my-password-for-dev-db', 'my-dev-api-secret'], 'This is a secret message'],
    ['prd-values.yaml', ['my-password-for-prd-db', 'my-prd-api-secret'], 'This is a secret message !!!'],
  ])('%s decrypts to the documented plaintexts', (file, secrets, message) => {
    const values = parse(fs.readFileSync(path.join(FIXTURES, 'kseal-fixture', file), 'utf8')) as {
      secrets: { name: string; value: string }[];
      secretMessage: string;
    };
    expect(values.secrets.map((s) => unsealValue(privateKeyPem, label, s.value).toString('utf8'))).toEqual(secrets);
    expect(unsealValue(privateKeyPem, label, values.secretMessage).toString('utf8')).toBe(message);
    // Wire format: uint16BE(512) prefix, 2 + 512 + len + 16 bytes.
    const blob = Buffer.from(values.secretMessage, 'base64');
    expect(blob.readUInt16BE(0)).toBe(512);
    expect(blob.length).toBe(2 + 512 + Buffer.byteLength(message) + 16);
    // Any other label fails.
    for (const other of ['my-namespace', '', 'my-namespace/other', 'other/my-secret']) {
      expect(tryUnseal(privateKeyPem, other, values.secretMessage)).toBeUndefined();
    }
  });

  function unsealDocs(file: string): { lines: string[]; failures: number } {
    const lines: string[] = [];
    let failures = 0;
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(FIXTURES, 'derived', file), 'utf8'))) {
      const ss = doc.toJS() as {
        metadata: { namespace: string; name: string; annotations?: Record<string, string> };
        spec: { encryptedData: Record<string, string> };
      };
      const l = labelFor(ss.metadata.namespace, ss.metadata.name, ss.metadata.annotations);
      for (const key of Object.keys(ss.spec.encryptedData).sort()) {
        const v = tryUnseal(privateKeyPem, l, ss.spec.encryptedData[key]);
        if (v === undefined) failures++;
        else lines.push(`${ss.metadata.namespace}/${ss.metadata.name} ${key}=${v.toString('utf8')}`);
      }
    }
    return { lines, failures };
  }

  test('the derived SealedSecrets unseal to kseal-expected.txt; renamed and wrong-scope variants all fail', () => {
    const expected = fs.readFileSync(path.join(FIXTURES, 'derived', 'kseal-expected.txt'), 'utf8').trim().split('\n');
    expect(unsealDocs('kseal-sealedsecrets.yaml')).toEqual({ lines: expected, failures: 0 });
    expect(unsealDocs('kseal-renamed-must-fail.yaml')).toEqual({ lines: [], failures: 6 });
    expect(unsealDocs('kseal-wrong-scope-must-fail.yaml')).toEqual({ lines: [], failures: 6 });
  });
});

describe('SealingScope', () => {
  test('names, labels and annotations', () => {
    expect(SealingScope.STRICT.name).toBe('strict');
    expect(SealingScope.STRICT.label('db', 'app')).toBe('db/app');
    expect(SealingScope.STRICT.annotations).toEqual({});
    expect(SealingScope.NAMESPACE_WIDE.name).toBe('namespace-wide');
    expect(SealingScope.NAMESPACE_WIDE.label('db', 'app')).toBe('db');
    expect(SealingScope.NAMESPACE_WIDE.annotations).toEqual({ 'sealedsecrets.bitnami.com/namespace-wide': 'true' });
    expect(SealingScope.CLUSTER_WIDE.name).toBe('cluster-wide');
    expect(SealingScope.CLUSTER_WIDE.label('db', 'app')).toBe('');
    expect(SealingScope.CLUSTER_WIDE.annotations).toEqual({ 'sealedsecrets.bitnami.com/cluster-wide': 'true' });
    expect(NAMESPACE_WIDE_ANNOTATION).toBe('sealedsecrets.bitnami.com/namespace-wide');
    expect(CLUSTER_WIDE_ANNOTATION).toBe('sealedsecrets.bitnami.com/cluster-wide');
  });

  test('fromName', () => {
    expect(SealingScope.fromName('strict')).toBe(SealingScope.STRICT);
    expect(SealingScope.fromName('namespace-wide')).toBe(SealingScope.NAMESPACE_WIDE);
    expect(SealingScope.fromName('cluster-wide')).toBe(SealingScope.CLUSTER_WIDE);
    expect(() => SealingScope.fromName('cluster')).toThrow(/unknown sealing scope "cluster"; use one of strict, namespace-wide, cluster-wide/);
  });

  test('annotations cannot be mutated', () => {
    expect(() => {
      (SealingScope.STRICT.annotations as Record<string, string>).x = 'y';
    }).toThrow();
  });
});

describe('sealValue', () => {
  const kseal = ksealControllerKey();
  const cert4096 = SealingCertificate.fromPem(kseal.certPem, 'kseal cert', { now: NOW });
  const second = secondControllerKey();
  const cert2048 = SealingCertificate.fromPem(second.certPem, second.certPath, { now: NOW });

  test('format: uint16BE(modulus bytes) prefix, total length, randomized', () => {
    const v = sealValue(cert4096, SealingScope.STRICT, 'my-namespace', 'my-secret', 'This is a secret message');
    expect(v.startsWith('Ag')).toBe(true);
    expect(Buffer.from(v, 'base64').length).toBe(554);
    expect(v).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(sealValue(cert4096, SealingScope.STRICT, 'my-namespace', 'my-secret', 'This is a secret message')).not.toBe(v);
    const small = sealValue(cert2048, SealingScope.STRICT, 'a', 'b', 'x');
    expect(small.startsWith('AQ')).toBe(true);
    expect(describeMalformedSealedValue(small, cert2048)).toBeUndefined();
    expect(describeMalformedSealedValue(small, cert4096)).toMatch(/256-byte RSA part.*512 bytes/);
    expect(describeMalformedSealedValue('not base64!', cert2048)).toBe('is not standard base64');
  });

  test('a lib-sealed value opens with the real controller key (kubeseal-compatible)', () => {
    const v = sealValue(cert4096, SealingScope.STRICT, 'my-namespace', 'my-secret', 'my-password-for-dev-db');
    expect(unsealValue(kseal.privateKeyPem, 'my-namespace/my-secret', v).toString()).toBe('my-password-for-dev-db');
  });

  describe.each([
    ['strict', SealingScope.STRICT],
    ['namespace-wide', SealingScope.NAMESPACE_WIDE],
    ['cluster-wide', SealingScope.CLUSTER_WIDE],
  ])('%s round trip', (_name, scope) => {
    const plaintext = Buffer.concat([Buffer.from('pä$$wörd\n'), crypto.randomBytes(64), Buffer.from([0, 255])]);
    const v = sealValue(cert2048, scope, 'db', 'app-user', plaintext);
    const open = (ns: string, name: string, annotations: Record<string, string> = scope.annotations) =>
      tryUnseal(second.privateKeyPem, labelFor(ns, name, annotations), v);

    test('opens for the same object (label derived from the emitted annotations)', () => {
      expect(open('db', 'app-user')).toEqual(plaintext);
    });

    test('renamed object', () => {
      if (scope === SealingScope.STRICT) expect(open('db', 'renamed')).toBeUndefined();
      else expect(open('db', 'renamed')).toEqual(plaintext);
    });

    test('re-namespaced object', () => {
      if (scope === SealingScope.CLUSTER_WIDE) expect(open('other', 'app-user')).toEqual(plaintext);
      else expect(open('other', 'app-user')).toBeUndefined();
    });

    test('wrong scope annotations fail', () => {
      for (const other of SealingScope.all().filter((s) => s !== scope)) {
        expect(open('db', 'app-user', other.annotations)).toBeUndefined();
      }
    });

    test('another private key fails', () => {
      expect(tryUnseal(kseal.privateKeyPem, scope.label('db', 'app-user'), v)).toBeUndefined();
    });
  });

  test('the demo key pair of the default environment matches', () => {
    const demo = demoKey();
    const cert = SealingCertificate.fromFile(demo.certPath, { now: NOW });
    expect(cert.modulusBits).toBe(4096);
    const v = sealValue(cert, SealingScope.STRICT, 'db', 'app', 'demo');
    expect(unsealValue(demo.privateKeyPem, 'db/app', v).toString()).toBe('demo');
  });

  test('refuses targets the controller could not match', () => {
    expect(() => sealValue(cert2048, SealingScope.STRICT, '', 'x', 'v')).toThrow(/needs a namespace/);
    expect(() => sealValue(cert2048, SealingScope.NAMESPACE_WIDE, '', 'x', 'v')).toThrow(/needs a namespace/);
    expect(() => sealValue(cert2048, SealingScope.STRICT, 'db', '', 'v')).toThrow(/needs the SealedSecret name/);
    expect(() => sealValue(cert2048, SealingScope.STRICT, 'a/b', 'x', 'v')).toThrow(/must not contain "\/"/);
    expect(tryUnseal(second.privateKeyPem, '', sealValue(cert2048, SealingScope.CLUSTER_WIDE, '', '', 'v'))?.toString()).toBe('v');
  });
});

describe('SealingCertificate', () => {
  const read = (f: string) => fs.readFileSync(path.join(GENERATED, f), 'utf8');
  const fetch = 'kubeseal --controller-name sealed-secrets-controller --controller-namespace sealed-secrets --fetch-cert >';

  test('fingerprint = sha256 of the SubjectPublicKeyInfo, equal to openssl, stable across re-issued certificates', () => {
    const expected = expectedFingerprints();
    const a = SealingCertificate.fromPem(read('second-controller.cert.pem'), 'a', { now: NOW });
    const b = SealingCertificate.fromPem(read('second-controller-reissued.cert.pem'), 'b', { now: NOW });
    expect(a.fingerprint).toBe(expected['second-controller.cert.pem']);
    expect(a.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(b.serialNumber).not.toBe(a.serialNumber);
    expect(b.notAfter).not.toEqual(a.notAfter);
    const kseal = SealingCertificate.fromPem(read('kseal-controller.cert.pem'), 'k', { now: NOW });
    expect(kseal.fingerprint).toBe(expected['kseal-controller.cert.pem']);
    expect(kseal.fingerprint).not.toBe(a.fingerprint);
    expect(a.shortFingerprint).toBe(a.fingerprint.slice(0, 23) + '…');
  });

  test('real controller certificates parse (empty subject, encipherOnly); upstream modulus matches', () => {
    const expected = expectedFingerprints();
    const up = SealingCertificate.fromFile(path.join(FIXTURES, 'upstream-test-cert', 'testCert.pem'), { now: NOW });
    expect(up.fingerprint).toBe(expected['testCert.pem']);
    expect(up.notAfter.toISOString()).toBe('2027-06-18T04:32:45.000Z');
    expect(up.modulusBytes).toBe(512);
    const jwk = up.publicKey.export({ format: 'jwk' });
    const n = BigInt('0x' + Buffer.from(jwk.n!, 'base64url').toString('hex'));
    expect(n.toString()).toBe(fs.readFileSync(path.join(FIXTURES, 'upstream-test-cert', 'testModulus.dec.txt'), 'utf8').trim());
    const sg = SealingCertificate.fromFile(path.join(FIXTURES, 'socialgouv-cert', 'dev2-cert.pem'), { now: NOW });
    expect(sg.fingerprint).toBe(expected['dev2-cert.pem']);
  });

  test('uses the first CERTIFICATE block, like kubeseal', () => {
    const pem = read('second-controller.cert.pem') + read('kseal-controller.cert.pem');
    const c = SealingCertificate.fromPem('some preamble\n' + pem, 'bundle', { now: NOW });
    expect(c.fingerprint).toBe(expectedFingerprints()['second-controller.cert.pem']);
  });

  test('missing file names the path and the fetch command', () => {
    const p = path.join(os.tmpdir(), 'does-not-exist', 'sealing-cert.pem');
    expect(() => SealingCertificate.fromFile(p)).toThrow(`sealing certificate ${p} does not exist; fetch the controller's certificate with: ${fetch} ${p}`);
  });

  test('a directory, an unreadable file', () => {
    expect(() => SealingCertificate.fromFile(os.tmpdir())).toThrow(/is a directory, not a PEM file; fetch it with: kubeseal/);
    const eacces = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    expect(() =>
      SealingCertificate.fromFile('secrets/prod/sealing-cert.pem', {
        readFile: () => {
          throw eacces;
        },
      }),
    ).toThrow(/cannot read sealing certificate secrets\/prod\/sealing-cert.pem: EACCES: permission denied; check the file's permissions/);
  });

  test('not PEM, a bare public key, a broken block', () => {
    expect(() => SealingCertificate.fromPem('hello', 'x.pem')).toThrow(
      `sealing certificate x.pem is not a PEM certificate: no "-----BEGIN CERTIFICATE-----" block; fetch it with: ${fetch} x.pem`,
    );
    const spki = crypto.createPublicKey(read('second-controller.cert.pem')).export({ type: 'spki', format: 'pem' }) as string;
    expect(() => SealingCertificate.fromPem(spki, 'x.pem')).toThrow(/holds a bare PUBLIC KEY; kubeseal and this library need the X.509 certificate/);
    expect(() =>
      SealingCertificate.fromPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'x.pem'),
    ).toThrow(/x.pem has a CERTIFICATE block that cannot be parsed/);
  });

  test('refuses a file that contains a private key', () => {
    const s = secondControllerKey();
    expect(() => SealingCertificate.fromPem(s.certPem + s.privateKeyPem, 'x.pem')).toThrow(/x.pem contains a PRIVATE KEY/);
  });

  test('non-RSA', () => {
    expect(() => SealingCertificate.fromPem(read('ec.cert.pem'), 'ec.pem', { now: NOW })).toThrow(
      /sealing certificate ec.pem has a ec public key, but Sealed Secrets seals with RSA-OAEP and needs an RSA key; use the controller's certificate: kubeseal/,
    );
  });

  test('expired: names notAfter and the fix', () => {
    expect(() => SealingCertificate.fromPem(read('expired.cert.pem'), 'expired.pem', { now: NOW })).toThrow(
      /sealing certificate expired.pem expired on 2021-01-01T00:00:00.000Z .*fetch it with: kubeseal .* > expired.pem/,
    );
    // Valid on its last day.
    const c = SealingCertificate.fromPem(read('expired.cert.pem'), 'e', { now: new Date('2020-12-31T23:00:00Z') });
    expect(c.expiresWithinDays(30, new Date('2020-12-31T23:00:00Z'))).toBe(true);
  });

  test('30-day warning', () => {
    const c = SealingCertificate.fromPem(read('second-controller-reissued.cert.pem'), 'secrets/prod/sealing-cert.pem', { now: NOW });
    const day = 24 * 3600 * 1000;
    const in10 = new Date(c.notAfter.getTime() - 10 * day);
    const in40 = new Date(c.notAfter.getTime() - 40 * day);
    expect(c.expiresWithinDays(30, in10)).toBe(true);
    expect(c.expiresWithinDays(30, in40)).toBe(false);
    expect(c.daysUntilExpiry(in40)).toBe(40);
    expect(c.expiryWarning(30, in40)).toBeUndefined();
    expect(c.expiryWarning(30, in10)).toBe(
      `sealing certificate secrets/prod/sealing-cert.pem expires on ${c.notAfter.toISOString()} (in 10 days); after that ` +
        `sealing with it fails — fetch the controller's current certificate with: ${fetch} secrets/prod/sealing-cert.pem`,
    );
  });

  test('fetch command follows the controller location', () => {
    expect(fetchCertCommand('c.pem', { controllerName: 'ss', controllerNamespace: 'kube-system' })).toBe(
      'kubeseal --controller-name ss --controller-namespace kube-system --fetch-cert > c.pem',
    );
  });
});
