import { CnpgCluster } from '../lib/cluster/cluster';
import { Pooler } from '../lib/cluster/pooler';
import {
  CloudflaredTunnel, DatabaseEgressOptions, DatabaseNetworkPolicies, DatabaseNetworkPoliciesProps, isCidr, REASON_ANNOTATION,
  TunnelManagement,
} from '../lib/exposure';
import {
  cidrContains, Connection, describeEndpoint, Endpoint, external, matchesSelector, NamespaceModel, NetworkPolicyEvaluator, pod,
  PodModel, Protocol,
} from './support/network-policy-eval';
import { findObject, synthChart, synthError, testChart } from './support/synth';

// ---------------------------------------------------------------------------------------------------------------------
// The modelled world: pods with the labels and ports CloudNativePG 1.30 really sets, in namespaces that carry
// kubernetes.io/metadata.name (the API server adds it to every namespace).
// ---------------------------------------------------------------------------------------------------------------------

const NAMESPACES: NamespaceModel[] = ['data-infra', 'cnpg-system', 'monitoring', 'kube-system', 'shop', 'billing', 'other']
  .map((name) => ({ name }));

const INSTANCE_PORTS = [{ name: 'postgresql', port: 5432 }, { name: 'status', port: 8000 }, { name: 'metrics', port: 9187 }];

/** An instance pod as `pkg/specs/pods.go` labels it (the deprecated `role` label included). */
function instance(cluster: string, serial: number, role: 'primary' | 'replica'): PodModel {
  return pod(`${cluster}-${serial}`, 'data-infra', {
    'cnpg.io/cluster': cluster,
    'cnpg.io/podRole': 'instance',
    'cnpg.io/instanceName': `${cluster}-${serial}`,
    'cnpg.io/instanceRole': role,
    'role': role,
    'app.kubernetes.io/name': 'postgresql',
    'app.kubernetes.io/instance': cluster,
    'app.kubernetes.io/component': 'database',
    'app.kubernetes.io/managed-by': 'cloudnative-pg',
  }, INSTANCE_PORTS);
}

interface World {
  readonly pods: PodModel[];
  readonly externals: ExternalTarget[];
  readonly byName: Map<string, Endpoint>;
}

/** An address outside the pod network, and the ports tried against it. */
interface ExternalTarget {
  readonly endpoint: Endpoint;
  readonly ports: { port: number; protocol: Protocol }[];
}

function world(tunnelLabels: Record<string, string>): World {
  const pods: PodModel[] = [
    instance('cnpg-ha', 1, 'primary'),
    instance('cnpg-ha', 2, 'replica'),
    instance('cnpg-ha', 3, 'replica'),
    // A join Job pod (pkg/specs/jobs.go): cluster, instance name and job role, no podRole.
    pod('cnpg-ha-4-join', 'data-infra', {
      'cnpg.io/cluster': 'cnpg-ha', 'cnpg.io/instanceName': 'cnpg-ha-4', 'cnpg.io/jobRole': 'join',
      'app.kubernetes.io/name': 'postgresql', 'app.kubernetes.io/instance': 'cnpg-ha', 'app.kubernetes.io/managed-by': 'cloudnative-pg',
    }),
    // A PgBouncer pod of the Pooler cnpg-ha-pooler-rw.
    pod('cnpg-ha-pooler-rw-6d4b9c7f5-x2k9p', 'data-infra', {
      'cnpg.io/poolerName': 'cnpg-ha-pooler-rw', 'cnpg.io/podRole': 'pooler', 'cnpg.io/cluster': 'cnpg-ha',
      'app.kubernetes.io/name': 'pgbouncer', 'app.kubernetes.io/instance': 'cnpg-ha', 'app.kubernetes.io/component': 'pooler',
    }, [{ name: 'pgbouncer', port: 5432 }, { name: 'metrics', port: 9127 }]),
    pod('cnpg-ha-tunnel-7f9c8d6b5-q8w2e', 'data-infra', { ...tunnelLabels, 'pod-template-hash': '7f9c8d6b5' }, [{ name: 'metrics', port: 2000 }]),
    // Something else in the database namespace, and another cluster next to cnpg-ha.
    pod('debug', 'data-infra', { run: 'debug' }, [{ name: 'http', port: 8080 }]),
    instance('other-pg', 1, 'primary'),
    pod('cnpg-cloudnative-pg-5d8f7c9b4-abcde', 'cnpg-system', { 'app.kubernetes.io/name': 'cloudnative-pg', 'app.kubernetes.io/instance': 'cnpg' },
      [{ name: 'webhook-server', port: 9443 }, { name: 'metrics', port: 8080 }]),
    pod('barman-cloud-6c9d8f7b5-fghij', 'cnpg-system', { 'app': 'barman-cloud', 'app.kubernetes.io/name': 'plugin-barman-cloud' }, [{ port: 9090 }]),
    pod('prometheus-k8s-0', 'monitoring', { 'app.kubernetes.io/name': 'prometheus', 'prometheus': 'k8s' }, [{ name: 'web', port: 9090 }]),
    pod('grafana-7b9c8d6f5-klmno', 'monitoring', { 'app.kubernetes.io/name': 'grafana' }, [{ port: 3000 }]),
    pod('coredns-6799fbcd5-pqrst', 'kube-system', { 'k8s-app': 'kube-dns' },
      [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'metrics', port: 9153 }]),
    pod('shop-api', 'shop', { app: 'shop-api' }, [{ port: 8080 }]),
    pod('billing-worker', 'billing', { app: 'billing' }),
    // An unlisted namespace, even with the operator's and Prometheus' pod labels.
    pod('intruder', 'other', { 'app.kubernetes.io/name': 'cloudnative-pg' }),
    pod('fake-prometheus', 'other', { 'app.kubernetes.io/name': 'prometheus' }),
  ];
  const tcp = (...ports: number[]) => ports.map((port) => ({ port, protocol: 'TCP' as Protocol }));
  const externals: ExternalTarget[] = [
    { endpoint: external('internet', '203.0.113.10'), ports: [...tcp(443, 5432, 8000), { port: 7844, protocol: 'UDP' }] },
    { endpoint: external('apiserver', '192.168.1.10'), ports: tcp(443, 6443, 22) },
    { endpoint: external('objectstore', '52.219.0.10'), ports: tcp(443, 80) },
    { endpoint: external('cloudflare-edge', '198.41.192.7'), ports: [...tcp(7844, 443), { port: 7844, protocol: 'UDP' }] },
  ];
  const byName = new Map<string, Endpoint>();
  for (const p of pods) byName.set(shortName(p), p);
  for (const e of externals) byName.set(e.endpoint.name, e.endpoint);
  return { pods, externals, byName };
}

