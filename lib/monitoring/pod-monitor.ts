import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as prom from '../../imports/monitoring.coreos.com';
import { ICnpgCluster } from '../cluster/cluster-ref';
import type { Pooler } from '../cluster/pooler';
import { isDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue } from '../core/k8s-syntax';
import { Problem, Problems } from '../core/problems';

/**
 * `PodMonitor` (prometheus-operator `monitoring.coreos.com/v1`): tells Prometheus which pods to scrape, on which
 * port, how often and how. One typed construct for any workload, with the CloudNativePG flavours as factories
 * (`PodMonitor.forCluster`, `PodMonitor.forPooler`, `PodMonitor.forOperator`). The Cluster's own
 * `spec.monitoring.enablePodMonitor` is deprecated since CloudNativePG 1.27.1; these replace it.
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

// ---------------------------------------------------------------------------------------------------------------
// Value types of the props
// ---------------------------------------------------------------------------------------------------------------

/** HTTP scheme of a scrape (`scheme`). */
export enum MetricsScheme {
  /** Plain HTTP. */
  HTTP = 'http',
  /** HTTPS; the `tls*` options say how to verify the server. */
  HTTPS = 'https',
}

/** What a relabeling does (Prometheus `relabel_config.action`). */
export enum RelabelAction {
  /** Writes `replacement` (with regex groups) to `targetLabel` when `regex` matches the joined source labels. */
  REPLACE = 'replace',
  /** Drops the target (or series) unless `regex` matches the joined source labels. */
  KEEP = 'keep',
  /** Drops the target (or series) when `regex` matches the joined source labels. */
  DROP = 'drop',
  /** Writes the hash of the joined source labels modulo `modulus` to `targetLabel` (sharding). */
  HASHMOD = 'hashmod',
  /** Copies every label whose name matches `regex` to the name given by `replacement`. */
  LABELMAP = 'labelmap',
  /** Removes every label whose name matches `regex`. */
  LABELDROP = 'labeldrop',
  /** Removes every label whose name does not match `regex`. */
  LABELKEEP = 'labelkeep',
  /** Writes the lower-cased joined source labels to `targetLabel` (Prometheus 2.36 or newer). */
  LOWERCASE = 'lowercase',
  /** Writes the upper-cased joined source labels to `targetLabel` (Prometheus 2.36 or newer). */
  UPPERCASE = 'uppercase',
  /** Drops the target unless the joined source labels equal `targetLabel`'s value (Prometheus 2.41 or newer). */
  KEEP_EQUAL = 'keepequal',
  /** Drops the target when the joined source labels equal `targetLabel`'s value (Prometheus 2.41 or newer). */
  DROP_EQUAL = 'dropequal',
}

/**
 * One Prometheus relabeling rule (`relabelings` act on targets before the scrape, `metricRelabelings` on the scraped
 * series). Label names follow the Prometheus 2 rule `[a-zA-Z_][a-zA-Z0-9_]*` (the UTF-8 names Prometheus 3 also
 * accepts are refused, so the rule works on both); regexes are RE2, fully anchored.
 */
export interface Relabeling {
  /**
   * What the rule does.
   * @default RelabelAction.REPLACE
   */
  readonly action?: RelabelAction;
  /**
   * Labels whose values are joined with `separator` and matched against `regex`,
   * e.g. `['__meta_kubernetes_pod_label_cnpg_io_instanceRole']`.
   * @default - none
   */
  readonly sourceLabels?: string[];
  /**
   * String between the joined source label values.
   * @default ";"
   */
  readonly separator?: string;
  /**
   * Label the result is written to; required by replace, hashmod, lowercase, uppercase, keepequal and dropequal.
   * @default - none
   */
  readonly targetLabel?: string;
  /**
   * RE2 regular expression matched against the joined source labels (or label names for labelmap/labeldrop/labelkeep).
   * @default "(.*)"
   */
  readonly regex?: string;
  /**
   * Modulus of the hash for `RelabelAction.HASHMOD` (a positive whole number).
   * @default - none (required by hashmod)
   */
  readonly modulus?: number;
  /**
   * Value written to `targetLabel` when `regex` matches; `$1`, `${name}` refer to capture groups.
   * @default "$1"
   */
  readonly replacement?: string;
}

/** Operator of a label selector requirement. */
export enum SelectorOperator {
  /** The label's value is one of `values`. */
  IN = 'In',
  /** The label is absent or its value is none of `values`. */
  NOT_IN = 'NotIn',
  /** The label is present (no `values`). */
  EXISTS = 'Exists',
  /** The label is absent (no `values`). */
  DOES_NOT_EXIST = 'DoesNotExist',
}

/** One `matchExpressions` requirement of the pod selector. */
export interface PodSelectorRequirement {
  /** The pod label key, e.g. `cnpg.io/instanceRole`. */
  readonly key: string;
  /** How the label is compared. */
  readonly operator: SelectorOperator;
  /**
   * Values for `In` and `NotIn` (at least one); must be empty for `Exists` and `DoesNotExist`.
   * @default - none
   */
  readonly values?: string[];
}

