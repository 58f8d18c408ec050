/**
 * TEST-ONLY independent implementation of the Sealed Secrets controller's decryption of one value
 * (`HybridDecrypt` in bitnami/sealed-secrets pkg/crypto/crypto.go), written from the wire format and
 * deliberately not using any lib/ code:
 *
 *   base64(std) → uint16BE(k) || RSA-OAEP(SHA-256, label)(sessionKey) [k bytes] || AES-256-GCM(ct || tag[16])
 *   nonce = 12 zero bytes, no AAD; label = "ns/name" (strict), "ns" (namespace-wide), "" (cluster-wide).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/** Opens one sealed value; throws if the key or label does not match or the value was tampered with. */
export function unsealValue(privateKeyPem: string | crypto.KeyObject, label: string, ciphertextBase64: string): Buffer {
  const blob = Buffer.from(ciphertextBase64, 'base64');
  if (blob.toString('base64') !== ciphertextBase64) throw new Error('not canonical standard base64');
  if (blob.length < 2) throw new Error('too short');
  const rsaLen = (blob[0] << 8) | blob[1];
  if (blob.length < 2 + rsaLen + 16) throw new Error('truncated');
  const rsaPart = blob.subarray(2, 2 + rsaLen);
  const aesPart = blob.subarray(2 + rsaLen);
  const sessionKey = crypto.privateDecrypt(
    {
      key: privateKeyPem,
      padding: crypto.constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256',
      oaepLabel: Buffer.from(label, 'utf8'),
    },
    rsaPart,
  );
  if (sessionKey.length !== 32) throw new Error(`session key of ${sessionKey.length} bytes, expected 32`);
  const tag = aesPart.subarray(aesPart.length - 16);
  const body = aesPart.subarray(0, aesPart.length - 16);
  const decipher = crypto.createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12), { authTagLength: 16 });
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

/** The label the controller derives from a SealedSecret's own metadata (`EncryptionLabel` / `SecretScope`). */
export function labelFor(namespace: string, name: string, annotations: Record<string, string> = {}): string {
  if (annotations['sealedsecrets.bitnami.com/cluster-wide'] === 'true') return '';
  if (annotations['sealedsecrets.bitnami.com/namespace-wide'] === 'true') return namespace;
  return `${namespace}/${name}`;
}

/** Tries to unseal; returns undefined instead of throwing. */
export function tryUnseal(key: string | crypto.KeyObject, label: string, ciphertextBase64: string): Buffer | undefined {
  try {
    return unsealValue(key, label, ciphertextBase64);
  } catch {
    return undefined;
  }
}

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sealed-secrets');

/** The TEST-ONLY kseal controller key (PKCS#1 PEM) and certificate from the vendored key Secret. */
export function ksealControllerKey(): { privateKeyPem: string; certPem: string } {
  const secret = parse(fs.readFileSync(path.join(FIXTURES, 'kseal-fixture', 'example-key.TEST-ONLY.yaml'), 'utf8')) as {
    data: Record<string, string>;
  };
  return {
    privateKeyPem: Buffer.from(secret.data['tls.key'], 'base64').toString('utf8'),
    certPem: Buffer.from(secret.data['tls.crt'], 'base64').toString('utf8'),
  };
}

/** The TEST-ONLY second controller key pair (RSA-2048). */
export function secondControllerKey(): { privateKeyPem: string; certPem: string; certPath: string } {
  const dir = path.join(FIXTURES, 'generated');
  return {
    privateKeyPem: fs.readFileSync(path.join(dir, 'second-controller.TEST-ONLY.key.pem'), 'utf8'),
    certPem: fs.readFileSync(path.join(dir, 'second-controller.cert.pem'), 'utf8'),
    certPath: path.join(dir, 'second-controller.cert.pem'),
  };
}

/** The TEST-ONLY demo key of the default environment and its certificate path. */
export function demoKey(): { privateKeyPem: string; certPath: string } {
  const root = path.join(__dirname, '..', '..');
  return {
    privateKeyPem: fs.readFileSync(path.join(root, 'test', 'keys', 'demo-sealing-key.TEST-ONLY.pem'), 'utf8'),
    certPath: path.join(root, 'secrets', 'default', 'sealing-cert.pem'),
  };
}

/** `openssl`-computed fingerprints from generated/fingerprints.txt, keyed by file name. */
export function expectedFingerprints(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(FIXTURES, 'generated', 'fingerprints.txt'), 'utf8').split('\n')) {
    const [file, fp] = line.trim().split(/\s+/);
    if (file && fp) out[path.basename(file)] = fp;
  }
  return out;
}
