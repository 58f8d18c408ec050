/**
 * The rule catalogue, `docs/rules.md`: one row per rule id a problem can carry (`[rule <id>]` in a message), with
 * its kind, field, what it checks, the fix, and the upstream function it mirrors — rendered from the rule tables
 * (`CLUSTER_RULES`, `OTHER_KIND_RULES`) and their columns (`rule-meta.ts`). `npm run gen:rules` writes it; a test
 * fails when the committed file is stale.
 */
import { CLUSTER_RULES } from './cluster-rules';
import { OTHER_KIND_RULES } from './other-kinds';
import { CNPG_VERSION, RULE_META } from './rule-meta';
import { AdmissionRule, RuleSection } from './types';

/** One row of the catalogue. */
export interface CatalogueRow {
  readonly id: string;
  readonly anchor: string;
  readonly kind: string;
  readonly section: RuleSection;
  readonly severity: 'error' | 'warning';
  readonly field: string;
  readonly what: string;
  readonly fix: string;
  readonly upstream: string;
  /** The table row that reports it, for the ids a grouped row reports (e.g. 2.1#93 under 2.6#parameters). */
  readonly reportedBy?: string;
}

/** The anchor of a rule id in docs/rules.md: lower case, every run of other characters a "-" (`2.1#129` → `2-1-129`). */
export function ruleAnchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** The ids a row of the table reports besides its own (its sub-rules), with what they check. */
const SUB_RULES: ReadonlyArray<{ id: string; parent: string; section: RuleSection; severity: 'error' | 'warning'; what: string }> = [
  { id: '2.1#51', parent: '2.1#50', section: '2.1', severity: 'error', what: 'Size not configured. Please add it, or a storage request in the pvcTemplate.' },
  { id: '2.1#93', parent: '2.6#parameters', section: '2.1', severity: 'error', what: 'must be a valid PostgreSQL configuration parameter name (a GUC name, optionally namespaced with a single dot)' },
  { id: '2.1#94', parent: '2.6#parameters', section: '2.1', severity: 'error', what: 'Can\'t set fixed configuration parameter (the operator manages it, or it must keep its default)' },
  { id: '2.6#string-values', parent: '2.6#parameters', section: '2.4', severity: 'error', what: 'parameter values are strings' },
  { id: '2.6#postgres', parent: '2.6#parameters', section: '2.6', severity: 'error', what: 'PostgreSQL of the cluster\'s major accepts the name and the value (type, unit, range, enum values, extension loaded)' },
  { id: 'lib#parameters-unchecked', parent: '2.6#parameters', section: 'library', severity: 'warning', what: 'the parameters cannot be checked: the major is unknown or has no settings table' },
  { id: '2.1#107', parent: '2.6#pg_hba', section: '2.1', severity: 'error', what: '${podselector:NAME} in a pg_hba line names a spec.podSelectorRefs entry' },
  { id: 'lib#pg_hba-operator-roles', parent: '2.6#pg_hba', section: 'library', severity: 'error', what: 'pg_hba lines do not name the operator\'s roles (streaming_replica, cnpg_pooler_pgbouncer)' },
  { id: 'lib#pg_hba-local', parent: '2.6#pg_hba', section: 'library', severity: 'warning', what: 'a local line has no effect: the operator\'s own local lines come first' },
  { id: 'lib#pg_hba-md5', parent: '2.6#pg_hba', section: 'library', severity: 'warning', what: 'md5 authentication (use scram-sha-256)' },
];

function row(r: AdmissionRule<unknown>, kind: string): CatalogueRow {
  return {
    id: r.id, anchor: ruleAnchor(r.id), kind, section: r.section, severity: r.severity,
    field: r.field ?? '', what: r.message, fix: r.fix ?? '', upstream: r.upstream ?? '',
  };
}

/** Every rule id, in table order (sub-rules after the row that reports them). */
export function ruleCatalogue(): CatalogueRow[] {
  const rows: CatalogueRow[] = [];
  const add = (r: CatalogueRow) => {
    rows.push(r);
    for (const s of SUB_RULES.filter((x) => x.parent === r.id)) {
      const meta = RULE_META[s.id] ?? {};
      rows.push({
        id: s.id, anchor: ruleAnchor(s.id), kind: r.kind, section: s.section, severity: s.severity,
        field: meta.field ?? '', what: s.what, fix: meta.fix ?? '', upstream: meta.upstream ?? '', reportedBy: r.id,
      });
    }
  };
  for (const r of CLUSTER_RULES) add(row(r as AdmissionRule<unknown>, 'Cluster'));
  const kinds = new Map<string, string[]>(); // rule id → kinds
  const byId = new Map<string, AdmissionRule<unknown>>();
  for (const [kind, rules] of Object.entries(OTHER_KIND_RULES)) {
    for (const r of rules) {
      kinds.set(r.id, [...(kinds.get(r.id) ?? []), kind]);
      byId.set(r.id, r as AdmissionRule<unknown>);
    }
  }
  for (const [id, r] of byId) add(row(r, kinds.get(id)!.join(', ')));
  return rows;
}

