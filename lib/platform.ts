import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CnpgCluster, CnpgClusterProps } from './cluster/cluster';
import { PlatformNamespaces } from './platform/namespaces';
import { CnpgUserCredential, S3Credential, S3CredentialProps, SealedCredential } from './secrets/sealed-credential';
import { SealedValues } from './secrets/sealed-values';

/**
 * The cluster settings of a platform: everything of `CnpgClusterProps` but the namespace, which the platform owns.
 * `clusterName` defaults to `cnpg-ha`; `ownerCredential` to a sealed `cnpg-app-user` credential for `app_user`.
 */
export interface PlatformClusterOptions extends Omit<CnpgClusterProps, 'namespace'> {}

/** The object storage credential of a platform: an `S3Credential` in the database namespace. */
export interface PlatformS3CredentialOptions extends Omit<S3CredentialProps, 'namespace' | 'sealedValues' | 'secretName'> {
  /**
   * Name of the Secret.
   * @default "cnpg-backup-s3"
   */
  readonly secretName?: string;
}

/**
 * Properties of a `PostgresPlatform`.
 */
export interface PostgresPlatformProps {
  /** The environment's name, as `npm run seal -- --env <name>` takes it. */
  readonly environment: string;
  /**
   * A production environment refuses demo material such as the demo sealing certificate.
   * @default false
   */
  readonly production?: boolean;
  /** PEM file of the Sealed Secrets controller's certificate (`kubeseal --fetch-cert`). */
  readonly sealingCertificatePath: string;
  /** The environment's committed sealed store (JSON), written by `npm run seal`. */
  readonly sealedStorePath: string;
  /**
   * Role that owns the application database; its credential is the sealed basic-auth Secret `cnpg-app-user`.
   * @default "app_user"
   */
  readonly appUsername?: string;
  /**
   * Enable network access for the `postgres` superuser, with its own sealed Secret `cnpg-superuser`
   * (never the application owner's).
   * @default false
   */
  readonly superuserAccess?: boolean;
  /**
   * Credentials of the S3-compatible object storage backups go to.
   * @default - none
   */
  readonly s3Credential?: PlatformS3CredentialOptions;
  /**
   * Namespace of the database cluster and everything that belongs to it.
   * @default "data-infra"
   */
  readonly databaseNamespace?: string;
  /**
   * Namespace of the CloudNativePG operator (and the Barman Cloud plugin, which must live next to it).
   * @default "cnpg-system"
   */
  readonly operatorNamespace?: string;
  /**
   * Namespace of the Sealed Secrets controller.
   * @default "sealed-secrets"
   */
  readonly sealedSecretsNamespace?: string;
  /** The PostgreSQL cluster. */
  readonly cluster: PlatformClusterOptions;
  /**
   * Labels on every object the platform creates.
   * @default - `app.kubernetes.io/part-of: cdk8s-cnpg` and `app.kubernetes.io/managed-by: cdk8s`
   */
  readonly labels?: Record<string, string>;
}

/** The component charts of a platform; each becomes one file `dist/<env>/<component>.yaml`. */
export enum PlatformComponent {
  NAMESPACES = 'namespaces',
  CREDENTIALS = 'credentials',
  DATABASE = 'database',
}

/**
 * The tutorial's whole system for one environment: namespaces and the HA PostgreSQL cluster
 * (credentials, backups, monitoring, exposure and delivery are added by their own constructs).
 *
 * Each component is its own chart so that Argo CD can sync and order them separately.
 */
export class PostgresPlatform extends Construct {
  /** The PostgreSQL cluster. */
  public readonly cluster: CnpgCluster;
  /** The environment's sealed values (certificate and store). */
  public readonly sealedValues: SealedValues;
  /** Credential of the application owner. */
  public readonly appCredential: CnpgUserCredential;
  /** Credential of the superuser, when superuser access is enabled. */
  public readonly superuserCredential?: CnpgUserCredential;
  /** Credential of the object storage, when declared. */
  public readonly s3Credential?: S3Credential;
  /** Namespace of the database. */
  public readonly databaseNamespace: string;
  /** Namespace of the CloudNativePG operator. */
  public readonly operatorNamespace: string;
  /** Namespace of the Sealed Secrets controller. */
  public readonly sealedSecretsNamespace: string;
  /** The component charts, by component. */
  public readonly charts: ReadonlyMap<PlatformComponent, Chart>;

  private readonly chartMap = new Map<PlatformComponent, Chart>();
  private readonly labels: Record<string, string>;

  public constructor(scope: Construct, id: string, props: PostgresPlatformProps) {
    super(scope, id);
    this.charts = this.chartMap;
    this.databaseNamespace = props.databaseNamespace ?? 'data-infra';
    this.operatorNamespace = props.operatorNamespace ?? 'cnpg-system';
    this.sealedSecretsNamespace = props.sealedSecretsNamespace ?? 'sealed-secrets';
    this.labels = props.labels ?? { 'app.kubernetes.io/part-of': 'cdk8s-cnpg', 'app.kubernetes.io/managed-by': 'cdk8s' };

    // Namespaces are cluster-scoped: their chart has no namespace, or cdk8s would stamp one on them.
    new PlatformNamespaces(this.component(PlatformComponent.NAMESPACES, undefined), 'Namespaces', {
      names: [this.operatorNamespace, this.sealedSecretsNamespace, this.databaseNamespace],
    });

    const credentials = this.component(PlatformComponent.CREDENTIALS, this.databaseNamespace);
    this.sealedValues = new SealedValues(credentials, 'SealedValues', {
      environment: props.environment,
      certificatePath: props.sealingCertificatePath,
      storePath: props.sealedStorePath,
      production: props.production,
    });
    this.appCredential = new CnpgUserCredential(credentials, 'AppUser', {
      secretName: 'cnpg-app-user',
      username: props.appUsername ?? 'app_user',
      sealedValues: this.sealedValues,
    });
    if (props.superuserAccess) {
      this.superuserCredential = new CnpgUserCredential(credentials, 'Superuser', {
        secretName: 'cnpg-superuser',
        username: 'postgres',
        sealedValues: this.sealedValues,
      });
    }
    if (props.s3Credential) {
      this.s3Credential = new S3Credential(credentials, 'ObjectStorage', {
        secretName: 'cnpg-backup-s3',
        ...props.s3Credential,
        sealedValues: this.sealedValues,
      });
    }

    this.cluster = new CnpgCluster(this.component(PlatformComponent.DATABASE, this.databaseNamespace), 'Cluster', {
      clusterName: 'cnpg-ha',
      ownerCredential: this.appCredential,
      superuserCredential: this.superuserCredential,
      ...props.cluster,
      namespace: this.databaseNamespace,
    });
  }

  /** Every sealed credential of the platform, for the `seal` command. */
  public get sealedCredentials(): SealedCredential[] {
    return this.node.findAll().filter((c): c is SealedCredential => c instanceof SealedCredential);
  }

  /** The chart of a component, created on first use. */
  public component(component: PlatformComponent, namespace: string | undefined): Chart {
    let chart = this.chartMap.get(component);
    if (!chart) {
      chart = new Chart(this, component, { namespace, labels: this.labels, disableResourceNameHashes: true });
      this.chartMap.set(component, chart);
    }
    return chart;
  }
}
