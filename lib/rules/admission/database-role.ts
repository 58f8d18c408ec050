/**
 * CloudNativePG 1.30's admission rules for a DatabaseRole (CRD), one row per rule (`rule.ts`).
 */
import { isReservedRoleName } from '../roles';
import { enumOf, has, isObj, required } from './checks';
import { AdmissionRule, CRD, ObjectContext, rule, RuleRow } from './rule';

const r = (row: RuleRow<ObjectContext>) => rule(row);
const ROLE_CRD = CRD('databaseroles');

/** Why a DatabaseRole name is reserved, as the CRD's CEL rule says it. */
function reservedRoleMessage(n: string): string {
  if (n.startsWith('pg_')) return 'role names starting with pg_ are reserved by PostgreSQL';
  if (n.startsWith('cnpg_')) return 'role names starting with cnpg_ are reserved by the operator';
  return `the role name ${n} is reserved`;
}

export const DATABASE_ROLE_RULES: readonly AdmissionRule<ObjectContext>[] = [
  r({
    id: '2.7#DatabaseRole.required', field: 'spec.cluster.name', message: 'cluster and name are required',
    fix: 'set the field', upstream: ROLE_CRD('required fields'),
    when: (c) => required(c.spec, ['cluster.name']),
  }),
  r({
    id: '2.7#DatabaseRole.name', field: 'spec.name', message: 'role name must not be empty, postgres, streaming_replica, or start with pg_ or cnpg_',
    fix: 'use a role name that is not reserved', upstream: ROLE_CRD('x-kubernetes-validations of spec'),
    when: (c) => {
      const n = c.spec.name;
      if (typeof n !== 'string' || n === '') return { message: 'role name must not be empty' };
      return isReservedRoleName(n) && { message: reservedRoleMessage(n), value: n };
    },
  }),
  r({
    id: '2.7#DatabaseRole.ensure', field: 'spec.ensure', message: 'ensure: absent is not supported for DatabaseRole',
    fix: 'delete the resource with databaseRoleReclaimPolicy: delete', upstream: ROLE_CRD('x-kubernetes-validations of spec'),
    when: (c) => c.spec.ensure === 'absent' && { message: 'ensure: absent is not supported for DatabaseRole; delete the resource with databaseRoleReclaimPolicy: delete instead' },
  }),
  r({
    id: '2.7#DatabaseRole.password', field: 'spec', message: 'passwordSecret and disablePassword are mutually exclusive',
    fix: 'remove passwordSecret or disablePassword', upstream: ROLE_CRD('x-kubernetes-validations of spec'),
    when: (c) => has(c.spec.passwordSecret) && c.spec.disablePassword === true,
  }),
  r({
    id: '2.7#DatabaseRole.clientCertificate', field: 'spec.clientCertificate', message: 'clientCertificate requires the role to have login enabled',
    fix: 'set login: true', upstream: ROLE_CRD('x-kubernetes-validations of spec'),
    when: (c) => isObj(c.spec.clientCertificate) && c.spec.clientCertificate.enabled !== false && c.spec.login !== true,
  }),
  r({
    id: '2.7#DatabaseRole.enums', field: 'spec.ensure, spec.databaseRoleReclaimPolicy', message: 'ensure {present, absent}; databaseRoleReclaimPolicy {delete, retain}',
    fix: 'use one of the values the message lists', upstream: ROLE_CRD('enum constraints'),
    when: (c) => [...enumOf('spec.ensure', c.spec.ensure, ['present', 'absent']), ...enumOf('spec.databaseRoleReclaimPolicy', c.spec.databaseRoleReclaimPolicy, ['delete', 'retain'])],
  }),
];
