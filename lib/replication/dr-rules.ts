/**
 * Admission and update rules of a disaster-recovery topology (CloudNativePG replica clusters and the distributed
 * topology), checked at synth. Pure functions over the declaration and over rendered Cluster objects (wire JSON).
 *
 * Where a rule mirrors the operator, it cites the CloudNativePG source at tag v1.30.0
 * (`cloudnative-pg/cloudnative-pg@v1.30.0`, commit 4b5e244a7d03):
 * - `api/v1/cluster_types.go` `ReplicaClusterConfiguration` (`self`, `primary`, `source`, `enabled`,
 *   `promotionToken`, `minApplyDelay`) and `api/v1/cluster_funcs.go` `IsReplica` (a cluster is a replica when
 *   `enabled` says so, else when `self` (default: its name) differs from `primary`);
 * - `internal/webhook/v1/cluster_webhook.go` `validateReplicaMode`, `validateReplicaClusterExternalClusters`,
 *   `validatePromotionToken`, `validateBootstrapRecoverySource`, `validateReplicaClusterChange`;
 * - `pkg/utils/parser.go` `ParsePgControldataToken` and `PgControldataTokenContent.IsValid` (the token format).
 *
 * Rule ids: `DR1`…`DR12` (declaration and rendered objects), `DRU1`…`DRU4` (changes against the deployed manifests).
 * The single-object webhook rules (2.1#67–75) stay in the admission table; these are the rules across the sites of a
 * topology, which no single object can show.
 */
import { Problem } from '../core/problems';

/** A problem of a topology, with its rule id; `severity` defaults to error. */
export interface DrProblem extends Problem {
  readonly rule: string;
  readonly severity?: 'error' | 'warning';
}

/** A site as the rules see it (plain data). */
export interface DrSiteFacts {
  readonly environment: string;
  readonly kubernetesCluster: string;
  readonly clusterName: string;
  readonly namespace: string;
  readonly postgresMajor: number;
  /** `<endpoint> s3://bucket/path/<serverName>`: where the site's cluster archives its WAL. */
  readonly archiveLocation: string;
  /** The environment it replicates from when it is a replica (cascading), if not the primary. */
  readonly source?: string;
  /** The environment whose archive its cluster is created from (undefined: the origin, created empty). */
  readonly bootstrapFrom?: string;
  readonly minApplyDelay?: string;
}

/** A transition as the rules see it. */
export interface DrTransitionFacts {
  readonly kind: 'demotion' | 'promotion' | 'failover';
  /** demotion: the environment that becomes the primary next. */
  readonly to?: string;
  /** promotion: the demotion token of the former primary. */
  readonly token?: string;
  /** failover: why (the review record). */
  readonly reason?: string;
}

/** The declaration as the rules see it. */
export interface DrFacts {
  readonly name: string;
  readonly primary: string;
  readonly sites: readonly DrSiteFacts[];
  readonly transition?: DrTransitionFacts;
}

const TOKEN_FIELDS = [
  ['latestCheckpointTimelineID', 'LatestCheckpointTimelineID'],
  ['redoWalFile', 'REDOWALFile'],
  ['databaseSystemIdentifier', 'DatabaseSystemIdentifier'],
  ['latestCheckpointREDOLocation', 'LatestCheckpointREDOLocation'],
  ['timeOfLatestCheckpoint', 'TimeOfLatestCheckpoint'],
  ['operatorVersion', 'OperatorVersion'],
] as const;

/**
 * What is wrong with a promotion token, as the webhook words it (`validatePromotionToken` →
 * `utils.ParsePgControldataToken` + `IsValid`, pkg/utils/parser.go@v1.30.0); undefined when it is well-formed.
 */
export function promotionTokenProblem(token: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(token) || token.length % 4 !== 0) {
    return 'Invalid promotionToken format: invalid promotion token (Base64 decoding failed)';
  }
  let content: unknown;
  try {
    content = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    return 'Invalid promotionToken format: invalid promotion token (JSON decoding failed)';
  }
  const obj = (typeof content === 'object' && content !== null ? content : {}) as Record<string, unknown>;
  for (const [json, go] of TOKEN_FIELDS) {
    if (typeof obj[json] !== 'string' || obj[json] === '') return `Invalid promotionToken content: invalid promotion token (${go} is empty)`;
  }
  return undefined;
}

