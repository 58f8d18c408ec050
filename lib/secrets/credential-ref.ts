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
