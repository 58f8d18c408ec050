/**
 * What applying a new version of a Cluster manifest does to the running cluster: reload, rolling restart, rolling
 * update, scaling, in-place major upgrade, or a change CloudNativePG's webhook rejects.
 *
 * A pure function over two Cluster objects (the previous committed `dist/` and the new synth), so update checks can
 * print it at synth time and reviewers see the operational cost of a change before Argo CD applies it.
 *
 * Parameter effects come from the settings tables (`PostgresSettings`, pg_settings' `context`): `postmaster` needs a
 * restart; `sighup`, `superuser` and `user` are applied by a reload; `backend` and `superuser-backend` reach new
 * sessions only. CloudNativePG applies a restart as a rolling restart: the replicas one at a time (highest serial
 * first), then the primary by switchover or in-place restart (`primaryUpdateMethod`), or after a manual
 * `kubectl cnpg promote` with `primaryUpdateStrategy: supervised`.
 */
import { changeRule, ChangeEffect, checkClusterUpdate } from './changes';
import { CNPG_MANAGED_EXTENSIONS, PostgresSettings } from './postgres-settings';

export type { ChangeEffect } from './changes';

/** One change of a cluster. */
export interface ClusterChange {
  /** The manifest field, e.g. `spec.postgresql.parameters.shared_buffers`. */
  readonly field: string;
  /** The previous value (rendered), when there was one. */
  readonly from?: string;
  /** The new value (rendered), when there is one. */
  readonly to?: string;
  readonly effect: ChangeEffect;
  /** What happens, in operator terms. */
  readonly detail: string;
}

/** The impact of a new Cluster manifest. */
export interface ChangeImpact {
  /** `namespace/name` of the cluster. */
  readonly cluster: string;
  readonly changes: readonly ClusterChange[];
  /** The most disruptive effect of all changes (`none` without changes). */
  readonly overall: ChangeEffect;
  /** `error` when a change is rejected or deletes the cluster, `warning` for restarts, updates, upgrades and scale-down. */
  readonly severity: 'info' | 'warning' | 'error';
  /** One line for the synth output. */
  readonly summary: string;
}

const RANK: ChangeEffect[] = ['none', 'online', 'new-sessions', 'reload', 'unclassified', 'scale-up', 'scale-down', 'restart', 'rolling-update', 'major-upgrade', 'created', 'replaced', 'rejected'];

/** A standby needs values ≥ the primary's for these (PostgreSQL's hot standby rules). */
const HOT_STANDBY_SENSITIVE = ['max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction'];

/** Spec fields whose change only recreates pods (a rolling update). */
const POD_FIELDS = ['resources', 'affinity', 'topologySpreadConstraints', 'env', 'envFrom', 'ephemeralVolumeSource', 'ephemeralVolumesSizeLimit', 'projectedVolumeTemplate', 'serviceAccountTemplate', 'priorityClassName', 'schedulerName', 'seccompProfile', 'podSecurityContext', 'securityContext', 'imagePullPolicy', 'imagePullSecrets', 'plugins', 'postgresUID', 'postgresGID'];
/** Spec fields the operator applies without restarting PostgreSQL. */
const ONLINE_FIELDS = ['managed', 'enablePDB', 'primaryUpdateStrategy', 'primaryUpdateMethod', 'monitoring', 'replicationSlots', 'enableSuperuserAccess', 'superuserSecret', 'failoverDelay', 'switchoverDelay', 'startDelay', 'stopDelay', 'smartShutdownTimeout', 'maxSyncReplicas', 'minSyncReplicas', 'logLevel', 'description', 'inheritedMetadata', 'probes', 'livenessProbeTimeout', 'backup', 'certificates'];
/** Spec fields only read when the cluster is created. */
const CREATION_FIELDS = ['bootstrap', 'externalClusters'];