/** Which namespaces Prometheus looks for the selected pods in (`spec.namespaceSelector`). */
export class MonitoredNamespaces {
  /** The PodMonitor's own namespace (the Prometheus operator's default). */
  public static own(): MonitoredNamespaces {
    return new MonitoredNamespaces(undefined, false);
  }

  /** Every namespace (`any: true`): the pod selector alone decides. */
  public static any(): MonitoredNamespaces {
    return new MonitoredNamespaces(undefined, true);
  }

  /** The named namespaces (`matchNames`). */
  public static named(...names: string[]): MonitoredNamespaces {
    return new MonitoredNamespaces([...names], false);
  }

  private constructor(
    /** The namespaces named, when selected by name. */
    public readonly names: readonly string[] | undefined,
    /** Whether every namespace is selected. */
    public readonly anyNamespace: boolean,
  ) {}

  /** @internal */
  public _toKube(): prom.PodMonitorSpecNamespaceSelector | undefined {
    if (this.anyNamespace) return { any: true };
    if (this.names) return { matchNames: [...this.names] };
    return undefined;
  }
}

/** One scraped port of the selected pods (`spec.podMetricsEndpoints[]`). */
export interface PodMetricsEndpoint {
  /** Name of the container port to scrape, e.g. `metrics`. */
  readonly port: string;
  /**
   * HTTP path of the metrics.
   * @default "/metrics"
   */
  readonly path?: string;
  /**
   * HTTP scheme.
   * @default - MetricsScheme.HTTPS when a `tls*` option is set, otherwise MetricsScheme.HTTP
   */
  readonly scheme?: MetricsScheme;
  /**
   * How often to scrape (Prometheus duration such as `30s`, `1m`, `1m30s`).
   * @default - Prometheus' global `scrape_interval`
   */
  readonly interval?: string;
  /**
   * How long a scrape may take (Prometheus duration); at most `interval`.
   * @default - Prometheus' global `scrape_timeout` (capped at the interval)
   */
  readonly scrapeTimeout?: string;
  /**
   * Relabelings of the target, before the scrape.
   * @default - none
   */
  readonly relabelings?: Relabeling[];
  /**
   * Relabelings of the scraped series, before they are stored.
   * @default - none
   */
  readonly metricRelabelings?: Relabeling[];
  /**
   * Secret (in the PodMonitor's namespace) holding the CA that signed the server certificate; implies HTTPS.
   * @default - the system's trusted CAs
   */
  readonly tlsCaSecretName?: string;
  /**
   * Key of the CA in `tlsCaSecretName`.
   * @default "ca.crt"
   */
  readonly tlsCaSecretKey?: string;
  /**
   * Server name the certificate must be valid for; implies HTTPS.
   * @default - the target's address
   */
  readonly tlsServerName?: string;
  /**
   * Skip verifying the server certificate (testing only); implies HTTPS.
   * @default false
   */
  readonly tlsInsecureSkipVerify?: boolean;
}

/** Props of a {@link PodMonitor}. */
export interface PodMonitorProps {
  /**
   * Labels the scraped pods carry (`spec.selector.matchLabels`). Together with `selectorExpressions` it must not be
   * empty: an empty selector scrapes every pod of the namespace.
   */
  readonly selector: { readonly [key: string]: string };
  /**
   * Further requirements on the pods' labels (`spec.selector.matchExpressions`), e.g. `cnpg.io/instanceRole In (primary)`.
   * @default - none
   */
  readonly selectorExpressions?: PodSelectorRequirement[];
  /**
   * Namespaces the pods are looked for in.
   * @default - the PodMonitor's own namespace (MonitoredNamespaces.own())
   */
  readonly namespaceSelector?: MonitoredNamespaces;
  /**
   * The ports to scrape, each with its interval, timeout, relabelings and TLS settings.
   * @default - one endpoint: the container port named `metrics`, plain HTTP, Prometheus' global interval
   */
  readonly endpoints?: PodMetricsEndpoint[];
  /**
   * `metadata.name` of the PodMonitor (a DNS-1123 subdomain).
   * @default - a name generated from the construct path
   */
  readonly name?: string;
  /**
   * Namespace of the PodMonitor (and, by default, of the pods it selects).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Labels of the PodMonitor, e.g. `{ release: 'kube-prometheus-stack' }` to match Prometheus' `podMonitorSelector`.
   * @default - none
   */
  readonly labels?: { readonly [key: string]: string };
}

/** Options of every CloudNativePG PodMonitor flavour (`forCluster`, `forPooler`, `forOperator`): one `metrics` endpoint. */
export interface CnpgPodMonitorOptions {
  /**
   * `metadata.name` of the PodMonitor.
   * @default - `<cluster>-instances` for a cluster, the Pooler's name for a pooler, `cnpg-controller-manager` for the operator
   */
  readonly name?: string;
  /**
   * Labels of the PodMonitor: the platform passes Prometheus' `podMonitorSelector` labels here.
   * @default - none
   */
  readonly labels?: { readonly [key: string]: string };
  /**
   * Scrape interval (Prometheus duration).
   * @default - Prometheus' global `scrape_interval`
   */
  readonly interval?: string;
  /**
   * Scrape timeout (Prometheus duration), at most `interval`.
   * @default - Prometheus' global `scrape_timeout`
   */
  readonly scrapeTimeout?: string;
  /**
   * Relabelings of the targets.
   * @default - none
   */
  readonly relabelings?: Relabeling[];
  /**
   * Relabelings of the scraped series.
   * @default - none
   */
  readonly metricRelabelings?: Relabeling[];
}

