import { IConstruct } from 'constructs';
import { Problems } from './problems';

/**
 * Default Kubernetes object names derived from construct ids, and the one-name-per-kind-and-namespace check.
 *
 * Internal to the library (not re-exported from `index.ts`).
 */

/**
 * A DNS-safe object name derived from a construct id, predictably: camel case becomes kebab case, upper case becomes
 * lower case, every run of other characters becomes one `-`, and leading or trailing `-` are dropped:
 * `Db` → `db`, `Nightly` → `nightly`, `OrdersDB` → `orders-db`, `MyDbCluster` → `my-db-cluster`, `pg_18` → `pg-18`.
 * An id that already is a valid name (`cnpg-ha`) is returned unchanged. With `dots`, `.` is kept (for kinds whose
 * names are DNS-1123 subdomains).
 */
export function nameFromId(id: string, options: { dots?: boolean } = {}): string {
  const invalid = options.dots ? /[^a-z0-9.-]+/g : /[^a-z0-9-]+/g;
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .replace(invalid, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
}

/**
 * A DNS-safe name part derived from a PostgreSQL name (`warehouse_pub` → `warehouse-pub`, `Sales Q1` → `sales-q1`),
 * for object names such as `<cluster>-<database>`. Valid DNS names are unchanged.
 */
export function namePartFromIdentifier(name: string): string {
  return String(name).toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
}

/** An object a construct emits, as the API server identifies it. */
export interface ClaimedObjectName {
  /** The kind, e.g. `Cluster`, with its API group to tell apart kinds of the same name: `postgresql.cnpg.io/Cluster`. */
  readonly kind: string;
  /** The namespace. */
  readonly namespace: string;
  /** `metadata.name`. */
  readonly name: string;
  /** The prop that sets the name, for the error (e.g. `clusterName`). */
  readonly field: string;
}

const REGISTRY = Symbol.for('cdk8s-cnpg.object-names');

/**
 * Records that `construct` emits the object `claim`; a second construct of the same app claiming the same kind, namespace
 * and name gets a synth error naming both construct paths (in the cluster, the second object would silently replace
 * the first: one Argo CD sync, two owners).
 */
export function claimObjectName(construct: IConstruct, claim: ClaimedObjectName): void {
  if (!claim.namespace || !claim.name) return;
  const root = construct.node.root as unknown as { [REGISTRY]?: Map<string, IConstruct> };
  const claimed = root[REGISTRY] ?? (root[REGISTRY] = new Map());
  const key = `${claim.kind}\u0000${claim.namespace}\u0000${claim.name}`;
  const first = claimed.get(key);
  if (first === undefined) {
    claimed.set(key, construct);
    return;
  }
  if (first === construct) return;
  const kind = claim.kind.replace(/^.*\//, '');
  Problems.of(construct).error({
    field: claim.field,
    message: `${first.node.path} already declares the ${kind} "${claim.name}" in namespace "${claim.namespace}" that ${construct.node.path} `
      + 'declares too: two objects of one kind cannot share a name in a namespace (the later one would replace the earlier one in the cluster)',
    value: claim.name,
    fix: `give one of them another ${claim.field}, or declare the ${kind} once and pass the construct to everything that needs it`,
  });
}
