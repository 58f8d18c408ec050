/**
 * The rule table of each kind of group `postgresql.cnpg.io` other than Cluster (`cluster.ts`), one file per kind.
 * Update-only rules (immutable fields) are in `lib/core/update-checks.ts`.
 */
import { BACKUP_RULES, SCHEDULED_BACKUP_RULES } from './backup';
import { DATABASE_RULES } from './database';
import { DATABASE_ROLE_RULES } from './database-role';
import { IMAGE_CATALOG_RULES } from './image-catalog';
import { POOLER_RULES } from './pooler';
import { PUBLICATION_RULES } from './publication';
import { AdmissionRule, ObjectContext } from './rule';
import { SUBSCRIPTION_RULES } from './subscription';

export const OTHER_KIND_RULES: Readonly<Record<string, readonly AdmissionRule<ObjectContext>[]>> = {
  Pooler: POOLER_RULES,
  Database: DATABASE_RULES,
  Publication: PUBLICATION_RULES,
  Subscription: SUBSCRIPTION_RULES,
  DatabaseRole: DATABASE_ROLE_RULES,
  ImageCatalog: IMAGE_CATALOG_RULES,
  ClusterImageCatalog: IMAGE_CATALOG_RULES,
  Backup: BACKUP_RULES,
  ScheduledBackup: SCHEDULED_BACKUP_RULES,
};