/** Short, readable names for the flow tables. */
function shortName(e: Endpoint): string {
  if (e.kind === 'external') return e.name;
  const aliases: Record<string, string> = {
    'cnpg-ha-4-join': 'join-job',
    'cnpg-ha-pooler-rw-6d4b9c7f5-x2k9p': 'pooler',
    'cnpg-ha-tunnel-7f9c8d6b5-q8w2e': 'tunnel',
    'cnpg-cloudnative-pg-5d8f7c9b4-abcde': 'operator',
    'barman-cloud-6c9d8f7b5-fghij': 'barman-plugin',
    'prometheus-k8s-0': 'prometheus',
    'grafana-7b9c8d6f5-klmno': 'grafana',
    'coredns-6799fbcd5-pqrst': 'coredns',
  };
  return aliases[e.name] ?? e.name;
}

const EGRESS: DatabaseEgressOptions = {
  kubernetesApi: { cidrs: ['192.168.1.10/32'] },
  objectStore: { cidrs: ['52.219.0.0/16'] },
  cloudflareEdgeCidrs: ['198.41.192.0/24', '198.41.200.0/24'],
};

function synthPolicies(props: Partial<DatabaseNetworkPoliciesProps> = {}) {
  const { chart } = testChart();
  const cluster = new CnpgCluster(chart, 'Cluster', { clusterName: 'cnpg-ha', storageSize: '10Gi' });
  new Pooler(chart, 'Pooler', { cluster });
  const tunnel = new CloudflaredTunnel(chart, 'Tunnel', {
    cluster,
    hostname: 'pg-dev.example.com',
    management: TunnelManagement.remotelyManaged({ credential: { secretName: 'cnpg-tunnel-token', namespace: 'data-infra', keys: ['token'] } }),
  });
  const policies = new DatabaseNetworkPolicies(chart, 'NetworkPolicies', {
    cluster, tunnels: [tunnel], applicationNamespaces: ['shop', 'billing'], ...props,
  });
  const objects = synthChart(chart);
  const tunnelLabels = findObject(objects, 'Deployment', 'cnpg-ha-tunnel').spec.template.metadata.labels;
  const w = world(tunnelLabels);
  return { objects, policies, world: w, evaluator: new NetworkPolicyEvaluator(objects, NAMESPACES) };
}

/** why, source, destination, port, protocol (TCP when absent) */
type FlowRow = [string, string, string, number, Protocol?];

const INSTANCES = ['cnpg-ha-1', 'cnpg-ha-2', 'cnpg-ha-3'];
const APPS = ['shop-api', 'billing-worker'];

/** `src -> dst:port/proto` */
function flow(src: string, dst: string, port: number, protocol: Protocol = 'TCP'): string {
  return `${src} -> ${dst}:${port}/${protocol}`;
}

/** Flows into the database namespace that must be allowed (destination side); everything else into it is denied. */
function expectedIngress(options: { appsToInstances: boolean }): Set<string> {
  const allowed = new Set<string>();
  for (const i of INSTANCES) {
    allowed.add(flow('operator', i, 8000));
    allowed.add(flow('operator', i, 5432));
    for (const j of INSTANCES.filter((x) => x !== i)) {
      allowed.add(flow(j, i, 5432)); // streaming replication / pg_rewind
      allowed.add(flow(j, i, 8000)); // primary isolation check
    }
    allowed.add(flow('join-job', i, 5432)); // pg_basebackup
    allowed.add(flow('pooler', i, 5432));
    allowed.add(flow('tunnel', i, 5432));
    if (options.appsToInstances) for (const a of APPS) allowed.add(flow(a, i, 5432));
    allowed.add(flow('prometheus', i, 9187));
  }
  for (const a of APPS) allowed.add(flow(a, 'pooler', 5432));
  allowed.add(flow('prometheus', 'pooler', 9127));
  allowed.add(flow('prometheus', 'tunnel', 2000));
  return allowed;
}