/** The declaration-level rules (DR1–DR9). */
export function disasterRecoveryProblems(dr: DrFacts): DrProblem[] {
  const out: DrProblem[] = [];
  const sites = dr.sites;
  const byEnv = new Map(sites.map((s) => [s.environment, s]));
  const primary = byEnv.get(dr.primary);
  // DR1: one site per environment, one cluster name per site (`replica.primary` names a cluster: api/v1/cluster_funcs.go IsReplica)
  for (const [field, key] of [['environment', (s: DrSiteFacts) => s.environment], ['clusterName', (s: DrSiteFacts) => s.clusterName]] as const) {
    const seen = new Set<string>();
    for (const s of sites) {
      const k = key(s);
      if (seen.has(k)) {
        out.push({
          rule: 'DR1', field: `sites.${field}`, value: k,
          message: field === 'clusterName'
            ? 'two sites have clusters of the same name: spec.replica.primary and the externalClusters entries identify a cluster by its name, so both would consider themselves the primary'
            : 'the environment is declared twice (as the primary and as a replica, or as two replicas): two clusters would both be the primary',
          fix: field === 'clusterName' ? 'give each site\'s cluster its own name, e.g. "cnpg-ha" and "cnpg-ha-dr"' : 'declare each environment once',
        });
      }
      seen.add(k);
    }
  }
  if (!primary) {
    out.push({ rule: 'DR1', field: 'primary', value: dr.primary, message: 'the primary is not one of the declared sites', fix: `use one of ${sites.map((s) => s.environment).join(', ')}` });
  }
  if (sites.length < 2) {
    out.push({ rule: 'DR1', field: 'replicas', message: 'a disaster-recovery topology needs at least one replica site', fix: 'declare a replica in another Kubernetes cluster' });
  }
  for (const s of sites) {
    // DR2: a replica in the primary's Kubernetes cluster does not survive the loss of that cluster
    if (primary && s !== primary && s.kubernetesCluster === primary.kubernetesCluster) {
      out.push({
        rule: 'DR2', severity: 'warning', field: `sites.${s.environment}.kubernetesCluster`, value: s.kubernetesCluster,
        message: 'the replica runs in the same Kubernetes cluster as the primary: losing that cluster loses both',
        fix: 'declare the replica environment in another KubernetesClusterDeclaration (another cluster, region or provider)',
      });
    }
    // DR3: the source must be a declared site other than itself, and following sources must reach the primary
    // (webhook: validateReplicaClusterExternalClusters, "External cluster <source> not found")
    if (s.source !== undefined) {
      if (!byEnv.has(s.source) || s.source === s.environment) {
        out.push({
          rule: 'DR3', field: `sites.${s.environment}.source`, value: s.source,
          message: s.source === s.environment ? 'a site cannot replicate from itself' : 'the source is not a declared site, so spec.replica.source would name an external cluster nobody declares',
          fix: `use one of ${sites.filter((x) => x !== s).map((x) => x.environment).join(', ')}, or remove source (the primary)`,
        });
      } else {
        const seen = new Set<string>([s.environment]);
        let at: DrSiteFacts | undefined = s;
        while (at && at.environment !== dr.primary && at.source !== undefined && !seen.has(at.source)) {
          seen.add(at.source);
          at = byEnv.get(at.source);
        }
        if (at && at.source !== undefined && seen.has(at.source) && at.environment !== dr.primary) {
          out.push({ rule: 'DR3', field: `sites.${s.environment}.source`, value: s.source, message: 'the sources form a cycle that never reaches the primary', fix: 'let one site of the chain replicate from the primary' });
        }
      }
    }
    // DR4: physical replication needs one major (webhook 2.1#… image checks per object; the pair is ours)
    if (primary && s !== primary && s.postgresMajor !== primary.postgresMajor) {
      out.push({
        rule: 'DR4', field: `sites.${s.environment}.postgresMajor`, value: s.postgresMajor,
        message: `the replica runs PostgreSQL ${s.postgresMajor} but the primary runs ${primary.postgresMajor}: WAL of one major cannot be replayed by another`,
        fix: `run PostgreSQL ${primary.postgresMajor} on every site; upgrade the major on all sites together (the replicas are rebuilt from the upgraded primary)`,
      });
    }
    // DR5: every site archives into its own path (a replica archiving into the primary's path mixes two timelines)
    for (const o of sites) {
      if (o !== s && sites.indexOf(o) < sites.indexOf(s) && o.archiveLocation === s.archiveLocation) {
        out.push({
          rule: 'DR5', field: `sites.${s.environment}.archive`, value: s.archiveLocation,
          message: `archives into the same path as ${o.environment}: after a promotion its new timeline would be written into the archive the other site replays (and retention would delete the other's backups)`,
          fix: 'give each site its own destinationPath or serverName (the replica reads the primary\'s path read-only through a copy of its ObjectStore)',
        });
      }
    }
    if (s.bootstrapFrom !== undefined && (!byEnv.has(s.bootstrapFrom) || s.bootstrapFrom === s.environment)) {
      out.push({ rule: 'DR6', field: `sites.${s.environment}.bootstrapFrom`, value: s.bootstrapFrom, message: 'must name another declared site, whose archive the cluster is created from', fix: 'use the current primary\'s environment' });
    }
    if (s.minApplyDelay !== undefined && !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s.minApplyDelay)) {
      out.push({ rule: 'DR7', field: `sites.${s.environment}.minApplyDelay`, value: s.minApplyDelay, message: 'is not a duration (api/v1/cluster_types.go@v1.30.0 ReplicaClusterConfiguration.MinApplyDelay is a metav1.Duration)', fix: 'use e.g. "1h" or "30m"' });
    }
  }
  if (primary && primary.bootstrapFrom === undefined && sites.filter((s) => s.bootstrapFrom === undefined).length > 1) {
    out.push({
      rule: 'DR6', field: 'origin', value: sites.filter((s) => s.bootstrapFrom === undefined).map((s) => s.environment),
      message: 'more than one site would be created empty (initdb): a replica cluster must be created from its source (webhook validateReplicaMode: "replica mode bootstrap is compatible only with pg_basebackup or recovery")',
      fix: 'declare one origin',
    });
  }
  out.push(...transitionProblems(dr, byEnv));
  return out;
}

