import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SealingScope } from '../lib/secrets/kubeseal';
import {
  CredentialCatalog,
  DeclaredCredential,
  envVarName,
  generatePassword,
  PASSWORD_ALPHABET,
  runSeal,
} from '../lib/secrets/seal-command';
import { FIXTURES, ksealControllerKey, secondControllerKey, tryUnseal, unsealValue } from './support/unseal';

const NOW = new Date('2026-12-01T00:00:00Z');
const OLD = ksealControllerKey(); // RSA-4096, "the current controller certificate"
const NEW = secondControllerKey(); // RSA-2048, "the controller's new certificate"

const CREDENTIALS: Omit<DeclaredCredential, 'environment'>[] = [
  {
    namespace: 'db',
    name: 'app-user',
    scope: SealingScope.STRICT,
    keys: ['username', 'password'],
    generatedKeys: ['password'],
    fixedValues: { username: 'app' },
  },
  { namespace: 'db', name: 's3-creds', scope: SealingScope.NAMESPACE_WIDE, keys: ['ACCESS_KEY_ID', 'ACCESS_SECRET_KEY'] },
  { namespace: 'tunnel', name: 'cf-token', scope: SealingScope.CLUSTER_WIDE, keys: ['token'] },
];

let dir: string;
let outputs: string[];
/** Every secret value used in a test; none may ever appear in stdout/stderr. */
let secrets: string[];

function catalog(): CredentialCatalog {
  return {
    environments: () => ['default', 'prod'],
    credentials: (env) => (env === 'prod' ? CREDENTIALS.map((c) => ({ ...c, environment: env })) : []),
    certificatePath: (env) => path.join(dir, 'secrets', env, 'sealing-cert.pem'),
    storePath: (env) => path.join(dir, 'secrets', env, 'sealed-values.json'),
  };
}
const storePath = () => path.join(dir, 'secrets', 'prod', 'sealed-values.json');
const certPath = () => path.join(dir, 'secrets', 'prod', 'sealing-cert.pem');
const store = () =>
  JSON.parse(fs.readFileSync(storePath(), 'utf8')) as {
    credentials: Record<string, { keys: Record<string, string>; certificateFingerprint: string; scope: string; sealedAt?: string }>;
  };

async function seal(argv: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  let stdinReads = 0;
  const code = await runSeal(
    argv,
    {
      stdin: () => {
        stdinReads++;
        return Buffer.from(opts.stdin ?? '');
      },
      env: opts.env ?? {},
      stdout: (s) => {
        stdout += s;
      },
      stderr: (s) => {
        stderr += s;
      },
      readFile: (p) => fs.readFileSync(p),
      now: () => NOW,
    },
    catalog(),
  );
  outputs.push(stdout, stderr);
  return { code, stdout, stderr, stdinReads };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seal-command-'));
  fs.mkdirSync(path.join(dir, 'secrets', 'prod'), { recursive: true });
  fs.writeFileSync(certPath(), OLD.certPem);
  outputs = [];
  secrets = [];
});

afterEach(() => {
  // Never a secret value in any output.
  for (const out of outputs) for (const s of secrets) expect(out).not.toContain(s);
  fs.rmSync(dir, { recursive: true, force: true });
});

const open = (key: { privateKeyPem: string }, id: string, k: string, label: string) =>
  tryUnseal(key.privateKeyPem, label, store().credentials[id].keys[k])?.toString('utf8');

