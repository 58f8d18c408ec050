import { ApiObject, Size } from 'cdk8s';
import { ContainerResources, Cpu } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as cnpg from '../../imports/postgresql.cnpg.io';
import { isDns1035Label } from '../core/k8s-syntax';
import { Problems } from '../core/problems';
import { claimObjectName } from '../core/resource-names';
import { PodMonitor } from '../monitoring/pod-monitor';
import { ICnpgCluster } from './cluster-ref';
import { PodAntiAffinity } from './cluster-options';
import { CnpgResource, PropFields } from './cnpg-resource';
import { PGBOUNCER_ALLOWED_PARAMETERS } from '../rules/pgbouncer';
import { resourceQuantities, toL1Quantities } from '../core/resources';

/** Which of the cluster's Services a Pooler forwards to (`spec.type`). */
export enum PoolerType {
  /** The primary (`<cluster>-rw`): reads and writes. */
  RW = 'rw',
  /** Hot standby replicas only (`<cluster>-ro`). */
  RO = 'ro',
  /** Any instance (`<cluster>-r`). */
  R = 'r',
}

/** When PgBouncer returns a server connection to the pool (`spec.pgbouncer.poolMode`). */
export enum PoolMode {
  /**
   * After the client disconnects. Transparent to every client (session state, `SET`, advisory locks, `LISTEN`,
   * temporary tables work); limits and queues connections but does not multiplex them.
   */
  SESSION = 'session',
  /**
   * After each transaction: many clients share few server connections. Session state does not survive a
   * transaction (no session `SET`, session advisory locks, `LISTEN`, `WITH HOLD` cursors); protocol-level
   * prepared statements need `max_prepared_statements`.
   */
  TRANSACTION = 'transaction',
}

const ALLOWED = new Set(PGBOUNCER_ALLOWED_PARAMETERS);

/** Port PgBouncer listens on in the pooler pods and on the pooler's Service. */
export const PGBOUNCER_PORT = 5432;

/** Port of the PgBouncer metrics exporter (container port `metrics`). */
export const PGBOUNCER_METRICS_PORT = 9127;

/** Options of the PodMonitor of a Pooler. */
export interface PoolerMonitoringOptions {
  /** Labels of the PodMonitor, e.g. to match the Prometheus `podMonitorSelector`. @default - none */
  readonly labels?: Record<string, string>;
  /** Scrape interval (Prometheus duration). @default - the Prometheus default */
  readonly interval?: string;
}

/** Properties of a `Pooler`. */
export interface PoolerProps {
  /** The cluster the pooler connects to; the Pooler lives in its namespace. */
  readonly cluster: ICnpgCluster;
  /**
   * Which of the cluster's Services the pooler forwards to.
   * @default PoolerType.RW
   */
  readonly type?: PoolerType;
  /**
   * `metadata.name` of the Pooler, which is also the name of its Service and Deployment: a DNS-1035 label, never the
   * cluster's name or one of its Services' names.
   * @default `<cluster>-pooler-<type>`
   */
  readonly name?: string;
  /**
   * The pool mode. Session is CloudNativePG's default and safe for every client; choose transaction for many
   * short-lived clients whose code keeps no session state.
   * @default PoolMode.SESSION
   */
  readonly poolMode?: PoolMode;
  /**
   * Number of PgBouncer pods.
   * @default 2
   */
  readonly instances?: number;
  /**
   * PgBouncer parameters (only CloudNativePG's allow-list, `PGBOUNCER_ALLOWED_PARAMETERS`); rendered as strings.
   * @default - CloudNativePG's defaults
   */
  readonly parameters?: Record<string, string | number>;
  /**
   * CPU and memory of the `pgbouncer` container. When only limits are given, requests are set to the limits.
   * @default - requests 100m CPU / 64Mi, limits 1 CPU / 256Mi
   */
  readonly resources?: ContainerResources;
  /**
   * How strictly PgBouncer pods are kept on different nodes (pod anti-affinity on `kubernetes.io/hostname`).
   * @default PodAntiAffinity.PREFERRED
   */
  readonly podAntiAffinity?: PodAntiAffinity;
  /**
   * A PodMonitor for the pooler's metrics (selector `cnpg.io/poolerName` + `cnpg.io/podRole: pooler`, port
   * `metrics`); `false` for none. The deprecated `spec.monitoring.enablePodMonitor` is never used.
   * @default true
   */
  readonly monitoring?: boolean | PoolerMonitoringOptions;
}

