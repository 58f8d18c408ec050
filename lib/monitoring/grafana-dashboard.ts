import * as fs from 'fs';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { isDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue } from '../core/k8s-syntax';
import { Problem, Problems } from '../core/problems';
import { kubernetesLabelProblems } from './pod-monitor';

/**
 * The upstream CloudNativePG Grafana dashboard (grafana.com 20417, `cloudnative-pg/grafana-dashboards`
 * `charts/cluster/grafana-dashboard.json`, uid `cloudnative-pg`), vendored in `dashboards/cloudnative-pg.json`.
 * Its data source is the template variable `DS_PROMETHEUS`, so it works when provisioned by the Grafana
 * sidecar (no import-time `__inputs` substitution needed).
 */
export function loadCloudNativePgDashboard(): { [key: string]: unknown } {
  const file = path.join(__dirname, 'dashboards', 'cloudnative-pg.json');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The dashboard as ConfigMap data, read and serialized once per process (every tenant of a fleet ships it). */
const DASHBOARD_JSON = new Map<boolean, string>();
function dashboardJson(pretty: boolean): string {
  let json = DASHBOARD_JSON.get(pretty);
  if (json === undefined) {
    const dashboard = loadCloudNativePgDashboard();
    json = pretty ? JSON.stringify(dashboard, null, 2) : JSON.stringify(dashboard);
    DASHBOARD_JSON.set(pretty, json);
  }
  return json;
}

/** Props of {@link CnpgGrafanaDashboard}. */
export interface CnpgGrafanaDashboardProps {
  /** `metadata.name` of the ConfigMap. @default 'cnpg-grafana-dashboard' */
  readonly name?: string;
  /** Namespace the Grafana sidecar watches. @default the chart's namespace */
  readonly namespace?: string;
  /** Label key the Grafana dashboard sidecar discovers ConfigMaps by (`sidecar.dashboards.label`). @default 'grafana_dashboard' */
  readonly sidecarLabel?: string;
  /** Value of that label (`sidecar.dashboards.labelValue`). @default '1' */
  readonly sidecarLabelValue?: string;
  /** More labels on the ConfigMap. */
  readonly labels?: { [key: string]: string };
  /** Grafana folder to put the dashboard in; written to the `folderAnnotation` annotation. @default none (General folder) */
  readonly folder?: string;
  /**
   * Annotation key the sidecar reads the folder from: the Grafana chart's `sidecar.dashboards.folderAnnotation`
   * (which also needs `sidecar.dashboards.provider.foldersFromFilesStructure: true`). @default 'grafana_folder'
   */
  readonly folderAnnotation?: string;
  /**
   * Add `argocd.argoproj.io/sync-options: ServerSideApply=true`. The dashboard is large; with client-side
   * apply its `last-applied-configuration` annotation approaches the 256 KiB annotation limit
   * (cloudnative-pg/charts#566). @default true
   */
  readonly serverSideApply?: boolean;
  /** Pretty-print the JSON (about twice the size). @default false (minified) */
  readonly pretty?: boolean;
}

/** The sidecar-discovered ConfigMap carrying the CloudNativePG dashboard. */
export class CnpgGrafanaDashboard extends Construct {
  /** `metadata.name` of the ConfigMap. */
  public readonly configMapName: string;
  /** Key of the dashboard JSON in the ConfigMap. */
  public readonly dataKey = 'cnp.json';
  /** The ConfigMap. */
  public readonly configMap: k8s.KubeConfigMap;

  public constructor(scope: Construct, id: string, props: CnpgGrafanaDashboardProps = {}) {
    super(scope, id);
    this.configMapName = props.name ?? 'cnpg-grafana-dashboard';
    const sidecarLabel = props.sidecarLabel ?? 'grafana_dashboard';
    const sidecarLabelValue = props.sidecarLabelValue ?? '1';
    const folderAnnotation = props.folderAnnotation ?? 'grafana_folder';

    const problems: Problem[] = [];
    if (!isDns1123Subdomain(this.configMapName)) {
      problems.push({ field: 'name', message: 'is not a valid ConfigMap name (DNS-1123 subdomain)', value: this.configMapName, fix: 'use lower-case letters, digits, "-" and "."' });
    }
    if (props.namespace !== undefined && !isDns1123Label(props.namespace)) {
      problems.push({ field: 'namespace', message: 'is not a valid namespace name', value: props.namespace, fix: 'use the namespace the Grafana sidecar watches' });
    }
    if (!isLabelKey(sidecarLabel)) {
      problems.push({ field: 'sidecarLabel', message: 'is not a valid Kubernetes label key', value: sidecarLabel, fix: 'use the Grafana chart\'s sidecar.dashboards.label, e.g. "grafana_dashboard"' });
    }
    if (typeof sidecarLabelValue !== 'string' || !isLabelValue(sidecarLabelValue)) {
      problems.push({ field: 'sidecarLabelValue', message: 'is not a valid Kubernetes label value', value: sidecarLabelValue, fix: 'use a string such as "1" (sidecar.dashboards.labelValue)' });
    }
    problems.push(...kubernetesLabelProblems('labels', props.labels));
    if (props.labels && sidecarLabel in props.labels && props.labels[sidecarLabel] !== sidecarLabelValue) {
      problems.push({ field: `labels.${sidecarLabel}`, message: 'conflicts with the sidecar discovery label', value: props.labels[sidecarLabel], fix: 'set sidecarLabelValue instead' });
    }
    if (props.folder !== undefined) {
      if (typeof props.folder !== 'string' || props.folder.trim() === '' || props.folder.includes('/')) {
        problems.push({ field: 'folder', message: 'must be a non-empty folder name without "/"', value: props.folder, fix: 'write e.g. "Databases"' });
      }
      if (!isLabelKey(folderAnnotation)) {
        problems.push({ field: 'folderAnnotation', message: 'is not a valid annotation key', value: folderAnnotation, fix: 'use the Grafana chart\'s sidecar.dashboards.folderAnnotation, e.g. "grafana_folder"' });
      }
    }
    problems.forEach((p) => Problems.of(this).error(p));

    const annotations: { [key: string]: string } = {};
    if (props.folder !== undefined) annotations[folderAnnotation] = props.folder;
    if (props.serverSideApply ?? true) annotations['argocd.argoproj.io/sync-options'] = 'ServerSideApply=true';

    this.configMap = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name: this.configMapName,
        ...(props.namespace ? { namespace: props.namespace } : {}),
        labels: { ...(props.labels ?? {}), [sidecarLabel]: sidecarLabelValue },
        ...(Object.keys(annotations).length ? { annotations } : {}),
      },
      data: { [this.dataKey]: dashboardJson(props.pretty ?? false) },
    });
  }
}