/** A table cell: pipes escaped, one line. */
const pipe = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
/** Text: no HTML (`<cluster>`) either. */
const cell = (s: string) => pipe(s).replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A code span (no HTML inside one). */
const code = (s: string) => (s === '' ? '' : `\`${pipe(s.replace(/`/g, '\''))}\``);

const SECTION_TITLES: ReadonlyArray<[string, (r: CatalogueRow) => boolean, string]> = [
  ['Cluster: the validating webhook (2.1)', (r) => r.kind === 'Cluster' && r.section === '2.1', 'Rule N of the webhook\'s Cluster rules (`internal/webhook/v1/cluster_webhook.go`).'],
  ['Cluster: the webhook\'s warnings (W)', (r) => r.kind === 'Cluster' && r.section === '2.3', 'Admission warnings: synth prints them once; `CDK8S_CNPG_STRICT=true` makes them errors.'],
  ['Cluster: the CRD (2.4)', (r) => r.kind === 'Cluster' && r.section === '2.4', 'Checked by the API server: OpenAPI schema and CEL rules of the Cluster CRD.'],
  ['Cluster: PostgreSQL parameters and pg_hba (2.6)', (r) => r.kind === 'Cluster' && r.section === '2.6', 'What PostgreSQL itself accepts, from `pg_settings` of real 16, 17 and 18 servers and `pg_hba.conf` parsing.'],
  ['Other kinds (2.7)', (r) => r.kind !== 'Cluster' && r.section === '2.7', 'Pooler, Database, Publication, Subscription, DatabaseRole, image catalogs, Backup and ScheduledBackup: webhook or CRD rules.'],
  ['This library\'s own rules (lib)', (r) => r.section === 'library', 'Rules CloudNativePG does not have: what would fail later (at restore, in PostgreSQL) or is deprecated. They never carry a webhook id.'],
];

/** docs/rules.md. */
export function renderRuleCatalogue(): string {
  const rows = ruleCatalogue();
  const out: string[] = [
    '# Admission rules',
    '',
    '<!-- Generated by `npm run gen:rules` from lib/rules/admission (the rule tables and rule-meta.ts). Do not edit. -->',
    '',
    `Every rule synth checks on a rendered CloudNativePG object, as CloudNativePG ${CNPG_VERSION} (its validating webhook and`,
    'CRDs) and PostgreSQL would. An error message ends with `[rule <id>]`; the id is a row below (link: `docs/rules.md#<anchor>`,',
    'the anchor is the id in lower case with every other character a `-`, e.g. `2.1#129` → `#2-1-129`).',
    '',
    'Ids: `2.1#N` rule N of the webhook\'s Cluster rules; `W<N>` a webhook warning; `2.4#…` a Cluster CRD rule; `2.6#…` a',
    'PostgreSQL parameter or `pg_hba` rule; `2.7#<Kind>.<what>` a rule of another kind; `lib#…` a rule of this library only.',
    `"Upstream" is the function (or CRD rule) of cloudnative-pg at tag ${CNPG_VERSION} the rule mirrors; fields are JSON paths`,
    '(`[i]` for any index), also where the webhook reports a Go path.',
    '',
  ];
  for (const [title, match, intro] of SECTION_TITLES) {
    const part = rows.filter(match);
    if (part.length === 0) continue;
    out.push(`## ${title}`, '', intro, '', '| Rule | Kind | Severity | Field | What | Fix | Upstream |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const r of part) {
      const upstream = r.upstream === '' ? '—' : cell(r.upstream);
      const what = r.reportedBy ? `${cell(r.what)} (reported by [${r.reportedBy}](#${ruleAnchor(r.reportedBy)}))` : cell(r.what);
      out.push(`| <a id="${r.anchor}"></a>\`${r.id}\` | ${cell(r.kind)} | ${r.severity} | ${code(r.field)} | ${what} | ${cell(r.fix)} | ${upstream} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
