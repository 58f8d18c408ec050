import * as fs from 'fs';
import * as path from 'path';
import { yamlParser } from '../core/yaml-parser';
import { chartFacts, ChartFacts } from './chart-facts';
import { BOOTSTRAP_LABEL, foreignNamespacesOf, isClusterScopedKind } from './kubernetes-cluster';
import { syncWaveAnnotation } from './sync-waves';

/**
 * A first-sync model: plays what `dist/` declares into an EMPTY Kubernetes cluster the way Argo CD (or, for the k3s
 * delivery, kubectl and the k3s helm-controller) would, and reports everything that would stop it converging.
 *
 * Argo CD's rules it follows (argoproj/argo-cd docs/user-guide/sync-waves.md and gitops-engine pkg/sync, v3.x):
 * - an application applies its objects wave by wave (the `argocd.argoproj.io/sync-wave` annotation), inside a wave by
 *   kind order, and waits for a wave to be healthy before the next;
 * - an app of apps does the same with its child Applications: with the Application health check installed, a wave of
 *   children must be healthy before the next wave starts, so the order that matters between two folders is the wave
 *   of their Applications, never the waves of the objects inside them;
 * - every object is checked against the application's AppProject (source repository, destination namespace,
 *   cluster-scoped kinds);
 * - `CreateNamespace=true` is the only way an application creates its destination namespace;
 * - an object whose CRD is not installed cannot be applied (`SkipDryRunOnMissingResource` only skips the dry run),
 *   and an object whose admission webhook has no ready controller is rejected.
 *
 * What only a real cluster can show (and this model does not): image pulls, storage provisioning, node capacity, the
 * network path to the object store, and timing (how long a wave takes).
 */

/** A rendered manifest (plain JSON, as in `dist/`). */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; [k: string]: any };

/** The repository as Argo CD sees it: folder (e.g. `dist/default/database`) → the objects of its `*.yaml` files. */
export type ManifestRepository = ReadonlyMap<string, readonly Manifest[]>;

/** Something that would stop the first sync from converging. */
export interface FirstSyncProblem {
  /** The application (or `kubectl` for what a human applies) that would fail. */
  readonly application: string;
  /** The object, `Kind namespace/name`. */
  readonly object: string;
  /** What is missing or forbidden. */
  readonly missing: string;
  /** What to do instead. */
  readonly fix: string;
}

/** One step of the timeline: what an application applies in one wave and what that wave waits for. */
export interface SyncStep {
  /** The chain of applications from the root, e.g. `['tutorial-cluster-root', 'default-root', 'default-database']`. */
  readonly applications: readonly string[];
  /** The wave inside the last application. */
  readonly wave: number;
  /** The objects applied, `Kind namespace/name` (Helm releases as `HelmRelease namespace/name (chart version)`). */
  readonly applies: readonly string[];
  /** What the wave waits for before the next one starts, with the reason. */
  readonly waitsFor: readonly string[];
  /** What earlier steps provided that this wave needs (CRDs, controllers, referenced objects), with who provided it. */
  readonly needs: readonly string[];
}

/** The result of a model run. */
export interface FirstSyncResult {
  readonly problems: readonly FirstSyncProblem[];
  readonly timeline: readonly SyncStep[];
}

/** Where the model starts: the folder a human applies the bootstrap objects from. */
export interface FirstSyncOptions {
  /** Argo CD (`argocd`), or the k3s helm-controller plus `kubectl apply` in wave order (`k3s`). */
  readonly mode: 'argocd' | 'k3s';
  /**
   * Argo CD: the folders whose root application and AppProject a human applies, one after the other, into the same
   * cluster. The root is the Application labelled `cdk8s-cnpg/bootstrap: "true"` (`kubectl apply -l
   * cdk8s-cnpg/bootstrap=true -f <folder>`), else the Application that syncs the folder itself.
   */
  readonly bootstrapFolders?: readonly string[];
  /**
   * Kinds (`group/Kind`) whose CRD and controller exist before the first sync because something outside `dist/`
   * installed them (e.g. `monitoring.coreos.com/PodMonitor` of a Prometheus Operator installed otherwise).
   * @default - none
   */
  readonly preinstalledKinds?: readonly string[];
  /** k3s: the folders applied with kubectl, in order (namespaces and HelmCharts first). */
  readonly k3sFolders?: readonly string[];
  /**
   * Namespace Argo CD runs in (it exists before the first sync).
   * @default "argocd"
   */
  readonly argocdNamespace?: string;
}

/** Kinds served by every cluster (`group/Kind`, core kinds bare): no CRD needed. */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'apiextensions.k8s.io',
  'admissionregistration.k8s.io', 'apiregistration.k8s.io', 'storage.k8s.io', 'scheduling.k8s.io', 'autoscaling', 'coordination.k8s.io', 'discovery.k8s.io']);

/**
 * Argo CD's kind order inside a wave (argoproj/gitops-engine pkg/sync/sync_tasks.go `kindOrder` and `Less`,
 * master@5baed56, 2025-12-17: the Helm install order); every other kind ranks after these, and ties go by NAME only,
 * not by kind.
 */
const KIND_ORDER = ['Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount',
  'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole',
  'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet',
  'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService'];

/** `group/Kind` of a manifest (`Kind` for the core group). */
export function groupKindOf(m: Pick<Manifest, 'apiVersion' | 'kind'>): string {
  const slash = m.apiVersion.indexOf('/');
  return slash < 0 ? m.kind : `${m.apiVersion.slice(0, slash)}/${m.kind}`;
}

