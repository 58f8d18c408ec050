/**
 * A NetworkPolicy evaluator for tests: decides whether a connection is allowed by a set of synthesized
 * `networking.k8s.io/v1` NetworkPolicies, with the semantics of the Kubernetes API
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
 *
 * - A pod is isolated for ingress (egress) when at least one policy of its namespace selects it (`spec.podSelector`)
 *   and has `Ingress` (`Egress`) in its `policyTypes`. `policyTypes` defaults to `["Ingress"]`, plus `"Egress"` when the
 *   policy has an `egress` section. A pod selected by no such policy is open in that direction.
 * - Policies are additive: an isolated pod accepts a connection when any rule of any policy selecting it matches
 *   (union). A connection needs both the source's egress and the destination's ingress to allow it.
 * - A rule with no `from`/`to` (or an empty list) matches every peer; with no `ports` (or an empty list) every port.
 * - A peer with only `podSelector` matches pods of the policy's own namespace; with only `namespaceSelector`, every
 *   pod of the matching namespaces; with both (in one peer), the matching pods *in* the matching namespaces. Separate
 *   peers in a list are ORed. `ipBlock` matches by address (`cidr` minus `except`); for pod addresses that is
 *   implementation-defined, so tests should use ipBlock only for endpoints outside the cluster.
 * - Label selectors: `matchLabels` and `matchExpressions` (`In`, `NotIn` — true when the key is absent —, `Exists`,
 *   `DoesNotExist`), ANDed; the empty selector matches everything.
 * - Ports: `protocol` defaults to TCP; `port` may be a number or a container port name (resolved on the destination
 *   pod, so named ports never match an address outside the cluster); `endPort` makes a range; no `port` means every
 *   port of the protocol.
 *
 * Connections are modelled after Service translation (pod to pod, or to/from an address outside the cluster), which
 * is how CNIs evaluate policies.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A namespace; `kubernetes.io/metadata.name` is added automatically, as the API server does. */
export interface NamespaceModel {
  readonly name: string;
  readonly labels?: Record<string, string>;
}

/** A container port of a pod. */
export interface PodPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: Protocol;
}

/** A pod. */
export interface PodModel {
  readonly kind: 'pod';
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly ports?: PodPort[];
  readonly ip?: string;
}

/** An address outside the pod network (the API server on a node, an object store, the internet). */
export interface ExternalEndpoint {
  readonly kind: 'external';
  readonly name: string;
  readonly ip: string;
}

export type Endpoint = PodModel | ExternalEndpoint;

/** One connection attempt. */
export interface Connection {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly port: number;
  readonly protocol?: Protocol;
}

/** The decision of one direction. */
export interface SideVerdict {
  /** Whether the pod is isolated in this direction (selected by a policy of that type). */
  readonly isolated: boolean;
  /** Whether this side allows the connection. */
  readonly allowed: boolean;
  /** Names of the policies whose rules allow it (empty when not isolated). */
  readonly allowedBy: string[];
}

export interface Verdict {
  readonly allowed: boolean;
  readonly egress: SideVerdict;
  readonly ingress: SideVerdict;
}

const OPEN: SideVerdict = { isolated: false, allowed: true, allowedBy: [] };

export function pod(name: string, namespace: string, labels: Record<string, string>, ports: PodPort[] = [], ip?: string): PodModel {
  return { kind: 'pod', name, namespace, labels, ports, ip };
}

export function external(name: string, ip: string): ExternalEndpoint {
  return { kind: 'external', name, ip };
}

/** `name` for pods as `namespace/name`, externals by name. */
export function describeEndpoint(e: Endpoint): string {
  return e.kind === 'pod' ? `${e.namespace}/${e.name}` : e.name;
}

export class NetworkPolicyEvaluator {
  private readonly namespaces = new Map<string, Record<string, string>>();
  private readonly policies: any[];

  /**
   * @param objects synthesized objects; only `networking.k8s.io/v1` NetworkPolicies are used
   * @param namespaces the namespaces of the modelled world
   */
  public constructor(objects: readonly any[], namespaces: readonly NamespaceModel[]) {
    this.policies = objects.filter((o) => o?.apiVersion === 'networking.k8s.io/v1' && o?.kind === 'NetworkPolicy');
    for (const p of this.policies) {
      if (!p.metadata?.namespace) throw new Error(`NetworkPolicy ${p.metadata?.name} has no namespace`);
    }
    for (const ns of namespaces) {
      this.namespaces.set(ns.name, { ...(ns.labels ?? {}), 'kubernetes.io/metadata.name': ns.name });
    }
  }

  public evaluate(c: Connection): Verdict {
    const protocol = c.protocol ?? 'TCP';
    const egress = c.from.kind === 'pod' ? this.side(c.from, c.to, 'Egress', c.port, protocol) : OPEN;
    const ingress = c.to.kind === 'pod' ? this.side(c.to, c.from, 'Ingress', c.port, protocol) : OPEN;
    return { allowed: egress.allowed && ingress.allowed, egress, ingress };
  }

  public allows(c: Connection): boolean {
    return this.evaluate(c).allowed;
  }

  /** The policies of `subject`'s namespace that select it for `type`. */
  public policiesSelecting(subject: PodModel, type: 'Ingress' | 'Egress'): any[] {
    return this.policies.filter((p) =>
      p.metadata.namespace === subject.namespace
      && policyTypes(p).includes(type)
      && matchesSelector(p.spec?.podSelector ?? missing('spec.podSelector', p), subject.labels));
  }

