import { Construct } from 'constructs';
import {
  PodMonitor,
  PodMonitorSpecPodMetricsEndpoints,
  PodMonitorSpecPodMetricsEndpointsScheme,
} from '../../imports/monitoring.coreos.com';
import { ICnpgCluster } from '../cluster/cluster-ref';
import { isDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue } from '../core/k8s-syntax';
import { Problem, Problems } from '../core/problems';

/**
 * PodMonitors (prometheus-operator `monitoring.coreos.com/v1`) for CloudNativePG. The Cluster's own
 * `spec.monitoring.enablePodMonitor` is deprecated since 1.27.1; these replace it.
 *
 * Pod labels the operator sets (CNPG 1.30, `pkg/utils/labels_annotations.go`, docs `labels_annotations.md`):
 * - instance pods: `cnpg.io/cluster=<cluster>`, `cnpg.io/podRole=instance`, `cnpg.io/instanceName=<pod>`,
 *   `cnpg.io/instanceRole=primary|replica` (and the deprecated `role`); container port `metrics` (9187).
 * - PgBouncer pods of a Pooler: `cnpg.io/poolerName=<pooler>`, `cnpg.io/podRole=pooler` and also
 *   `cnpg.io/cluster=<cluster>`; container port `metrics` (9127). Selecting on `cnpg.io/cluster` alone
 *   (as the docs' example does) would therefore scrape poolers as if they were instances.
 * - the operator: `app.kubernetes.io/name=cloudnative-pg`, port `metrics` (8080), namespace `cnpg-system`.
 */

/** Label keys and values CloudNativePG puts on the pods it creates. */
export const CNPG_POD_LABELS = {
  cluster: 'cnpg.io/cluster',
  podRole: 'cnpg.io/podRole',
  instanceRole: 'cnpg.io/instanceRole',
  instanceName: 'cnpg.io/instanceName',
  poolerName: 'cnpg.io/poolerName',
  podRoleInstance: 'instance',
  podRolePooler: 'pooler',
  operatorName: 'app.kubernetes.io/name',
  operatorNameValue: 'cloudnative-pg',
} as const;

/** `matchLabels` selecting the PostgreSQL instance pods of a cluster (not its poolers, not its jobs). */
export function instancePodSelector(clusterName: string): { [key: string]: string } {
  return { [CNPG_POD_LABELS.cluster]: clusterName, [CNPG_POD_LABELS.podRole]: CNPG_POD_LABELS.podRoleInstance };
}

/** `matchLabels` selecting the PgBouncer pods of one Pooler. */
export function poolerPodSelector(poolerName: string): { [key: string]: string } {
  return { [CNPG_POD_LABELS.poolerName]: poolerName, [CNPG_POD_LABELS.podRole]: CNPG_POD_LABELS.podRolePooler };
}

/** `matchLabels` selecting the CloudNativePG operator pods. */
export function operatorPodSelector(): { [key: string]: string } {
  return { [CNPG_POD_LABELS.operatorName]: CNPG_POD_LABELS.operatorNameValue };
}

/** Problems with a map of Kubernetes labels (keys and values), reported under `field.<key>`. */
export function kubernetesLabelProblems(field: string, labels: { readonly [key: string]: string } | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (!isLabelKey(key)) {
      problems.push({ field: `${field}.${key}`, message: 'is not a valid Kubernetes label key', value: key, fix: 'use an optional DNS-subdomain prefix and "/", then at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric' });
    }
    if (typeof value !== 'string' || !isLabelValue(value)) {
      problems.push({ field: `${field}.${key}`, message: 'is not a valid Kubernetes label value', value, fix: 'use at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric, as a string (quote numbers: "1")' });
    }
  }
  return problems;
}

/** Options shared by every PodMonitor. */
export interface PodMonitorCommonProps {
  /** `metadata.name` of the PodMonitor. */
  readonly name?: string;
  /** Labels of the PodMonitor, e.g. `{ release: 'kube-prometheus-stack' }` to match the Prometheus `podMonitorSelector`. */
  readonly labels?: { [key: string]: string };
  /** Scrape interval (Prometheus duration). @default the Prometheus default */
  readonly interval?: string;
}

/** TLS settings when the Cluster sets `spec.monitoring.tls.enabled: true`. */
export interface InstanceMetricsTls {
  /** Secret with the CA that signed the server certificate. @default `<cluster>-ca` (operator-generated) */
  readonly caSecretName?: string;
  /** Key of the CA in that Secret. @default `ca.crt` */
  readonly caSecretKey?: string;
  /** Server name to verify. The server certificate covers the cluster's Services. @default `<cluster>-rw` */
  readonly serverName?: string;
}

/** Props of {@link CnpgClusterPodMonitor}. */
export interface CnpgClusterPodMonitorProps extends PodMonitorCommonProps {
  /** The cluster to scrape. */
  readonly cluster: ICnpgCluster;
  /** Scrape over HTTPS (the Cluster has `spec.monitoring.tls.enabled: true`). @default plain HTTP */
  readonly tls?: InstanceMetricsTls | boolean;
}

const PROM_DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;

function commonProblems(props: PodMonitorCommonProps): Problem[] {
  const problems = kubernetesLabelProblems('labels', props.labels);
  if (props.name !== undefined && !isDns1123Subdomain(props.name)) {
    problems.push({ field: 'name', message: 'is not a valid object name (DNS-1123 subdomain)', value: props.name, fix: 'use lower-case letters, digits, "-" and "."' });
  }
  if (props.interval !== undefined && (props.interval === '' || !PROM_DURATION.test(props.interval) || /^0+[a-z]+$/.test(props.interval))) {
    problems.push({ field: 'interval', message: 'must be a positive Prometheus duration', value: props.interval, fix: 'write e.g. "30s" or "1m"' });
  }
  return problems;
}