const groupOf = (groupKind: string) => (groupKind.includes('/') ? groupKind.slice(0, groupKind.lastIndexOf('/')) : '');

/** `Kind namespace/name` (cluster-scoped: `Kind name`). */
export function describeObject(m: Manifest): string {
  return m.metadata.namespace ? `${m.kind} ${m.metadata.namespace}/${m.metadata.name}` : `${m.kind} ${m.metadata.name}`;
}

const waveOf = (m: Manifest) => Number(m.metadata.annotations?.[syncWaveAnnotation] ?? 0);

/** An object that exists in the model cluster, and who made it. */
interface Existing { readonly by: string }

/**
 * A map that sees its parent's entries and writes only its own: cloning the model's state for each application of a
 * wave is then O(1), not a copy of everything applied so far (a fleet of a thousand tenants syncs a thousand roots side
 * by side). Iterating yields only this layer's own entries: what was added since the clone.
 */
class LayeredMap<V> {
  private readonly own = new Map<string, V>();
  public constructor(private readonly parent?: LayeredMap<V>) {}
  public get(key: string): V | undefined {
    return this.own.has(key) ? this.own.get(key) : this.parent?.get(key);
  }
  public has(key: string): boolean {
    return this.own.has(key) || (this.parent?.has(key) ?? false);
  }
  public set(key: string, value: V): void {
    this.own.set(key, value);
  }
  public [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.own.entries();
  }
}

const STATE_KEYS = ['namespaces', 'crds', 'controllers', 'webhooks', 'objects', 'releases', 'projects'] as const;

/** The model cluster's state. */
class ClusterState {
  public readonly namespaces: LayeredMap<Existing>;
  /** `group/Kind` → who installed its CRD. */
  public readonly crds: LayeredMap<Existing>;
  /** `group/Kind` → the controller (application) that serves it, once healthy. */
  public readonly controllers: LayeredMap<Existing>;
  /** API group → the application whose admission webhook serves it, once healthy. */
  public readonly webhooks: LayeredMap<Existing>;
  /** `group/Kind namespace/name` → who made it. */
  public readonly objects: LayeredMap<Existing>;
  /** Helm releases `namespace/name` → the application that installs them. */
  public readonly releases: LayeredMap<Existing>;
  /** AppProjects by name. */
  public readonly projects: LayeredMap<Manifest>;

  public constructor(parent?: ClusterState) {
    this.namespaces = new LayeredMap(parent?.namespaces);
    this.crds = new LayeredMap(parent?.crds);
    this.controllers = new LayeredMap(parent?.controllers);
    this.webhooks = new LayeredMap(parent?.webhooks);
    this.objects = new LayeredMap(parent?.objects);
    this.releases = new LayeredMap(parent?.releases);
    this.projects = new LayeredMap(parent?.projects);
  }

  /** A state that starts as this one; what it adds stays its own (and is what iterating its maps yields). */
  public clone(): ClusterState {
    return new ClusterState(this);
  }

  /** Adds what `other` added and this does not have (the end of a wave of concurrent applications). */
  public merge(other: ClusterState): void {
    for (const key of STATE_KEYS) {
      const mine = this[key] as LayeredMap<unknown>;
      for (const [k, v] of other[key] as LayeredMap<unknown>) if (!mine.has(k)) mine.set(k, v);
    }
  }

  public hasKind(groupKind: string): boolean {
    return BUILT_IN_GROUPS.has(groupOf(groupKind)) || this.crds.has(groupKind);
  }
}

/** A reference from one object to another that must exist for the first to work. */
export interface ObjectReference {
  readonly groupKind: string;
  readonly namespace?: string;
  readonly name: string;
  /** The field that refers, e.g. `spec.cluster.name`. */
  readonly field: string;
}

const key = (groupKind: string, namespace: string | undefined, name: string) => `${groupKind} ${namespace ? `${namespace}/` : ''}${name}`;

/**
 * The model. Build it from the repository, then `run()`: it returns every problem (not only the first) and the
 * timeline.
 */
export class FirstSyncModel {
  private readonly problems: FirstSyncProblem[] = [];
  private readonly timeline: SyncStep[] = [];
  private readonly argocdNamespace: string;
  /** Every Cluster in the repository, to follow a Subscription to its publisher through the Cluster's external clusters. */
  private readonly clusters = new Map<string, Manifest>();

  public constructor(private readonly repo: ManifestRepository, private readonly options: FirstSyncOptions) {
    this.argocdNamespace = options.argocdNamespace ?? 'argocd';
    for (const objects of repo.values()) {
      for (const o of objects) if (groupKindOf(o) === 'postgresql.cnpg.io/Cluster') this.clusters.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
    }
  }

