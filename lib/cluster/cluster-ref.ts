import { IConstruct } from 'constructs';

/**
 * What other constructs need to know about a CloudNativePG cluster to wire themselves to it
 * (PodMonitors, alert rules, poolers, tunnels, network policies, backups).
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
