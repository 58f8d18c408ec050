/**
 * The "previous → next" rules of CloudNativePG objects: what changing an object that already exists does, as one
 * table (`CHANGE_RULES`) of which the update checks (`checkObjectUpdate`, recorded by `checkAppUpdates` in
 * lib/core/update-checks.ts) and the change-impact report (`describeChangeImpact`, lib/rules/change-impact.ts) are two
 * views: a rule with an update id (U…, UL…) fails synth (or warns), and the impact report shows the same finding as
 * the change's effect.
 *
 * - the webhook's update-only rules (`ValidateUpdate` of CloudNativePG's Cluster webhook; the create-time rules are
 *   catalogued in `docs/rules.md`): U1 major downgrade, U2 major upgrade to < 16, U3 image and parameters changed
 *   together with `primaryUpdateMethod: switchover`, U4 storage shrink, U5 WAL storage removed or shrunk, U6
 *   tablespaces removed or shrunk, U7 UID/GID changed, U8 replication slot prefix, U9 `wal_level` to `minimal`, U11
 *   `serviceAccountName` changed;
 * - the library's own (UL): UL1 storage class of existing volumes changed, UL2 WAL archiver removed while
 *   ScheduledBackups exist, UL3 a Cluster removed or renamed (Argo CD's prune deletes it with its volumes), UL4
 *   bootstrap changed (ignored after creation; a warning);
 * - the immutable fields of the other kinds (CRD transition rules), `2.7#<Kind>.immutable`.
 *
 * Loading this module installs the rules into `checkAppUpdates` (core cannot import the rules layer).
 */
import { parseQuantity } from '../core/k8s-syntax';
import { installUpdateRules, UpdateContext, UpdateProblem } from '../core/update-checks';
import { applyClusterDefaults, clusterMajor, storageSize } from './admission';

export type { UpdateContext, UpdateProblem } from '../core/update-checks';

/** What a change does to the running cluster, from least to most disruptive. */
export type ChangeEffect =
  /** nothing to apply (formatting only, or a field that only matters at creation) */
  | 'none'
  /** applied online without restarting anything (roles, pg_hba, storage growth, operator settings) */
  | 'online'
  /** PostgreSQL reloads its configuration; running sessions see the new value */
  | 'reload'
  /** applied to new sessions only (backend context) */
  | 'new-sessions'
  /** new replicas are cloned from the primary */
  | 'scale-up'
  /** replicas are removed */
  | 'scale-down'
  /** every instance restarts, replicas first, the primary last (switchover or restart) */
  | 'restart'
  /** every pod is recreated (image, resources, volumes), replicas first, the primary last */
  | 'rolling-update'
  /** offline in-place major upgrade: every instance stops, pg_upgrade runs, replicas are re-cloned */
  | 'major-upgrade'
  /** the cluster is created */
  | 'created'
  /** the old cluster is deleted (renamed or removed): its data volumes go with it */
  | 'replaced'
  /** CloudNativePG's webhook (or PostgreSQL) rejects the change */
  | 'rejected'
  /** a change this function does not classify: review it */
  | 'unclassified';

/** One row of the change table. */
export interface ChangeRule {
  /** The update rule id, cited by problems and acknowledgements (`CDK8S_CNPG_ACK=<ns>/<name>:<id>`). */
  readonly id: string;
  /** The change. */
  readonly what: string;
  /** Its effect in the change-impact report. */
  readonly effect: ChangeEffect;
  /** Whether the update check fails synth or warns. */
  readonly severity: 'error' | 'warning';
  /** Where the rule comes from. */
  readonly source: 'webhook' | 'crd' | 'library';
}

