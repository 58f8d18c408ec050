import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as argo from '../../imports/argoproj.io';
import { isDns1123Label } from '../core/k8s-syntax';
import { Problems } from '../core/problems';
import { chartFacts, ChartFacts, isRendered, namespaceOf } from './chart-facts';
import { CnpgGrafanaDashboard } from '../monitoring/grafana-dashboard';
import { PodMonitor } from '../monitoring/pod-monitor';
import { PlatformNamespaces } from './namespaces';
import { OperatorDelivery, OperatorInstalls, OperatorRelease, OperatorReleases } from './operators';
import { applySyncWaves, SYNC_RETRY, SyncWave, syncWaveAnnotation } from './sync-waves';

/** Label on the objects a human applies once to bootstrap Argo CD: the root application and its AppProject. */
export const BOOTSTRAP_LABEL = 'cdk8s-cnpg/bootstrap';

/** How a Kubernetes cluster's shared services (operators, controllers) are delivered. */
export interface KubernetesClusterDelivery {
  /**
   * How operators are installed.
   * @default OperatorDelivery.ARGO_CD
   */
  readonly operators?: OperatorDelivery;
  /**
   * The git repository Argo CD reads `dist/` from. Required for Argo CD delivery.
   * @default - none
   */
  readonly repoUrl?: string;
  /**
   * The revision Argo CD follows.
   * @default "main"
   */
  readonly targetRevision?: string;
  /**
   * Namespace Argo CD runs in.
   * @default "argocd"
   */
  readonly argocdNamespace?: string;
  /**
   * The operator releases.
   * @default - OperatorReleases.defaults(): cert-manager, CloudNativePG, the Barman Cloud plugin, Sealed Secrets
   */
  readonly operatorReleases?: OperatorRelease[];
  /**
   * Also install the Prometheus/Grafana stack (kube-prometheus-stack) the monitoring targets.
   * @default false
   */
  readonly monitoringStack?: boolean;
}

/**
 * One Kubernetes cluster (one Argo CD) that several environments share: what it installs once — operator namespaces,
 * operator releases, their AppProject — declared as plain data so that every environment in it can refer to it.
 */
export interface KubernetesClusterDeclaration {
  /** A DNS-1123 label: its folder `dist/clusters/<name>/` and the prefix of its Argo CD objects. */
  readonly name: string;
  /** How its operators (and, with Argo CD, its environments) are delivered. */
  readonly delivery: KubernetesClusterDelivery;
  /**
   * Namespace of the CloudNativePG operator and the Barman Cloud plugin.
   * @default "cnpg-system"
   */
  readonly operatorNamespace?: string;
  /**
   * Namespace of the Sealed Secrets controller.
   * @default "sealed-secrets"
   */
  readonly sealedSecretsNamespace?: string;
  /**
   * Kinds (`group/Kind`) whose CRDs and controllers are installed outside `dist/` before the first sync, e.g.
   * `monitoring.coreos.com/PodMonitor` and `monitoring.coreos.com/PrometheusRule` of a Prometheus Operator the cluster
   * already runs. The first-sync model takes them as given; everything else must come from `dist/`.
   * @default - none: the cluster is empty apart from Argo CD (or k3s)
   */
  readonly preinstalledKinds?: readonly string[];
  /**
   * Monitoring of the shared operators: a PodMonitor for the CloudNativePG operator (its Prometheus Operator must be
   * installed: `delivery.monitoringStack` or `preinstalledKinds`); `false` for none.
   * @default - the operator's PodMonitor, without extra labels
   */
  readonly monitoring?: KubernetesClusterMonitoring | false;
}

/** The operator namespaces of a declaration, with their defaults applied. */
export function operatorNamespacesOf(declaration: Pick<KubernetesClusterDeclaration, 'operatorNamespace' | 'sealedSecretsNamespace'>): { operator: string; sealedSecrets: string } {
  return { operator: declaration.operatorNamespace ?? 'cnpg-system', sealedSecrets: declaration.sealedSecretsNamespace ?? 'sealed-secrets' };
}

/** The releases a delivery installs, in install order. */
export function operatorReleasesOf(delivery: KubernetesClusterDelivery, namespaces: { operator: string; sealedSecrets: string }): OperatorRelease[] {
  return [
    ...(delivery.operatorReleases ?? OperatorReleases.defaults(namespaces)),
    ...(delivery.monitoringStack ? [OperatorReleases.kubePrometheusStack()] : []),
  ];
}

