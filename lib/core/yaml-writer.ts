import * as fs from 'fs';
import { Yaml } from 'cdk8s';

/**
 * Writes YAML byte for byte as cdk8s' `Yaml.stringify`/`Yaml.save` do (cdk8s `lib/yaml.js`: each document through
 * `yaml` 2.9's `stringify` with `{ keepUndefined: true, lineWidth: 0, version: '1.1' }`, joined with `---\n`), without
 * building the `yaml` document tree: about a tenth of a synth went into that tree and its garbage.
 *
 * The layout is `yaml`'s (`stringifyCollection.js`, `stringifyPair.js`, `stringifyNumber.js` of yaml 2.9.1): block
 * mappings and sequences with sequences indented under their key, `{}` and `[]` for empty ones, `null` for null and
 * undefined. String values take yaml's decisions, made here with its own patterns (`stringifyString.js`): plain, single
 * or double quotes, or a literal block. What is left — a string with a control character, a block that needs an
 * indentation indicator or keeps trailing blanks, a key that is not certainly plain, a document this writer does not
 * cover — goes to cdk8s' `Yaml.stringify` itself (the `yaml` copy cdk8s has loaded anyway, with the options matched
 * here). Nothing in this repository's `dist/` is left to it. `test/yaml-writer.test.ts` compares both writers on the
 * committed `dist/` and on thousands of random tricky documents.
 *
 * Internal to the library (not re-exported from `index.ts`).
 */

/** The YAML text of `docs`, as cdk8s `Yaml.stringify(...docs)` writes it: an undefined document is an empty one. */
export function stringifyYamlDocuments(docs: readonly unknown[]): string {
  return docs.map((doc) => (doc === undefined ? '\n' : stringifyDocument(doc))).join('---\n');
}

/** Writes `docs` to `filePath` as cdk8s `Yaml.save(filePath, docs)` does. */
export function saveYamlDocuments(filePath: string, docs: readonly unknown[]): void {
  fs.writeFileSync(filePath, stringifyYamlDocuments(docs), { encoding: 'utf8' });
}

/**
 * Thrown by the writer when a document holds something it does not write itself: the whole document then goes to
 * cdk8s' writer (a shared object, which `yaml` writes as an anchor and aliases; a Map, a Date, a class instance or anything
 * else with its own tag or `toJSON`; a bigint, a symbol, a function).
 */
const NOT_COVERED = Symbol('not covered');

function stringifyDocument(doc: unknown): string {
  // A top-level scalar has layout rules of its own (document markers, block indentation); no manifest is one.
  if (doc !== null && typeof doc === 'object') {
    try {
      return collection(doc, '', new Set()) + '\n';
    } catch (e) {
      if (e !== NOT_COVERED) throw e;
    }
  }
  return Yaml.stringify(doc);
}

/**
 * A non-empty or empty mapping or sequence whose context indentation is `indent` (yaml's `ctx.indent`): the entries of a
 * mapping start at `indent`, the items of a sequence too, each item's own content one level deeper. The first line
 * carries no indentation: the caller places it.
 */