/** The "previous → next" rules of a Cluster. */
export const CHANGE_RULES: readonly ChangeRule[] = [
  { id: 'U1', what: 'major version downgrade', effect: 'rejected', severity: 'error', source: 'webhook' },
  { id: 'U2', what: 'major upgrade to a version below 16', effect: 'rejected', severity: 'error', source: 'webhook' },
  { id: 'U3', what: 'image and parameters changed together with primaryUpdateMethod: switchover', effect: 'rejected', severity: 'error', source: 'webhook' },
  { id: 'U4', what: 'data storage shrunk', effect: 'rejected', severity: 'error', source: 'webhook' },
  { id: 'U5', what: 'WAL storage removed or shrunk', effect: 'rejected', severity: 'error', source: 'webhook' },
  { id: 'U6', what: 'tablespaces removed or shrunk', effect: 'rejected', severity: 'error', source: 'webhook' },
  { id: 'U7', what: 'postgresUID or postgresGID changed', effect: 'rejected', severity: 'error', source: 'webhook' },
  { id: 'U8', what: 'replication slot section removed or prefix changed while enabled', effect: 'rejected', severity: 'error', source: 'webhook' },
  { id: 'U9', what: 'wal_level changed to minimal', effect: 'rejected', severity: 'error', source: 'webhook' },
  { id: 'U11', what: 'serviceAccountName changed', effect: 'rejected', severity: 'error', source: 'crd' },
  { id: 'UL1', what: 'storage class of existing volumes changed', effect: 'rejected', severity: 'error', source: 'library' },
  { id: 'UL2', what: 'WAL archiver removed while ScheduledBackups exist', effect: 'rejected', severity: 'error', source: 'library' },
  { id: 'UL3', what: 'Cluster removed or renamed', effect: 'replaced', severity: 'error', source: 'library' },
  { id: 'UL4', what: 'bootstrap changed (read only at creation)', effect: 'none', severity: 'warning', source: 'library' },
];

const RULE_BY_ID = new Map(CHANGE_RULES.map((r) => [r.id, r]));

