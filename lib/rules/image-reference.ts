/**
 * How CloudNativePG reads an operand image reference and the PostgreSQL version in its tag, ported from the
 * operator's `cloudnative-pg/machinery` v0.5.0 (the version operator 1.30.0 pins in its go.mod):
 *
 * - `parseImageReference`: `pkg/image/reference/imagename.go@v0.5.0` `New`;
 * - `versionFromTag`: `pkg/postgres/version/version.go@v0.5.0` `FromTag`.
 *
 * No imports: construct files (`postgres-image.ts`) and the admission rules share it.
 */

/** An image reference split as the operator splits it (`reference.Data`). */
export interface ImageReference {
  /** Registry and repository, normalised (`docker.io/library/` added to bare names). */
  readonly name: string;
  /** The tag; `latest` when the reference has neither tag nor digest; empty when it has only a digest. */
  readonly tag: string;
  /** The sha256 digest (hex), or empty. */
  readonly digest: string;
}

const DIGEST = /@sha256:([a-fA-F0-9]+)$/;
const TAG = /:([^/]+)$/;
const HOST = /^[^./:]+((\.[^./:]+)+(:[0-9]+)?|:[0-9]+)\//;

/** machinery `reference.New`: the tag, digest and name of an image reference. */
export function parseImageReference(imageName: string): ImageReference {
  let name = imageName;
  if (!name.includes('/')) name = `docker.io/library/${name}`;
  else if (!HOST.test(name)) name = `docker.io/${name}`;
  let digest = '';
  let tag = '';
  const d = DIGEST.exec(name);
  if (d) {
    digest = d[1];
    name = name.slice(0, name.length - d[0].length);
  }
  // Go's regexp finds the leftmost match: the first ":" after which no "/" follows.
  const t = TAG.exec(name);
  if (t) {
    tag = t[1];
    name = name.slice(0, t.index);
  } else if (digest === '') {
    tag = 'latest';
  }
  return { name, tag, digest };
}

/** A PostgreSQL version read from an image tag. */
export interface TagVersion {
  readonly major: number;
  readonly minor: number;
}

const SEMANTIC_VERSION = /^(\d\.?)+/;

/** Go's `strconv.Atoi` on a decimal string: undefined on an empty string, a non-digit, or an int64 overflow. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > BigInt('9223372036854775807') || n < BigInt('-9223372036854775808')) return undefined;
  return Number(n);
}

/**
 * machinery `version.FromTag`: the version at the start of a tag, or the operator's error. The whole dotted prefix
 * must parse: `16.5-standard-trixie` is 16.5 and `17beta1` is 17.0, but `16.five` and `17.old` fail (the prefix
 * `16.` has an empty minor), which the webhook reports as "invalid version tag".
 */
export function versionFromTag(tag: string): TagVersion | { readonly error: string } {
  if (!SEMANTIC_VERSION.test(tag)) {
    return { error: `version not starting with a semantic version regex (^(\\d\\.?)+): ${tag}` };
  }
  const version = SEMANTIC_VERSION.exec(tag)![0];
  const parts = version.split('.');
  const major = atoi(parts[0]);
  if (major === undefined) return { error: `wrong PostgreSQL major in version ${version}` };
  let minor = 0;
  if (parts.length > 1) {
    const m = atoi(parts[1]);
    if (m === undefined) return { error: `wrong PostgreSQL minor in version ${version}` };
    minor = m;
  }
  return { major, minor };
}

/** Whether `versionFromTag` failed. */
export function isVersionError(v: TagVersion | { readonly error: string }): v is { readonly error: string } {
  return 'error' in v;
}
