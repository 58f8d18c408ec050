import * as cnpg from '../../imports/postgresql.cnpg.io';
import { Problem } from '../core/problems';

/**
 * An extension mounted from its own OCI image (`spec.postgresql.extensions[]`, "image volume extensions"): the
 * image's `share` and `lib` folders are added to `extension_control_path` and `dynamic_library_path`. Needs
 * PostgreSQL 18 (the `extension_control_path` setting) and Kubernetes 1.35, or 1.33/1.34 with the `ImageVolume`
 * feature gate. Adding, removing or changing one recreates every instance (a rolling update).
 */
export interface ImageVolumeExtensionOptions {
  /**
   * Name of the entry (and of the volume the operator derives from it): lower-case letters, digits, `-` and `_`,
   * at most 59 characters. Usually the project name, e.g. `pgvector` or `postgis`.
   */
  readonly name: string;
  /**
   * The extension image, pinned to a tag built for the cluster's PostgreSQL major, e.g.
   * `ghcr.io/cloudnative-pg/pgvector:0.8.1-18-trixie`.
   */
  readonly image: string;
  /**
   * The SQL extensions (control files) the image provides, for `CREATE EXTENSION` through a `CnpgDatabase`; e.g.
   * `['vector']` for pgvector, `['postgis', 'postgis_raster', …]` for PostGIS.
   * @default - [name]
   */
  readonly provides?: string[];
  /**
   * Folders inside the image for `extension_control_path`.
   * @default - the operator's default ("/share")
   */
  readonly extensionControlPath?: string[];
  /**
   * Folders inside the image for `dynamic_library_path`.
   * @default - the operator's default ("/lib")
   */
  readonly dynamicLibraryPath?: string[];
  /**
   * Folders inside the image for `LD_LIBRARY_PATH` (e.g. `system` for PostGIS' bundled libraries).
   * @default - none
   */
  readonly ldLibraryPath?: string[];
  /**
   * Libraries of the image to add to `shared_preload_libraries`.
   * @default - none
   */
  readonly sharedPreloadLibraries?: string[];
}

const NAME = /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/;

/** An image volume extension of a cluster, from `cluster.addExtensionImage(...)`. */
export class ImageVolumeExtension {
  /** Name of the entry. */
  public readonly name: string;
  /** The image reference. */
  public readonly image: string;
  /** SQL extensions it provides. */
  public readonly provides: readonly string[];
  /** Libraries it asks to preload. */
  public readonly sharedPreloadLibraries: readonly string[];

  public constructor(private readonly options: ImageVolumeExtensionOptions) {
    this.name = options.name;
    this.image = options.image;
    this.provides = [...(options.provides ?? [options.name])];
    this.sharedPreloadLibraries = [...(options.sharedPreloadLibraries ?? [])];
  }

  /** What the webhook (rules 124–126) or the cluster's major would reject; empty when fine. */
  public problems(postgresMajor: number): Problem[] {
    const o = this.options;
    const field = `postgresql.extensions.${o.name}`;
    const out: Problem[] = [];
    if (!(postgresMajor >= 18)) {
      out.push({
        field,
        message: `image volume extensions need PostgreSQL 18 or newer (extension_control_path); the cluster runs PostgreSQL ${postgresMajor}`,
        value: o.image,
        fix: 'use an image that ships the extension (ImageFlavour.STANDARD has pgvector, pgaudit and pg_failover_slots), or upgrade the cluster to PostgreSQL 18',
      });
    }
    if (typeof o.name !== 'string' || !NAME.test(o.name) || o.name.length > 59) {
      out.push({ field: 'postgresql.extensions', message: 'an extension entry name is lower-case letters, digits, \'-\' and \'_\', at most 59 characters', value: o.name, fix: 'use the project name, e.g. "pgvector"' });
    }
    const tag = imageTag(o.image ?? '');
    if (!o.image) {
      out.push({ field: `${field}.image`, message: 'the extension image is required (this library does not take extensions from image catalogs)', fix: 'set image, e.g. "ghcr.io/cloudnative-pg/pgvector:0.8.1-18-trixie"' });
    } else if (tag === undefined || tag === 'latest') {
      out.push({ field: `${field}.image`, message: 'pin the extension image to a tag built for the cluster\'s PostgreSQL major, never "latest" or no tag', value: o.image, fix: 'e.g. "ghcr.io/cloudnative-pg/pgvector:0.8.1-18-trixie"' });
    }
    for (const [key, paths] of [
      ['extensionControlPath', o.extensionControlPath], ['dynamicLibraryPath', o.dynamicLibraryPath], ['ldLibraryPath', o.ldLibraryPath],
    ] as const) {
      for (const p of paths ?? []) {
        if (typeof p !== 'string' || p === '' || p.split('/').includes('..')) {
          out.push({ field: `${field}.${key}`, message: 'a path must be non-empty and stay inside the extension image (no "..")', value: p });
        }
      }
    }
    if (this.provides.length === 0) {
      out.push({ field: `${field}.provides`, message: 'lists no SQL extension', fix: `list the extensions the image provides, e.g. ["${o.name}"]` });
    }
    return out;
  }

  /** The `spec.postgresql.extensions[]` item. */
  public render(): cnpg.ClusterSpecPostgresqlExtensions {
    const o = this.options;
    return {
      name: o.name,
      image: { reference: o.image },
      extensionControlPath: o.extensionControlPath?.length ? [...o.extensionControlPath] : undefined,
      dynamicLibraryPath: o.dynamicLibraryPath?.length ? [...o.dynamicLibraryPath] : undefined,
      ldLibraryPath: o.ldLibraryPath?.length ? [...o.ldLibraryPath] : undefined,
    };
  }
}

function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0];
  const last = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return colon >= 0 ? last.slice(colon + 1) : undefined;
}