/** Props of {@link PodMonitor.forCluster}. */
export interface ClusterPodMonitorProps extends CnpgPodMonitorOptions {
  /** The cluster whose PostgreSQL instances are scraped (never its poolers or jobs). */
  readonly cluster: ICnpgCluster;
  /**
   * Scrape over HTTPS: set it when the Cluster has `spec.monitoring.tls.enabled: true`.
   * @default - true when a `tls*` option is set, otherwise false
   */
  readonly tls?: boolean;
  /**
   * Secret holding the CA that signed the instances' server certificate.
   * @default - `<cluster>-ca` (generated by the operator)
   */
  readonly tlsCaSecretName?: string;
  /**
   * Key of the CA in that Secret.
   * @default "ca.crt"
   */
  readonly tlsCaSecretKey?: string;
  /**
   * Server name to verify; the server certificate covers the cluster's Services.
   * @default - the cluster's read-write Service, `<cluster>-rw`
   */
  readonly tlsServerName?: string;
}

/** Props of {@link PodMonitor.forPooler}. */
export interface PoolerPodMonitorProps extends CnpgPodMonitorOptions {
  /** The Pooler whose PgBouncer pods are scraped (its namespace is the PodMonitor's). */
  readonly pooler: Pooler;
}

/** Props of {@link PodMonitor.forOperator}. */
export interface OperatorPodMonitorProps extends CnpgPodMonitorOptions {
  /**
   * Namespace the operator runs in (the PodMonitor goes there).
   * @default "cnpg-system"
   */
  readonly namespace?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The construct
// ---------------------------------------------------------------------------------------------------------------

/** Set by the CloudNativePG factories: their endpoint options are flat props, so problems name them without a prefix. */
const FLAT_ENDPOINT = Symbol('cdk8s-cnpg.podMonitor.flatEndpoint');
type InternalProps = PodMonitorProps & { [FLAT_ENDPOINT]?: boolean };

/**
 * A Prometheus Operator `PodMonitor` (`monitoring.coreos.com/v1`) for any workload: a pod selector, the namespaces to
 * look in, and the ports to scrape with their interval, timeout, relabelings and TLS settings. Every prop is checked
 * at synth (label syntax, durations, timeout within the interval, relabeling rules, TLS references), each error naming
 * the field, the bad value and the fix.
 *
 * For CloudNativePG use the factories: {@link PodMonitor.forCluster} (instance pods only),
 * {@link PodMonitor.forPooler} and {@link PodMonitor.forOperator}.
 *
 * @example
 * new PodMonitor(chart, 'Api', {
 *   selector: { 'app.kubernetes.io/name': 'orders-api' },
 *   endpoints: [{ port: 'http-metrics', interval: '30s', scrapeTimeout: '10s' }],
 *   labels: { release: 'kube-prometheus-stack' },
 * });
 */
export class PodMonitor extends Construct {
  /**
   * Scrapes the PostgreSQL instances of one cluster: selector `cnpg.io/cluster=<name>` + `cnpg.io/podRole=instance`
   * (never the cluster's PgBouncer or job pods, which carry `cnpg.io/cluster` too), port `metrics`, in the cluster's
   * namespace. Named `<cluster>-instances` so it never collides with the PodMonitor the operator would create (named
   * `<cluster>`) if `enablePodMonitor` were turned on.
   */
  public static forCluster(scope: Construct, id: string, props: ClusterPodMonitorProps): PodMonitor {
    const monitor = new PodMonitor(scope, id, clusterMonitorProps(props));
    clusterTlsProblems(props).forEach((p) => Problems.of(monitor).error(p));
    return monitor;
  }

  /**
   * Scrapes the PgBouncer pods of one Pooler: selector `cnpg.io/poolerName=<pooler>` + `cnpg.io/podRole=pooler`, port
   * `metrics`, in the Pooler's namespace, named like the Pooler. Create the Pooler with `monitoring: false` so it does
   * not add its own.
   */
  public static forPooler(scope: Construct, id: string, props: PoolerPodMonitorProps): PodMonitor {
    return new PodMonitor(scope, id, poolerMonitorProps(props));
  }

  /**
   * Scrapes the CloudNativePG operator (controller-runtime metrics): selector `app.kubernetes.io/name=cloudnative-pg`,
   * port `metrics`, in the operator's namespace, named `cnpg-controller-manager`.
   */
  public static forOperator(scope: Construct, id: string, props: OperatorPodMonitorProps = {}): PodMonitor {
    return new PodMonitor(scope, id, operatorMonitorProps(props));
  }