/** An environment's (or a tenant's) root application, as the Kubernetes cluster's root application syncs it. */
export interface EnvironmentRoot {
  /** The root application's name, e.g. `default-root` (`<env>-<tenant>-root` for a tenant). */
  readonly application: string;
  /** Its Argo CD folder in the repository, e.g. `dist/default/argocd`. */
  readonly path: string;
  /**
   * Root applications that must be healthy before this one syncs (e.g. the publisher of a subscription).
   * @default - none
   */
  readonly dependsOn?: readonly string[];
}

/** Properties of `KubernetesClusterPlatform`. */
export interface KubernetesClusterPlatformProps extends KubernetesClusterDeclaration {
  /**
   * The environments in this Kubernetes cluster; with Argo CD, the cluster's root application syncs their root
   * applications once every operator is healthy, ordered by `dependsOn`.
   * @default - none
   */
  readonly environments?: readonly EnvironmentRoot[];
  /**
   * The cluster's folder in the repository.
   * @default "dist/clusters/<name>"
   */
  readonly distPath?: string;
  /**
   * Labels on every object.
   * @default - `app.kubernetes.io/part-of: cdk8s-cnpg` and `app.kubernetes.io/managed-by: cdk8s`
   */
  readonly labels?: Record<string, string>;
}

/** Monitoring of a Kubernetes cluster's shared services. */
export interface KubernetesClusterMonitoring {
  /**
   * Labels on the operator's PodMonitor (Prometheus' `podMonitorSelector`).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Ship the CloudNativePG Grafana dashboard (one ConfigMap for Grafana's sidecar).
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Namespace of the dashboard ConfigMap (Grafana's sidecar must watch it).
   * @default - the monitoring stack's namespace when it is installed, else the operator's
   */
  readonly dashboardNamespace?: string;
}

/** Cluster-scoped kinds (`group/Kind`, core kinds bare) that the platform's own folders may contain. */
const PLATFORM_CLUSTER_SCOPED = new Set(['Namespace', 'postgresql.cnpg.io/ClusterImageCatalog']);

/** Whether an object of this `group/Kind` is cluster-scoped (for the kinds charts and the platform emit). */
export function isClusterScopedKind(groupKind: string): boolean {
  return PLATFORM_CLUSTER_SCOPED.has(groupKind) || CLUSTER_SCOPED_KINDS.has(groupKind);
}

const CLUSTER_SCOPED_KINDS = new Set([
  'apiextensions.k8s.io/CustomResourceDefinition', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'apiregistration.k8s.io/APIService', 'cert-manager.io/ClusterIssuer', 'storage.k8s.io/StorageClass', 'PersistentVolume',
  'scheduling.k8s.io/PriorityClass', 'networking.k8s.io/IngressClass', 'policy/PodSecurityPolicy',
]);

/**
 * What a set of pinned charts needs from an AppProject, taken from the chart table (`CHART_FACTS`): the namespaces
 * their templates write to and the cluster-scoped kinds they create. A release whose chart version has no table entry
 * is reported by the caller.
 */
export function chartPermissions(releases: readonly OperatorRelease[]): { namespaces: Set<string>; clusterKinds: Set<string>; missing: OperatorRelease[] } {
  const namespaces = new Set<string>();
  const clusterKinds = new Set<string>();
  const missing: OperatorRelease[] = [];
  for (const release of releases) {
    const facts = chartFacts(release.repoUrl, release.chart, release.version);
    if (!facts) {
      missing.push(release);
      continue;
    }
    namespaces.add(release.namespace);
    for (const ns of foreignNamespacesOf(facts, release.values, release.namespace)) namespaces.add(ns.namespace);
    for (const kind of facts.clusterScopedKinds) clusterKinds.add(kind);
  }
  return { namespaces, clusterKinds, missing };
}

/** A synth error for each release whose chart version the chart table does not know. */
export function reportUnknownCharts(scope: Construct, missing: readonly OperatorRelease[], field: string): void {
  for (const release of missing) {
    Problems.of(scope).error({
      field: `${field}.${release.releaseName}`,
      message: 'the chart version has no entry in the chart table, so what it installs (namespaces, cluster-scoped kinds, CRDs) is unknown',
      value: `${release.chart} ${release.version}`,
      fix: 'pin a version listed in lib/platform/chart-facts.ts, or add its entry there from the chart\'s templates at that tag',
    });
  }
}

