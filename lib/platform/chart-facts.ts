/**
 * What each pinned Helm chart version creates, read from the chart's templates at that exact version.
 *
 * Argo CD renders operator charts itself (no helm binary at synth), so what a chart puts into the cluster — which
 * namespaces, which cluster-scoped kinds, which CRDs, which kinds of other charts — is not visible in `dist/`. This
 * table records it per chart version, so the first-sync model can check AppProject permissions, namespaces and
 * ordering for chart contents too. A chart version that is not in this table cannot be checked: upgrading a chart
 * means reading its templates at the new tag and adding an entry here (cite repository, path and tag).
 *
 * Conventions: kinds are "group/Kind", core kinds bare ("Service"). `clusterScopedKinds` are those rendered with the
 * chart's default values plus the values `lib/platform/operators.ts` sets (e.g. cert-manager's `crds.enabled: true`),
 * including Helm hooks (Argo CD applies them as sync hooks). Conditions use Go-template truthiness, see `helmTruthy`.
 *
 * The facts were read from snapshots of the upstream repositories with `git show <tag>:<path>`; nothing is fetched
 * at synth or test time.
 */
/** A chart value that gates a template. */
export interface ValueCondition {
  /** Dotted values path, e.g. "kubeControllerManager.service.enabled". */
  readonly path: string;
  /** default of the value in the chart's values.yaml */
  readonly default: unknown;
}

/** Objects a chart renders outside the release namespace. */
export interface ForeignNamespaceObjects {
  /**
   * Namespace the objects land in when `valuePath` is unset or the release does not set that value (it is then the
   * value's default). A non-empty value moves them there; an explicitly empty value renders `namespace:` empty, which
   * puts them in the release namespace.
   */
  readonly namespace: string;
  /** Values path that overrides the namespace, e.g. "global.leaderElection.namespace". */
  readonly valuePath?: string;
  /** Kinds rendered there: "rbac.authorization.k8s.io/Role", core kinds as "Service". */
  readonly kinds: readonly string[];
  /** All must be truthy (from the release's values, else their default) for the objects to be rendered. */
  readonly enabledBy?: readonly ValueCondition[];
  /** Template file(s) at that tag. */
  readonly template: string;
}

/** What one chart version creates. */
export interface ChartFacts {
  readonly chart: string;
  readonly repoUrl: string;
  readonly version: string;
  readonly appVersion: string;
  /** "owner/repo path@tag" the templates were read at. */
  readonly source: string;
  /** Cluster-scoped kinds rendered with default values + the values lib/platform/operators.ts sets. */
  readonly clusterScopedKinds: readonly string[];
  /** "group/Kind" served once installed. */
  readonly crds: readonly string[];
  readonly foreignNamespaces: readonly ForeignNamespaceObjects[];
  /** Kinds the chart's templates create but whose CRD comes from another chart. */
  readonly requiresKinds: readonly string[];
  /** API groups its webhooks admit (so its controller must be ready before objects of those groups are applied). */
  readonly admissionWebhookGroups: readonly string[];
  /** Whether a template renders the Namespace itself. */
  readonly createsReleaseNamespace: boolean;
  /** false when the templates could not be read at exactly `version`; `note` says what they were read at instead. */
  readonly verified: boolean;
  readonly note?: string;
}

const CRD = 'apiextensions.k8s.io/CustomResourceDefinition';
const CLUSTER_ROLE = 'rbac.authorization.k8s.io/ClusterRole';
const CLUSTER_ROLE_BINDING = 'rbac.authorization.k8s.io/ClusterRoleBinding';
const ROLE = 'rbac.authorization.k8s.io/Role';
const ROLE_BINDING = 'rbac.authorization.k8s.io/RoleBinding';
const VALIDATING_WEBHOOK = 'admissionregistration.k8s.io/ValidatingWebhookConfiguration';
const MUTATING_WEBHOOK = 'admissionregistration.k8s.io/MutatingWebhookConfiguration';
const SERVICE_MONITOR = 'monitoring.coreos.com/ServiceMonitor';

const JETSTACK = 'https://charts.jetstack.io';
const CNPG_CHARTS = 'https://cloudnative-pg.github.io/charts';
const PROMETHEUS_COMMUNITY = 'https://prometheus-community.github.io/helm-charts';

