import * as cnpg from '../../imports/postgresql.cnpg.io';
import { Problem } from '../core/problems';
import { IBasicAuthCredential } from '../secrets/credential-ref';

/**
 * Where another CloudNativePG cluster is reached: what an import or a subscription needs to know about it. Every
 * `CnpgCluster` is one; a cluster of another app (another environment's platform) is described with
 * `ClusterEndpoint.of(clusterName, namespace)`.
 */
export interface IClusterEndpoint {
  /** `metadata.name` of the Cluster. */
  readonly clusterName: string;
  /** Its namespace. */
  readonly namespace: string;
  /** Its read-write Service (`<cluster>-rw`). */
  readonly rwServiceName: string;
  /** Its PostgreSQL major, when known (NaN or undefined: not checked). */
  readonly postgresMajor?: number;
}

/** Endpoints of clusters this app does not define. */
export class ClusterEndpoint {
  /** The CloudNativePG cluster `clusterName` in `namespace` (its `-rw` Service and `-ca` Secret follow from the name). */
  public static of(clusterName: string, namespace: string, options: { postgresMajor?: number } = {}): IClusterEndpoint {
    return { clusterName, namespace, rwServiceName: `${clusterName}-rw`, postgresMajor: options.postgresMajor };
  }

  private constructor() {}
}

/** A key of a Secret in the connecting cluster's namespace. */
export interface ExternalSecretKey {
  /** Name of the Secret. */
  readonly secretName: string;
  /** Key in the Secret. */
  readonly key: string;
}

/**
 * How a cluster verifies the server it connects to (an `externalClusters[]` entry used by an import or a
 * subscription).
 *
 * CloudNativePG gives every cluster its own self-signed CA (`<cluster>-ca`, key `ca.crt`). The operator mounts the
 * `sslRootCert` Secret into the connecting cluster's pods, so it must be in the **connecting** cluster's namespace:
 * - same namespace: the source's CA Secret is used directly (`verify-full`, the default);
 * - another namespace: Secrets are not readable across namespaces. Either copy the CA certificate into the
 *   connecting namespace (it is public: `kubectl get secret <src>-ca -n <ns> -o jsonpath='{.data.ca\.crt}'`,
 *   then seal it as a `SealedCredential` with the key `ca.crt`) and use `ExternalTls.verifyFull(...)`, or accept an
 *   encrypted but unauthenticated connection with `ExternalTls.encryptedUnverified()` (`sslmode=require`: protects
 *   against eavesdropping, not against an impostor inside the Kubernetes network).
 */
export class ExternalTls {
  /** Verify the server against the source cluster's own CA Secret (the connecting cluster must be in its namespace). */
  public static sourceClusterCa(): ExternalTls {
    return new ExternalTls('verify-full', undefined, true);
  }

  /** Verify the server (`sslmode=verify-full`) against a CA certificate copied into the connecting namespace. */
  public static verifyFull(ca: ExternalSecretKey): ExternalTls {
    return new ExternalTls('verify-full', ca, false);
  }

  /**
   * Encrypt without verifying the server (`sslmode=require`). An explicit choice for connections across namespaces
   * before the source's CA has been copied; prefer `verifyFull`.
   */
  public static encryptedUnverified(): ExternalTls {
    return new ExternalTls('require', undefined, false);
  }

  private constructor(
    /** libpq `sslmode`. */
    public readonly sslMode: 'verify-full' | 'require',
    /** The CA Secret key, when copied. */
    public readonly ca: ExternalSecretKey | undefined,
    /** Use the source cluster's `<cluster>-ca` Secret. */
    public readonly fromSource: boolean,
  ) {}
}

/** Options of `ExternalCluster.fromCluster`. */
export interface ExternalClusterOptions {
  /** The database to connect to (`dbname`): the published database for a subscription, the source for an import. */
  readonly dbname: string;
  /**
   * The role to log in as: a basic-auth Secret in the **connecting** cluster's namespace (its `password` key is used).
   * A subscription logs in as a replication role of the source (`source.addRole({ replication: true, … })`); the same
   * password must be sealed for both namespaces.
   */
  readonly credential: IBasicAuthCredential;
  /**
   * Server verification.
   * @default - ExternalTls.sourceClusterCa() when both clusters share a namespace; required otherwise
   */
  readonly tls?: ExternalTls;
  /**
   * Name of the `externalClusters[]` entry (what a Subscription's `externalClusterName` and an import's `source`
   * refer to).
   * @default - the source cluster's name
   */
  readonly name?: string;
  /**
   * More libpq connection parameters (e.g. `application_name`, `connect_timeout`).
   * @default - none
   */
  readonly connectionParameters?: Record<string, string>;
}

const ENTRY_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
/** Parameters the library sets itself. */
const OWN_PARAMETERS = ['host', 'port', 'user', 'dbname', 'sslmode', 'sslrootcert', 'password', 'passfile'];

