import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as argo from '../../imports/argoproj.io';
import { Problems } from '../core/problems';
import { isDns1123Label } from '../core/k8s-syntax';
import { appProject, BOOTSTRAP_LABEL, chartPermissions, isClusterScopedKind, reportUnknownCharts } from './kubernetes-cluster';
import { OperatorRelease } from './operators';
import { kindKey, SYNC_RETRY, SyncWave, syncWaveAnnotation } from './sync-waves';

/** How Argo CD syncs one component folder. */
export interface DeliveredComponent {
  /** The component's folder under the environment's `dist/` folder (also the chart that fills it). */
  readonly name: string;
  /** The chart that produces the folder; an Application for an empty chart is an error (its folder would not exist). */
  readonly chart: Chart;
  /** Destination namespace of namespaced objects without one; undefined for cluster-scoped components. */
  readonly namespace?: string;
  /** The Application's sync wave in the root application. */
  readonly syncWave: SyncWave;
  /**
   * Sync automatically, pruning what disappeared from git and reverting manual changes.
   * @default true
   */
  readonly automated?: boolean;
  /**
   * Prune objects removed from git.
   * @default true
   */
  readonly prune?: boolean;
  /**
   * Extra sync options, e.g. `ServerSideApply=true`.
   * @default - none
   */
  readonly syncOptions?: string[];
}

/** Properties of `ArgoCdDelivery`. */
export interface ArgoCdDeliveryProps {
  /** The environment; Applications are named `<environment>-<component>`. */
  readonly environment: string;
  /** The git repository Argo CD reads `dist/` from (https or ssh URL). */
  readonly repoUrl: string;
  /**
   * The branch, tag or commit Argo CD follows.
   * @default "main"
   */
  readonly targetRevision?: string;
  /**
   * The environment's folder in the repository.
   * @default "dist/<environment>"
   */
  readonly distPath?: string;
  /**
   * Namespace Argo CD runs in (Applications and the AppProject live there).
   * @default "argocd"
   */
  readonly argocdNamespace?: string;
  /**
   * Name of the AppProject.
   * @default "<environment>-postgres"
   */
  readonly projectName?: string;
  /** The component folders to deliver. */
  readonly components: DeliveredComponent[];
  /**
   * The operator releases installed by Argo CD (their Helm repositories and namespaces are allowed in the project).
   * @default - none
   */
  readonly operatorReleases?: OperatorRelease[];
  /**
   * The cluster Argo CD deploys to.
   * @default "https://kubernetes.default.svc"
   */
  readonly destinationServer?: string;
  /**
   * The folder of the Argo CD objects themselves (the root application syncs it).
   * @default "argocd"
   */
  readonly selfComponent?: string;
  /**
   * Emit the environment's own root application (and mark it and the AppProject for bootstrapping). `false` when the
   * environment shares a Kubernetes cluster whose root application syncs this folder after the operators
   * (`KubernetesClusterPlatform`).
   * @default true
   */
  readonly rootApplication?: boolean;
  /**
   * Name of the root application (the one that syncs this folder).
   * @default "<environment>-root"
   */
  readonly rootApplicationName?: string;
}

const URL_PATTERN = /^(https?:\/\/[^\s/]+\/\S+|ssh:\/\/\S+@[^\s/]+\/\S+|[\w.-]+@[\w.-]+:\S+)$/;

/**
 * Argo CD delivery of one environment: an AppProject limited to what the platform uses, one Application per
 * component folder (directory source, `*.yaml` only), and a root application (app of apps) that syncs them, ordered
 * by sync waves.
 */
export class ArgoCdDelivery extends Construct {
  /** Name of the AppProject. */
  public readonly projectName: string;
  /** Name of the root application; apply it once to bootstrap the environment. */
  public readonly rootApplicationName: string;
  /** The environment's folder in the repository. */
  public readonly distPath: string;
  /** Application name by component. */
  public readonly applicationNames: ReadonlyMap<string, string>;

