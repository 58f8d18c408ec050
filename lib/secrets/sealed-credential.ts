import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as bitnami from '../../imports/bitnami.com';
import { Problems } from '../core/problems';
import { isDns1123Subdomain, isLabelKey, isLabelValue } from '../core/k8s-syntax';
import { IBasicAuthCredential, IS3Credential } from './credential-ref';
import { SealingScope } from './kubeseal';
import { checkSealedEntry, DeclaredSealedCredential } from './sealed-store';
import { SealedValues } from './sealed-values';

/** The type of the Secret a SealedSecret unseals into. */
export class SecretType {
  /** Arbitrary keys. */
  public static readonly OPAQUE = new SecretType('Opaque');
  /** `username` and `password`, as CloudNativePG expects for database roles. */
  public static readonly BASIC_AUTH = new SecretType('kubernetes.io/basic-auth');
  /** Any other type. */
  public static custom(type: string): SecretType {
    return new SecretType(type);
  }
  private constructor(public readonly type: string) {}
}

/** Properties of a `SealedCredential`. */
export interface SealedCredentialProps {
  /** Name of the Secret (and of the SealedSecret). Public API: the operator and applications find it by name. */
  readonly secretName: string;
  /**
   * Namespace of the Secret.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Who may unseal: strict binds the ciphertext to this namespace and name.
   * @default SealingScope.STRICT
   */
  readonly scope?: SealingScope;
  /**
   * The Secret's type.
   * @default SecretType.OPAQUE
   */
  readonly secretType?: SecretType;
  /** The keys the Secret holds; each must have a sealed value in the store. */
  readonly keys: string[];
  /**
   * Keys whose values `npm run seal -- --generate` may create (random passwords).
   * @default - none
   */
  readonly generatedKeys?: string[];
  /**
   * Non-secret values known from the declaration (e.g. a username); `seal` seals them without input and synth
   * fails when the declaration changes without re-sealing.
   * @default - none
   */
  readonly fixedValues?: Record<string, string>;
  /**
   * Labels of the unsealed Secret (e.g. `cnpg.io/reload: "true"` so CloudNativePG reloads it on change).
   * @default - none
   */
  readonly secretLabels?: Record<string, string>;
  /**
   * Annotations of the unsealed Secret.
   * @default - none
   */
  readonly secretAnnotations?: Record<string, string>;
  /** Where the ciphertexts come from. */
  readonly sealedValues: SealedValues;
}

/** Secret data keys: `[-._a-zA-Z0-9]+`, at most 253 characters. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * A credential that lives in git only as a `bitnami.com/v1alpha1` SealedSecret. Its ciphertexts come from the
 * environment's committed sealed store, so synth needs no plaintext and output is byte-identical every time.
 */