  /** `metadata.name` of the PodMonitor. */
  public readonly podMonitorName: string;
  /** Namespace of the PodMonitor (undefined only when none was given and the chart has none: an error). */
  public readonly namespace?: string;
  /** The pod labels selected (`spec.selector.matchLabels`). */
  public readonly selector: { [key: string]: string };
  /** The generated L1 object, for escape hatches. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: PodMonitorProps) {
    super(scope, id);
    const flat = (props as InternalProps)[FLAT_ENDPOINT] === true;
    this.selector = { ...(props.selector ?? {}) };
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    const endpoints = props.endpoints ?? [{ port: 'metrics' }];

    const problems = Problems.of(this);
    podMonitorProblems(props, this.namespace, endpoints, flat).forEach((p) => problems.error(p));

    const expressions = props.selectorExpressions ?? [];
    this.apiObject = new prom.PodMonitor(this, 'Resource', {
      // Without a name cdk8s generates one from the construct path (an explicit `name: undefined` would hide it).
      metadata: { ...(props.name !== undefined ? { name: props.name } : {}), namespace: this.namespace, labels: { ...(props.labels ?? {}) } },
      spec: {
        selector: {
          matchLabels: Object.keys(this.selector).length > 0 ? this.selector : undefined,
          matchExpressions: expressions.length > 0
            ? expressions.map((e) => ({ key: e.key, operator: e.operator, values: e.values ? [...e.values] : undefined }))
            : undefined,
        },
        namespaceSelector: props.namespaceSelector?._toKube(),
        podMetricsEndpoints: endpoints.map(renderEndpoint),
      },
    });
    this.podMonitorName = this.apiObject.name;
  }
}

function clusterMonitorProps(props: ClusterPodMonitorProps): InternalProps {
  const cluster = props.cluster;
  const tls = props.tls ?? clusterTlsOptionSet(props);
  const endpoint: PodMetricsEndpoint = {
    ...endpointOptions(props),
    ...(tls ? {
      scheme: MetricsScheme.HTTPS,
      tlsCaSecretName: props.tlsCaSecretName ?? `${cluster.clusterName}-ca`,
      tlsCaSecretKey: props.tlsCaSecretKey ?? 'ca.crt',
      tlsServerName: props.tlsServerName ?? cluster.rwServiceName,
    } : {}),
  };
  return {
    name: props.name ?? `${cluster.clusterName}-instances`,
    namespace: cluster.namespace,
    labels: props.labels,
    selector: instancePodSelector(cluster.clusterName),
    endpoints: [endpoint],
    [FLAT_ENDPOINT]: true,
  };
}

function clusterTlsOptionSet(props: ClusterPodMonitorProps): boolean {
  return props.tlsCaSecretName !== undefined || props.tlsCaSecretKey !== undefined || props.tlsServerName !== undefined;
}

function clusterTlsProblems(props: ClusterPodMonitorProps): Problem[] {
  return props.tls === false && clusterTlsOptionSet(props)
    ? [{ field: 'tls', message: 'is false, but tlsCaSecretName, tlsCaSecretKey or tlsServerName is set', value: false, fix: 'set tls: true (the Cluster has spec.monitoring.tls.enabled), or remove the tls* options' }]
    : [];
}

function poolerMonitorProps(props: PoolerPodMonitorProps): InternalProps {
  const pooler = props.pooler;
  return {
    name: props.name ?? pooler.poolerName,
    namespace: pooler.namespace,
    labels: props.labels,
    selector: poolerPodSelector(pooler.poolerName),
    endpoints: [endpointOptions(props)],
    [FLAT_ENDPOINT]: true,
  };
}

function operatorMonitorProps(props: OperatorPodMonitorProps): InternalProps {
  return {
    name: props.name ?? 'cnpg-controller-manager',
    namespace: props.namespace ?? 'cnpg-system',
    labels: props.labels,
    selector: operatorPodSelector(),
    endpoints: [endpointOptions(props)],
    [FLAT_ENDPOINT]: true,
  };
}

function endpointOptions(props: CnpgPodMonitorOptions): PodMetricsEndpoint {
  return {
    port: 'metrics',
    interval: props.interval,
    scrapeTimeout: props.scrapeTimeout,
    relabelings: props.relabelings,
    metricRelabelings: props.metricRelabelings,
  };
}

function renderEndpoint(e: PodMetricsEndpoint): prom.PodMonitorSpecPodMetricsEndpoints {
  const tlsSet = e.tlsCaSecretName !== undefined || e.tlsServerName !== undefined || e.tlsInsecureSkipVerify !== undefined;
  const scheme = e.scheme ?? (tlsSet ? MetricsScheme.HTTPS : undefined);
  return {
    port: e.port,
    path: e.path,
    interval: e.interval,
    scrapeTimeout: e.scrapeTimeout,
    scheme: scheme as string as prom.PodMonitorSpecPodMetricsEndpointsScheme | undefined,
    tlsConfig: tlsSet ? {
      ca: e.tlsCaSecretName !== undefined ? { secret: { name: e.tlsCaSecretName, key: e.tlsCaSecretKey ?? 'ca.crt' } } : undefined,
      serverName: e.tlsServerName,
      insecureSkipVerify: e.tlsInsecureSkipVerify,
    } : undefined,
    relabelings: e.relabelings?.length ? e.relabelings.map(renderRelabeling) : undefined,
    metricRelabelings: e.metricRelabelings?.length
      ? e.metricRelabelings.map((r) => ({ ...renderRelabeling(r), action: r.action as string as prom.PodMonitorSpecPodMetricsEndpointsMetricRelabelingsAction | undefined }))
      : undefined,
  };
}

function renderRelabeling(r: Relabeling): prom.PodMonitorSpecPodMetricsEndpointsRelabelings {
  return {
    action: r.action as string as prom.PodMonitorSpecPodMetricsEndpointsRelabelingsAction | undefined,
    sourceLabels: r.sourceLabels ? [...r.sourceLabels] : undefined,
    separator: r.separator,
    targetLabel: r.targetLabel,
    regex: r.regex,
    modulus: r.modulus,
    replacement: r.replacement,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------------

const PROM_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Milliseconds of a Prometheus duration (`1h30m`, `30s`, `500ms`; units in this order, each at most once), or undefined. */
export function parsePrometheusDuration(text: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (text === '0') return 0;
  const m = text === '' ? null : PROM_DURATION.exec(text);
  if (!m) return undefined;
  return DURATION_MS.reduce((sum, unit, i) => sum + (m[i + 1] ? Number(m[i + 1]) * unit : 0), 0);
}

/** Prometheus 2 label names (also valid in Prometheus 3). */
const PROM_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/**
 * A `replace` target label may use capture-group references: the language of Prometheus' `relabelTarget`
 * (`^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$`), written without its nested quantifiers, which backtrack
 * exponentially in JavaScript on a long invalid name.
 */
const PROM_RELABEL_TARGET = /^(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))(?:\w|\$(?:\{\w+\}|\w+))*$/;
/** `IANA_SVC_NAME`: a named container port. */
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** A Secret data key. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

const TARGET_REQUIRED = new Set<string>([RelabelAction.REPLACE, RelabelAction.HASHMOD, RelabelAction.LOWERCASE, RelabelAction.UPPERCASE, RelabelAction.KEEP_EQUAL, RelabelAction.DROP_EQUAL]);

function podMonitorProblems(props: PodMonitorProps, namespace: string | undefined, endpoints: readonly PodMetricsEndpoint[], flat: boolean): Problem[] {
  const problems: Problem[] = [];
  problems.push(...kubernetesLabelProblems('labels', props.labels));
  if (props.name !== undefined && (typeof props.name !== 'string' || !isDns1123Subdomain(props.name))) {
    problems.push({ field: 'name', message: 'is not a valid object name (DNS-1123 subdomain)', value: props.name, fix: 'use lower-case letters, digits, "-" and "."' });
  }
  if (namespace === undefined) {
    problems.push({ field: 'namespace', message: 'is required: a PodMonitor is a namespaced object and the chart has no namespace', fix: 'set namespace, or create the PodMonitor in a chart with a namespace' });
  } else if (!isDns1123Label(namespace)) {
    problems.push({ field: 'namespace', message: 'is not a valid namespace name (DNS-1123 label)', value: namespace, fix: 'use lower-case letters, digits and "-", at most 63 characters' });
  }
  problems.push(...selectorProblems(props));
  problems.push(...namespaceSelectorProblems(props.namespaceSelector));

  if (endpoints.length === 0) {
    problems.push({ field: 'endpoints', message: 'must list at least one port to scrape', value: endpoints, fix: 'leave endpoints unset for the port named "metrics", or give e.g. [{ port: "http-metrics" }]' });
  }
  endpoints.forEach((e, i) => problems.push(...endpointProblems(e, flat ? '' : `endpoints[${i}].`)));
  return problems;
}

function selectorProblems(props: PodMonitorProps): Problem[] {
  const problems = kubernetesLabelProblems('selector', props.selector);
  const expressions = props.selectorExpressions ?? [];
  if (Object.keys(props.selector ?? {}).length === 0 && expressions.length === 0) {
    problems.push({
      field: 'selector',
      message: 'is empty: the PodMonitor would scrape every pod of the selected namespaces',
      value: props.selector ?? {},
      fix: 'select the workload\'s pods by their labels, e.g. { "app.kubernetes.io/name": "orders-api" }',
    });
  }
  const operators = Object.values(SelectorOperator) as string[];
  expressions.forEach((e, i) => {
    const field = `selectorExpressions[${i}]`;
    if (typeof e.key !== 'string' || !isLabelKey(e.key)) {
      problems.push({ field: `${field}.key`, message: 'is not a valid Kubernetes label key', value: e.key, fix: 'use an optional DNS-subdomain prefix and "/", then at most 63 of [A-Za-z0-9-_.]' });
    }
    if (!operators.includes(e.operator)) {
      problems.push({ field: `${field}.operator`, message: 'is not a label selector operator', value: e.operator, fix: 'use SelectorOperator.IN, NOT_IN, EXISTS or DOES_NOT_EXIST' });
      return;
    }
    const values = e.values ?? [];
    if ((e.operator === SelectorOperator.IN || e.operator === SelectorOperator.NOT_IN) && values.length === 0) {
      problems.push({ field: `${field}.values`, message: `must not be empty for operator ${e.operator}`, value: values, fix: 'list the label values to compare with, or use SelectorOperator.EXISTS' });
    }
    if ((e.operator === SelectorOperator.EXISTS || e.operator === SelectorOperator.DOES_NOT_EXIST) && values.length > 0) {
      problems.push({ field: `${field}.values`, message: `must be empty for operator ${e.operator}`, value: values, fix: 'remove values, or use SelectorOperator.IN' });
    }
    values.forEach((v, j) => {
      if (typeof v !== 'string' || !isLabelValue(v)) {
        problems.push({ field: `${field}.values[${j}]`, message: 'is not a valid Kubernetes label value', value: v, fix: 'use at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric' });
      }
    });
  });
  return problems;
}

function namespaceSelectorProblems(selector: MonitoredNamespaces | undefined): Problem[] {
  const problems: Problem[] = [];
  const names = selector?.names;
  if (names === undefined) return problems;
  if (names.length === 0) {
    problems.push({ field: 'namespaceSelector', message: 'names no namespace', value: [], fix: 'use MonitoredNamespaces.named("a", "b"), MonitoredNamespaces.own() or MonitoredNamespaces.any()' });
  }
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (typeof n !== 'string' || !isDns1123Label(n)) {
      problems.push({ field: `namespaceSelector[${i}]`, message: 'is not a valid namespace name (DNS-1123 label)', value: n, fix: 'use lower-case letters, digits and "-", at most 63 characters' });
    } else if (seen.has(n)) {
      problems.push({ field: `namespaceSelector[${i}]`, message: 'is listed twice', value: n, fix: 'list each namespace once' });
    }
    seen.add(n);
  });
  return problems;
}

