/**
 * CloudNativePG 1.30's admission rules for a Backup and a ScheduledBackup (webhook and CRD), one row per rule
 * (`rule.ts`); the rows about the backup method are the same for both kinds, with the kind in the id.
 */
import { scheduleProblem } from '../schedule';
import { enumOf, has, nonEmpty, required } from './checks';
import { AdmissionRule, BACKUP_WEBHOOK, CRD, ObjectContext, rule, RuleRow, SCHEDULED_BACKUP_WEBHOOK } from './rule';

const r = (row: RuleRow<ObjectContext>) => rule(row);
const PLUGIN_FIX = 'use method: plugin with pluginConfiguration.name barman-cloud.cloudnative-pg.io';

/** The method rows of a Backup or a ScheduledBackup. */
function backupMethodRules(kind: 'Backup' | 'ScheduledBackup'): AdmissionRule<ObjectContext>[] {
  const webhook = kind === 'Backup' ? BACKUP_WEBHOOK : SCHEDULED_BACKUP_WEBHOOK;
  const crd = CRD(kind === 'Backup' ? 'backups' : 'scheduledbackups');
  return [
    r({
      id: `2.7#${kind}.online`, field: 'spec.online, spec.onlineConfiguration', message: 'Online parameter can be specified only if the backup method is volumeSnapshot',
      fix: 'remove them, or use method: volumeSnapshot', upstream: webhook('validate'),
      when: (c) => (c.spec.method ?? 'barmanObjectStore') === 'barmanObjectStore' && [
        ...(has(c.spec.online) ? [{ field: 'spec.online' }] : []),
        ...(has(c.spec.onlineConfiguration) ? [{ field: 'spec.onlineConfiguration', message: 'OnlineConfiguration parameter can be specified only if the backup method is volumeSnapshot' }] : []),
      ],
    }),
    r({
      id: `2.7#${kind}.enums`, field: kind === 'Backup' ? 'spec.method, spec.target' : 'spec.method, spec.target, spec.backupOwnerReference',
      message: 'method {barmanObjectStore, volumeSnapshot, plugin}; target {primary, prefer-standby}',
      fix: 'use one of the values the message lists', upstream: crd('enum constraints'),
      when: (c) => [
        ...enumOf('spec.method', c.spec.method, ['barmanObjectStore', 'volumeSnapshot', 'plugin']),
        ...enumOf('spec.target', c.spec.target, ['primary', 'prefer-standby']),
        ...(kind === 'ScheduledBackup' ? enumOf('spec.backupOwnerReference', c.spec.backupOwnerReference, ['none', 'self', 'cluster']) : []),
      ],
    }),
    // Not a webhook rule (the webhook does not warn about the default method): a library id.
    r({
      id: `lib#${kind}.method`, field: 'spec.method', message: 'the default method is the deprecated in-tree barmanObjectStore',
      fix: PLUGIN_FIX, severity: 'warning',
      when: (c) => (!has(c.spec.method) || c.spec.method === 'barmanObjectStore') && {
        message: 'the barmanObjectStore method (the CRD\'s default) is deprecated and will be removed in CloudNativePG 1.31.0',
        value: c.spec.method ?? '(default)',
      },
    }),
  ];
}

export const BACKUP_RULES: readonly AdmissionRule<ObjectContext>[] = [
  r({
    id: '2.7#Backup.required', field: 'spec.cluster.name', message: 'spec.cluster.name is required',
    fix: 'name the Cluster', upstream: CRD('backups')('required fields'),
    when: (c) => required(c.spec, ['cluster.name']),
  }),
  r({
    id: '2.7#Backup.plugin', field: 'spec.pluginConfiguration', message: 'pluginConfiguration cannot be empty when the backup method is plugin',
    fix: 'set pluginConfiguration.name: barman-cloud.cloudnative-pg.io', upstream: BACKUP_WEBHOOK('validate'),
    when: (c) => c.spec.method === 'plugin' && !nonEmpty(c.spec.pluginConfiguration?.name) && { message: 'cannot be empty when the backup method is plugin' },
  }),
  r({
    id: '2.7#Backup.deadline', field: 'metadata.annotations.cnpg.io/volumeSnapshotDeadline', message: 'cnpg.io/volumeSnapshotDeadline must be an integer',
    fix: 'write a number of minutes', upstream: BACKUP_WEBHOOK('validate'),
    when: (c) => {
      const v = c.annotations['cnpg.io/volumeSnapshotDeadline'];
      return v !== undefined && !/^[+-]?\d+$/.test(String(v)) && { message: 'must be an integer', value: v };
    },
  }),
  ...backupMethodRules('Backup'),
];

export const SCHEDULED_BACKUP_RULES: readonly AdmissionRule<ObjectContext>[] = [
  r({
    id: '2.7#ScheduledBackup.required', field: 'spec.cluster.name, spec.schedule', message: 'cluster and schedule are required',
    fix: 'set the field', upstream: CRD('scheduledbackups')('required fields'),
    when: (c) => required(c.spec, ['cluster.name', 'schedule']),
  }),
  r({
    id: '2.7#ScheduledBackup.schedule', field: 'spec.schedule', message: 'the schedule must parse (robfig/cron, 6 fields, seconds first)',
    fix: 'write six fields, seconds first, e.g. "0 0 3 * * *"', upstream: `${SCHEDULED_BACKUP_WEBHOOK('validate')} (robfig/cron)`,
    when: (c) => {
      if (typeof c.spec.schedule !== 'string' || c.spec.schedule === '') return undefined;
      const bad = scheduleProblem(c.spec.schedule);
      return bad !== undefined && { message: bad.message, value: c.spec.schedule, fix: bad.fix };
    },
  }),
  ...backupMethodRules('ScheduledBackup'),
];
