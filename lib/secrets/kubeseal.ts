import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import { SealingCertificate } from './certificate';

/** Annotation prefix of Sealed Secrets. */
export const SEALED_SECRETS_ANNOTATION_PREFIX = 'sealedsecrets.bitnami.com/';
/** Annotation that selects the namespace-wide scope (value `"true"`). */
export const NAMESPACE_WIDE_ANNOTATION = 'sealedsecrets.bitnami.com/namespace-wide';
/** Annotation that selects the cluster-wide scope (value `"true"`). */
export const CLUSTER_WIDE_ANNOTATION = 'sealedsecrets.bitnami.com/cluster-wide';

/** The names of the sealing scopes, as kubeseal's `--scope` spells them. */
export type SealingScopeName = 'strict' | 'namespace-wide' | 'cluster-wide';

/**
 * Which metadata of the SealedSecret a sealed value is bound to (the OAEP label).
 *
 * - `STRICT` (default): namespace and name — the value only opens in a SealedSecret of exactly that
 *   namespace and name.
 * - `NAMESPACE_WIDE`: the namespace — the object may be renamed within the namespace.
 * - `CLUSTER_WIDE`: nothing — any namespace and name.
 *
 * The controller decides the scope from the annotations on the SealedSecret's own `metadata` (not
 * `spec.template.metadata`), so emit {@link SealingScope.annotations} there (and, like kubeseal, on the
 * template).
 */
export class SealingScope {
  public static readonly STRICT = new SealingScope('strict', {});
  public static readonly NAMESPACE_WIDE = new SealingScope('namespace-wide', { [NAMESPACE_WIDE_ANNOTATION]: 'true' });
  public static readonly CLUSTER_WIDE = new SealingScope('cluster-wide', { [CLUSTER_WIDE_ANNOTATION]: 'true' });

  /** All scopes, strictest first. */
  public static all(): SealingScope[] {
    return [SealingScope.STRICT, SealingScope.NAMESPACE_WIDE, SealingScope.CLUSTER_WIDE];
  }

  /** The scope called `name` (`strict`, `namespace-wide`, `cluster-wide`); throws on anything else. */
  public static fromName(name: string): SealingScope {
    const scope = SealingScope.all().find((s) => s.name === name);
    if (!scope) {
      throw new Error(
        `unknown sealing scope ${JSON.stringify(name)}; use one of ${SealingScope.all()
          .map((s) => s.name)
          .join(', ')}`,
      );
    }
    return scope;
  }

  /** The annotations (on the SealedSecret's metadata) that select this scope; empty for strict. */
  public readonly annotations: Readonly<Record<string, string>>;

  private constructor(
    /** `strict`, `namespace-wide` or `cluster-wide`. */
    public readonly name: SealingScopeName,
    annotations: Record<string, string>,
  ) {
    this.annotations = Object.freeze({ ...annotations });
  }

  /**
   * The OAEP label a value is sealed with: `namespace/name` (strict), `namespace` (namespace-wide),
   * `` (cluster-wide).
   */
  public label(namespace: string, name: string): string {
    switch (this.name) {
      case 'strict':
        return `${namespace}/${name}`;
      case 'namespace-wide':
        return namespace;
      case 'cluster-wide':
        return '';
    }
  }

  public toString(): string {
    return this.name;
  }
}

/** AES-256 session key size (kubeseal `sessionKeyBytes`). */
const SESSION_KEY_BYTES = 32;
/** GCM nonce: all zero, which is safe because every session key is used exactly once. */
const ZERO_NONCE = Buffer.alloc(12);

/**
 * Seals one value exactly like `kubeseal --raw --scope <scope> --namespace <namespace> --name <name>`:
 * a fresh 32-byte session key, AES-256-GCM with a zero nonce and no AAD, the session key wrapped with
 * RSA-OAEP(SHA-256) using the scope's label; `uint16BE(len(rsa)) || rsa || gcm ciphertext || tag`, base64.
 *
 * The result is randomized: sealing the same value twice gives different ciphertexts.
 * The certificate's validity was checked when it was loaded ({@link SealingCertificate.fromPem}).
 */
export function sealValue(
  cert: SealingCertificate,
  scope: SealingScope,
  namespace: string,
  name: string,
  plaintext: Buffer | string,
): string {
  checkTarget(scope, namespace, name);
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const sessionKey = randomBytes(SESSION_KEY_BYTES);
  const rsa = publicEncrypt(
    {
      key: cert.publicKey,
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256',
      oaepLabel: Buffer.from(scope.label(namespace, name), 'utf8'),
    },
    sessionKey,
  );
  const cipher = createCipheriv('aes-256-gcm', sessionKey, ZERO_NONCE);
  const body = Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
  sessionKey.fill(0);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(rsa.length, 0);
  return Buffer.concat([length, rsa, body]).toString('base64');
}

/**
 * Checks that a base64 string has the shape of a value sealed for `cert` (without decrypting it): valid
 * base64, the RSA part as long as the certificate's modulus, room for the GCM tag. Returns a problem
 * description or undefined.
 */
export function describeMalformedSealedValue(value: string, cert: SealingCertificate): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'is empty';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return 'is not standard base64';
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 2) return 'is too short';
  const rsaLength = bytes.readUInt16BE(0);
  if (rsaLength !== cert.modulusBytes) {
    return `has a ${rsaLength}-byte RSA part, but the certificate's key needs ${cert.modulusBytes} bytes`;
  }
  if (bytes.length < 2 + rsaLength + 16) return 'is truncated (no room for the AES-GCM tag)';
  return undefined;
}

function checkTarget(scope: SealingScope, namespace: string, name: string): void {
  if (scope.name !== 'cluster-wide' && !namespace) {
    throw new Error(`a ${scope.name} sealed value needs a namespace (kubeseal: "secret must declare a namespace")`);
  }
  if (scope.name === 'strict' && !name) {
    throw new Error('a strict sealed value needs the SealedSecret name');
  }
  if (namespace.includes('/') || name.includes('/')) {
    throw new Error(`namespace and name must not contain "/" (got ${JSON.stringify(`${namespace}/${name}`)})`);
  }
}
