import { Construct } from 'constructs';
import * as cnpg from '../../imports/postgresql.cnpg.io';
import { CnpgCluster } from '../cluster/cluster';
import { ICnpgCluster } from '../cluster/cluster-ref';
import { isDns1123Subdomain } from '../core/k8s-syntax';
import { Problems } from '../core/problems';
import { claimObjectName, nameFromId } from '../core/resource-names';
import { BARMAN_CLOUD_PLUGIN } from './backup-store';
import { maxIntervalSeconds } from '../rules/cron';
import { scheduleProblem } from '../rules/schedule';
import { CnpgResource, PropFields } from '../cluster/cnpg-resource';

/** Which Kubernetes object owns the `Backup` objects a `ScheduledBackup` creates (`spec.backupOwnerReference`). */
export enum BackupOwnerReference {
  /** No owner: Backup objects stay until deleted by hand. */
  NONE = 'none',
  /** The ScheduledBackup: deleting it deletes its Backup objects (never the data in the object store). */
  SELF = 'self',
  /** The Cluster: Backup objects live as long as the cluster. */
  CLUSTER = 'cluster',
}

/** Which instance takes a backup (`spec.target`). */
export enum BackupTarget {
  /** Always the primary. */
  PRIMARY = 'primary',
  /** The most up-to-date standby, or the primary when there is none: keeps backup I/O off the primary. */
  PREFER_STANDBY = 'prefer-standby',
}

/**
 * Properties of a `ScheduledBackup`.
 */
export interface ScheduledBackupProps {
  /**
   * The cluster to back up. It must archive its WAL with the Barman Cloud plugin (`BackupStore.archiveWal`): checked
   * at synth for a `CnpgCluster` of this app; a cluster declared elsewhere (`CnpgCluster.fromClusterAttributes`) must
   * be wired there.
   */
  readonly cluster: ICnpgCluster;
  /**
   * When to take base backups: six fields, **seconds first** (`second minute hour day-of-month month day-of-week`),
   * or a descriptor (`@daily`, `@every 12h`). Times are the operator's time zone (UTC).
   * @default "0 0 0 * * *" (daily at 00:00:00 UTC)
   */
  readonly schedule?: string;
  /**
   * `metadata.name` of the ScheduledBackup.
   * @default - `<cluster>-<construct id in kebab case>`: `Nightly` on cluster `cnpg-ha` is `cnpg-ha-nightly`
   */
  readonly name?: string;
  /**
   * Which object owns the Backup objects.
   * @default BackupOwnerReference.SELF
   */
  readonly backupOwnerReference?: BackupOwnerReference;
  /**
   * Which instance takes the backup.
   * @default BackupTarget.PREFER_STANDBY
   */
  readonly target?: BackupTarget;
  /**
   * Take a first backup as soon as the ScheduledBackup is created, so a new cluster is recoverable before the first
   * scheduled run.
   * @default true
   */
  readonly immediate?: boolean;
  /**
   * Suspend the schedule.
   * @default false
   */
  readonly suspend?: boolean;
  /**
   * Labels on the ScheduledBackup.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** The props of `ScheduledBackup` and the fields they render (admission problems are reported in these terms). */
const SCHEDULED_BACKUP_PROP_FIELDS: PropFields = {
  'metadata.name': 'name',
  'spec.schedule': 'schedule',
  'spec.backupOwnerReference': 'backupOwnerReference',
  'spec.target': 'target',
  'spec.immediate': 'immediate',
  'spec.suspend': 'suspend',
};

/**
 * A CloudNativePG `ScheduledBackup` (`postgresql.cnpg.io/v1`) taking base backups with the Barman Cloud plugin.
 *
 * `method: plugin` and the plugin name are always explicit: the CRD's default method is the deprecated in-tree
 * `barmanObjectStore`. The schedule is validated at synth like the operator does, and more strictly: five-field
 * cron lines (which the operator accepts with a warning but reads shifted by one field) are errors.
 */
export class ScheduledBackup extends CnpgResource {
  /** `metadata.name` of the ScheduledBackup. */
  public readonly name: string;
  /** Namespace (the cluster's). */
  public readonly namespace: string;
  /** The schedule. */
  public readonly schedule: string;
  /** The cluster backed up. */
  public readonly cluster: ICnpgCluster;
  /** The generated L1 object, for escape hatches. */
  public readonly apiObject: cnpg.ScheduledBackup;

