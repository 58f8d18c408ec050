import { existsSync, statSync } from 'fs';
import { Construct, IConstruct } from 'constructs';
import { Problems } from '../core/problems';
import { SealingCertificate } from './certificate';
import { credentialId, SealedStore } from './sealed-store';

/**
 * Public-key fingerprint of the demo controller certificate that ships with the default environment
 * (`secrets/default/sealing-cert.pem`). Its private key is public (`test/keys/`), so production refuses it.
 */
export const DEMO_CERTIFICATE_FINGERPRINT = 'sha256:f6e38f469cc45e7906e90a6feed30fbdf6d5242693ecb5fa1dddbbe85cd15da0';

/** Properties of `SealedValues`. */
export interface SealedValuesProps {
  /** The environment, as `npm run seal -- --env <environment>` names it. */
  readonly environment: string;
  /** PEM file of the Sealed Secrets controller's certificate (`kubeseal --fetch-cert`). */
  readonly certificatePath: string;
  /** The committed sealed store of the environment (JSON). */
  readonly storePath: string;
  /**
   * A production environment refuses the demo certificate and treats values sealed for another certificate as errors.
   * @default false
   */
  readonly production?: boolean;
  /**
   * The time certificate expiry is checked against.
   * @default - now
   */
  readonly now?: Date;
}

/**
 * Where an environment's sealed credentials come from: the controller certificate and the committed sealed store.
 * Synth reads only ciphertexts; it never needs a plaintext value or a cluster.
 *
 * A construct so that certificate problems are reported once, with a path, together with every other error.
 */
export class SealedValues extends Construct {
  /** The environment name. */
  public readonly environment: string;
  /** The store file. */
  public readonly storePath: string;
  /** The certificate file. */
  public readonly certificatePath: string;
  /** The controller certificate, or undefined when it could not be loaded (an error is recorded). */
  public readonly certificate?: SealingCertificate;
  /** The sealed store (empty when the file does not exist yet). */
  public readonly store: SealedStore;
  /** Whether this is a production environment. */
  public readonly production: boolean;

  private readonly declared = new Map<string, IConstruct>();

  public constructor(scope: Construct, id: string, props: SealedValuesProps) {
    super(scope, id);
    this.environment = props.environment;
    this.storePath = props.storePath;
    this.certificatePath = props.certificatePath;
    this.production = props.production ?? false;
    const problems = Problems.of(this);
    try {
      this.certificate = loadCertificateShared(props.certificatePath, props.now);
      const expiry = this.certificate.expiryWarning(30, props.now);
      if (expiry) problems.warn({ field: 'certificatePath', message: expiry, value: props.certificatePath });
      if (this.production && this.certificate.fingerprint === DEMO_CERTIFICATE_FINGERPRINT) {
        problems.error({
          field: 'certificatePath',
          message: 'a production environment cannot use the demo certificate: its private key is public (test/keys/)',
          value: props.certificatePath,
          fix: `fetch your controller's certificate with: kubeseal --controller-name sealed-secrets-controller --controller-namespace sealed-secrets --fetch-cert > ${props.certificatePath}, then re-seal: npm run seal -- --env ${props.environment} --all --from-env-prefix SEAL_ --generate-missing`,
        });
      }
    } catch (e) {
      problems.error({ field: 'certificatePath', message: (e as Error).message });
    }
    let store: SealedStore;
    try {
      store = loadStoreShared(props.storePath);
    } catch (e) {
      problems.error({ field: 'storePath', message: (e as Error).message, value: props.storePath, fix: 'restore the file from git, or re-seal the environment' });
      store = SealedStore.parse('{"version":1,"credentials":{}}', props.storePath);
    }
    this.store = store;
  }

  /**
   * Registers a credential declared from these values; a second declaration of the same namespace/name is an error
   * (both would write the same Secret).
   * @internal
   */
  public _register(credential: IConstruct, namespace: string, name: string): void {
    const id = credentialId(namespace, name);
    const first = this.declared.get(id);
    if (first) {
      Problems.of(credential).error({
        field: 'secretName',
        message: `the credential ${id} is already declared at ${first.node.path}`,
        value: name,
        fix: 'declare each Secret once and pass the construct to everything that needs it',
      });
      return;
    }
    this.declared.set(id, credential);
  }
}

/**
 * Every tenant of an environment reads the same sealed store and certificate: parse each once per file version (path,
 * size, mtime) and key, not once per platform — a fleet of N tenants would otherwise parse a store of N entries N
 * times. The results are read-only: the seal command loads its own copy of the store to write.
 */
const SHARED = new Map<string, { stamp: string; value: unknown }>();
function loadShared<T>(what: 'store' | 'certificate', path: string, variant: string, load: () => T): T {
  const stat = existsSync(path) ? statSync(path) : undefined;
  const stamp = `${stat ? `${stat.size}:${stat.mtimeMs}` : 'missing'}@${variant}`;
  const cached = SHARED.get(`${what}:${path}`);
  if (cached && cached.stamp === stamp) return cached.value as T;
  const value = load();
  SHARED.set(`${what}:${path}`, { stamp, value });
  return value;
}

function loadStoreShared(path: string): SealedStore {
  return loadShared('store', path, '', () => SealedStore.load(path));
}

/** The certificate is checked against a time (expiry), which is part of what is cached. */
function loadCertificateShared(path: string, now: Date | undefined): SealingCertificate {
  return loadShared('certificate', path, String(now?.getTime() ?? 'now'), () => SealingCertificate.fromFile(path, { now }));
}
