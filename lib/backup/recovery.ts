import * as cnpg from '../../imports/postgresql.cnpg.io';
import { ClusterBootstrapConfig, CnpgCluster, IClusterBootstrap } from '../cluster/cluster';
import { formatProblem, Problem, Problems } from '../core/problems';
import { RawRecoveryTarget, recoveryTargetProblems } from '../rules/recovery-target';
import { BARMAN_CLOUD_PLUGIN, BackupStore } from './backup-store';

export type { RawRecoveryTarget } from '../rules/recovery-target';

/** Options of every recovery target. */
export interface RecoveryTimelineOptions {
  /**
   * The timeline to recover along (`targetTLI`): `latest` or a timeline id (a positive integer).
   * @default - PostgreSQL's default (`latest`)
   */
  readonly timeline?: string | number;
}

/** Options of time, LSN and XID targets. */
export interface InclusiveRecoveryTargetOptions extends RecoveryTimelineOptions {
  /**
   * Stop just before the target instead of just after it (`exclusive`, PostgreSQL's `recovery_target_inclusive = off`).
   * @default false
   */
  readonly exclusive?: boolean;
}

/** What kind of point a recovery stops at. */
export type RecoveryTargetKind = 'latest' | 'time' | 'lsn' | 'xid' | 'name' | 'immediate' | 'raw';

/**
 * Where a point-in-time recovery stops (`bootstrap.recovery.recoveryTarget`). The factories make mutually exclusive
 * targets impossible; every value is checked at synth with CloudNativePG's admission rules.
 *
 * `name`, `xid` and `immediate` targets need the id of the base backup to start from (`backupId`): only time and
 * LSN targets let the operator pick the backup.
 */
export class RecoveryTarget {
  /** Replay all the WAL there is (no `recoveryTarget`), optionally along a given timeline. */
  public static latest(options: RecoveryTimelineOptions = {}): RecoveryTarget {
    return new RecoveryTarget('latest', { targetTli: tli(options.timeline) });
  }

  /**
   * Stop at a point in time. Accepted formats (CloudNativePG's `ParseTargetTime`): RFC 3339
   * (`2026-08-30T09:15:00Z`, `2026-08-30T18:15:00+09:00`, optional fractional seconds), PostgreSQL
   * `2026-08-30 09:15:00[.ffffff][+09[:00]]`, and `2026-08-30T09:15:00` (read as UTC). Give a zone: a time without
   * one is UTC.
   */
  public static time(timestamp: string, options: InclusiveRecoveryTargetOptions = {}): RecoveryTarget {
    return new RecoveryTarget('time', { targetTime: timestamp, exclusive: options.exclusive, targetTli: tli(options.timeline) });
  }

  /** Stop at a WAL location (`XXXXXXXX/XXXXXXXX`, hexadecimal), e.g. from `pg_current_wal_lsn()`. */
  public static lsn(lsn: string, options: InclusiveRecoveryTargetOptions = {}): RecoveryTarget {
    return new RecoveryTarget('lsn', { targetLsn: lsn, exclusive: options.exclusive, targetTli: tli(options.timeline) });
  }

  /** Stop at a transaction id (an unsigned 32-bit number). Needs a `backupId`. */
  public static xid(xid: string | number, options: InclusiveRecoveryTargetOptions = {}): RecoveryTarget {
    return new RecoveryTarget('xid', { targetXid: String(xid), exclusive: options.exclusive, targetTli: tli(options.timeline) });
  }

  /** Stop at a restore point created with `pg_create_restore_point(name)`. Needs a `backupId`. */
  public static name(restorePoint: string, options: RecoveryTimelineOptions = {}): RecoveryTarget {
    return new RecoveryTarget('name', { targetName: restorePoint, targetTli: tli(options.timeline) });
  }

  /** Stop as soon as the base backup is consistent (the earliest possible point). Needs a `backupId`. */
  public static immediate(options: RecoveryTimelineOptions = {}): RecoveryTarget {
    return new RecoveryTarget('immediate', { targetImmediate: true, targetTli: tli(options.timeline) });
  }

  /** Raw fields, e.g. from configuration; validated like the webhook does, including mutual exclusion. */
  public static fromSpec(spec: RawRecoveryTarget): RecoveryTarget {
    return new RecoveryTarget('raw', { ...spec });
  }

  private constructor(
    /** What kind of point the recovery stops at. */
    public readonly kind: RecoveryTargetKind,
    private readonly spec: RawRecoveryTarget,
  ) {}

  /** The target's values, e.g. `{ targetTime: '…' }`. */
  public get fields(): RawRecoveryTarget {
    return { ...this.spec };
  }

  /**
   * What CloudNativePG's webhook (and PostgreSQL) would reject about this target with the given backup id;
   * empty when fine. Fields are reported with their manifest paths.
   */
  public problems(backupId?: string): Problem[] {
    return recoveryTargetProblems(this.spec, backupId);
  }

  /** The `recoveryTarget` stanza, or undefined when there is nothing to set. */
  public render(backupId?: string): cnpg.ClusterSpecBootstrapRecoveryRecoveryTarget | undefined {
    const s = this.spec;
    const out: cnpg.ClusterSpecBootstrapRecoveryRecoveryTarget = {
      backupId,
      targetTime: s.targetTime,
      targetLsn: s.targetLsn,
      targetXid: s.targetXid,
      targetName: s.targetName,
      targetImmediate: s.targetImmediate,
      exclusive: s.exclusive,
      targetTli: s.targetTli,
    };
    return Object.values(out).some((v) => v !== undefined) ? out : undefined;
  }
}