/** The objects a chart renders outside its release namespace with these values (conditions and namespace values applied). */
export function foreignNamespacesOf(facts: ChartFacts, values: Record<string, unknown>, releaseNamespace: string): { namespace: string; kinds: readonly string[]; template: string }[] {
  return facts.foreignNamespaces
    .filter((f) => isRendered(f, values))
    .map((f) => ({ namespace: namespaceOf(f, values, releaseNamespace), kinds: f.kinds, template: f.template }))
    .filter((f) => f.namespace !== releaseNamespace);
}

/** The permissions an AppProject needs, with the chart table's findings. */
export interface ProjectScope {
  readonly sourceRepos: readonly string[];
  readonly namespaces: ReadonlySet<string>;
  readonly clusterKinds: ReadonlySet<string>;
}

/** An AppProject limited to exactly the given sources, namespaces and cluster-scoped kinds. */
export function appProject(scope: Construct, id: string, props: { name: string; namespace: string; description: string; server: string; scopeOf: ProjectScope; bootstrap?: boolean }): argo.AppProject {
  return new argo.AppProject(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.bootstrap ? { [BOOTSTRAP_LABEL]: 'true' } : undefined },
    spec: {
      description: props.description,
      sourceRepos: [...new Set(props.scopeOf.sourceRepos)],
      destinations: [...props.scopeOf.namespaces].sort().map((namespace) => ({ server: props.server, namespace })),
      clusterResourceWhitelist: [...props.scopeOf.clusterKinds].sort().map(splitGroupKind),
      // Report objects in the project's namespaces that no Application owns (hand-applied drift).
      orphanedResources: { warn: true },
    },
  });
}

function splitGroupKind(groupKind: string): { group: string; kind: string } {
  const i = groupKind.lastIndexOf('/');
  return i < 0 ? { group: '', kind: groupKind } : { group: groupKind.slice(0, i), kind: groupKind.slice(i + 1) };
}

/** The component charts of a Kubernetes cluster's folder `dist/clusters/<name>/`. */
export enum KubernetesClusterComponent {
  /** The operators' namespaces. */
  NAMESPACES = 'namespaces',
  /** The AppProject, the operator Applications and the environments' root applications (Argo CD delivery). */
  ARGOCD = 'argocd',
  /** k3s `HelmChart`s (k3s delivery). */
  OPERATORS = 'operators',
  /** The CloudNativePG operator's PodMonitor. */
  MONITORING = 'monitoring',
}

/**
 * What one Kubernetes cluster installs once for every environment in it: the operators' namespaces, the pinned
 * operator releases and — with Argo CD — an AppProject limited to what the chart table says the charts create, a root
 * application that syncs the operators first and then each environment's root application.
 *
 * Put it in its own `App` whose outdir is `dist/clusters/<name>`: each component is a folder there.
 */
export class KubernetesClusterPlatform extends Construct {
  /** The cluster's name. */
  public readonly clusterName: string;
  /** The operator releases installed, in order. */
  public readonly releases: readonly OperatorRelease[];
  /** Namespace of the CloudNativePG operator. */
  public readonly operatorNamespace: string;
  /** Namespace of the Sealed Secrets controller. */
  public readonly sealedSecretsNamespace: string;
  /** How operators are installed. */
  public readonly delivery: OperatorDelivery;
  /** The AppProject of the operators and of the environments' root applications (Argo CD delivery). */
  public readonly projectName: string;
  /** The root application to apply once (Argo CD delivery). */
  public readonly rootApplicationName: string;
  /** The cluster's folder in the repository. */
  public readonly distPath: string;
  /** The component charts. */
  public readonly charts: ReadonlyMap<KubernetesClusterComponent, Chart>;

