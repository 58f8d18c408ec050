import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as cnpg from '../../imports/postgresql.cnpg.io';
import type { CnpgCluster } from '../cluster/cluster';
import { ExternalCluster, ExternalTls } from '../cluster/external-cluster';
import { isDns1123Subdomain } from '../core/k8s-syntax';
import { formatProblem, Problems } from '../core/problems';
import { claimObjectName, namePartFromIdentifier } from '../core/resource-names';
import { IBasicAuthCredential } from '../secrets/credential-ref';
import { IPublication, ReplicationReclaimPolicy } from './publication';
import { CnpgResource, PropFields } from '../cluster/cnpg-resource';

/** Properties of a `CnpgSubscription`. */
export interface CnpgSubscriptionProps {
  /**
   * The subscriber. A `CnpgCluster` of this app, not an `ICnpgCluster`: the subscription's external cluster entry is
   * declared in (and checked against) the subscriber's spec.
   */
  readonly cluster: CnpgCluster;
  /** The subscription's name in PostgreSQL (immutable). */
  readonly subscriptionName: string;
  /**
   * The subscriber's database (immutable). The published tables must already exist there: logical replication
   * copies rows, not DDL (create the schema first, e.g. with `ClusterImport.microservice(…, { schemaOnly: true })`).
   * @default - the cluster's application database
   */
  readonly dbname?: string;
  /**
   * The `externalClusters[]` entry of the subscriber that points at the publisher (`cluster.addExternalCluster`).
   * Checked at synth: it must be declared on the subscriber.
   */
  readonly externalClusterName: string;
  /** The publication's name on the publisher. */
  readonly publicationName: string;
  /**
   * The publisher's database.
   * @default - the external cluster's `dbname`
   */
  readonly publicationDbName?: string;
  /**
   * `CREATE SUBSCRIPTION … WITH (…)` parameters (most cannot change after creation), e.g. `{ binary: 'true' }`.
   * @default - none
   */
  readonly parameters?: Record<string, string>;
  /**
   * What deleting the object does in PostgreSQL (`delete` also drops the replication slot on the publisher).
   * @default ReplicationReclaimPolicy.RETAIN
   */
  readonly reclaimPolicy?: ReplicationReclaimPolicy;
  /**
   * `metadata.name` of the Subscription object.
   * @default `<cluster>-<subscription>`, lower-case, with `_` and other characters names cannot hold as `-`
   */
  readonly resourceName?: string;
  /**
   * Labels.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Options of `CnpgSubscription.fromPublication`. */
export interface SubscribeOptions {
  /** The subscriber: a `CnpgCluster` of this app, whose spec gets the external cluster entry for the publisher. */
  readonly cluster: CnpgCluster;
  /** The publication subscribed to (a `CnpgPublication`, or `PublicationRef.fromAttributes` across apps). */
  readonly publication: IPublication;
  /**
   * The publisher's replication role (`addReplicationRole`), sealed for the **subscriber's** namespace with the same
   * password.
   */
  readonly credential: IBasicAuthCredential;
  /**
   * How the subscriber verifies the publisher.
   * @default - the publisher's CA when both share a namespace; required across namespaces (see `ExternalTls`)
   */
  readonly tls?: ExternalTls;
  /**
   * The subscription's name.
   * @default - the publication's name
   */
  readonly subscriptionName?: string;
  /**
   * The subscriber's database.
   * @default - the subscriber's application database
   */
  readonly dbname?: string;
  /**
   * Name of the external cluster entry declared on the subscriber.
   * @default - the publisher's cluster name
   */
  readonly externalClusterName?: string;
  /**
   * Subscription parameters.
   * @default - none
   */
  readonly parameters?: Record<string, string>;
  /**
   * Reclaim policy.
   * @default ReplicationReclaimPolicy.RETAIN
   */
  readonly reclaimPolicy?: ReplicationReclaimPolicy;
}

/** The props of `CnpgSubscription` and the fields they render (admission problems are reported in these terms). */
const SUBSCRIPTION_PROP_FIELDS: PropFields = {
  'metadata.name': 'resourceName',
  'spec.name': 'subscriptionName',
  'spec.dbname': 'dbname',
  'spec.externalClusterName': 'externalClusterName',
  'spec.publicationName': 'publicationName',
  'spec.publicationDBName': 'publicationDbName',
  'spec.parameters.*': 'parameters.*',
  'spec.subscriptionReclaimPolicy': 'reclaimPolicy',
};

/**
 * A logical replication subscription (`postgresql.cnpg.io/v1` `Subscription`) on a subscriber cluster, e.g. a
 * warehouse receiving the application's tables. It names an `externalClusters[]` entry of the subscriber that
 * connects to the publisher; a name the subscriber does not declare is a synth error.
 *
 * `CnpgSubscription.fromPublication` declares that entry (the publisher's `-rw` Service, the replication role's
 * password, TLS verification) and the subscription together.
 */
export class CnpgSubscription extends CnpgResource {
  /** Declares the external cluster for `publication` on the subscriber and subscribes to it. */
  public static fromPublication(scope: Construct, id: string, options: SubscribeOptions): CnpgSubscription {
    const pub = options.publication;
    const externalClusterName = options.cluster.addExternalCluster(ExternalCluster.fromCluster(pub.publisher, {
      name: options.externalClusterName,
      dbname: pub.dbname,
      credential: options.credential,
      tls: options.tls,
    }));
    return new CnpgSubscription(scope, id, {
      cluster: options.cluster,
      subscriptionName: options.subscriptionName ?? pub.publicationName,
      dbname: options.dbname,
      externalClusterName,
      publicationName: pub.publicationName,
      publicationDbName: pub.dbname,
      parameters: options.parameters,
      reclaimPolicy: options.reclaimPolicy,
    });
  }

