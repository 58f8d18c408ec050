import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as cnpg from '../../imports/postgresql.cnpg.io';
import { isDns1123Subdomain } from '../core/k8s-syntax';
import { Problem, Problems } from '../core/problems';
import { ImageFlavour, PostgresImage } from './postgres-image';
import { CnpgResource, PropFields } from './cnpg-resource';

/** The API group of CloudNativePG's catalogs (`imageCatalogRef.apiGroup`). */
export const CNPG_API_GROUP = 'postgresql.cnpg.io';

/** The kind of an image catalog. */
export enum ImageCatalogKind {
  /** `ImageCatalog`: namespaced, usable by clusters of its namespace. */
  NAMESPACED = 'ImageCatalog',
  /** `ClusterImageCatalog`: cluster-scoped, usable by every namespace. */
  CLUSTER_WIDE = 'ClusterImageCatalog',
}

/**
 * An image catalog a cluster can take its image from (`spec.imageCatalogRef`): one image per PostgreSQL major.
 * Implemented by `CnpgImageCatalog` (a catalog this app creates) and `ImageCatalogRef` (one that exists already,
 * such as CloudNativePG's published `postgresql-standard-trixie`).
 */
export interface IImageCatalog {
  /** `metadata.name` of the catalog. */
  readonly catalogName: string;
  /** ImageCatalog or ClusterImageCatalog. */
  readonly kind: ImageCatalogKind;
  /** Namespace of a namespaced catalog. */
  readonly namespace?: string;
  /** The majors the catalog is known to have, or undefined when unknown (a catalog this app does not create). */
  readonly majors?: readonly number[];
  /**
   * The image of a major, as far as this app knows it: the catalog's own entry, or for a catalog created elsewhere
   * a representative image (the rolling `MAJOR-flavour-os` tag) used to check extensions and run drill Jobs.
   */
  imageFor(major: number): PostgresImage | undefined;
}

/**
 * A cluster's choice of catalog and major (`spec.imageCatalogRef`), from `catalog.select(major)`. Changing `major`
 * upgrades the cluster in place (CloudNativePG runs pg_upgrade, see docs/drills/major-upgrade.md); the image of the
 * same major can change in the catalog (a minor upgrade: a rolling update of every cluster using it).
 */
export class ImageCatalogSelection {
  public constructor(
    /** The catalog. */
    public readonly catalog: IImageCatalog,
    /** The PostgreSQL major taken from it. */
    public readonly major: number,
  ) {}

  /** The image of the selected major (see `IImageCatalog.imageFor`). */
  public get image(): PostgresImage {
    return this.catalog.imageFor(this.major) ?? PostgresImage.of(String(this.major));
  }

  /** What is wrong with this selection for a cluster in `namespace`; empty when fine. */
  public problems(namespace: string): Problem[] {
    const out: Problem[] = [];
    if (!Number.isInteger(this.major) || this.major < 14) {
      out.push({ field: 'imageCatalog.major', message: 'must be a supported PostgreSQL major (14 to 18)', value: this.major });
    } else if (this.catalog.majors && !this.catalog.majors.includes(this.major)) {
      out.push({
        field: 'imageCatalog.major',
        message: `the catalog "${this.catalog.catalogName}" has no image for PostgreSQL ${this.major} (it has ${this.catalog.majors.join(', ') || 'none'}); the cluster would stop reconciling ("Cluster has incomplete or invalid image catalog")`,
        value: this.major,
        fix: `add PostgresImage.of('${this.major}.<minor>') to the catalog, or select one of its majors`,
      });
    }
    if (this.catalog.kind === ImageCatalogKind.NAMESPACED && this.catalog.namespace !== namespace) {
      out.push({
        field: 'imageCatalog',
        message: `an ImageCatalog is only visible to clusters of its own namespace "${this.catalog.namespace}"`,
        value: `${this.catalog.namespace}/${this.catalog.catalogName}`,
        fix: 'create the catalog in the cluster\'s namespace, or make it a ClusterImageCatalog (clusterWide: true)',
      });
    }
    return out;
  }

  /** `spec.imageCatalogRef`. */
  public render(): cnpg.ClusterSpecImageCatalogRef {
    return { apiGroup: CNPG_API_GROUP, kind: this.catalog.kind, name: this.catalog.catalogName, major: this.major };
  }
}

/** Options of a catalog that exists outside this app. */
export interface ImageCatalogRefOptions {
  /**
   * What the catalog's images contain (checked against requested extensions).
   * @default ImageFlavour.MINIMAL
   */
  readonly flavour?: ImageFlavour;
  /**
   * The Debian release of its images.
   * @default "trixie"
   */
  readonly os?: string;
  /**
   * Namespace, for a namespaced `ImageCatalog`.
   * @default - none (a ClusterImageCatalog)
   */
  readonly namespace?: string;
}

/**
 * A catalog this app does not create, e.g. one of the `ClusterImageCatalog`s CloudNativePG publishes in
 * `cloudnative-pg/artifacts` (`postgresql-minimal-trixie`, `postgresql-standard-trixie`, images pinned by digest).
 */
export class ImageCatalogRef implements IImageCatalog {
  /** A `ClusterImageCatalog` by name. */
  public static clusterWide(catalogName: string, options: ImageCatalogRefOptions = {}): ImageCatalogRef {
    return new ImageCatalogRef(catalogName, ImageCatalogKind.CLUSTER_WIDE, undefined, options);
  }

  /** A namespaced `ImageCatalog` by name and namespace. */
  public static namespaced(catalogName: string, namespace: string, options: ImageCatalogRefOptions = {}): ImageCatalogRef {
    return new ImageCatalogRef(catalogName, ImageCatalogKind.NAMESPACED, namespace, options);
  }