/**
 * cert-manager, deploy/charts/cert-manager/templates/ at a tag. The same facts hold at v1.19.1 and v1.21.1 (same
 * kinds per template, same leader-election templates and value).
 */
function certManager(version: string, commit: string): ChartFacts {
  const dir = 'deploy/charts/cert-manager/templates';
  return {
    chart: 'cert-manager',
    repoUrl: JETSTACK,
    version,
    appVersion: version,
    source: `cert-manager/cert-manager deploy/charts/cert-manager@${version} (${commit})`,
    // crd-*.yaml: gated by `crds.enabled` (default false; operators.ts sets true) or `installCRDs`.
    // rbac.yaml, cainjector-rbac.yaml, webhook-rbac.yaml: ClusterRoles/ClusterRoleBindings (`global.rbac.create`,
    // default true). webhook-validating-webhook.yaml, webhook-mutating-webhook.yaml: unconditional.
    // startupapicheck-rbac.yaml / startupapicheck-job.yaml: namespaced Role/RoleBinding/Job, Helm post-install hooks.
    // *psp*.yaml (PodSecurityPolicy + its ClusterRole/Binding): `global.podSecurityPolicy.enabled`, default false.
    clusterScopedKinds: [CRD, CLUSTER_ROLE, CLUSTER_ROLE_BINDING, VALIDATING_WEBHOOK, MUTATING_WEBHOOK],
    crds: [
      'acme.cert-manager.io/Challenge', 'acme.cert-manager.io/Order',
      'cert-manager.io/Certificate', 'cert-manager.io/CertificateRequest', 'cert-manager.io/ClusterIssuer', 'cert-manager.io/Issuer',
    ],
    foreignNamespaces: [
      {
        // rbac.yaml lines 1-45: Role and RoleBinding `<fullname>:leaderelection` in
        // `namespace: {{ .Values.global.leaderElection.namespace }}`; values.yaml `global.leaderElection.namespace:
        // "kube-system"`. Set it to the release namespace to keep everything out of kube-system.
        namespace: 'kube-system',
        valuePath: 'global.leaderElection.namespace',
        kinds: [ROLE, ROLE_BINDING],
        enabledBy: [{ path: 'global.rbac.create', default: true }],
        template: `${dir}/rbac.yaml`,
      },
      {
        // cainjector-rbac.yaml lines 52-101: the cainjector's leader-election Role and RoleBinding, same value.
        namespace: 'kube-system',
        valuePath: 'global.leaderElection.namespace',
        kinds: [ROLE, ROLE_BINDING],
        enabledBy: [{ path: 'cainjector.enabled', default: true }, { path: 'global.rbac.create', default: true }],
        template: `${dir}/cainjector-rbac.yaml`,
      },
      // Not listed: podmonitor.yaml / servicemonitor.yaml can be moved by `prometheus.{podmonitor,servicemonitor}.namespace`
      // but are off by default (`prometheus.servicemonitor.enabled: false`, `prometheus.podmonitor.enabled: false`).
    ],
    requiresKinds: [],
    // webhook-validating-webhook.yaml: apiGroups cert-manager.io, acme.cert-manager.io (failurePolicy Fail);
    // webhook-mutating-webhook.yaml: cert-manager.io certificaterequests.
    admissionWebhookGroups: ['cert-manager.io', 'acme.cert-manager.io'],
    createsReleaseNamespace: false,
    verified: true,
  };
}

/**
 * The Barman Cloud plugin chart, charts/plugin-barman-cloud/templates/ (the same kinds and namespaces at 0.7.0 and on
 * main after it).
 */
