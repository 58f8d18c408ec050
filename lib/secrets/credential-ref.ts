/**
 * A Secret of type `kubernetes.io/basic-auth` (keys `username` and `password`), as CloudNativePG expects for the
 * application owner and the superuser. Implemented by `SealedCredential` and by `BasicAuthSecret.fromSecretName`.
 */
export interface IBasicAuthCredential {
  /** Name of the Secret in the cluster's namespace. */
  readonly secretName: string;
  /** Namespace of the Secret. */
  readonly namespace: string;
  /** The PostgreSQL role the Secret logs in as. */
  readonly username: string;
}

/** References to basic-auth Secrets that this library does not create. */
export class BasicAuthSecret {
  /**
   * An existing `kubernetes.io/basic-auth` Secret (for example one created by another tool).
   */
  public static fromSecretName(secretName: string, namespace: string, username: string): IBasicAuthCredential {
    return { secretName, namespace, username };
  }

  private constructor() {}
}

/**
 * A Secret with S3-compatible object storage credentials. Implemented by `S3Credential`.
 * Key names differ between providers and tools, so they are part of the reference.
 */
export interface IS3Credential {
  /** Name of the Secret. */
  readonly secretName: string;
  /** Namespace of the Secret. */
  readonly namespace: string;
  /** Key holding the access key id. */
  readonly accessKeyIdKey: string;
  /** Key holding the secret access key. */
  readonly secretAccessKeyKey: string;
  /** Key holding the region, when the Secret has one. */
  readonly regionKey?: string;
  /** Every key the Secret holds. */
  readonly keys: readonly string[];
}