export class SealedCredential extends Construct {
  /** Name of the Secret the controller creates. */
  public readonly secretName: string;
  /** Namespace of the Secret. */
  public readonly namespace: string;
  /** The sealing scope. */
  public readonly scope: SealingScope;
  /** The keys the Secret holds. */
  public readonly keys: readonly string[];
  /** Keys `seal --generate` may fill. */
  public readonly generatedKeys: readonly string[];
  /** Non-secret values sealed from the declaration. */
  public readonly fixedValues: Readonly<Record<string, string>>;
  /** The environment's sealed values. */
  public readonly sealedValues: SealedValues;
  /** The generated L1 object. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: SealedCredentialProps) {
    super(scope, id);
    this.secretName = props.secretName;
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? '';
    this.scope = props.scope ?? SealingScope.STRICT;
    this.keys = [...props.keys];
    this.generatedKeys = [...(props.generatedKeys ?? [])];
    this.fixedValues = { ...props.fixedValues };
    this.sealedValues = props.sealedValues;
    this.validate(props);
    props.sealedValues._register(this, this.namespace, this.secretName);

    const templateAnnotations = { ...props.secretAnnotations, ...this.scope.annotations };
    this.apiObject = new bitnami.SealedSecret(this, 'Resource', {
      metadata: {
        name: this.secretName,
        namespace: this.namespace,
        annotations: Object.keys(this.scope.annotations).length ? { ...this.scope.annotations } : undefined,
      },
      spec: {
        encryptedData: Lazy.any({ produce: () => this.encryptedData() }) as unknown as Record<string, string>,
        template: {
          metadata: {
            name: this.secretName,
            namespace: this.namespace,
            labels: props.secretLabels && Object.keys(props.secretLabels).length ? { ...props.secretLabels } : undefined,
            annotations: Object.keys(templateAnnotations).length ? templateAnnotations : undefined,
          },
          type: (props.secretType ?? SecretType.OPAQUE).type,
        },
      },
    });
  }

  /** The declaration the sealed store and the `seal` command work from. */
  public get declaration(): DeclaredSealedCredential {
    return {
      namespace: this.namespace,
      name: this.secretName,
      scope: this.scope,
      keys: this.keys,
      generatedKeys: this.generatedKeys,
      fixedValues: this.fixedValues,
    };
  }

  private validate(props: SealedCredentialProps): void {
    const problems = Problems.of(this);
    if (this.secretName === undefined || this.secretName === '') {
      problems.error({
        field: 'secretName',
        message: 'is required: the Secret\'s name is what workloads and the sealed store refer to, so it is never derived from the construct id',
        fix: 'set secretName, e.g. "cnpg-app-user"',
      });
    } else if (!isDns1123Subdomain(this.secretName)) {
      problems.error({ field: 'secretName', message: 'must be a DNS-1123 subdomain', value: this.secretName, fix: 'use lower-case letters, digits, \'-\' and \'.\'' });
    }
    if (!this.namespace) {
      problems.error({ field: 'namespace', message: 'the credential has no namespace', fix: 'set the namespace prop or the chart\'s namespace' });
    }
    if (this.keys.length === 0) {
      problems.error({ field: 'keys', message: 'a credential needs at least one key', fix: 'list the keys the Secret holds' });
    }
    const seen = new Set<string>();
    for (const key of this.keys) {
      if (!SECRET_KEY.test(key) || key.length > 253) {
        problems.error({ field: 'keys', message: 'is not a valid Secret data key (letters, digits, \'-\', \'_\' and \'.\', at most 253)', value: key, fix: 'rename the key, e.g. "aws_access_key_id"' });
      }
      if (seen.has(key)) problems.error({ field: 'keys', message: 'the key is listed twice', value: key });
      seen.add(key);
    }
    for (const key of [...this.generatedKeys, ...Object.keys(this.fixedValues)]) {
      if (!seen.has(key)) problems.error({ field: 'generatedKeys', message: 'names a key the credential does not hold', value: key, fix: `add it to keys (${this.keys.join(', ')})` });
    }
    for (const [k, v] of Object.entries(props.secretLabels ?? {})) {
      if (!isLabelKey(k) || !isLabelValue(v)) problems.error({ field: `secretLabels.${k}`, message: 'is not a valid Kubernetes label', value: v });
    }
    this.checkStore();
  }

  private checkStore(): void {
    const values = this.sealedValues;
    if (!values.certificate) return; // SealedValues reports why
    const problems = checkSealedEntry(this.declaration, values.store.lookup(this.namespace, this.secretName), values.certificate, {
      environment: values.environment,
      storePath: values.storePath,
      staleCertificate: values.production ? 'error' : 'warning',
    });
    for (const p of problems) {
      const problem = { field: p.field, message: p.message, fix: p.fix };
      if (p.severity === 'error') Problems.of(this).error(problem);
      else Problems.of(this).warn(problem);
    }
  }

