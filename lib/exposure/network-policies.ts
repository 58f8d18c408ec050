import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ICnpgCluster } from '../cluster/cluster-ref';
import { isDns1123Label, isLabelKey, isLabelValue } from '../core/k8s-syntax';
import { Problems } from '../core/problems';
import { ICloudflaredTunnel } from './cloudflared-tunnel';

/** Annotation that records, on every generated NetworkPolicy, why it exists (visible when reviewing `dist/`). */
export const REASON_ANNOTATION = 'cdk8s-cnpg/reason';

/** Ports CloudNativePG uses (CNPG 1.30 `pkg/specs/pods.go`, `pkg/management/url`, `pkg/specs/pgbouncer`). */
export const CNPG_PORTS = {
  /** PostgreSQL in the instance pods (container port `postgresql`). */
  postgres: 5432,
  /** The instance manager's HTTPS status API (container port `status`). */
  status: 8000,
  /** The instance manager's metrics exporter (container port `metrics`). */
  instanceMetrics: 9187,
  /** PgBouncer in the pooler pods (container port `pgbouncer`). */
  pgbouncer: 5432,
  /** The PgBouncer metrics exporter (container port `metrics`). */
  poolerMetrics: 9127,
} as const;

/** Pods in some namespace, selected by labels. */
export interface NamespacedPods {
  /** Namespace of the pods (matched on its `kubernetes.io/metadata.name` label). */
  readonly namespace?: string;
  /** Labels of the pods. */
  readonly podLabels?: Record<string, string>;
}

/** Egress to destinations outside the cluster's pod network. */
export interface CidrDestination {
  /** IPv4/IPv6 CIDRs. */
  readonly cidrs?: string[];
  /** TCP ports. */
  readonly ports?: number[];
}

/** The Kubernetes API server as the pods reach it (after the `kubernetes` Service is translated to its endpoints). */
export interface KubernetesApiDestination {
  /**
   * CIDRs of the API server endpoints (`kubectl get endpoints kubernetes -n default`): on k3s the server nodes' IPs.
   * NetworkPolicies are evaluated after Service translation, so the Service IP (e.g. 10.43.0.1) does not work here.
   */
  readonly cidrs: string[];
  /**
   * TCP ports.
   * @default [443, 6443]
   */
  readonly ports?: number[];
}

/** Options of the egress lockdown. */
export interface DatabaseEgressOptions {
  /** Where the instance managers, jobs and poolers reach the Kubernetes API (they watch their Cluster and Secrets). */
  readonly kubernetesApi: KubernetesApiDestination;
  /**
   * The object store the Barman Cloud plugin sidecar archives WAL and base backups to.
   * @default - any address (0.0.0.0/0, ::/0) on TCP 443
   */
  readonly objectStore?: CidrDestination;
  /**
   * The cluster DNS.
   * @default - namespace `kube-system`, pods `k8s-app: kube-dns` (CoreDNS on k3s and kubeadm), UDP and TCP 53
   */
  readonly dns?: NamespacedPods;
  /**
   * Cloudflare's edge, for the tunnels (TCP and UDP 7844 for the tunnel connections, TCP 443 for the API).
   * @default - any address (0.0.0.0/0, ::/0)
   */
  readonly cloudflareEdgeCidrs?: string[];
}

/** Pods of the cluster's own namespace that connect to PostgreSQL on the instances (the DR heartbeat). */
export interface InNamespaceClient {
  /** Names its policies: `<cluster>-allow-<name>`, and `<name>-egress-instances` when egress is locked down. */
  readonly name: string;
  /** Labels of the pods. */
  readonly podLabels: Record<string, string>;
  /** Why they connect (the policies' reason annotation). */
  readonly reason: string;
}

