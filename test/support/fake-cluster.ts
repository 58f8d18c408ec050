import { Construct } from 'constructs';
import { ICnpgCluster } from '../../lib';

/** A cluster reference without a Cluster object, for constructs that only need names (monitoring, policies). */
export class FakeCluster extends Construct implements ICnpgCluster {
  public readonly rwServiceName: string;
  public readonly roServiceName: string;
  public readonly rServiceName: string;
  public readonly postgresMajor = 16;
  public constructor(scope: Construct, public readonly clusterName: string, public readonly namespace: string, public readonly instances = 3) {
    super(scope, `cluster-${clusterName}`);
    this.rwServiceName = `${clusterName}-rw`;
    this.roServiceName = `${clusterName}-ro`;
    this.rServiceName = `${clusterName}-r`;
  }
}