  public run(): FirstSyncResult {
    const state = new ClusterState();
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) state.namespaces.set(ns, { by: 'the empty cluster' });
    for (const kind of this.options.preinstalledKinds ?? []) {
      state.crds.set(kind, { by: 'preinstalled' });
      state.controllers.set(kind, { by: 'preinstalled' });
    }
    if (this.options.mode === 'argocd') {
      state.namespaces.set(this.argocdNamespace, { by: 'the Argo CD install' });
      for (const kind of ['argoproj.io/Application', 'argoproj.io/AppProject', 'argoproj.io/ApplicationSet']) {
        state.crds.set(kind, { by: 'the Argo CD install' });
        state.controllers.set(kind, { by: 'the Argo CD install' });
      }
      for (const folder of this.options.bootstrapFolders ?? []) this.bootstrapArgoCd(state, folder);
    } else {
      state.crds.set('helm.cattle.io/HelmChart', { by: 'k3s' });
      state.controllers.set('helm.cattle.io/HelmChart', { by: 'k3s' });
      this.bootstrapK3s(state);
    }
    return { problems: this.problems, timeline: this.timeline };
  }

  private problem(application: string, object: string, missing: string, fix: string): void {
    this.problems.push({ application, object, missing, fix });
  }

  // ---------------------------------------------------------------- Argo CD

  private bootstrapArgoCd(state: ClusterState, folder: string): void {
    const objects = this.repo.get(folder);
    if (!objects) {
      this.problem('kubectl', folder, 'the bootstrap folder is not in the repository', 'synthesize the Argo CD delivery (delivery.repoUrl) first');
      return;
    }
    const bootstrap = bootstrapObjects(objects, folder);
    const roots = bootstrap.filter((o) => groupKindOf(o) === 'argoproj.io/Application');
    if (roots.length !== 1) {
      this.problem('kubectl', folder, `exactly one Application labelled ${BOOTSTRAP_LABEL}=true must be applied by hand (found ${roots.length})`, 'label the root application (and only it) and its AppProject');
      return;
    }
    // A human applies the root application and its project (kubectl, no AppProject rules), then Argo CD takes over.
    for (const o of bootstrap) this.record(state, o, 'kubectl (bootstrap)');
    for (const p of bootstrap.filter((o) => groupKindOf(o) === 'argoproj.io/AppProject')) state.projects.set(p.metadata.name, p);
    this.timeline.push({ applications: ['kubectl'], wave: 0, applies: bootstrap.map(describeObject), waitsFor: [`${roots[0].metadata.name} healthy`], needs: [] });
    this.syncApplication(roots[0], state, []);
  }

  /** Syncs one Application into `state` (which it updates) and returns whether it ends healthy. */
  private syncApplication(app: Manifest, state: ClusterState, chain: readonly string[]): boolean {
    const name = app.metadata.name;
    const here = [...chain, name];
    const project = state.projects.get(app.spec?.project);
    if (!project) {
      this.problem(name, describeObject(app), `its AppProject ${app.spec?.project} does not exist when the application is created`, 'create the AppProject in an earlier wave (or in the bootstrap objects)');
      return false;
    }
    const source = app.spec?.source ?? {};
    if (!matchesAny(source.repoURL, project.spec?.sourceRepos ?? [])) {
      this.problem(name, describeObject(app), `the project ${project.metadata.name} does not allow the source repository ${source.repoURL}`, `add it to the AppProject's sourceRepos`);
    }
    if (source.chart) return this.syncHelmApplication(app, project, state, here);
    const objects = this.repo.get(source.path);
    if (!objects) {
      this.problem(name, describeObject(app), `its path ${source.path} is not in the repository (synth produces no such folder)`, 'point the Application at a folder synth writes, or remove it');
      return false;
    }
    const syncOptions: string[] = app.spec?.syncPolicy?.syncOptions ?? [];
    const destinationNamespace: string | undefined = app.spec?.destination?.namespace;
    if (syncOptions.includes('CreateNamespace=true') && destinationNamespace && !state.namespaces.has(destinationNamespace)) {
      state.namespaces.set(destinationNamespace, { by: name });
    }
    let healthy = true;
    // Applications without automated sync (a drill) are created but not synced: a human syncs them once the rest is
    // up, so the model plays them after every wave (and their health check must not hold the waves back).
    const manual: Manifest[] = [];
    for (const [wave, inWave] of groupByWave(objects)) {
      const before = state.clone();
      const needs = new Set<string>();
      const children: Manifest[] = [];
      for (const obj of inWave) {
        const o = withNamespace(obj, destinationNamespace);
        healthy = this.admit(o, name, project, before, state, needs) && healthy;
        this.record(state, o, name);
        // An app of apps lists itself too (it manages its own definition): that is not a child to sync again.
        if (groupKindOf(o) === 'argoproj.io/Application' && !here.includes(o.metadata.name)) (o.spec?.syncPolicy?.automated ? children : manual).push(o);
      }
      const waitsFor = inWave.map((o) => healthReason(o)).filter((x): x is string => x !== undefined);
      this.timeline.push({ applications: here, wave, applies: inWave.map((o) => describeObject(withNamespace(o, destinationNamespace))), waitsFor, needs: [...needs].sort() });
      // Children of one wave sync concurrently: each sees the state before the wave plus its own work.
      const after = state.clone();
      for (const child of children) {
        const own = after.clone();
        healthy = this.syncApplication(child, own, here) && healthy;
        healthy = this.reportConcurrentOwners(state, own, after) && healthy;
        state.merge(own);
      }
      this.produce(state, inWave.map((o) => withNamespace(o, destinationNamespace)), name);
    }
    for (const child of manual) healthy = this.syncApplication(child, state, [...here, 'by hand']) && healthy;
    return healthy;
  }

  /**
   * Applications of one wave sync side by side, so none sees the others' objects while it syncs: an object (or Helm
   * release) that two of them create is found when their results are merged.
   */
  private reportConcurrentOwners(state: ClusterState, own: ClusterState, before: ClusterState): boolean {
    let ok = true;
    for (const key of ['objects', 'releases'] as const) {
      for (const [k, mine] of own[key]) {
        if (before[key].has(k)) continue;
        const other = state[key].get(k);
        if (other && other.by !== mine.by && !mine.by.includes(' (') && !other.by.includes(' (')) {
          ok = false;
          this.problem(mine.by, k, `${other.by} applies the same ${key === 'releases' ? 'Helm release' : 'object'} in the same wave: two applications would own, and fight over, it`,
            'declare it once (operators and their namespaces once per Kubernetes cluster; one namespace per tenant)');
        }
      }
    }
    return ok;
  }

  /** Applies a Helm chart source with the chart table: namespaces, project permissions, what it needs, what it serves. */
  private syncHelmApplication(app: Manifest, project: Manifest, state: ClusterState, here: readonly string[]): boolean {
    const name = app.metadata.name;
    const source = app.spec.source;
    const releaseName: string = source.helm?.releaseName ?? name;
    const namespace: string = app.spec.destination?.namespace ?? 'default';
    const values: Record<string, unknown> = source.helm?.valuesObject ?? {};
    const release = `HelmRelease ${namespace}/${releaseName} (${source.chart} ${source.targetRevision})`;
    const facts = chartFacts(source.repoURL, source.chart, source.targetRevision);
    if (!facts) {
      this.problem(name, release, `chart ${source.chart} ${source.targetRevision} from ${source.repoURL} has no entry in the chart table, so what it installs is unknown`, 'pin a chart version listed in lib/platform/chart-facts.ts, or add an entry for it from the chart\'s templates at that tag');
      return false;
    }
    const needs = new Set<string>();
    let healthy = true;
    const syncOptions: string[] = app.spec.syncPolicy?.syncOptions ?? [];
    if (syncOptions.includes('CreateNamespace=true') && !state.namespaces.has(namespace)) state.namespaces.set(namespace, { by: name });
    const placements = [{ namespace, kinds: ['(the release)'], template: '' }, ...foreignNamespacesOf(facts, values, namespace)];
    for (const p of placements) {
      const made = state.namespaces.get(p.namespace);
      if (!made) {
        healthy = false;
        this.problem(name, release, `namespace ${p.namespace} (${p.kinds.join(', ')}${p.template ? `, ${p.template}` : ''}) does not exist: nothing creates it before this application, and it does not set CreateNamespace=true`, `create ${p.namespace} in an earlier wave`);
      } else needs.add(`namespace ${p.namespace} (${made.by})`);
      if (!matchesAny(p.namespace, (project.spec?.destinations ?? []).map((d: any) => d.namespace))) {
        healthy = false;
        this.problem(name, release, `the project ${project.metadata.name} does not permit namespace ${p.namespace}, where the chart puts ${p.kinds.join(', ')}${p.template ? ` (${p.template})` : ''}`, `set the chart's values to keep them out of ${p.namespace}, or add it to the AppProject's destinations`);
      }
    }
    for (const kind of facts.clusterScopedKinds) {
      if (!whitelisted(kind, project)) {
        healthy = false;
        this.problem(name, release, `the project ${project.metadata.name} does not allow the cluster-scoped kind ${kind}, which the chart creates`, 'add it to the AppProject\'s clusterResourceWhitelist');
      }
    }
    for (const kind of facts.requiresKinds) {
      const crd = state.crds.get(kind);
      const controller = state.controllers.get(kind);
      if (!crd || !controller) {
        healthy = false;
        this.problem(name, release, `the chart creates ${kind} objects, whose CRD and controller are not installed and healthy before it`, 'sync the application that installs them in an earlier wave');
      } else needs.add(`${kind} (${controller.by})`);
      const webhook = state.webhooks.get(groupOf(kind));
      if (webhook) needs.add(`${groupOf(kind)} admission webhook (${webhook.by})`);
    }
    const releaseKey = `${namespace}/${releaseName}`;
    const owner = state.releases.get(releaseKey);
    if (owner && owner.by !== name) {
      healthy = false;
      this.problem(name, release, `the Helm release is already installed by ${owner.by}: two applications would own, and fight over, the same objects`, 'install each operator once per Kubernetes cluster (declare the environments on one KubernetesClusterDeclaration)');
    }
    state.releases.set(releaseKey, { by: name });
    const taken = facts.crds.filter((kind) => { const other = state.crds.get(kind); return other && other.by !== name; });
    if (taken.length > 0) {
      healthy = false;
      this.problem(name, release, `the CRDs of ${taken.join(', ')} are already installed by ${[...new Set(taken.map((k) => state.crds.get(k)!.by))].join(', ')}: two applications would own them`, 'install each operator once per Kubernetes cluster');
    }
    this.timeline.push({ applications: here, wave: 0, applies: [release], waitsFor: [`${facts.chart} healthy: ${facts.crds.length > 0 ? `CRDs ${facts.crds.map((k) => k.split('/').pop()).join(', ')} served` : 'controller ready'}${facts.admissionWebhookGroups.length > 0 ? `, webhook for ${facts.admissionWebhookGroups.join(', ')} ready` : ''}`], needs: [...needs].sort() });
    this.installChart(state, facts, name);
    return healthy;
  }

  private installChart(state: ClusterState, facts: ChartFacts, by: string): void {
    for (const kind of facts.crds) {
      state.crds.set(kind, { by });
      state.controllers.set(kind, { by });
    }
    for (const group of facts.admissionWebhookGroups) state.webhooks.set(group, { by });
  }

  /**
   * Checks one object at the moment it is applied: project permissions, namespace, CRD, webhook, references, ownership.
   * `before` is the state when the wave started (other applications' work); `now` includes this wave's own objects.
   */
  private admit(o: Manifest, app: string, project: Manifest | undefined, before: ClusterState, now: ClusterState, needs: Set<string>): boolean {
    const groupKind = groupKindOf(o);
    const what = describeObject(o);
    let ok = true;
    const fail = (missing: string, fix: string) => {
      ok = false;
      this.problem(app, what, missing, fix);
    };
    const clusterScoped = isClusterScopedKind(groupKind);
    if (project) {
      if (clusterScoped && !whitelisted(groupKind, project)) {
        fail(`the project ${project.metadata.name} does not allow the cluster-scoped kind ${groupKind}`, 'add it to the AppProject\'s clusterResourceWhitelist, or move the object to an application of a project that allows it');
      }
      if (!clusterScoped && !matchesAny(o.metadata.namespace ?? '', (project.spec?.destinations ?? []).map((d: any) => d.namespace))) {
        fail(`the project ${project.metadata.name} does not permit namespace ${o.metadata.namespace}`, 'add the namespace to the AppProject\'s destinations');
      }
    }
    if (!clusterScoped) {
      const ns = now.namespaces.get(o.metadata.namespace ?? '');
      if (!ns) fail(`namespace ${o.metadata.namespace} does not exist when it is applied`, `create the Namespace in an earlier wave (or in this application, where Namespaces are applied first)`);
      else if (ns.by !== app) needs.add(`namespace ${o.metadata.namespace} (${ns.by})`);
    }
    const crd = now.crds.get(groupKind);
    if (!now.hasKind(groupKind)) {
      fail(`the CRD of ${groupKind} is not installed when it is applied (SkipDryRunOnMissingResource only skips the dry run)`, 'sync the application that installs the CRD in an earlier wave');
    } else if (crd && crd.by !== app) needs.add(`${groupKind} CRD (${crd.by})`);
    const webhook = before.webhooks.get(groupOf(groupKind));
    if (webhook) needs.add(`${groupOf(groupKind)} admission webhook (${webhook.by})`);
    else if (!BUILT_IN_GROUPS.has(groupOf(groupKind)) && now.webhooks.has(groupOf(groupKind))) {
      fail(`the admission webhook for ${groupOf(groupKind)} is installed in the same wave and not ready yet: the API server rejects the object`, 'sync it in a later wave than the operator');
    }
    for (const ref of referencesOf(o, (namespace, name) => this.clusters.get(`${namespace}/${name}`))) {
      const target = key(ref.groupKind, ref.namespace, ref.name);
      const found = now.objects.get(target);
      if (!found) {
        fail(`${ref.field} refers to ${ref.groupKind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}, which nothing has created by the time it is applied`, `create it in an earlier wave or application (an object's wave inside another folder does not order it: the application's wave does)`);
      } else if (found.by !== app) needs.add(`${target} (${found.by})`);
    }
    if (groupKind === 'argoproj.io/Application' && o.spec?.project && !now.projects.has(o.spec.project)) {
      fail(`its AppProject ${o.spec.project} does not exist when it is applied`, 'create the AppProject in an earlier wave');
    }
    const existing = now.objects.get(key(groupKind, o.metadata.namespace, o.metadata.name));
    if (existing && existing.by !== app && !existing.by.startsWith('kubectl')) {
      fail(`${existing.by} applies the same object: two applications would own, and fight over, it`, 'declare it once (operators and their namespaces once per Kubernetes cluster)');
    }
    return ok;
  }

  /** Records an applied object (and what applying it creates at once). */
  private record(state: ClusterState, o: Manifest, by: string): void {
    const groupKind = groupKindOf(o);
    state.objects.set(key(groupKind, o.metadata.namespace, o.metadata.name), { by });
    if (groupKind === 'Namespace' && !state.namespaces.has(o.metadata.name)) state.namespaces.set(o.metadata.name, { by });
    if (groupKind === 'argoproj.io/AppProject') state.projects.set(o.metadata.name, o);
  }

  /** What controllers make from a wave's objects once it is healthy: Secrets from SealedSecrets, a Cluster's Services. */
  private produce(state: ClusterState, objects: readonly Manifest[], app: string): void {
    for (const o of objects) {
      const controller = state.controllers.get(groupKindOf(o));
      for (const made of producedBy(o)) {
        const k = key(made.groupKind, made.namespace, made.name);
        if (!state.objects.has(k) && (BUILT_IN_GROUPS.has(groupOf(groupKindOf(o))) || controller)) state.objects.set(k, { by: `${app} (${o.kind} ${o.metadata.name})` });
      }
    }
  }

  // ---------------------------------------------------------------- k3s

  private bootstrapK3s(state: ClusterState): void {
    for (const folder of this.options.k3sFolders ?? []) {
      const objects = this.repo.get(folder);
      if (!objects) {
        this.problem('kubectl', folder, 'the folder is not in the repository', 'synthesize it first');
        continue;
      }
      const charts = objects.filter((o) => groupKindOf(o) === 'helm.cattle.io/HelmChart');
      for (const [wave, inWave] of groupByWave(objects.filter((o) => !charts.includes(o)))) {
        const needs = new Set<string>();
        const before = state.clone();
        for (const o of inWave) {
          this.admit(o, `kubectl apply ${folder}`, undefined, before, state, needs);
          this.record(state, o, `kubectl apply ${folder}`);
        }
        this.timeline.push({ applications: [`kubectl apply ${folder}`], wave, applies: inWave.map(describeObject), waitsFor: inWave.map(healthReason).filter((x): x is string => x !== undefined), needs: [...needs].sort() });
        this.produce(state, inWave, `kubectl apply ${folder}`);
      }
      if (charts.length > 0) this.installHelmCharts(state, charts, folder);
    }
  }

  /** The helm-controller installs every HelmChart at once and retries a failed install job until what it needs exists. */
  private installHelmCharts(state: ClusterState, charts: readonly Manifest[], folder: string): void {
    const needs = new Set<string>();
    for (const c of charts) {
      this.admit(c, `kubectl apply ${folder}`, undefined, state, state, needs);
      this.record(state, c, `kubectl apply ${folder}`);
    }
    let pending = [...charts];
    for (let round = 0; pending.length > 0; round++) {
      const ready = pending.filter((c) => {
        const facts = chartFacts(c.spec.repo, c.spec.chart, c.spec.version);
        return facts && facts.requiresKinds.every((k) => state.controllers.has(k)) && state.namespaces.has(c.spec.targetNamespace)
          && foreignNamespacesOf(facts, parseValues(c.spec.valuesContent), c.spec.targetNamespace).every((p) => state.namespaces.has(p.namespace));
      });
      if (ready.length === 0) break;
      for (const c of ready) {
        const facts = chartFacts(c.spec.repo, c.spec.chart, c.spec.version)!;
        this.installChart(state, facts, `helm-controller (${c.metadata.name})`);
      }
      this.timeline.push({
        applications: ['k3s helm-controller'], wave: round,
        applies: ready.map((c) => `HelmRelease ${c.spec.targetNamespace}/${c.metadata.name} (${c.spec.chart} ${c.spec.version})`),
        waitsFor: ready.map((c) => `${c.spec.chart} installed`), needs: round === 0 ? [...needs].sort() : [`retries until the releases of round ${round - 1} are ready`],
      });
      pending = pending.filter((c) => !ready.includes(c));
    }
    for (const c of pending) {
      const facts = chartFacts(c.spec.repo, c.spec.chart, c.spec.version);
      const why = !facts ? `chart ${c.spec.chart} ${c.spec.version} has no entry in the chart table`
        : !state.namespaces.has(c.spec.targetNamespace) ? `namespace ${c.spec.targetNamespace} does not exist and createNamespace is false`
          : `it needs ${facts.requiresKinds.filter((k) => !state.controllers.has(k)).join(', ') || 'a namespace that does not exist'}, which no HelmChart installs`;
      this.problem('k3s helm-controller', describeObject(c), why, 'add the missing release or namespace (or pin a chart version in the chart table)');
    }
  }
}

