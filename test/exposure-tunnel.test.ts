import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';
import { Chart, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { parse as parseYaml } from 'yaml';
import { CnpgCluster } from '../lib/cluster/cluster';
import { PodAntiAffinity } from '../lib/cluster/cluster-options';
import { Problems } from '../lib/core/problems';
import {
  CloudflaredTunnel, hostnameProblem, ITunnelCredential, TunnelManagement, TunnelProtocol,
} from '../lib/exposure';
import { SealingCertificate } from '../lib/secrets/certificate';
import { sealValue, SealingScope } from '../lib/secrets/kubeseal';
import { SealedCredential } from '../lib/secrets/sealed-credential';
import { SealedStore } from '../lib/secrets/sealed-store';
import { SealedValues } from '../lib/secrets/sealed-values';
import { DEFAULT_ENVIRONMENT } from '../main';

const sealingPaths = (_env: 'default') => DEFAULT_ENVIRONMENT.platform;
import { findObject, synthChart, synthError, tempDir, testChart } from './support/synth';

const TOKEN: ITunnelCredential = { secretName: 'cnpg-tunnel-token', namespace: 'data-infra', keys: ['token'] };
const CREDS: ITunnelCredential = { secretName: 'cnpg-tunnel-credentials', namespace: 'data-infra', keys: ['credentials.json'] };
const TUNNEL_ID = '6ff42ae2-765d-4adf-8112-31c55c1551ef';

function cluster(chart: Chart, name = 'cnpg-ha'): CnpgCluster {
  return new CnpgCluster(chart, 'Cluster', { clusterName: name, storageSize: '10Gi' });
}

function remoteTunnel(overrides: Partial<ConstructorParameters<typeof CloudflaredTunnel>[2]> = {}) {
  const { chart } = testChart();
  const tunnel = new CloudflaredTunnel(chart, 'Tunnel', {
    cluster: cluster(chart),
    hostname: 'pg-dev.example.com',
    management: TunnelManagement.remotelyManaged({ credential: TOKEN }),
    ...overrides,
  });
  return { chart, tunnel };
}

function podSpec(objects: any[], name = 'cnpg-ha-tunnel'): any {
  return findObject(objects, 'Deployment', name).spec.template.spec;
}

describe('CloudflaredTunnel, remotely-managed (token)', () => {
  const { chart, tunnel } = remoteTunnel();
  const objects = synthChart(chart);
  const deployment = findObject(objects, 'Deployment', 'cnpg-ha-tunnel');
  const spec = deployment.spec.template.spec;
  const container = spec.containers[0];

  test('snapshot', () => {
    expect(objects.filter((o) => o.kind !== 'Cluster')).toMatchSnapshot();
  });

  test('two replicas of a pinned image, no latest', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(container.image).toBe('cloudflare/cloudflared:2026.8.2');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(tunnel.image).toBe('cloudflare/cloudflared:2026.8.2');
  });

  test('the token is a read-only file from the Secret, never an argument or an environment variable', () => {
    expect(container.command).toEqual(['cloudflared']);
    expect(container.args).toEqual([
      'tunnel', '--no-autoupdate', '--loglevel', 'info', '--metrics', '0.0.0.0:2000', 'run', '--token-file', '/etc/cloudflared/token/token',
    ]);
    expect(container.env).toBeUndefined();
    expect(container.envFrom).toBeUndefined();
    expect(JSON.stringify(container.args)).not.toMatch(/--token(?!-file)/);
    expect(container.volumeMounts).toEqual([{ name: 'tunnel-token', mountPath: '/etc/cloudflared/token', readOnly: true }]);
    expect(spec.volumes).toEqual([{
      name: 'tunnel-token',
      secret: { secretName: 'cnpg-tunnel-token', defaultMode: 0o440, items: [{ key: 'token', path: 'token' }] },
    }]);
    // the file is group-readable and the pod's fsGroup is the container's group
    expect(spec.securityContext.fsGroup).toBe(65532);
  });

  test('hardening: non-root 65532, read-only root filesystem, no capabilities, no escalation, seccomp, no token', () => {
    expect(spec.securityContext).toMatchObject({
      runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      privileged: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.hostNetwork).toBe(false);
  });

  test('readiness and liveness probes on /ready, port 2000 (the pinned metrics port)', () => {
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 2000 }]);
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/ready', port: 2000, scheme: 'HTTP' });
    }
    expect(container.readinessProbe).toMatchObject({ periodSeconds: 10, failureThreshold: 3 });
    expect(container.livenessProbe).toMatchObject({ initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 });
  });

  test('resource requests and limits', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
  });

  test('replicas prefer different nodes; rollouts surge one pod and never go below two', () => {
    expect(spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([{
      weight: 100,
      podAffinityTerm: expect.objectContaining({ topologyKey: 'kubernetes.io/hostname' }),
    }]);
    const term = spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
    // the anti-affinity selector matches the tunnel's own pods
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(term.labelSelector.matchLabels)) expect(podLabels[k]).toBe(v);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test('a PodDisruptionBudget keeps one replica up, selecting exactly the tunnel pods', () => {
    const pdb = findObject(objects, 'PodDisruptionBudget', 'cnpg-ha-tunnel');
    expect(pdb.spec).toEqual({
      minAvailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'cloudflared', 'app.kubernetes.io/instance': 'cnpg-ha-tunnel' } },
    });
    expect(deployment.spec.selector).toEqual(pdb.spec.selector);
  });

  test('no cnpg.io label on the tunnel: CloudNativePG selectors and the network policies must not match it', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(Object.keys(labels).filter((k) => k.startsWith('cnpg.io/'))).toEqual([]);
  });

  test('exposes what a developer and the network policies need', () => {
    expect(tunnel.tunnelName).toBe('cnpg-ha-tunnel');
    expect(tunnel.namespace).toBe('data-infra');
    expect(tunnel.metricsPort).toBe(2000);
    expect(tunnel.originService).toBe('tcp://cnpg-ha-rw.data-infra.svc:5432');
    expect(tunnel.clientCommand).toBe('cloudflared access tcp --hostname pg-dev.example.com --url localhost:15432');
    expect(tunnel.podSelectorLabels).toEqual({ 'app.kubernetes.io/name': 'cloudflared', 'app.kubernetes.io/instance': 'cnpg-ha-tunnel' });
    expect(deployment.metadata.annotations['cdk8s-cnpg/public-hostname']).toBe('pg-dev.example.com');
    expect(deployment.metadata.annotations['cdk8s-cnpg/origin']).toBe('tcp://cnpg-ha-rw.data-infra.svc:5432');
    expect(objects.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
  });
});

