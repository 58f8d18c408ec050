import { IMAGE_PINS } from '../core/pins';

import { isVersionError, versionFromTag } from '../rules/image-reference';

/**
 * The contents of a CloudNativePG operand image (`postgres-containers` TYPE).
 */
export class ImageFlavour {
  /** PGDG packages only: the image the Barman Cloud plugin and image-volume extensions are designed for. */
  public static readonly MINIMAL = new ImageFlavour('minimal', []);
  /** Minimal plus PGAudit, pg_failover_slots, pgvector, all locales and JIT. */
  public static readonly STANDARD = new ImageFlavour('standard', ['pgaudit', 'pg_failover_slots', 'vector']);

  private constructor(
    /** The TYPE segment of the tag. */
    public readonly name: string,
    /** Extensions the flavour ships beyond PostgreSQL's own contrib modules. */
    public readonly bundledExtensions: readonly string[],
  ) {}
}

/** The CloudNativePG operand image repository. */
export const CNPG_POSTGRES_REPOSITORY = 'ghcr.io/cloudnative-pg/postgresql';

/** Options for `PostgresImage.of`. */
export interface PostgresImageOptions {
  /**
   * What the image contains.
   * @default ImageFlavour.MINIMAL
   */
  readonly flavour?: ImageFlavour;
  /**
   * The Debian release the image is built on.
   * @default "trixie"
   */
  readonly os?: string;
  /**
   * Image repository.
   * @default "ghcr.io/cloudnative-pg/postgresql"
   */
  readonly repository?: string;
}


/**
 * A PostgreSQL operand image, pinned by major and minor version.
 *
 * Never a `latest` or version-less tag (the operator cannot detect upgrades) and never the deprecated `system`
 * flavour: `PostgresImage.of('16.14', { flavour: ImageFlavour.STANDARD })` →
 * `ghcr.io/cloudnative-pg/postgresql:16.14-standard-trixie`.
 */
export class PostgresImage {
  /**
   * The image of a PostgreSQL version (`MAJOR.MINOR`) built by CloudNativePG.
   */
  public static of(version: string, options: PostgresImageOptions = {}): PostgresImage {
    const flavour = options.flavour ?? ImageFlavour.MINIMAL;
    const os = options.os ?? 'trixie';
    const repository = options.repository ?? CNPG_POSTGRES_REPOSITORY;
    return new PostgresImage(`${repository}:${version}-${flavour.name}-${os}`, flavour);
  }

  /**
   * The image of the current minor release of a PostgreSQL major, as pinned in the library's pin table
   * (`IMAGE_PINS.postgres`, checked against cloudnative-pg/postgres-containers). Upgrading the library upgrades the
   * minor: review the diff of `dist/` (a rolling restart of every instance).
   */
  public static current(major: 16 | 17 | 18, options: PostgresImageOptions = {}): PostgresImage {
    return PostgresImage.of(IMAGE_PINS.postgres[major], options);
  }

  /**
   * Any image reference, for mirrors and custom builds. Its tag must still start with the PostgreSQL version.
   * @param flavour what the image contains, used to check requested extensions
   * @default flavour ImageFlavour.MINIMAL
   */
  public static fromImageName(imageName: string, flavour: ImageFlavour = ImageFlavour.MINIMAL): PostgresImage {
    return new PostgresImage(imageName, flavour);
  }

  /** The tag (without digest), or undefined when the reference has none. */
  public readonly tag: string | undefined;
  /**
   * PostgreSQL major version parsed from the tag as the operator parses it (machinery `version.FromTag`), or NaN when
   * it does not parse (`16.five`: the whole dotted prefix must be numbers).
   */
  public readonly major: number;
  /** PostgreSQL minor version parsed from the tag, or NaN when absent (`17-minimal-trixie`) or unparseable. */
  public readonly minor: number;
  /** Why the operator cannot read a version from the tag, when it cannot. */
  private readonly versionError?: string;

  private constructor(
    /** The full image reference, as rendered into `spec.imageName`. */
    public readonly imageName: string,
    /** What the image contains. */
    public readonly flavour: ImageFlavour,
  ) {
    this.tag = parseTag(imageName);
    const v = this.tag ? versionFromTag(this.tag) : undefined;
    this.major = v && !isVersionError(v) ? v.major : NaN;
    this.minor = v && !isVersionError(v) && /^\d+\.\d/.test(this.tag!) ? v.minor : NaN;
    this.versionError = v && isVersionError(v) ? v.error : undefined;
  }

  /**
   * What is wrong with this image for CloudNativePG 1.30, in the webhook's terms (rules 32–34, 37); empty when fine.
   */
  public problems(): string[] {
    const out: string[] = [];
    const withoutDigest = this.imageName.split('@')[0];
    if (this.tag === undefined) {
      out.push(withoutDigest === this.imageName
        ? 'the image has no tag, so the operator would assume "latest" and could not detect upgrades'
        : 'a digest without a tag cannot be used: the operator reads the PostgreSQL version from the tag');
    } else if (this.tag === 'latest') {
      out.push('"latest" cannot be used as image tag: the operator could not detect upgrades');
    } else if (Number.isNaN(this.major)) {
      out.push(`the tag "${this.tag}" does not start with a PostgreSQL version the operator can parse (invalid version tag: ${this.versionError})`);
    } else if (this.major < 14) {
      out.push(`PostgreSQL ${this.major} is not supported by CloudNativePG 1.30 (14 to 18 are)`);
    }
    if (this.tag && /(^|-)system(-|$)/.test(this.tag)) {
      out.push('"system" images are deprecated and will be removed with in-tree Barman Cloud support');
    }
    return out;
  }
}

/** The tag of an image reference: after the last `:` that follows the last `/`, before any `@digest`. */
function parseTag(imageName: string): string | undefined {
  const withoutDigest = imageName.split('@')[0];
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon >= 0 ? lastSegment.slice(colon + 1) : undefined;
}