/** Flows out of the database namespace that must be allowed with egress lockdown (source side). */
function expectedEgress(): Set<string> {
  const allowed = new Set<string>();
  const namespacePods = ['cnpg-ha-1', 'cnpg-ha-2', 'cnpg-ha-3', 'join-job', 'pooler', 'tunnel', 'debug', 'other-pg-1'];
  for (const p of namespacePods) {
    allowed.add(flow(p, 'coredns', 53, 'UDP'));
    allowed.add(flow(p, 'coredns', 53, 'TCP'));
  }
  for (const p of [...INSTANCES, 'join-job', 'pooler']) {
    allowed.add(flow(p, 'apiserver', 443));
    allowed.add(flow(p, 'apiserver', 6443));
  }
  for (const p of [...INSTANCES, 'join-job']) {
    allowed.add(flow(p, 'objectstore', 443));
    for (const i of INSTANCES.filter((x) => x !== p)) allowed.add(flow(p, i, 5432));
  }
  for (const p of INSTANCES) for (const i of INSTANCES.filter((x) => x !== p)) allowed.add(flow(p, i, 8000));
  for (const i of INSTANCES) allowed.add(flow('pooler', i, 5432));
  for (const i of INSTANCES) allowed.add(flow('tunnel', i, 5432));
  allowed.add(flow('tunnel', 'cloudflare-edge', 7844, 'TCP'));
  allowed.add(flow('tunnel', 'cloudflare-edge', 7844, 'UDP'));
  allowed.add(flow('tunnel', 'cloudflare-edge', 443, 'TCP'));
  return allowed;
}

/** Every connection of the world: every source to every declared port of every pod, and to every external target. */
function allConnections(w: World): Connection[] {
  const sources: Endpoint[] = [...w.pods, ...w.externals.map((e) => e.endpoint)];
  const out: Connection[] = [];
  for (const from of sources) {
    for (const to of w.pods) {
      if (to === from) continue; // a pod can always reach itself
      for (const p of to.ports ?? []) out.push({ from, to, port: p.port, protocol: p.protocol ?? 'TCP' });
    }
    if (from.kind === 'pod') {
      for (const target of w.externals) for (const p of target.ports) out.push({ from, to: target.endpoint, port: p.port, protocol: p.protocol });
    }
  }
  return out;
}

function inDatabaseNamespace(e: Endpoint): boolean {
  return e.kind === 'pod' && e.namespace === 'data-infra';
}

