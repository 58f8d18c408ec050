/**
 * The object store credentials of a rehearsal, from the keys the ObjectStore references:
 *
 * - the key *names* are checked against the environment's sealed store (names are plain text there), so a store
 *   that references a key its Secret will not have fails naming the field — as the plugin would fail in the cluster;
 * - the *values*, for the demo (`default`) environment, are unsealed with the TEST-ONLY demo key under test/keys/
 *   (never for a production environment, never for values sealed for another certificate); for any other
 *   environment they come from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` /
 *   `AWS_DEFAULT_REGION`, never from the sealed store. Against the local S3 server an environment without those
 *   variables gets throw-away values that only the local server accepts.
 */
import * as crypto from 'crypto';
import { DEMO_CERTIFICATE_FINGERPRINT } from '../secrets/sealed-values';
import { SealedEntry, SealedStore } from '../secrets/sealed-store';
import { SealingScope } from '../secrets/kubeseal';
import { SecretRef, StorePlan } from './barman';
import { RehearsalError } from './manifests';
import { commandFor } from '../core/commands';

/** The environment variables the tools get, and where they came from. */
export interface ResolvedCredentials {
  /** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optionally AWS_SESSION_TOKEN and AWS_DEFAULT_REGION. */
  readonly env: Readonly<Record<string, string>>;
  /** One line for the report (never a value). */
  readonly source: string;
}

/** Options of `resolveCredentials`. */
export interface CredentialOptions {
  /** Talking to the environment's real endpoint: values must come from the process environment. */
  readonly realEndpoint: boolean;
  readonly production: boolean;
  readonly environment: string;
  readonly sealedStore?: SealedStore;
  readonly sealedStorePath?: string;
  /** PEM of the TEST-ONLY demo key, when available (only used for values sealed for the demo certificate). */
  readonly demoKeyPem?: string;
  /** Where the demo key was read from, for the report. */
  readonly demoKeyPath?: string;
  /** The process environment to read AWS_* from. */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
}

const VARS: Record<'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'region', string> = {
  accessKeyId: 'AWS_ACCESS_KEY_ID',
  secretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  sessionToken: 'AWS_SESSION_TOKEN',
  region: 'AWS_DEFAULT_REGION',
};

