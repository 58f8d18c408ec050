import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as cnpg from '../../imports/postgresql.cnpg.io';
import { CnpgCluster } from '../cluster/cluster';
import { ICnpgCluster } from '../cluster/cluster-ref';
import { claimObjectName, namePartFromIdentifier } from '../core/resource-names';
import { IClusterEndpoint } from '../cluster/external-cluster';
import { ManagedRole } from '../cluster/roles';
import { isDns1123Subdomain } from '../core/k8s-syntax';
import { Problem, Problems } from '../core/problems';
import { IBasicAuthCredential } from '../secrets/credential-ref';
import { CnpgResource, PropFields } from '../cluster/cnpg-resource';

/** What a publication or subscription does to PostgreSQL when its Kubernetes object is deleted. */
export enum ReplicationReclaimPolicy {
  /** Keep the publication/subscription in PostgreSQL (the default). */
  RETAIN = 'retain',
  /** Drop it. */
  DELETE = 'delete',
}

/** A table of a publication. */
export interface PublicationTableOptions {
  /** The table's name. */
  readonly name: string;
  /**
   * Its schema.
   * @default - the search path (usually `public`)
   */
  readonly schema?: string;
  /**
   * Publish only these columns (PostgreSQL 15+).
   * @default - every column
   */
  readonly columns?: string[];
  /**
   * The table only, not its inheritance children (`ONLY`).
   * @default false
   */
  readonly only?: boolean;
}

/** What a publication publishes (`target`). */
export class PublicationTarget {
  /** `FOR ALL TABLES`: every table of the database, including tables created later. */
  public static allTables(): PublicationTarget {
    return new PublicationTarget(true, [], []);
  }

  /** `FOR TABLE …`: these tables (`'orders'`, `'sales.orders'` or options with a column list). */
  public static tables(...tables: (string | PublicationTableOptions)[]): PublicationTarget {
    return new PublicationTarget(false, tables.map(parseTable), []);
  }

  /** `FOR TABLES IN SCHEMA …` (PostgreSQL 15+): every table of these schemas, including tables created later. */
  public static schemas(...schemas: string[]): PublicationTarget {
    return new PublicationTarget(false, [], [...schemas]);
  }

  /** Tables and schemas together. */
  public static objects(objects: { tables?: (string | PublicationTableOptions)[]; schemas?: string[] }): PublicationTarget {
    return new PublicationTarget(false, (objects.tables ?? []).map(parseTable), [...(objects.schemas ?? [])]);
  }

  private constructor(
    /** Whether every table is published. */
    public readonly allTables: boolean,
    /** The tables published. */
    public readonly tables: readonly PublicationTableOptions[],
    /** The schemas published. */
    public readonly schemas: readonly string[],
  ) {}

  /** What PostgreSQL (or the CRD's CEL rules) would reject for a publisher of `major`. */
  public problems(major: number): Problem[] {
    const out: Problem[] = [];
    if (!this.allTables && this.tables.length === 0 && this.schemas.length === 0) {
      out.push({ field: 'target', message: 'publishes nothing', fix: 'use PublicationTarget.allTables(), tables(...) or schemas(...)' });
    }
    const seen = new Set<string>();
    for (const t of this.tables) {
      const id = `${t.schema ?? ''}.${t.name}`;
      if (!t.name) out.push({ field: 'target.tables', message: 'a table has no name', value: t });
      else if (seen.has(id)) out.push({ field: 'target.tables', message: 'a table is listed twice', value: t.schema ? `${t.schema}.${t.name}` : t.name });
      seen.add(id);
      if (t.columns && t.columns.length === 0) {
        out.push({ field: `target.tables.${t.name}.columns`, message: 'an empty column list publishes nothing', fix: 'omit columns to publish every column' });
      }
      if (t.columns?.length && major < 15) {
        out.push({ field: `target.tables.${t.name}.columns`, message: `column lists need PostgreSQL 15 or newer; the publisher runs ${major}`, fix: 'publish whole tables' });
      }
    }
    if (this.schemas.length > 0 && major < 15) {
      out.push({ field: 'target.schemas', message: `FOR TABLES IN SCHEMA needs PostgreSQL 15 or newer; the publisher runs ${major}`, value: this.schemas, fix: 'list the tables' });
    }
    if (new Set(this.schemas).size !== this.schemas.length) {
      out.push({ field: 'target.schemas', message: 'a schema is listed twice', value: this.schemas });
    }
    if (this.schemas.some((s) => !s)) out.push({ field: 'target.schemas', message: 'a schema has no name', value: this.schemas });
    return out;
  }

  /** The `spec.target` stanza. */
  public render(): cnpg.PublicationSpecTarget {
    if (this.allTables) return { allTables: true };
    return {
      objects: [
        ...this.schemas.map((s) => ({ tablesInSchema: s })),
        ...this.tables.map((t) => ({ table: { name: t.name, schema: t.schema, columns: t.columns?.length ? [...t.columns] : undefined, only: t.only } })),
      ],
    };
  }
}

