import { Chart } from 'cdk8s';
import { ContainerResources } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import * as barman from '../../imports/barmancloud.cnpg.io';
import { CnpgCluster } from '../cluster/cluster';
import { ICnpgCluster } from '../cluster/cluster-ref';
import { isDns1123Label, isDns1123Subdomain } from '../core/k8s-syntax';
import { Problems } from '../core/problems';
import { claimObjectName, nameFromId } from '../core/resource-names';
import { IS3Credential } from '../secrets/credential-ref';
import { resourceQuantities, toL1Quantities } from '../core/resources';
import { CnpgResource, PropFields } from '../cluster/cnpg-resource';

/** The CNPG-I name of the Barman Cloud plugin. */
export const BARMAN_CLOUD_PLUGIN = 'barman-cloud.cloudnative-pg.io';

/**
 * Compression of WAL files (`spec.configuration.wal.compression`). WAL files accept every algorithm of the plugin.
 */
export class WalCompression {
  /** No compression. */
  public static readonly NONE = new WalCompression(undefined);
  public static readonly GZIP = new WalCompression('gzip');
  public static readonly BZIP2 = new WalCompression('bzip2');
  public static readonly LZ4 = new WalCompression('lz4');
  public static readonly SNAPPY = new WalCompression('snappy');
  public static readonly XZ = new WalCompression('xz');
  public static readonly ZSTD = new WalCompression('zstd');

  /** The values the ObjectStore CRD accepts for WAL compression. */
  public static readonly ALLOWED: readonly string[] = ['bzip2', 'gzip', 'lz4', 'snappy', 'xz', 'zstd'];

  /** A compression by name, e.g. from configuration; checked at synth. */
  public static of(name: string): WalCompression {
    return new WalCompression(name);
  }

  private constructor(
    /** The CRD value; undefined for no compression. */
    public readonly value: string | undefined,
  ) {}
}

/**
 * Compression of base backups (`spec.configuration.data.compression`). Base backups accept fewer algorithms than WAL
 * files: no `xz` and no `zstd`.
 */
export class DataCompression {
  /** No compression. */
  public static readonly NONE = new DataCompression(undefined);
  public static readonly GZIP = new DataCompression('gzip');
  public static readonly BZIP2 = new DataCompression('bzip2');
  public static readonly LZ4 = new DataCompression('lz4');
  public static readonly SNAPPY = new DataCompression('snappy');

  /** The values the ObjectStore CRD accepts for base backup compression. */
  public static readonly ALLOWED: readonly string[] = ['bzip2', 'gzip', 'lz4', 'snappy'];

  /** A compression by name, e.g. from configuration; checked at synth. */
  public static of(name: string): DataCompression {
    return new DataCompression(name);
  }

  private constructor(
    /** The CRD value; undefined for no compression. */
    public readonly value: string | undefined,
  ) {}
}

/** Server-side encryption the object store applies to uploaded files (`wal.encryption` and `data.encryption`). */
export class ServerSideEncryption {
  /** Send no encryption header: the bucket's default policy applies (MinIO without KMS, Wasabi). */
  public static readonly NONE = new ServerSideEncryption(undefined);
  /** SSE-S3: keys managed by the provider. Supported by AWS S3 and Backblaze B2 (SSE-B2). */
  public static readonly AES256 = new ServerSideEncryption('AES256');
  /** SSE-KMS with the bucket's default KMS key (AWS). */
  public static readonly AWS_KMS = new ServerSideEncryption('aws:kms');

  /** The values the ObjectStore CRD accepts. */
  public static readonly ALLOWED: readonly string[] = ['AES256', 'aws:kms'];

  /** An encryption by name, e.g. from configuration; checked at synth. */
  public static of(name: string): ServerSideEncryption {
    return new ServerSideEncryption(name);
  }

  private constructor(
    /** The CRD value; undefined for none. */
    public readonly value: string | undefined,
  ) {}
}

/** A key of a Secret in the store's namespace. */
export interface SecretKeyReference {
  /** Name of the Secret. */
  readonly secretName: string;
  /** Key in the Secret. */
  readonly key: string;
}

/**
 * Properties of a `BackupStore`.
 */