/**
 * The impact of replacing the Cluster manifest `previous` with `next` (either may be undefined: created / deleted).
 * Both are plain Cluster objects as synthesized (`apiVersion`, `kind`, `metadata`, `spec`).
 */
export function describeChangeImpact(previous: any, next: any): ChangeImpact {
  const id = (o: any) => `${o?.metadata?.namespace ?? ''}/${o?.metadata?.name ?? ''}`;
  const changes: ClusterChange[] = [];
  if (!previous && !next) return finish('/', changes);
  if (!previous) {
    changes.push({ field: 'metadata.name', to: id(next), effect: 'created', detail: `a new cluster: ${describeBootstrap(next?.spec?.bootstrap)}` });
    return finish(id(next), changes);
  }
  if (!next) {
    changes.push({ field: 'metadata.name', from: id(previous), effect: 'replaced', detail: 'the Cluster is removed: when Argo CD prunes it, the operator deletes its pods and data volumes' });
    return finish(id(previous), changes);
  }
  if (id(previous) !== id(next)) {
    changes.push({
      field: 'metadata.name', from: id(previous), to: id(next), effect: 'replaced',
      detail: 'name and namespace identify the cluster: this creates a new, empty cluster and (when Argo CD prunes) deletes the old one with its data volumes',
    });
    return finish(id(next), changes);
  }
  const p = previous.spec ?? {};
  const n = next.spec ?? {};
  const rolling = rollingText(n);

  // The update rules' findings (the change table, lib/rules/changes.ts), with the effect of their row: the
  // differences below skip what they cover.
  const ruled = checkClusterUpdate(previous, next);
  for (const f of ruled) {
    const value = 'value' in f && f.value !== undefined && f.value !== null ? String(f.value) : undefined;
    changes.push({ field: f.field, to: value, effect: changeRule(f.rule)?.effect ?? 'rejected', detail: `${f.message} [rule ${f.rule}]` });
  }
  const covered = (field: string) => ruled.some((f) => f.field === field || f.field.startsWith(`${field}.`) || f.field.startsWith(`${field}[`));

  diffImage(p, n, changes, rolling, covered('spec.imageName') || covered('spec.imageCatalogRef'));
  diffParameters(p, n, changes, rolling, covered);
  diffPreload(p, n, changes, rolling);
  diffInstances(p, n, changes);
  diffStorage(p, n, changes, covered);
  if (!same(p.postgresql?.extensions, n.postgresql?.extensions)) {
    changes.push({
      field: 'spec.postgresql.extensions', from: names(p.postgresql?.extensions), to: names(n.postgresql?.extensions), effect: 'rolling-update',
      detail: `the extension image volumes change: every pod is recreated, ${rolling}`,
    });
  }
  for (const key of ['pg_hba', 'pg_ident'] as const) {
    if (!same(p.postgresql?.[key], n.postgresql?.[key])) {
      changes.push({ field: `spec.postgresql.${key}`, effect: 'reload', detail: `${key}.conf is rewritten and reloaded on every instance; existing connections stay, new ones use the new rules` });
    }
  }
  for (const key of ['synchronous', 'ldap', 'syncReplicaElectionConstraint', 'enableAlterSystem'] as const) {
    if (!same(p.postgresql?.[key], n.postgresql?.[key])) {
      changes.push({ field: `spec.postgresql.${key}`, effect: key === 'enableAlterSystem' ? 'restart' : 'reload', detail: key === 'enableAlterSystem' ? `allow_alter_system changes: ${rolling}` : 'the operator rewrites the configuration and reloads it' });
    }
  }
  const handled = new Set(['imageName', 'imageCatalogRef', 'instances', 'storage', 'walStorage', 'postgresql']);
  const keys = [...new Set([...Object.keys(p), ...Object.keys(n)])].filter((k) => !handled.has(k)).sort();
  for (const key of keys) {
    if (same(p[key], n[key])) continue;
    const field = `spec.${key}`;
    if (covered(field)) continue;
    if (POD_FIELDS.includes(key)) {
      changes.push({ field, effect: 'rolling-update', detail: `the pod template changes: every pod is recreated, ${rolling}` });
    } else if (ONLINE_FIELDS.includes(key)) {
      changes.push({ field, effect: 'online', detail: key === 'managed' ? 'the operator reconciles roles and services online' : 'the operator applies it without restarting PostgreSQL' });
    } else if (CREATION_FIELDS.includes(key)) {
      changes.push({ field, effect: 'none', detail: 'only read when the cluster is created: an existing cluster ignores it (replicas and recovery are unaffected)' });
    } else {
      changes.push({ field, effect: 'unclassified', detail: 'not classified by this check: read the CloudNativePG docs for its effect' });
    }
  }
  return finish(id(next), changes);
}

