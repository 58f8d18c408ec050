/**
 * When the primary is updated during a rolling update (`spec.primaryUpdateStrategy`).
 */
export enum PrimaryUpdateStrategy {
  /** The operator updates the primary automatically after the replicas. */
  UNSUPERVISED = 'unsupervised',
  /** The operator waits for a manual switchover (`kubectl cnpg promote`); not allowed with one instance. */
  SUPERVISED = 'supervised',
}

/**
 * How the primary is updated (`spec.primaryUpdateMethod`).
 */
export enum PrimaryUpdateMethod {
  /** Restart the primary in place (falls back to a switchover when needed). */
  RESTART = 'restart',
  /** Promote the most aligned replica first; image and parameter changes must then be separate updates. */
  SWITCHOVER = 'switchover',
}

/**
 * How strictly instances are kept off the same node (`spec.affinity.podAntiAffinityType`).
 */
export enum PodAntiAffinity {
  /** Never two instances on one node; an instance stays Pending when no node is free. */
  REQUIRED = 'required',
  /** Spread when possible, co-locate when not. */
  PREFERRED = 'preferred',
  /** No operator-generated anti-affinity. */
  NONE = 'none',
}

/**
 * What happens to writes when too few synchronous standbys are available (`synchronous.dataDurability`).
 */
export enum DataDurability {
  /** Writes wait for the standbys: zero data loss, but writes block when standbys are missing. */
  REQUIRED = 'required',
  /** Fall back to asynchronous replication when standbys are missing (self-healing). */
  PREFERRED = 'preferred',
}

/** Options of quorum-based synchronous replication. */
export interface QuorumReplicationOptions {
  /**
   * How many standbys must confirm each commit.
   * @default 1
   */
  readonly number?: number;
  /**
   * What happens to writes when fewer standbys are available.
   * @default DataDurability.REQUIRED
   */
  readonly dataDurability?: DataDurability;
  /**
   * Promote only a standby that is guaranteed to have every synchronously committed transaction (R + W > N).
   * @default false
   */
  readonly failoverQuorum?: boolean;
}

/**
 * Synchronous replication (`spec.postgresql.synchronous`).
 */
export class SynchronousReplication {
  /** Quorum-based (`method: any`): any `number` standbys confirm each commit. */
  public static quorum(options: QuorumReplicationOptions = {}): SynchronousReplication {
    return new SynchronousReplication('any', options.number ?? 1, options.dataDurability ?? DataDurability.REQUIRED, options.failoverQuorum ?? false);
  }

  private constructor(
    /** `any` (quorum) or `first` (priority). */
    public readonly method: string,
    /** Number of standbys that confirm each commit. */
    public readonly number: number,
    /** Behaviour when standbys are missing. */
    public readonly dataDurability: DataDurability,
    /** Whether failover requires a quorum. */
    public readonly failoverQuorum: boolean,
  ) {}
}