export interface BackupStoreProps {
  /**
   * `metadata.name` of the ObjectStore; clusters refer to it as `barmanObjectName`.
   * @default - derived from the construct id: lower-case, kebab-case (`Backups` → `backups`)
   */
  readonly storeName?: string;
  /**
   * Namespace of the ObjectStore. It must be the namespace of the clusters that use it, and of its credential.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Where backups go: `s3://<bucket>/<path>`. Each cluster writes below `<path>/<serverName>/`.
   */
  readonly destinationPath: string;
  /**
   * The S3 endpoint, e.g. `https://s3.ap-northeast-1.amazonaws.com`, `https://s3.wasabisys.com`,
   * `https://s3.us-west-004.backblazeb2.com` or `http://minio.minio.svc:9000`.
   * @default - AWS S3, with the endpoint derived from the region
   */
  readonly endpointUrl?: string;
  /**
   * A CA bundle to verify an https endpoint with a private certificate (e.g. MinIO), as a Secret key.
   * @default - the system trust store
   */
  readonly endpointCa?: SecretKeyReference;
  /**
   * The region, when the credential has no region key. Rendered as `AWS_DEFAULT_REGION` in the plugin sidecar
   * (`instanceSidecarConfiguration.env`), because `s3Credentials.region` can only refer to a Secret key.
   * AWS endpoints need a region, from here or from the credential's `regionKey` (never both).
   * @default - the credential's region key, if any
   */
  readonly region?: string;
  /** The S3 credential. It must be in the store's namespace; its key names are referenced, values are never copied. */
  readonly credential: IS3Credential;
  /**
   * Compression of WAL files.
   * @default WalCompression.GZIP
   */
  readonly walCompression?: WalCompression;
  /**
   * Compression of base backups.
   * @default DataCompression.GZIP
   */
  readonly dataCompression?: DataCompression;
  /**
   * Server-side encryption of WAL files and base backups.
   * @default - ServerSideEncryption.AES256 for AWS S3 (no `endpointUrl`, or an `*.amazonaws.com` endpoint);
   * ServerSideEncryption.NONE for other endpoints, because MinIO without KMS and some providers reject the header
   */
  readonly encryption?: ServerSideEncryption;
  /**
   * How many WAL files are archived (and restored) in parallel.
   * @default - the plugin's default (1)
   */
  readonly walMaxParallel?: number;
  /**
   * How many files of a base backup are uploaded in parallel.
   * @default - the plugin's default (2)
   */
  readonly dataJobs?: number;
  /**
   * Start base backups with an immediate checkpoint instead of a spread one.
   * @default false
   */
  readonly immediateCheckpoint?: boolean;
  /**
   * How long backups and WAL are kept: a positive number followed by `d` (days), `w` (weeks) or `m` (months).
   * @default "14d"
   */
  readonly retentionPolicy?: string;
  /**
   * CPU and memory of the plugin's sidecar in every instance pod. When only limits are given, requests are set to the
   * limits. Without resources the sidecar makes the instance pods Burstable even when PostgreSQL itself is Guaranteed.
   * @default - none
   */
  readonly sidecarResources?: ContainerResources;
  /**
   * Tags on every uploaded object.
   * @default - none
   */
  readonly tags?: Record<string, string>;
  /**
   * Labels on the ObjectStore.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Options of `BackupStore.archiveWal`. */
export interface ArchiveWalOptions {
  /**
   * The folder below the destination path this cluster's WAL and base backups go to (the plugin's `serverName`).
   * A cluster recovered from this store must archive under a new server name.
   * @default - the cluster name
   */
  readonly serverName?: string;
}

/** A cluster archiving its WAL into a store. */
export interface WalArchive {
  readonly cluster: CnpgCluster;
  readonly store: BackupStore;
  readonly serverName: string;
}

/** Options of `BackupStore.copyTo`. */
export interface BackupStoreCopyOptions {
  /** Namespace of the copy. */
  readonly namespace: string;
  /** The S3 credential in that namespace (Secrets cannot be read across namespaces). Read-only access is enough. */
  readonly credential: IS3Credential;
  /**
   * Name of the copy.
   * @default - the same name as the original
   */
  readonly storeName?: string;
  /**
   * The endpoint CA bundle in that namespace.
   * @default - the same Secret name and key as the original (the Secret must exist in the new namespace)
   */
  readonly endpointCa?: SecretKeyReference;
}

const ARCHIVES = new WeakMap<IConstruct, WalArchive>();
const SERVER_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const RETENTION = /^[1-9][0-9]*[dwm]$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const REGION = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const AWS_HOST = /(^|\.)amazonaws\.com(\.cn)?$/;
const AWS_REGIONAL_HOST = /^s3[.-](?:dualstack\.)?([a-z]{2}(?:-gov)?-[a-z]+-\d+)\.amazonaws\.com(?:\.cn)?$/;

/** The WAL archives of an app by the location they write to, by the app's root (constructs never change their root). */
const ARCHIVE_LOCATIONS = new WeakMap<IConstruct, Map<string, WalArchive[]>>();

/** The props of `BackupStore` and the fields they render (admission problems are reported in these terms). */
const BACKUP_STORE_PROP_FIELDS: PropFields = {
  'metadata.name': 'storeName',
  'metadata.namespace': 'namespace',
  'spec.configuration.destinationPath': 'destinationPath',
  'spec.configuration.endpointURL': 'endpointUrl',
  'spec.configuration.endpointCA': 'endpointCa',
  'spec.configuration.s3': 'credential',
  'spec.configuration.wal.compression': 'walCompression',
  'spec.configuration.wal.maxParallel': 'walMaxParallel',
  'spec.configuration.data.compression': 'dataCompression',
  'spec.configuration.data.jobs': 'dataJobs',
  'spec.configuration.data.immediateCheckpoint': 'immediateCheckpoint',
  'spec.retentionPolicy': 'retentionPolicy',
  'spec.instanceSidecarConfiguration.resources': 'sidecarResources',
};

/**
 * A Barman Cloud plugin `ObjectStore` (`barmancloud.cnpg.io/v1`): an S3-compatible bucket path that clusters archive
 * WAL and base backups to, and recover from. Retention lives here, not on the cluster.
 *
 * ```ts
 * const store = new BackupStore(chart, 'Backups', {
 *   destinationPath: 's3://my-cnpg-backups/production',
 *   endpointUrl: 'https://s3.ap-northeast-1.amazonaws.com',
 *   credential: s3Credential, // a SealedCredential with aws_access_key_id, aws_secret_access_key and region
 * });
 * store.archiveWal(cluster);
 * ```
 */
export class BackupStore extends CnpgResource {
  /** The WAL archive of a cluster, when a store's `archiveWal` wired it (never for a cluster declared elsewhere). */
  public static archiveOf(cluster: ICnpgCluster): WalArchive | undefined {
    return ARCHIVES.get(cluster);
  }