/** The impact as lines: the summary, then one line per change. */
export function formatChangeImpact(impact: ChangeImpact): string[] {
  return [
    impact.summary,
    ...impact.changes.map((c) => {
      const values = c.from !== undefined || c.to !== undefined ? ` (${c.from ?? '∅'} → ${c.to ?? '∅'})` : '';
      return `  ${c.effect}: ${c.field}${values}: ${c.detail}`;
    }),
  ];
}

function finish(cluster: string, changes: ClusterChange[]): ChangeImpact {
  const overall = changes.reduce<ChangeEffect>((acc, c) => (RANK.indexOf(c.effect) > RANK.indexOf(acc) ? c.effect : acc), 'none');
  const severity = overall === 'rejected' || overall === 'replaced'
    ? 'error'
    : ['restart', 'rolling-update', 'major-upgrade', 'scale-down', 'unclassified'].includes(overall) ? 'warning' : 'info';
  const counts = new Map<ChangeEffect, number>();
  for (const c of changes) counts.set(c.effect, (counts.get(c.effect) ?? 0) + 1);
  const what = [...counts.entries()].sort((a, b) => RANK.indexOf(b[0]) - RANK.indexOf(a[0])).map(([e, k]) => `${k} ${e}`).join(', ');
  const folded = overall === 'rolling-update' && counts.has('restart') ? '; the restarts happen within the same rolling update' : '';
  const summary = changes.length === 0
    ? `cluster ${cluster}: no change`
    : `cluster ${cluster}: ${headline(overall)} (${what})${folded}`;
  return { cluster, changes, overall, severity, summary };
}

function headline(effect: ChangeEffect): string {
  switch (effect) {
    case 'rejected': return 'REJECTED by CloudNativePG: fix before merging';
    case 'replaced': return 'the cluster is DELETED or replaced: its data goes with it';
    case 'created': return 'new cluster';
    case 'major-upgrade': return 'offline major upgrade: the whole cluster is down while pg_upgrade runs';
    case 'rolling-update': return 'rolling update: every pod is recreated';
    case 'restart': return 'rolling restart of every instance';
    case 'scale-down': return 'replicas removed';
    case 'scale-up': return 'replicas added';
    case 'unclassified': return 'changes to review';
    case 'reload': return 'applied online by a configuration reload';
    case 'new-sessions': return 'applied to new sessions';
    case 'online': return 'applied online';
    default: return 'nothing to apply';
  }
}

function rollingText(spec: any): string {
  const method = spec.primaryUpdateMethod ?? 'restart';
  const supervised = (spec.primaryUpdateStrategy ?? 'unsupervised') === 'supervised';
  const primary = supervised
    ? 'then the operator waits for a manual switchover (kubectl cnpg promote) or restart of the primary'
    : method === 'switchover'
      ? 'then a switchover promotes the most aligned replica and the old primary is updated'
      : 'then the primary restarts in place (a short write outage; a switchover if a restart is not possible)';
  return `the replicas one at a time (highest serial first), ${primary}`;
}

interface ImageInfo { ref: string; major: number; minor: number; os?: string; catalog?: string }

