/**
 * lib/rules/admission/rule.ts: one row per rule, the problem taking the row's field, message and fix unless the hit
 * has its own; and the facts the rules layer defines once (reserved roles, the operator's default parameters).
 */
import { isReservedRoleName } from '../lib/cluster/roles';
import { CNPG_DEFAULT_PARAMETERS } from '../lib/rehearse/rehearsal';
import { CLUSTER_RULES } from '../lib/rules/admission/cluster';
import { CNPG_GLOBAL_DEFAULT_PARAMETERS } from '../lib/rules/admission/defaults';
import { OTHER_KIND_RULES } from '../lib/rules/admission/kinds';
import { CNPG_OVERRIDABLE_DEFAULT_PARAMETERS, forbiddenParameter } from '../lib/rules/admission/parameters';
import { rule, runRules, sectionOf } from '../lib/rules/admission/rule';
import * as rules from '../lib/rules/roles';

describe('a rule row', () => {
  const row = rule<{ v?: number; many?: boolean }>({
    id: '2.1#999', field: 'spec.x', message: 'x is bad', fix: 'set x', upstream: 'somewhere',
    reports: [{ id: 'lib#sub', section: 'library', severity: 'warning', field: 'spec.y', message: 'y', fix: 'fix y' }],
    when: (c) => (c.many
      ? [{ field: 'spec.x[0]', value: 1 }, { message: 'x is odd', fix: null }, { rule: 'lib#sub', field: 'spec.y', message: 'y is bad', severity: 'warning' }]
      : c.v !== undefined && { value: c.v }),
  });

  test('section from the id, error by default', () => {
    expect([row.section, row.severity]).toEqual(['2.1', 'error']);
    expect(rule({ id: 'W9', field: 'f', message: 'm', when: () => false }).severity).toBe('warning');
    expect(['2.1#1', 'W3', '2.4#x', '2.6#y', '2.7#Pooler.z', 'lib#q'].map(sectionOf)).toEqual(['2.1', '2.3', '2.4', '2.6', '2.7', 'library']);
    expect(() => sectionOf('3#1')).toThrow(/rule id 3#1/);
  });

  test('a hit takes the row\'s field, message and fix; a falsy verdict is no problem', () => {
    expect(runRules([row], {}, {})).toEqual({ errors: [], warnings: [] });
    expect(runRules([row], { v: 0 }, {}).errors).toEqual([{ field: 'spec.x', message: 'x is bad', value: 0, fix: 'set x', rule: '2.1#999' }]);
  });

  test('hits override the columns; fix null is none; a sub-rule hit takes the sub-rule\'s fix and its own severity', () => {
    const r = runRules([row], { many: true }, {});
    expect(r.errors).toEqual([
      { field: 'spec.x[0]', message: 'x is bad', value: 1, fix: 'set x', rule: '2.1#999' },
      { field: 'spec.x', message: 'x is odd', rule: '2.1#999' },
    ]);
    expect(r.warnings).toEqual([{ field: 'spec.y', message: 'y is bad', fix: 'fix y', rule: 'lib#sub' }]);
  });

  test('create-only rows are skipped for deployed objects; a crashing condition is reported, not thrown', () => {
    const once = rule<unknown>({ id: '2.1#998', field: 'spec', message: 'm', createOnly: true, when: () => true });
    expect(runRules([once], {}, { existing: true }).errors).toEqual([]);
    const boom = rule<unknown>({ id: '2.1#997', field: 'spec', message: 'm', when: () => { throw new Error('odd'); } });
    expect(runRules([boom], {}, {}).errors[0].message).toBe('admission rule 2.1#997 could not check this object: odd');
  });

  test('every row of every table has a field and a message, and ids are unique per table', () => {
    for (const table of [CLUSTER_RULES, ...Object.values(OTHER_KIND_RULES)]) {
      const ids = table.map((r) => r.id);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
      expect(table.filter((r) => r.field === '' || r.message === '').map((r) => r.id)).toEqual([]);
    }
  });
});

describe('facts defined once, in lib/rules', () => {
  test('reserved role names: ManagedRole uses the rules layer\'s predicate', () => {
    expect(isReservedRoleName).toBe(rules.isReservedRoleName);
    expect(['postgres', 'streaming_replica', 'cnpg_pooler_pgbouncer', 'pg_monitor'].every(rules.isReservedRoleName)).toBe(true);
    expect(['app', 'pgadmin', 'postgres2'].some(rules.isReservedRoleName)).toBe(false);
  });

  test('the rehearsal\'s defaults are the operator\'s global defaults minus the parameters it fixes or blocks', () => {
    expect(CNPG_DEFAULT_PARAMETERS).toBe(CNPG_OVERRIDABLE_DEFAULT_PARAMETERS);
    expect(Object.keys(CNPG_DEFAULT_PARAMETERS).filter((k) => forbiddenParameter(k))).toEqual([]);
    expect(Object.keys(CNPG_GLOBAL_DEFAULT_PARAMETERS).filter((k) => !(k in CNPG_DEFAULT_PARAMETERS)).sort()).toEqual([
      'log_destination', 'log_directory', 'log_filename', 'log_rotation_age', 'log_rotation_size', 'log_truncate_on_rotation',
      'logging_collector', 'shared_preload_libraries',
    ]);
    expect(CNPG_DEFAULT_PARAMETERS).toMatchObject({ wal_level: 'logical', wal_keep_size: '512MB', ssl_min_protocol_version: 'TLSv1.3' });
  });
});
