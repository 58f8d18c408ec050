import { ApiObjectMetadata, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import * as argo from '../../imports/argoproj.io';
import * as helm from '../../imports/helm.cattle.io';
import { Problems } from '../core/problems';
import { SyncWave, syncOptionsAnnotation } from './sync-waves';

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
}

/** Options of the CloudNativePG operator release. */
export interface CloudNativePgReleaseOptions {
  /**
   * Namespace of the operator.
   * @default "cnpg-system"
   */
  readonly namespace?: string;
}

/**
 * The operator releases the platform needs, pinned. Versions are upgraded on purpose: change them here, synth, and
 * review the diff of `dist/`.
 */
export class OperatorReleases {
  /**
   * The CloudNativePG operator chart 0.29.0 (operator 1.30.0) with the tutorial's controller resources
   * (200m/256Mi requests, 500m/512Mi limits; the chart's top-level `resources` key, not `controllerManager.*`).
   */
  public static cloudnativePg(options: CloudNativePgReleaseOptions = {}): OperatorRelease {
    return {
      releaseName: 'cnpg',
      chart: 'cloudnative-pg',
      repoUrl: 'https://cloudnative-pg.github.io/charts',
      version: '0.29.0',
      appVersion: '1.30.0',
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
   * The Barman Cloud plugin chart (plugin 0.14.0). It must be installed in the operator's namespace and needs
   * cert-manager, so it syncs one wave after the CRD-bearing operators.
   */
  public static barmanCloudPlugin(options: CloudNativePgReleaseOptions = {}): OperatorRelease {
    return {
      releaseName: 'barman-cloud',
      chart: 'plugin-barman-cloud',
      repoUrl: 'https://cloudnative-pg.github.io/charts',
      version: '0.8.0',
      appVersion: 'v0.14.0',
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
      chart: 'sealed-secrets',
      repoUrl: 'https://bitnami-labs.github.io/sealed-secrets',
      version: '2.20.0',
      appVersion: '0.40.0',
      namespace: options.namespace ?? 'sealed-secrets',
      values: { fullnameOverride: 'sealed-secrets-controller' },
      syncWave: SyncWave.OPERATORS,
      largeCrds: false,
    };
  }

  /** cert-manager, which the Barman Cloud plugin needs for its TLS certificates. */
  public static certManager(options: { namespace?: string } = {}): OperatorRelease {
    return {
      releaseName: 'cert-manager',
      chart: 'cert-manager',
      repoUrl: 'https://charts.jetstack.io',
      version: 'v1.19.1',
      appVersion: 'v1.19.1',
      namespace: options.namespace ?? 'cert-manager',
      values: { crds: { enabled: true, keep: true } },
      syncWave: SyncWave.OPERATORS,
      largeCrds: false,
    };
  }

  /** The Prometheus/Grafana stack the monitoring targets (optional). */
  public static kubePrometheusStack(options: { namespace?: string } = {}): OperatorRelease {
    return {
      releaseName: 'monitoring',
      chart: 'kube-prometheus-stack',
      repoUrl: 'https://prometheus-community.github.io/helm-charts',
      version: '88.2.0',
      appVersion: 'v0.93.0',
      namespace: options.namespace ?? 'monitoring',
      values: {
        // Pick up PodMonitors and PrometheusRules from every namespace, not only the chart's own release label.
        prometheus: { prometheusSpec: { podMonitorSelectorNilUsesHelmValues: false, ruleSelectorNilUsesHelmValues: false } },
        grafana: { sidecar: { dashboards: { enabled: true, searchNamespace: 'ALL' } } },
        'kube-state-metrics': { metricLabelsAllowlist: ['nodes=[topology.kubernetes.io/zone]'] },
      },
      syncWave: SyncWave.OPERATORS,
      largeCrds: true,
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
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
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
        valuesContent: Yaml.stringify(release.values),
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
