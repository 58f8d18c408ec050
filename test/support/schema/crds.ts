/**
 * Loads and indexes the vendored CRDs (`crds/<group>.yaml`), lazily, once per process (per jest test file).
 *
 * Parsing the 1.2 MB CNPG file with `yaml` takes ~0.5 s, so each parsed file is also cached as JSON in the OS temp
 * directory, keyed by the SHA-256 of the file's content (a stale cache is impossible; a broken one is ignored).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';

export const CRDS_DIR = path.resolve(__dirname, '..', '..', '..', 'crds');
const CACHE_DIR = path.join(os.tmpdir(), 'cdk8s-cnpg-schema-cache');
const CACHE_FORMAT = 1;

export interface CrdVersion {
  /** `postgresql.cnpg.io` */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** `clusters.postgresql.cnpg.io` */
  readonly crdName: string;
  readonly namespaced: boolean;
  readonly served: boolean;
  readonly schema: any;
  /** The vendored file, relative to the repository root (`crds/postgresql.cnpg.io.yaml`). */
  readonly file: string;
}

/** group → (`version/kind` → CRD version), filled per group file on first use. */
const byGroup = new Map<string, Map<string, CrdVersion>>();

/** Parses one multi-document CRD file (with the on-disk JSON cache). */
function parseCrdFile(file: string): any[] {
  const text = fs.readFileSync(file, 'utf8');
  const sha = createHash('sha256').update(`${CACHE_FORMAT}\0${text}`).digest('hex');
  const cacheFile = path.join(CACHE_DIR, `${sha}.json`);
  try {
    const cached = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
    if (Array.isArray(cached)) return cached;
  } catch {
    // no or unreadable cache: parse below
  }
  // Splitting on the document separators first and parsing each part with YAML.parse is ~3x faster than
  // YAML.parseAllDocuments on these files (separators never occur inside the indented description scalars).
  const docs: any[] = [];
  for (const part of text.split(/^---[ \t]*$/m)) {
    const doc = YAML.parse(part, { maxAliasCount: -1 });
    if (doc !== null && doc !== undefined) docs.push(doc);
  }
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(docs));
    fs.renameSync(tmp, cacheFile); // atomic: concurrent jest workers never read a partial file
  } catch {
    // the cache is only an optimisation
  }
  return docs;
}

function indexDocs(docs: any[], relFile: string, into: Map<string, Map<string, CrdVersion>>): void {
  for (const crd of docs) {
    if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) {
      throw new Error(`${relFile}: document is not a CustomResourceDefinition (kind ${crd?.kind})`);
    }
    const group: string = crd.spec.group;
    const kind: string = crd.spec.names?.kind;
    let versions = into.get(group);
    if (!versions) into.set(group, (versions = new Map()));
    for (const v of crd.spec.versions ?? []) {
      versions.set(`${v.name}/${kind}`, {
        group,
        version: v.name,
        kind,
        crdName: crd.metadata?.name,
        namespaced: crd.spec.scope !== 'Cluster',
        served: v.served !== false,
        schema: v.schema?.openAPIV3Schema ?? crd.spec.validation?.openAPIV3Schema,
        file: relFile,
      });
    }
  }
}

function loadGroup(group: string): Map<string, CrdVersion> | undefined {
  if (byGroup.has(group)) return byGroup.get(group);
  // Files are named after their API group; load only the one needed.
  const file = path.join(CRDS_DIR, `${group}.yaml`);
  const found = new Map<string, Map<string, CrdVersion>>();
  if (/^[a-z0-9.-]+$/.test(group) && fs.existsSync(file)) {
    indexDocs(parseCrdFile(file), path.relative(path.dirname(CRDS_DIR), file), found);
    for (const [g, versions] of found) {
      if (g !== group) throw new Error(`crds/${group}.yaml holds a CRD of another group: ${g}`);
      byGroup.set(g, versions);
    }
  }
  if (!byGroup.has(group)) byGroup.set(group, undefined as any);
  return byGroup.get(group);
}

/** The CRD version for `apiVersion` + `kind`, or undefined if no vendored CRD defines it. */
export function findCrd(apiVersion: string, kind: string): CrdVersion | undefined {
  const i = apiVersion.lastIndexOf('/');
  if (i < 0) return undefined;
  return loadGroup(apiVersion.slice(0, i))?.get(`${apiVersion.slice(i + 1)}/${kind}`);
}

/** Whether a vendored CRD file exists for the API group (to tell "wrong kind/version" from "unknown group"). */
export function knownGroupKinds(group: string): string[] {
  const versions = loadGroup(group);
  return versions ? [...versions.keys()].map((vk) => `${group}/${vk}`) : [];
}

/** Every vendored CRD version (loads all files). */
export function allCrds(): CrdVersion[] {
  const out: CrdVersion[] = [];
  for (const f of fs.readdirSync(CRDS_DIR).filter((n) => n.endsWith('.yaml')).sort()) {
    const versions = loadGroup(f.slice(0, -'.yaml'.length));
    if (versions) out.push(...versions.values());
  }
  return out;
}