function durationProblem(field: string, value: string | undefined): { problem?: Problem; ms?: number } {
  if (value === undefined) return {};
  const ms = parsePrometheusDuration(value);
  if (ms === undefined || ms === 0) {
    return {
      problem: {
        field,
        message: ms === 0 ? 'must be a positive Prometheus duration' : 'must be a positive Prometheus duration (units y, w, d, h, m, s, ms, largest first, each once)',
        value,
        fix: 'write e.g. "30s", "1m" or "1m30s"',
      },
    };
  }
  return { ms };
}

function endpointProblems(e: PodMetricsEndpoint, prefix: string): Problem[] {
  const problems: Problem[] = [];
  const f = (name: string) => `${prefix}${name}`;
  if (typeof e.port !== 'string' || e.port.length > 15 || !PORT_NAME.test(e.port) || !/[a-z]/.test(e.port) || e.port.includes('--')) {
    problems.push({ field: f('port'), message: 'is not a container port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and "-", with a letter)', value: e.port, fix: 'use the name of the container port that serves the metrics, e.g. "metrics"' });
  }
  if (e.path !== undefined && (typeof e.path !== 'string' || !e.path.startsWith('/'))) {
    problems.push({ field: f('path'), message: 'must be an absolute HTTP path', value: e.path, fix: 'write e.g. "/metrics"' });
  }
  if (e.scheme !== undefined && !(Object.values(MetricsScheme) as string[]).includes(e.scheme)) {
    problems.push({ field: f('scheme'), message: 'must be http or https', value: e.scheme, fix: 'use MetricsScheme.HTTP or MetricsScheme.HTTPS' });
  }
  const interval = durationProblem(f('interval'), e.interval);
  const timeout = durationProblem(f('scrapeTimeout'), e.scrapeTimeout);
  if (interval.problem) problems.push(interval.problem);
  if (timeout.problem) problems.push(timeout.problem);
  if (interval.ms !== undefined && timeout.ms !== undefined && timeout.ms > interval.ms) {
    problems.push({
      field: f('scrapeTimeout'),
      message: `must not be longer than the scrape interval (${e.interval}): Prometheus refuses the configuration`,
      value: e.scrapeTimeout,
      fix: `set scrapeTimeout to ${e.interval} or less, or lengthen the interval`,
    });
  }

  const tlsSet = e.tlsCaSecretName !== undefined || e.tlsCaSecretKey !== undefined || e.tlsServerName !== undefined || e.tlsInsecureSkipVerify !== undefined;
  if (tlsSet && e.scheme === MetricsScheme.HTTP) {
    problems.push({ field: f('scheme'), message: 'is http, but TLS options are set (they only apply to https)', value: e.scheme, fix: 'remove the tls* options, or scrape over https' });
  }
  if (e.tlsCaSecretName !== undefined && (typeof e.tlsCaSecretName !== 'string' || !isDns1123Subdomain(e.tlsCaSecretName))) {
    problems.push({ field: f('tlsCaSecretName'), message: 'is not a valid Secret name', value: e.tlsCaSecretName, fix: 'use the name of the Secret holding the CA (lower-case letters, digits, "-" and ".")' });
  }
  if (e.tlsCaSecretKey !== undefined) {
    if (e.tlsCaSecretName === undefined) {
      problems.push({ field: f('tlsCaSecretKey'), message: 'is set without tlsCaSecretName', value: e.tlsCaSecretKey, fix: 'also name the Secret that holds the CA' });
    }
    if (typeof e.tlsCaSecretKey !== 'string' || e.tlsCaSecretKey.length > 253 || !SECRET_KEY.test(e.tlsCaSecretKey)) {
      problems.push({ field: f('tlsCaSecretKey'), message: 'is not a valid Secret key', value: e.tlsCaSecretKey, fix: 'use letters, digits, "-", "_" and ".", e.g. "ca.crt"' });
    }
  }
  if (e.tlsServerName !== undefined && (typeof e.tlsServerName !== 'string' || !isDns1123Subdomain(e.tlsServerName))) {
    problems.push({ field: f('tlsServerName'), message: 'is not a DNS name', value: e.tlsServerName, fix: 'use a name the server certificate covers, e.g. "cnpg-ha-rw"' });
  }
  (e.relabelings ?? []).forEach((r, i) => problems.push(...relabelingProblems(r, f(`relabelings[${i}]`))));
  (e.metricRelabelings ?? []).forEach((r, i) => problems.push(...relabelingProblems(r, f(`metricRelabelings[${i}]`))));
  return problems;
}