  private readonly props: ScheduledBackupProps;

  public constructor(scope: Construct, id: string, props: ScheduledBackupProps) {
    super(scope, id, SCHEDULED_BACKUP_PROP_FIELDS);
    this.props = props;
    this.cluster = props.cluster;
    this.name = props.name ?? `${props.cluster.clusterName}-${nameFromId(id, { dots: true })}`;
    this.namespace = props.cluster.namespace;
    this.schedule = props.schedule ?? '0 0 0 * * *';
    this.validate();
    claimObjectName(this, { kind: 'postgresql.cnpg.io/ScheduledBackup', namespace: this.namespace, name: this.name, field: 'name' });
    // The cluster may be wired to its store after this construct is created: check at synth.
    this.node.addValidation({ validate: () => this.validateArchiver() });

    this.apiObject = new cnpg.ScheduledBackup(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels: props.labels },
      spec: {
        cluster: { name: props.cluster.clusterName },
        schedule: this.schedule,
        method: cnpg.ScheduledBackupSpecMethod.PLUGIN,
        pluginConfiguration: { name: BARMAN_CLOUD_PLUGIN },
        backupOwnerReference: (props.backupOwnerReference ?? BackupOwnerReference.SELF) as string as cnpg.ScheduledBackupSpecBackupOwnerReference,
        target: (props.target ?? BackupTarget.PREFER_STANDBY) as string as cnpg.ScheduledBackupSpecTarget,
        immediate: props.immediate ?? true,
        suspend: props.suspend ?? false,
      },
    });
  }

  /**
   * The longest time between two backups of this schedule, in seconds (e.g. for a "last backup too old" alert).
   * @throws Error when the schedule is invalid
   */
  public get maxIntervalSeconds(): number {
    return maxIntervalSeconds(this.schedule);
  }

  private validate(): void {
    const problems = Problems.of(this);
    const p = this.props;
    if (!isDns1123Subdomain(this.name)) {
      problems.error({
        field: 'name',
        message: 'must be a DNS-1123 subdomain of at most 253 characters (lower-case letters, digits, \'-\' and \'.\')',
        value: this.name,
        fix: p.name === undefined ? `set name (the default is derived from the cluster name and the construct id "${this.node.id}"), e.g. "cnpg-ha-daily"` : 'use a name such as "cnpg-ha-daily"',
      });
    }
    const bad = scheduleProblem(this.schedule);
    if (bad) problems.error({ field: 'schedule', message: bad.message, value: this.schedule, fix: bad.fix });
    if (p.backupOwnerReference !== undefined && !Object.values(BackupOwnerReference).includes(p.backupOwnerReference)) {
      problems.error({ field: 'backupOwnerReference', message: 'must be none, self or cluster', value: p.backupOwnerReference, fix: 'use BackupOwnerReference.SELF' });
    }
    if (p.target !== undefined && !Object.values(BackupTarget).includes(p.target)) {
      problems.error({ field: 'target', message: 'must be primary or prefer-standby', value: p.target, fix: 'use BackupTarget.PREFER_STANDBY' });
    }
  }

  private validateArchiver(): string[] {
    // A cluster declared elsewhere is wired to its store there.
    if (!(this.cluster instanceof CnpgCluster)) return [];
    const archiver = this.cluster.walArchiver;
    const where = `${this.cluster.namespace}/${this.cluster.clusterName}`;
    if (!archiver || archiver.name !== BARMAN_CLOUD_PLUGIN || archiver.enabled === false) {
      const got = archiver ? `WAL archiver ${archiver.name}${archiver.enabled === false ? ' (disabled)' : ''}` : 'no WAL archiver';
      return [`cluster: the cluster ${where} does not archive its WAL with the Barman Cloud plugin, so a plugin backup would fail at runtime (got ${got}); wire it with store.archiveWal(cluster)`];
    }
    return [];
  }
}