function parseTable(t: string | PublicationTableOptions): PublicationTableOptions {
  if (typeof t !== 'string') return t;
  const dot = t.indexOf('.');
  return dot > 0 ? { schema: t.slice(0, dot), name: t.slice(dot + 1) } : { name: t };
}

/** Which changes a publication publishes (`publish`). */
export enum PublishOperation {
  INSERT = 'insert',
  UPDATE = 'update',
  DELETE = 'delete',
  TRUNCATE = 'truncate',
}

/** What a subscriber needs to know about a publication (from a `CnpgPublication`, or its attributes across apps). */
export interface IPublication {
  /** The publication's name in PostgreSQL. */
  readonly publicationName: string;
  /** The publisher's database. */
  readonly dbname: string;
  /** The publisher (a `CnpgCluster`, or `ClusterEndpoint.of(name, namespace)` for one of another app). */
  readonly publisher: IClusterEndpoint;
}

/** A publication declared elsewhere (e.g. another environment's app). */
export class PublicationRef {
  /** A publication by its attributes. */
  public static fromAttributes(attributes: IPublication): IPublication {
    return { publicationName: attributes.publicationName, dbname: attributes.dbname, publisher: attributes.publisher };
  }

  private constructor() {}
}

/** Properties of a `CnpgPublication`. */
export interface CnpgPublicationProps {
  /**
   * The publisher: a `CnpgCluster` of this app, or a cluster declared elsewhere (`CnpgCluster.fromClusterAttributes`),
   * for which `dbname` is required and `wal_level` cannot be checked.
   */
  readonly cluster: ICnpgCluster;
  /** The publication's name in PostgreSQL (immutable). */
  readonly publicationName: string;
  /**
   * The database published from (immutable).
   * @default - the cluster's application database (required for a cluster declared elsewhere)
   */
  readonly dbname?: string;
  /** What is published. */
  readonly target: PublicationTarget;
  /**
   * Which changes are published.
   * @default - PostgreSQL's default: insert, update, delete, truncate
   */
  readonly publish?: PublishOperation[];
  /**
   * Publish changes of partitions as changes of their root table (`publish_via_partition_root`).
   * @default false
   */
  readonly publishViaPartitionRoot?: boolean;
  /**
   * What deleting the object does in PostgreSQL.
   * @default ReplicationReclaimPolicy.RETAIN
   */
  readonly reclaimPolicy?: ReplicationReclaimPolicy;
  /**
   * `metadata.name` of the Publication object.
   * @default `<cluster>-<publication>`, lower-case, with `_` and other characters names cannot hold as `-`
   */
  readonly resourceName?: string;
  /**
   * Labels.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

const PUBLICATIONS = new WeakMap<ICnpgCluster, Map<string, string>>();

/** The props of `CnpgPublication` and the fields they render (admission problems are reported in these terms). */
const PUBLICATION_PROP_FIELDS: PropFields = {
  'metadata.name': 'resourceName',
  'spec.name': 'publicationName',
  'spec.dbname': 'dbname',
  'spec.target': 'target',
  'spec.target.objects': 'target',
  'spec.parameters.publish': 'publish',
  'spec.parameters.publish_via_partition_root': 'publishViaPartitionRoot',
  'spec.publicationReclaimPolicy': 'reclaimPolicy',
};

/**
 * A logical replication publication (`postgresql.cnpg.io/v1` `Publication`) on a publisher cluster: the source side
 * of replication to a warehouse. A subscriber (`CnpgSubscription`) connects as a replication role of the publisher
 * (`addReplicationRole`).
 *
 * The publisher needs `wal_level = logical`. CloudNativePG sets it by default (and writes it into the stored spec),
 * so it need not be repeated; a publisher whose parameters set any other level is a synth error.
 */
export class CnpgPublication extends CnpgResource implements IPublication {
  public readonly publicationName: string;
  public readonly dbname: string;
  public readonly publisher: ICnpgCluster;
  /** `metadata.name` of the Publication object. */
  public readonly resourceName: string;
  /** The generated L1 object. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: CnpgPublicationProps) {
    super(scope, id, PUBLICATION_PROP_FIELDS);
    const cluster = props.cluster;
    this.publisher = cluster;
    this.publicationName = props.publicationName;
    this.dbname = props.dbname ?? (cluster instanceof CnpgCluster ? cluster.databaseName : '');
    this.resourceName = props.resourceName ?? `${cluster.clusterName}-${namePartFromIdentifier(props.publicationName)}`;
    this.validate(props);
    claimObjectName(this, { kind: 'postgresql.cnpg.io/Publication', namespace: cluster.namespace, name: this.resourceName, field: 'resourceName' });

    const parameters: Record<string, string> = {};
    if (props.publish) parameters.publish = props.publish.join(', ');
    if (props.publishViaPartitionRoot !== undefined) parameters.publish_via_partition_root = String(props.publishViaPartitionRoot);
    this.apiObject = new cnpg.Publication(this, 'Resource', {
      metadata: { name: this.resourceName, namespace: cluster.namespace, labels: props.labels },
      spec: {
        cluster: { name: cluster.clusterName },
        name: this.publicationName,
        dbname: this.dbname,
        target: props.target.render(),
        parameters: Object.keys(parameters).length ? parameters : undefined,
        publicationReclaimPolicy: (props.reclaimPolicy ?? ReplicationReclaimPolicy.RETAIN) as string as cnpg.PublicationSpecPublicationReclaimPolicy,
      },
    });
    // The webhook's rules for this kind, on the rendered object (escape hatches included).
  }

  private validate(props: CnpgPublicationProps): void {
    const problems = Problems.of(this);
    const cluster = props.cluster;
    if (cluster instanceof CnpgCluster) {
      for (const p of walLevelProblems(cluster)) problems.error(p);
    } else if (props.dbname === undefined) {
      problems.error({ field: 'dbname', message: `is required for a cluster declared elsewhere (${cluster.namespace}/${cluster.clusterName}): its application database is not known here`, fix: 'set dbname to the database published from, e.g. "appdb"' });
    }
    if (!isIdentifier(this.publicationName)) {
      problems.error({ field: 'publicationName', message: 'must be a non-empty PostgreSQL name of at most 63 bytes', value: this.publicationName });
    }
    if (!isIdentifier(this.dbname) && !(props.dbname === undefined && !(cluster instanceof CnpgCluster))) {
      problems.error({ field: 'dbname', message: 'must be a non-empty PostgreSQL name of at most 63 bytes', value: this.dbname });
    }
    if (!isDns1123Subdomain(this.resourceName)) {
      problems.error({ field: 'resourceName', message: 'must be a DNS-1123 subdomain', value: this.resourceName, fix: 'set resourceName' });
    }
    for (const p of props.target.problems(cluster.postgresMajor)) problems.error(p);
    const publish = props.publish ?? [];
    if (props.publish && publish.length === 0) {
      problems.error({ field: 'publish', message: 'an empty list publishes no change', fix: 'omit publish for every operation' });
    }
    if (new Set(publish).size !== publish.length) problems.error({ field: 'publish', message: 'lists an operation twice', value: publish });
    let byName = PUBLICATIONS.get(cluster);
    if (!byName) PUBLICATIONS.set(cluster, byName = new Map());
    const key = `${this.dbname}/${this.publicationName}`;
    const other = byName.get(key);
    if (other) {
      problems.error({ field: 'publicationName', message: `the publication "${this.publicationName}" of database "${this.dbname}" is already declared by ${other}`, value: this.publicationName, fix: 'declare it once' });
    } else {
      byName.set(key, this.node.path);
    }
  }
}

/**
 * Why `cluster` cannot publish: its parameters set `wal_level` to something other than `logical` (CloudNativePG's
 * default, written into the spec by its mutating webhook when the parameter is absent).
 */
export function walLevelProblems(cluster: CnpgCluster): Problem[] {
  const level = cluster.parameters.wal_level;
  if (level === undefined || level.trim().toLowerCase() === 'logical') return [];
  return [{
    field: 'cluster.parameters.wal_level',
    message: `logical replication needs wal_level = logical on the publisher, but ${cluster.namespace}/${cluster.clusterName} sets it to "${level}"`,
    value: level,
    fix: 'set wal_level: "logical" (or remove it: logical is CloudNativePG\'s default); changing wal_level restarts every instance',
  }];
}

/** Options of `addReplicationRole`. */
export interface ReplicationRoleOptions {
  /** The role's name, e.g. `warehouse_sync`. */
  readonly name: string;
  /** Its password, sealed for the publisher's namespace (username = name). Seal the same password for the subscriber. */
  readonly credential: IBasicAuthCredential;
  /**
   * Predefined roles granted: `pg_read_all_data` lets the subscriber copy the initial data of every published table.
   * @default ['pg_read_all_data']
   */
  readonly inRoles?: string[];
  /**
   * Connections of the role (one per subscription plus one per table being synchronised).
   * @default 10
   */
  readonly connectionLimit?: number;
}

/**
 * Adds the role a subscriber logs in as to the publisher's `spec.managed.roles`: `LOGIN REPLICATION`, member of
 * `pg_read_all_data`, password from a sealed credential.
 */
export function addReplicationRole(publisher: CnpgCluster, options: ReplicationRoleOptions): ManagedRole {
  return publisher.addRole({
    name: options.name,
    credential: options.credential,
    login: true,
    replication: true,
    inRoles: options.inRoles ?? ['pg_read_all_data'],
    connectionLimit: options.connectionLimit ?? 10,
    comment: 'logical replication subscriber (managed by cdk8s-cnpg)',
  });
}

function isIdentifier(s: unknown): boolean {
  return typeof s === 'string' && s !== '' && Buffer.byteLength(s, 'utf8') <= 63;
}