/** The root application and its AppProject: labelled for bootstrap, else the Application that syncs its own folder. */
function bootstrapObjects(objects: readonly Manifest[], folder: string): Manifest[] {
  const labelled = objects.filter((o) => o.metadata.labels?.[BOOTSTRAP_LABEL] === 'true');
  if (labelled.length > 0) return labelled;
  const roots = objects.filter((o) => groupKindOf(o) === 'argoproj.io/Application' && o.spec?.source?.path === folder);
  const projects = new Set(roots.map((r) => r.spec?.project));
  return [...objects.filter((o) => groupKindOf(o) === 'argoproj.io/AppProject' && projects.has(o.metadata.name)), ...roots];
}

/** Runs the model. */
export function modelFirstSync(repo: ManifestRepository, options: FirstSyncOptions): FirstSyncResult {
  return new FirstSyncModel(repo, options).run();
}

/** Formats problems for a synth error: one line per problem, grouped by application. */
export function formatFirstSyncProblems(problems: readonly FirstSyncProblem[]): string {
  return problems.map((p) => `[${p.application}] ${p.object}: ${p.missing}; ${p.fix}`).join('\n');
}

function withNamespace(o: Manifest, destination: string | undefined): Manifest {
  if (o.metadata.namespace || isClusterScopedKind(groupKindOf(o)) || !destination) return o;
  return { ...o, metadata: { ...o.metadata, namespace: destination } };
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/** Objects grouped by sync wave, each wave in Argo CD's kind order, then by name (byte order, as Go compares strings). */
export function groupByWave(objects: readonly Manifest[]): [number, Manifest[]][] {
  const waves = new Map<number, Manifest[]>();
  for (const o of objects) {
    const w = waveOf(o);
    waves.set(w, [...(waves.get(w) ?? []), o]);
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...waves.entries()].sort(([a], [b]) => a - b).map(([w, list]) => [w, [...list].sort((a, b) =>
    kindRank(a.kind) - kindRank(b.kind) || byName(a.metadata.name, b.metadata.name))]);
}

function matchesAny(value: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => p === value || p === '*' || (p.endsWith('*') && value.startsWith(p.slice(0, -1))));
}