  public constructor(scope: Construct, id: string, props: KubernetesClusterPlatformProps) {
    super(scope, id);
    this.clusterName = props.name;
    const namespaces = operatorNamespacesOf(props);
    this.operatorNamespace = namespaces.operator;
    this.sealedSecretsNamespace = namespaces.sealedSecrets;
    this.delivery = props.delivery.operators ?? OperatorDelivery.ARGO_CD;
    this.releases = operatorReleasesOf(props.delivery, namespaces);
    this.projectName = `${props.name}-platform`;
    // `-cluster` keeps the cluster's Applications apart from an environment's `<env>-root` and `<env>-namespaces`.
    this.rootApplicationName = `${props.name}-cluster`;
    this.distPath = props.distPath ?? `dist/clusters/${props.name}`;
    const labels = props.labels ?? { 'app.kubernetes.io/part-of': 'cdk8s-cnpg', 'app.kubernetes.io/managed-by': 'cdk8s' };
    const charts = new Map<KubernetesClusterComponent, Chart>();
    this.charts = charts;
    const chart = (c: KubernetesClusterComponent, namespace?: string) => {
      const made = new Chart(this, c, { namespace, labels, disableResourceNameHashes: true });
      charts.set(c, made);
      return made;
    };
    if (!isDns1123Label(props.name)) {
      Problems.of(this).error({ field: 'name', message: 'must be a DNS-1123 label (it is a folder and part of Argo CD names)', value: props.name, fix: 'use lower-case letters, digits and \'-\'' });
    }

    new PlatformNamespaces(chart(KubernetesClusterComponent.NAMESPACES), 'Namespaces', { names: releaseNamespaces(this.releases), podSecurity: releasePodSecurity(this.releases) });
    if (props.monitoring !== false) {
      const monitoring = chart(KubernetesClusterComponent.MONITORING, this.operatorNamespace);
      PodMonitor.forOperator(monitoring, 'OperatorPodMonitor', { namespace: this.operatorNamespace, labels: props.monitoring?.labels });
      if (props.monitoring?.dashboard ?? true) {
        // Once per Kubernetes cluster: the dashboard selects the cluster in a variable, and Grafana would import one
        // per environment under the same uid.
        const monitoringStack = this.releases.find((r) => r.chart === 'kube-prometheus-stack');
        new CnpgGrafanaDashboard(monitoring, 'Dashboard', { namespace: props.monitoring?.dashboardNamespace ?? monitoringStack?.namespace ?? this.operatorNamespace });
      }
    }

    if (this.delivery === OperatorDelivery.K3S_HELM_CONTROLLER) {
      new OperatorInstalls(chart(KubernetesClusterComponent.OPERATORS), 'Operators', { releases: [...this.releases], delivery: this.delivery });
    } else {
      this.addArgoCd(chart(KubernetesClusterComponent.ARGOCD, props.delivery.argocdNamespace ?? 'argocd'), props);
    }
    for (const kind of applySyncWaves(this)) {
      Problems.of(this).error({ field: 'syncWaves', message: 'no sync wave is defined for this kind', value: kind, fix: 'add the kind to KIND_SYNC_WAVES' });
    }
  }

  private addArgoCd(chart: Chart, props: KubernetesClusterPlatformProps): void {
    const delivery = props.delivery;
    const argocdNamespace = delivery.argocdNamespace ?? 'argocd';
    const server = 'https://kubernetes.default.svc';
    const revision = delivery.targetRevision ?? 'main';
    if (!delivery.repoUrl) {
      Problems.of(this).error({ field: 'delivery.repoUrl', message: 'Argo CD delivery needs the git repository that holds dist/', fix: 'set delivery.repoUrl, or use OperatorDelivery.K3S_HELM_CONTROLLER' });
      return;
    }
    const permissions = chartPermissions(this.releases);
    reportUnknownCharts(this, permissions.missing, 'delivery.operatorReleases');
    appProject(chart, 'Project', {
      name: this.projectName,
      namespace: argocdNamespace,
      server,
      bootstrap: true,
      description: `Kubernetes cluster ${props.name}: its operators (pinned charts) and the root applications of its environments`,
      scopeOf: {
        sourceRepos: [delivery.repoUrl, ...this.releases.map((r) => r.repoUrl)],
        namespaces: new Set([argocdNamespace, ...permissions.namespaces]),
        clusterKinds: new Set(['Namespace', ...permissions.clusterKinds]),
      },
    });
    new OperatorInstalls(chart, 'Operators', {
      releases: [...this.releases], delivery: OperatorDelivery.ARGO_CD, argocdNamespace, project: this.projectName, applicationPrefix: props.name,
    });
    const folder = (component: string) => ({ repoUrl: delivery.repoUrl!, targetRevision: revision, path: `${this.distPath}/${component}`, directory: { include: '*.yaml' } });
    new argo.Application(chart, 'NamespacesApp', {
      metadata: { name: `${props.name}-cluster-namespaces`, namespace: argocdNamespace, annotations: { [syncWaveAnnotation]: String(SyncWave.NAMESPACES) } },
      spec: {
        project: this.projectName,
        source: folder(KubernetesClusterComponent.NAMESPACES),
        destination: { server },
        // Namespaces are never pruned automatically: deleting one deletes everything in it.
        syncPolicy: { automated: { prune: false, selfHeal: true }, syncOptions: ['ServerSideApply=true'], retry: SYNC_RETRY },
      },
    });
    if (props.monitoring !== false) {
      new argo.Application(chart, 'MonitoringApp', {
        // Once the operators (and the Prometheus Operator) are healthy, before any environment.
        metadata: { name: `${props.name}-cluster-monitoring`, namespace: argocdNamespace, annotations: { [syncWaveAnnotation]: String(SyncWave.CREDENTIALS) } },
        spec: {
          project: this.projectName,
          source: folder(KubernetesClusterComponent.MONITORING),
          destination: { server, namespace: this.operatorNamespace },
          syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true', 'PruneLast=true'], retry: SYNC_RETRY },
        },
      });
    }
    for (const [env, wave] of environmentWaves(this, props.environments ?? [])) {
      new argo.Application(chart, `Environment-${env.application}`, {
        metadata: { name: env.application, namespace: argocdNamespace, annotations: { [syncWaveAnnotation]: String(wave) } },
        spec: {
          project: this.projectName,
          source: { repoUrl: delivery.repoUrl, targetRevision: revision, path: env.path, directory: { include: '*.yaml' } },
          destination: { server, namespace: argocdNamespace },
          syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['PruneLast=true'], retry: SYNC_RETRY },
        },
      });
    }
    new argo.Application(chart, 'Root', {
      metadata: { name: this.rootApplicationName, namespace: argocdNamespace, labels: { [BOOTSTRAP_LABEL]: 'true' } },
      spec: {
        project: this.projectName,
        source: folder(KubernetesClusterComponent.ARGOCD),
        destination: { server, namespace: argocdNamespace },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['PruneLast=true'] },
      },
    });
  }
}

