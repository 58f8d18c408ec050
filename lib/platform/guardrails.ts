import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { Problems } from '../core/problems';
import { isQuantity, parseQuantity } from '../core/k8s-syntax';
import { rendered } from '../core/render';

/** What the pods of a namespace request, in base units (cores, bytes). */
export interface NamespaceFootprint {
  readonly requestsCpu: number;
  readonly requestsMemory: number;
  readonly limitsCpu: number;
  readonly limitsMemory: number;
  readonly pods: number;
  readonly persistentVolumeClaims: number;
  readonly requestsStorage: number;
}

/** Container defaults for containers that set no resources (the LimitRange's `defaultRequest`/`default`). */
export interface ContainerDefaults {
  readonly cpuRequest: string;
  readonly memoryRequest: string;
  readonly cpuLimit: string;
  readonly memoryLimit: string;
}

/** Properties of `NamespaceGuardrails`. */
export interface NamespaceGuardrailsProps {
  /** The namespace. */
  readonly namespace: string;
  /**
   * The constructs whose objects run in the namespace; the quota is derived from what they request.
   */
  readonly workloads: IConstruct[];
  /**
   * Defaults for containers without resources, and the basis of the LimitRange.
   * @default - 100m/128Mi requests, 500m/512Mi limits
   */
  readonly containerDefaults?: ContainerDefaults;
  /**
   * Headroom on top of the derived quota, in percent.
   * @default 10
   */
  readonly headroomPercent?: number;
  /**
   * Explicit quota values (`requests.cpu`, `limits.memory`, `pods`, …) instead of the derived ones. A value below
   * what the workloads need is a synth error.
   * @default - derived
   */
  readonly quota?: Record<string, string>;
}

const DEFAULTS: ContainerDefaults = { cpuRequest: '100m', memoryRequest: '128Mi', cpuLimit: '500m', memoryLimit: '512Mi' };

/**
 * `LimitRange` and `ResourceQuota` for a database namespace (tutorial step 5), derived from what the namespace's
 * clusters, sidecars, poolers and other workloads request, with room for one extra pod of each during a rolling
 * update or switchover — so the quota can never block the operator's own work.
 */
export class NamespaceGuardrails extends Construct {
  public readonly namespace: string;
  private readonly props: NamespaceGuardrailsProps;
  private readonly defaults: ContainerDefaults;

  public constructor(scope: Construct, id: string, props: NamespaceGuardrailsProps) {
    super(scope, id);
    this.props = props;
    this.namespace = props.namespace;
    this.defaults = props.containerDefaults ?? DEFAULTS;
    const headroom = props.headroomPercent ?? 10;
    if (!(headroom >= 0 && headroom <= 500)) {
      Problems.of(this).error({ field: 'headroomPercent', message: 'must be between 0 and 500', value: headroom });
    }
    for (const [k, v] of Object.entries(this.defaults)) {
      if (!isQuantity(v)) Problems.of(this).error({ field: `containerDefaults.${k}`, message: 'is not a Kubernetes quantity', value: v });
    }

    new k8s.KubeLimitRange(this, 'LimitRange', {
      metadata: { name: 'database-defaults', namespace: props.namespace },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: k8s.Quantity.fromString(this.defaults.cpuRequest), memory: k8s.Quantity.fromString(this.defaults.memoryRequest) },
          default: { cpu: k8s.Quantity.fromString(this.defaults.cpuLimit), memory: k8s.Quantity.fromString(this.defaults.memoryLimit) },
        }],
      },
    });
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { name: 'database-quota', namespace: props.namespace },
      spec: { hard: Lazy.any({ produce: () => this.renderQuota() }) as unknown as Record<string, k8s.Quantity> },
    });
    this.node.addValidation({ validate: () => this.quotaProblems() });
  }

  /** What the workloads need at most, including one extra pod per workload for rolling updates. */
  public footprint(): NamespaceFootprint {
    const own = new Set<IConstruct>(this.node.findAll());
    const objects = this.props.workloads.flatMap((w) => w.node.findAll())
      .filter((c): c is ApiObject => c instanceof ApiObject && !own.has(c))
      .map((o) => rendered(o))
      .filter((o) => (o.metadata?.namespace ?? this.namespace) === this.namespace);
    return footprintOf(objects, this.defaults);
  }

  /** The quota as rendered: derived (with headroom), or the explicit values. */
  public quota(): Record<string, string> {
    const f = this.footprint();
    const factor = 1 + (this.props.headroomPercent ?? 10) / 100;
    const derived: Record<string, string> = {
      'limits.cpu': cpu(f.limitsCpu * factor),
      'limits.memory': mebibytes(f.limitsMemory * factor),
      'persistentvolumeclaims': String(f.persistentVolumeClaims),
      'pods': String(Math.ceil(f.pods * factor)),
      'requests.cpu': cpu(f.requestsCpu * factor),
      'requests.memory': mebibytes(f.requestsMemory * factor),
      'requests.storage': gibibytes(f.requestsStorage),
    };
    return { ...derived, ...this.props.quota };
  }

  private renderQuota(): Record<string, k8s.Quantity> {
    const q = this.quota();
    return Object.fromEntries(Object.keys(q).sort().map((k) => [k, k8s.Quantity.fromString(q[k])]));
  }

  private quotaProblems(): string[] {
    const f = this.footprint();
    const needed: Record<string, number> = {
      'requests.cpu': f.requestsCpu, 'requests.memory': f.requestsMemory, 'limits.cpu': f.limitsCpu,
      'limits.memory': f.limitsMemory, 'pods': f.pods, 'persistentvolumeclaims': f.persistentVolumeClaims,
      'requests.storage': f.requestsStorage,
    };
    const out: string[] = [];
    for (const [key, value] of Object.entries(this.props.quota ?? {})) {
      if (!(key in needed)) continue;
      const given = parseQuantity(value);
      if (Number.isNaN(given)) {
        out.push(`quota.${key}: is not a Kubernetes quantity (got ${JSON.stringify(value)})`);
      } else if (given < needed[key]) {
        out.push(`quota.${key}: ${value} is less than the namespace's workloads need, including one extra pod per workload for rolling updates and switchovers (${describe(key, needed[key])}); raise it or remove it to derive it`);
      }
    }
    return out;
  }
}

