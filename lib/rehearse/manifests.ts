/**
 * What a rehearsal reads: the synthesized manifests of one environment (the Cluster, the ObjectStore its WAL archiver
 * names, its Poolers, the restore drill's Cluster), exactly as `npm run synth` renders them — escape-hatch patches
 * included — plus the environment's sealed store for the credential key names.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { BARMAN_CLOUD_PLUGIN } from '../backup/backup-store';
import { CnpgCluster } from '../cluster/cluster';
import { SealedStore } from '../secrets/sealed-store';

/** A rendered Kubernetes object (the JSON `npm run synth` writes as YAML). */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: unknown;
}

/** A failure of the rehearsal, naming the synthesized field at fault when there is one. */
export class RehearsalError extends Error {
  public constructor(
    /** What went wrong, without the field. */
    public readonly reason: string,
    /** The synthesized field at fault, e.g. `ObjectStore data-infra/cnpg-ha-backups spec.configuration.wal.compression`. */
    public readonly field?: string,
    /** What to do about it. */
    public readonly fix?: string,
  ) {
    super(`${field ? `${field}: ` : ''}${reason}${fix ? ` (fix: ${fix})` : ''}`);
    this.name = 'RehearsalError';
  }
}

/** `Kind namespace/name`, as messages name an object. */
export function objectName(m: Manifest): string {
  return `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`;
}

/** `Kind namespace/name spec.path`, the form every field in a rehearsal message takes. */
export function fieldOf(m: Manifest, path: string): string {
  return `${objectName(m)} ${path}`;
}

/** The value at a dotted path (`spec.configuration.wal.compression`; `plugins[0]` indexes arrays), or undefined. */
export function at(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    cur = isRecord(cur) ? cur[m[1]] : undefined;
    for (const idx of m[2].match(/\d+/g) ?? []) cur = Array.isArray(cur) ? cur[Number(idx)] : undefined;
  }
  return cur;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Everything one rehearsal needs from an environment. */
export interface RehearsalInputs {
  /** The environment's name. */
  readonly environment: string;
  /** Production environments never use the demo key. */
  readonly production: boolean;
  /** The PostgreSQL major of the cluster's image. */
  readonly postgresMajor: number;
  /** The rehearsed Cluster. */
  readonly cluster: Manifest;
  /** The ObjectStore its WAL archiver plugin names (`barmanObjectName`). */
  readonly objectStore: Manifest;
  /** The WAL archiver's `serverName` (the folder below the destination path). */
  readonly serverName: string;
  /** The field the server name comes from. */
  readonly serverNameField: string;
  /** The Poolers in front of the cluster. */
  readonly poolers: readonly Manifest[];
  /** The restore drill's Cluster (recovering from this store and server name), when there is one. */
  readonly drill?: Manifest;
  /** The environment's sealed store (key names are plain text in it; values are sealed). */
  readonly sealedStore?: SealedStore;
  /** Path of the sealed store, for messages. */
  readonly sealedStorePath?: string;
}

/** Options of `inputsFromConstructs`. */
export interface InputsOptions {
  readonly environment: string;
  readonly production?: boolean;
  /** Name of the cluster to rehearse. Default: `defaultCluster`, or the only cluster that archives WAL. */
  readonly cluster?: string;
  /** The platform's cluster name, used when `cluster` is not given. */
  readonly defaultCluster?: string;
  readonly sealedStore?: SealedStore;
  readonly sealedStorePath?: string;
}

/**
 * Validates the app (as `synth` would) and collects the rendered manifests of the rehearsed cluster. Throws a
 * `RehearsalError` when the app does not synthesize or the cluster has nothing to rehearse.
 */
