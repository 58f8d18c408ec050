/**
 * Writes docs/rules.md, the catalogue of every admission rule id a synth message can cite (`[rule <id>]`), from the
 * rule tables in lib/rules/admission (`renderRuleCatalogue`).
 *
 *   npm run gen:rules
 *
 * test/rule-catalogue.test.ts fails when the committed file differs from what this writes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderRuleCatalogue } from '../lib/rules/admission/catalogue';

/** The repository root: the nearest directory above this file (compiled or not) with a package.json. */
function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

const file = path.join(projectRoot(), 'docs', 'rules.md');
const text = renderRuleCatalogue();
const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
fs.writeFileSync(file, text);
console.log(`${path.relative(process.cwd(), file)}: ${before === text ? 'unchanged' : 'written'} (${text.split('\n').filter((l) => l.startsWith('| <a id=')).length} rules)`);
