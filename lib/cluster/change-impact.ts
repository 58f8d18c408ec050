/**
 * The change-impact report of an app: `describeChangeImpact` (lib/rules/change-impact.ts) for each of its Clusters
 * against the deployed manifests.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { rendered } from '../core/render';
import { describeChangeImpact, formatChangeImpact } from '../rules/change-impact';

/**
 * What deploying `app` would do to each of its clusters, compared with the deployed manifests (`previous`, e.g.
 * `PreviousManifests.fromDist`): one block of lines per cluster that changes (reload, rolling restart, scaling, …),
 * nothing for unchanged clusters. Synth prints it so the impact of a change is visible before review.
 */
export function changeImpactReport(app: IConstruct, previous: { find(kind: string, namespace: string | undefined, name: string): { object: any } | undefined }): string[] {
  const out: string[] = [];
  for (const c of app.node.findAll()) {
    if (!(c instanceof ApiObject) || c.apiGroup !== 'postgresql.cnpg.io' || c.kind !== 'Cluster') continue;
    const next = rendered(c);
    const prev = previous.find('Cluster', next.metadata?.namespace, next.metadata?.name)?.object;
    if (!prev) continue;
    const impact = describeChangeImpact(prev, next);
    if (impact.changes.length > 0) out.push(...formatChangeImpact(impact));
  }
  return out;
}