/** Checks the references and finds the values (see the module comment). */
export function resolveCredentials(plan: StorePlan, options: CredentialOptions): ResolvedCredentials {
  const refs: Array<['accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'region', SecretRef]> = [
    ['accessKeyId', plan.accessKeyId],
    ['secretAccessKey', plan.secretAccessKey],
  ];
  if (plan.sessionToken) refs.push(['sessionToken', plan.sessionToken]);
  if (plan.region) refs.push(['region', plan.region]);

  // The key names, against what will be in the Secret.
  const entries = new Map<string, SealedEntry>();
  for (const [, ref] of refs) {
    if (!options.sealedStore) break;
    const entry = options.sealedStore.lookup(plan.namespace, ref.name);
    const where = options.sealedStorePath ?? 'the sealed store';
    if (!entry) {
      throw new RehearsalError(
        `refers to the Secret ${plan.namespace}/${ref.name}, which has no sealed values in ${where}: the plugin would not find the Secret`,
        `${ref.field}.name`,
        `seal it: ${commandFor('seal')} --env ${options.environment} --credential ${plan.namespace}/${ref.name}, or correct the Secret name`,
      );
    }
    if (!(ref.key in entry.keys)) {
      throw new RehearsalError(
        `refers to key "${ref.key}" of the Secret ${plan.namespace}/${ref.name}, which has only ${Object.keys(entry.keys).sort().join(', ') || 'no keys'}: ` +
          `the plugin would fail with "missing key ${ref.key}, inside secret ${ref.name}"`,
        `${ref.field}.key`,
        'reference a key the credential declares (S3Credential accessKeyIdKey/secretAccessKeyKey/regionKey), or seal the missing key',
      );
    }
    entries.set(ref.name, entry);
  }

  const env: Record<string, string> = {};
  if (options.realEndpoint) {
    for (const [role, ref] of refs) {
      const name = VARS[role];
      const value = options.processEnv[name] ?? (role === 'region' ? options.processEnv.AWS_REGION : undefined);
      const fixed = role === 'region' ? entries.get(ref.name)?.fixedValues?.[ref.key] : undefined;
      if (value) env[name] = value;
      else if (fixed) env[name] = fixed;
      else {
        throw new RehearsalError(
          `needs the value of key "${ref.key}" of Secret ${plan.namespace}/${ref.name}: set ${name} (a real environment's values are never read from the sealed store)`,
          ref.field,
          `export ${name}=... before ${commandFor('rehearse')} --real-endpoint`,
        );
      }
    }
    if (!env.AWS_DEFAULT_REGION && plan.sidecarRegion) env.AWS_DEFAULT_REGION = plan.sidecarRegion;
    return { env, source: `from the environment variables ${Object.keys(env).sort().join(', ')}` };
  }

  const demo = !options.production && options.demoKeyPem !== undefined
    && refs.every(([, ref]) => entries.get(ref.name)?.certificateFingerprint === DEMO_CERTIFICATE_FINGERPRINT);
  if (demo) {
    for (const [role, ref] of refs) {
      const entry = entries.get(ref.name)!;
      let value: string;
      try {
        value = openSealedValue(options.demoKeyPem!, SealingScope.fromName(entry.scope).label(entry.namespace, entry.name), entry.keys[ref.key]).toString('utf8');
      } catch (e) {
        throw new RehearsalError(
          `the value sealed under key "${ref.key}" of ${plan.namespace}/${ref.name} does not open with the demo key (${(e as Error).message})`,
          `${ref.field}.key`,
          `re-seal it: ${commandFor('seal')} --env ${options.environment}`,
        );
      }
      env[VARS[role]] = value;
    }
    if (!env.AWS_DEFAULT_REGION && plan.sidecarRegion) env.AWS_DEFAULT_REGION = plan.sidecarRegion;
    return {
      env,
      source: `unsealed from ${options.sealedStorePath ?? 'the sealed store'} with the TEST-ONLY demo key${options.demoKeyPath ? ` (${options.demoKeyPath})` : ''}`,
    };
  }

  // Any other environment against the local server: its own variables if set, else throw-away values.
  const fromEnv = refs.every(([role]) => role === 'region' || role === 'sessionToken' || options.processEnv[VARS[role]]);
  for (const [role, ref] of refs) {
    const name = VARS[role];
    const fixed = role === 'region' ? entries.get(ref.name)?.fixedValues?.[ref.key] : undefined;
    env[name] = (fromEnv ? options.processEnv[name] : undefined) ?? fixed ?? localValue(role);
  }
  if (!env.AWS_DEFAULT_REGION && plan.sidecarRegion) env.AWS_DEFAULT_REGION = plan.sidecarRegion;
  return {
    env,
    source: fromEnv
      ? 'from the environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (the local S3 server accepts them)'
      : 'throw-away values only the local S3 server accepts (this environment\'s values are sealed for its own controller and are never opened here)',
  };
}

function localValue(role: string): string {
  switch (role) {
    case 'accessKeyId':
      return `REHEARSAL${crypto.randomBytes(6).toString('hex').toUpperCase()}`;
    case 'region':
      return 'us-east-1';
    default:
      return crypto.randomBytes(20).toString('base64url');
  }
}

/**
 * Opens one kubeseal value (the Sealed Secrets controller's `HybridDecrypt`): base64 of
 * `uint16BE(len) || RSA-OAEP-SHA256(label)(session key) || AES-256-GCM(zero nonce)(plaintext || tag)`.
 */
export function openSealedValue(privateKeyPem: string, label: string, ciphertextBase64: string): Buffer {
  const blob = Buffer.from(ciphertextBase64, 'base64');
  if (blob.length < 2) throw new Error('too short');
  const rsaLen = blob.readUInt16BE(0);
  if (blob.length < 2 + rsaLen + 16) throw new Error('truncated');
  const sessionKey = crypto.privateDecrypt(
    { key: privateKeyPem, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(label, 'utf8') },
    blob.subarray(2, 2 + rsaLen),
  );
  const aes = blob.subarray(2 + rsaLen);
  const decipher = crypto.createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12), { authTagLength: 16 });
  decipher.setAuthTag(aes.subarray(aes.length - 16));
  return Buffer.concat([decipher.update(aes.subarray(0, aes.length - 16)), decipher.final()]);
}