describe('CloudflaredTunnel, locally-managed (config.yaml + credentials JSON)', () => {
  const { chart } = testChart();
  const tunnel = new CloudflaredTunnel(chart, 'Tunnel', {
    cluster: cluster(chart),
    hostname: 'pg-dev.example.com',
    management: TunnelManagement.locallyManaged({ tunnelId: TUNNEL_ID, credential: CREDS, originRequest: { connectTimeout: '10s', tcpKeepAlive: '30s' } }),
  });
  const objects = synthChart(chart);
  const spec = podSpec(objects);
  const container = spec.containers[0];
  const configMap = findObject(objects, 'ConfigMap', 'cnpg-ha-tunnel-config');
  const config = parseYaml(configMap.data['config.yaml']);

  test('snapshot', () => {
    expect(objects.filter((o) => o.kind !== 'Cluster')).toMatchSnapshot();
  });

  test('config.yaml routes the hostname to the -rw Service and ends with the mandatory catch-all', () => {
    expect(config).toEqual({
      'tunnel': TUNNEL_ID,
      'credentials-file': '/etc/cloudflared/creds/credentials.json',
      'no-autoupdate': true,
      'ingress': [
        { hostname: 'pg-dev.example.com', service: 'tcp://cnpg-ha-rw.data-infra.svc:5432', originRequest: { connectTimeout: '10s', tcpKeepAlive: '30s' } },
        { service: 'http_status:404' },
      ],
    });
    expect(tunnel.configYaml).toBe(configMap.data['config.yaml']);
  });

  test('the credentials JSON is a read-only file; the config is mounted next to it', () => {
    expect(container.args).toEqual([
      'tunnel', '--no-autoupdate', '--loglevel', 'info', '--metrics', '0.0.0.0:2000', '--config', '/etc/cloudflared/config/config.yaml', 'run',
    ]);
    expect(container.env).toBeUndefined();
    expect(container.volumeMounts).toEqual([
      { name: 'tunnel-credentials', mountPath: '/etc/cloudflared/creds', readOnly: true },
      { name: 'tunnel-config', mountPath: '/etc/cloudflared/config', readOnly: true },
    ]);
    expect(spec.volumes).toEqual(expect.arrayContaining([
      { name: 'tunnel-credentials', secret: { secretName: 'cnpg-tunnel-credentials', defaultMode: 0o440, items: [{ key: 'credentials.json', path: 'credentials.json' }] } },
      { name: 'tunnel-config', configMap: { name: 'cnpg-ha-tunnel-config', items: [{ key: 'config.yaml', path: 'config.yaml' }] } },
    ]));
  });

  test('a config change rolls the pods (checksum annotation)', () => {
    const annotations = findObject(objects, 'Deployment', 'cnpg-ha-tunnel').spec.template.metadata.annotations;
    expect(annotations['cdk8s-cnpg/config-sha256']).toBe(createHash('sha256').update(configMap.data['config.yaml']).digest('hex'));
  });
});

