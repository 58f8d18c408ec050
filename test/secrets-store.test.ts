import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SealingCertificate } from '../lib/secrets/certificate';
import { sealValue, SealingScope } from '../lib/secrets/kubeseal';
import {
  checkSealedEntry,
  DeclaredSealedCredential,
  SealedEntry,
  SealedStore,
  sealCommand,
} from '../lib/secrets/sealed-store';
import { ksealControllerKey, secondControllerKey, unsealValue } from './support/unseal';

const NOW = new Date('2026-12-01T00:00:00Z');
const second = secondControllerKey();
const cert = SealingCertificate.fromPem(second.certPem, 'secrets/prod/sealing-cert.pem', { now: NOW });
const oldCert = SealingCertificate.fromPem(ksealControllerKey().certPem, 'old.pem', { now: NOW });

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sealed-store-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const appUser: DeclaredSealedCredential = {
  namespace: 'db',
  name: 'app-user',
  scope: SealingScope.STRICT,
  keys: ['username', 'password'],
  generatedKeys: ['password'],
  fixedValues: { username: 'app' },
};

function entryFor(decl: DeclaredSealedCredential, values: Record<string, string>, c = cert, scope = decl.scope): SealedEntry {
  const keys: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) keys[k] = sealValue(c, scope, decl.namespace, decl.name, v);
  return {
    namespace: decl.namespace,
    name: decl.name,
    scope: scope.name,
    certificateFingerprint: c.fingerprint,
    sealedAt: '2026-12-01T00:00:00.000Z',
    fixedValues: decl.fixedValues ? { ...decl.fixedValues } : undefined,
    keys,
  };
}