/** Properties of `DatabaseNetworkPolicies`. */
export interface DatabaseNetworkPoliciesProps {
  /** The cluster; the policies live in its namespace. */
  readonly cluster: ICnpgCluster;
  /**
   * Namespaces whose pods may connect to PostgreSQL (port 5432 of the instances, which the `-rw`/`-ro`/`-r` Services
   * select, and of the poolers). Each a DNS-1123 label.
   * @default - none: only the poolers and the tunnels reach the database
   */
  readonly applicationNamespaces?: string[];
  /**
   * Restrict the application peers to pods with these labels.
   * @default - every pod of the application namespaces
   */
  readonly applicationPodLabels?: Record<string, string>;
  /**
   * Whether applications may connect to the instances directly, not only through the poolers.
   * @default true
   */
  readonly allowApplicationsToInstances?: boolean;
  /**
   * Cloudflare tunnels that route to the cluster (they must run in the cluster's namespace).
   * @default - none
   */
  readonly tunnels?: ICloudflaredTunnel[];
  /**
   * Pods of the cluster's namespace that connect to the instances on 5432.
   * @default - none
   */
  readonly inNamespaceClients?: InNamespaceClient[];
  /**
   * The CloudNativePG operator.
   * @default - namespace `cnpg-system`, pods `app.kubernetes.io/name: cloudnative-pg` (the Helm chart's labels)
   */
  readonly operator?: NamespacedPods;
  /**
   * The Prometheus that scrapes the metrics ports; `false` for none.
   * @default - namespace `monitoring`, pods `app.kubernetes.io/name: prometheus`
   */
  readonly prometheus?: NamespacedPods | false;
  /**
   * Create the namespace-wide policies: `default-deny-ingress` (and, with egress lockdown, `default-deny-egress`
   * and `allow-dns-egress`). Turn off for the second cluster of a namespace, whose first cluster already has them.
   * @default true
   */
  readonly namespaceDefaults?: boolean;
  /**
   * Deny all egress of the namespace except what CloudNativePG, the poolers and the tunnels need.
   * @default - egress is not restricted
   */
  readonly egress?: DatabaseEgressOptions;
}

type Selector = k8s.LabelSelector;
type Peer = k8s.NetworkPolicyPeer;

/**
 * The NetworkPolicies of a database namespace: deny all ingress, then allow exactly what a CloudNativePG cluster
 * needs, each policy named after its purpose and annotated with `cdk8s-cnpg/reason`:
 *
 * - the operator (namespace `cnpg-system`) → instances on 8000 (status API) and 5432 — CloudNativePG's networking guide;
 * - instances and the operator's join/bootstrap jobs → instances on 5432 (streaming replication, `pg_basebackup`,
 *   `pg_rewind`);
 * - instances → instances on 8000: the primary's liveness probe pings every other instance's `/failsafe` endpoint
 *   (primary isolation check, CNPG 1.27+) and roles change on failover;
 * - poolers and tunnels → instances on 5432; application namespaces → instances and poolers on 5432;
 * - Prometheus → instances 9187, poolers 9127, tunnels 2000.
 *
 * Nothing else needs to reach the namespace: the Barman Cloud plugin's own Deployment and the admission webhooks live
 * in the operator's namespace and are called by the operator and the API server there; the plugin's sidecar in each
 * instance pod talks to the instance manager over a local socket and only connects *out* (object store, API server).
 *
 * With `egress`, all egress is denied too, except DNS, the Kubernetes API, the object store (instances and jobs),
 * replication between instances, poolers → instances, and tunnels → instances and Cloudflare's edge. The instance
 * manager never calls the operator (it talks only to the API server), so there is no egress rule towards it.
 *
 * Kubelet probes come from the node and are not subject to these policies on common CNIs (Calico, Cilium, flannel
 * with kube-router on k3s).
 */
export class DatabaseNetworkPolicies extends Construct {
  /** Namespace of the policies (the cluster's). */
  public readonly namespace: string;
  /** Names of the generated policies, in creation order. */
  public readonly policyNames: string[] = [];

  private readonly clusterName: string;