function transitionProblems(dr: DrFacts, byEnv: ReadonlyMap<string, DrSiteFacts>): DrProblem[] {
  const t = dr.transition;
  if (!t) return [];
  const out: DrProblem[] = [];
  switch (t.kind) {
    case 'demotion':
      if (t.to === undefined || !byEnv.has(t.to) || t.to === dr.primary) {
        out.push({ rule: 'DR8', field: 'transition.to', value: t.to, message: 'a demotion hands the primary role to a declared replica site', fix: `use one of ${[...byEnv.keys()].filter((e) => e !== dr.primary).join(', ')}` });
      }
      break;
    case 'promotion': {
      // webhook validatePromotionToken: the token is checked on the cluster that becomes the primary
      if (!t.token) {
        out.push({
          rule: 'DR9', field: 'transition.token', message: 'a promotion in the distributed topology needs the demotion token of the former primary; without it the operator fails over and the former primary must be rebuilt',
          fix: 'demote the former primary first (DrTransition.demotion), copy its status.demotionToken into DrTransition.promotion({ token }), or declare DrTransition.failover({ reason }) when the former primary is lost',
        });
      } else {
        const p = promotionTokenProblem(t.token);
        if (p) out.push({ rule: 'DR9', field: 'transition.token', value: t.token.length > 24 ? `${t.token.slice(0, 24)}…` : t.token, message: p, fix: 'copy the token exactly from kubectl get cluster <former primary> -o jsonpath=\'{.status.demotionToken}\'' });
      }
      const target = byEnv.get(dr.primary);
      if (target?.minApplyDelay !== undefined) {
        out.push({ rule: 'DR9', field: `sites.${dr.primary}.minApplyDelay`, value: target.minApplyDelay, message: 'minApplyDelay cannot be applied with a promotion token (webhook validatePromotionToken)', fix: 'remove minApplyDelay of the site in the same change, or promote another site' });
      }
      break;
    }
    case 'failover':
      if (!t.reason || t.reason.trim().length < 10) {
        out.push({ rule: 'DR10', field: 'transition.reason', value: t.reason, message: 'a failover without the former primary\'s demotion token loses the WAL it had not archived and needs the former primary rebuilt: say why (at least a sentence) so the review records it', fix: 'e.g. DrTransition.failover({ reason: "tutorial cluster lost in the ap-northeast-1 outage, incident 4711" })' });
      }
      break;
    default:
      break;
  }
  return out;
}

