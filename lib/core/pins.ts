/**
 * Every version this library pins, in one table, each with the upstream place it was checked against.
 *
 * Nothing here is fetched at synth or test time: the facts were read from the upstream repositories (a snapshot of
 * each, read with `git show <tag>:<path>`) and copied here with their citation. `source` is always
 * "owner/repo path@tag" (with the commit and its date where it helps a reviewer find it again). A pin that could not
 * be verified against upstream says so: `verified: false` and a `note` with the reason; it is then the version the
 * issue tracker asked for, to be confirmed before a release.
 *
 * To upgrade a pin: read the new tag upstream, update the row (and `lib/platform/chart-facts.ts` for a chart, and the
 * vendored CRD in `crds/` with `crds/README.md` when the app version changes), then run `npx jest test/pins.test.ts`.
 */

/** One pinned version. */
export interface Pin {
  /** What is pinned, e.g. "cert-manager Helm chart". */
  readonly what: string;
  /** The pinned version (chart version, image tag, CRD app version). */
  readonly version: string;
  /** For charts: the application version the chart installs. */
  readonly appVersion?: string;
  /** Helm repository URL or image repository. */
  readonly repository: string;
  /** Where it was checked: "owner/repo path@tag". */
  readonly source: string;
  /** false when it could not be verified here; then `note` says why. */
  readonly verified: boolean;
  readonly note?: string;
}

/** A pinned Helm chart: `repository` is the Helm repository URL, `version` the exact chart version. */
export type ChartPin = Pin & {
  /** Chart name in the Helm repository. */
  readonly chart: string;
  /** The application version the chart installs (its `Chart.yaml` `appVersion`, spelled as upstream spells it). */
  readonly appVersion: string;
};

/** The pinned Helm charts of the platform operators (and of the optional monitoring stack). */
export interface ChartPins {
  readonly certManager: ChartPin;
  readonly cloudnativePg: ChartPin;
  readonly barmanCloudPlugin: ChartPin;
  readonly sealedSecrets: ChartPin;
  readonly kubePrometheusStack: ChartPin;
}

export const CHART_PINS: ChartPins = {
  // cert-manager's chart version is the git tag (deploy/charts/cert-manager/Chart.yaml says "The version and appVersion
  // fields are set automatically by the release tool"), published as `v1.21.1` in https://charts.jetstack.io.
  // v1.21.1 is the newest v1.21.x tag upstream (tags v1.21.0, v1.21.1; newest of all tags, snapshot of 2026-08-22).
  // The leader-election Role/RoleBinding go to `global.leaderElection.namespace` (default "kube-system",
  // values.yaml line 75 at v1.21.1), see chart-facts.ts.
  certManager: {
    what: 'cert-manager Helm chart',
    chart: 'cert-manager',
    version: 'v1.21.1',
    appVersion: 'v1.21.1',
    repository: 'https://charts.jetstack.io',
    source: 'cert-manager/cert-manager deploy/charts/cert-manager@v1.21.1 (24e33194, 2026-07-29)',
    verified: true,
  },
  // charts/cloudnative-pg/Chart.yaml at tag cloudnative-pg-v0.29.0: version 0.29.0, appVersion 1.30.0. Also the
  // newest cloudnative-pg chart tag and the version on main (snapshot 2026-07-24).
  cloudnativePg: {
    what: 'CloudNativePG operator Helm chart',
    chart: 'cloudnative-pg',
    version: '0.29.0',
    appVersion: '1.30.0',
    repository: 'https://cloudnative-pg.github.io/charts',
    source: 'cloudnative-pg/charts charts/cloudnative-pg@cloudnative-pg-v0.29.0 (d1b5ad60, 2026-06-29)',
    verified: true,
  },
  // The chart whose appVersion is v0.14.0, the plugin version whose CRD is vendored (crds/barmancloud.cnpg.io.yaml).
  barmanCloudPlugin: {
    what: 'Barman Cloud CNPG-I plugin Helm chart',
    chart: 'plugin-barman-cloud',
    version: '0.7.1',
    appVersion: 'v0.14.0',
    repository: 'https://cloudnative-pg.github.io/charts',
    source: 'cloudnative-pg/charts charts/plugin-barman-cloud@plugin-barman-cloud-v0.7.1',
    verified: false,
    note:
      'Not verifiable here: the cloudnative-pg/charts snapshot (main@876b0432 of 2026-07-24, Helm index ' +
      'gh-pages@a639619e of 2026-07-20) predates plugin v0.14.0 (cloudnative-pg/plugin-barman-cloud tag v0.14.0, ' +
      '1e13020f, 2026-07-29); its newest chart is plugin-barman-cloud-v0.7.0 = appVersion v0.13.0. Chart 0.7.1 = ' +
      'v0.14.0 (and 0.8.0 = v0.15.0) is what issue 13 states; no v0.15.0 plugin tag exists in the plugin snapshot ' +
      '(2026-08-08). The ObjectStore CRD is byte-identical in plugin v0.13.0 and v0.14.0. Confirm with ' +
      '`helm search repo cnpg/plugin-barman-cloud --versions` before a release.',
  },
  // helm/sealed-secrets/Chart.yaml at tag helm-v2.19.1: version 2.19.1, appVersion 0.38.4; the Helm repository index
  // (gh-pages index.yaml, fd2c1344 of 2026-07-03) lists 2.19.1 → 0.38.4 as its newest entry, downloaded from
  // github.com/bitnami/sealed-secrets/releases/download/helm-v2.19.1/. Chart 2.20.0 / app 0.40.0 (the previous pin) is
  // not in the bitnami/sealed-secrets snapshot (2026-07-29): no such chart tag, no v0.39/v0.40 app tag. 2.19.1 ships
  // the app (and the CRD, helm/sealed-secrets/crds/) whose CRD is vendored, so imports/ does not change.
  // The repository moved from bitnami-labs.github.io to bitnami.github.io (upstream "Migrate all bitnami-labs
  // references to bitnami org", #1983, and the announcement issue #1982).
  sealedSecrets: {
    what: 'Sealed Secrets controller Helm chart',
    chart: 'sealed-secrets',
    version: '2.19.1',
    appVersion: '0.38.4',
    repository: 'https://bitnami.github.io/sealed-secrets',
    source: 'bitnami/sealed-secrets helm/sealed-secrets@helm-v2.19.1 (d6bd5908, 2026-07-03)',
    verified: true,
  },
  // charts/kube-prometheus-stack/Chart.yaml at tag kube-prometheus-stack-88.2.0: version 88.2.0, appVersion v0.93.0
  // (prometheus-operator); its crds subchart ships the prometheus-operator v0.93.0 CRDs
  // (`operator.prometheus.io/version: 0.93.0`). Dependencies at that tag: kube-state-metrics 8.2.0,
  // prometheus-node-exporter 4.56.1, grafana 12.10.4 (grafana-community), prometheus-windows-exporter 0.12.* (off by
  // default). Newer 88.x tags exist upstream (88.5.3 on 2026-08-22); 88.2.0 matches the vendored CRDs.
  kubePrometheusStack: {
    what: 'kube-prometheus-stack Helm chart (optional monitoring stack)',
    chart: 'kube-prometheus-stack',
    version: '88.2.0',
    appVersion: 'v0.93.0',
    repository: 'https://prometheus-community.github.io/helm-charts',
    source: 'prometheus-community/helm-charts charts/kube-prometheus-stack@kube-prometheus-stack-88.2.0 (18956245, 2026-08-07)',
    verified: true,
  },
};

