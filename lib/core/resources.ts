import { ContainerResources } from 'cdk8s-plus-28';

/** CPU and memory requests and limits as Kubernetes quantity strings, keyed `cpu` / `memory`. */
export interface ResourceQuantities {
  readonly limits?: Record<string, string>;
  readonly requests?: Record<string, string>;
}

/**
 * Requests and limits of a container as quantity strings. A request that is not given follows its limit: Guaranteed
 * QoS keeps databases and their sidecars from being the first evicted under memory pressure. Memory is written in
 * the unit a reviewer would use (`2Gi`, `512Mi`). Undefined when nothing is set.
 */
export function resourceQuantities(resources: ContainerResources | undefined): ResourceQuantities | undefined {
  if (!resources) return undefined;
  const cpuLimit = resources.cpu?.limit?.amount;
  const memLimit = resources.memory?.limit ? formatMebibytes(resources.memory.limit.toMebibytes()) : undefined;
  const cpuRequest = resources.cpu?.request?.amount ?? cpuLimit;
  const memRequest = resources.memory?.request ? formatMebibytes(resources.memory.request.toMebibytes()) : memLimit;
  const limits = definedOnly({ cpu: cpuLimit, memory: memLimit });
  const requests = definedOnly({ cpu: cpuRequest, memory: memRequest });
  if (!limits && !requests) return undefined;
  return { limits, requests };
}

/**
 * Converts quantity strings into a generated L1 type's int-or-string class (e.g. `ClusterSpecResourcesLimits.fromString`).
 */
export function toL1Quantities<T>(quantities: Record<string, string> | undefined, fromString: (s: string) => T): Record<string, T> | undefined {
  if (!quantities) return undefined;
  return Object.fromEntries(Object.entries(quantities).map(([k, v]) => [k, fromString(v)]));
}

/** `2048` → `2Gi`, `512` → `512Mi`. */
export function formatMebibytes(mebibytes: number): string {
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`;
}

function definedOnly(r: Record<string, string | undefined>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}