function imageInfo(spec: any): ImageInfo | undefined {
  if (spec.imageCatalogRef) {
    const r = spec.imageCatalogRef;
    return { ref: `${r.kind}/${r.name}@${r.major}`, major: Number(r.major), minor: NaN, catalog: `${r.kind}/${r.name}` };
  }
  if (typeof spec.imageName !== 'string') return undefined;
  const withoutDigest = spec.imageName.split('@')[0];
  const last = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.lastIndexOf(':') + 1) : '';
  const m = /^(\d+)(?:\.(\d+))?/.exec(tag);
  const os = /-(trixie|bookworm|bullseye)$/.exec(tag)?.[1];
  return { ref: spec.imageName, major: m ? Number(m[1]) : NaN, minor: m && m[2] !== undefined ? Number(m[2]) : NaN, os };
}

function diffImage(p: any, n: any, changes: ClusterChange[], rolling: string, ruled: boolean): boolean {
  const a = imageInfo(p);
  const b = imageInfo(n);
  if (a?.ref === b?.ref) return false;
  if (ruled) return true; // a downgrade, an upgrade below 16, or image and parameters with switchover (the change table)
  const field = n.imageCatalogRef || p.imageCatalogRef ? 'spec.imageCatalogRef' : 'spec.imageName';
  const from = a?.ref;
  const to = b?.ref;
  if (!a || !b || Number.isNaN(a.major) || Number.isNaN(b.major)) {
    changes.push({ field, from, to, effect: 'rolling-update', detail: `the image changes: every pod is recreated with it, ${rolling}` });
    return true;
  }
  if (b.major > a.major) {
    if (a.os && b.os && a.os !== b.os) {
      changes.push({ field, from, to, effect: 'rejected', detail: `in-place major upgrades need images of the same distribution (${a.os} → ${b.os}): upgrade the major on ${a.os} first, or import into a new cluster` });
    } else {
      const archive = archiveServerName(p) !== undefined && archiveServerName(p) === archiveServerName(n)
        ? ` The WAL archive keeps serverName "${archiveServerName(n)}": the new major starts a new system id on timeline 1 and would mix with the old archive; change serverName in the same commit and take a base backup right after.`
        : ' Take a new base backup right after: backups of the old major cannot recover past the upgrade.';
      changes.push({
        field, from, to, effect: 'major-upgrade',
        detail: `PostgreSQL ${a.major} → ${b.major} in place: all instances shut down, a Job runs pg_upgrade --link on the primary's volumes, the replicas' volumes are deleted and re-cloned; the cluster is unavailable meanwhile. Rollback: revert the image while the upgrade Job has not succeeded. Run ANALYZE afterwards (statistics are not carried over).${archive}`,
      });
    }
  } else {
    const minorText = !Number.isNaN(a.minor) && !Number.isNaN(b.minor)
      ? (b.minor > a.minor ? `minor upgrade ${a.major}.${a.minor} → ${b.major}.${b.minor}` : b.minor < a.minor ? `minor downgrade ${a.major}.${a.minor} → ${b.major}.${b.minor} (binary compatible, but check the release notes)` : 'new image of the same version')
      : 'image change within the same major';
    changes.push({ field, from, to, effect: 'rolling-update', detail: `${minorText}: every pod is recreated with the new image, ${rolling}` });
  }
  return true;
}

function archiveServerName(spec: any): string | undefined {
  const archiver = (spec.plugins ?? []).find((x: any) => x?.isWALArchiver || x?.isWalArchiver);
  if (!archiver) return undefined;
  return archiver.parameters?.serverName ?? '<cluster name>';
}

function majorOf(spec: any): number {
  const info = imageInfo(spec);
  return info && !Number.isNaN(info.major) ? info.major : 18;
}

function settingsFor(major: number): PostgresSettings | undefined {
  try {
    return PostgresSettings.forMajor(major);
  } catch {
    return undefined;
  }
}