describe('seal command', () => {
  test('--help documents usage, sources, the re-seal-all command and the env var scheme', async () => {
    const r = await seal(['--help']);
    expect(r.code).toBe(0);
    for (const s of [
      '--from-stdin',
      '--from-file <path>',
      '--from-env <VAR>',
      '--generate',
      'NEVER taken from command-line arguments',
      '--all --from-env-prefix SEAL_ --generate-missing',
      'SEAL_DB_APP_USER_PASSWORD',
      '--list',
      '--cert <path>',
      'Environments: default, prod',
    ]) {
      expect(r.stdout).toContain(s);
    }
  });

  test('seals from stdin (one trailing newline removed); the fixed username is sealed automatically', async () => {
    secrets.push('s3cr3t-from-stdin');
    const r = await seal(['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', '--from-stdin'], {
      stdin: 's3cr3t-from-stdin\n',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(open(OLD, 'db/app-user', 'password', 'db/app-user')).toBe('s3cr3t-from-stdin');
    expect(open(OLD, 'db/app-user', 'username', 'db/app-user')).toBe('app');
    const fp = store().credentials['db/app-user'].certificateFingerprint;
    expect(r.stdout).toContain(`certificate ${certPath()} ${fp}`);
    expect(r.stdout).toContain(`sealed db/app-user/password  scope=strict  cert=${fp.slice(0, 23)}…  (from input)`);
    expect(r.stdout).toContain('sealed db/app-user/username  scope=strict  cert=');
    expect(r.stdout).toContain(`wrote ${storePath()} — commit it`);
    expect(store().credentials['db/app-user'].sealedAt).toBe('2026-12-01T00:00:00.000Z');

    // \r\n is removed too; file bytes are kept exactly.
    secrets.push('windows-secret');
    await seal(['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', '--from-stdin'], { stdin: 'windows-secret\r\n' });
    expect(open(OLD, 'db/app-user', 'password', 'db/app-user')).toBe('windows-secret');
  });

  test('seals several keys from a file and an env var (namespace-wide label)', async () => {
    secrets.push('AKIA-FROM-ENV', 'secret-key-from-file');
    const file = path.join(dir, 'key.txt');
    fs.writeFileSync(file, 'secret-key-from-file\n');
    const r = await seal(
      ['--env', 'prod', '--credential', 'db/s3-creds', '--key', 'ACCESS_KEY_ID', '--from-env', 'AWS_ID', '--key=ACCESS_SECRET_KEY', `--from-file=${file}`],
      { env: { AWS_ID: 'AKIA-FROM-ENV' } },
    );
    expect(r.code).toBe(0);
    expect(r.stdinReads).toBe(0);
    expect(open(OLD, 'db/s3-creds', 'ACCESS_KEY_ID', 'db')).toBe('AKIA-FROM-ENV');
    expect(open(OLD, 'db/s3-creds', 'ACCESS_SECRET_KEY', 'db')).toBe('secret-key-from-file\n');
    expect(r.stdout).toContain('sealed db/s3-creds/ACCESS_KEY_ID  scope=namespace-wide');
  });

  test('--generate: ≥ 32 URL-safe characters, different each call, never printed', async () => {
    const values: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await seal(['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', '--generate']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('(generated, not shown)');
      expect(r.stdout).toContain("kubectl -n db get secret app-user -o jsonpath='{.data.password}' | base64 -d");
      const v = open(OLD, 'db/app-user', 'password', 'db/app-user')!;
      expect(v.length).toBeGreaterThanOrEqual(32);
      expect(v).toMatch(/^[A-Za-z0-9_-]+$/);
      for (const out of outputs) expect(out).not.toContain(v);
      values.push(v);
    }
    expect(new Set(values).size).toBe(3);
    expect(PASSWORD_ALPHABET).toHaveLength(64);
    expect(generatePassword()).toHaveLength(40);
    expect(() => generatePassword(16)).toThrow(/at least 32/);
  });

  test('--generate only for generated keys; fixed keys are not taken from input', async () => {
    expect((await seal(['--env', 'prod', '--credential', 'tunnel/cf-token', '--key', 'token', '--generate'])).stderr).toMatch(
      /--generate is only for keys declared as generated/,
    );
    const r = await seal(['--env', 'prod', '--credential', 'db/app-user', '--key', 'username', '--from-env', 'X'], { env: { X: 'y' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has a fixed value in the declaration and is sealed automatically');
    expect(fs.existsSync(storePath())).toBe(false);
  });

  test('refuses --value and stray arguments without echoing them', async () => {
    secrets.push('hunter2-on-the-command-line');
    for (const argv of [
      ['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', '--value', 'hunter2-on-the-command-line'],
      ['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', '--value=hunter2-on-the-command-line'],
      ['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', 'hunter2-on-the-command-line'],
      ['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', '--password=hunter2-on-the-command-line'],
      ['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', '--unknown=hunter2-on-the-command-line'],
    ]) {
      const r = await seal(argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    }
    expect(outputs[1]).toMatch(/--value is refused: values are never taken from command-line arguments .* use --from-stdin, --from-file <path>, --from-env <VAR> or --generate/);
    expect(outputs[5]).toContain('unexpected argument #7 (not shown, in case it is a secret value)');
    expect(outputs[9]).toContain('unknown option --unknown');
    expect(fs.existsSync(storePath())).toBe(false);
  });

  test('usage and input errors', async () => {
    const cases: [string[], number, RegExp, Record<string, string>?][] = [
      [['--credential', 'db/app-user'], 2, /--env is required \(one of: default, prod\)/],
      [['--env', 'stage', '--list'], 2, /unknown environment "stage"; declared: default, prod/],
      [['--env', 'prod', '--credential', 'db/nope', '--key', 'x', '--generate'], 2, /no credential "db\/nope" is declared in environment prod; declared: db\/app-user, db\/s3-creds, tunnel\/cf-token/],
      [['--env', 'prod', '--credential', 'db/app-user', '--key', 'pass', '--generate'], 2, /has no key "pass"; its keys: username, password/],
      [['--env', 'prod', '--credential', 'db/app-user', '--key', 'password'], 2, /--key password has no value source/],
      [['--env', 'prod', '--credential', 'db/app-user', '--from-stdin'], 2, /--from-stdin must come right after --key <key>/],
      [['--env', 'prod', '--credential', 'db/s3-creds', '--key', 'ACCESS_KEY_ID', '--from-stdin', '--key', 'ACCESS_SECRET_KEY', '--from-stdin'], 2, /--from-stdin can be used for one key only/],
      [['--env', 'prod', '--credential', 'tunnel/cf-token'], 2, /nothing to seal: give --key <key> <source>/],
      [['--env', 'prod', '--all'], 2, /--all needs --from-env-prefix <PREFIX> and\/or --generate-missing/],
      [['--env', 'prod', '--list', '--all'], 2, /exactly one of/],
      [['--env', 'prod', '--credential', 'tunnel/cf-token', '--key', 'token', '--from-env', 'TOKEN'], 1, /environment variable TOKEN \(for key "token" of tunnel\/cf-token\) is not set/],
      [['--env', 'prod', '--credential', 'tunnel/cf-token', '--key', 'token', '--from-env', 'TOKEN'], 1, /the value for key "token" of tunnel\/cf-token is empty; refusing to seal an empty value/, { TOKEN: '' }],
      [['--env', 'prod', '--credential', 'tunnel/cf-token', '--key', 'token', '--from-file', '/nonexistent/x'], 1, /cannot read --from-file \/nonexistent\/x for key "token" of tunnel\/cf-token: ENOENT/],
    ];
    for (const [argv, code, message, env] of cases) {
      const r = await seal(argv, { env });
      expect({ argv, code: r.code, stderr: r.stderr }).toEqual({ argv, code, stderr: expect.stringMatching(message) });
    }
    expect(fs.existsSync(storePath())).toBe(false);
  });

  test('certificate problems fail with the fix', async () => {
    fs.rmSync(certPath());
    const r = await seal(['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', '--generate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `seal: sealing certificate ${certPath()} does not exist; fetch the controller's certificate with: kubeseal --controller-name sealed-secrets-controller --controller-namespace sealed-secrets --fetch-cert > ${certPath()}`,
    );
    fs.copyFileSync(path.join(FIXTURES, 'generated', 'expired.cert.pem'), certPath());
    expect((await seal(['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', '--generate'])).stderr).toMatch(
      /expired on 2021-01-01T00:00:00.000Z/,
    );
    expect(fs.existsSync(storePath())).toBe(false);
  });

  test('re-sealing one credential for a new certificate must cover all its keys', async () => {
    secrets.push('id-1', 'sk-1', 'id-2', 'sk-2');
    const both = ['--key', 'ACCESS_KEY_ID', '--from-env', 'ID', '--key', 'ACCESS_SECRET_KEY', '--from-env', 'SK'];
    expect((await seal(['--env', 'prod', '--credential', 'db/s3-creds', ...both], { env: { ID: 'id-1', SK: 'sk-1' } })).code).toBe(0);
    fs.writeFileSync(certPath(), NEW.certPem);
    const before = fs.readFileSync(storePath());
    const r = await seal(['--env', 'prod', '--credential', 'db/s3-creds', '--key', 'ACCESS_KEY_ID', '--from-env', 'ID'], { env: { ID: 'id-2' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/db\/s3-creds is sealed for certificate sha256:.* \(now: sha256:.*\); a credential is re-sealed as a whole .* also give --key ACCESS_SECRET_KEY/);
    expect(fs.readFileSync(storePath())).toEqual(before);
    expect((await seal(['--env', 'prod', '--credential', 'db/s3-creds', ...both], { env: { ID: 'id-2', SK: 'sk-2' } })).code).toBe(0);
    expect(open(NEW, 'db/s3-creds', 'ACCESS_SECRET_KEY', 'db')).toBe('sk-2');
  });

  test('--list shows sealed / missing / incomplete / stale cert', async () => {
    secrets.push('tok-1');
    await seal(['--env', 'prod', '--credential', 'tunnel/cf-token', '--key', 'token', '--from-env', 'T'], { env: { T: 'tok-1' } });
    await seal(['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', '--generate']);
    let r = await seal(['--env', 'prod', '--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('db/app-user  strict  sealed  keys: username, password  sealed 2026-12-01');
    expect(r.stdout).toContain('db/s3-creds  namespace-wide  missing  keys: ACCESS_KEY_ID (missing), ACCESS_SECRET_KEY (missing)');
    expect(r.stdout).toContain('fix: seal them with: npm run seal -- --env prod --credential db/s3-creds --key ACCESS_KEY_ID --from-file');
    expect(r.stdout).toContain('tunnel/cf-token  cluster-wide  sealed  keys: token');
    secrets.push('only-the-id');
    r = await seal(['--env', 'prod', '--credential', 'db/s3-creds', '--key', 'ACCESS_KEY_ID', '--from-env', 'I'], { env: { I: 'only-the-id' } });
    expect(r.stdout).toContain(
      'still missing in db/s3-creds: ACCESS_SECRET_KEY; seal with: npm run seal -- --env prod --credential db/s3-creds --key ACCESS_SECRET_KEY --from-stdin',
    );
    r = await seal(['--env', 'prod', '--list']);
    expect(r.stdout).toContain('db/s3-creds  namespace-wide  incomplete  keys: ACCESS_KEY_ID, ACCESS_SECRET_KEY (missing)');
    fs.writeFileSync(certPath(), NEW.certPem);
    r = await seal(['--env', 'prod', '--list']);
    expect(r.stdout).toContain('db/app-user  strict  stale cert');
    expect(r.stdout).toContain('tunnel/cf-token  cluster-wide  stale cert');
    // An unusable certificate still lists.
    fs.writeFileSync(certPath(), 'garbage');
    r = await seal(['--env', 'prod', '--list']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('is not a PEM certificate');
    expect(r.stdout).toContain('db/s3-creds  namespace-wide  incomplete');
  });

  test('reseal-all for a new certificate: one command, all or nothing, opens with the new key', async () => {
    secrets.push('orig-pw-value', 'id-v1', 'sk-v1', 'tok-v1');
    const env1 = { SEAL_DB_APP_USER_PASSWORD: 'orig-pw-value', SEAL_DB_S3_CREDS_ACCESS_KEY_ID: 'id-v1', SEAL_DB_S3_CREDS_ACCESS_SECRET_KEY: 'sk-v1', SEAL_TUNNEL_CF_TOKEN_TOKEN: 'tok-v1' };
    expect(envVarName('SEAL_', 'db', 's3-creds', 'ACCESS_KEY_ID')).toBe('SEAL_DB_S3_CREDS_ACCESS_KEY_ID');
    let r = await seal(['--env', 'prod', '--all', '--from-env-prefix', 'SEAL_'], { env: env1 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(3 credentials sealed)');
    expect(open(OLD, 'db/app-user', 'password', 'db/app-user')).toBe('orig-pw-value');

    // Up to date: nothing needed, nothing read, file untouched.
    const sealedOld = fs.readFileSync(storePath());
    r = await seal(['--env', 'prod', '--all', '--generate-missing']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('all 3 credentials of prod are sealed for this certificate; nothing to do');
    expect(fs.readFileSync(storePath())).toEqual(sealedOld);

    // The controller has a new certificate.
    fs.writeFileSync(certPath(), NEW.certPem);

    // Missing variables: nothing written, every missing name listed, typos flagged.
    r = await seal(['--env', 'prod', '--all', '--from-env-prefix', 'SEAL_'], {
      env: { SEAL_DB_S3_CREDS_ACCESS_KEY_ID: 'id-v1', SEAL_TUNEL_CF_TOKEN_TOKEN: 'tok-v1' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('seal: warning: SEAL_TUNEL_CF_TOKEN_TOKEN is set but matches no declared key of prod (typo?)');
    expect(r.stderr).toContain('nothing written; values needed but not available:');
    expect(r.stderr).toContain('  SEAL_DB_APP_USER_PASSWORD (db/app-user/password) — or add --generate-missing to generate it');
    expect(r.stderr).toContain('  SEAL_DB_S3_CREDS_ACCESS_SECRET_KEY (db/s3-creds/ACCESS_SECRET_KEY)');
    expect(r.stderr).toContain('  SEAL_TUNNEL_CF_TOKEN_TOKEN (tunnel/cf-token/token)');
    expect(fs.readFileSync(storePath())).toEqual(sealedOld);

    // One command re-seals everything; the kept password comes from its variable.
    secrets.push('sk-v2');
    r = await seal(['--env', 'prod', '--all', '--from-env-prefix', 'SEAL_', '--generate-missing'], {
      env: { ...env1, SEAL_DB_S3_CREDS_ACCESS_SECRET_KEY: 'sk-v2' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(3 credentials sealed)');
    const s = store();
    for (const c of Object.values(s.credentials)) expect(c.certificateFingerprint).toMatch(/^sha256:ed61b2e7/);
    expect(open(NEW, 'db/app-user', 'password', 'db/app-user')).toBe('orig-pw-value');
    expect(open(NEW, 'db/app-user', 'username', 'db/app-user')).toBe('app');
    expect(open(NEW, 'db/s3-creds', 'ACCESS_KEY_ID', 'db')).toBe('id-v1');
    expect(open(NEW, 'db/s3-creds', 'ACCESS_SECRET_KEY', 'db')).toBe('sk-v2');
    expect(open(NEW, 'tunnel/cf-token', 'token', '')).toBe('tok-v1');
    expect(open(OLD, 'tunnel/cf-token', 'token', '')).toBeUndefined();
    expect(unsealValue(NEW.privateKeyPem, 'db/app-user', s.credentials['db/app-user'].keys.password).toString()).toBe('orig-pw-value');
  });

  test('reseal-all with --generate-missing rotates a generated password that has no variable', async () => {
    await seal(['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', '--generate']);
    const first = open(OLD, 'db/app-user', 'password', 'db/app-user')!;
    fs.writeFileSync(certPath(), NEW.certPem);
    secrets.push('id-value-9', 'sk-value-9', 'tok-value-9');
    const r = await seal(['--env', 'prod', '--all', '--from-env-prefix', 'SEAL_', '--generate-missing'], {
      env: { SEAL_DB_S3_CREDS_ACCESS_KEY_ID: 'id-value-9', SEAL_DB_S3_CREDS_ACCESS_SECRET_KEY: 'sk-value-9', SEAL_TUNNEL_CF_TOKEN_TOKEN: 'tok-value-9' },
    });
    expect(r.code).toBe(0);
    const rotated = open(NEW, 'db/app-user', 'password', 'db/app-user')!;
    expect(rotated).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(rotated).not.toBe(first);
    for (const out of outputs) expect(out).not.toContain(rotated);
  });

  test('--cert overrides the environment certificate and says to install it', async () => {
    secrets.push('tok-value-7');
    const r = await seal(['--env', 'prod', '--credential', 'tunnel/cf-token', '--key', 'token', '--from-env', 'T', '--cert', NEW.certPath], {
      env: { T: 'tok-value-7' },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/seal: note: the environment's certificate .* is sha256:0743d448f3cf265a…, not sha256:ed61b2e7e171a3b9…; .* cp /);
    expect(open(NEW, 'tunnel/cf-token', 'token', '')).toBe('tok-value-7');
  });

  test('a changed fixed value is re-sealed without input', async () => {
    await seal(['--env', 'prod', '--credential', 'db/app-user', '--key', 'password', '--generate']);
    const pw = store().credentials['db/app-user'].keys.password;
    let r = await seal(['--env', 'prod', '--credential', 'db/app-user']);
    expect(r.stdout).toContain('the fixed values are already sealed for this certificate; nothing to do');
    CREDENTIALS[0] = { ...CREDENTIALS[0], fixedValues: { username: 'app2' } };
    try {
      r = await seal(['--env', 'prod', '--credential', 'db/app-user']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('sealed db/app-user/username');
      expect(r.stdout).not.toContain('db/app-user/password');
      expect(open(OLD, 'db/app-user', 'username', 'db/app-user')).toBe('app2');
      expect(store().credentials['db/app-user'].keys.password).toBe(pw);
    } finally {
      CREDENTIALS[0] = { ...CREDENTIALS[0], fixedValues: { username: 'app' } };
    }
  });
});
