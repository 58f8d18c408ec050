import { ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import * as argo from '../../imports/argoproj.io';
import * as helm from '../../imports/helm.cattle.io';
import { CHART_PINS, ChartPin } from '../core/pins';
import { Problems } from '../core/problems';
import { stringifyYamlDocuments } from '../core/yaml-writer';
import { SYNC_RETRY, SyncWave, syncOptionsAnnotation } from './sync-waves';

/** A pinned Helm chart release of a platform operator. */
export interface OperatorRelease {
  /** Helm release name; objects the chart creates are named after it. */
  readonly releaseName: string;
  /** Chart name in the repository. */
  readonly chart: string;
  /** Helm repository URL. */
  readonly repoUrl: string;
  /** Chart version, exact (never a range: upgrades happen on purpose). */
  readonly version: string;
  /** The application version the chart installs, for the record. */
  readonly appVersion: string;
  /** Namespace the release installs into. */
  readonly namespace: string;
  /** Helm values. */
  readonly values: Record<string, unknown>;
  /** Argo CD sync wave of the release: CRD-bearing operators before what needs them. */
  readonly syncWave: number;
  /** Whether the chart ships CRDs too large for client-side apply (262144-byte annotation limit). */
  readonly largeCrds: boolean;
  /**
   * The Pod Security level its namespace must enforce for its pods to start (e.g. `privileged` for a node exporter
   * with host networking).
   * @default "baseline"
   */
  readonly podSecurity?: 'privileged' | 'baseline' | 'restricted';
}

/** Options of the CloudNativePG operator release. */
export interface CloudNativePgReleaseOptions {
  /**
   * Namespace of the operator.
   * @default "cnpg-system"
   */
  readonly namespace?: string;
}

/** A release's chart, version and app version, from the pin table (`lib/core/pins.ts`, with upstream sources). */
function pinned(pin: ChartPin): Pick<OperatorRelease, 'chart' | 'repoUrl' | 'version' | 'appVersion'> {
  return { chart: pin.chart, repoUrl: pin.repository, version: pin.version, appVersion: pin.appVersion };
}

/**
 * The operator releases the platform needs, pinned. Versions live in the pin table (`CHART_PINS` in
 * `lib/core/pins.ts`) and what each chart version installs in the chart table (`lib/platform/chart-facts.ts`): they are
 * upgraded on purpose there; synth, and review the diff of `dist/`.
 */
export class OperatorReleases {
  /**
   * The CloudNativePG operator chart 0.29.0 (operator 1.30.0) with the tutorial's controller resources
   * (200m/256Mi requests, 500m/512Mi limits; the chart's top-level `resources` key, not `controllerManager.*`).
   */
  public static cloudnativePg(options: CloudNativePgReleaseOptions = {}): OperatorRelease {
    return {
      releaseName: 'cnpg',
      ...pinned(CHART_PINS.cloudnativePg),
      namespace: options.namespace ?? 'cnpg-system',
      values: {
        // The operator's Deployment is named `cnpg-controller-manager`, as the PodMonitor and policies expect.
        fullnameOverride: 'cnpg-controller-manager',
        crds: { create: true },
        resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      },
      syncWave: SyncWave.OPERATORS,
      largeCrds: true,
    };
  }

  /**
   * The Barman Cloud plugin chart (plugin v0.14.0, whose ObjectStore CRD is vendored). It must be installed in the
   * operator's namespace and creates cert-manager Issuer/Certificate objects, so it syncs one wave after cert-manager.
   */
  public static barmanCloudPlugin(options: CloudNativePgReleaseOptions = {}): OperatorRelease {
    return {
      releaseName: 'barman-cloud',
      ...pinned(CHART_PINS.barmanCloudPlugin),
      namespace: options.namespace ?? 'cnpg-system',
      values: { crds: { create: true } },
      syncWave: SyncWave.OPERATOR_PLUGINS,
      largeCrds: false,
    };
  }

  /** The Sealed Secrets controller chart, named `sealed-secrets-controller` as `kubeseal` expects by default. */
  public static sealedSecrets(options: { namespace?: string } = {}): OperatorRelease {
    return {
      releaseName: 'sealed-secrets-controller',
      // https://bitnami.github.io/sealed-secrets: the bitnami-labs.github.io URL is retired (upstream issue #1982).
      ...pinned(CHART_PINS.sealedSecrets),
      namespace: options.namespace ?? 'sealed-secrets',
      values: { fullnameOverride: 'sealed-secrets-controller' },
      syncWave: SyncWave.OPERATORS,
      largeCrds: false,
    };
  }

  /**
   * cert-manager, which the Barman Cloud plugin needs for its TLS certificates. Its leader-election Roles stay in its
   * own namespace (the chart's default is kube-system, which the AppProject does not permit).
   */
  public static certManager(options: { namespace?: string } = {}): OperatorRelease {
    const namespace = options.namespace ?? 'cert-manager';
    return {
      releaseName: 'cert-manager',
      ...pinned(CHART_PINS.certManager),
      namespace,
      // global.leaderElection.namespace: deploy/charts/cert-manager/values.yaml@v1.21.1 (rbac.yaml, cainjector-rbac.yaml).
      values: { crds: { enabled: true, keep: true }, global: { leaderElection: { namespace } } },
      syncWave: SyncWave.OPERATORS,
      largeCrds: false,
    };
  }

  /** The Prometheus/Grafana stack the monitoring targets (optional). */
  public static kubePrometheusStack(options: { namespace?: string } = {}): OperatorRelease {
    return {
      releaseName: 'monitoring',
      ...pinned(CHART_PINS.kubePrometheusStack),
      namespace: options.namespace ?? 'monitoring',
      values: {
        // k3s runs the control plane inside the k3s process, so these exporters' kube-system Services would select
        // nothing — and the AppProject does not permit kube-system (templates/exporters/*/service.yaml@88.2.0).
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        coreDns: { enabled: false },
        // Pick up PodMonitors and PrometheusRules from every namespace, not only the chart's own release label.
        prometheus: { prometheusSpec: { podMonitorSelectorNilUsesHelmValues: false, ruleSelectorNilUsesHelmValues: false } },
        grafana: { sidecar: { dashboards: { enabled: true, searchNamespace: 'ALL' } } },
        'kube-state-metrics': { metricLabelsAllowlist: ['nodes=[topology.kubernetes.io/zone]'] },
      },
      syncWave: SyncWave.OPERATORS,
      largeCrds: true,
      // prometheus-node-exporter's DaemonSet uses hostNetwork, hostPID and hostPath volumes, which `baseline` rejects.
      podSecurity: 'privileged',
    };
  }

  /** The platform's default set: cert-manager, CloudNativePG, the Barman Cloud plugin and Sealed Secrets. */
  public static defaults(namespaces: { operator?: string; sealedSecrets?: string } = {}): OperatorRelease[] {
    return [
      OperatorReleases.certManager(),
      OperatorReleases.cloudnativePg({ namespace: namespaces.operator }),
      OperatorReleases.barmanCloudPlugin({ namespace: namespaces.operator }),
      OperatorReleases.sealedSecrets({ namespace: namespaces.sealedSecrets }),
    ];
  }

  private constructor() {}
}

/** How operators are installed. */
export enum OperatorDelivery {
  /** Argo CD `Application`s with a Helm chart source: Argo CD renders the charts (no helm binary at synth). */
  ARGO_CD = 'argocd',
  /** k3s `HelmChart` resources (`helm.cattle.io/v1`) for a k3s cluster without Argo CD. */
  K3S_HELM_CONTROLLER = 'k3s',
}

/** Properties of `OperatorInstalls`. */
export interface OperatorInstallsProps {
  /** The releases to install. */
  readonly releases: OperatorRelease[];
  /**
   * How they are installed.
   * @default OperatorDelivery.ARGO_CD
   */
  readonly delivery?: OperatorDelivery;
  /**
   * Namespace of the Argo CD Applications.
   * @default "argocd"
   */
  readonly argocdNamespace?: string;
  /**
   * Argo CD project of the Applications.
   * @default "default"
   */
  readonly project?: string;
  /**
   * Prefix of the Argo CD Application names (`<prefix>-operator-<release>`), so that one Argo CD can manage several
   * environments' clusters.
   * @default - no prefix
   */
  readonly applicationPrefix?: string;
  /**
   * Namespace of the k3s HelmChart resources (the helm-controller only watches kube-system on older k3s).
   * @default "kube-system"
   */
  readonly helmChartNamespace?: string;
}

/**
 * Installs the platform's operators as code. Pruning or deleting an operator install would uninstall the operator and
 * possibly its CRDs, cascading to every Cluster: every install is marked `Prune=false,Delete=false`.
 */
export class OperatorInstalls extends Construct {
  /** The releases installed. */
  public readonly releases: readonly OperatorRelease[];
  /** How they are installed. */
  public readonly delivery: OperatorDelivery;

  public constructor(scope: Construct, id: string, props: OperatorInstallsProps) {
    super(scope, id);
    this.releases = [...props.releases];
    this.delivery = props.delivery ?? OperatorDelivery.ARGO_CD;
    const seen = new Set<string>();
    for (const release of props.releases) {
      if (!/^v?\d+\.\d+\.\d+$/.test(release.version)) {
        Problems.of(this).error({ field: `releases.${release.releaseName}.version`, message: 'must be an exact chart version', value: release.version, fix: 'pin a version such as "0.29.0"; upgrades happen on purpose' });
      }
      if (seen.has(release.releaseName)) {
        Problems.of(this).error({ field: 'releases', message: 'the release is listed twice', value: release.releaseName });
      }
      seen.add(release.releaseName);
      if (this.delivery === OperatorDelivery.ARGO_CD) {
        this.argoApplication(release, props);
      } else {
        this.helmChart(release, props);
      }
    }
  }

  private argoApplication(release: OperatorRelease, props: OperatorInstallsProps): void {
    const syncOptions = ['CreateNamespace=false', ...(release.largeCrds ? ['ServerSideApply=true'] : [])];
    new argo.Application(this, release.releaseName, {
      metadata: {
        name: props.applicationPrefix ? `${props.applicationPrefix}-operator-${release.releaseName}` : `operator-${release.releaseName}`,
        namespace: props.argocdNamespace ?? 'argocd',
        annotations: operatorAnnotations(release),
      },
      spec: {
        project: props.project ?? 'default',
        source: {
          repoUrl: release.repoUrl,
          chart: release.chart,
          targetRevision: release.version,
          helm: { releaseName: release.releaseName, valuesObject: release.values },
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: release.namespace },
        syncPolicy: {
          // Self-heal keeps the operator as declared; pruning stays off: a removed CRD would delete every database.
          automated: { prune: false, selfHeal: true },
          syncOptions,
          retry: SYNC_RETRY,
        },
      },
    });
  }

  private helmChart(release: OperatorRelease, props: OperatorInstallsProps): void {
    new helm.HelmChart(this, release.releaseName, {
      metadata: {
        name: release.releaseName,
        namespace: props.helmChartNamespace ?? 'kube-system',
        annotations: operatorAnnotations(release),
      },
      spec: {
        chart: release.chart,
        repo: release.repoUrl,
        version: release.version,
        targetNamespace: release.namespace,
        createNamespace: false,
        // valuesContent (not `values`) works on every k3s version's HelmChart CRD.
        valuesContent: stringifyYamlDocuments([release.values]),
        failurePolicy: helm.HelmChartSpecFailurePolicy.ABORT,
      },
    });
  }
}

function operatorAnnotations(release: OperatorRelease): ApiObjectMetadata['annotations'] {
  return {
    'argocd.argoproj.io/sync-wave': String(release.syncWave),
    [syncOptionsAnnotation]: 'Prune=false,Delete=false',
    'cdk8s-cnpg/app-version': release.appVersion,
  };
}
