import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/** The Argo CD annotation that orders a first sync. */
export const syncWaveAnnotation = 'argocd.argoproj.io/sync-wave';
/** How every Application of the platform retries a failed sync: 5 times, backing off from 10 s to 3 min. */
export const SYNC_RETRY = { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } };

/** The Argo CD annotation of per-resource sync options. */
export const syncOptionsAnnotation = 'argocd.argoproj.io/sync-options';

/**
 * Sync waves that make a first sync of an empty cluster converge: Argo CD applies a wave, waits until it is healthy,
 * then goes on. Namespaces and CRD-bearing operators first (cert-manager before the plugin that needs it), then sealed
 * credentials, the object store, clusters, then what refers to a running cluster, then exposure.
 */
export enum SyncWave {
  /**
   * AppProjects before everything: Argo CD orders custom kinds inside a wave by name only, so an Application could
   * otherwise be created before the project it names.
   */
  PROJECTS = -6,
  NAMESPACES = -5,
  OPERATORS = -4,
  OPERATOR_PLUGINS = -3,
  /** SealedSecrets, guardrails and network policies: in place before any workload starts. */
  CREDENTIALS = -2,
  OBJECT_STORE = -1,
  CLUSTER = 0,
  /** ScheduledBackups, Poolers, Databases, roles, monitoring: they need a running cluster. */
  CLUSTER_CONSUMERS = 1,
  EXPOSURE = 2,
  /** Drills and one-off Jobs. */
  DRILLS = 3,
}

/** The wave of every kind the platform emits (`group/Kind`); a kind missing here is a synth error in the platform. */
export const KIND_SYNC_WAVES: Readonly<Record<string, SyncWave>> = {
  'Namespace': SyncWave.NAMESPACES,
  'argoproj.io/AppProject': SyncWave.PROJECTS,
  'argoproj.io/Application': SyncWave.CLUSTER,
  'helm.cattle.io/HelmChart': SyncWave.OPERATORS,
  'bitnami.com/SealedSecret': SyncWave.CREDENTIALS,
  'LimitRange': SyncWave.CREDENTIALS,
  'ResourceQuota': SyncWave.CREDENTIALS,
  'networking.k8s.io/NetworkPolicy': SyncWave.CREDENTIALS,
  'ConfigMap': SyncWave.CREDENTIALS,
  'barmancloud.cnpg.io/ObjectStore': SyncWave.OBJECT_STORE,
  'postgresql.cnpg.io/ImageCatalog': SyncWave.OBJECT_STORE,
  'postgresql.cnpg.io/ClusterImageCatalog': SyncWave.OBJECT_STORE,
  'postgresql.cnpg.io/Cluster': SyncWave.CLUSTER,
  'postgresql.cnpg.io/ScheduledBackup': SyncWave.CLUSTER_CONSUMERS,
  'postgresql.cnpg.io/Pooler': SyncWave.CLUSTER_CONSUMERS,
  'postgresql.cnpg.io/Database': SyncWave.CLUSTER_CONSUMERS,
  'postgresql.cnpg.io/DatabaseRole': SyncWave.CLUSTER_CONSUMERS,
  'postgresql.cnpg.io/Publication': SyncWave.CLUSTER_CONSUMERS,
  'postgresql.cnpg.io/Subscription': SyncWave.EXPOSURE,
  'monitoring.coreos.com/PodMonitor': SyncWave.CLUSTER_CONSUMERS,
  'monitoring.coreos.com/PrometheusRule': SyncWave.CLUSTER_CONSUMERS,
  'apps/Deployment': SyncWave.EXPOSURE,
  'policy/PodDisruptionBudget': SyncWave.EXPOSURE,
  'Service': SyncWave.EXPOSURE,
  'batch/Job': SyncWave.DRILLS,
  // With the poolers: after the Cluster, whose CA Secret its pods mount.
  'batch/CronJob': SyncWave.CLUSTER_CONSUMERS,
};

/** `group/Kind` of an API object (`Kind` for the core group). */
export function kindKey(obj: ApiObject): string {
  return obj.apiGroup && obj.apiGroup !== 'core' ? `${obj.apiGroup}/${obj.kind}` : obj.kind;
}

/**
 * Annotates every API object below `root` with its sync wave (an explicit annotation wins). Returns the kinds that
 * have no wave, so the caller can report them.
 */
export function applySyncWaves(root: IConstruct): string[] {
  const unknown = new Set<string>();
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    if (annotationOf(c, syncWaveAnnotation) !== undefined) continue;
    const wave = KIND_SYNC_WAVES[kindKey(c)];
    if (wave === undefined) {
      unknown.add(kindKey(c));
      continue;
    }
    c.metadata.addAnnotation(syncWaveAnnotation, String(wave));
  }
  return [...unknown].sort();
}

/** Adds sync options to an object's `argocd.argoproj.io/sync-options` annotation, keeping those already there. */
export function addSyncOptions(obj: ApiObject, ...options: string[]): void {
  const existing = annotationOf(obj, syncOptionsAnnotation);
  const all = [...(existing ? existing.split(',') : []), ...options];
  obj.metadata.addAnnotation(syncOptionsAnnotation, [...new Set(all)].join(','));
}

/** An annotation of an API object as it will render (the metadata API has no getter for annotations). */
export function annotationOf(obj: ApiObject, key: string): string | undefined {
  return obj.metadata.toJson().annotations?.[key];
}
