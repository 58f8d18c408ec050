import { createHash } from 'crypto';
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import {
  Capability, ConfigMap, ContainerResources, Cpu, Deployment, DeploymentStrategy, ImagePullPolicy, k8s, LabelSelector,
  PercentOrAbsolute, Probe, SeccompProfileType, Secret, Topology, Volume,
} from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { ICnpgCluster } from '../cluster/cluster-ref';
import { PodAntiAffinity } from '../cluster/cluster-options';
import { isDns1035Label, isDns1123Label, isLabelKey, isLabelValue } from '../core/k8s-syntax';
import { Problems } from '../core/problems';
import { commandFor } from '../core/commands';

/** The cloudflared image used when none is given: pinned, never `latest`. */
export const DEFAULT_CLOUDFLARED_IMAGE = 'cloudflare/cloudflared:2026.8.2';

/** The first cloudflared release with `tunnel run --token-file` (2025.4.0). */
const TOKEN_FILE_SINCE: readonly [number, number, number] = [2025, 4, 0];

/** Port of cloudflared's metrics server, which also serves `/ready` (pinned: the image default is a random port). */
export const CLOUDFLARED_METRICS_PORT = 2000;

/** UID and GID of the distroless `nonroot` user the cloudflared image runs as. */
export const CLOUDFLARED_UID = 65532;

const TOKEN_DIR = '/etc/cloudflared/token';
const TOKEN_FILE = 'token';
const CREDENTIALS_DIR = '/etc/cloudflared/creds';
const CREDENTIALS_FILE = 'credentials.json';
const CONFIG_DIR = '/etc/cloudflared/config';
const CONFIG_FILE = 'config.yaml';

/**
 * A Secret holding a tunnel credential, in the tunnel's namespace. `SealedCredential` implements it; so does any
 * plain object (for a Secret created by other means).
 */
export interface ITunnelCredential {
  /** Name of the Secret. */
  readonly secretName: string;
  /** Namespace of the Secret: a pod can only mount Secrets of its own namespace. */
  readonly namespace: string;
  /** The keys the Secret holds. */
  readonly keys: readonly string[];
}

/** Options of a remotely-managed tunnel (created in the Cloudflare dashboard or API; ingress rules live there). */
export interface RemotelyManagedTunnelOptions {
  /** The Secret with the tunnel token (`cloudflared tunnel token <name>`, or the dashboard's install command). */
  readonly credential: ITunnelCredential;
  /**
   * Key of the token in the Secret.
   * @default "token"
   */
  readonly tokenKey?: string;
}

/** Connection options cloudflared applies to the TCP origin (`originRequest` of the ingress rule). */
export interface TunnelOriginRequest {
  /** Timeout to establish a TCP connection to the origin, a Go duration such as `30s`. @default - cloudflared's (30s) */
  readonly connectTimeout?: string;
  /** TCP keep-alive period of origin connections, a Go duration. @default - cloudflared's (30s) */
  readonly tcpKeepAlive?: string;
}

/** Options of a locally-managed tunnel (`cloudflared tunnel create`; ingress rules in the generated config.yaml). */
export interface LocallyManagedTunnelOptions {
  /** The tunnel's UUID (`cloudflared tunnel list`); by UUID, `run` needs no `cert.pem`. */
  readonly tunnelId: string;
  /** The Secret with the tunnel's credentials JSON (`~/.cloudflared/<tunnel-id>.json`). */
  readonly credential: ITunnelCredential;
  /**
   * Key of the credentials JSON in the Secret.
   * @default "credentials.json"
   */
  readonly credentialsKey?: string;
  /**
   * Origin connection options of the database route.
   * @default - cloudflared's defaults
   */
  readonly originRequest?: TunnelOriginRequest;
}

/**
 * How the tunnel is managed, and where its secret comes from. In both modes the secret is mounted as a file from a
 * Secret (normally a `SealedCredential`), never passed as an argument or an environment variable.
 */
export class TunnelManagement {
  /**
   * A remotely-managed tunnel: `cloudflared tunnel run --token-file`. The public hostname and its route
   * (`tcp://<cluster>-rw.<namespace>.svc:5432`) are configured in Cloudflare, not in git.
   */
  public static remotelyManaged(options: RemotelyManagedTunnelOptions): TunnelManagement {
    return new TunnelManagement('remote', options.credential, options.tokenKey ?? 'token', undefined, undefined);
  }

