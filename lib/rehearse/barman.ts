/**
 * The Barman Cloud command lines of a synthesized ObjectStore, built the way the Barman Cloud plugin builds them
 * (github.com/cloudnative-pg/barman-cloud: `BarmanCloudWalArchiveOptions`, `GetBarmanCloudBackupOptions`,
 * `CloudWalRestoreOptions`), with every argument tagged with the ObjectStore field it comes from, so a tool's
 * refusal is reported against that field.
 */
import { at, fieldOf, isRecord, Manifest, RehearsalError, RehearsalInputs } from './manifests';
import { ToolInfo } from './processes';

/** A Secret key the ObjectStore refers to. */
export interface SecretRef {
  /** Secret name. */
  readonly name: string;
  /** Key in the Secret. */
  readonly key: string;
  /** The field holding the reference, e.g. `ObjectStore ns/x spec.configuration.s3Credentials.accessKeyId`. */
  readonly field: string;
}

/** What a rehearsal takes from an ObjectStore. */
export interface StorePlan {
  readonly store: Manifest;
  readonly namespace: string;
  readonly destinationPath: string;
  readonly destinationField: string;
  /** Bucket of the destination path. */
  readonly bucket: string;
  /** Path inside the bucket, without leading or trailing slashes ('' for the bucket root). */
  readonly prefix: string;
  readonly serverName: string;
  readonly serverNameField: string;
  /** The synthesized endpoint; undefined for AWS' default endpoint. */
  readonly endpointUrl?: string;
  readonly walCompression?: string;
  readonly dataCompression?: string;
  readonly walEncryption?: string;
  readonly dataEncryption?: string;
  readonly dataJobs?: number;
  readonly immediateCheckpoint: boolean;
  readonly tags: Readonly<Record<string, string>>;
  readonly historyTags: Readonly<Record<string, string>>;
  readonly accessKeyId: SecretRef;
  readonly secretAccessKey: SecretRef;
  readonly region?: SecretRef;
  readonly sessionToken?: SecretRef;
  /** `AWS_DEFAULT_REGION` of `spec.instanceSidecarConfiguration.env`. */
  readonly sidecarRegion?: string;
  readonly endpointCa?: SecretRef;
  /** Settings the rehearsal passes on but cannot prove (said in the report). */
  readonly notRehearsed: readonly string[];
}

const CONF = 'spec.configuration';