function barmanCloudPlugin(version: string, appVersion: string, source: string, verification: Pick<ChartFacts, 'verified' | 'note'>): ChartFacts {
  return {
    chart: 'plugin-barman-cloud',
    repoUrl: CNPG_CHARTS,
    version,
    appVersion,
    source,
    // templates/crds/crds.yaml (`crds.create`, default true): the ObjectStore CRD; rbac.yaml (`rbac.create`):
    // ClusterRole + ClusterRoleBinding. No webhook configuration, no Namespace.
    clusterScopedKinds: [CRD, CLUSTER_ROLE, CLUSTER_ROLE_BINDING],
    crds: ['barmancloud.cnpg.io/ObjectStore'],
    // Everything else (Deployment, Service, ServiceAccount, leader-election Role/RoleBinding in
    // additional-rbac/leader_election.yaml, the Issuer and Certificates) goes to `plugin-barman-cloud.namespace`
    // (`namespaceOverride` or the release namespace).
    foreignNamespaces: [],
    // certificate-issuer.yaml: cert-manager.io/v1 Issuer (`certificate.createIssuer`, default true on main; unconditional
    // at 0.7.0); server-certificate.yaml / client-certificate.yaml: cert-manager.io/v1 Certificate
    // (`certificate.create{Server,Client}Certificate`, default true). So cert-manager's CRDs and its webhook (which
    // admits cert-manager.io) must be ready first.
    requiresKinds: ['cert-manager.io/Certificate', 'cert-manager.io/Issuer'],
    admissionWebhookGroups: [],
    createsReleaseNamespace: false,
    ...verification,
  };
}

/** One control-plane exporter of kube-prometheus-stack 88.2.0 (templates/exporters/<dir>/). */
function kpsExporter(key: string, dir: string, options: { endpoints: boolean }): ForeignNamespaceObjects[] {
  const base = 'charts/kube-prometheus-stack/templates/exporters';
  const common: ValueCondition[] = [{ path: 'kubernetesServiceMonitors.enabled', default: true }, { path: `${key}.enabled`, default: true }];
  return [
    // service.yaml: `namespace: kube-system`, hard-coded.
    { namespace: 'kube-system', kinds: ['Service'], enabledBy: [...common, { path: `${key}.service.enabled`, default: true }], template: `${base}/${dir}/service.yaml` },
    // endpoints.yaml: `namespace: kube-system`, only with a non-empty `<key>.endpoints` list (default []).
    ...(options.endpoints
      ? [{ namespace: 'kube-system', kinds: ['Endpoints'], enabledBy: [...common, { path: `${key}.endpoints`, default: [] }], template: `${base}/${dir}/endpoints.yaml` }]
      : []),
    // servicemonitor.yaml: in kube-system only with `prometheus.prometheusSpec.ignoreNamespaceSelectors` (default
    // false); otherwise in the release namespace.
    {
      namespace: 'kube-system',
      kinds: [SERVICE_MONITOR],
      enabledBy: [...common, { path: `${key}.serviceMonitor.enabled`, default: true }, { path: 'prometheus.prometheusSpec.ignoreNamespaceSelectors', default: false }],
      template: `${base}/${dir}/servicemonitor.yaml`,
    },
  ];
}