function tli(timeline: string | number | undefined): string | undefined {
  return timeline === undefined ? undefined : String(timeline);
}

/** Options of `ClusterRecovery.fromBackupStore`. */
export interface BackupStoreRecoveryOptions {
  /** The `serverName` the source cluster archived under (usually its cluster name). */
  readonly sourceServerName: string;
  /**
   * Where recovery stops.
   * @default RecoveryTarget.latest()
   */
  readonly target?: RecoveryTarget;
  /**
   * The base backup to start from (`YYYYMMDDTHHMMSS`, the Backup's `status.backupId`). Required for name, XID and
   * immediate targets.
   * @default - the operator picks the latest backup before the target
   */
  readonly backupId?: string;
  /**
   * Name of the `externalClusters` entry.
   * @default - the source server name
   */
  readonly sourceName?: string;
}

const SERVER_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/**
 * Creates a cluster from a backup instead of an empty `initdb`: `bootstrap.recovery` plus an `externalClusters`
 * entry with the Barman Cloud plugin. Pass it as the `bootstrap` prop of a `CnpgCluster`.
 *
 * A recovered cluster must never archive into the archive it recovered from: when it archives to the same store
 * (or a copy of it), use a new `serverName` (`store.archiveWal(cluster, { serverName: 'cnpg-ha-2' })`). This is
 * checked at synth.
 */
export class ClusterRecovery implements IClusterBootstrap {
  /** Recovery from a Barman Cloud `ObjectStore` in the recovering cluster's namespace. */
  public static fromBackupStore(store: BackupStore, options: BackupStoreRecoveryOptions): ClusterRecovery {
    return new ClusterRecovery(store, options);
  }

  /** Where recovery stops. */
  public readonly target: RecoveryTarget;

  private constructor(
    /** The store recovered from. */
    public readonly store: BackupStore,
    private readonly options: BackupStoreRecoveryOptions,
  ) {
    this.target = options.target ?? RecoveryTarget.latest();
  }

  /** The server name recovered from. */
  public get sourceServerName(): string {
    return this.options.sourceServerName;
  }

  public bind(cluster: CnpgCluster): ClusterBootstrapConfig {
    const problems = Problems.of(cluster);
    const { store, options } = this;
    const source = options.sourceName ?? options.sourceServerName;
    if (store.namespace !== cluster.namespace) {
      problems.error({
        field: 'bootstrap',
        message: `the backup store is in namespace "${store.namespace}" but the cluster is in "${cluster.namespace}"; the plugin only finds ObjectStores in the cluster's namespace`,
        value: `${store.namespace}/${store.storeName}`,
        fix: 'recover from a store in the cluster\'s namespace: store.copyTo(scope, id, { namespace, credential })',
      });
    }
    if (!SERVER_NAME.test(options.sourceServerName ?? '')) {
      problems.error({ field: 'bootstrap.sourceServerName', message: 'must be a folder name: letters, digits, \'.\', \'_\' and \'-\', no \'/\'', value: options.sourceServerName, fix: 'use the source cluster\'s name, e.g. "cnpg-ha"' });
    }
    if (options.sourceName !== undefined && !SERVER_NAME.test(options.sourceName)) {
      problems.error({ field: 'bootstrap.sourceName', message: 'cannot contain a path separator or a \'..\' component', value: options.sourceName });
    }
    for (const p of this.target.problems(options.backupId)) problems.error(p);
    cluster.node.addValidation({ validate: () => this.validateArchive(cluster) });

    return {
      bootstrap: {
        recovery: {
          source,
          database: cluster.databaseName,
          owner: cluster.ownerName,
          secret: cluster.ownerCredential ? { name: cluster.ownerCredential.secretName } : undefined,
          recoveryTarget: this.target.render(options.backupId),
        },
      },
      externalClusters: [{
        name: source,
        plugin: {
          name: BARMAN_CLOUD_PLUGIN,
          parameters: { barmanObjectName: store.storeName, serverName: options.sourceServerName },
        },
      }],
    };
  }

  /** The recovered cluster must not archive into the archive it recovers from (runs at synth: archiveWal may come later). */
  private validateArchive(cluster: CnpgCluster): string[] {
    const sourceLocation = this.store.archiveLocation(this.options.sourceServerName);
    const own = BackupStore.archiveOf(cluster);
    let clash = false;
    let serverName: string | undefined;
    if (own) {
      serverName = own.serverName;
      clash = own.store.archiveLocation(own.serverName) === sourceLocation;
    } else {
      const archiver = cluster.walArchiver;
      if (archiver?.name === BARMAN_CLOUD_PLUGIN) {
        serverName = archiver.parameters?.serverName ?? cluster.clusterName;
        clash = archiver.parameters?.barmanObjectName === this.store.storeName && serverName === this.options.sourceServerName;
      }
    }
    if (!clash) return [];
    const path = `${this.store.destinationPath.replace(/\/+$/, '')}/${this.options.sourceServerName}`;
    return [formatProblem({
      field: 'spec.plugins',
      message: `the cluster would archive its WAL into ${path}, the archive it recovers from; the new timeline would mix with the source's WAL and backups`,
      value: serverName,
      fix: `archive under a new serverName, e.g. store.archiveWal(cluster, { serverName: "${cluster.clusterName === this.options.sourceServerName ? `${cluster.clusterName}-2` : cluster.clusterName}" })`,
    })];
  }
}