/**
 * Scrapes the PostgreSQL instances of one cluster: selector `cnpg.io/cluster=<name>` +
 * `cnpg.io/podRole=instance`, port `metrics`. Named `<cluster>-instances` so it never collides with the
 * PodMonitor the operator would create (named `<cluster>`) if `enablePodMonitor` were turned on.
 */
export class CnpgClusterPodMonitor extends Construct {
  /** `metadata.name` of the PodMonitor. */
  public readonly podMonitorName: string;
  /** The label selector used. */
  public readonly selector: { [key: string]: string };

  public constructor(scope: Construct, id: string, props: CnpgClusterPodMonitorProps) {
    super(scope, id);
    const cluster = props.cluster;
    this.podMonitorName = props.name ?? `${cluster.clusterName}-instances`;
    this.selector = instancePodSelector(cluster.clusterName);
    commonProblems(props).forEach((p) => Problems.of(this).error(p));

    const endpoint: PodMonitorSpecPodMetricsEndpoints = { port: 'metrics', ...(props.interval ? { interval: props.interval } : {}) };
    let tlsEndpoint: PodMonitorSpecPodMetricsEndpoints = endpoint;
    if (props.tls) {
      const tls: InstanceMetricsTls = props.tls === true ? {} : props.tls;
      const caName = tls.caSecretName ?? `${cluster.clusterName}-ca`;
      if (!isDns1123Subdomain(caName)) {
        Problems.of(this).error({ field: 'tls.caSecretName', message: 'is not a valid Secret name', value: caName, fix: 'use the name of the Secret holding the CA, by default <cluster>-ca' });
      }
      tlsEndpoint = {
        ...endpoint,
        scheme: PodMonitorSpecPodMetricsEndpointsScheme.HTTPS,
        tlsConfig: {
          ca: { secret: { name: caName, key: tls.caSecretKey ?? 'ca.crt' } },
          serverName: tls.serverName ?? cluster.rwServiceName,
        },
      };
    }

    new PodMonitor(this, 'Resource', {
      metadata: { name: this.podMonitorName, namespace: cluster.namespace, labels: { ...(props.labels ?? {}) } },
      spec: {
        selector: { matchLabels: this.selector },
        podMetricsEndpoints: [tlsEndpoint],
      },
    });
  }
}

/** Props of {@link CnpgPoolerPodMonitor}. */
export interface CnpgPoolerPodMonitorProps extends PodMonitorCommonProps {
  /** `metadata.name` of the Pooler. */
  readonly poolerName: string;
  /** Namespace of the Pooler (the cluster's namespace). */
  readonly namespace: string;
}

/** Scrapes the PgBouncer pods of one Pooler: selector `cnpg.io/poolerName=<pooler>` + `cnpg.io/podRole=pooler`, port `metrics`. */
export class CnpgPoolerPodMonitor extends Construct {
  public readonly podMonitorName: string;
  public readonly selector: { [key: string]: string };

  public constructor(scope: Construct, id: string, props: CnpgPoolerPodMonitorProps) {
    super(scope, id);
    this.podMonitorName = props.name ?? props.poolerName;
    this.selector = poolerPodSelector(props.poolerName);
    const problems = commonProblems(props);
    if (!isDns1123Label(props.poolerName)) {
      problems.push({ field: 'poolerName', message: 'is not a valid Pooler name (DNS-1123 label)', value: props.poolerName, fix: 'use the metadata.name of the Pooler' });
    }
    if (!isDns1123Label(props.namespace)) {
      problems.push({ field: 'namespace', message: 'is not a valid namespace name', value: props.namespace, fix: 'use the namespace of the Pooler' });
    }
    problems.forEach((p) => Problems.of(this).error(p));
    new PodMonitor(this, 'Resource', {
      metadata: { name: this.podMonitorName, namespace: props.namespace, labels: { ...(props.labels ?? {}) } },
      spec: {
        selector: { matchLabels: this.selector },
        podMetricsEndpoints: [{ port: 'metrics', ...(props.interval ? { interval: props.interval } : {}) }],
      },
    });
  }
}

/** Props of {@link CnpgOperatorPodMonitor}. */
export interface CnpgOperatorPodMonitorProps extends PodMonitorCommonProps {
  /** Namespace of the operator. @default 'cnpg-system' */
  readonly namespace?: string;
}

/** Scrapes the CloudNativePG operator (controller-runtime metrics): `app.kubernetes.io/name=cloudnative-pg`, port `metrics`. */
export class CnpgOperatorPodMonitor extends Construct {
  public readonly podMonitorName: string;
  public readonly selector: { [key: string]: string };

  public constructor(scope: Construct, id: string, props: CnpgOperatorPodMonitorProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? 'cnpg-system';
    this.podMonitorName = props.name ?? 'cnpg-controller-manager';
    this.selector = operatorPodSelector();
    const problems = commonProblems(props);
    if (!isDns1123Label(namespace)) {
      problems.push({ field: 'namespace', message: 'is not a valid namespace name', value: namespace, fix: 'use the namespace the operator runs in, by default cnpg-system' });
    }
    problems.forEach((p) => Problems.of(this).error(p));
    new PodMonitor(this, 'Resource', {
      metadata: { name: this.podMonitorName, namespace, labels: { ...(props.labels ?? {}) } },
      spec: {
        selector: { matchLabels: this.selector },
        podMetricsEndpoints: [{ port: 'metrics', ...(props.interval ? { interval: props.interval } : {}) }],
      },
    });
  }
}