export const CHART_FACTS: readonly ChartFacts[] = [
  certManager('v1.21.1', '24e33194'),
  // The version operators.ts pinned before issue 13 (out of support), kept so a table entry exists while it is wired.
  certManager('v1.19.1', 'a22e21ea'),

  {
    // charts/cloudnative-pg/templates/ at cloudnative-pg-v0.29.0 (d1b5ad60).
    chart: 'cloudnative-pg',
    repoUrl: CNPG_CHARTS,
    version: '0.29.0',
    appVersion: '1.30.0',
    source: 'cloudnative-pg/charts charts/cloudnative-pg@cloudnative-pg-v0.29.0 (d1b5ad60)',
    // crds/crds.yaml (`crds.create`, default true; operators.ts sets true); rbac.yaml: ClusterRole (`rbac.create`),
    // ClusterRoleBinding (`config.clusterWide`, default true; a Role/RoleBinding in the release namespace otherwise),
    // `<fullname>-view` and `-edit` ClusterRoles; mutatingwebhookconfiguration.yaml / validatingwebhookconfiguration.yaml
    // (`webhook.{mutating,validating}.create`, default true). Everything namespaced goes to
    // `cloudnative-pg.namespace` = `namespaceOverride` or the release namespace. The `monitoring` (grafana-dashboards)
    // dependency is off by default (`monitoring.grafanaDashboard.create: false`), podmonitor.yaml too.
    clusterScopedKinds: [CRD, CLUSTER_ROLE, CLUSTER_ROLE_BINDING, MUTATING_WEBHOOK, VALIDATING_WEBHOOK],
    crds: [
      'postgresql.cnpg.io/Backup', 'postgresql.cnpg.io/Cluster', 'postgresql.cnpg.io/ClusterImageCatalog', 'postgresql.cnpg.io/Database',
      'postgresql.cnpg.io/DatabaseRole', 'postgresql.cnpg.io/FailoverQuorum', 'postgresql.cnpg.io/ImageCatalog', 'postgresql.cnpg.io/Pooler',
      'postgresql.cnpg.io/Publication', 'postgresql.cnpg.io/ScheduledBackup', 'postgresql.cnpg.io/Subscription',
    ],
    foreignNamespaces: [],
    requiresKinds: [],
    // Both webhook configurations: apiGroups postgresql.cnpg.io only.
    admissionWebhookGroups: ['postgresql.cnpg.io'],
    createsReleaseNamespace: false,
    verified: true,
  },

  barmanCloudPlugin('0.7.1', 'v0.14.0', 'cloudnative-pg/charts charts/plugin-barman-cloud@876b0432 (main, 2026-07-24; no plugin-barman-cloud-v0.7.1 tag in the snapshot)', {
    verified: false,
    note:
      'Chart 0.7.1 is not in the cloudnative-pg/charts snapshot available here; the facts were read on main@876b0432 ' +
      '(2026-07-24, after plugin-barman-cloud-v0.7.0) and hold unchanged at tag plugin-barman-cloud-v0.7.0 (83bd9c5): the ' +
      'same kinds per template and the same namespaces. Re-check at the 0.7.1 tag.',
  }),
  // Chart 0.7.0 = plugin v0.13.0, read at its tag: the verified fallback should 0.7.1 not exist.
  barmanCloudPlugin('0.7.0', 'v0.13.0', 'cloudnative-pg/charts charts/plugin-barman-cloud@plugin-barman-cloud-v0.7.0 (83bd9c59)', { verified: true }),

  {
    // helm/sealed-secrets/ at helm-v2.19.1 (d6bd5908).
    chart: 'sealed-secrets',
    repoUrl: 'https://bitnami.github.io/sealed-secrets',
    version: '2.19.1',
    appVersion: '0.38.4',
    source: 'bitnami/sealed-secrets helm/sealed-secrets@helm-v2.19.1 (d6bd5908)',
    // crds/bitnami.com_sealedsecrets.yaml (the chart's crds/ directory: always installed); cluster-role.yaml
    // (`rbac.create` and `rbac.clusterRole`, default true, unless `rbac.namespacedRoles`, default false);
    // cluster-role-binding.yaml (same). psp*.yaml: `rbac.pspEnabled`, default false. No webhooks.
    clusterScopedKinds: [CRD, CLUSTER_ROLE, CLUSTER_ROLE_BINDING],
    crds: ['bitnami.com/SealedSecret'],
    // Everything namespaced goes to `sealed-secrets.namespace` (value `namespace` or the release namespace). Only
    // with `rbac.namespacedRoles: true` (default false) does role.yaml / role-binding.yaml render Roles in each of
    // `additionalNamespaces` (default []), and servicemonitor.yaml / prometheusrule.yaml / configmap-dashboards.yaml
    // (all off by default) take their own namespace values.
    foreignNamespaces: [],
    requiresKinds: [],
    admissionWebhookGroups: [],
    createsReleaseNamespace: false,
    verified: true,
  },

  {
    // charts/kube-prometheus-stack/ at kube-prometheus-stack-88.2.0 (18956245), with its dependencies at that tag:
    // charts/crds (local), kube-state-metrics 8.2.0 (prometheus-community/helm-charts tag kube-state-metrics-8.2.0,
    // b9628e07), prometheus-node-exporter 4.56.1 (tag prometheus-node-exporter-4.56.1, 8b8e639c), grafana 12.10.4
    // (grafana-community/helm-charts tag grafana-12.10.4, e3b4194f); prometheus-windows-exporter is off
    // (`windowsMonitoring.enabled: false`).
    chart: 'kube-prometheus-stack',
    repoUrl: PROMETHEUS_COMMUNITY,
    version: '88.2.0',
    appVersion: 'v0.93.0',
    source: 'prometheus-community/helm-charts charts/kube-prometheus-stack@kube-prometheus-stack-88.2.0 (18956245)',
    // - charts/crds/crds/crd-*.yaml (`crds.enabled`, default true): CRDs. charts/crds/templates/upgrade/*
    //   (ClusterRole/Binding of the CRD upgrade job): `crds.upgradeJob.enabled`, default false.
    // - templates/prometheus-operator/clusterrole.yaml, clusterrolebinding.yaml; templates/prometheus/clusterrole.yaml,
    //   clusterrolebinding.yaml (`global.rbac.create`, default true). aggregate-clusterroles.yaml:
    //   `global.rbac.createAggregateClusterRoles`, default false.
    // - templates/prometheus-operator/admission-webhooks/validatingWebhookConfiguration.yaml,
    //   mutatingWebhookConfiguration.yaml (`prometheusOperator.admissionWebhooks.enabled`, default true);
    //   admission-webhooks/job-patch/clusterrole.yaml, clusterrolebinding.yaml (`...admissionWebhooks.patch.enabled`,
    //   default true, and not `certManager.enabled`): Helm pre-install/post-install hooks.
    // - kube-state-metrics 8.2.0 templates/role.yaml + clusterrolebinding.yaml: ClusterRole + ClusterRoleBinding
    //   (`rbac.create` and `rbac.useClusterRole`, both default true).
    // - grafana 12.10.4 templates/clusterrole.yaml + clusterrolebinding.yaml (`rbac.create` true, `rbac.namespaced`
    //   false by default); podsecuritypolicy.yaml only with `rbac.pspEnabled` (false).
    // - prometheus-node-exporter 4.56.1 templates/clusterrole.yaml + clusterrolebinding.yaml only with
    //   `kubeRBACProxy.enabled` (default false): no cluster-scoped kind by default (its DaemonSet runs with
    //   hostNetwork and hostPID: the release namespace needs the `privileged` Pod Security level).
    clusterScopedKinds: [CRD, CLUSTER_ROLE, CLUSTER_ROLE_BINDING, VALIDATING_WEBHOOK, MUTATING_WEBHOOK],
    crds: [
      'monitoring.coreos.com/Alertmanager', 'monitoring.coreos.com/AlertmanagerConfig', 'monitoring.coreos.com/PodMonitor',
      'monitoring.coreos.com/Probe', 'monitoring.coreos.com/Prometheus', 'monitoring.coreos.com/PrometheusAgent',
      'monitoring.coreos.com/PrometheusRule', 'monitoring.coreos.com/ScrapeConfig', 'monitoring.coreos.com/ServiceMonitor',
      'monitoring.coreos.com/ThanosRuler',
    ],
    // On k3s, to keep the chart out of kube-system set `kubeControllerManager.enabled`, `kubeScheduler.enabled`,
    // `kubeEtcd.enabled`, `kubeProxy.enabled` and `coreDns.enabled` to false (or each `<key>.service.enabled` to
    // false), leave `kubeDns.enabled` false, the `<key>.endpoints` lists empty and
    // `prometheus.prometheusSpec.ignoreNamespaceSelectors` false — or `kubernetesServiceMonitors.enabled: false`, which
    // also drops the kubelet and API server ServiceMonitors. Everything else goes to `kube-prometheus-stack.namespace`
    // (`namespaceOverride` or the release namespace; grafana and alertmanager have their own `namespaceOverride`).
    // Not a template: the operator itself creates and updates the kubelet Service/Endpoints in
    // `prometheusOperator.kubeletService.namespace` (default kube-system) at run time; Argo CD does not apply it.
    foreignNamespaces: [
      ...kpsExporter('kubeControllerManager', 'kube-controller-manager', { endpoints: true }),
      ...kpsExporter('kubeScheduler', 'kube-scheduler', { endpoints: true }),
      ...kpsExporter('kubeEtcd', 'kube-etcd', { endpoints: true }),
      ...kpsExporter('kubeProxy', 'kube-proxy', { endpoints: true }),
      ...kpsExporter('coreDns', 'core-dns', { endpoints: false }),
      {
        // kube-dns/service.yaml and servicemonitor.yaml: `kubeDns.enabled`, default false (Service in kube-system;
        // the ServiceMonitor in kube-system only with ignoreNamespaceSelectors, listed for the Service only here).
        namespace: 'kube-system',
        kinds: ['Service'],
        enabledBy: [{ path: 'kubernetesServiceMonitors.enabled', default: true }, { path: 'kubeDns.enabled', default: false }],
        template: 'charts/kube-prometheus-stack/templates/exporters/kube-dns/service.yaml',
      },
      {
        // kubelet/servicemonitor.yaml: `namespace: {{ .Values.kubelet.namespace }}` (default kube-system) with
        // ignoreNamespaceSelectors, else the release namespace.
        namespace: 'kube-system',
        valuePath: 'kubelet.namespace',
        kinds: [SERVICE_MONITOR],
        enabledBy: [
          { path: 'kubernetesServiceMonitors.enabled', default: true }, { path: 'kubelet.enabled', default: true },
          { path: 'kubelet.serviceMonitor.enabled', default: true }, { path: 'prometheus.prometheusSpec.ignoreNamespaceSelectors', default: false },
        ],
        template: 'charts/kube-prometheus-stack/templates/exporters/kubelet/servicemonitor.yaml',
      },
      {
        // kube-api-server/servicemonitor.yaml: `namespace: default` with ignoreNamespaceSelectors.
        namespace: 'default',
        kinds: [SERVICE_MONITOR],
        enabledBy: [
          { path: 'kubernetesServiceMonitors.enabled', default: true }, { path: 'kubeApiServer.enabled', default: true },
          { path: 'kubeApiServer.serviceMonitor.enabled', default: true }, { path: 'prometheus.prometheusSpec.ignoreNamespaceSelectors', default: false },
        ],
        template: 'charts/kube-prometheus-stack/templates/exporters/kube-api-server/servicemonitor.yaml',
      },
    ],
    // With default values every custom resource it renders (Prometheus, Alertmanager, PrometheusRules,
    // ServiceMonitors, PodMonitors of the subcharts) is of its own CRDs. Off by default and from other charts:
    // cert-manager.io Certificate/Issuer (`prometheusOperator.admissionWebhooks.certManager.enabled`),
    // GrafanaDashboard (`grafana.operator.dashboardsConfigMapRefEnabled`), VerticalPodAutoscaler, CiliumNetworkPolicy,
    // SecretProviderClass.
    requiresKinds: [],
    // validatingWebhookConfiguration.yaml: prometheusrules and alertmanagerconfigs; mutatingWebhookConfiguration.yaml:
    // prometheusrules — all monitoring.coreos.com.
    admissionWebhookGroups: ['monitoring.coreos.com'],
    createsReleaseNamespace: false,
    verified: true,
  },
];

