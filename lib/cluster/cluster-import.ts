import * as cnpg from '../../imports/postgresql.cnpg.io';
import { Problems } from '../core/problems';
import { IBasicAuthCredential } from '../secrets/credential-ref';
import type { ClusterBootstrapConfig, CnpgCluster, IClusterBootstrap } from './cluster';
import { ExternalCluster, ExternalTls, IClusterEndpoint } from './external-cluster';

/** Options of every import. */
export interface ClusterImportOptions {
  /**
   * The role `pg_dump` logs in to the source as: a basic-auth Secret in the **new** cluster's namespace. It needs to
   * read everything imported (the owner of a database can dump it; a superuser can dump anything, roles included).
   * @default - the source's owner credential, for a microservice import from a `CnpgCluster` in the same namespace
   */
  readonly credential?: IBasicAuthCredential;
  /**
   * How the source server is verified.
   * @default - the source's CA when both clusters share a namespace (required otherwise)
   */
  readonly tls?: ExternalTls;
  /**
   * Name of the `externalClusters[]` entry.
   * @default `<source>-import`
   */
  readonly externalClusterName?: string;
  /**
   * Import the schema only (`pre-data` and `post-data`), e.g. to prepare a logical replication subscriber.
   * @default false
   */
  readonly schemaOnly?: boolean;
  /**
   * More `pg_dump` options (not validated by the operator: use with care).
   * @default - none
   */
  readonly pgDumpExtraOptions?: string[];
  /**
   * More `pg_restore` options (not validated by the operator: use with care).
   * @default - none
   */
  readonly pgRestoreExtraOptions?: string[];
}

/** Options of a microservice import. */
export interface MicroserviceImportOptions extends ClusterImportOptions {
  /**
   * The source database, restored into the new cluster's application database (owned by its owner).
   * @default - the source cluster's application database
   */
  readonly database?: string;
  /**
   * SQL run as superuser in the application database after the import.
   * @default - none
   */
  readonly postImportSql?: string[];
}

/** Options of a monolith import. */
export interface MonolithImportOptions extends ClusterImportOptions {
  /** The databases to import with their names, or `['*']` for all (not `postgres`, templates, or closed ones). */
  readonly databases: string[];
  /**
   * The roles to import (without SUPERUSER; never `postgres`, `streaming_replica`, `cnpg_pooler_pgbouncer`), or
   * `['*']` for all. Every role the databases need must be listed.
   * @default - none
   */
  readonly roles?: string[];
  /** A monolith import reads roles and every database: log in as a superuser (the source's `postgres` credential). */
  readonly credential: IBasicAuthCredential;
}

const NOT_IMPORTED_ROLES = ['postgres', 'streaming_replica', 'cnpg_pooler_pgbouncer'];

/**
 * Creates a cluster by importing databases from another running PostgreSQL cluster (`bootstrap.initdb.import`):
 * a logical `pg_dump` over the network and `pg_restore` into a fresh `initdb`. It is CloudNativePG's blue/green
 * **major upgrade** (the new cluster may run any major ≥ the source's) and the way to move a database between
 * clusters. It is offline: writes made to the source after the dump started are not in the new cluster, so stop
 * writers before the final import.
 *
 * - `microservice`: one database, restored into the new cluster's application database, owned by its owner; roles
 *   are not imported.
 * - `monolith`: several databases with their names and the roles they need; log in as a superuser.
 *
 * Pass it as the `bootstrap` prop of the new `CnpgCluster`. After the import the new cluster is independent: repoint
 * the applications, then retire the source.
 */
export class ClusterImport implements IClusterBootstrap {
  /** Imports one database into the new cluster's application database. */
  public static microservice(source: IClusterEndpoint, options: MicroserviceImportOptions = {}): ClusterImport {
    return new ClusterImport('microservice', source, options);
  }

  /** Imports several databases and roles. */
  public static monolith(source: IClusterEndpoint, options: MonolithImportOptions): ClusterImport {
    return new ClusterImport('monolith', source, options);
  }

  private constructor(
    /** `microservice` or `monolith`. */
    public readonly type: 'microservice' | 'monolith',
    /** The cluster imported from. */
    public readonly source: IClusterEndpoint,
    private readonly options: MicroserviceImportOptions & Partial<MonolithImportOptions>,
  ) {}