/** Image pins. */
export interface ImagePins {
  /**
   * The current PostgreSQL minor per supported major of the CloudNativePG operand images
   * (`ghcr.io/cloudnative-pg/postgresql:<minor>-<flavour>-<os>`, e.g. `16.15-standard-trixie`).
   */
  readonly postgres: Readonly<Record<16 | 17 | 18, string>>;
  /** Where the PostgreSQL minors were checked. */
  readonly postgresPin: Pin;
  /** The cloudflared image of the tunnel (`lib/exposure/cloudflared-tunnel.ts`). */
  readonly cloudflared: Pin;
}

export const IMAGE_PINS: ImagePins = {
  postgres: { 16: '16.15', 17: '17.11', 18: '18.6' },
  // docker-bake.hcl `postgreSQLVersions` = 14.24, 15.19, 16.15, 17.11, 18.6 since 77faebd8 ("chore: update PostgreSQL
  // versions", 2026-08-13); it builds minimal, standard and system images on trixie and bookworm, tagged
  // `<minor>-<type>-<os>` (docker-bake.hcl line 76). Debian/ClusterImageCatalog-bookworm.yaml (images.cnpg.io/date
  // 20260817) lists 16.15, 17.11 and 18.6.
  postgresPin: {
    what: 'CloudNativePG PostgreSQL operand images (minor per major)',
    version: '16.15 / 17.11 / 18.6',
    repository: 'ghcr.io/cloudnative-pg/postgresql',
    source: 'cloudnative-pg/postgres-containers docker-bake.hcl@main (a949ae58, 2026-08-20)',
    verified: true,
    note:
      'The repository has no git tags: verified from the build matrix on main and the bookworm image catalog; the ' +
      'image tags themselves (e.g. 16.15-standard-trixie) were not read from ghcr.io here. The trixie catalogs live ' +
      'in cloudnative-pg/artifacts, not read here.',
  },
  // Tag 2026.8.2 (733bfb93, 2026-08-14) is the newest tag of cloudflare/cloudflared (snapshot 2026-08-21);
  // RELEASE_NOTES at that tag starts with 2026.8.2.
  cloudflared: {
    what: 'cloudflared image (tunnel)',
    version: '2026.8.2',
    repository: 'docker.io/cloudflare/cloudflared',
    source: 'cloudflare/cloudflared RELEASE_NOTES@2026.8.2 (733bfb93, 2026-08-14)',
    verified: true,
    note: 'The release tag is verified; the Docker Hub image tag itself was not read from the registry here.',
  },
};

