import { createHash, KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Where the Sealed Secrets controller runs, for the `kubeseal --fetch-cert` hint in error messages. */
export interface ControllerLocation {
  /** Default `sealed-secrets-controller`. */
  readonly controllerName?: string;
  /** Default `sealed-secrets`. */
  readonly controllerNamespace?: string;
}

/** The command that writes the controller's current certificate to `path`. */
export function fetchCertCommand(path: string, controller: ControllerLocation = {}): string {
  const name = controller.controllerName ?? 'sealed-secrets-controller';
  const namespace = controller.controllerNamespace ?? 'sealed-secrets';
  return `kubeseal --controller-name ${name} --controller-namespace ${namespace} --fetch-cert > ${path}`;
}

/** Options of {@link SealingCertificate.fromPem}. */
export interface CertificateOptions extends ControllerLocation {
  /** The current time (tests); default `new Date()`. */
  readonly now?: Date;
}

/** Options of {@link SealingCertificate.fromFile}. */
export interface CertificateFileOptions extends CertificateOptions {
  /** Reads the file (tests); default `fs.readFileSync`. */
  readonly readFile?: (path: string) => Buffer;
}

/** The smallest RSA modulus accepted (the controller generates 4096-bit keys). */
export const MIN_RSA_BITS = 2048;

const DAY_MS = 24 * 60 * 60 * 1000;
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;

/**
 * A Sealed Secrets controller certificate (`kubeseal --fetch-cert`), validated the way kubeseal does:
 * the first `CERTIFICATE` PEM block, an RSA public key, not expired.
 *
 * Only the public key and the validity dates matter; the subject (empty on controller certificates) and the
 * extensions (`KeyUsage=encipherOnly`, `CA:TRUE`) are not checked.
 */
export class SealingCertificate {
  /**
   * Reads and validates a certificate file. Errors name the file, the problem and how to fetch a good one.
   */
  public static fromFile(path: string, options: CertificateFileOptions = {}): SealingCertificate {
    const read = options.readFile ?? ((p: string) => readFileSync(p));
    let bytes: Buffer;
    try {
      bytes = read(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const fetch = fetchCertCommand(path, options);
      if (code === 'ENOENT') {
        throw new Error(
          `sealing certificate ${path} does not exist; fetch the controller's certificate with: ${fetch} ` +
            '(the certificate is public; commit it)',
        );
      }
      if (code === 'EISDIR') {
        throw new Error(`sealing certificate ${path} is a directory, not a PEM file; fetch it with: ${fetch}`);
      }
      throw new Error(
        `cannot read sealing certificate ${path}: ${(e as Error).message}; check the file's permissions, ` +
          `or fetch it again with: ${fetch}`,
      );
    }
    return SealingCertificate.fromPem(bytes.toString('utf8'), path, options);
  }

  /**
   * Parses and validates a PEM certificate.
   *
   * @param pem the PEM text; the first `CERTIFICATE` block is used (like kubeseal)
   * @param source a file path or description, used in error messages
   */
  public static fromPem(pem: string, source: string, options: CertificateOptions = {}): SealingCertificate {
    const now = options.now ?? new Date();
    const fetch = fetchCertCommand(source, options);
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-{5}/.test(pem)) {
      throw new Error(
        `sealing certificate ${source} contains a PRIVATE KEY; sealing needs only the public certificate — ` +
          'remove the private key from this file (and from version control and backups you did not intend), ' +
          `then fetch the certificate with: ${fetch}`,
      );
    }
    const block = CERT_BLOCK.exec(pem);
    if (!block) {
      const hint = /-----BEGIN PUBLIC KEY-----/.test(pem)
        ? ' (it holds a bare PUBLIC KEY; kubeseal and this library need the X.509 certificate)'
        : '';
      throw new Error(
        `sealing certificate ${source} is not a PEM certificate: no "-----BEGIN CERTIFICATE-----" block${hint}; ` +
          `fetch it with: ${fetch}`,
      );
    }
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(block[0]);
    } catch (e) {
      throw new Error(
        `sealing certificate ${source} has a CERTIFICATE block that cannot be parsed (${(e as Error).message}); ` +
          `fetch it again with: ${fetch}`,
      );
    }
    const publicKey = x509.publicKey;
    if (publicKey.asymmetricKeyType !== 'rsa') {
      throw new Error(
        `sealing certificate ${source} has a ${publicKey.asymmetricKeyType ?? 'unknown'} public key, but Sealed ` +
          `Secrets seals with RSA-OAEP and needs an RSA key; use the controller's certificate: ${fetch}`,
      );
    }
    const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      throw new Error(
        `sealing certificate ${source} has a ${bits}-bit RSA key, below the minimum of ${MIN_RSA_BITS} bits ` +
          `(the controller generates 4096-bit keys); use the controller's certificate: ${fetch}`,
      );
    }
    const notAfter = new Date(x509.validTo);
    const notBefore = new Date(x509.validFrom);
    if (now.getTime() > notAfter.getTime()) {
      throw new Error(
        `sealing certificate ${source} expired on ${notAfter.toISOString()} (kubeseal refuses expired ` +
          'certificates too); the controller serves its newest certificate, fetch it with: ' +
          `${fetch} — if the controller's own key has expired, renew it (a bring-your-own key, or let the ` +
          'controller generate a new one) before fetching',
      );
    }
    return new SealingCertificate(source, block[0].trim() + '\n', x509, publicKey, notBefore, notAfter, bits);
  }

  /**
   * `sha256:` + hex SHA-256 of the DER SubjectPublicKeyInfo. A fingerprint of the public key, not of the
   * certificate: it stays the same when a certificate is re-issued for the same key.
   */
  public readonly fingerprint: string;
  /** The PEM of the certificate block used (normalized, trailing newline). */
  public readonly pem: string;
  /** Length of an RSA ciphertext in bytes (modulus size): 512 for RSA-4096. */
  public readonly modulusBytes: number;

  private constructor(
    /** The file path or description the certificate came from. */
    public readonly source: string,
    pem: string,
    private readonly x509: X509Certificate,
    /** The RSA public key that seals. */
    public readonly publicKey: KeyObject,
    /** Start of validity. */
    public readonly notBefore: Date,
    /** End of validity. */
    public readonly notAfter: Date,
    /** RSA modulus size in bits. */
    public readonly modulusBits: number,
  ) {
    this.pem = pem;
    this.modulusBytes = Math.ceil(modulusBits / 8);
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    this.fingerprint = 'sha256:' + createHash('sha256').update(spki).digest('hex');
  }

  /** The certificate's serial number (hex, as Node reports it). */
  public get serialNumber(): string {
    return this.x509.serialNumber;
  }

  /** The fingerprint shortened for display: `sha256:` + the first 16 hex digits. */
  public get shortFingerprint(): string {
    return shortFingerprint(this.fingerprint);
  }

  /** Whole days until `notAfter` (negative once expired). */
  public daysUntilExpiry(now: Date = new Date()): number {
    return Math.floor((this.notAfter.getTime() - now.getTime()) / DAY_MS);
  }

  /** True if the certificate expires within `days` days of `now` (or has expired). */
  public expiresWithinDays(days: number, now: Date = new Date()): boolean {
    return this.notAfter.getTime() - now.getTime() <= days * DAY_MS;
  }

  /**
   * A warning when the certificate expires within `days` (default 30) days, else undefined.
   * Sealing still works until then; after it, kubeseal and this library refuse the certificate.
   */
  public expiryWarning(days = 30, now: Date = new Date(), controller: ControllerLocation = {}): string | undefined {
    if (!this.expiresWithinDays(days, now)) return undefined;
    return (
      `sealing certificate ${this.source} expires on ${this.notAfter.toISOString()} ` +
      `(in ${Math.max(0, this.daysUntilExpiry(now))} days); after that sealing with it fails — ` +
      `fetch the controller's current certificate with: ${fetchCertCommand(this.source, controller)}`
    );
  }
}

/** `sha256:` + the first 16 hex digits of a fingerprint, for display. */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.length > 23 ? fingerprint.slice(0, 23) + '…' : fingerprint;
}