  /**
   * A locally-managed tunnel: a generated `config.yaml` (ConfigMap) routes the hostname to the cluster's `-rw`
   * Service; the credentials JSON is mounted from a Secret. Everything but the credential is reviewable in `dist/`.
   */
  public static locallyManaged(options: LocallyManagedTunnelOptions): TunnelManagement {
    return new TunnelManagement('local', options.credential, options.credentialsKey ?? CREDENTIALS_FILE, options.tunnelId, options.originRequest);
  }

  private constructor(
    /** `remote` (token) or `local` (config.yaml + credentials JSON). */
    public readonly mode: 'remote' | 'local',
    /** The Secret with the token or the credentials JSON. */
    public readonly credential: ITunnelCredential,
    /** The key of that Secret that is mounted. */
    public readonly key: string,
    /** The tunnel UUID (locally-managed only). */
    public readonly tunnelId: string | undefined,
    /** Origin options (locally-managed only). */
    public readonly originRequest: TunnelOriginRequest | undefined,
  ) {}
}

/** cloudflared's log level (`--loglevel`). */
export enum TunnelLogLevel {
  DEBUG = 'debug',
  INFO = 'info',
  WARN = 'warn',
  ERROR = 'error',
  FATAL = 'fatal',
}

/** Transport between cloudflared and the Cloudflare edge (`--protocol`). */
export enum TunnelProtocol {
  /** QUIC (UDP 7844), falling back to HTTP/2 (TCP 7844). */
  AUTO = 'auto',
  /** QUIC only (UDP 7844). */
  QUIC = 'quic',
  /** HTTP/2 only (TCP 7844): for networks that block UDP. */
  HTTP2 = 'http2',
}

/**
 * What other constructs (network policies, monitors) need to know about a tunnel.
 */
export interface ICloudflaredTunnel extends IConstruct {
  /** Name of the Deployment (and prefix of the tunnel's other objects). */
  readonly tunnelName: string;
  /** Namespace of the tunnel. */
  readonly namespace: string;
  /** Labels that select exactly the tunnel's pods. */
  readonly podSelectorLabels: Readonly<Record<string, string>>;
  /** Port of the metrics server (`/metrics`, `/ready`). */
  readonly metricsPort: number;
}

/** Properties of a `CloudflaredTunnel`. */
export interface CloudflaredTunnelProps {
  /** The cluster to expose: the tunnel routes to its `-rw` Service, which always follows the primary. */
  readonly cluster: ICnpgCluster;
  /**
   * The public hostname developers connect to (`cloudflared access tcp --hostname <hostname>`). A fully qualified,
   * lower-case DNS name; wildcards are refused. For a remotely-managed tunnel it must match the route configured in
   * Cloudflare (it is recorded as an annotation).
   */
  readonly hostname: string;
  /** Remotely-managed (token) or locally-managed (config.yaml + credentials JSON). */
  readonly management: TunnelManagement;
  /**
   * Name of the Deployment, PodDisruptionBudget and ConfigMap prefix; a DNS-1035 label.
   * @default `<cluster>-tunnel`
   */
  readonly name?: string;
  /**
   * The cloudflared image, pinned by tag or digest (`latest` and untagged images are refused).
   * @default "cloudflare/cloudflared:2026.8.2"
   */
  readonly image?: string;
  /**
   * Replicas, all connected to the same tunnel (HA, not load balancing; never autoscale a tunnel).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * CPU and memory of the cloudflared container.
   * @default - requests 50m CPU / 64Mi, limits 500m CPU / 256Mi
   */
  readonly resources?: ContainerResources;
  /**
   * How strictly replicas are kept on different nodes (pod anti-affinity on `kubernetes.io/hostname`).
   * @default PodAntiAffinity.PREFERRED (a single-node cluster still runs both replicas)
   */
  readonly podAntiAffinity?: PodAntiAffinity;
  /**
   * cloudflared's log level.
   * @default TunnelLogLevel.INFO
   */
  readonly logLevel?: TunnelLogLevel;
  /**
   * Transport to the Cloudflare edge.
   * @default - cloudflared's default (auto)
   */
  readonly protocol?: TunnelProtocol;
  /**
   * Extra labels on the tunnel's objects and pods. Keys under `cnpg.io/` are refused: CloudNativePG's selectors
   * (and the network policies) would take the tunnel for a database pod.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * A Cloudflare Tunnel (cloudflared) that exposes a CloudNativePG cluster's `-rw` Service on a public hostname,
 * **for development and testing**: developers connect with `cloudflared access tcp` and `psql … sslmode=require`.
 *
 * Built on cdk8s-plus: a hardened Deployment (non-root 65532, read-only root filesystem, every capability dropped,
 * no privilege escalation, seccomp RuntimeDefault, no service account token, requests and limits, probes on
 * `/ready:2000`, replicas spread over nodes), a PodDisruptionBudget, and for a locally-managed tunnel the
 * `config.yaml` ConfigMap. The tunnel secret is mounted read-only as a file from a Secret.
 */
export class CloudflaredTunnel extends Construct implements ICloudflaredTunnel {
  public readonly tunnelName: string;
  public readonly namespace: string;
  public readonly podSelectorLabels: Readonly<Record<string, string>>;
  public readonly metricsPort = CLOUDFLARED_METRICS_PORT;
  /** The public hostname. */
  public readonly hostname: string;
  /** The origin cloudflared forwards to: `tcp://<cluster>-rw.<namespace>.svc:5432`. */
  public readonly originService: string;
  /** The image. */
  public readonly image: string;
  /** Replicas. */
  public readonly replicas: number;
  /** `remote` or `local`. */
  public readonly mode: 'remote' | 'local';
  /** Name of the generated ConfigMap (locally-managed tunnels only). */
  public readonly configMapName?: string;
  /** The generated `config.yaml` (locally-managed tunnels only). */
  public readonly configYaml?: string;
  /** What a developer runs locally to open the tunnel on port 15432. */
  public readonly clientCommand: string;
  /** The Deployment (cdk8s-plus). */
  public readonly deployment: Deployment;

