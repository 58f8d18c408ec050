import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as cnpg from '../../imports/postgresql.cnpg.io';
import { isDns1123Subdomain } from '../core/k8s-syntax';
import { formatProblem, Problem, Problems } from '../core/problems';
import { claimObjectName, namePartFromIdentifier } from '../core/resource-names';
import type { CnpgCluster } from './cluster';
import { contribExtensions, LIBRARY_ONLY, PRELOAD_REQUIRED } from './contrib-extensions';
import { CnpgResource, PropFields } from './cnpg-resource';

/** Whether an object must exist (`ensure`). */
export enum ObjectEnsure {
  /** Create it (`CREATE … IF NOT EXISTS`) and keep it as declared. */
  PRESENT = 'present',
  /** Drop it if it exists. */
  ABSENT = 'absent',
}

/** What happens in PostgreSQL when the Kubernetes object is deleted. */
export enum DatabaseReclaimPolicy {
  /** Keep the database (the default: deleting a manifest never drops data). */
  RETAIN = 'retain',
  /** `DROP DATABASE` when the object is deleted. */
  DELETE = 'delete',
}

/** An extension of a database. */
export interface DatabaseExtensionOptions {
  /** The extension's name, as in `CREATE EXTENSION` (e.g. `pg_stat_statements`, `vector`). */
  readonly name: string;
  /**
   * The version to install or update to.
   * @default - the control file's default version
   */
  readonly version?: string;
  /**
   * Schema for a relocatable extension's objects.
   * @default - the control file's schema, or the current default schema
   */
  readonly schema?: string;
  /**
   * Install or drop.
   * @default ObjectEnsure.PRESENT
   */
  readonly ensure?: ObjectEnsure;
}

/** A schema of a database. */
export interface DatabaseSchemaOptions {
  /** The schema's name. */
  readonly name: string;
  /**
   * Owning role.
   * @default - the role the operator connects as
   */
  readonly owner?: string;
  /**
   * Create or drop.
   * @default ObjectEnsure.PRESENT
   */
  readonly ensure?: ObjectEnsure;
}

