/**
 * CloudNativePG 1.30's admission rules for a Subscription (CRD), one row per rule (`rule.ts`).
 */
import { enumOf, required } from './checks';
import { AdmissionRule, CRD, ObjectContext, rule, RuleRow } from './rule';

const r = (row: RuleRow<ObjectContext>) => rule(row);
const SUBSCRIPTION_CRD = CRD('subscriptions');

export const SUBSCRIPTION_RULES: readonly AdmissionRule<ObjectContext>[] = [
  r({
    id: '2.7#Subscription.required', field: 'spec.cluster.name, spec.dbname, spec.externalClusterName, spec.name, spec.publicationName',
    message: 'cluster, dbname, externalClusterName, name and publicationName are required',
    fix: 'set the field', upstream: SUBSCRIPTION_CRD('required fields'),
    when: (c) => required(c.spec, ['cluster.name', 'dbname', 'externalClusterName', 'name', 'publicationName']),
  }),
  r({
    id: '2.7#Subscription.enums', field: 'spec.subscriptionReclaimPolicy', message: 'subscriptionReclaimPolicy {delete, retain}',
    fix: 'use delete or retain', upstream: SUBSCRIPTION_CRD('enum constraints'),
    when: (c) => enumOf('spec.subscriptionReclaimPolicy', c.spec.subscriptionReclaimPolicy, ['delete', 'retain']),
  }),
];