  public constructor(scope: Construct, id: string, props: CloudflaredTunnelProps) {
    super(scope, id);
    const cluster = props.cluster;
    const management = props.management;
    this.tunnelName = props.name ?? `${cluster.clusterName}-tunnel`;
    this.namespace = cluster.namespace;
    this.hostname = props.hostname;
    this.originService = `tcp://${cluster.rwServiceName}.${cluster.namespace}.svc:5432`;
    this.image = props.image ?? DEFAULT_CLOUDFLARED_IMAGE;
    this.replicas = props.replicas ?? 2;
    this.mode = management.mode;
    this.clientCommand = `cloudflared access tcp --hostname ${props.hostname} --url localhost:15432`;
    this.podSelectorLabels = { 'app.kubernetes.io/name': 'cloudflared', 'app.kubernetes.io/instance': this.tunnelName };
    this.validate(props);

    const labels = {
      ...(props.labels ?? {}),
      ...this.podSelectorLabels,
      'app.kubernetes.io/component': 'tunnel',
    };
    const antiAffinity = props.podAntiAffinity ?? PodAntiAffinity.PREFERRED;
    const credentialVolume = Volume.fromSecret(this, 'CredentialVolume',
      Secret.fromSecretName(this, 'Credential', management.credential?.secretName ?? ''), {
        name: management.mode === 'remote' ? 'tunnel-token' : 'tunnel-credentials',
        // Readable by the pod's fsGroup (65532) only; the file is owned by root.
        defaultMode: 0o440,
        items: { [management.key]: { path: management.mode === 'remote' ? TOKEN_FILE : CREDENTIALS_FILE } },
      });

    const args = ['tunnel', '--no-autoupdate', '--loglevel', props.logLevel ?? TunnelLogLevel.INFO,
      '--metrics', `0.0.0.0:${CLOUDFLARED_METRICS_PORT}`];
    const podAnnotations: Record<string, string> = {};
    let configVolume: Volume | undefined;
    if (management.mode === 'local') {
      this.configMapName = `${this.tunnelName}-config`;
      this.configYaml = renderConfig(management.tunnelId ?? '', props.hostname, this.originService, management.originRequest);
      const configMap = new ConfigMap(this, 'Config', {
        metadata: { name: this.configMapName, namespace: this.namespace, labels },
        data: { [CONFIG_FILE]: this.configYaml },
      });
      configVolume = Volume.fromConfigMap(this, 'ConfigVolume', configMap, { name: 'tunnel-config', items: { [CONFIG_FILE]: { path: CONFIG_FILE } } });
      // A ConfigMap change does not restart pods by itself: the checksum makes it a rollout.
      podAnnotations['cdk8s-cnpg/config-sha256'] = createHash('sha256').update(this.configYaml).digest('hex');
      args.push('--config', `${CONFIG_DIR}/${CONFIG_FILE}`, 'run');
    } else {
      args.push('run', '--token-file', `${TOKEN_DIR}/${TOKEN_FILE}`);
    }
    if (props.protocol) args.push('--protocol', props.protocol);

    this.deployment = new Deployment(this, 'Deployment', {
      metadata: {
        name: this.tunnelName,
        namespace: this.namespace,
        labels,
        annotations: {
          'cdk8s-cnpg/public-hostname': props.hostname,
          'cdk8s-cnpg/origin': this.originService,
          'cdk8s-cnpg/purpose': 'development and testing access to PostgreSQL through a Cloudflare Tunnel; not for production traffic',
        },
      },
      replicas: this.replicas,
      select: false,
      podMetadata: { labels, annotations: Object.keys(podAnnotations).length ? podAnnotations : undefined },
      // Required anti-affinity leaves no node for a surge pod on a small cluster: replace one pod at a time instead.
      strategy: DeploymentStrategy.rollingUpdate(antiAffinity === PodAntiAffinity.REQUIRED
        ? { maxSurge: PercentOrAbsolute.absolute(0), maxUnavailable: PercentOrAbsolute.absolute(1) }
        : { maxSurge: PercentOrAbsolute.absolute(1), maxUnavailable: PercentOrAbsolute.absolute(0) }),
      automountServiceAccountToken: false,
      securityContext: { user: CLOUDFLARED_UID, group: CLOUDFLARED_UID, fsGroup: CLOUDFLARED_UID, ensureNonRoot: true },
      containers: [{
        name: 'cloudflared',
        image: this.image,
        imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
        // The image's entrypoint is `cloudflared --no-autoupdate`; spelled out so the manifest does not depend on it.
        command: ['cloudflared'],
        args,
        ports: [{ name: 'metrics', number: CLOUDFLARED_METRICS_PORT }],
        // /ready is 200 only with at least one live edge connection: a rollout waits for a connected replica.
        readiness: Probe.fromHttpGet('/ready', {
          port: CLOUDFLARED_METRICS_PORT, periodSeconds: Duration.seconds(10), failureThreshold: 3, timeoutSeconds: Duration.seconds(3),
        }),
        liveness: Probe.fromHttpGet('/ready', {
          port: CLOUDFLARED_METRICS_PORT, initialDelaySeconds: Duration.seconds(10), periodSeconds: Duration.seconds(10), failureThreshold: 6, timeoutSeconds: Duration.seconds(3),
        }),
        resources: props.resources ?? {
          cpu: { request: Cpu.millis(50), limit: Cpu.millis(500) },
          memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
        },
        securityContext: {
          user: CLOUDFLARED_UID,
          group: CLOUDFLARED_UID,
          ensureNonRoot: true,
          privileged: false,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: [Capability.ALL] },
          seccompProfile: { type: SeccompProfileType.RUNTIME_DEFAULT },
        },
      }],
    });
    this.deployment.select(LabelSelector.of({ labels: { ...this.podSelectorLabels } }));
    const container = this.deployment.containers[0];
    container.mount(management.mode === 'remote' ? TOKEN_DIR : CREDENTIALS_DIR, credentialVolume, { readOnly: true });
    if (configVolume) container.mount(CONFIG_DIR, configVolume, { readOnly: true });
    if (antiAffinity === PodAntiAffinity.REQUIRED) this.deployment.scheduling.spread({ topology: Topology.HOSTNAME });
    else if (antiAffinity === PodAntiAffinity.PREFERRED) this.deployment.scheduling.spread({ topology: Topology.HOSTNAME, weight: 100 });
    // Pod-level seccomp as well, so Pod Security `restricted` is met whatever containers are added later.
    ApiObject.of(this.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));