/** Problems of one relabeling rule, as Prometheus (`relabel.Config.Validate`) and the Prometheus operator check it. */
export function relabelingProblems(r: Relabeling, field: string): Problem[] {
  const problems: Problem[] = [];
  const action: string = r.action ?? RelabelAction.REPLACE;
  if (!(Object.values(RelabelAction) as string[]).includes(action)) {
    problems.push({ field: `${field}.action`, message: 'is not a relabeling action', value: r.action, fix: `use a RelabelAction (${Object.values(RelabelAction).join(', ')})` });
    return problems;
  }
  (r.sourceLabels ?? []).forEach((l, i) => {
    if (typeof l !== 'string' || !PROM_LABEL_NAME.test(l)) {
      problems.push({ field: `${field}.sourceLabels[${i}]`, message: 'is not a valid Prometheus label name', value: l, fix: 'use [a-zA-Z_][a-zA-Z0-9_]*, e.g. "__meta_kubernetes_pod_label_app"' });
    }
  });
  if (TARGET_REQUIRED.has(action) && (r.targetLabel === undefined || r.targetLabel === '')) {
    problems.push({ field: `${field}.targetLabel`, message: `is required by the ${action} action`, value: r.targetLabel, fix: 'name the label the result is written to' });
  } else if (r.targetLabel !== undefined) {
    const pattern = action === RelabelAction.REPLACE ? PROM_RELABEL_TARGET : PROM_LABEL_NAME;
    if (typeof r.targetLabel !== 'string' || !pattern.test(r.targetLabel)) {
      problems.push({ field: `${field}.targetLabel`, message: 'is not a valid Prometheus label name', value: r.targetLabel, fix: 'use [a-zA-Z_][a-zA-Z0-9_]* (replace may also use $1 or ${name})' });
    }
  }
  if (action === RelabelAction.HASHMOD && !(typeof r.modulus === 'number' && Number.isInteger(r.modulus) && r.modulus > 0)) {
    problems.push({ field: `${field}.modulus`, message: 'must be a positive whole number for the hashmod action', value: r.modulus, fix: 'set the number of shards, e.g. 4' });
  } else if (action !== RelabelAction.HASHMOD && r.modulus !== undefined) {
    problems.push({ field: `${field}.modulus`, message: `only applies to the hashmod action, not ${action}`, value: r.modulus, fix: 'remove modulus, or use RelabelAction.HASHMOD' });
  }
  if (action === RelabelAction.LABELDROP || action === RelabelAction.LABELKEEP) {
    for (const key of ['sourceLabels', 'targetLabel', 'separator', 'replacement'] as const) {
      if (r[key] !== undefined) {
        problems.push({ field: `${field}.${key}`, message: `is not allowed with the ${action} action (it matches label names with regex only)`, value: r[key], fix: `remove ${key}` });
      }
    }
  }
  if (action === RelabelAction.KEEP_EQUAL || action === RelabelAction.DROP_EQUAL) {
    for (const key of ['regex', 'separator', 'replacement'] as const) {
      if (r[key] !== undefined) {
        problems.push({ field: `${field}.${key}`, message: `is not allowed with the ${action} action (it compares sourceLabels with targetLabel)`, value: r[key], fix: `remove ${key}` });
      }
    }
  }
  if (r.regex !== undefined) {
    const why = re2Problem(r.regex);
    if (why) problems.push({ field: `${field}.regex`, message: `is not a valid RE2 regular expression: ${why}`, value: r.regex, fix: 'fix the expression (it is fully anchored; RE2 has no lookaround or backreferences)' });
  }
  return problems;
}

