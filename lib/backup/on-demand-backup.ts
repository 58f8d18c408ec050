import * as cnpg from '../../imports/postgresql.cnpg.io';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain } from '../core/k8s-syntax';
import { BARMAN_CLOUD_PLUGIN } from './backup-store';
import { BackupTarget } from './scheduled-backup';

/** Options of `onDemandBackupManifest`. */
export interface OnDemandBackupOptions {
  /** The cluster to back up. */
  readonly clusterName: string;
  /** Namespace of the cluster. */
  readonly namespace: string;
  /**
   * `metadata.name` of the Backup.
   * @default `<cluster>-ondemand-<yyyymmddhhmmss>` (UTC, from `now`)
   */
  readonly name?: string;
  /**
   * Which instance takes the backup.
   * @default BackupTarget.PREFER_STANDBY
   */
  readonly target?: BackupTarget;
  /** The current time, for the default name. */
  readonly now: Date;
}

/** `20260830T091500Z` → `20260830091500`: the UTC timestamp used in default Backup names. */
export function backupTimestamp(now: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(now.getUTCFullYear(), 4)}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`
    + `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
}

/**
 * An on-demand `Backup` (`postgresql.cnpg.io/v1`) with the Barman Cloud plugin: what
 * `kubectl cnpg backup <cluster> --method=plugin --plugin-name=barman-cloud.cloudnative-pg.io` creates, as a
 * manifest to review and `kubectl apply`. The cluster must archive its WAL with the plugin.
 *
 * @throws Error naming the option when an input is invalid
 */
export function onDemandBackupManifest(options: OnDemandBackupOptions): any {
  const { clusterName, namespace, now } = options;
  if (!isDns1035Label(clusterName ?? '')) throw new Error(`clusterName: not a valid cluster name (got ${JSON.stringify(clusterName)})`);
  if (!isDns1123Label(namespace ?? '')) throw new Error(`namespace: must be a DNS-1123 label (got ${JSON.stringify(namespace)})`);
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new Error('now: must be a valid Date');
  const name = options.name ?? `${clusterName}-ondemand-${backupTimestamp(now)}`;
  if (!isDns1123Subdomain(name)) {
    throw new Error(`name: must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.') (got ${JSON.stringify(name)})`);
  }
  const target = options.target ?? BackupTarget.PREFER_STANDBY;
  if (!Object.values(BackupTarget).includes(target)) {
    throw new Error(`target: must be primary or prefer-standby (got ${JSON.stringify(target)})`);
  }
  return cnpg.Backup.manifest({
    metadata: { name, namespace },
    spec: {
      cluster: { name: clusterName },
      method: cnpg.BackupSpecMethod.PLUGIN,
      pluginConfiguration: { name: BARMAN_CLOUD_PLUGIN },
      target: target as string as cnpg.BackupSpecTarget,
    },
  });
}
