/**
 * CloudNativePG 1.30's admission rules for a Pooler (webhook and CRD), one row per rule (`rule.ts`).
 */
import { pgHbaProblems } from '../pg-hba';
import { PGBOUNCER_ALLOWED_PARAMETERS } from '../pgbouncer';
import { enumOf, has, isObj, list, nonEmpty } from './checks';
import { AdmissionRule, CRD, Hit, ObjectContext, POOLER_WEBHOOK, POSTGRES, rule, RuleRow } from './rule';

const r = (row: RuleRow<ObjectContext>) => rule(row);

/**
 * Whether a Pooler's secret reference is set as the webhook reads it: a reference with an empty name counts as
 * absent (`internal/webhook/v1/pooler_webhook.go@v1.30.0` `validatePgBouncer`, `validateMonitoring`,
 * `getAdmissionWarnings`; `api/v1/pooler_funcs.go@v1.30.0` `IsAutomatedIntegration`).
 */
const secretSet = (ref: unknown): boolean => isObj(ref) && typeof ref.name === 'string' && ref.name !== '';

/** PgBouncer settings the Pooler spec has a field for (they are not in the webhook's allow-list). */
const PGBOUNCER_DEDICATED_FIELDS: Readonly<Record<string, string>> = {
  pool_mode: 'spec.pgbouncer.poolMode ("session" or "transaction")',
  auth_query: 'spec.pgbouncer.authQuery',
  auth_user: 'the operator (it creates cnpg_pooler_pgbouncer), or spec.pgbouncer.authQuerySecret',
};

