/**
 * CloudNativePG 1.30's admission rules for a Publication (CRD), one row per rule (`rule.ts`).
 */
import { enumOf, has, isObj, list, required } from './checks';
import { AdmissionRule, CRD, ObjectContext, rule, RuleRow } from './rule';

const r = (row: RuleRow<ObjectContext>) => rule(row);
const PUBLICATION_CRD = CRD('publications');

export const PUBLICATION_RULES: readonly AdmissionRule<ObjectContext>[] = [
  r({
    id: '2.7#Publication.required', field: 'spec.cluster.name, spec.dbname, spec.name, spec.target', message: 'cluster, dbname, name and target are required',
    fix: 'set the field', upstream: PUBLICATION_CRD('required fields'),
    when: (c) => required(c.spec, ['cluster.name', 'dbname', 'name', 'target']),
  }),
  r({
    id: '2.7#Publication.target', field: 'spec.target', message: 'allTables and objects are mutually exclusive',
    fix: 'set exactly one of allTables and objects', upstream: PUBLICATION_CRD('x-kubernetes-validations of spec.target'),
    when: (c) => isObj(c.spec.target) && has(c.spec.target.allTables) === has(c.spec.target.objects),
  }),
  r({
    id: '2.7#Publication.objects', field: 'spec.target.objects[i]', message: 'tablesInSchema and table are mutually exclusive; no column list with tablesInSchema',
    fix: 'set exactly one of tablesInSchema and table; no column lists with tablesInSchema', upstream: PUBLICATION_CRD('x-kubernetes-validations of spec.target.objects'),
    when: (c) => {
      const objects = list(c.spec.target?.objects);
      return [
        ...objects.flatMap((o, i) => (has(o?.tablesInSchema) === has(o?.table) ? [{ field: `spec.target.objects[${i}]`, message: 'tablesInSchema and table are mutually exclusive' }] : [])),
        ...(objects.some((o) => has(o?.table?.columns)) && objects.some((o) => has(o?.tablesInSchema))
          ? [{ field: 'spec.target.objects', message: 'specifying a column list when the publication also publishes tablesInSchema is not supported' }]
          : []),
      ];
    },
  }),
  r({
    id: '2.7#Publication.enums', field: 'spec.publicationReclaimPolicy', message: 'publicationReclaimPolicy {delete, retain}',
    fix: 'use delete or retain', upstream: PUBLICATION_CRD('enum constraints'),
    when: (c) => enumOf('spec.publicationReclaimPolicy', c.spec.publicationReclaimPolicy, ['delete', 'retain']),
  }),
];