  /** `metadata.name` of the ObjectStore (the plugin parameter `barmanObjectName`). */
  public readonly storeName: string;
  /** Namespace of the ObjectStore. */
  public readonly namespace: string;
  /** `s3://bucket/path`. */
  public readonly destinationPath: string;
  /** The bucket of the destination path (empty when the path is invalid). */
  public readonly bucket: string;
  /** The endpoint URL, when not AWS' default. */
  public readonly endpointUrl?: string;
  /** Whether the endpoint is AWS S3. */
  public readonly isAws: boolean;
  /** The server-side encryption in effect. */
  public readonly encryption: ServerSideEncryption;
  /** The retention policy, e.g. `14d`. */
  public readonly retentionPolicy?: string;
  /** The generated L1 object, for escape hatches. */
  public readonly apiObject: barman.ObjectStore;

  private readonly props: BackupStoreProps;
  private readonly archives: WalArchive[] = [];

  public constructor(scope: Construct, id: string, props: BackupStoreProps) {
    super(scope, id, BACKUP_STORE_PROP_FIELDS);
    this.props = props;
    this.storeName = props.storeName ?? nameFromId(id, { dots: true });
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? '';
    this.destinationPath = props.destinationPath;
    this.bucket = /^s3:\/\/([^/]*)/.exec(props.destinationPath ?? '')?.[1] ?? '';
    this.endpointUrl = props.endpointUrl;
    this.isAws = props.endpointUrl === undefined || AWS_HOST.test(hostOf(props.endpointUrl));
    this.encryption = props.encryption ?? (this.isAws ? ServerSideEncryption.AES256 : ServerSideEncryption.NONE);
    this.retentionPolicy = props.retentionPolicy ?? '14d';

    this.validate();
    claimObjectName(this, { kind: 'barmancloud.cnpg.io/ObjectStore', namespace: this.namespace, name: this.storeName, field: 'storeName' });
    this.node.addValidation({ validate: () => this.validateArchives() });

    this.apiObject = new barman.ObjectStore(this, 'Resource', {
      metadata: { name: this.storeName, namespace: this.namespace, labels: props.labels },
      spec: this.renderSpec(),
    });
  }