  public readonly majors = undefined;

  private constructor(
    public readonly catalogName: string,
    public readonly kind: ImageCatalogKind,
    public readonly namespace: string | undefined,
    private readonly options: ImageCatalogRefOptions,
  ) {}

  /** Selects a major of the catalog for a cluster's `imageCatalog` prop. */
  public select(major: number): ImageCatalogSelection {
    return new ImageCatalogSelection(this, major);
  }

  public imageFor(major: number): PostgresImage {
    return PostgresImage.of(String(major), { flavour: this.options.flavour, os: this.options.os });
  }
}

/** Properties of a `CnpgImageCatalog`. */
export interface CnpgImageCatalogProps {
  /**
   * `metadata.name` of the catalog.
   * @default - the construct id
   */
  readonly catalogName?: string;
  /**
   * A cluster-scoped `ClusterImageCatalog` instead of a namespaced `ImageCatalog`. Put it in a chart without a
   * namespace (cdk8s stamps the chart's namespace on every object).
   * @default false
   */
  readonly clusterWide?: boolean;
  /**
   * Namespace of a namespaced catalog (the clusters' namespace).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /** One image per PostgreSQL major, each pinned to a minor version (`PostgresImage.of('18.4', …)`). */
  readonly images: PostgresImage[];
  /**
   * Labels of the catalog.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** The props of `CnpgImageCatalog` and the fields they render (admission problems are reported in these terms). */
const IMAGE_CATALOG_PROP_FIELDS: PropFields = {
  'metadata.name': 'catalogName',
  'metadata.namespace': 'namespace',
  'spec.images': 'images',
};

/**
 * An `ImageCatalog` or `ClusterImageCatalog` (`postgresql.cnpg.io/v1`): the image of each PostgreSQL major, in one
 * place. Clusters select a major (`imageCatalog: catalog.select(18)`) instead of naming an image.
 *
 * - A **minor upgrade** of every cluster on a major: change that major's image here. Each cluster rolls: replicas
 *   one at a time (highest serial first), then the primary by switchover or in-place restart (`primaryUpdateMethod`).
 * - A **major upgrade** of one cluster: select a higher major (only to 16 or newer; never lower). See
 *   docs/drills/major-upgrade.md.
 */
export class CnpgImageCatalog extends CnpgResource implements IImageCatalog {
  public readonly catalogName: string;
  public readonly kind: ImageCatalogKind;
  public readonly namespace?: string;
  /** The majors of the catalog, ascending. */
  public readonly majors: readonly number[];
  /** The generated L1 object. */
  public readonly apiObject: ApiObject;

  private readonly images: readonly PostgresImage[];

  public constructor(scope: Construct, id: string, props: CnpgImageCatalogProps) {
    super(scope, id, IMAGE_CATALOG_PROP_FIELDS);
    this.catalogName = props.catalogName ?? id;
    this.kind = props.clusterWide ? ImageCatalogKind.CLUSTER_WIDE : ImageCatalogKind.NAMESPACED;
    const chartNamespace = Chart.of(this).namespace;
    this.namespace = props.clusterWide ? undefined : props.namespace ?? chartNamespace;
    this.images = [...props.images].sort((a, b) => a.major - b.major);
    this.majors = this.images.map((i) => i.major);
    this.validate(props, chartNamespace);

    const spec = { images: this.images.map((i) => ({ major: i.major, image: i.imageName })) };
    const metadata = { name: this.catalogName, namespace: this.namespace, labels: props.labels };
    this.apiObject = props.clusterWide
      ? new cnpg.ClusterImageCatalog(this, 'Resource', { metadata, spec })
      : new cnpg.ImageCatalog(this, 'Resource', { metadata, spec });
  }

  /** Selects a major of this catalog for a cluster's `imageCatalog` prop. */
  public select(major: number): ImageCatalogSelection {
    return new ImageCatalogSelection(this, major);
  }

  public imageFor(major: number): PostgresImage | undefined {
    return this.images.find((i) => i.major === major);
  }

  private validate(props: CnpgImageCatalogProps, chartNamespace: string | undefined): void {
    const problems = Problems.of(this);
    if (!isDns1123Subdomain(this.catalogName)) {
      problems.error({ field: 'catalogName', message: 'must be a DNS-1123 subdomain', value: this.catalogName, fix: 'use lower-case letters, digits, \'-\' and \'.\'' });
    }
    if (props.clusterWide && chartNamespace) {
      problems.error({
        field: 'clusterWide',
        message: `a ClusterImageCatalog is cluster-scoped, but its chart has the namespace "${chartNamespace}", which cdk8s would stamp on it`,
        fix: 'create it in a chart without a namespace (like the platform\'s namespaces chart)',
      });
    }
    if (!props.clusterWide && !this.namespace) {
      problems.error({ field: 'namespace', message: 'a namespaced ImageCatalog needs a namespace', fix: 'set namespace (the clusters\' namespace) or clusterWide: true' });
    }
    if (this.images.length === 0) {
      problems.error({ field: 'images', message: 'a catalog needs at least one image', fix: "add PostgresImage.of('18.4')" });
    }
    const seen = new Map<number, string>();
    for (const image of this.images) {
      for (const message of image.problems()) {
        problems.error({ field: 'images', message, value: image.imageName, fix: "use PostgresImage.of('MAJOR.MINOR', { flavour })" });
      }
      const other = seen.get(image.major);
      if (other !== undefined) {
        problems.error({
          field: 'images',
          message: `two images for PostgreSQL ${image.major}: a catalog has one image per major ("Images must have unique major versions")`,
          value: [other, image.imageName],
          fix: 'keep one image per major; a minor upgrade replaces the image of its major',
        });
      }
      seen.set(image.major, image.imageName);
    }
  }
}