/** Reads the ObjectStore of `inputs` (S3 only: Azure and Google stores are refused with the field). */
export function readStorePlan(inputs: RehearsalInputs): StorePlan {
  const store = inputs.objectStore;
  const f = (p: string) => fieldOf(store, `${CONF}.${p}`);
  const conf = at(store, CONF);
  if (!isRecord(conf)) throw new RehearsalError('is missing', fieldOf(store, CONF));
  const destinationPath = conf.destinationPath;
  if (typeof destinationPath !== 'string' || destinationPath === '') {
    throw new RehearsalError('is missing', f('destinationPath'), 'set it to s3://<bucket>/<path>');
  }
  for (const other of ['azureCredentials', 'googleCredentials'] as const) {
    if (conf[other] !== undefined) {
      throw new RehearsalError('the rehearsal runs S3-compatible stores only', f(other), 'rehearse an S3 store, or use the restore drill');
    }
  }
  const s3 = conf.s3Credentials;
  if (!isRecord(s3)) {
    throw new RehearsalError('is missing: the plugin would have no credentials for the bucket', f('s3Credentials'));
  }
  if (s3.inheritFromIAMRole === true) {
    throw new RehearsalError(
      'credentials come from the pod\'s IAM role, which a local rehearsal does not have',
      f('s3Credentials.inheritFromIAMRole'),
      'rehearse with --real-endpoint and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of a role with the same permissions',
    );
  }
  const ref = (name: string, required: boolean): SecretRef | undefined => {
    const r = s3[name];
    const field = f(`s3Credentials.${name}`);
    if (r === undefined && !required) return undefined;
    if (!isRecord(r) || typeof r.name !== 'string' || r.name === '' || typeof r.key !== 'string' || r.key === '') {
      throw new RehearsalError('must name a Secret and a key ({ name, key })', field);
    }
    return { name: r.name, key: r.key, field };
  };
  const { bucket, prefix } = splitDestination(destinationPath);
  const wal = isRecord(conf.wal) ? conf.wal : {};
  const data = isRecord(conf.data) ? conf.data : {};
  const env = at(store, 'spec.instanceSidecarConfiguration.env');
  const sidecarRegion = Array.isArray(env)
    ? env.find((e): e is { name: string; value: string } => isRecord(e) && e.name === 'AWS_DEFAULT_REGION' && typeof e.value === 'string')?.value
    : undefined;
  const notRehearsed: string[] = [];
  if (wal.maxParallel !== undefined) notRehearsed.push(`${f('wal.maxParallel')} (parallel archiving is the plugin's, not barman-cloud-wal-archive's)`);
  if (isRecord(at(store, 'spec.instanceSidecarConfiguration.resources'))) notRehearsed.push(`${fieldOf(store, 'spec.instanceSidecarConfiguration.resources')} (no sidecar here)`);
  if (store.spec && isRecord(store.spec) && store.spec.retentionPolicy !== undefined) {
    notRehearsed.push(`${fieldOf(store, 'spec.retentionPolicy')} (the plugin enforces it with barman-cloud-backup-delete; not run)`);
  }
  const endpointCaRaw = conf.endpointCA;
  const endpointCa = isRecord(endpointCaRaw) && typeof endpointCaRaw.name === 'string' && typeof endpointCaRaw.key === 'string'
    ? { name: endpointCaRaw.name, key: endpointCaRaw.key, field: f('endpointCA') }
    : undefined;
  return {
    store,
    namespace: store.metadata.namespace ?? '',
    destinationPath,
    destinationField: f('destinationPath'),
    bucket,
    prefix,
    serverName: inputs.serverName,
    serverNameField: inputs.serverNameField,
    endpointUrl: typeof conf.endpointURL === 'string' && conf.endpointURL !== '' ? conf.endpointURL : undefined,
    walCompression: str(wal.compression),
    dataCompression: str(data.compression),
    walEncryption: str(wal.encryption),
    dataEncryption: str(data.encryption),
    dataJobs: typeof data.jobs === 'number' ? data.jobs : undefined,
    immediateCheckpoint: data.immediateCheckpoint === true,
    tags: stringMap(conf.tags),
    historyTags: stringMap(conf.historyTags),
    accessKeyId: ref('accessKeyId', true)!,
    secretAccessKey: ref('secretAccessKey', true)!,
    region: ref('region', false),
    sessionToken: ref('sessionToken', false),
    sidecarRegion,
    endpointCa,
    notRehearsed,
  };
}