    if (this.replicas >= 2) {
      new k8s.KubePodDisruptionBudget(this, 'Pdb', {
        metadata: { name: this.tunnelName, namespace: this.namespace, labels },
        spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.podSelectorLabels } } },
      });
    }
  }

  private validate(props: CloudflaredTunnelProps): void {
    const problems = Problems.of(this);
    const m = props.management;
    if (!isDns1035Label(this.tunnelName) || this.tunnelName.length > 52) {
      problems.error({
        field: 'name',
        message: 'must be a DNS-1035 label of at most 52 characters (ReplicaSet and pod names are derived from it)',
        value: this.tunnelName,
        fix: 'use lower-case letters, digits and \'-\', starting with a letter, e.g. "pg-tunnel"',
      });
    }
    const hostProblem = hostnameProblem(props.hostname);
    if (hostProblem) {
      problems.error({ field: 'hostname', message: hostProblem, value: props.hostname, fix: 'use the exact public hostname of the route, e.g. "pg-dev.example.com"' });
    }
    if (!Number.isInteger(this.replicas) || this.replicas < 1) {
      problems.error({ field: 'replicas', message: 'must be a whole number of at least 1', value: this.replicas, fix: 'use 2: every replica runs the same tunnel, so one can restart while the other serves' });
    } else if (this.replicas === 1) {
      problems.warn({ field: 'replicas', message: 'a single replica gets no PodDisruptionBudget: a node drain or an update interrupts the tunnel', value: 1, fix: 'use 2 replicas' });
    }
    const imageProblem = cloudflaredImageProblem(this.image);
    if (imageProblem) {
      problems.error({ field: 'image', message: imageProblem, value: this.image, fix: `pin a release, e.g. "${DEFAULT_CLOUDFLARED_IMAGE}"` });
    } else if (m.mode === 'remote') {
      const version = cloudflaredVersion(this.image);
      if (version && compareVersions(version, TOKEN_FILE_SINCE) < 0) {
        problems.error({
          field: 'image',
          message: 'cloudflared before 2025.4.0 has no `tunnel run --token-file`, and the token is never passed as an argument or environment variable',
          value: this.image,
          fix: `use cloudflared 2025.4.0 or newer, e.g. "${DEFAULT_CLOUDFLARED_IMAGE}"`,
        });
      }
    }
    const cred = m.credential;
    const keyField = m.mode === 'remote' ? 'management.tokenKey' : 'management.credentialsKey';
    if (!cred || typeof cred.secretName !== 'string' || cred.secretName === '') {
      problems.error({ field: 'management.credential', message: 'the tunnel credential is missing', fix: 'pass the SealedCredential that holds the tunnel token or credentials JSON' });
    } else {
      if (cred.namespace !== this.namespace) {
        problems.error({
          field: 'management.credential',
          message: `the Secret must be in the tunnel's namespace "${this.namespace}" (a pod mounts Secrets of its own namespace only)`,
          value: `${cred.namespace}/${cred.secretName}`,
          fix: 'declare the credential in the database namespace',
        });
      }
      if (!(cred.keys ?? []).includes(m.key)) {
        problems.error({
          field: keyField,
          message: `the tunnel credential ${cred.namespace}/${cred.secretName} has no key "${m.key}"`,
          value: [...(cred.keys ?? [])],
          fix: m.mode === 'remote'
            ? `declare the key "${m.key}" on the credential, then seal the token: `
              + `${commandFor('seal')} --env <env> --credential ${cred.namespace}/${cred.secretName} --key ${m.key} --from-stdin`
            : `declare the key "${m.key}" on the credential, then seal the credentials JSON: `
              + `${commandFor('seal')} --env <env> --credential ${cred.namespace}/${cred.secretName} --key ${m.key} --from-file ~/.cloudflared/<tunnel-id>.json`,
        });
      }
    }
    if (m.mode === 'local') {
      if (!UUID.test(m.tunnelId ?? '')) {
        problems.error({ field: 'management.tunnelId', message: 'must be the tunnel\'s UUID', value: m.tunnelId, fix: 'copy it from `cloudflared tunnel list` (the credentials file is named after it)' });
      }
      for (const key of ['connectTimeout', 'tcpKeepAlive'] as const) {
        const v = m.originRequest?.[key];
        if (v !== undefined && !GO_DURATION.test(v)) {
          problems.error({ field: `management.originRequest.${key}`, message: 'must be a Go duration', value: v, fix: 'write e.g. "30s" or "1m30s"' });
        }
      }
    }
    for (const [k, v] of Object.entries(props.labels ?? {})) {
      if (!isLabelKey(k) || typeof v !== 'string' || !isLabelValue(v)) {
        problems.error({ field: `labels.${k}`, message: 'is not a valid Kubernetes label', value: v });
      } else if (k.startsWith('cnpg.io/')) {
        problems.error({ field: `labels.${k}`, message: 'cnpg.io/ labels are CloudNativePG\'s: its selectors and the network policies would take the tunnel for a database pod', value: v, fix: 'use another label key' });
      } else if (k in this.podSelectorLabels) {
        problems.error({ field: `labels.${k}`, message: 'is set by the tunnel itself (it selects the tunnel\'s pods)', value: v, fix: 'remove it' });
      }
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

/**
 * Why `hostname` is not a usable public hostname for a Cloudflare Tunnel TCP route, or undefined when it is.
 *
 * Accepted: a fully qualified DNS name in lower case (`pg.example.com`): at least two labels, each 1–63 of
 * `[a-z0-9-]` not starting or ending with `-`, at most 253 characters, no trailing dot, a top-level label that is not
 * all digits (an IP address is refused). Refused on purpose: wildcards (`*.example.com`) — legal in a cloudflared
 * ingress rule, but a TCP route is opened with `cloudflared access tcp --hostname <one name>`, and a wildcard rule
 * would send every name under it to the database.
 */
export function hostnameProblem(hostname: string): string | undefined {
  if (typeof hostname !== 'string' || hostname.length === 0) return 'is required';
  if (hostname.includes('*')) return 'must not be a wildcard: a database route needs one exact public hostname';
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(hostname) || hostname.includes('/') || hostname.includes(':')) {
    return 'must be a bare hostname, without scheme, port or path';
  }
  if (hostname !== hostname.toLowerCase()) return 'must be lower case';
  if (hostname.endsWith('.')) return 'must not end with a dot';
  if (hostname.length > 253) return 'must be at most 253 characters';
  const labels = hostname.split('.');
  if (labels.length < 2) return 'must be a fully qualified name with at least two labels, e.g. "pg.example.com"';
  for (const label of labels) {
    if (!isDns1123Label(label)) {
      return `has an invalid label ${JSON.stringify(label)} (1-63 of a-z, 0-9 and '-', not starting or ending with '-')`;
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return 'must be a DNS name, not an IP address';
  return undefined;
}

/** Why an image reference is not pinned, or undefined. */
function cloudflaredImageProblem(image: string): string | undefined {
  if (typeof image !== 'string' || image.trim() === '' || /\s/.test(image)) return 'is not an image reference';
  const at = image.indexOf('@');
  if (at >= 0) {
    return /^sha256:[0-9a-f]{64}$/.test(image.slice(at + 1)) ? undefined : 'has an invalid digest (expected @sha256:<64 hex>)';
  }
  const tag = imageTag(image);
  if (tag === undefined) return 'has no tag: an untagged image means latest, which changes under you';
  if (tag === 'latest') return 'uses the latest tag, which changes under you';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return 'has an invalid tag';
  return undefined;
}

function imageTag(image: string): string | undefined {
  const ref = image.split('@')[0];
  const name = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = name.lastIndexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : undefined;
}

/** The calendar version of a cloudflared tag (`2026.8.2`, `2026.8.2-fips`), if it is one. */
function cloudflaredVersion(image: string): [number, number, number] | undefined {
  const m = /^([0-9]{4})\.([0-9]{1,2})\.([0-9]+)/.exec(imageTag(image) ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}


/** The locally-managed tunnel's `config.yaml`: one TCP route and the mandatory catch-all, as reviewable YAML. */
function renderConfig(tunnelId: string, hostname: string, service: string, origin: TunnelOriginRequest | undefined): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    '# Generated by cdk8s-cnpg (CloudflaredTunnel): a locally-managed tunnel for development and testing.',
    `tunnel: ${q(tunnelId)}`,
    `credentials-file: ${q(`${CREDENTIALS_DIR}/${CREDENTIALS_FILE}`)}`,
    'no-autoupdate: true',
    'ingress:',
    `  - hostname: ${q(hostname)}`,
    `    service: ${q(service)}`,
  ];
  const originLines: string[] = [];
  if (origin?.connectTimeout) originLines.push(`      connectTimeout: ${q(origin.connectTimeout)}`);
  if (origin?.tcpKeepAlive) originLines.push(`      tcpKeepAlive: ${q(origin.tcpKeepAlive)}`);
  if (originLines.length) lines.push('    originRequest:', ...originLines);
  lines.push('  # cloudflared requires a last rule without hostname: everything else gets 404.');
  lines.push(`  - service: ${q('http_status:404')}`);
  return lines.join('\n') + '\n';
}