/** Checks the whole matrix against the expected tables; returns the mismatches (empty when all is as expected). */
function mismatches(evaluator: NetworkPolicyEvaluator, w: World, ingress: Set<string>, egress: Set<string> | undefined): string[] {
  const out: string[] = [];
  for (const c of allConnections(w)) {
    const name = flow(shortName(c.from), shortName(c.to), c.port, c.protocol);
    const ingressOk = !inDatabaseNamespace(c.to) || ingress.has(name);
    const egressOk = !egress || !inDatabaseNamespace(c.from) || egress.has(name);
    const expected = ingressOk && egressOk;
    const verdict = evaluator.evaluate(c);
    if (verdict.allowed !== expected) {
      out.push(`${name}: expected ${expected ? 'allowed' : 'denied'}, got ${verdict.allowed ? 'allowed' : 'denied'}`
        + ` (egress by [${verdict.egress.allowedBy}], ingress by [${verdict.ingress.allowedBy}])`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------

describe('DatabaseNetworkPolicies (ingress)', () => {
  const { objects, policies, world: w, evaluator } = synthPolicies();
  const policyObjects = objects.filter((o) => o.kind === 'NetworkPolicy');
  const at = (src: string, dst: string, port: number, protocol: Protocol = 'TCP'): Connection =>
    ({ from: w.byName.get(src)!, to: w.byName.get(dst)!, port, protocol });

  test('snapshot', () => {
    expect(policyObjects).toMatchSnapshot();
  });

  test('explicit, stable names; every policy says why it exists', () => {
    expect(policies.policyNames).toEqual([
      'default-deny-ingress',
      'cnpg-ha-allow-operator',
      'cnpg-ha-allow-replication',
      'cnpg-ha-allow-instance-manager',
      'cnpg-ha-allow-poolers',
      'cnpg-ha-allow-tunnel',
      'cnpg-ha-allow-applications',
      'cnpg-ha-poolers-allow-applications',
      'cnpg-ha-allow-prometheus',
      'cnpg-ha-poolers-allow-prometheus',
      'cnpg-ha-tunnel-allow-prometheus',
    ]);
    expect(policyObjects.map((p) => p.metadata.name)).toEqual(policies.policyNames);
    for (const p of policyObjects) {
      expect(p.metadata.namespace).toBe('data-infra');
      expect(p.metadata.annotations[REASON_ANNOTATION].length).toBeGreaterThan(40);
      expect(p.spec.policyTypes).toEqual(['Ingress']);
    }
  });

  const required: FlowRow[] = [
    ['operator reaches the status API', 'operator', 'cnpg-ha-1', 8000],
    ['operator reaches PostgreSQL', 'operator', 'cnpg-ha-2', 5432],
    ['replica streams from the primary', 'cnpg-ha-2', 'cnpg-ha-1', 5432],
    ['old primary runs pg_rewind against the new one', 'cnpg-ha-1', 'cnpg-ha-3', 5432],
    ['primary pings a replica\'s /failsafe (isolation check)', 'cnpg-ha-1', 'cnpg-ha-2', 8000],
    ['join job copies the primary (pg_basebackup)', 'join-job', 'cnpg-ha-1', 5432],
    ['pooler connects to the primary', 'pooler', 'cnpg-ha-1', 5432],
    ['pooler connects to a replica (ro pooler)', 'pooler', 'cnpg-ha-3', 5432],
    ['tunnel forwards to the primary', 'tunnel', 'cnpg-ha-1', 5432],
    ['application namespace connects to an instance', 'shop-api', 'cnpg-ha-1', 5432],
    ['second application namespace connects to an instance', 'billing-worker', 'cnpg-ha-2', 5432],
    ['application namespace connects to the pooler', 'shop-api', 'pooler', 5432],
    ['Prometheus scrapes an instance', 'prometheus', 'cnpg-ha-1', 9187],
    ['Prometheus scrapes the pooler', 'prometheus', 'pooler', 9127],
    ['Prometheus scrapes the tunnel', 'prometheus', 'tunnel', 2000],
  ];
  test.each(required)('allowed: %s (%s -> %s:%d)', (...row) => {
    // (a rest parameter: jest would take a fifth declared parameter for a `done` callback)
    const [, src, dst, port, protocol] = row as FlowRow;
    expect(evaluator.allows(at(src, dst, port, protocol))).toBe(true);
  });

  const denied: FlowRow[] = [
    ['an unlisted namespace to PostgreSQL', 'intruder', 'cnpg-ha-1', 5432],
    ['an unlisted namespace to the pooler', 'intruder', 'pooler', 5432],
    ['the operator\'s pod labels in another namespace', 'intruder', 'cnpg-ha-1', 8000],
    ['Prometheus\' pod labels in another namespace', 'fake-prometheus', 'cnpg-ha-1', 9187],
    ['the internet to PostgreSQL', 'internet', 'cnpg-ha-1', 5432],
    ['the internet to the status API', 'internet', 'cnpg-ha-1', 8000],
    ['the internet to the tunnel', 'internet', 'tunnel', 2000],
    ['an application to the status API', 'shop-api', 'cnpg-ha-1', 8000],
    ['an application to the metrics exporter', 'shop-api', 'cnpg-ha-1', 9187],
    ['an application to the pooler\'s exporter', 'shop-api', 'pooler', 9127],
    ['an application to the tunnel', 'shop-api', 'tunnel', 2000],
    ['another pod of the monitoring namespace', 'grafana', 'cnpg-ha-1', 9187],
    ['Prometheus to PostgreSQL', 'prometheus', 'cnpg-ha-1', 5432],
    ['the operator to the pooler', 'operator', 'pooler', 5432],
    ['the Barman Cloud plugin to an instance (it never connects in)', 'barman-plugin', 'cnpg-ha-1', 8000],
    ['the tunnel to the status API', 'tunnel', 'cnpg-ha-1', 8000],
    ['the tunnel to the pooler', 'tunnel', 'pooler', 5432],
    ['the pooler to the status API', 'pooler', 'cnpg-ha-1', 8000],
    ['a join job to the status API', 'join-job', 'cnpg-ha-1', 8000],
    ['another pod of the database namespace', 'debug', 'cnpg-ha-1', 5432],
    ['another cluster\'s instance', 'other-pg-1', 'cnpg-ha-1', 5432],
    ['anything to an unrelated pod of the namespace', 'shop-api', 'debug', 8080],
  ];
  test.each(denied)('denied: %s (%s -> %s:%d)', (...row) => {
    const [, src, dst, port, protocol] = row as FlowRow;
    expect(evaluator.allows(at(src, dst, port, protocol))).toBe(false);
  });

  test('exhaustive: every connection into the namespace not in the table is denied, every one in it allowed', () => {
    expect(mismatches(evaluator, w, expectedIngress({ appsToInstances: true }), undefined)).toEqual([]);
  });

  test('egress is not restricted without the egress option', () => {
    expect(evaluator.allows(at('cnpg-ha-1', 'internet', 443))).toBe(true);
    expect(evaluator.evaluate(at('cnpg-ha-1', 'internet', 443)).egress.isolated).toBe(false);
  });

  test('applications can be limited to the poolers', () => {
    const limited = synthPolicies({ allowApplicationsToInstances: false });
    expect(limited.policies.policyNames).not.toContain('cnpg-ha-allow-applications');
    expect(mismatches(limited.evaluator, limited.world, expectedIngress({ appsToInstances: false }), undefined)).toEqual([]);
  });

  test('application pods can be narrowed by labels (namespace and pod selector in one peer)', () => {
    const narrowed = synthPolicies({ applicationPodLabels: { app: 'shop-api' } });
    const conn = (src: string): Connection => ({ from: narrowed.world.byName.get(src)!, to: narrowed.world.byName.get('pooler')!, port: 5432 });
    expect(narrowed.evaluator.allows(conn('shop-api'))).toBe(true);
    expect(narrowed.evaluator.allows(conn('billing-worker'))).toBe(false);
  });

  test('without application namespaces, only poolers and tunnels reach PostgreSQL; Prometheus can be left out', () => {
    const { policies: p, evaluator: e, world: w2 } = synthPolicies({ applicationNamespaces: [], prometheus: false });
    expect(p.policyNames.filter((n) => /applications|prometheus/.test(n))).toEqual([]);
    expect(e.allows({ from: w2.byName.get('shop-api')!, to: w2.byName.get('cnpg-ha-1')!, port: 5432 })).toBe(false);
    expect(e.allows({ from: w2.byName.get('prometheus')!, to: w2.byName.get('cnpg-ha-1')!, port: 9187 })).toBe(false);
    expect(e.allows({ from: w2.byName.get('tunnel')!, to: w2.byName.get('cnpg-ha-1')!, port: 5432 })).toBe(true);
  });

  test('a second cluster in the namespace skips the namespace-wide policies', () => {
    const { chart } = testChart();
    const a = new CnpgCluster(chart, 'A', { clusterName: 'cnpg-ha', storageSize: '10Gi' });
    const b = new CnpgCluster(chart, 'B', { clusterName: 'other-pg', storageSize: '10Gi' });
    new DatabaseNetworkPolicies(chart, 'PA', { cluster: a, egress: EGRESS });
    const second = new DatabaseNetworkPolicies(chart, 'PB', { cluster: b, namespaceDefaults: false, egress: EGRESS });
    const objects = synthChart(chart);
    expect(second.policyNames.filter((n) => n.startsWith('default-') || n === 'allow-dns-egress')).toEqual([]);
    const names = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    const ev = new NetworkPolicyEvaluator(objects, NAMESPACES);
    const w2 = world({});
    const conn = (src: string, dst: string, port: number): Connection => ({ from: w2.byName.get(src)!, to: w2.byName.get(dst)!, port });
    expect(ev.allows(conn('operator', 'other-pg-1', 8000))).toBe(true);
    expect(ev.allows(conn('other-pg-1', 'cnpg-ha-1', 5432))).toBe(false);
    expect(ev.allows(conn('cnpg-ha-2', 'other-pg-1', 5432))).toBe(false);
  });
});

describe('DatabaseNetworkPolicies with egress lockdown', () => {
  const { objects, policies, world: w, evaluator } = synthPolicies({ egress: EGRESS });
  const at = (src: string, dst: string, port: number, protocol: Protocol = 'TCP'): Connection =>
    ({ from: w.byName.get(src)!, to: w.byName.get(dst)!, port, protocol });

  test('snapshot of the egress policies', () => {
    expect(objects.filter((o) => o.kind === 'NetworkPolicy' && o.spec.policyTypes.includes('Egress'))).toMatchSnapshot();
  });

  test('names', () => {
    expect(policies.policyNames.slice(11)).toEqual([
      'default-deny-egress',
      'allow-dns-egress',
      'cnpg-ha-egress-kube-api',
      'cnpg-ha-egress-object-store',
      'cnpg-ha-egress-replication',
      'cnpg-ha-egress-instance-manager',
      'cnpg-ha-poolers-egress-instances',
      'cnpg-ha-tunnel-egress-instances',
      'cnpg-ha-tunnel-egress-cloudflare',
    ]);
  });

  const required: FlowRow[] = [
    ['an instance resolves names', 'cnpg-ha-1', 'coredns', 53, 'UDP'],
    ['an instance resolves names over TCP', 'cnpg-ha-1', 'coredns', 53, 'TCP'],
    ['the instance manager talks to the API server', 'cnpg-ha-1', 'apiserver', 6443],
    ['the pooler talks to the API server', 'pooler', 'apiserver', 6443],
    ['a join job talks to the API server', 'join-job', 'apiserver', 443],
    ['the Barman Cloud sidecar archives WAL', 'cnpg-ha-1', 'objectstore', 443],
    ['a recovery job reads the object store', 'join-job', 'objectstore', 443],
    ['replica streams from the primary', 'cnpg-ha-2', 'cnpg-ha-1', 5432],
    ['join job copies the primary', 'join-job', 'cnpg-ha-1', 5432],
    ['primary pings a replica\'s /failsafe', 'cnpg-ha-1', 'cnpg-ha-3', 8000],
    ['pooler connects to the primary', 'pooler', 'cnpg-ha-1', 5432],
    ['tunnel forwards to the primary', 'tunnel', 'cnpg-ha-1', 5432],
    ['tunnel connects to the edge over QUIC', 'tunnel', 'cloudflare-edge', 7844, 'UDP'],
    ['tunnel connects to the edge over HTTP/2', 'tunnel', 'cloudflare-edge', 7844, 'TCP'],
    ['tunnel reaches the Cloudflare API', 'tunnel', 'cloudflare-edge', 443],
    ['the operator still reaches the instances', 'operator', 'cnpg-ha-1', 8000],
    ['Prometheus still scrapes', 'prometheus', 'cnpg-ha-1', 9187],
  ];
  test.each(required)('allowed: %s (%s -> %s:%d)', (...row) => {
    // (a rest parameter: jest would take a fifth declared parameter for a `done` callback)
    const [, src, dst, port, protocol] = row as FlowRow;
    expect(evaluator.allows(at(src, dst, port, protocol))).toBe(true);
  });

  const denied: FlowRow[] = [
    ['an instance to the internet (exfiltration)', 'cnpg-ha-1', 'internet', 5432],
    ['an instance to the internet over https', 'cnpg-ha-1', 'internet', 443],
    ['an instance to the object store over plain http', 'cnpg-ha-1', 'objectstore', 80],
    ['an instance to the API server\'s node on another port', 'cnpg-ha-1', 'apiserver', 22],
    ['an instance to the operator (the instance manager never calls it)', 'cnpg-ha-1', 'operator', 9443],
    ['an instance to an application', 'cnpg-ha-1', 'shop-api', 8080],
    ['an instance to the pooler', 'cnpg-ha-1', 'pooler', 5432],
    ['an instance to the DNS metrics port', 'cnpg-ha-1', 'coredns', 9153],
    ['the pooler to the object store', 'pooler', 'objectstore', 443],
    ['the pooler to the status API', 'pooler', 'cnpg-ha-1', 8000],
    ['a join job to the status API', 'join-job', 'cnpg-ha-1', 8000],
    ['the tunnel to the API server', 'tunnel', 'apiserver', 6443],
    ['the tunnel to the status API', 'tunnel', 'cnpg-ha-1', 8000],
    ['the tunnel to the pooler', 'tunnel', 'pooler', 5432],
    ['the tunnel to the edge port elsewhere', 'tunnel', 'internet', 7844, 'UDP'],
    ['another pod of the namespace to the internet', 'debug', 'internet', 443],
    ['another cluster\'s instance to the API server (not covered by this cluster\'s policies)', 'other-pg-1', 'apiserver', 6443],
  ];
  test.each(denied)('denied: %s (%s -> %s:%d)', (...row) => {
    const [, src, dst, port, protocol] = row as FlowRow;
    expect(evaluator.allows(at(src, dst, port, protocol))).toBe(false);
  });

  test('exhaustive: every connection in or out of the namespace not in the tables is denied, every one in them allowed', () => {
    expect(mismatches(evaluator, w, expectedIngress({ appsToInstances: true }), expectedEgress())).toEqual([]);
  });

  test('defaults: the object store and the Cloudflare edge on any address, the API server on 443 and 6443', () => {
    const { objects: o } = synthPolicies({ egress: { kubernetesApi: { cidrs: ['10.0.0.1/32'] } } });
    const spec = (name: string) => findObject(o, 'NetworkPolicy', name).spec;
    expect(spec('cnpg-ha-egress-object-store').egress).toEqual([{
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    }]);
    expect(spec('cnpg-ha-egress-kube-api').egress[0].ports).toEqual([{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }]);
    expect(spec('cnpg-ha-tunnel-egress-cloudflare').egress[0].to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }]);
    expect(spec('allow-dns-egress').egress[0].to).toEqual([{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    }]);
  });
});

describe('DatabaseNetworkPolicies: pods of the namespace that connect to the instances (the DR heartbeat)', () => {
  const heartbeatLabels = { 'app.kubernetes.io/name': 'cnpg-dr-heartbeat', 'app.kubernetes.io/instance': 'cnpg-ha' };
  const client = { name: 'dr-heartbeat', podLabels: heartbeatLabels, reason: 'the heartbeat commits a transaction' };
  const heartbeat = pod('cnpg-ha-dr-heartbeat-29411234-abcde', 'data-infra', { ...heartbeatLabels, 'batch.kubernetes.io/job-name': 'cnpg-ha-dr-heartbeat-29411234' });

  test.each([
    ['without egress lockdown', undefined, ['cnpg-ha-allow-dr-heartbeat']],
    ['with egress lockdown', EGRESS, ['cnpg-ha-allow-dr-heartbeat', 'dr-heartbeat-egress-instances']],
  ])('%s: exactly those pods reach the instances on 5432, nothing more', (_, egress, names) => {
    const { policies, world: w, evaluator } = synthPolicies({ inNamespaceClients: [client], egress });
    expect(policies.policyNames.filter((n) => n.includes('dr-heartbeat'))).toEqual(names);
    const to = (name: string, port: number): Connection => ({ from: heartbeat, to: w.byName.get(name)!, port });
    for (const i of INSTANCES) expect(evaluator.allows(to(i, 5432))).toBe(true);
    expect(evaluator.allows(to('cnpg-ha-1', 8000))).toBe(false);
    expect(evaluator.allows(to('other-pg-1', 5432))).toBe(false);
    // another pod of the namespace is not let through by it
    expect(evaluator.allows({ from: w.byName.get('debug')!, to: w.byName.get('cnpg-ha-1')!, port: 5432 })).toBe(false);
    if (egress) expect(evaluator.allows({ from: heartbeat, to: w.byName.get('internet')!, port: 443 })).toBe(false);
  });

  test('its name and labels are checked', () => {
    const { chart } = testChart();
    const cluster = new CnpgCluster(chart, 'Cluster', { clusterName: 'cnpg-ha', storageSize: '10Gi' });
    new DatabaseNetworkPolicies(chart, 'NetworkPolicies', { cluster, inNamespaceClients: [{ name: 'Heart Beat', podLabels: {}, reason: 'x' }] });
    expect(synthError(chart))
      .toMatch(/inNamespaceClients\[0\]\.name: is not a DNS-1123 label[\s\S]*inNamespaceClients\[0\]\.podLabels: must not be empty/);
  });
});

describe('DatabaseNetworkPolicies validation', () => {
  function errorOf(props: Partial<DatabaseNetworkPoliciesProps>): string {
    const { chart } = testChart();
    const cluster = new CnpgCluster(chart, 'Cluster', { clusterName: 'cnpg-ha', storageSize: '10Gi' });
    new DatabaseNetworkPolicies(chart, 'NetworkPolicies', { cluster, ...props });
    return synthError(chart);
  }

  test('an application namespace that is not a DNS label', () => {
    expect(errorOf({ applicationNamespaces: ['shop', 'Billing_Prod'] }))
      .toMatch(/\[test\/NetworkPolicies\] applicationNamespaces\[1\]: is not a namespace name \(a DNS-1123 label.*\(got "Billing_Prod"\)/);
  });

  test('egress lockdown without the API server, with bad CIDRs or ports', () => {
    const error = errorOf({ egress: { kubernetesApi: { cidrs: [], ports: [0] }, objectStore: { cidrs: ['s3.amazonaws.com'] }, cloudflareEdgeCidrs: ['198.41.192.0/33'] } });
    expect(error).toMatch(/egress\.kubernetesApi\.cidrs: is required with egress lockdown/);
    expect(error).toMatch(/egress\.objectStore\.cidrs: is not an IPv4 or IPv6 CIDR \(got "s3\.amazonaws\.com"\)/);
    expect(error).toMatch(/egress\.cloudflareEdgeCidrs: is not an IPv4 or IPv6 CIDR \(got "198\.41\.192\.0\/33"\)/);
    expect(error).toMatch(/egress\.kubernetesApi\.ports: is not a port number \(1-65535\) \(got 0\)/);
  });

  test('a tunnel in another namespace, empty selectors, bad labels', () => {
    const { chart } = testChart();
    const cluster = new CnpgCluster(chart, 'Cluster', { clusterName: 'cnpg-ha', storageSize: '10Gi' });
    const elsewhere = new CnpgCluster(chart, 'Elsewhere', { clusterName: 'dev', namespace: 'dev', storageSize: '1Gi' });
    const tunnel = new CloudflaredTunnel(chart, 'Tunnel', {
      cluster: elsewhere, hostname: 'pg.example.com',
      management: TunnelManagement.remotelyManaged({ credential: { secretName: 't', namespace: 'dev', keys: ['token'] } }),
    });
    new DatabaseNetworkPolicies(chart, 'NetworkPolicies', {
      cluster, tunnels: [tunnel], operator: { podLabels: {} }, prometheus: { namespace: 'Monitoring', podLabels: { 'bad key!': 'x' } },
    });
    const error = synthError(chart);
    expect(error).toMatch(/tunnels\[0\]: the tunnel runs in namespace "dev", not in the database namespace "data-infra"/);
    expect(error).toMatch(/operator\.podLabels: must not be empty/);
    expect(error).toMatch(/prometheus\.namespace: is not a namespace name/);
    expect(error).toMatch(/prometheus\.podLabels\.bad key!: is not a valid Kubernetes label/);
  });

  test('CIDR syntax', () => {
    for (const ok of ['10.0.0.0/8', '0.0.0.0/0', '192.168.1.10/32', '::/0', 'fd00::/8', '2606:4700:a0::/44', '::ffff:10.0.0.1/128']) expect(isCidr(ok)).toBe(true);
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '256.0.0.0/8', '10.0.0/8', 'fd00::/129', '1:2:3:4:5:6:7:8:9/64', 'example.com/24', '01.0.0.0/8']) {
      expect(isCidr(bad)).toBe(false);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// The evaluator itself, on hand-written policies (so the tests above rest on a checked model).
// ---------------------------------------------------------------------------------------------------------------------

describe('the NetworkPolicy evaluator', () => {
  const ns = (name: string, labels: Record<string, string> = {}): NamespaceModel => ({ name, labels });
  const namespaces = [ns('a', { team: 'x' }), ns('b', { team: 'x' }), ns('c')];
  const np = (name: string, namespace: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
  const web = pod('web', 'a', { app: 'web' }, [{ name: 'http', port: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }]);
  const db = pod('db', 'a', { app: 'db', tier: 'data' }, [{ name: 'pg', port: 5432 }]);
  const client = pod('client', 'b', { app: 'client' });
  const stranger = pod('stranger', 'c', { app: 'client' });

  test('a pod selected by no policy is open; selection isolates it, rules are a union across policies', () => {
    const ev0 = new NetworkPolicyEvaluator([], namespaces);
    expect(ev0.allows({ from: stranger, to: db, port: 5432 })).toBe(true);
    const ev = new NetworkPolicyEvaluator([
      np('deny', 'a', { podSelector: {} }),
      np('p1', 'a', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
      np('p2', 'a', { podSelector: { matchLabels: { tier: 'data' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'x' } } }], ports: [{ port: 5432 }] }] }),
    ], namespaces);
    expect(ev.evaluate({ from: web, to: db, port: 1234 })).toMatchObject({ allowed: true, ingress: { allowedBy: ['p1'] } });
    expect(ev.evaluate({ from: web, to: db, port: 5432 }).ingress.allowedBy).toEqual(['p1', 'p2']);
    expect(ev.allows({ from: client, to: db, port: 5432 })).toBe(true);
    expect(ev.allows({ from: client, to: db, port: 5433 })).toBe(false);
    expect(ev.allows({ from: stranger, to: db, port: 5432 })).toBe(false);
    expect(ev.allows({ from: client, to: web, port: 8080 })).toBe(false); // isolated by 'deny', no rule
  });

  test('namespace and pod selectors in one peer are ANDed; in two peers ORed', () => {
    const and = new NetworkPolicyEvaluator([np('and', 'a', {
      podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'x' } }, podSelector: { matchLabels: { app: 'web' } } }] }],
    })], namespaces);
    const or = new NetworkPolicyEvaluator([np('or', 'a', {
      podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'x' } } }, { podSelector: { matchLabels: { app: 'web' } } }] }],
    })], namespaces);
    expect(and.allows({ from: client, to: db, port: 5432 })).toBe(false);
    expect(and.allows({ from: web, to: db, port: 5432 })).toBe(true);
    expect(or.allows({ from: client, to: db, port: 5432 })).toBe(true);
  });

  test('a podSelector-only peer means the policy\'s own namespace', () => {
    const ev = new NetworkPolicyEvaluator([np('p', 'a', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] })], namespaces);
    expect(ev.allows({ from: client, to: db, port: 5432 })).toBe(false);
    expect(ev.allows({ from: pod('local-client', 'a', { app: 'client' }), to: db, port: 5432 })).toBe(true);
  });

  test('matchExpressions: In, NotIn (true when the key is absent), Exists, DoesNotExist', () => {
    expect(matchesSelector({ matchExpressions: [{ key: 'k', operator: 'In', values: ['1', '2'] }] }, { k: '2' })).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'k', operator: 'In', values: ['1'] }] }, {})).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['1'] }] }, {})).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['1'] }] }, { k: '1' })).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'k', operator: 'Exists' }] }, { k: '' })).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'k', operator: 'DoesNotExist' }] }, { k: 'x' })).toBe(false);
    expect(matchesSelector({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'Exists' }] }, { a: '1' })).toBe(false);
    expect(matchesSelector({}, { anything: 'x' })).toBe(true);
    expect(() => matchesSelector({ matchExpressions: [{ key: 'k', operator: 'In', values: [] }] }, {})).toThrow(/needs values/);
  });

  test('ports: protocol defaults to TCP, named ports resolve on the destination, endPort ranges, no port = all', () => {
    const ev = new NetworkPolicyEvaluator([
      np('named', 'a', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }] }] }),
      np('range', 'a', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 5000, endPort: 5500 }, { protocol: 'UDP' }] }] }),
    ], namespaces);
    expect(ev.allows({ from: client, to: web, port: 8080 })).toBe(true);
    expect(ev.allows({ from: client, to: web, port: 8081 })).toBe(false);
    expect(ev.allows({ from: client, to: web, port: 53, protocol: 'UDP' })).toBe(true);
    expect(ev.allows({ from: client, to: web, port: 53, protocol: 'TCP' })).toBe(false);
    expect(ev.allows({ from: client, to: db, port: 5432 })).toBe(true);
    expect(ev.allows({ from: client, to: db, port: 5600 })).toBe(false);
    expect(ev.allows({ from: client, to: db, port: 9999, protocol: 'UDP' })).toBe(true);
  });

  test('policyTypes default to Ingress, plus Egress when there is an egress section; egress and ingress must both allow', () => {
    const ev = new NetworkPolicyEvaluator([
      np('egress-implied', 'b', { podSelector: { matchLabels: { app: 'client' } }, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] }),
    ], namespaces);
    const inside = external('inside', '10.2.3.4');
    const excepted = external('excepted', '10.1.2.3');
    expect(ev.evaluate({ from: client, to: inside, port: 1 })).toMatchObject({ allowed: true, egress: { isolated: true } });
    expect(ev.allows({ from: client, to: excepted, port: 1 })).toBe(false);
    expect(ev.allows({ from: client, to: db, port: 5432 })).toBe(false);
    // the same policy also isolates the client for ingress (no ingress rules)
    expect(ev.evaluate({ from: web, to: client, port: 1 }).ingress).toMatchObject({ isolated: true, allowed: false });
    const egressOnly = new NetworkPolicyEvaluator([np('e', 'b', { podSelector: {}, policyTypes: ['Egress'] })], namespaces);
    expect(egressOnly.allows({ from: web, to: client, port: 1 })).toBe(true);
    expect(egressOnly.allows({ from: client, to: web, port: 8080 })).toBe(false);
  });

  test('an empty from/to list matches every peer, including addresses outside the cluster', () => {
    const ev = new NetworkPolicyEvaluator([np('all', 'a', { podSelector: {}, ingress: [{ from: [], ports: [{ port: 8080 }] }] })], namespaces);
    expect(ev.allows({ from: external('x', '198.51.100.1'), to: web, port: 8080 })).toBe(true);
    expect(ev.allows({ from: external('x', '198.51.100.1'), to: web, port: 80 })).toBe(false);
  });

  test('CIDR containment, IPv4 and IPv6', () => {
    expect(cidrContains('10.0.0.0/8', '10.255.0.1')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '203.0.113.10')).toBe(true);
    expect(cidrContains('::/0', '203.0.113.10')).toBe(false);
    expect(cidrContains('2606:4700:a0::/44', '2606:4700:a1::1')).toBe(true);
    expect(cidrContains('2606:4700:a0::/44', '2606:4700:b0::1')).toBe(false);
    expect(describeEndpoint(web)).toBe('a/web');
  });
});