/** The row of an update rule id. */
export function changeRule(id: string): ChangeRule | undefined {
  return RULE_BY_ID.get(id);
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const has = (v: unknown): boolean => v !== undefined && v !== null;

function storageClassOf(storage: any): string | undefined {
  if (!isObj(storage)) return undefined;
  return storage.storageClass ?? storage.pvcTemplate?.storageClassName ?? undefined;
}

function walArchiver(cluster: any): string | undefined {
  const spec = cluster?.spec ?? {};
  const plugin = list(spec.plugins).find((p) => isObj(p) && p.enabled !== false && p.isWALArchiver === true);
  if (plugin) return `plugin ${plugin.name}`;
  return isObj(spec.backup?.barmanObjectStore) ? 'spec.backup.barmanObjectStore' : undefined;
}

function sameKey(a: any, b: any): boolean {
  return a?.metadata?.namespace === b?.metadata?.namespace;
}

function diffParameters(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, { from?: unknown; to?: unknown }> {
  const out: Record<string, { from?: unknown; to?: unknown }> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (a[k] !== b[k]) out[k] = { from: a[k], to: b[k] };
  }
  return out;
}

/**
 * The breaking changes from `previousJson` to `nextJson` (two versions of the same Cluster, wire JSON). Both are
 * defaulted first, as the webhook defaults the old object and the mutating webhook the new one.
 */
export function checkClusterUpdate(previousJson: any, nextJson: any, context: UpdateContext = {}): UpdateProblem[] {
  const prev = applyClusterDefaults(previousJson);
  const next = applyClusterDefaults(nextJson);
  const ps = prev.spec ?? {};
  const ns = next.spec ?? {};
  const out: UpdateProblem[] = [];

  // U1, U2: major version
  const pm = clusterMajor(prev);
  const nm = clusterMajor(next);
  const majorField = has(ns.imageCatalogRef) ? 'spec.imageCatalogRef.major' : 'spec.imageName';
  if (pm !== undefined && nm !== undefined && pm > nm) {
    out.push({
      field: majorField, rule: 'U1',
      message: `can't downgrade from major ${pm} to ${nm}: the data directory is already PostgreSQL ${pm}`,
      value: ns.imageName ?? nm,
      fix: `keep PostgreSQL ${pm}; to go back, restore a backup taken before the upgrade into a new cluster (ClusterRecovery) running ${nm}`,
    });
  }
  if (pm !== undefined && nm !== undefined && pm < nm && nm < 16) {
    out.push({
      field: majorField, rule: 'U2',
      message: `major upgrades are only supported to version 16 or higher (from ${pm} to ${nm})`,
      value: ns.imageName ?? nm,
      fix: 'upgrade straight to PostgreSQL 16 or newer (in-place pg_upgrade), or migrate with a new cluster (import)',
    });
  }

  // U3: image and configuration together with switchover
  if (ps.imageName !== ns.imageName && ns.primaryUpdateMethod === 'switchover') {
    const diff = diffParameters(ps.postgresql?.parameters ?? {}, ns.postgresql?.parameters ?? {});
    if (Object.keys(diff).length > 0) {
      out.push({
        field: 'spec.imageName', rule: 'U3',
        message: `Can't change image name and configuration at the same time when \`primaryUpdateMethod\` is set to \`switchover\`. There are differences in PostgreSQL configuration parameters: ${JSON.stringify(diff)}`,
        value: ns.imageName,
        fix: 'commit and sync the image change first, then the parameter change (or the other way round) as a separate commit',
      });
    }
  }

  // U4, U5, U6: storage
  const shrink = (field: string, a: any, b: any, what: string) => {
    const from = storageSize(a);
    const to = storageSize(b);
    if (from === undefined || to === undefined) return;
    const f = parseQuantity(from);
    const t = parseQuantity(to);
    if (f > 0 && t >= 0 && t < f) {
      out.push({
        field, rule: field.startsWith('spec.walStorage') ? 'U5' : field.startsWith('spec.tablespaces') ? 'U6' : 'U4',
        message: `can't shrink existing storage from ${from} to ${to} (${what}): volumes only grow`,
        value: to,
        fix: `keep ${from} or more; to get smaller volumes, create a new cluster with the smaller size (recovery from a backup, or pg_basebackup) and move the clients to it`,
      });
    }
  };
  shrink('spec.storage', ps.storage, ns.storage, 'data volumes');
  if (isObj(ps.walStorage)) {
    if (!isObj(ns.walStorage)) {
      out.push({
        field: 'spec.walStorage', rule: 'U5',
        message: 'walStorage cannot be disabled once configured',
        fix: 'keep walStorageSize; moving WAL back into the data volume needs a new cluster (recovery from a backup)',
      });
    } else {
      shrink('spec.walStorage', ps.walStorage, ns.walStorage, 'WAL volumes');
    }
  }
  if (Array.isArray(ps.tablespaces)) {
    if (!Array.isArray(ns.tablespaces)) {
      out.push({ field: 'spec.tablespaces', rule: 'U6', message: 'tablespaces section cannot be deleted once created', fix: 'keep the tablespaces; drop a tablespace\'s objects in PostgreSQL first, it stays declared' });
    } else {
      ps.tablespaces.forEach((t: any, i: number) => {
        const n = ns.tablespaces.find((x: any) => x?.name === t?.name);
        if (!n) {
          out.push({ field: `spec.tablespaces[${i}]`, rule: 'U6', message: 'no tablespace can be deleted once created', value: t?.name, fix: 'keep the tablespace declared' });
        } else {
          shrink(`spec.tablespaces[${i}]`, t?.storage, n.storage, `tablespace ${t.name}`);
        }
      });
    }
  }

  // U7: UID/GID
  for (const [k, label] of [['postgresGID', 'GID'], ['postgresUID', 'UID']] as const) {
    if (ps[k] !== ns[k]) {
      out.push({ field: `spec.${k}`, rule: 'U7', message: `${label} is an immutable field in the spec`, value: ns[k], fix: `keep ${ps[k]}` });
    }
  }

  // U8: replication slots
  const prs = ps.replicationSlots;
  const nrs = ns.replicationSlots;
  if (isObj(prs)) {
    if (prs.highAvailability?.enabled === true) {
      if (!isObj(nrs) || !isObj(nrs.highAvailability)) {
        const p = isObj(nrs) ? 'spec.replicationSlots.highAvailability' : 'spec.replicationSlots';
        out.push({ field: p, rule: 'U8', message: `Cannot remove ${p} section while highAvailability is enabled`, fix: 'disable highAvailability first (haReplicationSlots: false), sync, then remove the section' });
      } else if (prs.highAvailability.slotPrefix !== nrs.highAvailability.slotPrefix) {
        out.push({
          field: 'spec.replicationSlots.highAvailability.slotPrefix', rule: 'U8',
          message: 'Cannot change replication slot prefix while highAvailability is enabled', value: nrs.highAvailability.slotPrefix,
          fix: `keep "${prs.highAvailability.slotPrefix}", or disable highAvailability first, sync, then change the prefix and enable it again`,
        });
      }
    }
    if (prs.synchronizeReplicas?.enabled === true && (!isObj(nrs) || !isObj(nrs.synchronizeReplicas))) {
      const p = isObj(nrs) ? 'spec.replicationSlots.synchronizeReplicas' : 'spec.replicationSlots';
      out.push({ field: p, rule: 'U8', message: `Cannot remove ${p} section while synchronizeReplicas is enabled. Disable synchronizeReplicas first to allow cleanup of user-defined replication slots on replicas`, fix: 'set synchronizeReplicas.enabled: false, sync, then remove the section' });
    }
  }

  // U9: wal_level to minimal
  const pwl = ps.postgresql?.parameters?.wal_level;
  const nwl = ns.postgresql?.parameters?.wal_level;
  if (nwl === 'minimal' && typeof pwl === 'string' && pwl !== '' && pwl !== nwl) {
    out.push({
      field: 'spec.postgresql.parameters.wal_level', rule: 'U9',
      message: `Change of \`wal_level\` to \`minimal\` not allowed on an existing cluster (from ${pwl})`, value: 'minimal',
      fix: `keep "${pwl}"; minimal WAL cannot feed replicas, archiving or point-in-time recovery`,
    });
  }

  // U11: serviceAccountName (CEL transition rule: checked when both are set)
  if (typeof ps.serviceAccountName === 'string' && typeof ns.serviceAccountName === 'string' && ps.serviceAccountName !== ns.serviceAccountName) {
    out.push({ field: 'spec.serviceAccountName', rule: 'U11', message: 'serviceAccountName is immutable', value: ns.serviceAccountName, fix: `keep "${ps.serviceAccountName}"` });
  }

  // UL1: storage class of existing volumes
  const classChange = (field: string, a: any, b: any, what: string) => {
    if (!isObj(a) || !isObj(b)) return;
    const from = storageClassOf(a);
    const to = storageClassOf(b);
    if (from === to) return;
    out.push({
      field, rule: 'UL1',
      message: `the storage class of existing ${what} cannot change: the operator never moves existing PVCs (from ${from ?? 'the default StorageClass'} to ${to ?? 'the default StorageClass'}), so old and new instances would end up on different classes`,
      value: to ?? null,
      fix: `keep ${from ?? 'no storage class'}; to move, create a new cluster on the new class (recovery from a backup, or a replica cluster) and switch over, or replace the instances one at a time (kubectl cnpg destroy)`,
    });
  };
  classChange('spec.storage.storageClass', ps.storage, ns.storage, 'data volumes');
  classChange('spec.walStorage.storageClass', ps.walStorage, ns.walStorage, 'WAL volumes');
  list(ps.tablespaces).forEach((t: any, i: number) => {
    const n = list(ns.tablespaces).find((x: any) => x?.name === t?.name);
    if (n) classChange(`spec.tablespaces[${i}].storage.storageClass`, t?.storage, n.storage, `tablespace ${t.name} volumes`);
  });

  // UL2: WAL archiver removed while ScheduledBackups exist
  const before = walArchiver(prev);
  if (before && !walArchiver(next)) {
    const clusterName = nextJson?.metadata?.name;
    const schedules = [...list(context.previousObjects), ...list(context.nextObjects)]
      .filter((o) => o?.kind === 'ScheduledBackup' && sameKey(o, nextJson) && o?.spec?.cluster?.name === clusterName)
      .map((o) => o.metadata?.name);
    if (schedules.length > 0) {
      out.push({
        field: 'spec.plugins', rule: 'UL2',
        message: `the WAL archiver (${before}) is removed while ScheduledBackups of the cluster exist (${[...new Set(schedules)].join(', ')}): their backups would fail and point-in-time recovery ends here`,
        fix: 'remove or suspend the ScheduledBackups first (commit, let Argo CD sync), then remove the archiver in a second commit',
      });
    }
  }

  // UL4: bootstrap is only read when the cluster is created
  if (JSON.stringify(previousJson?.spec?.bootstrap ?? null) !== JSON.stringify(nextJson?.spec?.bootstrap ?? null)) {
    out.push({
      field: 'spec.bootstrap', rule: 'UL4', severity: changeRule('UL4')!.severity,
      message: 'the bootstrap section changed, but the operator reads it only when the cluster is created: the change has no effect on the existing cluster',
      fix: 'create databases and roles with Database objects and managed roles instead; a different bootstrap needs a new cluster',
    });
  }
  return out;
}

/** Immutable fields of the other kinds (CRD `self == oldSelf` transition rules, checked when both are set). */
const IMMUTABLE: Record<string, readonly string[]> = {
  Backup: ['spec'],
  ScheduledBackup: ['spec.cluster'],
  Pooler: ['spec.cluster', 'spec.serviceAccountName'],
  Database: ['spec.name', 'spec.cluster', 'spec.encoding', 'spec.locale', 'spec.localeProvider', 'spec.localeCollate', 'spec.localeCType',
    'spec.icuLocale', 'spec.icuRules', 'spec.builtinLocale', 'spec.collationVersion', 'spec.template'],
  Publication: ['spec.name', 'spec.dbname', 'spec.cluster', 'spec.target.allTables'],
  Subscription: ['spec.name', 'spec.dbname', 'spec.cluster'],
  DatabaseRole: ['spec.name', 'spec.cluster'],
};

function at(obj: any, dotted: string): unknown {
  return dotted.split('.').reduce((o: any, k) => (isObj(o) ? o[k] : undefined), obj);
}

/**
 * The breaking changes of any `postgresql.cnpg.io` object: `checkClusterUpdate` for a Cluster, the immutable fields
 * for the other kinds.
 */
export function checkObjectUpdate(previousJson: any, nextJson: any, context: UpdateContext = {}): UpdateProblem[] {
  if (nextJson?.kind === 'Cluster') return checkClusterUpdate(previousJson, nextJson, context);
  const fields = IMMUTABLE[nextJson?.kind];
  if (!fields) return [];
  const out: UpdateProblem[] = [];
  for (const f of fields) {
    const a = at(previousJson, f);
    const b = at(nextJson, f);
    if (a === undefined || b === undefined) continue;
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push({
        field: f, rule: `2.7#${nextJson.kind}.immutable`,
        message: `${f.replace(/^spec\./, '')} is immutable`, value: b,
        fix: `keep ${JSON.stringify(a)}; to change it, delete the ${nextJson.kind} and create a new one under another name`,
      });
    }
  }
  return out;
}

/** UL3: a deployed Cluster (`namespace/name`) that is no longer synthesized. */
export function removedClusterProblem(key: string): UpdateProblem {
  return {
    field: `Cluster ${key}`, rule: 'UL3',
    message: `the deployed Cluster ${key} is no longer synthesized (removed or renamed): Argo CD's prune would delete it, and the operator deletes its volumes with it`,
    fix: `keep the Cluster (a rename is a delete and a create); if the data is no longer needed, take a final backup and acknowledge with CDK8S_CNPG_ACK=${key}:UL3`,
  };
}

installUpdateRules({ checkObject: checkObjectUpdate, removedCluster: removedClusterProblem });