export function inputsFromConstructs(root: IConstruct, options: InputsOptions): RehearsalInputs {
  const errors: string[] = [];
  for (const c of root.node.findAll()) {
    for (const e of c.node.validate()) errors.push(`[${c.node.path}] ${e}`);
  }
  if (errors.length > 0) {
    throw new RehearsalError(`the environment "${options.environment}" does not synthesize:\n  ${errors.join('\n  ')}`);
  }
  const apiObjects = root.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
  const manifests = apiObjects.map((o) => o.toJson() as Manifest);
  const clusters = manifests.filter((m) => m.kind === 'Cluster' && m.apiVersion.startsWith('postgresql.cnpg.io/'));
  const archiving = clusters.filter((c) => walArchiverIndex(c) >= 0);

  const wanted = options.cluster ?? options.defaultCluster;
  let cluster: Manifest | undefined;
  if (wanted !== undefined) {
    const named = clusters.filter((c) => c.metadata.name === wanted);
    cluster = named.find((c) => walArchiverIndex(c) >= 0) ?? named[0];
    if (!cluster) {
      throw new RehearsalError(
        `no Cluster named "${wanted}" in environment "${options.environment}"`,
        undefined,
        `use one of: ${clusters.map((c) => c.metadata.name).join(', ') || '(none)'}`,
      );
    }
  } else if (archiving.length === 1) {
    cluster = archiving[0];
  } else {
    throw new RehearsalError(
      `environment "${options.environment}" has ${archiving.length} clusters that archive WAL`,
      undefined,
      `choose one with --cluster (${archiving.map((c) => c.metadata.name).join(', ') || 'none archives WAL'})`,
    );
  }

  const idx = walArchiverIndex(cluster);
  if (idx < 0) {
    throw new RehearsalError(
      `has no WAL archiver plugin (${BARMAN_CLOUD_PLUGIN} with isWALArchiver: true): there is no backup to rehearse`,
      fieldOf(cluster, 'spec.plugins'),
      'configure backups (the platform\'s backup prop, or store.archiveWal(cluster))',
    );
  }
  const params = at(cluster, `spec.plugins[${idx}].parameters`);
  const storeName = isRecord(params) && typeof params.barmanObjectName === 'string' ? params.barmanObjectName : undefined;
  const storeField = fieldOf(cluster, `spec.plugins[${idx}].parameters.barmanObjectName`);
  if (!storeName) throw new RehearsalError('is missing: the plugin does not know which ObjectStore to archive to', storeField);
  const namespace = cluster.metadata.namespace;
  const objectStore = manifests.find(
    (m) => m.kind === 'ObjectStore' && m.apiVersion.startsWith('barmancloud.cnpg.io/') && m.metadata.name === storeName && m.metadata.namespace === namespace,
  );
  if (!objectStore) {
    throw new RehearsalError(
      `names the ObjectStore "${storeName}", which the environment does not define in namespace "${namespace}"`,
      storeField,
      'create the BackupStore in the cluster\'s namespace, or correct barmanObjectName',
    );
  }
  const serverNameRaw = isRecord(params) ? params.serverName : undefined;
  const serverName = typeof serverNameRaw === 'string' && serverNameRaw !== '' ? serverNameRaw : cluster.metadata.name;
  const serverNameField = fieldOf(cluster, typeof serverNameRaw === 'string' ? `spec.plugins[${idx}].parameters.serverName` : 'metadata.name');

  const poolers = manifests.filter(
    (m) => m.kind === 'Pooler' && m.apiVersion.startsWith('postgresql.cnpg.io/') && m.metadata.namespace === namespace
      && at(m, 'spec.cluster.name') === cluster!.metadata.name,
  );
  const destination = at(objectStore, 'spec.configuration.destinationPath');
  const drill = clusters.find((c) => {
    if (c === cluster || !isRecord(at(c, 'spec.bootstrap.recovery'))) return false;
    const source = at(c, 'spec.bootstrap.recovery.source');
    const externals = at(c, 'spec.externalClusters');
    if (!Array.isArray(externals)) return false;
    const ext = externals.find((e) => isRecord(e) && e.name === source);
    const p = at(ext, 'plugin.parameters');
    if (!isRecord(p) || p.serverName !== serverName) return false;
    const store = manifests.find((m) => m.kind === 'ObjectStore' && m.metadata.name === p.barmanObjectName && m.metadata.namespace === c.metadata.namespace);
    return store !== undefined && at(store, 'spec.configuration.destinationPath') === destination;
  });

  const construct = root.node.findAll().find(
    (c): c is CnpgCluster => c instanceof CnpgCluster && c.clusterName === cluster!.metadata.name && c.namespace === namespace,
  );
  const postgresMajor = construct?.postgresMajor ?? majorOfImage(at(cluster, 'spec.imageName'));
  if (!postgresMajor) {
    throw new RehearsalError('does not tell the PostgreSQL major version', fieldOf(cluster, 'spec.imageName'), 'use an image tag such as 16.14-standard-trixie');
  }

  return {
    environment: options.environment,
    production: options.production ?? false,
    postgresMajor,
    cluster,
    objectStore,
    serverName,
    serverNameField,
    poolers,
    drill,
    sealedStore: options.sealedStore,
    sealedStorePath: options.sealedStorePath,
  };
}

function walArchiverIndex(cluster: Manifest): number {
  const plugins = at(cluster, 'spec.plugins');
  if (!Array.isArray(plugins)) return -1;
  return plugins.findIndex((p) => isRecord(p) && p.name === BARMAN_CLOUD_PLUGIN && p.isWALArchiver === true && p.enabled !== false);
}

function majorOfImage(image: unknown): number | undefined {
  if (typeof image !== 'string') return undefined;
  const m = /:(\d+)(?:[.-]|$)/.exec(image);
  return m ? Number(m[1]) : undefined;
}
