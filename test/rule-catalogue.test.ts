/**
 * docs/rules.md, the catalogue every `[rule <id>]` of a message resolves to (issue 15, item 6): generated from the
 * rule tables by `npm run gen:rules`, and fresh.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CLUSTER_RULE_IDS, OTHER_KIND_RULES, renderRuleCatalogue, ruleAnchor, ruleCatalogue } from '../lib/rules/admission';

const ROOT = path.join(__dirname, '..');
const DOC = path.join(ROOT, 'docs', 'rules.md');
const ADMISSION = path.join(ROOT, 'lib', 'rules', 'admission');

describe('docs/rules.md', () => {
  test('is what `npm run gen:rules` writes (run it after changing a rule)', () => {
    expect(fs.existsSync(DOC)).toBe(true);
    const committed = fs.readFileSync(DOC, 'utf8');
    // toBe on the whole text would print a 200-row diff: compare line by line, first difference first
    const want = renderRuleCatalogue().split('\n');
    const got = committed.split('\n');
    const first = want.findIndex((l, i) => got[i] !== l);
    expect({ stale: first >= 0 || got.length !== want.length, line: first + 1, committed: got[first], expected: want[first] })
      .toEqual({ stale: false, line: 0, committed: undefined, expected: undefined });
  });

  test('has an anchor for every rule id a problem can carry', () => {
    const text = fs.readFileSync(DOC, 'utf8');
    const anchors = new Set([...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
    const ids = [...CLUSTER_RULE_IDS, ...Object.values(OTHER_KIND_RULES).flat().map((r) => r.id)];
    expect(ids.filter((id) => !anchors.has(ruleAnchor(id)))).toEqual([]);
  });

  test('anchors are unique, and every row has a field, and an upstream function unless it is a library rule', () => {
    const rows = ruleCatalogue();
    const anchors = rows.map((r) => r.anchor);
    expect(anchors.filter((a, i) => anchors.indexOf(a) !== i)).toEqual([]);
    expect(rows.filter((r) => r.field === '').map((r) => r.id)).toEqual([]);
    expect(rows.filter((r) => r.section !== 'library' && r.upstream === '').map((r) => r.id)).toEqual([]);
    // library rules, and only they, have lib# ids (sub-rules included) and no upstream
    expect(rows.filter((r) => (r.section === 'library') !== r.id.startsWith('lib#')).map((r) => r.id)).toEqual([]);
    expect(rows.filter((r) => r.section === 'library' && r.upstream !== '').map((r) => r.id)).toEqual([]);
    // webhook rows name the file and tag they mirror
    for (const r of rows.filter((x) => x.id.startsWith('2.1#') && !x.reportedBy)) {
      expect([r.id, r.upstream]).toEqual([r.id, expect.stringMatching(/@v1\.30\.0 \w+/)]);
    }
  });

  test('no admission source cites docs/cnpg-operator.md (not in the repository); every docs/rules.md#anchor it cites exists', () => {
    const text = fs.readFileSync(DOC, 'utf8');
    const anchors = new Set([...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
    for (const f of fs.readdirSync(ADMISSION).filter((n) => n.endsWith('.ts'))) {
      const src = fs.readFileSync(path.join(ADMISSION, f), 'utf8');
      expect([f, src.includes('cnpg-operator.md')]).toEqual([f, false]);
      for (const m of src.matchAll(/docs\/rules\.md#([a-z0-9-]+)/g)) expect([f, m[1], anchors.has(m[1])]).toEqual([f, m[1], true]);
    }
  });

  test('ruleAnchor: lower case, other characters become "-"', () => {
    expect(ruleAnchor('2.1#129')).toBe('2-1-129');
    expect(ruleAnchor('lib#backupID-format')).toBe('lib-backupid-format');
    expect(ruleAnchor('2.7#Pooler.parameters')).toBe('2-7-pooler-parameters');
  });
});