function whitelisted(groupKind: string, project: Manifest): boolean {
  const group = groupOf(groupKind);
  const kind = groupKind.split('/').pop()!;
  return (project.spec?.clusterResourceWhitelist ?? []).some((w: any) => (w.group === '*' || w.group === group) && (w.kind === '*' || w.kind === kind));
}

function parseValues(valuesContent: string | undefined): Record<string, unknown> {
  return valuesContent ? yamlParser().parse(valuesContent) ?? {} : {};
}

/** Why a wave waits for an object, for the timeline (undefined: ready as soon as it exists). */
function healthReason(o: Manifest): string | undefined {
  switch (groupKindOf(o)) {
    case 'argoproj.io/Application': return `${o.metadata.name} healthy`;
    case 'bitnami.com/SealedSecret': return `Secret ${o.metadata.name} unsealed by the Sealed Secrets controller`;
    case 'postgresql.cnpg.io/Cluster': return `Cluster ${o.metadata.name} ready (${o.spec?.instances ?? 1} instance(s))`;
    case 'postgresql.cnpg.io/Pooler': return `Pooler ${o.metadata.name} pods ready`;
    case 'postgresql.cnpg.io/Database': case 'postgresql.cnpg.io/Publication': case 'postgresql.cnpg.io/Subscription':
      return `${o.kind} ${o.metadata.name} applied by the operator`;
    case 'apps/Deployment': return `Deployment ${o.metadata.name} available`;
    case 'batch/Job': return `Job ${o.metadata.name} complete`;
    default: return undefined;
  }
}

