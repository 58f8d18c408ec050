import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CnpgCluster, CnpgClusterProps } from './cluster/cluster';
import { PlatformNamespaces } from './platform/namespaces';

/** The cluster settings of a platform: everything of `CnpgClusterProps` but the namespace, which the platform owns. */
export interface PlatformClusterOptions extends Omit<CnpgClusterProps, 'namespace'> {}

/**
 * Properties of a `PostgresPlatform`.
 */
export interface PostgresPlatformProps {
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

    this.cluster = new CnpgCluster(this.component(PlatformComponent.DATABASE, this.databaseNamespace), 'Cluster', {
      clusterName: 'cnpg-ha',
      ...props.cluster,
      namespace: this.databaseNamespace,
    });
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