/** One vendored CRD file of `crds/` and the app version it was copied from. */
export interface CrdPin {
  /** Path from the repository root: `crds/<group>.yaml`. */
  readonly file: string;
  /** The API group: the file holds that group's CRDs only. */
  readonly group: string;
  /** The kinds the file defines. */
  readonly kinds: readonly string[];
  /** The app version (upstream tag) the documents were copied from, as in `crds/README.md`. */
  readonly appVersion: string;
  /** The chart pin that installs these CRDs in a cluster (its `appVersion` must equal `appVersion`). */
  readonly chartPin?: keyof ChartPins;
  /** "owner/repo path@tag" of the upstream documents. */
  readonly source: string;
  /** Upstream commit of the tag (abbreviated), as in `crds/README.md`. */
  readonly commit: string;
  /**
   * SHA-256 of the vendored file (LF line endings), taken when its documents were compared byte for byte with the
   * upstream files at `source`. Replacing the file without updating this row fails the test.
   */
  readonly sha256: string;
}

export const CRD_PINS: readonly CrdPin[] = [
  {
    file: 'crds/postgresql.cnpg.io.yaml',
    group: 'postgresql.cnpg.io',
    kinds: ['Backup', 'Cluster', 'ClusterImageCatalog', 'Database', 'DatabaseRole', 'FailoverQuorum', 'ImageCatalog', 'Pooler', 'Publication', 'ScheduledBackup', 'Subscription'],
    appVersion: 'v1.30.0',
    chartPin: 'cloudnativePg',
    // Also identical (apart from the `helm.sh/resource-policy: keep` annotation) to the chart's
    // charts/cloudnative-pg/templates/crds/crds.yaml at cloudnative-pg-v0.29.0.
    source: 'cloudnative-pg/cloudnative-pg config/crd/bases/@v1.30.0',
    commit: '4b5e244a',
    sha256: 'ef856a926ade52f51c5a2c92950062f127ec8e674858730a45874e5a14929815',
  },
  {
    file: 'crds/barmancloud.cnpg.io.yaml',
    group: 'barmancloud.cnpg.io',
    kinds: ['ObjectStore'],
    appVersion: 'v0.14.0',
    chartPin: 'barmanCloudPlugin',
    // Byte-identical to v0.13.0's, and to charts/plugin-barman-cloud/templates/crds/crds.yaml on charts main@876b0432
    // (apart from the keep annotation).
    source: 'cloudnative-pg/plugin-barman-cloud config/crd/bases/@v0.14.0',
    commit: '1e13020f',
    sha256: '9e2508e1b117b9e37271ce809a2e41b67468c553a605718077226754f96644ca',
  },
  {
    file: 'crds/bitnami.com.yaml',
    group: 'bitnami.com',
    kinds: ['SealedSecret'],
    appVersion: 'v0.38.4',
    chartPin: 'sealedSecrets',
    // Identical at v0.38.4 and at helm-v2.19.1 (the chart that ships app 0.38.4).
    source: 'bitnami/sealed-secrets helm/sealed-secrets/crds/@v0.38.4',
    commit: '0cc547ad',
    sha256: '68ecb40aaff653276579670c6a82f6e98e44c1ef7a72608d8ea53108e0594f59',
  },
  {
    file: 'crds/monitoring.coreos.com.yaml',
    group: 'monitoring.coreos.com',
    kinds: ['PodMonitor', 'PrometheusRule'],
    appVersion: 'v0.93.0',
    chartPin: 'kubePrometheusStack',
    // Same content as charts/kube-prometheus-stack/charts/crds/crds/crd-{podmonitors,prometheusrules}.yaml at
    // kube-prometheus-stack-88.2.0 (which add only a source-URL comment line).
    source: 'prometheus-operator/prometheus-operator example/prometheus-operator-crd/@v0.93.0',
    commit: 'f8fafd47',
    sha256: 'fcd8361aef0d3550c034d5658272e2624ab99a5fb58fd05d598dee5aaa0074d4',
  },
  {
    // Argo CD itself is not installed by this library: no chart pin.
    file: 'crds/argoproj.io.yaml',
    group: 'argoproj.io',
    kinds: ['Application', 'AppProject'],
    appVersion: 'v3.5.1',
    source: 'argoproj/argo-cd manifests/crds/@v3.5.1',
    commit: '109ca7ca',
    sha256: 'be4b93f997a07c150d53a9bc3288edaebbba346a1fca82af1fcddb31d5a25d78',
  },
  {
    // Built into k3s: no chart pin.
    file: 'crds/helm.cattle.io.yaml',
    group: 'helm.cattle.io',
    kinds: ['HelmChart'],
    appVersion: 'v0.17.7',
    source: 'k3s-io/helm-controller pkg/crds/yaml/generated/@v0.17.7',
    commit: '21a911f8',
    sha256: 'cde8cb44c9b65eb4eab40d4c09fcb7d45a7f77db55ac6bae4f1bff54a48913b5',
  },
];

/** `v1.2.3` and `1.2.3` are the same version: upstreams differ in whether they prefix tags with `v`. */
export function sameVersion(a: string, b: string): boolean {
  return a.replace(/^v/, '') === b.replace(/^v/, '');
}