/** A Cluster's role as the operator computes it (api/v1/cluster_funcs.go@v1.30.0 `IsReplica`). */
export function isReplicaCluster(cluster: any): boolean {
  const r = cluster?.spec?.replica;
  if (!r || typeof r !== 'object') return false;
  if (typeof r.enabled === 'boolean') return r.enabled;
  const self = typeof r.self === 'string' && r.self !== '' ? r.self : cluster?.metadata?.name;
  return self !== r.primary;
}

/**
 * Rules on the rendered Clusters of one topology (DR11, DR12): whichever of them are known (one app, or every
 * environment's when synthesized together). `clusters` are wire JSON.
 */
export function renderedTopologyProblems(clusters: readonly any[], deployed: (cluster: any) => boolean = () => false): DrProblem[] {
  const out: DrProblem[] = [];
  const primaries = clusters.filter((c) => !isReplicaCluster(c));
  if (primaries.length > 1) {
    out.push({
      rule: 'DR11', field: 'spec.replica.primary', value: primaries.map((c) => `${c.metadata.namespace}/${c.metadata.name}`),
      message: 'two clusters of the topology would both be primary (split brain): each accepts writes and archives its own timeline',
      fix: 'keep one primary: demote the current primary before promoting another, or declare the failover when the former primary is lost',
    });
  }
  const named = new Set(clusters.map((c) => c?.spec?.replica?.primary).filter((p) => typeof p === 'string'));
  if (named.size > 1 && !(named.size === 2 && primaries.length === 0)) {
    out.push({ rule: 'DR12', field: 'spec.replica.primary', value: [...named].sort(), message: 'the clusters of the topology disagree on which is the primary', fix: 'derive every site from one DisasterRecovery declaration' });
  }
  for (const c of clusters) {
    const r = c?.spec?.replica;
    if (!r) continue;
    const names = new Set((c.spec.externalClusters ?? []).map((e: any) => e?.name));
    for (const f of ['source', 'primary', 'self'] as const) {
      if (typeof r[f] === 'string' && r[f] !== '' && !names.has(r[f])) {
        out.push({ rule: 'DR12', field: `spec.replica.${f}`, value: r[f], message: `External cluster ${r[f]} not found (webhook validateReplicaClusterExternalClusters)`, fix: 'declare every site of the topology in externalClusters' });
      }
    }
    if (isReplicaCluster(c) && c.spec.bootstrap?.initdb && !deployed(c)) {
      out.push({ rule: 'DR12', field: 'spec.bootstrap.initdb', message: 'a replica cluster cannot be created with initdb (webhook validateReplicaMode: "replica mode bootstrap is compatible only with pg_basebackup or recovery")', fix: 'create it by recovery from its source\'s archive (bootstrapFrom)' });
    }
  }
  return out;
}

/** What a change of `spec.replica` does to one running cluster. */
export interface DrRoleChange {
  readonly kind: 'none' | 'joined' | 'demotion' | 'promotion' | 'failover' | 'follow' | 'left';
  /** One line for the synth output. */
  readonly impact: string;
}

/**
 * Classifies the change of one Cluster's `spec.replica` from its deployed version (`previous`) to `next` (wire JSON),
 * following the operator: a cluster whose `primary` changes from itself to another is demoted (it archives the
 * shutdown checkpoint as `.partial` and sets `status.demotionToken`); one that becomes the primary with a
 * `promotionToken` waits until it replayed the token's LSN, then promotes; without a token it promotes at once (a
 * failover: the former primary can never follow it again and must be rebuilt). the upstream replica_cluster.md at v1.30.0 ("Distributed Topology").
 */
