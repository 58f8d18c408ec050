/**
 * CloudNativePG 1.30's admission rules for a Database (webhook and CRD), one row per rule (`rule.ts`).
 */
import { duplicates, enumOf, isObj, list, localeProviderProblems, nonEmpty, required } from './checks';
import { AdmissionRule, CRD, DATABASE_WEBHOOK, Hit, ObjectContext, rule, RuleRow } from './rule';

const r = (row: RuleRow<ObjectContext>) => rule(row);
const DATABASE_CRD = CRD('databases');

export const DATABASE_RULES: readonly AdmissionRule<ObjectContext>[] = [
  r({
    id: '2.7#Database.required', field: 'spec.cluster.name, spec.name, spec.owner', message: 'cluster, name and owner are required',
    fix: 'set the field', upstream: DATABASE_CRD('required fields'),
    when: (c) => required(c.spec, ['cluster.name', 'name', 'owner']),
  }),
  r({
    id: '2.7#Database.name', field: 'spec.name', message: 'the names postgres, template0 and template1 are reserved',
    fix: 'use a database name other than postgres, template0 and template1', upstream: DATABASE_CRD('x-kubernetes-validations of spec.name'),
    when: (c) => ['postgres', 'template0', 'template1'].includes(c.spec.name) && { message: `the name ${c.spec.name} is reserved`, value: c.spec.name },
  }),
  r({
    id: '2.7#Database.locale', field: 'spec', message: 'builtinLocale/icuLocale/icuRules need the matching localeProvider',
    fix: 'set localeProvider to builtin or icu', upstream: DATABASE_CRD('x-kubernetes-validations of spec'),
    when: (c) => localeProviderProblems(c.spec, 'spec'),
  }),
  r({
    id: '2.7#Database.duplicates', field: 'spec.extensions|schemas|fdws|servers', message: 'duplicate extensions, schemas, fdws, servers, and options/usages inside an fdw or server',
    fix: 'declare each name once', upstream: `${DATABASE_WEBHOOK('validateExtensions')}, validateSchemas, validateFDWs, validateForeignServers, validateNameOptionsUsages`,
    when: (c) => [
      ...duplicates('spec.extensions', list(c.spec.extensions)),
      ...duplicates('spec.schemas', list(c.spec.schemas)),
      ...duplicates('spec.fdws', list(c.spec.fdws)),
      ...duplicates('spec.servers', list(c.spec.servers)),
      ...list(c.spec.fdws).flatMap((f, i) => [...duplicates(`spec.fdws[${i}].options`, list(f?.options)), ...duplicates(`spec.fdws[${i}].usage`, list(f?.usage))]),
      ...list(c.spec.servers).flatMap((s, i) => [...duplicates(`spec.servers[${i}].options`, list(s?.options)), ...duplicates(`spec.servers[${i}].usage`, list(s?.usage))]),
    ],
  }),
  r({
    id: '2.7#Database.fdw', field: 'spec.servers[i].fdw', message: 'referenced fdw not defined in spec.fdws',
    fix: 'declare the FDW in spec.fdws', upstream: DATABASE_WEBHOOK('validateServerFDWReference'),
    when: (c) => {
      const fdws = list(c.spec.fdws).map((f) => f?.name);
      return list(c.spec.servers).flatMap((s, i): Hit[] => {
        if (!isObj(s)) return [];
        const field = `spec.servers[${i}].fdw`;
        if (!nonEmpty(s.fdw)) return [{ field, message: 'fdw is required', fix: 'name the foreign-data wrapper of the server' }];
        return s.ensure !== 'absent' && !fdws.includes(s.fdw) ? [{ field, value: s.fdw }] : [];
      });
    },
  }),
  r({
    id: '2.7#Database.usage', field: 'spec.fdws|servers[i].usage[j].name', message: 'usage names are required',
    fix: 'name the role', upstream: DATABASE_CRD('required fields'),
    when: (c) => [...list(c.spec.fdws).map((f, i) => [f, `spec.fdws[${i}]`] as const), ...list(c.spec.servers).map((s, i) => [s, `spec.servers[${i}]`] as const)]
      .flatMap(([x, at]) => list(x?.usage).flatMap((u, j) => (!nonEmpty(u?.name) ? [{ field: `${at}.usage[${j}].name`, message: 'name is required' }] : []))),
  }),
  r({
    id: '2.7#Database.enums', field: 'spec.databaseReclaimPolicy, spec.ensure', message: 'databaseReclaimPolicy {delete, retain}; ensure {present, absent}',
    fix: 'use one of the values the message lists', upstream: DATABASE_CRD('enum constraints'),
    when: (c) => [...enumOf('spec.databaseReclaimPolicy', c.spec.databaseReclaimPolicy, ['delete', 'retain']), ...enumOf('spec.ensure', c.spec.ensure, ['present', 'absent'])],
  }),
];