  private side(subject: PodModel, peer: Endpoint, type: 'Ingress' | 'Egress', port: number, protocol: Protocol): SideVerdict {
    const selecting = this.policiesSelecting(subject, type);
    if (selecting.length === 0) return OPEN;
    const destination = type === 'Ingress' ? subject : peer;
    const allowedBy: string[] = [];
    for (const p of selecting) {
      const rules: any[] = (type === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? [];
      const peersKey = type === 'Ingress' ? 'from' : 'to';
      const matched = rules.some((rule) => {
        const peers: any[] = rule[peersKey] ?? [];
        const peerOk = peers.length === 0 || peers.some((x) => this.peerMatches(x, peer, p.metadata.namespace));
        const ports: any[] = rule.ports ?? [];
        const portOk = ports.length === 0 || ports.some((x) => portMatches(x, destination, port, protocol));
        return peerOk && portOk;
      });
      if (matched) allowedBy.push(p.metadata.name);
    }
    return { isolated: true, allowed: allowedBy.length > 0, allowedBy };
  }

  private peerMatches(peer: any, endpoint: Endpoint, policyNamespace: string): boolean {
    const kinds = ['ipBlock', 'podSelector', 'namespaceSelector'].filter((k) => peer[k] !== undefined);
    if (kinds.length === 0) throw new Error(`a NetworkPolicyPeer needs ipBlock, podSelector or namespaceSelector: ${JSON.stringify(peer)}`);
    if (peer.ipBlock) {
      if (kinds.length > 1) throw new Error(`ipBlock cannot be combined with selectors in one peer: ${JSON.stringify(peer)}`);
      const ip = endpoint.ip;
      if (!ip) return false;
      return cidrContains(peer.ipBlock.cidr, ip) && !(peer.ipBlock.except ?? []).some((e: string) => cidrContains(e, ip));
    }
    if (endpoint.kind !== 'pod') return false;
    if (peer.namespaceSelector === undefined) {
      return endpoint.namespace === policyNamespace && matchesSelector(peer.podSelector, endpoint.labels);
    }
    const nsLabels = this.namespaces.get(endpoint.namespace);
    if (!nsLabels) throw new Error(`namespace ${endpoint.namespace} of ${endpoint.name} is not in the model`);
    if (!matchesSelector(peer.namespaceSelector, nsLabels)) return false;
    return peer.podSelector === undefined || matchesSelector(peer.podSelector, endpoint.labels);
  }
}

function missing(what: string, p: any): never {
  throw new Error(`NetworkPolicy ${p.metadata?.name}: ${what} is required`);
}

/** `spec.policyTypes`, defaulted as the API server does. */
export function policyTypes(p: any): string[] {
  if (Array.isArray(p.spec?.policyTypes) && p.spec.policyTypes.length > 0) return p.spec.policyTypes;
  return p.spec?.egress !== undefined ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** Kubernetes label selector semantics. */
export function matchesSelector(selector: any, labels: Record<string, string>): boolean {
  if (selector === null || typeof selector !== 'object') throw new Error(`not a label selector: ${JSON.stringify(selector)}`);
  for (const [k, v] of Object.entries<string>(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values: string[] = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (values.length === 0) throw new Error(`operator In needs values: ${JSON.stringify(e)}`);
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (values.length === 0) throw new Error(`operator NotIn needs values: ${JSON.stringify(e)}`);
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (values.length > 0) throw new Error(`operator Exists takes no values: ${JSON.stringify(e)}`);
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (values.length > 0) throw new Error(`operator DoesNotExist takes no values: ${JSON.stringify(e)}`);
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${JSON.stringify(e.operator)}`);
    }
  }
  return true;
}

function portMatches(rulePort: any, destination: Endpoint, port: number, protocol: Protocol): boolean {
  if ((rulePort.protocol ?? 'TCP') !== protocol) return false;
  if (rulePort.port === undefined) return true;
  let start: number;
  if (typeof rulePort.port === 'number') {
    start = rulePort.port;
  } else if (typeof rulePort.port === 'string' && /^[0-9]+$/.test(rulePort.port)) {
    start = Number(rulePort.port);
  } else if (typeof rulePort.port === 'string') {
    // A named port is resolved on the destination pod's containers, for the rule's protocol.
    if (destination.kind !== 'pod') return false;
    if (rulePort.endPort !== undefined) throw new Error('endPort cannot be used with a named port');
    return (destination.ports ?? []).some((p) => p.name === rulePort.port && (p.protocol ?? 'TCP') === protocol && p.port === port);
  } else {
    throw new Error(`invalid NetworkPolicyPort.port ${JSON.stringify(rulePort.port)}`);
  }
  const end = rulePort.endPort ?? start;
  return port >= start && port <= end;
}

/** Whether `ip` is inside `cidr` (IPv4 or IPv6). */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, prefixText] = cidr.split('/');
  const net = parseIp(base);
  const addr = parseIp(ip);
  if (!net || !addr) throw new Error(`bad CIDR or address: ${cidr} / ${ip}`);
  if (net.bits !== addr.bits) return false;
  const prefix = Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > net.bits) throw new Error(`bad prefix in ${cidr}`);
  const shift = BigInt(net.bits - prefix);
  return (net.value >> shift) === (addr.value >> shift);
}

function parseIp(s: string): { bits: number; value: bigint } | undefined {
  if (/^[0-9.]+$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
    return { bits: 32, value: parts.reduce((acc, p) => (acc << 8n) + BigInt(p), 0n) };
  }
  if (s.includes(':')) {
    const [head, tail] = s.split('::');
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
    const fill = s.includes('::') ? 8 - h.length - t.length : 0;
    const groups = [...h, ...Array(fill).fill('0'), ...t];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return { bits: 128, value: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n) };
  }
  return undefined;
}