  /**
   * Wires a cluster to archive its WAL and take its base backups into this store: adds the Barman Cloud plugin to
   * `spec.plugins` with `isWALArchiver: true`, `barmanObjectName` and an explicit `serverName`.
   *
   * Takes the concrete `CnpgCluster`, not `ICnpgCluster`: it adds the plugin to the cluster's spec, which only a
   * cluster of this app has. A cluster declared elsewhere is wired to its store where it is declared.
   */
  public archiveWal(cluster: CnpgCluster, options: ArchiveWalOptions = {}): WalArchive {
    const serverName = options.serverName ?? cluster.clusterName;
    const problems = Problems.of(this);
    if (cluster.namespace !== this.namespace) {
      problems.error({
        field: 'archiveWal',
        message: `the cluster is in namespace "${cluster.namespace}" but the ObjectStore is in "${this.namespace}"; the plugin only finds ObjectStores in the cluster's namespace`,
        value: `${cluster.namespace}/${cluster.clusterName}`,
        fix: 'create the BackupStore in the cluster\'s namespace (store.copyTo can make one pointing at the same bucket)',
      });
    }
    if (!SERVER_NAME.test(serverName) || serverName.length > 128) {
      problems.error({
        field: 'archiveWal.serverName',
        message: 'must be a folder name: letters, digits, \'.\', \'_\' and \'-\', no \'/\'',
        value: serverName,
        fix: 'use the cluster name, or the cluster name with a suffix such as "cnpg-ha-2"',
      });
    }
    const archive: WalArchive = { cluster, store: this, serverName };
    const previous = ARCHIVES.get(cluster);
    cluster.addPlugin({
      name: BARMAN_CLOUD_PLUGIN,
      isWalArchiver: true,
      parameters: { barmanObjectName: this.storeName, serverName },
    });
    if (!previous) ARCHIVES.set(cluster, archive);
    this.archives.push(archive);
    // Index the archive by where it writes, once, for the app-wide check (no walk of the app per store).
    const byLocation = ARCHIVE_LOCATIONS.get(this.node.root) ?? new Map<string, WalArchive[]>();
    ARCHIVE_LOCATIONS.set(this.node.root, byLocation);
    const key = this.archiveLocation(serverName);
    byLocation.set(key, [...(byLocation.get(key) ?? []), archive]);
    return archive;
  }

  /**
   * Where a server's WAL and backups live, comparable across stores: two stores with the same endpoint and
   * destination path share their archives.
   */
  public archiveLocation(serverName: string): string {
    const endpoint = this.isAws ? 'aws-s3' : normalizeEndpoint(this.props.endpointUrl!);
    return `${endpoint} ${this.destinationPath.replace(/\/+$/, '')}/${serverName}`;
  }

  /** The clusters that archive into this store. */
  public get walArchives(): readonly WalArchive[] {
    return [...this.archives];
  }

  /**
   * A copy of this store in another namespace, pointing at the same bucket and path with the same settings, for
   * recovering there (a restore drill). Secrets cannot be read across namespaces, so the copy needs its own
   * credential. The copy keeps the retention policy; it only acts for clusters that archive through the copy
   * (a recovery-only cluster such as a restore drill never enforces it).
   */
  public copyTo(scope: Construct, id: string, options: BackupStoreCopyOptions): BackupStore {
    return new BackupStore(scope, id, {
      ...this.props,
      storeName: options.storeName ?? this.storeName,
      namespace: options.namespace,
      credential: options.credential,
      endpointCa: options.endpointCa ?? this.props.endpointCa,
      encryption: this.encryption,
      retentionPolicy: this.retentionPolicy,
    });
  }

