/**
 * One-off generator of the DEMO Sealed Secrets key pair of the `default` environment.
 *
 *   npx tsc -p tsconfig.json && node build/scripts/make-demo-sealing-key.js [--force]
 *
 * (run from the repository root). Writes:
 *   - test/keys/demo-sealing-key.TEST-ONLY.pem  RSA-4096 private key, PKCS#1 ("RSA PRIVATE KEY") like the
 *     controller stores it in its `kubernetes.io/tls` Secret. PUBLIC, TEST-ONLY: anyone can open values sealed
 *     for the default environment.
 *   - secrets/default/sealing-cert.pem  the self-signed certificate, shaped like a controller-generated one
 *     (bitnami/sealed-secrets `crypto.SignKeyWithNotBefore`): empty subject and issuer (the controller's
 *     `--my-cn` defaults to ""), random 128-bit serial, valid 10 years (the default `--key-ttl`),
 *     KeyUsage=encipherOnly (critical), CA:TRUE (critical), SHA256-RSA.
 *
 * The key is generated with node:crypto; the X.509 certificate is made by the `openssl` CLI (no X.509 writer
 * in node:crypto). Refuses to overwrite existing files without --force: a new key invalidates every value
 * sealed for the default environment.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const KEY_PATH = 'test/keys/demo-sealing-key.TEST-ONLY.pem';
const CERT_PATH = 'secrets/default/sealing-cert.pem';
const VALID_DAYS = 3650;

function main(): void {
  const pkg = existsSync('package.json') ? (JSON.parse(readFileSync('package.json', 'utf8')) as { name?: string }) : {};
  if (pkg.name !== 'cdk8s-cnpg') throw new Error('run this from the repository root');
  const force = process.argv.includes('--force');
  for (const p of [KEY_PATH, CERT_PATH]) {
    if (existsSync(p) && !force) {
      throw new Error(`${p} exists; a new key invalidates every value sealed for it — pass --force to replace it`);
    }
  }

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096, publicExponent: 0x10001 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;

  const dir = mkdtempSync(join(tmpdir(), 'demo-sealing-key-'));
  try {
    const tmpKey = join(dir, 'key.pem');
    const tmpCert = join(dir, 'cert.pem');
    writeFileSync(tmpKey, keyPem, { mode: 0o600 });
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-new', '-key', tmpKey, '-subj', '/', '-sha256',
        '-days', String(VALID_DAYS),
        '-set_serial', '0x' + randomBytes(16).toString('hex'),
        '-addext', 'keyUsage=critical,encipherOnly',
        '-addext', 'basicConstraints=critical,CA:TRUE',
        '-out', tmpCert,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const certPem = readFileSync(tmpCert, 'utf8');
    const cert = new X509Certificate(certPem);
    if (!cert.checkPrivateKey(privateKey)) throw new Error('openssl produced a certificate for another key');

    mkdirSync(dirname(KEY_PATH), { recursive: true });
    mkdirSync(dirname(CERT_PATH), { recursive: true });
    writeFileSync(
      KEY_PATH,
      '# TEST-ONLY DEMO KEY - PUBLIC. Private key of secrets/default/sealing-cert.pem (demo environment only).\n' +
        '# Never load it into a controller that holds real secrets. Made by scripts/make-demo-sealing-key.ts.\n' +
        keyPem,
    );
    writeFileSync(CERT_PATH, certPem);
    process.stdout.write(`wrote ${KEY_PATH} and ${CERT_PATH} (valid until ${cert.validTo})\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