function diffParameters(p: any, n: any, changes: ClusterChange[], rolling: string, covered: (field: string) => boolean): boolean {
  const before: Record<string, string> = p.postgresql?.parameters ?? {};
  const after: Record<string, string> = n.postgresql?.parameters ?? {};
  const settings = settingsFor(majorOf(n)) ?? settingsFor(18)!;
  let changed = false;
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = before[name];
    const b = after[name];
    if (a === b) continue;
    changed = true;
    const field = `spec.postgresql.parameters.${name}`;
    if (covered(field)) continue;
    if (a !== undefined && b !== undefined) {
      const pa = settings.parse(name, a);
      const pb = settings.parse(name, b);
      if (pa.ok && pb.ok && pa.value === pb.value) {
        changes.push({ field, from: a, to: b, effect: 'none', detail: 'the same value written differently' });
        continue;
      }
    }
    const s = settings.get(name);
    const what = b === undefined ? 'removed: back to the default' : a === undefined ? 'set' : 'changed';
    if (!s) {
      changes.push({ field, from: a, to: b, effect: 'reload', detail: `${what}; not a setting of PostgreSQL ${settings.major} or its contrib modules (a custom or extension setting): assumed reloadable` });
      continue;
    }
    switch (s.context) {
      case 'postmaster': {
        let detail = `${what}; "${name}" can only change at server start (context postmaster): ${rolling}`;
        if (HOT_STANDBY_SENSITIVE.includes(name) && decreased(settings, name, a, b)) {
          detail += `. It decreases: standbys need a value at least as high as the primary's, so until every instance has restarted a standby may refuse to start; watch the rollout`;
        }
        changes.push({ field, from: a, to: b, effect: 'restart', detail });
        break;
      }
      case 'sighup':
        changes.push({ field, from: a, to: b, effect: 'reload', detail: `${what}; applied online by a reload (context sighup)` });
        break;
      case 'user':
      case 'superuser':
        changes.push({ field, from: a, to: b, effect: 'reload', detail: `${what}; applied online by a reload, as the new default of every session (context ${s.context})` });
        break;
      case 'backend':
      case 'superuser-backend':
        changes.push({ field, from: a, to: b, effect: 'new-sessions', detail: `${what}; applied by a reload to new connections only (context ${s.context})` });
        break;
      default:
        changes.push({ field, from: a, to: b, effect: 'rejected', detail: `"${name}" is read-only (context ${s.context})` });
    }
  }
  return changed;
}

function decreased(settings: PostgresSettings, name: string, a: string | undefined, b: string | undefined): boolean {
  const def = settings.get(name)?.default;
  const pa = settings.parse(name, a ?? def ?? '');
  const pb = settings.parse(name, b ?? def ?? '');
  return pa.ok && pb.ok && typeof pa.value === 'number' && typeof pb.value === 'number' && pb.value < pa.value;
}

/** shared_preload_libraries as the operator computes it: the spec's list plus its managed modules in use. */
function effectivePreload(spec: any): string[] {
  const params = Object.keys(spec.postgresql?.parameters ?? {});
  const managed = CNPG_MANAGED_EXTENSIONS.filter((m) => params.some((k) => k.startsWith(`${m}.`)));
  return [...new Set([...(spec.postgresql?.shared_preload_libraries ?? spec.postgresql?.sharedPreloadLibraries ?? []), ...managed])].sort();
}

function diffPreload(p: any, n: any, changes: ClusterChange[], rolling: string): void {
  const a = effectivePreload(p);
  const b = effectivePreload(n);
  if (same(a, b)) return;
  changes.push({
    field: 'spec.postgresql.shared_preload_libraries', from: a.join(',') || '∅', to: b.join(',') || '∅', effect: 'restart',
    detail: `the preloaded libraries change (listed, or loaded by the operator for pgaudit.*, pg_stat_statements.*, auto_explain.*, pg_failover_slots.* parameters): ${rolling}`,
  });
}