  /** The subscription's name in PostgreSQL. */
  public readonly subscriptionName: string;
  /** The subscriber's database. */
  public readonly dbname: string;
  /** The external cluster entry used. */
  public readonly externalClusterName: string;
  /** `metadata.name` of the Subscription object. */
  public readonly resourceName: string;
  /** The generated L1 object. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: CnpgSubscriptionProps) {
    super(scope, id, SUBSCRIPTION_PROP_FIELDS);
    const cluster = props.cluster;
    this.subscriptionName = props.subscriptionName;
    this.dbname = props.dbname ?? cluster.databaseName;
    this.externalClusterName = props.externalClusterName;
    this.resourceName = props.resourceName ?? `${cluster.clusterName}-${namePartFromIdentifier(props.subscriptionName)}`;

    const problems = Problems.of(this);
    for (const [field, value] of [['subscriptionName', this.subscriptionName], ['dbname', this.dbname], ['publicationName', props.publicationName]] as const) {
      if (typeof value !== 'string' || value === '' || Buffer.byteLength(value, 'utf8') > 63) {
        problems.error({ field, message: 'must be a non-empty PostgreSQL name of at most 63 bytes', value });
      }
    }
    if (!isDns1123Subdomain(this.resourceName)) {
      problems.error({ field: 'resourceName', message: 'must be a DNS-1123 subdomain', value: this.resourceName, fix: 'set resourceName' });
    }
    claimObjectName(this, { kind: 'postgresql.cnpg.io/Subscription', namespace: cluster.namespace, name: this.resourceName, field: 'resourceName' });
    // External clusters may be declared after the subscription: checked when the app is validated.
    this.node.addValidation({
      validate: () => {
        const declared = cluster.externalClusterNames;
        if (declared.includes(this.externalClusterName)) return [];
        return [formatProblem({
          field: 'externalClusterName',
          message: `the subscriber ${cluster.namespace}/${cluster.clusterName} declares no external cluster "${this.externalClusterName}" (it declares ${declared.length ? declared.map((d) => `"${d}"`).join(', ') : 'none'}); the operator could not connect to the publisher`,
          value: this.externalClusterName,
          fix: 'declare it with cluster.addExternalCluster(ExternalCluster.fromCluster(publisher, { dbname, credential, tls })), or use CnpgSubscription.fromPublication',
        })];
      },
    });

    this.apiObject = new cnpg.Subscription(this, 'Resource', {
      metadata: { name: this.resourceName, namespace: cluster.namespace, labels: props.labels },
      spec: {
        cluster: { name: cluster.clusterName },
        name: this.subscriptionName,
        dbname: this.dbname,
        externalClusterName: this.externalClusterName,
        publicationName: props.publicationName,
        publicationDbName: props.publicationDbName,
        parameters: props.parameters && Object.keys(props.parameters).length ? { ...props.parameters } : undefined,
        subscriptionReclaimPolicy: (props.reclaimPolicy ?? ReplicationReclaimPolicy.RETAIN) as string as cnpg.SubscriptionSpecSubscriptionReclaimPolicy,
      },
    });
    // The webhook's rules for this kind, on the rendered object (escape hatches included).
  }
}