  public constructor(scope: Construct, id: string, props: ArgoCdDeliveryProps) {
    super(scope, id);
    const argocdNamespace = props.argocdNamespace ?? 'argocd';
    const server = props.destinationServer ?? 'https://kubernetes.default.svc';
    const revision = props.targetRevision ?? 'main';
    const selfComponent = props.selfComponent ?? 'argocd';
    this.distPath = props.distPath ?? `dist/${props.environment}`;
    this.projectName = props.projectName ?? `${props.environment}-postgres`;
    this.rootApplicationName = props.rootApplicationName ?? `${props.environment}-root`;
    this.validate(props);

    const releases = props.operatorReleases ?? [];
    const permissions = chartPermissions(releases);
    reportUnknownCharts(this, permissions.missing, 'operatorReleases');
    // Exactly what the components and the pinned charts write: their namespaces and their cluster-scoped kinds.
    const namespaces = new Set<string>([argocdNamespace, ...permissions.namespaces]);
    const clusterKinds = new Set<string>(['Namespace', ...permissions.clusterKinds]);
    for (const c of props.components) {
      if (c.namespace) namespaces.add(c.namespace);
      for (const obj of c.chart.node.findAll().filter((x): x is ApiObject => x instanceof ApiObject)) {
        if (obj.metadata.namespace) namespaces.add(obj.metadata.namespace);
        if (isClusterScopedKind(kindKey(obj))) clusterKinds.add(kindKey(obj));
      }
    }
    const root = props.rootApplication ?? true;
    appProject(this, 'Project', {
      name: this.projectName,
      namespace: argocdNamespace,
      server,
      bootstrap: root,
      description: `PostgreSQL platform, environment ${props.environment}: ${this.distPath}${releases.length > 0 ? ' and its pinned operator charts' : ''}`,
      scopeOf: { sourceRepos: [props.repoUrl, ...releases.map((r) => r.repoUrl)], namespaces, clusterKinds },
    });

    const names = new Map<string, string>();
    for (const component of props.components) {
      const name = `${props.environment}-${component.name}`;
      names.set(component.name, name);
      this.componentApplication(name, component, { ...props, argocdNamespace, server, revision });
    }
    this.applicationNames = names;

    if (!root) return;
    // The root application syncs the folder holding this project and these Applications (itself included).
    new argo.Application(this, 'Root', {
      metadata: { name: this.rootApplicationName, namespace: argocdNamespace, labels: { [BOOTSTRAP_LABEL]: 'true' } },
      spec: {
        project: this.projectName,
        source: { repoUrl: props.repoUrl, targetRevision: revision, path: `${this.distPath}/${selfComponent}`, directory: { include: '*.yaml' } },
        destination: { server, namespace: argocdNamespace },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['PruneLast=true'] },
      },
    });
  }

  private componentApplication(
    name: string,
    component: DeliveredComponent,
    ctx: ArgoCdDeliveryProps & { argocdNamespace: string; server: string; revision: string },
  ): void {
    const automated = component.automated ?? true;
    new argo.Application(this, component.name, {
      metadata: {
        name,
        namespace: ctx.argocdNamespace,
        annotations: {
          [syncWaveAnnotation]: String(component.syncWave),
          // Diff against what the API server (and the CNPG defaulting webhook) would store: no drift from defaults.
          'argocd.argoproj.io/compare-options': 'ServerSideDiff=true',
        },
      },
      spec: {
        project: this.projectName,
        source: {
          repoUrl: ctx.repoUrl,
          targetRevision: ctx.revision,
          path: `${this.distPath}/${component.name}`,
          directory: { include: '*.yaml' },
        },
        destination: { server: ctx.server, namespace: component.namespace },
        syncPolicy: {
          automated: automated ? { prune: component.prune ?? true, selfHeal: true } : undefined,
          syncOptions: ['ServerSideApply=true', 'PruneLast=true', ...(component.syncOptions ?? [])],
          retry: SYNC_RETRY,
        },
      },
    });
  }

  private validate(props: ArgoCdDeliveryProps): void {
    const problems = Problems.of(this);
    if (!URL_PATTERN.test(props.repoUrl)) {
      problems.error({ field: 'repoUrl', message: 'is not a git repository URL', value: props.repoUrl, fix: 'use https://host/org/repo.git or git@host:org/repo.git' });
    }
    const seen = new Set<string>();
    for (const c of props.components) {
      if (!isDns1123Label(c.name) || !isDns1123Label(`${props.environment}-${c.name}`)) {
        problems.error({ field: `components.${c.name}`, message: 'the Application name <environment>-<component> must be a DNS-1123 label', value: `${props.environment}-${c.name}` });
      }
      if (seen.has(c.name)) problems.error({ field: 'components', message: 'two Applications would sync the same folder', value: c.name });
      seen.add(c.name);
      if (!c.chart.node.findAll().some((x) => x instanceof ApiObject)) {
        problems.error({
          field: `components.${c.name}`,
          message: `the Application's path ${props.distPath ?? `dist/${props.environment}`}/${c.name} is not produced by synth (the chart is empty)`,
          value: c.name,
          fix: 'remove the component from the delivery, or add objects to its chart',
        });
      }
    }
  }
}