/** `s3://bucket/a/b/` → `{ bucket: 'bucket', prefix: 'a/b' }` (what barman-cloud does with it). */
export function splitDestination(destinationPath: string): { bucket: string; prefix: string } {
  const m = /^[a-z0-9]+:\/\/([^/]*)\/?(.*)$/i.exec(destinationPath);
  if (!m) return { bucket: '', prefix: '' };
  return { bucket: m[1], prefix: m[2].replace(/^\/+|\/+$/g, '') };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function stringMap(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  const out: Record<string, string> = {};
  for (const k of Object.keys(v).sort()) if (typeof v[k] === 'string') out[k] = v[k] as string;
  return out;
}

/** Arguments with the field they come from (undefined: the rehearsal's own, such as the socket to connect to). */
export interface ToolArg {
  readonly args: readonly string[];
  readonly field?: string;
}

/** The endpoint the tools talk to. */
export interface Endpoint {
  /** undefined: AWS' default endpoint. */
  readonly url?: string;
  /** True when it replaces the synthesized `endpointURL` (the local S3 server). */
  readonly overridden: boolean;
}

function f(plan: StorePlan, p: string): string {
  return fieldOf(plan.store, `${CONF}.${p}`);
}

function common(plan: StorePlan, endpoint: Endpoint): ToolArg[] {
  return [
    ...(endpoint.url ? [{ args: ['--endpoint-url', endpoint.url], field: f(plan, 'endpointURL') }] : []),
    { args: ['--cloud-provider', 'aws-s3'], field: f(plan, 's3Credentials') },
  ];
}

function destination(plan: StorePlan, serverName: string): ToolArg[] {
  return [
    { args: [plan.destinationPath], field: plan.destinationField },
    { args: [serverName], field: plan.serverNameField },
  ];
}

function tags(plan: StorePlan, option: string, map: Readonly<Record<string, string>>, field: string): ToolArg[] {
  const keys = Object.keys(map);
  return keys.length ? [{ args: [option, ...keys.map((k) => `${k},${map[k]}`)], field: f(plan, field) }] : [];
}

/** `barman-cloud-wal-archive` arguments before the WAL path (the archive_command). */
export function walArchiveArgs(plan: StorePlan, endpoint: Endpoint, serverName = plan.serverName): ToolArg[] {
  return [
    ...(plan.walCompression ? [{ args: [`--${plan.walCompression}`], field: f(plan, 'wal.compression') }] : []),
    ...(plan.walEncryption ? [{ args: ['-e', plan.walEncryption], field: f(plan, 'wal.encryption') }] : []),
    ...(endpoint.url ? [{ args: ['--endpoint-url', endpoint.url], field: f(plan, 'endpointURL') }] : []),
    ...tags(plan, '--tags', plan.tags, 'tags'),
    ...tags(plan, '--history-tags', plan.historyTags, 'historyTags'),
    { args: ['--cloud-provider', 'aws-s3'], field: f(plan, 's3Credentials') },
    ...destination(plan, serverName),
  ];
}

/** `barman-cloud-backup` arguments (the plugin's, plus the socket of the local server). */
export function backupArgs(
  plan: StorePlan,
  endpoint: Endpoint,
  conn: { host: string; port: number; backupName: string },
  serverName = plan.serverName,
): ToolArg[] {
  return [
    { args: ['-U', 'postgres', '-n', conn.backupName, '-h', conn.host, '-p', String(conn.port)] },
    ...(plan.dataCompression ? [{ args: [`--${plan.dataCompression}`], field: f(plan, 'data.compression') }] : []),
    ...(plan.dataEncryption ? [{ args: ['--encryption', plan.dataEncryption], field: f(plan, 'data.encryption') }] : []),
    ...(plan.immediateCheckpoint ? [{ args: ['--immediate-checkpoint'], field: f(plan, 'data.immediateCheckpoint') }] : []),
    ...(plan.dataJobs !== undefined ? [{ args: ['--jobs', String(plan.dataJobs)], field: f(plan, 'data.jobs') }] : []),
    ...tags(plan, '--tags', plan.tags, 'tags'),
    ...common(plan, endpoint),
    ...destination(plan, serverName),
  ];
}

/** `barman-cloud-backup-list --format json` arguments (how the plugin finds a backup by name). */
export function backupListArgs(plan: StorePlan, endpoint: Endpoint, serverName = plan.serverName): ToolArg[] {
  return [{ args: ['--format', 'json'] }, ...common(plan, endpoint), ...destination(plan, serverName)];
}

/** `barman-cloud-restore` arguments. */
export function restoreArgs(plan: StorePlan, endpoint: Endpoint, backupId: string, dir: string, serverName = plan.serverName): ToolArg[] {
  return [...common(plan, endpoint), ...destination(plan, serverName), { args: [backupId, dir] }];
}

/** `barman-cloud-wal-restore` arguments before `%f %p` (the restore_command). */
export function walRestoreArgs(plan: StorePlan, endpoint: Endpoint, serverName = plan.serverName): ToolArg[] {
  return [...common(plan, endpoint), ...destination(plan, serverName)];
}

/** The plain argument list. */
export function flat(args: readonly ToolArg[]): string[] {
  return args.flatMap((a) => [...a.args]);
}

/** Quotes for `sh -c` (archive_command, restore_command) and for printing. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Checks that the local tool knows every option the synthesized store makes it use (a compression Barman does not
 * have, an encryption it refuses) before anything runs; the refusal names the field.
 */
export function checkToolOptions(tool: ToolInfo, args: readonly ToolArg[]): void {
  for (const a of args) {
    const flag = a.args[0];
    if (!flag?.startsWith('-') || !a.field) continue;
    if (!helpHasFlag(tool.help, flag)) {
      const compression = /compression$/.test(a.field);
      throw new RehearsalError(
        compression
          ? `${tool.name} ${tool.version} has no ${flag}: it cannot ${a.field.includes('.wal.') ? 'archive WAL files' : 'take base backups'} with compression "${flag.slice(2)}"` +
            ` (it knows ${knownCompressions(tool.help).join(', ') || 'none'})`
          : `${tool.name} ${tool.version} has no option ${flag}`,
        a.field,
        compression
          ? 'use a compression both this Barman and the plugin\'s image know (gzip, bzip2, snappy), or rehearse with a newer barman-cli-cloud'
          : undefined,
      );
    }
    if ((flag === '-e' || flag === '--encryption') && a.args[1] !== undefined) {
      const choices = encryptionChoices(tool.help);
      if (choices.length && !choices.includes(a.args[1])) {
        throw new RehearsalError(`${tool.name} refuses encryption "${a.args[1]}" (it accepts ${choices.join(', ')})`, a.field, 'use AES256 or aws:kms');
      }
    }
  }
}

function helpHasFlag(help: string, flag: string): boolean {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[\\s\\[,|{])${escaped}(?=[\\s\\],|}=]|$)`, 'm').test(help);
}

function knownCompressions(help: string): string[] {
  return ['gzip', 'bzip2', 'lz4', 'snappy', 'xz', 'zstd'].filter((c) => helpHasFlag(help, `--${c}`));
}

function encryptionChoices(help: string): string[] {
  const m = /-e \{([^}]*)\}/.exec(help) ?? /Allowed values:\s*((?:'[^']*'\|?)+)/.exec(help);
  if (!m) return [];
  return m[1].split(/[,|]/).map((s) => s.replace(/'/g, '').trim()).filter(Boolean);
}

/** The compressions whose Python modules the tools need besides the standard library. */
export const COMPRESSION_MODULES: Readonly<Record<string, { module: string; debian: string }>> = {
  snappy: { module: 'snappy', debian: 'python3-snappy' },
  lz4: { module: 'lz4', debian: 'python3-lz4' },
  zstd: { module: 'zstandard', debian: 'python3-zstandard' },
};

/**
 * Turns a failed tool run into a `RehearsalError` naming the field the tool's complaint is about (credentials,
 * endpoint, destination, encryption, compression); the tool's own last error line is quoted.
 */
export function toolFailure(tool: string, code: number | null, output: string, args: readonly ToolArg[], plan: StorePlan): RehearsalError {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const errorLine = [...lines].reverse().find((l) => /ERROR|Error|error:|Exception|FATAL/.test(l)) ?? lines[lines.length - 1] ?? '(no output)';
  const quoted = errorLine.replace(/^\d{4}-\d\d-\d\d [\d:,]+ \[\d+\] /, '');
  const field = attribute(output, args, plan);
  const what = `${tool} failed (exit ${code ?? 'killed'}): ${quoted}`;
  return new RehearsalError(what, field.field, field.fix);
}

function attribute(output: string, args: readonly ToolArg[], plan: StorePlan): { field?: string; fix?: string } {
  const unknownFlag = /unrecognized arguments: (\S+)/.exec(output)?.[1] ?? /argument (\S+?)(?:\/\S+)?: invalid choice/.exec(output)?.[1];
  if (unknownFlag) {
    const a = args.find((x) => x.args[0] === unknownFlag || x.args.includes(unknownFlag));
    if (a?.field) return { field: a.field };
  }
  if (/InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|\(403\)|Forbidden|Unable to locate credentials|NoCredentialsError|InvalidToken|ExpiredToken|InvalidClientTokenId/.test(output)) {
    return {
      field: `${fieldOf(plan.store, `${CONF}.s3Credentials`)} (Secret ${plan.namespace}/${plan.accessKeyId.name} keys ${plan.accessKeyId.key}, ${plan.secretAccessKey.key})`,
      fix: 'check the credential values sealed under those keys, and that they may read and write the bucket',
    };
  }
  if (/CERTIFICATE_VERIFY_FAILED|certificate verify failed|SSLError/.test(output)) {
    return { field: plan.endpointCa?.field ?? fieldOf(plan.store, `${CONF}.endpointURL`), fix: 'set endpointCA to the CA bundle of a private-CA endpoint' };
  }
  if (/Could not connect to the endpoint URL|EndpointConnectionError|Connection refused|Name or service not known|ConnectTimeout|Temporary failure in name resolution|Invalid endpoint/.test(output)) {
    return { field: fieldOf(plan.store, `${CONF}.endpointURL`) };
  }
  if (/NoSuchBucket|InvalidBucketName|Invalid bucket name|bucket .*(does not exist|not found)|Invalid (destination|source) URL|destination_url|source_url|Unsupported cloud|Invalid s3 URL|PermanentRedirect|AuthorizationHeaderMalformed/i.test(output)) {
    return { field: plan.destinationField };
  }
  if (/encryption|ServerSideEncryption|x-amz-server-side-encryption|KMS/i.test(output)) {
    return { field: plan.walEncryption ? fieldOf(plan.store, `${CONF}.wal.encryption`) : fieldOf(plan.store, `${CONF}.data.encryption`) };
  }
  if (/snappy|lz4|zstandard|zstd|compression|No module named/i.test(output)) {
    return { field: fieldOf(plan.store, `${CONF}.wal.compression`), fix: 'install the Python module of the compression, or use gzip' };
  }
  const fields = [...new Set(args.map((a) => a.field).filter((x): x is string => x !== undefined))];
  return { field: fields.length ? fields.join(', ') : undefined };
}

/**
 * A Python program (run with the tools' own interpreter, which has boto3) that lists the objects below a prefix and
 * reports the server-side encryption of one of them: JSON `{ objects: [{ key, size }], sse: string | null }`.
 */
export const LIST_OBJECTS_PY = `
import json, sys
import boto3
a = json.loads(sys.argv[1])
s3 = boto3.client('s3', endpoint_url=a.get('endpoint') or None)
objects = []
token = None
while True:
    kw = dict(Bucket=a['bucket'], Prefix=a['prefix'])
    if token: kw['ContinuationToken'] = token
    r = s3.list_objects_v2(**kw)
    objects += [dict(key=o['Key'], size=o['Size']) for o in r.get('Contents', [])]
    token = r.get('NextContinuationToken')
    if not token: break
sse = None
probe = a.get('probe')
if probe:
    match = [o['key'] for o in objects if probe in o['key']]
    if match:
        sse = s3.head_object(Bucket=a['bucket'], Key=match[0]).get('ServerSideEncryption')
if a.get('delete'):
    for i in range(0, len(objects), 1000):
        s3.delete_objects(Bucket=a['bucket'], Delete=dict(Objects=[dict(Key=o['key']) for o in objects[i:i+1000]], Quiet=True))
print(json.dumps(dict(objects=objects, sse=sse)))
`;