/** Properties of a `CnpgDatabase`. */
export interface CnpgDatabaseProps {
  /**
   * The cluster the database lives in. A `CnpgCluster` of this app, not an `ICnpgCluster`: the database's extensions
   * are checked against the cluster's image and add their libraries to its `shared_preload_libraries`.
   */
  readonly cluster: CnpgCluster;
  /** The database's name in PostgreSQL (immutable). The application database may be named: it is adopted. */
  readonly databaseName: string;
  /**
   * The owning role: the cluster's owner, a managed role (`cluster.addRole`) or another existing role.
   * @default - the cluster's application owner
   */
  readonly owner?: string;
  /**
   * `metadata.name` of the Database object.
   * @default `<cluster>-<database>`, lower-case, with `_` and other characters names cannot hold as `-`
   */
  readonly resourceName?: string;
  /**
   * Extensions, installed with `CREATE EXTENSION` by the operator. Each must ship with the cluster's image
   * (PostgreSQL's contrib modules always; pgvector `vector`, `pgaudit` with `ImageFlavour.STANDARD`) or come from an
   * image volume extension (`cluster.addExtensionImage`, PostgreSQL 18). Libraries an extension needs preloaded
   * (`pg_stat_statements`, `pgaudit`) are added to the cluster's `shared_preload_libraries` (a rolling restart when
   * that list changes).
   * @default - none
   */
  readonly extensions?: (string | DatabaseExtensionOptions)[];
  /**
   * Schemas.
   * @default - none
   */
  readonly schemas?: (string | DatabaseSchemaOptions)[];
  /**
   * What deleting the Database object does to the data.
   * @default DatabaseReclaimPolicy.RETAIN
   */
  readonly reclaimPolicy?: DatabaseReclaimPolicy;
  /**
   * Keep or drop the database.
   * @default ObjectEnsure.PRESENT
   */
  readonly ensure?: ObjectEnsure;
  /**
   * Concurrent connections to the database; -1 is no limit.
   * @default -1
   */
  readonly connectionLimit?: number;
  /**
   * `ENCODING` of a new database (immutable).
   * @default - the template's (UTF8)
   */
  readonly encoding?: string;
  /**
   * `LOCALE` of a new database (immutable).
   * @default - the template's
   */
  readonly locale?: string;
  /**
   * Labels of the Database object.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

const RESERVED_DATABASES = ['postgres', 'template0', 'template1'];
const DATABASES = new WeakMap<CnpgCluster, Map<string, string>>();

/** The props of `CnpgDatabase` and the fields they render (admission problems are reported in these terms). */
const DATABASE_PROP_FIELDS: PropFields = {
  'metadata.name': 'resourceName',
  'spec.name': 'databaseName',
  'spec.owner': 'owner',
  'spec.connectionLimit': 'connectionLimit',
  'spec.encoding': 'encoding',
  'spec.locale': 'locale',
  'spec.extensions': 'extensions',
  'spec.schemas': 'schemas',
  'spec.ensure': 'ensure',
  'spec.databaseReclaimPolicy': 'reclaimPolicy',
};

/**
 * A database managed declaratively (`postgresql.cnpg.io/v1` `Database`): its owner, extensions and schemas, created
 * and kept in shape by the operator. `databaseReclaimPolicy` is `retain` unless asked otherwise, so deleting the
 * manifest never drops data; every CRD default is rendered so Argo CD shows no drift.
 *
 * Checked at synth: the extension must exist in the cluster's image (a missing one names the extension, the image and
 * the fix), library-only modules (auto_explain, pg_failover_slots) are refused, names are unique per database and
 * databases are unique per cluster.
 */
export class CnpgDatabase extends CnpgResource {
  /** The database's name in PostgreSQL. */
  public readonly databaseName: string;
  /** The owning role. */
  public readonly owner: string;
  /** `metadata.name` of the Database object. */
  public readonly resourceName: string;
  /** The cluster. */
  public readonly cluster: CnpgCluster;
  /** The extensions requested (names). */
  public readonly extensionNames: readonly string[];
  /** The generated L1 object. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: CnpgDatabaseProps) {
    super(scope, id, DATABASE_PROP_FIELDS);
    const cluster = props.cluster;
    this.cluster = cluster;
    this.databaseName = props.databaseName;
    this.owner = props.owner ?? cluster.ownerName;
    this.resourceName = props.resourceName ?? `${cluster.clusterName}-${namePartFromIdentifier(props.databaseName)}`;
    const extensions = (props.extensions ?? []).map((e) => (typeof e === 'string' ? { name: e } : e));
    const schemas = (props.schemas ?? []).map((s) => (typeof s === 'string' ? { name: s } : s));
    this.extensionNames = extensions.map((e) => e.name);

    this.validate(props, extensions, schemas);
    claimObjectName(this, { kind: 'postgresql.cnpg.io/Database', namespace: cluster.namespace, name: this.resourceName, field: 'resourceName' });
    for (const ext of extensions) {
      const library = PRELOAD_REQUIRED[ext.name];
      if (library && (ext.ensure ?? ObjectEnsure.PRESENT) === ObjectEnsure.PRESENT) cluster.addSharedPreloadLibrary(library);
    }
    // Image volume extensions may be added to the cluster after this database: checked when the app is validated.
    this.node.addValidation({ validate: () => this.availabilityProblems(extensions).map(formatProblem) });

    this.apiObject = new cnpg.Database(this, 'Resource', {
      metadata: { name: this.resourceName, namespace: cluster.namespace, labels: props.labels },
      spec: {
        name: this.databaseName,
        owner: this.owner,
        cluster: { name: cluster.clusterName },
        ensure: (props.ensure ?? ObjectEnsure.PRESENT) as string as cnpg.DatabaseSpecEnsure,
        databaseReclaimPolicy: (props.reclaimPolicy ?? DatabaseReclaimPolicy.RETAIN) as string as cnpg.DatabaseSpecDatabaseReclaimPolicy,
        connectionLimit: props.connectionLimit,
        encoding: props.encoding,
        locale: props.locale,
        extensions: extensions.length > 0 ? extensions.map((e) => ({
          name: e.name,
          version: e.version,
          schema: e.schema,
          ensure: (e.ensure ?? ObjectEnsure.PRESENT) as string as cnpg.DatabaseSpecExtensionsEnsure,
        })) : undefined,
        schemas: schemas.length > 0 ? schemas.map((s) => ({
          name: s.name,
          owner: s.owner,
          ensure: (s.ensure ?? ObjectEnsure.PRESENT) as string as cnpg.DatabaseSpecSchemasEnsure,
        })) : undefined,
      },
    });
    // The webhook's rules for this kind, on the rendered object (escape hatches included).
  }

  private validate(props: CnpgDatabaseProps, extensions: DatabaseExtensionOptions[], schemas: DatabaseSchemaOptions[]): void {
    const problems = Problems.of(this);
    const name = this.databaseName;
    if (typeof name !== 'string' || name === '') {
      problems.error({ field: 'databaseName', message: 'is required', value: name });
    } else {
      if (RESERVED_DATABASES.includes(name)) {
        problems.error({ field: 'databaseName', message: `the name ${name} is reserved`, value: name, fix: 'manage an application database such as "appdb"' });
      }
      if (Buffer.byteLength(name, 'utf8') > 63) {
        problems.error({ field: 'databaseName', message: 'is longer than 63 bytes: PostgreSQL would truncate it', value: name });
      }
      let byName = DATABASES.get(this.cluster);
      if (!byName) DATABASES.set(this.cluster, byName = new Map());
      const other = byName.get(name);
      if (other) {
        problems.error({
          field: 'databaseName',
          message: `the database "${name}" of cluster ${this.cluster.clusterName} is already managed by ${other}; two Database objects would fight over it`,
          value: name,
          fix: 'declare each database once, with all its extensions and schemas',
        });
      } else {
        byName.set(name, this.node.path);
      }
    }
    if (!isDns1123Subdomain(this.resourceName)) {
      problems.error({ field: 'resourceName', message: 'must be a DNS-1123 subdomain', value: this.resourceName, fix: 'set resourceName, e.g. "cnpg-ha-appdb"' });
    }
    if (!this.owner) {
      problems.error({ field: 'owner', message: 'a database needs an owner', fix: 'set owner to an existing role' });
    }
    const limit = props.connectionLimit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < -1)) {
      problems.error({ field: 'connectionLimit', message: 'must be a whole number, -1 (no limit) or more', value: limit });
    }
    for (const [field, list] of [['extensions', extensions], ['schemas', schemas]] as const) {
      const seen = new Set<string>();
      for (const item of list) {
        if (typeof item.name !== 'string' || item.name === '') {
          problems.error({ field, message: 'an entry has no name', value: item });
          continue;
        }
        if (seen.has(item.name)) {
          problems.error({ field: `${field}.${item.name}`, message: `is listed twice in database "${name}" (the operator rejects duplicate ${field})`, value: item.name, fix: 'list each once' });
        }
        seen.add(item.name);
      }
    }
    for (const s of schemas) {
      if (typeof s.name === 'string' && (s.name.startsWith('pg_') || s.name === 'information_schema')) {
        problems.error({ field: `schemas.${s.name}`, message: 'schema names beginning with "pg_" (and information_schema) are reserved for PostgreSQL', value: s.name, fix: 'choose another schema name' });
      }
    }
  }

  /** Each extension must be available to the cluster's instances. */
  private availabilityProblems(extensions: DatabaseExtensionOptions[]): Problem[] {
    const out: Problem[] = [];
    for (const ext of extensions) {
      if ((ext.ensure ?? ObjectEnsure.PRESENT) === ObjectEnsure.ABSENT || typeof ext.name !== 'string') continue;
      const p = extensionAvailabilityProblem(this.cluster, ext.name, this.databaseName);
      if (p) out.push(p);
    }
    return out;
  }
}

/**
 * Why `CREATE EXTENSION <name>` would fail on `cluster`'s instances, or undefined when the extension is available:
 * PostgreSQL's contrib modules (every CloudNativePG image), the image flavour's extras, or an image volume extension.
 */
export function extensionAvailabilityProblem(cluster: CnpgCluster, name: string, database?: string): Problem | undefined {
  const field = `extensions.${name}`;
  const library = LIBRARY_ONLY[name];
  if (library) {
    return { field, message: `"${name}" is a library without a control file: CREATE EXTENSION ${name} fails`, value: name, fix: library };
  }
  const image = cluster.image;
  const contrib = contribExtensions(cluster.postgresMajor);
  if (contrib?.includes(name)) return undefined;
  if (image.flavour.bundledExtensions.includes(name)) return undefined;
  if (cluster.extensionImages.some((e) => e.provides.includes(name))) return undefined;
  if (!contrib) {
    return {
      field,
      message: `this library has no list of the extensions of PostgreSQL ${cluster.postgresMajor}, so "${name}" cannot be checked`,
      value: name,
      fix: 'use PostgreSQL 14 to 18',
    };
  }
  const standard = ['pgaudit', 'vector'];
  const flavourText = image.flavour.bundledExtensions.length
    ? `the ${image.flavour.name} flavour adds ${image.flavour.bundledExtensions.join(', ')}`
    : `the ${image.flavour.name} flavour has PostgreSQL's contrib modules only`;
  const fixes: string[] = [];
  if (standard.includes(name) && !image.flavour.bundledExtensions.includes(name)) {
    fixes.push(`use ImageFlavour.STANDARD (PostgresImage.of('${Number.isNaN(image.minor) ? image.major : `${image.major}.${image.minor}`}', { flavour: ImageFlavour.STANDARD })), which ships pgaudit, pg_failover_slots and vector`);
  }
  fixes.push(cluster.postgresMajor >= 18
    ? `mount it from an extension image: cluster.addExtensionImage({ name: '${name}', image: '<registry>/<image>:<tag-for-${cluster.postgresMajor}>', provides: ['${name}'] })`
    : `or upgrade to PostgreSQL 18 and mount it from an extension image (cluster.addExtensionImage)`);
  return {
    field,
    message: `the extension "${name}"${database ? ` (database "${database}")` : ''} is not in the image ${image.imageName}: ${flavourText}`,
    value: name,
    fix: fixes.join('; '),
  };
}
