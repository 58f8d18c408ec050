import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problems } from '../core/problems';
import { isDns1123Label } from '../core/k8s-syntax';

/** Properties of `PlatformNamespaces`. */
export interface PlatformNamespacesProps {
  /** Namespaces to create. */
  readonly names: string[];
  /**
   * Labels on every Namespace.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * The Pod Security level enforced per namespace, where it is not `baseline` (an operator whose pods need host access).
   * @default - `baseline` everywhere
   */
  readonly podSecurity?: Record<string, 'privileged' | 'baseline' | 'restricted'>;
}

/**
 * The platform's Namespaces. Cluster-scoped: put it in a chart without a namespace.
 *
 * Pod Security admission enforces `baseline` and warns and audits at `restricted`, so a workload that would not pass
 * `restricted` is visible before anyone tightens enforcement.
 */
export class PlatformNamespaces extends Construct {
  /** The Namespace names, in the order given. */
  public readonly names: readonly string[];

  public constructor(scope: Construct, id: string, props: PlatformNamespacesProps) {
    super(scope, id);
    this.names = [...props.names];
    const seen = new Set<string>();
    for (const name of props.names) {
      if (!isDns1123Label(name)) {
        Problems.of(this).error({ field: 'names', message: 'a Namespace name must be a DNS-1123 label', value: name, fix: 'use lower-case letters, digits and \'-\' (at most 63)' });
      }
      if (seen.has(name)) {
        Problems.of(this).error({ field: 'names', message: 'the Namespace is listed twice', value: name, fix: 'list each namespace once' });
        continue;
      }
      seen.add(name);
      new k8s.KubeNamespace(this, name, {
        metadata: {
          name,
          labels: {
            ...props.labels,
            'pod-security.kubernetes.io/enforce': props.podSecurity?.[name] ?? 'baseline',
            'pod-security.kubernetes.io/warn': 'restricted',
            'pod-security.kubernetes.io/audit': 'restricted',
          },
        },
      });
    }
  }
}