/** Objects a controller creates from this one once it is reconciled. */
export function producedBy(o: Manifest): ObjectReference[] {
  const ns = o.metadata.namespace;
  switch (groupKindOf(o)) {
    case 'bitnami.com/SealedSecret':
      return [{ groupKind: 'Secret', namespace: ns, name: o.spec?.template?.metadata?.name ?? o.metadata.name, field: 'SealedSecret' }];
    case 'postgresql.cnpg.io/Cluster': {
      const name = o.metadata.name;
      const services = ['rw', 'ro', 'r'].map((s) => ({ groupKind: 'Service', namespace: ns, name: `${name}-${s}`, field: 'Cluster' }));
      const secrets = ['ca', 'server', 'replication', 'app'].map((s) => ({ groupKind: 'Secret', namespace: ns, name: `${name}-${s}`, field: 'Cluster' }));
      return [...services, ...secrets];
    }
    case 'postgresql.cnpg.io/Pooler':
      return [{ groupKind: 'Service', namespace: ns, name: o.metadata.name, field: 'Pooler' }];
    default:
      return [];
  }
}

const SERVICE_HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?$/;

/** The Service an in-cluster host names (`<service>.<namespace>.svc[.cluster.local]`); undefined for any other host. */
export function serviceOfHost(host: string | undefined): { service: string; namespace: string } | undefined {
  const m = host ? SERVICE_HOST.exec(host) : null;
  return m ? { service: m[1], namespace: m[3] } : undefined;
}

