/**
 * CloudNativePG 1.30's admission rules for an ImageCatalog or ClusterImageCatalog (CRD), one row per rule (`rule.ts`).
 */
import { duplicates, list } from './checks';
import { AdmissionRule, CRD, Hit, ObjectContext, rule, RuleRow } from './rule';

const r = (row: RuleRow<ObjectContext>) => rule(row);
const CATALOG_CRD = CRD('imagecatalogs');

export const IMAGE_CATALOG_RULES: readonly AdmissionRule<ObjectContext>[] = [
  r({
    id: '2.7#ImageCatalog.images', field: 'spec.images', message: 'Images must have unique major versions (at least 10)',
    fix: 'list each major (10 or later) once', upstream: CATALOG_CRD('x-kubernetes-validations of spec.images'),
    when: (c) => {
      const images = list(c.spec.images);
      return [
        ...duplicates('spec.images', images, 'major').map((f): Hit => ({ ...f, message: 'Images must have unique major versions' })),
        ...(!Array.isArray(c.spec.images) ? [{ message: 'Required value' }] : []),
        ...images.flatMap((im, i) => (!Number.isInteger(im?.major) || im.major < 10
          ? [{ field: `spec.images[${i}].major`, message: 'should be an integer greater than or equal to 10', value: im?.major }]
          : [])),
      ];
    },
  }),
  r({
    id: '2.7#ImageCatalog.componentImages', field: 'spec.componentImages', message: 'Component image keys must be unique',
    fix: 'list each key once', upstream: CATALOG_CRD('x-kubernetes-validations of spec.componentImages'),
    when: (c) => duplicates('spec.componentImages', list(c.spec.componentImages), 'key').map((f): Hit => ({ ...f, message: 'Component image keys must be unique' })),
  }),
];