export const POOLER_RULES: readonly AdmissionRule<ObjectContext>[] = [
  r({
    id: '2.7#Pooler.pgbouncer', field: 'spec.pgbouncer', message: 'required pgbouncer configuration',
    fix: 'set spec.pgbouncer (poolMode at least)', upstream: POOLER_WEBHOOK('validatePgBouncer'),
    when: (c) => !isObj(c.spec.pgbouncer),
  }),
  r({
    id: '2.7#Pooler.authQuery', field: 'spec.pgbouncer.authQuery', message: 'must specify an auth query when providing an auth query secret',
    fix: 'set authQuery together with a named authQuerySecret or serverTLSSecret, or neither', upstream: POOLER_WEBHOOK('validatePgBouncer'),
    when: (c) => {
      const p = c.spec.pgbouncer;
      if (!isObj(p)) return undefined;
      // hasPGAuthentication: a secret with an empty name is no secret
      const auth = secretSet(p.authQuerySecret) || secretSet(p.serverTLSSecret);
      if (auth && !nonEmpty(p.authQuery)) return true;
      return nonEmpty(p.authQuery) && !auth && { field: 'spec.pgbouncer.authQuerySecret.name', message: 'must specify an existing auth query secret when providing an auth query secret' };
    },
  }),
  r({
    id: '2.7#Pooler.cluster', field: 'spec.cluster.name', message: 'must specify a cluster name',
    fix: 'name the Cluster', upstream: POOLER_WEBHOOK('validateCluster'),
    when: (c) => !nonEmpty(c.spec.cluster?.name),
  }),
  r({
    id: '2.7#Pooler.name', field: 'metadata.name', message: 'the pooler resource cannot have the same name of a cluster',
    fix: 'name the Pooler e.g. <cluster>-pooler-rw', upstream: POOLER_WEBHOOK('validateCluster'),
    when: (c) => nonEmpty(c.name) && c.name === c.spec.cluster?.name && { value: c.name },
  }),
  // The webhook reports the field as spec.cluster.parameters; settings with a Pooler field of their own point at it.
  r({
    id: '2.7#Pooler.parameters', field: 'spec.pgbouncer.parameters.<name>', message: 'Invalid or reserved parameter',
    fix: 'use only the allowed PgBouncer parameters; pool_mode is spec.pgbouncer.poolMode',
    upstream: POOLER_WEBHOOK('validatePgbouncerGenericParameters'),
    when: (c) => Object.keys(isObj(c.spec.pgbouncer?.parameters) ? c.spec.pgbouncer.parameters : {}).filter((k) => !PGBOUNCER_ALLOWED_PARAMETERS.includes(k))
      .map((k): Hit => (PGBOUNCER_DEDICATED_FIELDS[k]
        ? { field: `spec.pgbouncer.parameters.${k}`, message: `Invalid or reserved parameter: ${k} is not set through spec.pgbouncer.parameters but with ${PGBOUNCER_DEDICATED_FIELDS[k]}`, value: k, fix: `remove ${k} from spec.pgbouncer.parameters and set ${PGBOUNCER_DEDICATED_FIELDS[k]}` }
        : { field: `spec.pgbouncer.parameters.${k}`, value: k, fix: 'the operator manages this pgbouncer setting, or it does not exist; see the allowed parameters in docs/rules.md#2-7-pooler-parameters' })),
  }),
  r({
    id: '2.7#Pooler.monitoring', field: 'spec.pgbouncer.clientTLSSecret', message: 'clientTLSSecret is required with monitoring.tls and the PodMonitor',
    fix: 'name a clientTLSSecret, or set spec.monitoring.enablePodMonitor: false', upstream: POOLER_WEBHOOK('validateMonitoring'),
    when: (c) => c.spec.monitoring?.tls?.enabled === true && c.spec.monitoring?.enablePodMonitor === true && !secretSet(c.spec.pgbouncer?.clientTLSSecret)
      && { message: 'Required value: a client TLS secret is needed to serve metrics over TLS with the PodMonitor' },
  }),
  r({
    id: '2.7#Pooler.image', field: 'spec.pgbouncer.imageCatalogRef', message: 'image and imageCatalogRef are mutually exclusive; only image catalogs are supported',
    fix: 'keep image or imageCatalogRef; reference a postgresql.cnpg.io image catalog', upstream: CRD('poolers')('x-kubernetes-validations of spec.pgbouncer'),
    when: (c) => {
      const p = c.spec.pgbouncer;
      if (!isObj(p)) return undefined;
      const ref = p.imageCatalogRef;
      return [
        ...(has(p.image) && has(ref) ? [{ field: 'spec.pgbouncer', message: 'image and imageCatalogRef are mutually exclusive' }] : []),
        ...(isObj(ref) && ref.kind !== 'ImageCatalog' && ref.kind !== 'ClusterImageCatalog'
          ? [{ field: 'spec.pgbouncer.imageCatalogRef.kind', message: 'Only ImageCatalog and ClusterImageCatalog are supported', value: ref.kind }]
          : []),
        ...(isObj(ref) && ref.apiGroup !== 'postgresql.cnpg.io' ? [{ field: 'spec.pgbouncer.imageCatalogRef.apiGroup', message: 'apiGroup must be postgresql.cnpg.io', value: ref.apiGroup }] : []),
      ];
    },
  }),
  r({
    id: '2.7#Pooler.enums', field: 'spec.type, spec.pgbouncer.poolMode', message: 'type {rw, ro, r}; poolMode {session, transaction}',
    fix: 'use rw, ro or r; session or transaction', upstream: CRD('poolers')('enum constraints'),
    when: (c) => [...enumOf('spec.type', c.spec.type, ['rw', 'ro', 'r']), ...enumOf('spec.pgbouncer.poolMode', c.spec.pgbouncer?.poolMode, ['session', 'transaction'])],
  }),
  r({
    id: '2.7#Pooler.pg_hba', field: 'spec.pgbouncer.pg_hba[i]', message: 'pgbouncer pg_hba lines as PostgreSQL parses them',
    fix: 'write the line as pg_hba.conf reads it', upstream: POSTGRES('hba.c parse_hba_line (PgBouncer reads the same format)'),
    when: (c) => pgHbaProblems(list(c.spec.pgbouncer?.pg_hba), { field: 'spec.pgbouncer.pg_hba', rules: {} }).errors,
  }),
  r({
    id: '2.7#Pooler.warnings', field: 'spec.pgbouncer, spec.monitoring', message: 'manual auth integration, deprecated authQuerySecret, deprecated spec.monitoring',
    fix: 'create a PodMonitor for the Pooler yourself', severity: 'warning',
    upstream: `${POOLER_WEBHOOK('getAdmissionWarnings')} + ${POOLER_WEBHOOK('validateDeprecatedMonitoringFields')} + api/v1/pooler_funcs.go@v1.30.0 IsAutomatedIntegration`,
    when: (c) => {
      const p = c.spec.pgbouncer;
      const m = c.spec.monitoring;
      return [
        // !IsAutomatedIntegration(): an auth query, or an auth query or server TLS secret with a name
        ...(isObj(p) && (nonEmpty(p.authQuery) || secretSet(p.authQuerySecret) || secretSet(p.serverTLSSecret)) ? [{
          field: 'spec.pgbouncer.authQuery',
          message: `The operator won't handle the Pooler ${JSON.stringify(c.name)} integration with the Cluster ${JSON.stringify(String(c.spec.cluster?.name ?? ''))} (${JSON.stringify(String(c.obj?.metadata?.namespace ?? ''))}). Manually configure it as described in the docs.`,
          fix: 'configure the authentication of PgBouncer against the Cluster yourself (auth_user, auth_query, the server TLS secret), or remove authQuery and the secrets to let the operator do it',
        }] : []),
        ...(isObj(p) && secretSet(p.authQuerySecret)
          ? [{ field: 'spec.pgbouncer.authQuerySecret', message: 'The .spec.pgbouncer.authQuerySecret field has been deprecated', fix: 'remove authQuerySecret and let the operator manage the auth user' }]
          : []),
        ...(isObj(m) && (m.enablePodMonitor === true || list(m.podMonitorMetricRelabelings).length || list(m.podMonitorRelabelings).length)
          ? [{ field: 'spec.monitoring', message: 'spec.monitoring is deprecated and will be removed in a future release' }]
          : []),
      ];
    },
  }),
];