/**
 * What an object needs to exist when it is applied or reconciled. `clusterOf` finds a Cluster manifest, to follow a
 * Subscription through its Cluster's external cluster entry to the publisher's Service.
 */
export function referencesOf(o: Manifest, clusterOf: (namespace: string | undefined, name: string) => Manifest | undefined = () => undefined): ObjectReference[] {
  const ns = o.metadata.namespace;
  const spec = o.spec ?? {};
  const out: ObjectReference[] = [];
  const ref = (groupKind: string, name: unknown, field: string, namespace = ns) => {
    if (typeof name === 'string' && name !== '') out.push({ groupKind, namespace, name, field });
  };
  const cluster = (field = 'spec.cluster.name') => ref('postgresql.cnpg.io/Cluster', spec.cluster?.name, field);
  switch (groupKindOf(o)) {
    case 'postgresql.cnpg.io/Cluster': {
      ref('Secret', spec.bootstrap?.initdb?.secret?.name, 'spec.bootstrap.initdb.secret.name');
      ref('Secret', spec.superuserSecret?.name, 'spec.superuserSecret.name');
      for (const [i, role] of (spec.managed?.roles ?? []).entries()) ref('Secret', role.passwordSecret?.name, `spec.managed.roles[${i}].passwordSecret.name`);
      for (const [i, p] of (spec.plugins ?? []).entries()) ref('barmancloud.cnpg.io/ObjectStore', p.parameters?.barmanObjectName, `spec.plugins[${i}].parameters.barmanObjectName`);
      for (const [i, e] of (spec.externalClusters ?? []).entries()) {
        ref('barmancloud.cnpg.io/ObjectStore', e.plugin?.parameters?.barmanObjectName, `spec.externalClusters[${i}].plugin.parameters.barmanObjectName`);
        for (const f of ['password', 'sslKey', 'sslCert', 'sslRootCert'] as const) ref('Secret', e[f]?.name, `spec.externalClusters[${i}].${f}.name`);
      }
      for (const [i, c] of (spec.monitoring?.customQueriesConfigMap ?? []).entries()) ref('ConfigMap', c.name, `spec.monitoring.customQueriesConfigMap[${i}].name`);
      for (const [i, c] of (spec.monitoring?.customQueriesSecret ?? []).entries()) ref('Secret', c.name, `spec.monitoring.customQueriesSecret[${i}].name`);
      const catalog = spec.imageCatalogRef;
      if (catalog) ref(`postgresql.cnpg.io/${catalog.kind}`, catalog.name, 'spec.imageCatalogRef.name', catalog.kind === 'ClusterImageCatalog' ? undefined : ns);
      break;
    }
    case 'postgresql.cnpg.io/Pooler':
      cluster();
      ref('Secret', spec.pgbouncer?.authQuerySecret?.name, 'spec.pgbouncer.authQuerySecret.name');
      break;
    case 'postgresql.cnpg.io/ScheduledBackup': case 'postgresql.cnpg.io/Backup': case 'postgresql.cnpg.io/Database': case 'postgresql.cnpg.io/Publication':
      cluster();
      break;
    case 'postgresql.cnpg.io/Subscription':
      cluster();
      // The publisher, through the subscriber's external cluster entry: resolved by the operator when it reconciles.
      for (const host of publisherServices(o, clusterOf(ns, spec.cluster?.name))) ref('Service', host.service, `spec.externalClusterName (${host.field})`, host.namespace);
      break;
    case 'barmancloud.cnpg.io/ObjectStore': {
      const s3 = spec.configuration?.s3Credentials ?? {};
      for (const f of ['accessKeyId', 'secretAccessKey', 'region', 'sessionToken'] as const) ref('Secret', s3[f]?.name, `spec.configuration.s3Credentials.${f}.name`);
      break;
    }
    case 'monitoring.coreos.com/PodMonitor': {
      const labels = spec.selector?.matchLabels ?? {};
      const namespaces: string[] = spec.namespaceSelector?.matchNames ?? [ns];
      for (const n of namespaces) {
        ref('postgresql.cnpg.io/Cluster', labels['cnpg.io/cluster'], 'spec.selector.matchLabels["cnpg.io/cluster"]', n);
        ref('postgresql.cnpg.io/Pooler', labels['cnpg.io/poolerName'], 'spec.selector.matchLabels["cnpg.io/poolerName"]', n);
      }
      break;
    }
    case 'apps/Deployment': case 'batch/Job': case 'apps/StatefulSet': case 'apps/DaemonSet':
      out.push(...podReferences(spec.template?.spec ?? {}, ns));
      break;
    case 'batch/CronJob':
      out.push(...podReferences(spec.jobTemplate?.spec?.template?.spec ?? {}, ns));
      break;
    default:
      break;
  }
  return out;
}