describe('CloudflaredTunnel options', () => {
  test('one replica: no PodDisruptionBudget (it would block node drains), and a warning', () => {
    const { chart, tunnel } = remoteTunnel({ replicas: 1 });
    const objects = synthChart(chart);
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(Problems.warningsBelow(chart).join('\n')).toMatch(/replicas: a single replica gets no PodDisruptionBudget/);
    expect(tunnel.replicas).toBe(1);
  });

  test('required anti-affinity replaces one pod at a time (no surge pod without a free node)', () => {
    const { chart } = remoteTunnel({ podAntiAffinity: PodAntiAffinity.REQUIRED, replicas: 3 });
    const objects = synthChart(chart);
    const d = findObject(objects, 'Deployment', 'cnpg-ha-tunnel');
    expect(d.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  test('custom image, resources, protocol, log level, name and labels', () => {
    const { chart } = remoteTunnel({
      name: 'pg-tunnel',
      image: 'cloudflare/cloudflared:2026.8.2-fips',
      protocol: TunnelProtocol.HTTP2,
      resources: { cpu: { request: Cpu.millis(100), limit: Cpu.units(1) }, memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) } },
      labels: { team: 'data' },
    });
    const objects = synthChart(chart);
    const d = findObject(objects, 'Deployment', 'pg-tunnel');
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe('cloudflare/cloudflared:2026.8.2-fips');
    expect(c.args.slice(-2)).toEqual(['--protocol', 'http2']);
    expect(c.args.indexOf('--protocol')).toBeGreaterThan(c.args.indexOf('run'));
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    expect(d.spec.template.metadata.labels.team).toBe('data');
    expect(findObject(objects, 'PodDisruptionBudget', 'pg-tunnel')).toBeDefined();
  });

  test('an image pinned by digest is accepted', () => {
    const { chart } = remoteTunnel({ image: `cloudflare/cloudflared@sha256:${'a'.repeat(64)}` });
    expect(() => synthChart(chart)).not.toThrow();
  });

  test('a SealedCredential is a tunnel credential: the token sealed into the store, mounted from its Secret', () => {
    const dir = tempDir();
    const { sealingCertificatePath } = sealingPaths('default');
    const cert = SealingCertificate.fromFile(sealingCertificatePath);
    const store = new SealedStore();
    store.setKey({ namespace: 'data-infra', name: 'cnpg-tunnel-token', scope: 'strict', certificateFingerprint: cert.fingerprint }, 'token',
      sealValue(cert, SealingScope.STRICT, 'data-infra', 'cnpg-tunnel-token', 'eyJhIjoiZXhhbXBsZSJ9'), { sealedAt: '2026-01-01T00:00:00.000Z' });
    const storePath = path.join(dir, 'sealed-values.json');
    store.save(storePath);
    const { chart } = testChart();
    const values = new SealedValues(chart, 'SealedValues', { environment: 'test', certificatePath: sealingCertificatePath, storePath });
    const credential = new SealedCredential(chart, 'TunnelToken', { secretName: 'cnpg-tunnel-token', keys: ['token'], sealedValues: values });
    new CloudflaredTunnel(chart, 'Tunnel', {
      cluster: cluster(chart), hostname: 'pg-dev.example.com', management: TunnelManagement.remotelyManaged({ credential }),
    });
    const objects = synthChart(chart);
    const sealed = findObject(objects, 'SealedSecret', 'cnpg-tunnel-token');
    expect(Object.keys(sealed.spec.encryptedData)).toEqual(['token']);
    expect(podSpec(objects).volumes[0].secret.secretName).toBe('cnpg-tunnel-token');
    expect(fs.readFileSync(storePath, 'utf8')).not.toContain('eyJhIjoiZXhhbXBsZSJ9');
  });
});

describe('CloudflaredTunnel validation', () => {
  test('hostname syntax', () => {
    for (const ok of ['pg.example.com', 'pg-dev.eu.example.co.uk', 'a1.b2', 'xn--bcher-kva.example']) {
      expect(hostnameProblem(ok)).toBeUndefined();
    }
    const bad: Record<string, RegExp> = {
      '': /required/,
      '*.example.com': /wildcard/,
      'PG.example.com': /lower case/,
      'pg.example.com.': /end with a dot/,
      'localhost': /at least two labels/,
      'pg..example.com': /invalid label ""/,
      '-pg.example.com': /invalid label "-pg"/,
      'pg_db.example.com': /invalid label "pg_db"/,
      'https://pg.example.com': /without scheme/,
      'pg.example.com:5432': /without scheme, port or path/,
      '10.0.0.1': /not an IP address/,
      [`${'a'.repeat(64)}.example.com`]: /invalid label/,
      [`${'a.'.repeat(127)}com`]: /at most 253/,
    };
    for (const [hostname, message] of Object.entries(bad)) {
      expect(hostnameProblem(hostname)).toMatch(message);
    }
  });

  test('an invalid hostname is a synth error naming the field', () => {
    const { chart } = remoteTunnel({ hostname: '*.example.com' });
    expect(synthError(chart)).toMatch(/\[test\/Tunnel\] hostname: must not be a wildcard.*\(got "\*\.example\.com"\)/);
  });

  test('a tunnel credential without the key is a synth error naming the key', () => {
    const { chart } = remoteTunnel({ management: TunnelManagement.remotelyManaged({ credential: { ...TOKEN, keys: ['password'] } }) });
    expect(synthError(chart)).toMatch(/management\.tokenKey: the tunnel credential data-infra\/cnpg-tunnel-token has no key "token" \(got \["password"\]\)/);
    const { chart: local } = remoteTunnel({ management: TunnelManagement.locallyManaged({ tunnelId: TUNNEL_ID, credential: TOKEN }) });
    expect(synthError(local)).toMatch(/management\.credentialsKey: the tunnel credential data-infra\/cnpg-tunnel-token has no key "credentials\.json"/);
  });

  test('a SealedCredential with no sealed value is a synth error of the credential', () => {
    const dir = tempDir();
    const { chart } = testChart();
    const values = new SealedValues(chart, 'SealedValues', {
      environment: 'test', certificatePath: sealingPaths('default').sealingCertificatePath, storePath: path.join(dir, 'sealed-values.json'),
    });
    const credential = new SealedCredential(chart, 'TunnelToken', { secretName: 'cnpg-tunnel-token', keys: ['token'], sealedValues: values });
    new CloudflaredTunnel(chart, 'Tunnel', {
      cluster: cluster(chart), hostname: 'pg-dev.example.com', management: TunnelManagement.remotelyManaged({ credential }),
    });
    expect(synthError(chart)).toMatch(/\[test\/TunnelToken\].*token/);
  });

  test('a credential in another namespace is refused', () => {
    const { chart } = remoteTunnel({ management: TunnelManagement.remotelyManaged({ credential: { ...TOKEN, namespace: 'other' } }) });
    expect(synthError(chart)).toMatch(/management\.credential: the Secret must be in the tunnel's namespace "data-infra"/);
  });

  test('latest, untagged and too-old images are refused', () => {
    expect(synthError(remoteTunnel({ image: 'cloudflare/cloudflared:latest' }).chart)).toMatch(/image: uses the latest tag/);
    expect(synthError(remoteTunnel({ image: 'cloudflare/cloudflared' }).chart)).toMatch(/image: has no tag/);
    expect(synthError(remoteTunnel({ image: 'registry.local:5000/cloudflared' }).chart)).toMatch(/image: has no tag/);
    expect(synthError(remoteTunnel({ image: 'cloudflare/cloudflared:2025.2.1' }).chart)).toMatch(/image: cloudflared before 2025\.4\.0 has no `tunnel run --token-file`/);
  });

  test('replicas, tunnel id, durations, names and labels', () => {
    expect(synthError(remoteTunnel({ replicas: 0 }).chart)).toMatch(/replicas: must be a whole number of at least 1 \(got 0\)/);
    expect(synthError(remoteTunnel({ name: 'Tunnel_1' }).chart)).toMatch(/name: must be a DNS-1035 label/);
    expect(synthError(remoteTunnel({ labels: { 'cnpg.io/cluster': 'cnpg-ha' } }).chart)).toMatch(/labels\.cnpg\.io\/cluster: cnpg\.io\/ labels are CloudNativePG's/);
    const error = synthError(remoteTunnel({
      management: TunnelManagement.locallyManaged({ tunnelId: 'my-tunnel', credential: CREDS, originRequest: { connectTimeout: '10 seconds' } }),
    }).chart);
    expect(error).toMatch(/management\.tunnelId: must be the tunnel's UUID \(got "my-tunnel"\)/);
    expect(error).toMatch(/management\.originRequest\.connectTimeout: must be a Go duration/);
  });

  test('every problem is reported in one synth', () => {
    const error = synthError(remoteTunnel({
      hostname: 'bad host', replicas: -1, image: 'cloudflare/cloudflared:latest',
      management: TunnelManagement.remotelyManaged({ credential: { ...TOKEN, keys: [] } }),
    }).chart);
    for (const field of ['hostname', 'replicas', 'image', 'management.tokenKey']) expect(error).toContain(`${field}: `);
  });
});