/** The props of `Pooler` and the fields they render (admission problems are reported in these terms). */
const POOLER_PROP_FIELDS: PropFields = {
  'metadata.name': 'name',
  'spec.type': 'type',
  'spec.instances': 'instances',
  'spec.pgbouncer.poolMode': 'poolMode',
  'spec.pgbouncer.parameters.*': 'parameters.*',
  'spec.template.spec.containers[i].resources': 'resources',
  'spec.template.spec.affinity': 'podAntiAffinity',
  'spec.monitoring': 'monitoring',
};

/**
 * A CloudNativePG `Pooler` (`postgresql.cnpg.io/v1`): PgBouncer in front of one of the cluster's Services, with the
 * operator's automatic authentication integration. Defaults: two pods preferring different nodes, session pooling,
 * requests and limits, and a PodMonitor.
 */
export class Pooler extends CnpgResource {
  /** `metadata.name` of the Pooler. */
  public readonly poolerName: string;
  /** The Service applications connect to (named like the Pooler). */
  public readonly serviceName: string;
  /** Host name of that Service: `<pooler>.<namespace>.svc`. */
  public readonly host: string;
  /** Port of the Service. */
  public readonly port = PGBOUNCER_PORT;
  /** Which of the cluster's Services it forwards to. */
  public readonly type: PoolerType;
  /** The pool mode. */
  public readonly poolMode: PoolMode;
  /** Namespace (the cluster's). */
  public readonly namespace: string;
  /** Name of the cluster. */
  public readonly clusterName: string;
  /** Number of PgBouncer pods. */
  public readonly instances: number;
  /** Labels that select exactly this pooler's pods (set by the operator). */
  public readonly podSelectorLabels: Readonly<Record<string, string>>;
  /** The PodMonitor, when monitoring is on. */
  public readonly podMonitor?: PodMonitor;
  /** The generated L1 object, for escape hatches. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: PoolerProps) {
    super(scope, id, POOLER_PROP_FIELDS);
    const cluster = props.cluster;
    this.type = props.type ?? PoolerType.RW;
    this.poolerName = props.name ?? `${cluster.clusterName}-pooler-${this.type}`;
    this.serviceName = this.poolerName;
    this.namespace = cluster.namespace;
    this.clusterName = cluster.clusterName;
    this.host = `${this.serviceName}.${this.namespace}.svc`;
    this.poolMode = props.poolMode ?? PoolMode.SESSION;
    this.instances = props.instances ?? 2;
    this.podSelectorLabels = { 'cnpg.io/poolerName': this.poolerName, 'cnpg.io/podRole': 'pooler' };
    this.validate(props);
    claimObjectName(this, { kind: 'postgresql.cnpg.io/Pooler', namespace: this.namespace, name: this.poolerName, field: 'name' });

    const antiAffinity = props.podAntiAffinity ?? PodAntiAffinity.PREFERRED;
    const term: cnpg.PoolerSpecTemplateSpecAffinityPodAntiAffinityRequiredDuringSchedulingIgnoredDuringExecution = {
      labelSelector: { matchLabels: { 'cnpg.io/poolerName': this.poolerName } },
      topologyKey: 'kubernetes.io/hostname',
    };
    const affinity: cnpg.PoolerSpecTemplateSpecAffinity | undefined = antiAffinity === PodAntiAffinity.NONE ? undefined : {
      podAntiAffinity: antiAffinity === PodAntiAffinity.REQUIRED
        ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
        : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
    };

    this.apiObject = new cnpg.Pooler(this, 'Resource', {
      metadata: { name: this.poolerName, namespace: this.namespace },
      spec: {
        cluster: { name: cluster.clusterName },
        type: this.type as string as cnpg.PoolerSpecType,
        instances: this.instances,
        pgbouncer: {
          poolMode: this.poolMode as string as cnpg.PoolerSpecPgbouncerPoolMode,
          parameters: renderParameters(props.parameters),
        },
        // Required anti-affinity leaves no node for a surge pod on a small cluster: replace one pod at a time instead.
        deploymentStrategy: antiAffinity === PodAntiAffinity.REQUIRED
          ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: cnpg.PoolerSpecDeploymentStrategyRollingUpdateMaxSurge.fromNumber(0), maxUnavailable: cnpg.PoolerSpecDeploymentStrategyRollingUpdateMaxUnavailable.fromNumber(1) } }
          : undefined,
        template: {
          spec: {
            // The operator merges its own pgbouncer container (image, command, ports, probes) with this one.
            containers: [{ name: 'pgbouncer', resources: renderResources(props.resources) }],
            affinity,
          },
        },
      },
    });
    // The webhook's rules for this kind, on the rendered object (escape hatches included).

    if (props.monitoring !== false) {
      const options = typeof props.monitoring === 'object' ? props.monitoring : {};
      this.podMonitor = PodMonitor.forPooler(this, 'PodMonitor', { pooler: this, labels: options.labels, interval: options.interval });
    }
  }

  private validate(props: PoolerProps): void {
    const problems = Problems.of(this);
    const cluster = props.cluster;
    if (!isDns1035Label(this.poolerName)) {
      problems.error({
        field: 'name',
        message: 'must be a DNS-1035 label of at most 63 characters (it is also the name of the pooler\'s Service)',
        value: this.poolerName,
        fix: 'use lower-case letters, digits and \'-\', starting with a letter, e.g. "cnpg-ha-pooler-rw"',
      });
    }
    if (this.poolerName === cluster.clusterName) {
      problems.error({
        field: 'name',
        message: 'the pooler resource cannot have the same name as its cluster',
        value: this.poolerName,
        fix: `leave name unset for "${cluster.clusterName}-pooler-${this.type}"`,
      });
    } else if ([cluster.rwServiceName, cluster.roServiceName, cluster.rServiceName].includes(this.poolerName)) {
      problems.error({
        field: 'name',
        message: 'the pooler\'s Service would replace one of the cluster\'s own Services',
        value: this.poolerName,
        fix: `leave name unset for "${cluster.clusterName}-pooler-${this.type}"`,
      });
    }
    if (!Object.values(PoolerType).includes(this.type)) {
      problems.error({ field: 'type', message: 'must be rw, ro or r', value: this.type, fix: 'use PoolerType.RW or PoolerType.RO' });
    }
    if (!Object.values(PoolMode).includes(this.poolMode)) {
      problems.error({ field: 'poolMode', message: 'must be session or transaction', value: this.poolMode, fix: 'use PoolMode.SESSION or PoolMode.TRANSACTION' });
    }
    if (!Number.isInteger(this.instances) || this.instances < 1) {
      problems.error({ field: 'instances', message: 'must be a whole number of at least 1', value: this.instances, fix: 'use 2 so the pooler survives the loss of a node' });
    }
    for (const [name, value] of Object.entries(props.parameters ?? {})) {
      if (!ALLOWED.has(name)) {
        problems.error({
          field: `parameters.${name}`,
          message: 'is not a PgBouncer parameter CloudNativePG allows (Invalid or reserved parameter)',
          value: name,
          fix: name === 'pool_mode'
            ? 'set the poolMode prop instead'
            : 'CloudNativePG manages the other PgBouncer settings itself; the allowed ones are listed in '
              + 'PGBOUNCER_ALLOWED_PARAMETERS (e.g. max_client_conn, default_pool_size, query_timeout)',
        });
      } else if (!(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) {
        problems.error({ field: `parameters.${name}`, message: 'must be a string or a finite number', value, fix: 'write the value as pgbouncer.ini expects it, e.g. "1000"' });
      }
    }
  }
}

function renderParameters(parameters: Record<string, string | number> | undefined): Record<string, string> | undefined {
  if (!parameters || Object.keys(parameters).length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const name of Object.keys(parameters).sort()) out[name] = String(parameters[name]);
  return out;
}

function renderResources(resources: ContainerResources | undefined): cnpg.PoolerSpecTemplateSpecContainersResources {
  const q = resourceQuantities(resources ?? {
    cpu: { request: Cpu.millis(100), limit: Cpu.units(1) },
    memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
  });
  return {
    limits: toL1Quantities(q?.limits, cnpg.PoolerSpecTemplateSpecContainersResourcesLimits.fromString),
    requests: toL1Quantities(q?.requests, cnpg.PoolerSpecTemplateSpecContainersResourcesRequests.fromString),
  };
}