/**
 * A PostgreSQL server another cluster connects to (`spec.externalClusters[]` with `connectionParameters`): another
 * CloudNativePG cluster, reached through its `-rw` Service over TLS, logging in with a password Secret.
 */
export class ExternalCluster {
  /** A CloudNativePG cluster (in this app or described by its attributes), reached at `<cluster>-rw.<ns>.svc:5432`. */
  public static fromCluster(source: IClusterEndpoint, options: ExternalClusterOptions): ExternalCluster {
    return new ExternalCluster(source, options);
  }

  /** Name of the `externalClusters[]` entry. */
  public readonly name: string;

  private constructor(
    /** The server connected to. */
    public readonly source: IClusterEndpoint,
    private readonly options: ExternalClusterOptions,
  ) {
    this.name = options.name ?? source.clusterName;
  }

  /** The database connected to. */
  public get dbname(): string {
    return this.options.dbname;
  }

  /** The login credential. */
  public get credential(): IBasicAuthCredential {
    return this.options.credential;
  }

  /** The effective TLS choice for a connecting cluster in `namespace` (undefined when one must be chosen). */
  public tlsFor(namespace: string): ExternalTls | undefined {
    return this.options.tls ?? (namespace === this.source.namespace ? ExternalTls.sourceClusterCa() : undefined);
  }

  /** What is wrong with this entry for a cluster `connecting` (name and namespace); `field` prefixes the paths. */
  public problems(connecting: { clusterName: string; namespace: string }, field = `externalClusters.${this.name}`): Problem[] {
    const out: Problem[] = [];
    const o = this.options;
    const src = this.source;
    if (!ENTRY_NAME.test(this.name) || this.name.includes('..')) {
      out.push({ field, message: 'an external cluster name cannot contain a path separator or a \'..\' component', value: this.name, fix: 'use the source cluster\'s name' });
    }
    if (src.clusterName === connecting.clusterName && src.namespace === connecting.namespace) {
      out.push({ field, message: 'a cluster cannot connect to itself', value: `${src.namespace}/${src.clusterName}` });
    }
    if (typeof o.dbname !== 'string' || o.dbname === '') {
      out.push({ field: `${field}.dbname`, message: 'the database to connect to is required', value: o.dbname });
    }
    if (o.credential.namespace !== connecting.namespace) {
      out.push({
        field: `${field}.credential`,
        message: `the password Secret must be in the connecting cluster's namespace "${connecting.namespace}" (Secrets are not readable across namespaces)`,
        value: `${o.credential.namespace}/${o.credential.secretName}`,
        fix: `seal a credential for "${o.credential.username}" in "${connecting.namespace}" with the same password as on the source`,
      });
    }
    const tls = this.tlsFor(connecting.namespace);
    if (!tls) {
      out.push({
        field: `${field}.tls`,
        message: `the source ${src.namespace}/${src.clusterName} is in another namespace, so its CA Secret "${src.clusterName}-ca" cannot be mounted into "${connecting.namespace}"`,
        fix: `copy the CA certificate into "${connecting.namespace}" and use ExternalTls.verifyFull({ secretName, key: 'ca.crt' }), or choose ExternalTls.encryptedUnverified() (sslmode=require, no server authentication)`,
      });
    } else if (tls.fromSource && src.namespace !== connecting.namespace) {
      out.push({
        field: `${field}.tls`,
        message: `ExternalTls.sourceClusterCa() needs both clusters in one namespace; the source is in "${src.namespace}", the connecting cluster in "${connecting.namespace}"`,
        fix: 'use ExternalTls.verifyFull with a copy of the CA in the connecting namespace',
      });
    }
    for (const key of Object.keys(o.connectionParameters ?? {})) {
      if (OWN_PARAMETERS.includes(key)) {
        out.push({ field: `${field}.connectionParameters.${key}`, message: 'is set by the library from the source, the credential and tls', value: key, fix: 'remove it' });
      }
    }
    return out;
  }

  /** The `spec.externalClusters[]` entry for a cluster in `namespace`. */
  public render(namespace: string): cnpg.ClusterSpecExternalClusters {
    const src = this.source;
    const tls = this.tlsFor(namespace) ?? ExternalTls.sourceClusterCa();
    const ca = tls.fromSource ? { secretName: `${src.clusterName}-ca`, key: 'ca.crt' } : tls.ca;
    return {
      name: this.name,
      connectionParameters: {
        ...this.options.connectionParameters,
        host: `${src.rwServiceName}.${src.namespace}.svc`,
        port: '5432',
        user: this.options.credential.username,
        dbname: this.options.dbname,
        sslmode: tls.sslMode,
      },
      password: { name: this.options.credential.secretName, key: 'password' },
      sslRootCert: ca && tls.sslMode === 'verify-full' ? { name: ca.secretName, key: ca.key } : undefined,
    };
  }
}
