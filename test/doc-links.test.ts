/**
 * Links that point at files that exist: every repository document the library cites (in messages, TSDoc and comments
 * of lib/, bin/, scripts/ and main.ts: `docs/...`, `docs/<file>.md#<anchor>`) exists, and every relative link of the
 * committed Markdown (README.md, docs/) resolves.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** Citations of other projects' `docs/` folders, which are not this repository's: the text before them names the project. */
const UPSTREAM_CITATIONS: ReadonlyArray<{ file: string; cite: string; project: string }> = [
  { file: 'lib/platform/first-sync.ts', cite: 'docs/user-guide/sync-waves.md', project: 'argoproj/argo-cd' },
];

function listFiles(dir: string, ext: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listFiles(p, ext);
    return ext.test(e.name) ? [p] : [];
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped (but `-` and `_`), spaces as `-`. */
function headingSlug(heading: string): string {
  return heading.replace(/`/g, '').trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');
}

const anchorCache = new Map<string, Set<string>>();
/** The anchors of a Markdown file: its headings' and every explicit `id="…"`. */
function anchorsOf(file: string): Set<string> {
  let anchors = anchorCache.get(file);
  if (!anchors) {
    const text = fs.readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
    anchors = new Set([
      ...[...text.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]),
      ...[...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => headingSlug(m[1])),
    ]);
    anchorCache.set(file, anchors);
  }
  return anchors;
}

/** Why a repository path (with an optional `#anchor`) does not resolve, or undefined when it does. */
function brokenLink(target: string, anchor: string | undefined): string | undefined {
  if (!fs.existsSync(target)) return 'no such file';
  if (anchor && target.endsWith('.md') && !anchorsOf(target).has(anchor)) return `no anchor #${anchor}`;
  return undefined;
}

/** `docs/...` citations in source text: a path that starts at the repository root (not part of a URL or another path). */
function citations(text: string): Array<{ cite: string; anchor?: string }> {
  return [...text.matchAll(/(?<![\w./-])(docs\/[\w./-]*[\w/])(?:#([\w-]+))?/g)].map((m) => ({ cite: m[1], anchor: m[2] }));
}

describe('documents cited by the library exist', () => {
  const sources = [
    ...listFiles(path.join(ROOT, 'lib'), /\.ts$/),
    ...listFiles(path.join(ROOT, 'bin'), /\.ts$/),
    ...listFiles(path.join(ROOT, 'scripts'), /\.ts$/),
    path.join(ROOT, 'main.ts'),
  ];

  test('every docs/… path (and #anchor) cited in lib/, bin/, scripts/ and main.ts exists in the repository', () => {
    const broken: string[] = [];
    let cited = 0;
    for (const file of sources) {
      const rel = path.relative(ROOT, file);
      for (const { cite, anchor } of citations(fs.readFileSync(file, 'utf8'))) {
        if (UPSTREAM_CITATIONS.some((u) => u.file === rel && u.cite === cite)) continue;
        cited++;
        const why = brokenLink(path.join(ROOT, cite), anchor);
        if (why) broken.push(`${rel}: ${cite}${anchor ? `#${anchor}` : ''} (${why})`);
      }
    }
    expect(broken).toEqual([]);
    expect(cited).toBeGreaterThan(20); // the scan finds the citations (docs/rules.md, docs/runbooks/, docs/drills/, …)
  });

  test('the upstream citations that are skipped still name their project, so they are not this repository\'s', () => {
    for (const u of UPSTREAM_CITATIONS) {
      const text = fs.readFileSync(path.join(ROOT, u.file), 'utf8');
      expect([u.file, text.includes(`${u.project} ${u.cite}`)]).toEqual([u.file, true]);
    }
  });

  test('nothing cites docs/cnpg-operator.md, which is in neither the repository nor the package (the rules are docs/rules.md)', () => {
    const citing = sources.filter((f) => fs.readFileSync(f, 'utf8').includes('cnpg-operator.md')).map((f) => path.relative(ROOT, f));
    expect(citing).toEqual([]);
  });

  test('the citation scan: repository paths, not URLs or other projects\' paths', () => {
    expect(citations('see docs/rules.md#2-1-129, docs/drills/ and (docs/rehearse.md).')).toEqual([
      { cite: 'docs/rules.md', anchor: '2-1-129' }, { cite: 'docs/drills/', anchor: undefined }, { cite: 'docs/rehearse.md', anchor: undefined },
    ]);
    expect(citations('https://www.postgresql.org/docs/current/x.html and https://github.com/o/r/blob/main/docs/runbooks')).toEqual([]);
    expect(headingSlug('The first-sync model')).toBe('the-first-sync-model');
    expect(headingSlug('Credentials: Sealed Secrets')).toBe('credentials-sealed-secrets');
  });
});

describe('relative links of the committed Markdown resolve', () => {
  const pages = [path.join(ROOT, 'README.md'), ...listFiles(path.join(ROOT, 'docs'), /\.md$/)];

  test('every relative link of README.md and docs/**/*.md points at an existing file (and heading or anchor)', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = fs.readFileSync(page, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
      for (const [, link] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto:
        const [file, anchor] = link.split('#');
        const target = file === '' ? page : path.resolve(path.dirname(page), decodeURIComponent(file));
        const why = brokenLink(target, anchor);
        if (why) broken.push(`${path.relative(ROOT, page)}: ${link} (${why})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