/** The Secrets, ConfigMaps and ServiceAccount a pod template needs (optional ones excluded). */
function podReferences(pod: any, ns: string | undefined): ObjectReference[] {
  const out: ObjectReference[] = [];
  const add = (groupKind: string, name: unknown, field: string, optional?: boolean) => {
    if (typeof name === 'string' && name !== '' && !optional) out.push({ groupKind, namespace: ns, name, field });
  };
  if (pod.serviceAccountName && pod.serviceAccountName !== 'default') add('ServiceAccount', pod.serviceAccountName, 'spec.template.spec.serviceAccountName');
  for (const [i, v] of (pod.volumes ?? []).entries()) {
    add('Secret', v.secret?.secretName, `spec.template.spec.volumes[${i}].secret.secretName`, v.secret?.optional);
    add('ConfigMap', v.configMap?.name, `spec.template.spec.volumes[${i}].configMap.name`, v.configMap?.optional);
    for (const [j, s] of (v.projected?.sources ?? []).entries()) {
      add('Secret', s.secret?.name, `spec.template.spec.volumes[${i}].projected.sources[${j}].secret.name`, s.secret?.optional);
      add('ConfigMap', s.configMap?.name, `spec.template.spec.volumes[${i}].projected.sources[${j}].configMap.name`, s.configMap?.optional);
    }
  }
  for (const [ci, c] of [...(pod.initContainers ?? []), ...(pod.containers ?? [])].entries()) {
    for (const [j, e] of (c.envFrom ?? []).entries()) {
      add('Secret', e.secretRef?.name, `containers[${ci}].envFrom[${j}].secretRef.name`, e.secretRef?.optional);
      add('ConfigMap', e.configMapRef?.name, `containers[${ci}].envFrom[${j}].configMapRef.name`, e.configMapRef?.optional);
    }
    for (const e of c.env ?? []) {
      add('Secret', e.valueFrom?.secretKeyRef?.name, `containers[${ci}].env.${e.name}.secretKeyRef.name`, e.valueFrom?.secretKeyRef?.optional);
      add('ConfigMap', e.valueFrom?.configMapKeyRef?.name, `containers[${ci}].env.${e.name}.configMapKeyRef.name`, e.valueFrom?.configMapKeyRef?.optional);
    }
  }
  return out;
}

/**
 * The in-cluster Service a Subscription's publisher is reached through: its Cluster's external cluster entry named
 * `spec.externalClusterName`, when its host is `<service>.<namespace>.svc` (an external host is out of the model's reach).
 */
function publisherServices(o: Manifest, cluster: Manifest | undefined): { service: string; namespace: string; field: string }[] {
  const entry = (cluster?.spec?.externalClusters ?? []).find((e: any) => e.name === o.spec?.externalClusterName);
  const host: string | undefined = entry?.connectionParameters?.host;
  const service = serviceOfHost(host);
  return service ? [{ ...service, field: `host ${host}` }] : [];
}

/**
 * Reads a repository's `dist/` from disk as Argo CD sees it: every folder with `*.yaml` files, keyed by its path from
 * the repository root (`dist/default/database`).
 */
export function readManifestRepository(repoRoot: string, distDir = 'dist'): Map<string, Manifest[]> {
  const repo = new Map<string, Manifest[]>();
  const walk = (rel: string) => {
    const entries = fs.readdirSync(path.join(repoRoot, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    const files = entries.filter((e) => e.isFile() && e.name.endsWith('.yaml'));
    if (files.length > 0 && rel !== distDir) {
      repo.set(rel, files.flatMap((f) => yamlParser().parseAllDocuments(fs.readFileSync(path.join(repoRoot, rel, f.name), 'utf8')).map((d) => d.toJS()).filter((o) => o)));
    }
    for (const e of entries.filter((x) => x.isDirectory())) walk(`${rel}/${e.name}`);
  };
  walk(distDir);
  return repo;
}