describe('SealedStore', () => {
  test('a missing file is an empty store; save creates the directory', () => {
    const p = path.join(tmp, 'secrets', 'prod', 'sealed-values.json');
    const s = SealedStore.load(p);
    expect(s.entries()).toEqual([]);
    expect(s.lookup('db', 'app-user')).toBeUndefined();
    s.save(p);
    expect(fs.readFileSync(p, 'utf8')).toBe('{\n  "version": 1,\n  "credentials": {}\n}\n');
  });

  test('exact format: stable key order, 2-space JSON, trailing newline', () => {
    const s = new SealedStore();
    s.put({
      keys: { username: 'AgU=', password: 'AgP=' },
      fixedValues: { username: 'app' },
      sealedAt: '2026-11-30T12:00:00.000Z',
      certificateFingerprint: 'sha256:ab',
      scope: 'strict',
      name: 'app-user',
      namespace: 'db',
    });
    s.put({ namespace: 'a', name: 'z', scope: 'cluster-wide', certificateFingerprint: 'sha256:ab', keys: { token: 'AgT=' } });
    expect(s.serialize()).toBe(`{
  "version": 1,
  "credentials": {
    "a/z": {
      "namespace": "a",
      "name": "z",
      "scope": "cluster-wide",
      "certificateFingerprint": "sha256:ab",
      "keys": {
        "token": "AgT="
      }
    },
    "db/app-user": {
      "namespace": "db",
      "name": "app-user",
      "scope": "strict",
      "certificateFingerprint": "sha256:ab",
      "sealedAt": "2026-11-30T12:00:00.000Z",
      "fixedValues": {
        "username": "app"
      },
      "keys": {
        "password": "AgP=",
        "username": "AgU="
      }
    }
  }
}
`);
  });

  test('deterministic: saving twice, or after loading, or in another insertion order gives identical bytes', () => {
    const e1 = entryFor(appUser, { username: 'app', password: 'pw-1' });
    const e2: SealedEntry = { ...entryFor(appUser, { token: 't' }), namespace: 'tunnel', name: 'cf', fixedValues: undefined };
    const a = new SealedStore();
    a.put(e1);
    a.put(e2);
    const b = new SealedStore();
    b.put(e2);
    b.put(e1);
    const p1 = path.join(tmp, 'a.json');
    const p2 = path.join(tmp, 'b.json');
    a.save(p1);
    const first = fs.readFileSync(p1);
    a.save(p1);
    expect(fs.readFileSync(p1)).toEqual(first);
    b.save(p2);
    expect(fs.readFileSync(p2)).toEqual(first);
    SealedStore.load(p1).save(p2);
    expect(fs.readFileSync(p2)).toEqual(first);
    expect(SealedStore.load(p1).lookup('db', 'app-user')).toEqual(e1);
    expect(fs.readdirSync(tmp).sort()).toEqual(['a.json', 'b.json']); // no temp files left
  });

  test('setKey merges into a current entry and refuses to mix certificates or scopes', () => {
    const s = new SealedStore();
    const target = { namespace: 'db', name: 'app-user', scope: 'strict' as const, certificateFingerprint: cert.fingerprint };
    s.setKey(target, 'username', 'AgU=', { fixedValue: 'app', sealedAt: '2026-12-01T00:00:00.000Z' });
    s.setKey(target, 'password', 'AgP=', { sealedAt: '2026-12-02T00:00:00.000Z' });
    expect(s.lookup('db', 'app-user')).toEqual({
      ...target,
      sealedAt: '2026-12-02T00:00:00.000Z',
      fixedValues: { username: 'app' },
      keys: { username: 'AgU=', password: 'AgP=' },
    });
    expect(() => s.setKey({ ...target, certificateFingerprint: oldCert.fingerprint }, 'password', 'AgX=')).toThrow(
      /cannot be mixed into it — re-seal all of its keys/,
    );
    expect(() => s.setKey({ ...target, scope: 'namespace-wide' }, 'password', 'AgX=')).toThrow(/cannot be mixed/);
    expect(s.remove('db', 'app-user')).toBe(true);
    expect(s.entries()).toEqual([]);
  });

  test('load errors name the file', () => {
    const p = path.join(tmp, 'sealed-values.json');
    fs.writeFileSync(p, '{ "version": 1, <<<<<<< HEAD');
    expect(() => SealedStore.load(p)).toThrow(new RegExp(`sealed store ${p} is not valid JSON .*resolve the merge conflict`));
    fs.writeFileSync(p, '{ "version": 2, "credentials": {} }');
    expect(() => SealedStore.load(p)).toThrow(`sealed store ${p}: unsupported version 2 (this library reads version 1)`);
    fs.writeFileSync(p, JSON.stringify({ version: 1, credentials: { 'a/b': { namespace: 'a', name: 'b', scope: 'cluster', certificateFingerprint: 'x', keys: {} } } }));
    expect(() => SealedStore.load(p)).toThrow(/credentials\["a\/b"\].scope "cluster" is not one of strict, namespace-wide, cluster-wide/);
    fs.writeFileSync(p, JSON.stringify({ version: 1, credentials: { 'a/b': { namespace: 'a', name: 'b', scope: 'strict', certificateFingerprint: 'x', keys: { k: 1 } } } }));
    expect(() => SealedStore.load(p)).toThrow(/credentials\["a\/b"\].keys must map item keys to base64 strings/);
  });

  test('no plaintext and no hash of a secret value is stored', () => {
    const secret = 'correct-horse-battery-staple-' + crypto.randomBytes(8).toString('hex');
    const s = new SealedStore();
    s.put(entryFor(appUser, { username: 'app', password: secret }));
    const text = s.serialize();
    expect(unsealValue(second.privateKeyPem, 'db/app-user', s.lookup('db', 'app-user')!.keys.password).toString()).toBe(secret);
    const forms: string[] = [secret, Buffer.from(secret).toString('base64')];
    for (const alg of ['md5', 'sha1', 'sha256', 'sha512']) {
      const d = crypto.createHash(alg).update(secret).digest();
      forms.push(d.toString('hex'), d.toString('base64'), d.toString('base64url'));
    }
    for (const f of forms) expect(text).not.toContain(f);
    // Only the declared non-secret fixed value appears in plain text.
    expect(JSON.parse(text).credentials['db/app-user'].fixedValues).toEqual({ username: 'app' });
  });
});