  public constructor(scope: Construct, id: string, props: DatabaseNetworkPoliciesProps) {
    super(scope, id);
    const cluster = props.cluster;
    const c = cluster.clusterName;
    this.clusterName = c;
    this.namespace = cluster.namespace;
    const operator = { namespace: props.operator?.namespace ?? 'cnpg-system', podLabels: props.operator?.podLabels ?? { 'app.kubernetes.io/name': 'cloudnative-pg' } };
    const prometheus = props.prometheus === false ? undefined : {
      namespace: props.prometheus?.namespace ?? 'monitoring',
      podLabels: props.prometheus?.podLabels ?? { 'app.kubernetes.io/name': 'prometheus' },
    };
    const appNamespaces = [...new Set(props.applicationNamespaces ?? [])].sort();
    const tunnels = props.tunnels ?? [];
    const namespaceDefaults = props.namespaceDefaults ?? true;
    this.validate(props, operator, prometheus);

    const tcp = (...ports: number[]): k8s.NetworkPolicyPort[] => ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
    const instances: Selector = { matchLabels: { 'cnpg.io/cluster': c, 'cnpg.io/podRole': 'instance' } };
    const poolers: Selector = { matchLabels: { 'cnpg.io/cluster': c, 'cnpg.io/podRole': 'pooler' } };
    // The operator's Jobs (initdb, join, pgbasebackup, full-recovery, ...) carry cnpg.io/cluster and cnpg.io/jobRole
    // but no cnpg.io/podRole.
    const jobs: Selector = { matchLabels: { 'cnpg.io/cluster': c }, matchExpressions: [{ key: 'cnpg.io/jobRole', operator: 'Exists' }] };
    const instancesAndJobs: Selector = { matchLabels: { 'cnpg.io/cluster': c }, matchExpressions: [{ key: 'cnpg.io/podRole', operator: 'NotIn', values: ['pooler'] }] };
    const clusterPods: Selector = { matchLabels: { 'cnpg.io/cluster': c } };
    const inNamespace = (pods: { namespace: string; podLabels: Record<string, string> }): Peer => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': pods.namespace } },
      podSelector: { matchLabels: { ...pods.podLabels } },
    });
    const applications: Peer | undefined = appNamespaces.length === 0 ? undefined : {
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: appNamespaces }] },
      ...(props.applicationPodLabels ? { podSelector: { matchLabels: { ...props.applicationPodLabels } } } : {}),
    };

    // ---- ingress -------------------------------------------------------------------------------------------------
    if (namespaceDefaults) {
      this.policy('default-deny-ingress',
        'Deny all ingress to every pod of the namespace; the allow policies open exactly what CloudNativePG, the poolers, the tunnels, the applications and Prometheus need.',
        { podSelector: {}, policyTypes: ['Ingress'] });
    }
    this.policy(`${c}-allow-operator`,
      `The CloudNativePG operator (namespace ${operator.namespace}) reaches every instance on 8000 (instance manager status API: status, backups, promotion) and 5432, as CloudNativePG's networking guide requires.`,
      { podSelector: instances, policyTypes: ['Ingress'], ingress: [{ from: [inNamespace(operator)], ports: tcp(CNPG_PORTS.status, CNPG_PORTS.postgres) }] });
    this.policy(`${c}-allow-replication`,
      'Instances stream WAL from the primary and run pg_rewind against it; the operator\'s join/pgbasebackup jobs copy the primary with pg_basebackup: all on 5432.',
      { podSelector: instances, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: instances }, { podSelector: jobs }], ports: tcp(CNPG_PORTS.postgres) }] });
    this.policy(`${c}-allow-instance-manager`,
      'The primary\'s liveness probe pings every other instance\'s /failsafe endpoint on 8000 (primary isolation check); roles change on failover, so every instance may call every other.',
      { podSelector: instances, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: instances }], ports: tcp(CNPG_PORTS.status) }] });
    this.policy(`${c}-allow-poolers`,
      'PgBouncer pods of the cluster\'s Poolers connect to the instances on 5432 (as clients, and for the operator-managed auth query).',
      { podSelector: instances, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: poolers }], ports: tcp(CNPG_PORTS.postgres) }] });
    if (tunnels.length > 0) {
      this.policy(`${c}-allow-tunnel`,
        `cloudflared (${tunnels.map((t) => t.tunnelName).join(', ')}) forwards development connections to the -rw Service, i.e. the primary, on 5432.`,
        {
          podSelector: instances,
          policyTypes: ['Ingress'],
          ingress: [{ from: tunnels.map((t) => ({ podSelector: { matchLabels: { ...t.podSelectorLabels } } })), ports: tcp(CNPG_PORTS.postgres) }],
        });
    }
    for (const client of props.inNamespaceClients ?? []) {
      this.policy(`${c}-allow-${client.name}`, client.reason,
        { podSelector: instances, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { ...client.podLabels } } }], ports: tcp(CNPG_PORTS.postgres) }] });
    }
    if (applications && (props.allowApplicationsToInstances ?? true)) {
      this.policy(`${c}-allow-applications`,
        `Application namespaces (${appNamespaces.join(', ')}) connect to PostgreSQL through the -rw/-ro/-r Services, which select the instance pods, on 5432.`,
        { podSelector: instances, policyTypes: ['Ingress'], ingress: [{ from: [applications], ports: tcp(CNPG_PORTS.postgres) }] });
    }
    if (applications) {
      this.policy(`${c}-poolers-allow-applications`,
        `Application namespaces (${appNamespaces.join(', ')}) connect to the cluster's PgBouncer poolers on 5432.`,
        { podSelector: poolers, policyTypes: ['Ingress'], ingress: [{ from: [applications], ports: tcp(CNPG_PORTS.pgbouncer) }] });
    }
    if (prometheus) {
      this.policy(`${c}-allow-prometheus`,
        `Prometheus (namespace ${prometheus.namespace}) scrapes the instances' metrics exporter on 9187.`,
        { podSelector: instances, policyTypes: ['Ingress'], ingress: [{ from: [inNamespace(prometheus)], ports: tcp(CNPG_PORTS.instanceMetrics) }] });
      this.policy(`${c}-poolers-allow-prometheus`,
        `Prometheus (namespace ${prometheus.namespace}) scrapes the poolers' PgBouncer exporter on 9127.`,
        { podSelector: poolers, policyTypes: ['Ingress'], ingress: [{ from: [inNamespace(prometheus)], ports: tcp(CNPG_PORTS.poolerMetrics) }] });
      for (const t of tunnels) {
        this.policy(`${t.tunnelName}-allow-prometheus`,
          `Prometheus (namespace ${prometheus.namespace}) scrapes cloudflared's metrics server on ${t.metricsPort}; nothing else reaches the tunnel pods (their connections to Cloudflare are outbound).`,
          { podSelector: { matchLabels: { ...t.podSelectorLabels } }, policyTypes: ['Ingress'], ingress: [{ from: [inNamespace(prometheus)], ports: tcp(t.metricsPort) }] });
      }
    }

    // ---- egress --------------------------------------------------------------------------------------------------
    const egress = props.egress;
    if (!egress) return;
    const anywhere = ['0.0.0.0/0', '::/0'];
    const cidrPeers = (cidrs: readonly string[]): Peer[] => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    if (namespaceDefaults) {
      const dns = { namespace: egress.dns?.namespace ?? 'kube-system', podLabels: egress.dns?.podLabels ?? { 'k8s-app': 'kube-dns' } };
      this.policy('default-deny-egress',
        'Deny all egress of every pod of the namespace; the egress policies open exactly what CloudNativePG, the poolers and the tunnels need.',
        { podSelector: {}, policyTypes: ['Egress'] });
      this.policy('allow-dns-egress',
        `Every pod resolves Service and external names through the cluster DNS (namespace ${dns.namespace}) on 53 UDP and TCP.`,
        {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ to: [inNamespace(dns)], ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }] }],
        });
    }
    this.policy(`${c}-egress-kube-api`,
      'Instance managers, the operator\'s jobs and the PgBouncer pods watch their Cluster, Pooler and Secrets and report status through the Kubernetes API.',
      { podSelector: clusterPods, policyTypes: ['Egress'], egress: [{ to: cidrPeers(egress.kubernetesApi.cidrs), ports: tcp(...(egress.kubernetesApi.ports ?? [443, 6443])) }] });
    this.policy(`${c}-egress-object-store`,
      'The Barman Cloud plugin sidecar of each instance (and of recovery jobs) archives WAL and base backups to, and restores from, the object store.',
      { podSelector: instancesAndJobs, policyTypes: ['Egress'], egress: [{ to: cidrPeers(egress.objectStore?.cidrs ?? anywhere), ports: tcp(...(egress.objectStore?.ports ?? [443])) }] });
    this.policy(`${c}-egress-replication`,
      'Replicas stream WAL from the primary and run pg_rewind; join/pgbasebackup jobs copy the primary: all on 5432.',
      { podSelector: instancesAndJobs, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: instances }], ports: tcp(CNPG_PORTS.postgres) }] });
    this.policy(`${c}-egress-instance-manager`,
      'The primary\'s liveness probe pings every other instance\'s /failsafe endpoint on 8000 (primary isolation check).',
      { podSelector: instances, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: instances }], ports: tcp(CNPG_PORTS.status) }] });
    this.policy(`${c}-poolers-egress-instances`,
      'PgBouncer connects to the instances (through the -rw/-ro/-r Services) on 5432.',
      { podSelector: poolers, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: instances }], ports: tcp(CNPG_PORTS.postgres) }] });
    for (const client of props.inNamespaceClients ?? []) {
      this.policy(`${client.name}-egress-instances`, client.reason,
        { podSelector: { matchLabels: { ...client.podLabels } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: instances }], ports: tcp(CNPG_PORTS.postgres) }] });
    }
    for (const t of tunnels) {
      const tunnelPods: Selector = { matchLabels: { ...t.podSelectorLabels } };
      this.policy(`${t.tunnelName}-egress-instances`,
        'cloudflared forwards connections to the -rw Service, i.e. the primary, on 5432.',
        { podSelector: tunnelPods, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: instances }], ports: tcp(CNPG_PORTS.postgres) }] });
      this.policy(`${t.tunnelName}-egress-cloudflare`,
        'cloudflared connects to Cloudflare\'s edge (region1/region2.v2.argotunnel.com) on 7844 over QUIC (UDP) or HTTP/2 (TCP), and to api.cloudflare.com on 443.',
        {
          podSelector: tunnelPods,
          policyTypes: ['Egress'],
          egress: [{
            to: cidrPeers(egress.cloudflareEdgeCidrs ?? anywhere),
            ports: [
              { protocol: 'TCP', port: k8s.IntOrString.fromNumber(7844) },
              { protocol: 'UDP', port: k8s.IntOrString.fromNumber(7844) },
              { protocol: 'TCP', port: k8s.IntOrString.fromNumber(443) },
            ],
          }],
        });
    }
  }

  /** One policy; namespace-wide ones (`default-deny-*`, `allow-dns-egress`) carry no cluster label. */
  private policy(name: string, reason: string, spec: k8s.NetworkPolicySpec): void {
    this.policyNames.push(name);
    const namespaceWide = name.startsWith('default-deny-') || name === 'allow-dns-egress';
    new k8s.KubeNetworkPolicy(this, name, {
      metadata: {
        name,
        namespace: this.namespace,
        labels: namespaceWide ? undefined : { 'cdk8s-cnpg/cluster': this.clusterName },
        annotations: { [REASON_ANNOTATION]: reason },
      },
      spec,
    });
  }

  private validate(
    props: DatabaseNetworkPoliciesProps,
    operator: { namespace: string; podLabels: Record<string, string> },
    prometheus: { namespace: string; podLabels: Record<string, string> } | undefined,
  ): void {
    const problems = Problems.of(this);
    (props.applicationNamespaces ?? []).forEach((ns, i) => {
      if (typeof ns !== 'string' || !isDns1123Label(ns)) {
        problems.error({
          field: `applicationNamespaces[${i}]`,
          message: 'is not a namespace name (a DNS-1123 label: at most 63 lower-case letters, digits and \'-\')',
          value: ns,
          fix: 'use the exact name of the application\'s namespace, e.g. "shop"',
        });
      }
    });
    const checkNamespace = (field: string, ns: string) => {
      if (!isDns1123Label(ns)) problems.error({ field, message: 'is not a namespace name (a DNS-1123 label)', value: ns });
    };
    const checkLabels = (field: string, labels: Record<string, string> | undefined, required: boolean) => {
      if (required && labels !== undefined && Object.keys(labels).length === 0) {
        problems.error({ field, message: 'must not be empty: an empty selector would admit every pod of the namespace', fix: 'name the labels of the pods to admit' });
      }
      for (const [k, v] of Object.entries(labels ?? {})) {
        if (!isLabelKey(k) || typeof v !== 'string' || !isLabelValue(v)) {
          problems.error({ field: `${field}.${k}`, message: 'is not a valid Kubernetes label', value: v });
        }
      }
    };
    checkNamespace('operator.namespace', operator.namespace);
    checkLabels('operator.podLabels', operator.podLabels, true);
    if (prometheus) {
      checkNamespace('prometheus.namespace', prometheus.namespace);
      checkLabels('prometheus.podLabels', prometheus.podLabels, true);
    }
    checkLabels('applicationPodLabels', props.applicationPodLabels, false);
    (props.inNamespaceClients ?? []).forEach((client, i) => {
      if (!isDns1123Label(client.name)) problems.error({ field: `inNamespaceClients[${i}].name`, message: 'is not a DNS-1123 label (it names the policies)', value: client.name });
      checkLabels(`inNamespaceClients[${i}].podLabels`, client.podLabels, true);
    });
    (props.tunnels ?? []).forEach((t, i) => {
      if (t.namespace !== this.namespace) {
        problems.error({
          field: `tunnels[${i}]`,
          message: `the tunnel runs in namespace "${t.namespace}", not in the database namespace "${this.namespace}"`,
          value: t.tunnelName,
          fix: 'run the tunnel next to the cluster (the default of CloudflaredTunnel)',
        });
      }
    });
    const egress = props.egress;
    if (egress) {
      if (!egress.kubernetesApi || !Array.isArray(egress.kubernetesApi.cidrs) || egress.kubernetesApi.cidrs.length === 0) {
        problems.error({
          field: 'egress.kubernetesApi.cidrs',
          message: 'is required with egress lockdown: without the API server, instance managers cannot run and the cluster stops',
          fix: 'list the API server endpoint addresses: kubectl get endpoints kubernetes -n default (e.g. ["192.168.1.10/32"])',
        });
      }
      const cidrLists: [string, readonly string[] | undefined][] = [
        ['egress.kubernetesApi.cidrs', egress.kubernetesApi?.cidrs],
        ['egress.objectStore.cidrs', egress.objectStore?.cidrs],
        ['egress.cloudflareEdgeCidrs', egress.cloudflareEdgeCidrs],
      ];
      for (const [field, cidrs] of cidrLists) {
        if (cidrs !== undefined && cidrs.length === 0) problems.error({ field, message: 'must not be empty', fix: 'leave it unset for the default, or list CIDRs' });
        for (const cidr of cidrs ?? []) {
          if (!isCidr(cidr)) problems.error({ field, message: 'is not an IPv4 or IPv6 CIDR', value: cidr, fix: 'write e.g. "192.168.1.10/32" or "10.0.0.0/8"' });
        }
      }
      const portLists: [string, readonly number[] | undefined][] = [
        ['egress.kubernetesApi.ports', egress.kubernetesApi?.ports],
        ['egress.objectStore.ports', egress.objectStore?.ports],
      ];
      for (const [field, ports] of portLists) {
        if (ports !== undefined && ports.length === 0) problems.error({ field, message: 'must not be empty', fix: 'leave it unset for the default, or list ports' });
        for (const port of ports ?? []) {
          if (!isPort(port)) problems.error({ field, message: 'is not a port number (1-65535)', value: port });
        }
      }
      if (egress.dns?.namespace !== undefined) checkNamespace('egress.dns.namespace', egress.dns.namespace);
      checkLabels('egress.dns.podLabels', egress.dns?.podLabels, true);
    }
  }
}

/** Whether `s` is an IPv4 (`10.0.0.0/8`) or IPv6 (`fd00::/8`) CIDR with a valid prefix length. */
export function isCidr(s: string): boolean {
  if (typeof s !== 'string') return false;
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const prefixText = s.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefixText)) return false;
  const prefix = Number(prefixText);
  if (isIpv4(addr)) return prefix <= 32;
  if (isIpv6(addr)) return prefix <= 128;
  return false;
}

function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

function isIpv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const all = [...head, ...tail];
  let count = 0;
  for (const [i, g] of all.entries()) {
    if (i === all.length - 1 && g.includes('.')) {
      if (!isIpv4(g)) return false;
      count += 2;
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
      count += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count < 8 : count === 8;
}

/** Whether `n` is a TCP/UDP port number (1–65535). */
export function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}