/** Whether a Helm repository URL names the same repository (a trailing slash does not matter). */
function sameRepo(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/** The facts of a chart version, or undefined when the table has no entry for it (the version cannot be checked). */
export function chartFacts(repoUrl: string, chart: string, version: string): ChartFacts | undefined {
  return CHART_FACTS.find((f) => sameRepo(f.repoUrl, repoUrl) && f.chart === chart && f.version === version);
}

/** Go-template truthiness, as Helm's `if` sees a value: false, 0, "", null/missing, empty list and empty map are false. */
export function helmTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value as object).length > 0;
  return true;
}

/** The value at a dotted path of a release's values, or undefined. */
export function valueAt(values: Record<string, unknown>, path: string): unknown {
  let current: unknown = values;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !(key in (current as object))) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Whether the objects are rendered for a release's values: every condition holds (the release's value, else the default). */
export function isRendered(objects: ForeignNamespaceObjects, values: Record<string, unknown>): boolean {
  return (objects.enabledBy ?? []).every((c) => {
    const v = valueAt(values, c.path);
    return helmTruthy(v === undefined ? c.default : v);
  });
}

/** The namespace the objects land in for a release's values (the release namespace for an explicitly empty value). */
export function namespaceOf(objects: ForeignNamespaceObjects, values: Record<string, unknown>, releaseNamespace: string): string {
  if (!objects.valuePath) return objects.namespace;
  const v = valueAt(values, objects.valuePath);
  if (v === undefined || v === null) return objects.namespace;
  return v === '' ? releaseNamespace : String(v);
}

