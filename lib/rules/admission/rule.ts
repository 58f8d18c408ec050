/**
 * The shape of one admission rule: a row of data (id, field, message, fix, upstream function) and a condition
 * `when(ctx)` that returns what offends, or nothing. The tables per kind (`cluster.ts`, `pooler.ts`, …) are lists of
 * such rows; `runRules` turns the hits into problems, and `catalogue.ts` renders the same rows into docs/rules.md.
 */
import { Problem } from '../../core/problems';
import { AdmissionOptions, AdmissionProblem, AdmissionResult, RuleSection } from './types';

/** The operator version whose admission the rules mirror. */
export const CNPG_VERSION = 'v1.30.0';

const at = (file: string) => (fn: string) => `${file}@${CNPG_VERSION} ${fn}`;
/** A function of the Cluster webhook. */
export const CLUSTER_WEBHOOK = at('internal/webhook/v1/cluster_webhook.go');
/** A function of the Pooler webhook. */
export const POOLER_WEBHOOK = at('internal/webhook/v1/pooler_webhook.go');
/** A function of the Database webhook. */
export const DATABASE_WEBHOOK = at('internal/webhook/v1/database_webhook.go');
/** A function of the Backup webhook. */
export const BACKUP_WEBHOOK = at('internal/webhook/v1/backup_webhook.go');
/** A function of the ScheduledBackup webhook. */
export const SCHEDULED_BACKUP_WEBHOOK = at('internal/webhook/v1/scheduledbackup_webhook.go');
/** A rule of the CRD of `plural` (schema or CEL), checked by the API server. */
export const CRD = (plural: string) => at(`config/crd/bases/postgresql.cnpg.io_${plural}.yaml`);
/** What PostgreSQL itself does. */
export const POSTGRES = (what: string) => `PostgreSQL 16–18 ${what}`;

/**
 * One offence a rule found. Every member is optional: the problem takes the row's field, message and fix unless the
 * hit names its own (a concrete `field` for a row whose field has `[i]`, a message with the offending name in it, a
 * fix computed from the values). `rule` and `severity` are set by grouped rows only (sub-rules of the 2.6 rows).
 * A `Finding` (a problem of a named procedure) is a hit.
 */
export interface Hit {
  readonly value?: unknown;
  readonly field?: string;
  readonly message?: string;
  /** The fix of this offence; `null`: none (the message says it all). */
  readonly fix?: string | null;
  readonly rule?: string;
  readonly severity?: 'error' | 'warning';
}

/** A problem; a rule that groups several (the 2.6 ones) sets the sub-rule id and the severity per finding. */
export type Finding = Problem & { readonly severity?: 'error' | 'warning' };

/** What `when` returns: nothing (false, undefined), one offence without a value (`true`), a hit, or hits. */
export type Verdict = Hit | readonly Hit[] | boolean | undefined | null;

/** The catalogue columns of a rule (docs/rules.md). */
export interface RuleColumns {
  /** `2.1#N`, `W<N>`, `2.4#…`, `2.6#…`, `2.7#<Kind>.<what>`, `lib#…` (docs/rules.md). */
  readonly id: string;
  /** Where the rule comes from (derived from the id). */
  readonly section: RuleSection;
  readonly severity: 'error' | 'warning';
  /** The field the rule checks (a JSON path; `[i]` for any index); a problem's field unless the hit names one. */
  readonly field: string;
  /** The webhook's (or API server's) message, or what the rule checks; a problem's message unless the hit has one. */
  readonly message: string;
  /** The usual fix; a problem's fix unless the hit has one. */
  readonly fix?: string;
  /**
   * What the rule mirrors upstream: `<file>@v1.30.0 <function>` in cloudnative-pg (or the CRD, or PostgreSQL);
   * absent for library rules.
   */
  readonly upstream?: string;
}

/** A rule id that a grouped row reports besides its own (2.1#93 under 2.6#parameters), with its catalogue columns. */
export interface SubRule extends RuleColumns {}

/** One admission rule: a row of its kind's table. */
export interface AdmissionRule<C> extends RuleColumns {
  /**
   * The rule only applies when the object is created (CloudNativePG checks `resourceVersion`), e.g. rule 69.
   * @default false
   */
  readonly createOnly?: boolean;
  /** The ids a grouped row reports besides its own. */
  readonly reports?: readonly SubRule[];
  /** What offends in the object, or nothing. */
  readonly when: (ctx: C) => Verdict;
}

/** A row as written in a table: the section comes from the id, the severity defaults to error (warning for `W<N>`). */
export type RuleRow<C> = Omit<AdmissionRule<C>, 'section' | 'severity'> & { readonly severity?: 'error' | 'warning' };

/** The section of a rule id. */
export function sectionOf(id: string): RuleSection {
  if (id.startsWith('lib#')) return 'library';
  if (/^W\d+$/.test(id)) return '2.3';
  const s = /^(2\.[1467])#/.exec(id)?.[1];
  if (!s) throw new Error(`rule id ${id}: not 2.1#, W, 2.4#, 2.6#, 2.7# or lib#`);
  return s as RuleSection;
}

/** A row of a rule table. */
export function rule<C>(row: RuleRow<C>): AdmissionRule<C> {
  return { ...row, section: sectionOf(row.id), severity: row.severity ?? (/^W\d+$/.test(row.id) ? 'warning' : 'error') };
}

function hitsOf(v: Verdict): readonly Hit[] {
  if (!v) return [];
  if (Array.isArray(v)) return v;
  return typeof v === 'object' ? [v as Hit] : [{}];
}

/** Runs a table on an object's context: every hit becomes a problem, with the row's columns as defaults. */
export function runRules<C>(rules: readonly AdmissionRule<C>[], ctx: C, options: AdmissionOptions): AdmissionResult {
  const errors: AdmissionProblem[] = [];
  const warnings: AdmissionProblem[] = [];
  for (const r of rules) {
    if (r.createOnly && options.existing) continue;
    let hits: readonly Hit[];
    try {
      hits = hitsOf(r.when(ctx));
    } catch (e) {
      // A rule must never crash synth on odd input; report it so it gets fixed.
      hits = [{ field: 'spec', message: `admission rule ${r.id} could not check this object: ${(e as Error).message}` }];
    }
    for (const h of hits) {
      const sub = h.rule === undefined || h.rule === r.id ? undefined : r.reports?.find((s) => s.id === h.rule);
      const fix = h.fix === null ? undefined : h.fix ?? (h.rule === undefined || h.rule === r.id ? r.fix : sub?.fix);
      const p: AdmissionProblem = {
        field: h.field ?? r.field,
        message: h.message ?? r.message,
        ...('value' in h && h.value !== undefined ? { value: h.value } : {}), // no "(got undefined)"
        ...(fix !== undefined ? { fix } : {}),
        rule: h.rule ?? r.id,
      };
      ((h.severity ?? r.severity) === 'warning' ? warnings : errors).push(p);
    }
  }
  return { errors, warnings };
}

/** What a rule of a kind other than Cluster sees. */
export interface ObjectContext {
  readonly obj: any;
  readonly spec: any;
  readonly name: string;
  readonly annotations: Record<string, unknown>;
}