/**
 * The footprint of rendered objects: CNPG Clusters (instances + 1, each with the Barman Cloud sidecar when an
 * ObjectStore archives it, and their PVCs), Poolers and Deployments (replicas + 1 surge), Jobs.
 */
export function footprintOf(objects: any[], defaults: ContainerDefaults = DEFAULTS): NamespaceFootprint {
  let requestsCpu = 0; let requestsMemory = 0; let limitsCpu = 0; let limitsMemory = 0;
  let pods = 0; let pvcs = 0; let storage = 0;
  const stores = new Map<string, any>(objects.filter((o) => o.kind === 'ObjectStore').map((o) => [o.metadata.name, o]));
  const addPods = (count: number, containers: any[]) => {
    for (const c of containers) {
      const r = containerResources(c.resources, defaults);
      requestsCpu += count * r.requestsCpu; requestsMemory += count * r.requestsMemory;
      limitsCpu += count * r.limitsCpu; limitsMemory += count * r.limitsMemory;
    }
    pods += count;
  };
  for (const o of objects) {
    const spec = o.spec ?? {};
    switch (`${o.apiVersion}/${o.kind}`) {
      case 'postgresql.cnpg.io/v1/Cluster': {
        // One extra instance: the operator creates the new pod (or a join job) before removing an old one.
        const count = (spec.instances ?? 1) + 1;
        const containers: any[] = [{ resources: spec.resources }];
        const archiver = (spec.plugins ?? []).find((p: any) => p.isWALArchiver);
        const store = archiver ? stores.get(archiver.parameters?.barmanObjectName) : undefined;
        if (store) containers.push({ resources: store.spec?.instanceSidecarConfiguration?.resources });
        addPods(count, containers);
        const volumes = [spec.storage?.size, spec.walStorage?.size].filter(Boolean) as string[];
        pvcs += count * volumes.length;
        storage += count * volumes.reduce((sum, size) => sum + parseQuantity(size), 0);
        break;
      }
      case 'postgresql.cnpg.io/v1/Pooler':
        addPods((spec.instances ?? 1) + 1, spec.template?.spec?.containers ?? [{}]);
        break;
      case 'apps/v1/Deployment':
        addPods((spec.replicas ?? 1) + 1, spec.template?.spec?.containers ?? []);
        break;
      case 'batch/v1/Job':
        addPods(1, spec.template?.spec?.containers ?? []);
        break;
      case 'batch/v1/CronJob':
        // One Job's pod at a time with concurrencyPolicy Forbid; Allow and Replace may overlap two runs (Replace while
        // the old pod terminates).
        addPods(spec.concurrencyPolicy === 'Forbid' ? 1 : 2, spec.jobTemplate?.spec?.template?.spec?.containers ?? []);
        break;
      default:
        break;
    }
  }
  return { requestsCpu, requestsMemory, limitsCpu, limitsMemory, pods, persistentVolumeClaims: pvcs, requestsStorage: storage };
}

function containerResources(resources: any, defaults: ContainerDefaults) {
  const quantity = (v: unknown, fallback: string) => parseQuantity(String(v ?? fallback));
  // Kubernetes sets a missing request to the limit when only the limit is given.
  const cpuLimit = resources?.limits?.cpu ?? defaults.cpuLimit;
  const memLimit = resources?.limits?.memory ?? defaults.memoryLimit;
  return {
    limitsCpu: quantity(cpuLimit, defaults.cpuLimit),
    limitsMemory: quantity(memLimit, defaults.memoryLimit),
    requestsCpu: quantity(resources?.requests?.cpu ?? (resources?.limits?.cpu ?? defaults.cpuRequest), defaults.cpuRequest),
    requestsMemory: quantity(resources?.requests?.memory ?? (resources?.limits?.memory ?? defaults.memoryRequest), defaults.memoryRequest),
  };
}

function cpu(cores: number): string {
  return `${Math.ceil(cores * 1000)}m`;
}

function mebibytes(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}Mi`;
}

function gibibytes(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 30)}Gi`;
}

function describe(key: string, value: number): string {
  if (key.endsWith('.cpu')) return cpu(value);
  if (key.endsWith('.memory')) return mebibytes(value);
  if (key === 'requests.storage') return gibibytes(value);
  return String(value);
}