function diffInstances(p: any, n: any, changes: ClusterChange[]): void {
  const a = Number(p.instances ?? 1);
  const b = Number(n.instances ?? 1);
  const sync = Number(n.postgresql?.synchronous?.number ?? 0);
  if (sync > 0 && sync >= b) {
    changes.push({ field: 'spec.instances', from: String(a), to: String(b), effect: 'rejected', detail: `synchronous.number (${sync}) must be less than the number of instances` });
    return;
  }
  if (a === b) return;
  if (b > a) {
    changes.push({
      field: 'spec.instances', from: String(a), to: String(b), effect: 'scale-up',
      detail: `${b - a} new replica(s) are created one at a time: a new volume, a pg_basebackup streamed from the primary, then streaming replication; the primary serves meanwhile (extra I/O and network while cloning)`,
    });
  } else {
    const note = b === 1 ? '; with one instance there is no failover, and the operator-managed PodDisruptionBudgets no longer protect it' : '';
    changes.push({
      field: 'spec.instances', from: String(a), to: String(b), effect: 'scale-down',
      detail: `${a - b} replica(s) with the highest serial numbers are shut down and removed; the primary is never removed by a scale-down${note}`,
    });
  }
}

function diffStorage(p: any, n: any, changes: ClusterChange[], covered: (field: string) => boolean): void {
  for (const key of ['storage', 'walStorage'] as const) {
    const a = p[key];
    const b = n[key];
    if (same(a, b)) continue;
    const field = `spec.${key}`;
    if (covered(field)) continue; // removed, shrunk or another storage class (the change table)
    if (a && !b) {
      changes.push({ field, effect: key === 'walStorage' ? 'rejected' : 'unclassified', detail: key === 'walStorage' ? 'walStorage cannot be disabled once configured' : 'the storage stanza is removed' });
      continue;
    }
    if (!a && b) {
      changes.push({ field, effect: 'rolling-update', detail: 'a separate WAL volume is added: the instances are recreated with it, replicas first' });
      continue;
    }
    const sa = quantityBytes(a?.size);
    const sb = quantityBytes(b?.size);
    if (a?.size !== b?.size) {
      if (sa !== undefined && sb !== undefined && sb < sa) {
        changes.push({ field: `${field}.size`, from: a.size, to: b.size, effect: 'rejected', detail: `can't shrink existing storage from ${a.size} to ${b.size}` });
      } else {
        changes.push({ field: `${field}.size`, from: a?.size, to: b?.size, effect: 'online', detail: 'the volumes are expanded online (resizeInUseVolumes; the StorageClass must allow volume expansion)' });
      }
    }
    if (a?.storageClass !== b?.storageClass) {
      changes.push({ field: `${field}.storageClass`, from: a?.storageClass, to: b?.storageClass, effect: 'none', detail: 'existing volumes keep their StorageClass; only new instances (scale-up, re-cloned replicas) get the new one' });
    }
  }
}

function quantityBytes(q: unknown): number | undefined {
  if (typeof q !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(q);
  if (!m) return undefined;
  const mult: Record<string, number> = { '': 1, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50 };
  return Number(m[1]) * mult[m[2] ?? ''];
}

function describeBootstrap(b: any): string {
  if (b?.recovery) return `recovered from "${b.recovery.source ?? b.recovery.backup?.name}"`;
  if (b?.pg_basebackup || b?.pgBasebackup) return 'cloned with pg_basebackup';
  if (b?.initdb?.import) return `initdb with a ${b.initdb.import.type} import from "${b.initdb.import.source?.externalCluster}"`;
  return 'an empty initdb';
}

function names(list: any[] | undefined): string {
  return (list ?? []).map((e) => e?.name).join(',') || '∅';
}

function same(a: unknown, b: unknown): boolean {
  return stable(a) === stable(b);
}

function stable(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object).sort().filter((k) => (v as any)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stable((v as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