  public bind(cluster: CnpgCluster): ClusterBootstrapConfig {
    const problems = Problems.of(cluster);
    const o = this.options;
    const source = this.source;
    const sourceDatabase = o.database ?? (source as Partial<CnpgCluster>).databaseName;
    const databases = this.type === 'microservice' ? (sourceDatabase ? [sourceDatabase] : []) : [...(o.databases ?? [])];
    const credential = o.credential ?? (this.type === 'microservice' && source.namespace === cluster.namespace
      ? (source as Partial<CnpgCluster>).ownerCredential : undefined);
    const name = o.externalClusterName ?? `${source.clusterName}-import`;

    if (source.postgresMajor !== undefined && Number.isFinite(source.postgresMajor) && Number.isFinite(cluster.postgresMajor) && cluster.postgresMajor < source.postgresMajor) {
      problems.error({
        field: 'bootstrap.initdb.import',
        message: `the new cluster runs PostgreSQL ${cluster.postgresMajor} but the source runs ${source.postgresMajor}: pg_dump and the restore must be at least the source's major (an import can upgrade, never downgrade)`,
        value: cluster.image.imageName,
        fix: `use a PostgreSQL ${source.postgresMajor} or newer image for the new cluster`,
      });
    }
    if (this.type === 'microservice') {
      if (databases.length !== 1 || databases[0] === '') {
        problems.error({ field: 'bootstrap.initdb.import.databases', message: 'a microservice import needs the one source database', fix: 'set database' });
      } else if (databases[0].includes('*')) {
        problems.error({ field: 'bootstrap.initdb.import.databases', message: 'a microservice import takes one named database, not a wildcard', value: databases[0], fix: 'use ClusterImport.monolith to import every database' });
      }
    } else {
      if (databases.length === 0) {
        problems.error({ field: 'bootstrap.initdb.import.databases', message: 'a monolith import needs at least one database', fix: "list the databases, or ['*'] for all" });
      }
      for (const [field, list] of [['databases', databases], ['roles', o.roles ?? []]] as const) {
        if (list.length > 1 && list.includes('*')) {
          problems.error({ field: `bootstrap.initdb.import.${field}`, message: 'the wildcard "*" cannot be used along other names', value: list, fix: "use ['*'] alone, or list names" });
        }
      }
      for (const role of o.roles ?? []) {
        if (NOT_IMPORTED_ROLES.includes(role)) {
          problems.error({ field: 'bootstrap.initdb.import.roles', message: `CloudNativePG never imports "${role}": it is the operator's own`, value: role, fix: 'remove it from roles' });
        }
      }
      if (o.postImportSql?.length) {
        problems.error({ field: 'bootstrap.initdb.import.postImportApplicationSQL', message: 'is not allowed for the monolith import type' });
      }
      if (cluster.ownerCredential) {
        problems.warn({
          field: 'ownerCredential',
          message: 'a monolith import does not create the application owner, so its credential\'s password is not applied',
          fix: 'import the role (roles) and manage its password with cluster.addRole({ name, credential })',
        });
      }
    }
    if (!credential) {
      problems.error({
        field: 'bootstrap.initdb.import.credential',
        message: this.type === 'monolith'
          ? 'a monolith import needs a credential to log in to the source'
          : `no credential to log in to the source ${source.namespace}/${source.clusterName}: its owner credential is only reused for a CnpgCluster in the same namespace`,
        fix: 'seal a basic-auth credential for a source role that can read the databases, in the new cluster\'s namespace',
      });
    }
    const external = credential
      ? ExternalCluster.fromCluster(source, { name, dbname: databases.length === 1 && databases[0] !== '*' ? databases[0] : 'postgres', credential, tls: o.tls })
      : undefined;
    for (const p of external?.problems(cluster, `externalClusters.${name}`) ?? []) problems.error(p);

    const importSpec: cnpg.ClusterSpecBootstrapInitdbImport = {
      type: this.type as string as cnpg.ClusterSpecBootstrapInitdbImportType,
      databases,
      roles: this.type === 'monolith' && o.roles?.length ? [...o.roles] : undefined,
      source: { externalCluster: name },
      schemaOnly: o.schemaOnly ? true : undefined,
      postImportApplicationSql: this.type === 'microservice' && o.postImportSql?.length ? [...o.postImportSql] : undefined,
      pgDumpExtraOptions: o.pgDumpExtraOptions?.length ? [...o.pgDumpExtraOptions] : undefined,
      pgRestoreExtraOptions: o.pgRestoreExtraOptions?.length ? [...o.pgRestoreExtraOptions] : undefined,
    };
    const initdb: cnpg.ClusterSpecBootstrapInitdb = this.type === 'microservice'
      ? {
        database: cluster.databaseName,
        owner: cluster.ownerName,
        secret: cluster.ownerCredential ? { name: cluster.ownerCredential.secretName } : undefined,
        import: importSpec,
      }
      // A monolith import restores the databases under their own names; the defaulter leaves database/owner empty.
      : { import: importSpec };
    return {
      bootstrap: { initdb },
      externalClusters: external ? [external.render(cluster.namespace)] : [],
    };
  }
}
