import { IConstruct } from 'constructs';

/**
 * What other constructs need to know about a CloudNativePG cluster to wire themselves to it
 * (PodMonitors, alert rules, poolers, tunnels, network policies, backups).
 *
 * A `CnpgCluster` is one; a cluster declared elsewhere (another app, another team's repository, Helm) is referenced
 * with `CnpgCluster.fromClusterAttributes(scope, id, { clusterName, namespace })`.
 */
export interface ICnpgCluster extends IConstruct {
  /** `metadata.name` of the Cluster; the operator derives pod, Service and Secret names from it. */
  readonly clusterName: string;
  /** Namespace of the Cluster. */
  readonly namespace: string;
  /** Desired number of instances (primary + replicas). */
  readonly instances: number;
  /** PostgreSQL major version the cluster runs, e.g. 16. */
  readonly postgresMajor: number;
  /** Read-write Service (`<cluster>-rw`): always points at the primary. */
  readonly rwServiceName: string;
  /** Read-only Service (`<cluster>-ro`): hot standby replicas only. */
  readonly roServiceName: string;
  /** Read Service (`<cluster>-r`): any instance. */
  readonly rServiceName: string;
}

/** The attributes of a cluster declared elsewhere (`CnpgCluster.fromClusterAttributes`). */
export interface CnpgClusterAttributes {
  /** `metadata.name` of the Cluster. */
  readonly clusterName: string;
  /** Namespace of the Cluster. */
  readonly namespace: string;
  /**
   * Number of instances it runs (scopes the HA alerts: no standby alerts for one instance).
   * @default 3
   */
  readonly instances?: number;
  /**
   * PostgreSQL major version it runs.
   * @default 18
   */
  readonly postgresMajor?: number;
}