/** Why a regular expression would not compile under Go's RE2, as far as JavaScript can tell; undefined when it looks fine. */
function re2Problem(regex: string): string | undefined {
  if (typeof regex !== 'string') return 'not a string';
  if (/\(\?<?[=!]/.test(regex)) return 'lookaround is not supported';
  if (/\\[1-9]/.test(regex)) return 'backreferences are not supported';
  // RE2's named groups `(?P<name>…)` are `(?<name>…)` in JavaScript; its flag groups `(?i)`, `(?i:…)` have no
  // JavaScript form and are dropped (JavaScript without the `u` flag is lenient with RE2's other escapes).
  const js = regex
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?[imsU-]+\)/g, '')
    .replace(/\(\?[imsU-]+:/g, '(?:');
  try {
    new RegExp(`^(?:${js})$`);
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: /, '');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Deprecated aliases (kept for one release)
// ---------------------------------------------------------------------------------------------------------------

/**
 * Options shared by the deprecated CloudNativePG PodMonitor classes.
 * @deprecated use {@link CnpgPodMonitorOptions} with `PodMonitor.forCluster`, `forPooler` or `forOperator`
 */
export interface PodMonitorCommonProps {
  /** `metadata.name` of the PodMonitor. @default - per flavour */
  readonly name?: string;
  /** Labels of the PodMonitor, e.g. `{ release: 'kube-prometheus-stack' }` to match the Prometheus `podMonitorSelector`. @default - none */
  readonly labels?: { [key: string]: string };
  /** Scrape interval (Prometheus duration). @default - the Prometheus default */
  readonly interval?: string;
}

/**
 * TLS settings of the deprecated {@link CnpgClusterPodMonitor}.
 * @deprecated use the `tls`, `tlsCaSecretName`, `tlsCaSecretKey` and `tlsServerName` props of `PodMonitor.forCluster`
 */
export interface InstanceMetricsTls {
  /** Secret with the CA that signed the server certificate. @default `<cluster>-ca` (operator-generated) */
  readonly caSecretName?: string;
  /** Key of the CA in that Secret. @default `ca.crt` */
  readonly caSecretKey?: string;
  /** Server name to verify. The server certificate covers the cluster's Services. @default `<cluster>-rw` */
  readonly serverName?: string;
}

/**
 * Props of the deprecated {@link CnpgClusterPodMonitor}.
 * @deprecated use {@link ClusterPodMonitorProps} with `PodMonitor.forCluster`
 */
export interface CnpgClusterPodMonitorProps extends PodMonitorCommonProps {
  /** The cluster to scrape. */
  readonly cluster: ICnpgCluster;
  /** Scrape over HTTPS (the Cluster has `spec.monitoring.tls.enabled: true`). @default - plain HTTP */
  readonly tls?: InstanceMetricsTls | boolean;
}

/**
 * The instance PodMonitor of a cluster.
 * @deprecated kept for one release after `PodMonitor` was introduced, then removed. Use
 * `PodMonitor.forCluster(scope, id, { cluster, labels, interval, tls })`: same object, same output.
 */
export class CnpgClusterPodMonitor extends PodMonitor {
  public constructor(scope: Construct, id: string, props: CnpgClusterPodMonitorProps) {
    const tls = props.tls === true ? {} : props.tls || undefined;
    super(scope, id, clusterMonitorProps({
      cluster: props.cluster,
      name: props.name,
      labels: props.labels,
      interval: props.interval,
      tls: tls !== undefined,
      tlsCaSecretName: tls?.caSecretName,
      tlsCaSecretKey: tls?.caSecretKey,
      tlsServerName: tls?.serverName,
    }));
  }
}

/**
 * Props of the deprecated {@link CnpgPoolerPodMonitor}.
 * @deprecated use {@link PoolerPodMonitorProps} with `PodMonitor.forPooler`, which takes the Pooler itself
 */
export interface CnpgPoolerPodMonitorProps extends PodMonitorCommonProps {
  /** `metadata.name` of the Pooler. */
  readonly poolerName: string;
  /** Namespace of the Pooler (the cluster's namespace). */
  readonly namespace: string;
}

/**
 * The PodMonitor of a Pooler's PgBouncer pods, by name.
 * @deprecated kept for one release after `PodMonitor` was introduced, then removed. Use
 * `PodMonitor.forPooler(scope, id, { pooler, labels, interval })`: same object, same output.
 */
export class CnpgPoolerPodMonitor extends PodMonitor {
  public constructor(scope: Construct, id: string, props: CnpgPoolerPodMonitorProps) {
    super(scope, id, {
      name: props.name ?? props.poolerName,
      namespace: props.namespace,
      labels: props.labels,
      selector: poolerPodSelector(props.poolerName),
      endpoints: [{ port: 'metrics', interval: props.interval }],
      [FLAT_ENDPOINT]: true,
    } as InternalProps);
    if (typeof props.poolerName !== 'string' || !isDns1123Label(props.poolerName)) {
      Problems.of(this).error({ field: 'poolerName', message: 'is not a valid Pooler name (DNS-1123 label)', value: props.poolerName, fix: 'use the metadata.name of the Pooler' });
    }
  }
}

/**
 * Props of the deprecated {@link CnpgOperatorPodMonitor}.
 * @deprecated use {@link OperatorPodMonitorProps} with `PodMonitor.forOperator`
 */
export interface CnpgOperatorPodMonitorProps extends PodMonitorCommonProps {
  /** Namespace of the operator. @default 'cnpg-system' */
  readonly namespace?: string;
}

/**
 * The PodMonitor of the CloudNativePG operator.
 * @deprecated kept for one release after `PodMonitor` was introduced, then removed. Use
 * `PodMonitor.forOperator(scope, id, { namespace, labels, interval })`: same object, same output.
 */
export class CnpgOperatorPodMonitor extends PodMonitor {
  public constructor(scope: Construct, id: string, props: CnpgOperatorPodMonitorProps = {}) {
    super(scope, id, operatorMonitorProps(props));
  }
}