describe('checkSealedEntry', () => {
  const ctx = { environment: 'prod', storePath: 'secrets/prod/sealed-values.json' };
  const where = 'secrets/prod/sealed-values.json credentials["db/app-user"]';
  const good = () => entryFor(appUser, { username: 'app', password: 'pw' });

  test('an up-to-date entry has no problems', () => {
    expect(checkSealedEntry(appUser, good(), cert, ctx)).toEqual([]);
  });

  test('no sealed value at all → the exact command', () => {
    expect(checkSealedEntry(appUser, undefined, cert, ctx)).toEqual([
      {
        code: 'missing-credential',
        severity: 'error',
        credential: 'db/app-user',
        field: where,
        message: 'no sealed values for db/app-user (keys username, password)',
        fix: 'seal them with: npm run seal -- --env prod --credential db/app-user --key password --generate',
      },
    ]);
  });

  test('a missing key', () => {
    const e = good();
    const { password: _dropped, ...keys } = e.keys;
    const problems = checkSealedEntry(appUser, { ...e, keys }, cert, ctx);
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'missing-key',
        severity: 'error',
        key: 'password',
        field: `${where}.keys`,
        message: 'no sealed value for key "password"',
        fix: 'seal it with: npm run seal -- --env prod --credential db/app-user --key password --generate',
      }),
    ]);
  });

  test('a missing fixed key needs no input', () => {
    const e = good();
    const { username: _dropped, ...keys } = e.keys;
    const [p] = checkSealedEntry(appUser, { ...e, keys }, cert, ctx);
    expect(p.fix).toBe('seal it with: npm run seal -- --env prod --credential db/app-user');
  });

  test('scope mismatch', () => {
    const e = entryFor(appUser, { username: 'app', password: 'pw' }, cert, SealingScope.NAMESPACE_WIDE);
    const problems = checkSealedEntry(appUser, e, cert, ctx);
    expect(problems.map((p) => p.code)).toEqual(['scope-mismatch']);
    expect(problems[0].message).toBe(
      'sealed with scope namespace-wide but declared strict; the controller would fail with "no key could decrypt secret"',
    );
    expect(problems[0].fix).toBe(
      're-seal every key with the declared scope: npm run seal -- --env prod --credential db/app-user --key password --generate',
    );
  });

  test('namespace/name mismatch', () => {
    const problems = checkSealedEntry(appUser, { ...good(), name: 'app' }, cert, ctx);
    expect(problems.map((p) => p.code)).toEqual(['target-mismatch']);
    expect(problems[0].message).toBe('the entry was sealed for db/app, not db/app-user (edited by hand?)');
  });

  test('sealed for another certificate: a warning with an honest fix', () => {
    const e = entryFor(appUser, { username: 'app', password: 'pw' }, oldCert);
    const problems = checkSealedEntry(appUser, e, cert, ctx);
    expect(problems.map((p) => [p.code, p.severity])).toEqual([['stale-certificate', 'warning']]);
    const [p] = problems;
    expect(p.message).toContain(`sealed for certificate ${oldCert.fingerprint.slice(0, 23)}…`);
    expect(p.message).toContain(`the environment's certificate secrets/prod/sealing-cert.pem is ${cert.fingerprint.slice(0, 23)}…`);
    expect(p.message).toContain('only while it still holds the old private key');
    expect(p.fix).toContain('values cannot be re-sealed offline because this repository never holds their plaintext');
    expect(p.fix).toContain('npm run seal -- --env prod --all --from-env-prefix SEAL_ --generate-missing');
    expect(p.fix).toContain("kubectl -n db get secret app-user -o jsonpath='{.data.password}' | base64 -d");
    expect(p.fix).toContain('kubeseal --re-encrypt needs the running controller');
    expect(checkSealedEntry(appUser, e, cert, { ...ctx, staleCertificate: 'error' })[0].severity).toBe('error');
  });

  test('a changed fixed value', () => {
    const problems = checkSealedEntry({ ...appUser, fixedValues: { username: 'app2' } }, good(), cert, ctx);
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'fixed-value-changed',
        key: 'username',
        message: 'the fixed value of "username" is declared as "app2" but "app" was sealed',
        fix: 're-seal it (no input needed): npm run seal -- --env prod --credential db/app-user',
      }),
    ]);
  });

  test('a malformed value and an undeclared key; errors sort before warnings', () => {
    const e = good();
    const problems = checkSealedEntry(appUser, { ...e, keys: { ...e.keys, extra: e.keys.password, password: 'AQAB' } }, cert, ctx);
    expect(problems.map((p) => [p.code, p.severity, p.key])).toEqual([
      ['malformed-value', 'error', 'password'],
      ['undeclared-key', 'warning', 'extra'],
    ]);
    expect(problems[0].message).toBe('the sealed value is truncated (no room for the AES-GCM tag)');
  });

  test('sealCommand picks a source per key', () => {
    const s3: DeclaredSealedCredential = { namespace: 'db', name: 's3', scope: SealingScope.NAMESPACE_WIDE, keys: ['ID', 'SECRET'] };
    expect(sealCommand('prod', s3, ['ID'])).toBe('npm run seal -- --env prod --credential db/s3 --key ID --from-stdin');
    expect(sealCommand('prod', s3, s3.keys)).toBe(
      'npm run seal -- --env prod --credential db/s3 --key ID --from-file <file with ID> --key SECRET --from-file <file with SECRET>',
    );
  });
});