function collection(value: object, indent: string, seen: Set<object>): string {
  // yaml gives an object met a second time in a document an anchor and writes aliases (`aliasDuplicateObjects`).
  if (seen.has(value)) throw NOT_COVERED;
  seen.add(value);
  const inner = indent + '  ';
  let out = '';
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw NOT_COVERED;
    if (value.length === 0) return '[]';
    for (let i = 0; i < value.length; i++) {
      out += (i === 0 ? '- ' : '\n' + indent + '- ') + node(value[i], inner, seen);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw NOT_COVERED;
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  for (let i = 0; i < keys.length; i++) {
    const v = (value as Record<string, unknown>)[keys[i]];
    // A key's context is one level in: the keys of the top-level mapping are the ones at yaml's `indentStep`.
    const key = scalarKey(keys[i], indent === '');
    if (i > 0) out += '\n' + indent;
    if (key.length > 1024) {
      // yaml makes a key longer than 1024 characters explicit (`? key`), the value on its own `: ` line
      // (stringifyPair.js); its first line then follows `: ` directly, also for a mapping or a sequence.
      out += '? ' + key + '\n' + indent + ': ' + node(v, inner, seen);
    } else if (v !== null && typeof v === 'object' && !isEmpty(v)) {
      out += key + ':\n' + inner + node(v, inner, seen);
    } else {
      out += key + ': ' + node(v, inner, seen);
    }
  }
  return out;
}

function isEmpty(value: object): boolean {
  if (Array.isArray(value)) return value.length === 0;
  for (const k in value) if (Object.prototype.hasOwnProperty.call(value, k)) return false;
  return true;
}

/** A value whose context indentation is `indent` (the indentation its continuation lines get). */
function node(value: unknown, indent: string, seen: Set<object>): string {
  switch (typeof value) {
    case 'string': return scalarString(value, indent);
    case 'number': return stringifyNumber(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'undefined': return 'null';
    case 'object': return value === null ? 'null' : collection(value, indent, seen);
    default: throw NOT_COVERED;
  }
}

/** yaml's `stringifyNumber` for a plain number (every number gets the float or decimal int tag: no format). */
function stringifyNumber(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n < 0 ? '-.inf' : '.inf';
  return Object.is(n, -0) ? '-0' : String(n);
}

/**
 * The quick test, for keys and most values: printable ASCII without `#` (no escapes, no ` #` comment); a first
 * character that is no indicator (a letter, a digit, `_`, `/`, `.`, `$`, `(` or `-`, yaml's list being
 * `,[]{}#&*!|>'"%@`, a backquote, `?`/`-` before a space, and a space); a last one that is neither a space nor `:`.
 * Narrower than what yaml writes plain (stringifyString.js `plainString`), on purpose: a value it does not pass is
 * decided exactly by `oneLineString`, a key by yaml.
 */
const PLAIN_CHARACTERS = /^[\w/.$(-](?:[ !"$-~]*[!"$-9;-~])?$/;
/** Also not plain: `: ` (a mapping), `-` alone or `- ` first (a sequence item), a document marker `---`/`...` first. */
const NOT_PLAIN = /: |^-(?: |$)|^(?:---|\.\.\.)/;
/**
 * A superset of the strings the YAML 1.1 schema would read as something else, which yaml quotes (the `test` of the
 * default tags in yaml's `schema/yaml-1.1/` and `schema/common/null.js`): null (`~`, `null`), booleans (`y`, `no`,
 * `on`, …), merge keys (`<<`), `.inf`/`.nan`, and anything numeric-looking — every int (binary, octal, decimal, hex,
 * sexagesimal), float (including `e5`, `.`, `-.`) and timestamp starts with a digit, `.` or `e` after an optional
 * sign and uses only the characters below. Case-insensitive: a superset again.
 */
const LOOKALIKE = /^(?:[-+]?[\d.e][\da-f_.:+xobtz -]*|[-+]?\.(?:inf|nan)|~|null|y|yes|n|no|true|false|on|off|<<)$/i;

/** Whether yaml writes `s` as a plain scalar, unchanged, wherever it is (a key, a value or an item, at any depth). */
function isPlain(s: string): boolean {
  return PLAIN_CHARACTERS.test(s) && !NOT_PLAIN.test(s) && !LOOKALIKE.test(s);
}

/** Control characters and lone surrogates: yaml double-quotes (escapes) any string with one (`stringifyString`). */
const FORCES_DOUBLE_QUOTES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;

/**
 * The strings yaml never writes plain (`plainString` in stringify/stringifyString.js of yaml 2.9.1, the same pattern):
 * an indicator first, `-` or `?` alone or before a blank, `: ` or ` #` inside, a blank or `:` last, blanks around a
 * line break.
 */
const NEVER_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/**
 * The `test` of every default tag of yaml 2.9.1's YAML 1.1 schema but the string's (schema/yaml-1.1/schema.js: null,
 * bool, int, float, timestamp): a string one of them reads is quoted so that it reads back as a string. The merge key
 * `<<` is not among them: yaml writes it plain as a value (`test/yaml-writer.test.ts` has the case).
 */
const YAML_1_1_TAG_TESTS = [
  /^(?:~|[Nn]ull|NULL)?$/, // common/null.js
  /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/, /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/, // yaml-1.1/bool.js
  /^[-+]?0b[0-1_]+$/, /^[-+]?0[0-7_]+$/, /^[-+]?[0-9][0-9_]*$/, /^[-+]?0x[0-9a-fA-F_]+$/, // yaml-1.1/int.js
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/, // yaml-1.1/float.js
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/, /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/, // yaml-1.1/timestamp.js
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\.[0-9]+)?)(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/,
];

/**
 * A one-line string value or item, as yaml writes it below the root (`plainString`, then `quotedString`): plain unless
 * it must not be or would read as another type; quoted, in single quotes when it holds double quotes and no single ones
 * (no escapes needed then), else in double quotes — JSON's, as no character needs one of YAML's own escapes (the
 * caller leaves control characters to yaml) and `lineWidth: 0` folds nothing.
 */
function oneLineString(s: string): string {
  if (!NEVER_PLAIN.test(s) && !YAML_1_1_TAG_TESTS.some((t) => t.test(s))) return s;
  return s.includes('"') && !s.includes("'") ? `'${s}'` : JSON.stringify(s);
}

/**
 * A multi-line string value or item as yaml writes it below the root: a literal block (`blockString`; `lineWidth: 0`
 * never folds), `|` keeping one final line break or `|-` for none, each run of line breaks followed by the indentation.
 * Only for what needs no indentation indicator or kept trailing blanks: the text starts with neither a space nor a line
 * break and ends in something else than a blank, then at most one line break. Anything else is yaml's.
 */
function literalBlock(s: string, indent: string): string | undefined {
  if (s[0] === ' ' || s[0] === '\n' || !/[^\n\t ]\n?$/.test(s)) return undefined;
  const clip = s.endsWith('\n');
  const body = clip ? s.slice(0, -1) : s;
  return `|${clip ? '' : '-'}\n${indent}${body.replace(/\n+/g, (breaks) => breaks + indent)}`;
}

/** yaml's text of strings it was asked for: memoized, as the same few recur in every file (bounded for long runs). */
const delegatedValues = new Map<string, string>();
const delegatedKeys = new Map<string, string>();
const MEMO_LIMIT = 10_000;

function memo(cache: Map<string, string>, key: string, make: () => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    if (cache.size >= MEMO_LIMIT) cache.clear();
    cache.set(key, (text = make()));
  }
  return text;
}

/**
 * A string value or sequence item whose context indentation is `indent`: written here when the rules above decide it,
 * else yaml's text for it. yaml writes a string that is not a top-level
 * document the same way at every depth but for that indentation, which it puts right after line breaks: every line
 * break of a block scalar (`|`, `|-`, `|+`, `|2-`) or of a multi-line quoted string is followed by another line break,
 * by the end, or by exactly the indentation (stringifyString.js: `$&${indent}` after each run of line breaks). The rest
 * of the context it reads does not vary below the root: an empty indentation (document markers, `forceBlockIndent`)
 * is the root's, `implicitKey` a key's, and `lineWidth: 0` turns folding, and with it the column, off. So yaml's text
 * for the string as an item of a top-level sequence, where the indentation is two spaces, is re-indented.
 */
function scalarString(s: string, indent: string): string {
  if (isPlain(s)) return s;
  if (!FORCES_DOUBLE_QUOTES.test(s)) {
    const written = s.includes('\n') ? literalBlock(s, indent) : oneLineString(s);
    if (written !== undefined) return written;
  }
  const text = memo(delegatedValues, s, () => Yaml.stringify([s]).slice('- '.length, -'\n'.length));
  return indent === '  ' || !text.includes('\n') ? text : text.replace(/\n {2}/g, '\n' + indent);
}

/**
 * A mapping key as yaml writes it (still implicit: the caller makes a longer one than 1024 characters explicit). A key
 * never spans lines (yaml double-quotes one with a line break and keeps the `\n` escapes), so depth does not matter,
 * except that yaml quotes a key starting with a document marker in the top-level mapping only (`implicitKey && indent
 * === indentStep` in `plainString`): the key is asked for in a top-level mapping, or in a mapping in a sequence.
 */
function scalarKey(k: string, topLevel: boolean): string {
  if (isPlain(k)) return k;
  return memo(delegatedKeys, (topLevel ? 't' : 'n') + k, () => {
    const text = Yaml.stringify(topLevel ? { [k]: null } : [{ [k]: null }]);
    const line = text.slice(topLevel ? 0 : '- '.length, text.indexOf('\n'));
    // `? key` when yaml made it explicit; an implicit key never starts with `? ` (it would be quoted)
    return line.startsWith('? ') ? line.slice('? '.length) : line.slice(0, -': null'.length);
  });
}