export function classifyRoleChange(previous: any, next: any): DrRoleChange {
  const who = `${next?.metadata?.namespace}/${next?.metadata?.name}`;
  const pr = previous?.spec?.replica;
  const nr = next?.spec?.replica;
  if (!pr && !nr) return { kind: 'none', impact: '' };
  if (!pr) return { kind: 'joined', impact: `cluster ${who}: joins the replica topology (${isReplicaCluster(next) ? `as a replica of ${nr.source}` : 'as its primary'}); an existing cluster keeps its data` };
  if (!nr) return { kind: 'left', impact: `cluster ${who}: leaves the replica topology${isReplicaCluster(previous) ? ': the replica is PROMOTED and detached for good' : ''}` };
  const wasReplica = isReplicaCluster(previous);
  const isReplica = isReplicaCluster(next);
  if (!wasReplica && isReplica) {
    return { kind: 'demotion', impact: `cluster ${who}: DEMOTED to a replica of ${nr.primary}: writes stop now; the operator archives the shutdown checkpoint (.partial) and publishes status.demotionToken (kubectl get cluster ${next.metadata.name} -n ${next.metadata.namespace} -o jsonpath='{.status.demotionToken}'), which the new primary needs` };
  }
  if (wasReplica && !isReplica) {
    if (nr.promotionToken) {
      return { kind: 'promotion', impact: `cluster ${who}: PROMOTED with the demotion token of ${pr.primary}: it replays WAL up to the token's checkpoint, then promotes on a new timeline and archives the history file; ${pr.primary} follows it without a rebuild. Applications must move to ${next.metadata.name}-rw` };
    }
    return { kind: 'failover', impact: `cluster ${who}: FAILOVER: promoted at once without a demotion token; every transaction ${pr.primary} had not archived is lost, and ${pr.primary} can never follow this cluster: rebuild it from this cluster's archive before it rejoins` };
  }
  if (wasReplica && isReplica && (pr.primary !== nr.primary || pr.source !== nr.source)) {
    return { kind: 'follow', impact: `cluster ${who}: now follows ${nr.source} (primary ${nr.primary}); it keeps replaying from the new source's archive once the new primary's timeline history is there` };
  }
  return { kind: 'none', impact: '' };
}

/**
 * The update rules (DRU1–DRU4) of one site's cluster: `previous`/`next` are its deployed and new versions; `peers`
 * the deployed and new versions of the other sites' clusters (when their committed manifests could be read).
 */
export function roleChangeProblems(
  previous: any,
  next: any,
  transition: DrTransitionFacts | undefined,
  peers: ReadonlyArray<{ environment: string; previous?: any; next?: any }>,
): DrProblem[] {
  const change = classifyRoleChange(previous, next);
  const out: DrProblem[] = [];
  const fixFlow = 'a planned switchover is two reviewed commits: DrTransition.demotion({ to }) (the primary is demoted and publishes its token), then primary: <new> with DrTransition.promotion({ token })';
  if (change.kind === 'failover' && transition?.kind !== 'failover') {
    out.push({
      rule: 'DRU1', field: 'spec.replica.primary', value: next?.spec?.replica?.primary,
      message: 'the cluster becomes the primary without a promotion token: the operator fails over at once, the WAL the former primary had not archived is lost and the former primary must be rebuilt',
      fix: `${fixFlow}; when the former primary is lost, declare DrTransition.failover({ reason })`,
    });
  }
  if (change.kind === 'promotion' || change.kind === 'failover') {
    // split brain: a former primary still deployed as primary while this one is promoted
    for (const p of peers) {
      if (p.previous && !isReplicaCluster(p.previous) && p.next && !isReplicaCluster(p.next)) {
        out.push({ rule: 'DRU2', field: 'spec.replica.primary', value: `${p.environment}: ${p.next.metadata.name}`, message: `${p.environment}'s cluster is deployed as primary and stays primary: two primaries (split brain)`, fix: fixFlow });
      } else if (change.kind === 'promotion' && p.previous && !isReplicaCluster(p.previous)) {
        out.push({
          rule: 'DRU2', field: 'spec.replica.promotionToken', value: `${p.environment}: ${p.previous.metadata.name}`,
          message: `${p.environment}'s cluster is still deployed as the primary: its demotion has not been synced, so no valid demotion token can exist yet, and promoting now would give two primaries until it is`,
          fix: fixFlow,
        });
      }
    }
  }
  if (change.kind === 'demotion' && transition?.kind !== 'demotion' && transition?.kind !== 'promotion') {
    out.push({ rule: 'DRU3', field: 'spec.replica.primary', value: next?.spec?.replica?.primary, message: 'the primary is demoted without a declared transition', fix: 'declare DrTransition.demotion({ to }) so the review sees the switchover' });
  }
  const pt = previous?.spec?.replica?.promotionToken;
  const nt = next?.spec?.replica?.promotionToken;
  if (pt && nt && pt !== nt && !isReplicaCluster(previous)) {
    out.push({ rule: 'DRU4', severity: 'warning', field: 'spec.replica.promotionToken', message: 'the promotion token of a cluster that is already the primary changed: the operator ignores it', fix: 'leave the token of the last promotion until the next switchover' });
  }
  return out;
}