/** The Pod Security level each release's namespace needs, where it is not the default. */
export function releasePodSecurity(releases: readonly OperatorRelease[]): Record<string, 'privileged' | 'baseline' | 'restricted'> {
  const out: Record<string, 'privileged' | 'baseline' | 'restricted'> = {};
  for (const r of releases) if (r.podSecurity) out[r.namespace] = r.podSecurity;
  return out;
}

/** The namespaces the releases install into, in order, without duplicates (kube-system always exists). */
export function releaseNamespaces(releases: readonly OperatorRelease[]): string[] {
  return [...new Set(releases.map((r) => r.namespace))].filter((n) => n !== 'kube-system');
}

/**
 * The sync wave of each environment's root application: after every operator (wave `CLUSTER`), and after the
 * environments it depends on. A dependency cycle or an unknown environment is an error.
 */
function environmentWaves(scope: Construct, environments: readonly EnvironmentRoot[]): [EnvironmentRoot, number][] {
  const byName = new Map(environments.map((e) => [e.application, e]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (env: EnvironmentRoot, chain: string[]): number => {
    const known = depth.get(env.application);
    if (known !== undefined) return known;
    if (visiting.has(env.application)) {
      Problems.of(scope).error({
        field: 'environments', message: 'the environments depend on each other in a cycle, so no sync order exists', value: [...chain, env.application].join(' -> '),
        fix: 'remove one dependency (e.g. a subscription to a publisher that itself subscribes back)',
      });
      return 0;
    }
    visiting.add(env.application);
    let d = 0;
    for (const dep of env.dependsOn ?? []) {
      const other = byName.get(dep);
      if (!other) {
        Problems.of(scope).error({ field: `environments.${env.application}.dependsOn`, message: 'depends on an environment that is not in this Kubernetes cluster', value: dep, fix: 'declare both environments on the same Kubernetes cluster, or drop the dependency' });
        continue;
      }
      d = Math.max(d, visit(other, [...chain, env.application]) + 1);
    }
    visiting.delete(env.application);
    depth.set(env.application, d);
    return d;
  };
  return environments.map((e) => [e, SyncWave.CLUSTER + visit(e, [])]);
}

/** A fresh app whose outdir is the Kubernetes cluster's folder. */
export function kubernetesClusterApp(outdir: string, props: KubernetesClusterPlatformProps): { app: App; cluster: KubernetesClusterPlatform } {
  const app = new App({ outdir, outputFileExtension: '.yaml' });
  return { app, cluster: new KubernetesClusterPlatform(app, props.name, props) };
}