  private validate(): void {
    const problems = Problems.of(this);
    const p = this.props;
    if (!isDns1123Subdomain(this.storeName)) {
      problems.error({
        field: 'storeName',
        message: 'must be a DNS-1123 subdomain of at most 253 characters (lower-case letters, digits, \'-\' and \'.\')',
        value: this.storeName,
        fix: p.storeName === undefined ? `set storeName (the default is derived from the construct id "${this.node.id}"), e.g. "cnpg-backups"` : 'use a name such as "cnpg-backups"',
      });
    }
    if (!this.namespace) {
      problems.error({ field: 'namespace', message: 'the ObjectStore has no namespace', fix: 'set the namespace prop or the chart\'s namespace' });
    } else if (!isDns1123Label(this.namespace)) {
      problems.error({ field: 'namespace', message: 'must be a DNS-1123 label', value: this.namespace, fix: 'use lower-case letters, digits and \'-\'' });
    }
    this.validateDestination();
    this.validateEndpoint();
    this.validateCredential();
    if (p.walCompression?.value !== undefined && !WalCompression.ALLOWED.includes(p.walCompression.value)) {
      problems.error({ field: 'walCompression', message: `is not supported for WAL files (${WalCompression.ALLOWED.join(', ')})`, value: p.walCompression.value, fix: 'use WalCompression.GZIP' });
    }
    if (p.dataCompression?.value !== undefined && !DataCompression.ALLOWED.includes(p.dataCompression.value)) {
      problems.error({
        field: 'dataCompression',
        message: `is not supported for base backups (${DataCompression.ALLOWED.join(', ')}; xz and zstd are for WAL files only)`,
        value: p.dataCompression.value,
        fix: 'use DataCompression.GZIP',
      });
    }
    if (this.encryption.value !== undefined && !ServerSideEncryption.ALLOWED.includes(this.encryption.value)) {
      problems.error({ field: 'encryption', message: `must be ${ServerSideEncryption.ALLOWED.join(' or ')}`, value: this.encryption.value, fix: 'use ServerSideEncryption.AES256, AWS_KMS or NONE' });
    }
    for (const [field, value] of [['walMaxParallel', p.walMaxParallel], ['dataJobs', p.dataJobs]] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1)) {
        problems.error({ field, message: 'must be a whole number of at least 1', value, fix: 'use a value such as 4' });
      }
    }
    if (this.retentionPolicy !== undefined && !RETENTION.test(this.retentionPolicy)) {
      problems.error({
        field: 'retentionPolicy',
        message: 'must be a positive number followed by d (days), w (weeks) or m (months)',
        value: this.retentionPolicy,
        fix: 'use a value such as "14d", "4w" or "6m"',
      });
    }
    for (const [key, value] of Object.entries(p.tags ?? {})) {
      if (typeof value !== 'string' || key === '') {
        problems.error({ field: `tags.${key}`, message: 'tags are non-empty keys with string values', value });
      }
    }
    this.validateResources();
  }

  private validateDestination(): void {
    const path = this.props.destinationPath;
    const problems = Problems.of(this);
    const fix = 'use "s3://<bucket>/<path>", e.g. "s3://my-cnpg-backups/production"';
    const m = typeof path === 'string' ? /^s3:\/\/([^/]*)(\/.*)?$/.exec(path) : null;
    if (!m) {
      problems.error({ field: 'destinationPath', message: 'must be an S3 URL starting with "s3://"', value: path, fix });
      return;
    }
    if (!isBucketName(m[1])) {
      problems.error({
        field: 'destinationPath',
        message: `"${m[1]}" is not a valid bucket name (3-63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, not an IP address)`,
        value: path,
        fix,
      });
    }
    const rest = m[2] ?? '';
    // eslint-disable-next-line no-control-regex
    if (/\/\//.test(rest) || /[\s\x00-\x1f\x7f\\]/.test(rest) || rest.split('/').some((seg) => seg === '.' || seg === '..')) {
      problems.error({ field: 'destinationPath', message: 'the path must not contain empty, "." or ".." segments, white space or backslashes', value: path, fix });
    }
  }

  private validateEndpoint(): void {
    const { endpointUrl, endpointCa, region } = this.props;
    const problems = Problems.of(this);
    let url: URL | undefined;
    if (endpointUrl !== undefined) {
      try {
        url = new URL(endpointUrl);
      } catch {
        url = undefined;
      }
      const fix = 'use an https URL such as "https://s3.wasabisys.com", or "http://minio.minio.svc:9000" inside the cluster';
      if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) {
        problems.error({ field: 'endpointUrl', message: 'must be an http or https URL', value: endpointUrl, fix });
      } else if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
        problems.error({ field: 'endpointUrl', message: 'must be scheme, host and port only: no credentials, path, query or fragment (the bucket goes into destinationPath)', value: endpointUrl, fix });
      }
    }
    if (endpointCa) {
      if (!url || url.protocol !== 'https:') {
        problems.error({ field: 'endpointCa', message: 'a CA bundle only applies to an https endpointUrl', value: endpointUrl ?? '(AWS default endpoint)', fix: 'remove endpointCa, or use an https endpoint' });
      }
      if (!isDns1123Subdomain(endpointCa.secretName) || !SECRET_KEY.test(endpointCa.key ?? '')) {
        problems.error({ field: 'endpointCa', message: 'needs a Secret name (DNS-1123 subdomain) and a key (letters, digits, \'-\', \'_\', \'.\')', value: endpointCa, fix: 'e.g. { secretName: "minio-server-tls", key: "ca.crt" }' });
      }
    }
    if (region !== undefined) {
      if (!REGION.test(region)) {
        problems.error({ field: 'region', message: 'must be a region name such as "ap-northeast-1"', value: region });
      }
      const hostRegion = url ? AWS_REGIONAL_HOST.exec(url.hostname)?.[1] : undefined;
      if (hostRegion && hostRegion !== region) {
        problems.error({ field: 'region', message: `does not match the region of the endpoint "${url!.hostname}" (${hostRegion})`, value: region, fix: `use "${hostRegion}"` });
      }
    }
  }

  private validateCredential(): void {
    const c = this.props.credential;
    const problems = Problems.of(this);
    if (!c) {
      problems.error({ field: 'credential', message: 'an S3 credential is required', fix: 'pass an S3Credential (a SealedCredential with the access key id and secret access key)' });
      return;
    }
    if (c.namespace !== this.namespace) {
      problems.error({
        field: 'credential',
        message: `the Secret must be in the store's namespace "${this.namespace}": the plugin cannot read Secrets in other namespaces`,
        value: `${c.namespace}/${c.secretName}`,
        fix: 'declare the credential in the store\'s namespace',
      });
    }
    const keys = c.keys ?? [];
    const need: [string, string | undefined][] = [
      ['access key id (accessKeyIdKey)', c.accessKeyIdKey],
      ['secret access key (secretAccessKeyKey)', c.secretAccessKeyKey],
    ];
    if (c.regionKey !== undefined) need.push(['region (regionKey)', c.regionKey]);
    for (const [what, key] of need) {
      if (!key || !keys.includes(key)) {
        problems.error({
          field: 'credential',
          message: `the Secret "${c.secretName}" has no key ${key ? `"${key}" ` : ''}for the ${what}`,
          value: [...keys],
          fix: 'add the key to the credential, or reference the key it has',
        });
      }
    }
    if (c.regionKey !== undefined && this.props.region !== undefined) {
      problems.error({
        field: 'region',
        message: `the region is set twice: here and by the credential's key "${c.regionKey}"`,
        value: this.props.region,
        fix: 'remove the region prop (the credential\'s region wins), or use a credential without a region key',
      });
    }
    if (this.isAws && c.regionKey === undefined && this.props.region === undefined) {
      problems.error({
        field: 'region',
        message: 'AWS S3 needs a region, and neither the region prop nor the credential\'s regionKey gives one',
        fix: 'add a "region" key to the credential (as the tutorial\'s cnpg-backup-s3 Secret has) or set region, e.g. "ap-northeast-1"',
      });
    }
  }

  private validateResources(): void {
    const r = this.props.sidecarResources;
    if (!r) return;
    const cpuReq = r.cpu?.request ? cpuCores(r.cpu.request.amount) : undefined;
    const cpuLim = r.cpu?.limit ? cpuCores(r.cpu.limit.amount) : undefined;
    if (cpuReq !== undefined && cpuLim !== undefined && cpuReq > cpuLim) {
      Problems.of(this).error({ field: 'sidecarResources.cpu', message: 'the request is greater than the limit', value: `${r.cpu!.request!.amount} > ${r.cpu!.limit!.amount}` });
    }
    const memReq = r.memory?.request?.toMebibytes();
    const memLim = r.memory?.limit?.toMebibytes();
    if (memReq !== undefined && memLim !== undefined && memReq > memLim) {
      Problems.of(this).error({ field: 'sidecarResources.memory', message: 'the request is greater than the limit', value: `${memReq}Mi > ${memLim}Mi` });
    }
  }

  /**
   * Two clusters archiving to the same server folder would corrupt each other's archive. Each store reports the
   * clusters that archive into one of its locations after another cluster did, from the app's index of archive
   * locations (built as `archiveWal` is called): linear in the number of stores, never a walk of the app per store.
   */
  private validateArchives(): string[] {
    const byLocation = ARCHIVE_LOCATIONS.get(this.node.root);
    if (!byLocation) return [];
    const errors: string[] = [];
    for (const a of this.archives) {
      const sharing = byLocation.get(this.archiveLocation(a.serverName)) ?? [];
      const first = sharing[0];
      if (first && first !== a && first.cluster !== a.cluster) {
        errors.push(`archiveWal: the clusters ${first.cluster.node.path} and ${a.cluster.node.path} would both archive into ${this.destinationPath.replace(/\/+$/, '')}/${a.serverName} (got serverName "${a.serverName}"); give each cluster its own serverName`);
      }
    }
    return errors;
  }

  private renderSpec(): barman.ObjectStoreSpec {
    const p = this.props;
    const c = p.credential;
    const enc = this.encryption.value;
    const env = p.region !== undefined ? [{ name: 'AWS_DEFAULT_REGION', value: p.region }] : undefined;
    const resources = renderResources(p.sidecarResources);
    const sidecar = env || resources ? { env, resources } : undefined;
    return {
      retentionPolicy: this.retentionPolicy,
      configuration: {
        destinationPath: p.destinationPath,
        endpointUrl: p.endpointUrl,
        endpointCa: p.endpointCa ? { name: p.endpointCa.secretName, key: p.endpointCa.key } : undefined,
        s3Credentials: c ? {
          accessKeyId: { name: c.secretName, key: c.accessKeyIdKey },
          secretAccessKey: { name: c.secretName, key: c.secretAccessKeyKey },
          region: c.regionKey !== undefined ? { name: c.secretName, key: c.regionKey } : undefined,
        } : undefined,
        wal: {
          compression: (p.walCompression ?? WalCompression.GZIP).value as barman.ObjectStoreSpecConfigurationWalCompression | undefined,
          encryption: enc as barman.ObjectStoreSpecConfigurationWalEncryption | undefined,
          maxParallel: p.walMaxParallel,
        },
        data: {
          compression: (p.dataCompression ?? DataCompression.GZIP).value as barman.ObjectStoreSpecConfigurationDataCompression | undefined,
          encryption: enc as barman.ObjectStoreSpecConfigurationDataEncryption | undefined,
          jobs: p.dataJobs,
          immediateCheckpoint: p.immediateCheckpoint,
        },
        tags: p.tags && Object.keys(p.tags).length > 0 ? sortRecord(p.tags) : undefined,
      },
      instanceSidecarConfiguration: sidecar,
    };
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

function normalizeEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host.toLowerCase()}`;
  } catch {
    return url;
  }
}

/** S3 general purpose bucket naming rules. */
function isBucketName(name: string): boolean {
  return name.length >= 3 && name.length <= 63
    && /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)
    && !name.includes('..')
    && !/^\d+\.\d+\.\d+\.\d+$/.test(name)
    && !name.startsWith('xn--') && !name.startsWith('sthree-')
    && !name.endsWith('-s3alias') && !name.endsWith('--ol-s3');
}

function cpuCores(amount: string): number {
  return amount.endsWith('m') ? Number(amount.slice(0, -1)) / 1000 : Number(amount);
}

function sortRecord(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}

function renderResources(resources: ContainerResources | undefined): barman.ObjectStoreSpecInstanceSidecarConfigurationResources | undefined {
  const q = resourceQuantities(resources);
  if (!q) return undefined;
  return {
    limits: toL1Quantities(q.limits, barman.ObjectStoreSpecInstanceSidecarConfigurationResourcesLimits.fromString),
    requests: toL1Quantities(q.requests, barman.ObjectStoreSpecInstanceSidecarConfigurationResourcesRequests.fromString),
  };
}