  private encryptedData(): Record<string, string> {
    const entry = this.sealedValues.store.lookup(this.namespace, this.secretName);
    const out: Record<string, string> = {};
    for (const key of [...this.keys].sort()) {
      const value = entry?.keys[key];
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
}

/** Properties of a `CnpgUserCredential`. */
export interface CnpgUserCredentialProps {
  /** Name of the Secret. */
  readonly secretName: string;
  /** The PostgreSQL role, e.g. `app_user` or `postgres`. */
  readonly username: string;
  /**
   * Namespace of the Secret (the cluster's).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Sealing scope.
   * @default SealingScope.STRICT
   */
  readonly scope?: SealingScope;
  /** Where the ciphertexts come from. */
  readonly sealedValues: SealedValues;
}

/**
 * A CloudNativePG role credential: a `kubernetes.io/basic-auth` Secret with `username` and `password`, labelled
 * `cnpg.io/reload: "true"` so the operator applies a rotated password without a restart.
 */
export class CnpgUserCredential extends SealedCredential implements IBasicAuthCredential {
  /** The PostgreSQL role. */
  public readonly username: string;

  public constructor(scope: Construct, id: string, props: CnpgUserCredentialProps) {
    super(scope, id, {
      secretName: props.secretName,
      namespace: props.namespace,
      scope: props.scope,
      secretType: SecretType.BASIC_AUTH,
      keys: ['username', 'password'],
      generatedKeys: ['password'],
      fixedValues: { username: props.username },
      secretLabels: { 'cnpg.io/reload': 'true' },
      sealedValues: props.sealedValues,
    });
    this.username = props.username;
  }
}

/** Properties of an `S3Credential`. */
export interface S3CredentialProps {
  /** Name of the Secret. */
  readonly secretName: string;
  /**
   * Namespace of the Secret (the backup store's).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Key of the access key id.
   * @default "aws_access_key_id"
   */
  readonly accessKeyIdKey?: string;
  /**
   * Key of the secret access key.
   * @default "aws_secret_access_key"
   */
  readonly secretAccessKeyKey?: string;
  /**
   * The region, sealed with the other keys (it is not secret, so it is known from the declaration).
   * @default - no region key
   */
  readonly region?: string;
  /**
   * Key of the region.
   * @default "region"
   */
  readonly regionKey?: string;
  /**
   * Sealing scope.
   * @default SealingScope.STRICT
   */
  readonly scope?: SealingScope;
  /** Where the ciphertexts come from. */
  readonly sealedValues: SealedValues;
}

/**
 * Credentials of S3-compatible object storage (AWS S3, Wasabi, Backblaze B2, MinIO). Key names default to the
 * tutorial's (`aws_access_key_id`, `aws_secret_access_key`, `region`) and are configurable because providers and
 * tools differ; consumers reference the key names from here, never copies.
 */
export class S3Credential extends SealedCredential implements IS3Credential {
  public readonly accessKeyIdKey: string;
  public readonly secretAccessKeyKey: string;
  public readonly regionKey?: string;
  /** The region, when declared. */
  public readonly region?: string;

  public constructor(scope: Construct, id: string, props: S3CredentialProps) {
    const accessKeyIdKey = props.accessKeyIdKey ?? 'aws_access_key_id';
    const secretAccessKeyKey = props.secretAccessKeyKey ?? 'aws_secret_access_key';
    const regionKey = props.region !== undefined ? props.regionKey ?? 'region' : undefined;
    super(scope, id, {
      secretName: props.secretName,
      namespace: props.namespace,
      scope: props.scope,
      keys: [accessKeyIdKey, secretAccessKeyKey, ...(regionKey ? [regionKey] : [])],
      fixedValues: regionKey ? { [regionKey]: props.region! } : undefined,
      sealedValues: props.sealedValues,
    });
    this.accessKeyIdKey = accessKeyIdKey;
    this.secretAccessKeyKey = secretAccessKeyKey;
    this.regionKey = regionKey;
    this.region = props.region;
  }
}
