/**
 * The recovery target rules of CloudNativePG (webhook rules 24–31, `validateRecoveryTarget`) and PostgreSQL, for the
 * raw `recoveryTarget` values: read by the admission rules (`2.1#24…31`) and by `RecoveryTarget` (backup/recovery.ts).
 */
import { Problem } from '../core/problems';

/** The raw `recoveryTarget` fields, for `RecoveryTarget.fromSpec`. */
export interface RawRecoveryTarget {
  readonly targetTime?: string;
  readonly targetLsn?: string;
  readonly targetXid?: string;
  readonly targetName?: string;
  readonly targetImmediate?: boolean;
  readonly exclusive?: boolean;
  readonly targetTli?: string;
}

const FIELD = 'spec.bootstrap.recovery.recoveryTarget';
const MAX_UINT32 = 4294967295;
const BACKUP_ID = /^\d{8}T\d{6}$/;

/** CloudNativePG's recovery target rules (webhook rules 24–31) for raw values. */
export function recoveryTargetProblems(t: RawRecoveryTarget, backupId?: string): Problem[] {
  const out: Problem[] = [];
  const set = (['targetImmediate', 'targetLsn', 'targetName', 'targetXid', 'targetTime'] as const)
    .filter((k) => (k === 'targetImmediate' ? t.targetImmediate === true : t[k] !== undefined && t[k] !== ''));
  if (set.length > 1) {
    out.push({ field: FIELD, message: 'recovery target options are mutually exclusive', value: set, fix: 'use one of RecoveryTarget.time, lsn, xid, name or immediate' });
  }
  if (t.targetTime !== undefined && !isValidTargetTime(t.targetTime)) {
    out.push({
      field: `${FIELD}.targetTime`,
      message: 'is not a time CloudNativePG can parse',
      value: t.targetTime,
      fix: 'use RFC 3339 ("2026-08-30T09:15:00Z", "2026-08-30T18:15:00+09:00") or "2026-08-30 09:15:00+09"',
    });
  }
  if (t.targetLsn !== undefined && !/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/.test(t.targetLsn)) {
    out.push({ field: `${FIELD}.targetLsn`, message: 'is not a WAL location XXXXXXXX/XXXXXXXX (hexadecimal)', value: t.targetLsn, fix: 'use a value such as "0/3000000", e.g. from pg_current_wal_lsn()' });
  }
  if (t.targetXid !== undefined && !(/^\d+$/.test(t.targetXid) && Number(t.targetXid) <= MAX_UINT32)) {
    out.push({ field: `${FIELD}.targetXid`, message: 'recovery target xid must be a non-negative 32-bit integer', value: t.targetXid, fix: 'use a transaction id such as "12345", e.g. from txid_current()' });
  }
  if (t.targetName !== undefined) {
    if (t.targetName === '') {
      out.push({ field: `${FIELD}.targetName`, message: 'must not be empty', value: t.targetName, fix: 'use the name given to pg_create_restore_point()' });
    } else if (Buffer.byteLength(t.targetName, 'utf8') >= 64) {
      out.push({ field: `${FIELD}.targetName`, message: 'recovery target name must be shorter than 64 bytes', value: t.targetName, fix: 'use the name given to pg_create_restore_point() (restore point names are at most 63 bytes)' });
    }
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(t.targetName)) {
      out.push({ field: `${FIELD}.targetName`, message: 'recovery target name must not contain ASCII control characters', value: t.targetName });
    }
  }
  if (t.targetTli !== undefined && t.targetTli !== '' && t.targetTli !== 'latest'
    && !(/^\d+$/.test(t.targetTli) && Number(t.targetTli) >= 1 && Number(t.targetTli) <= MAX_UINT32)) {
    out.push({ field: `${FIELD}.targetTli`, message: 'recovery target timeline can be set to \'latest\' or a positive integer', value: t.targetTli, fix: 'use "latest" or a timeline id such as 2' });
  }
  const needsBackup = set.filter((k) => k === 'targetName' || k === 'targetXid' || k === 'targetImmediate');
  if (needsBackup.length > 0 && !backupId) {
    out.push({
      field: `${FIELD}.backupID`,
      message: `BackupID is missing: a ${needsBackup.map((k) => k.replace('target', '').toLowerCase()).join('/')} target needs the base backup to start from; only time and LSN targets can pick one`,
      fix: 'set backupId to the id of a base backup taken before the target (kubectl get backup -o wide, or the ObjectStore\'s status)',
    });
  }
  if (backupId !== undefined && !BACKUP_ID.test(backupId)) {
    out.push({ field: `${FIELD}.backupID`, message: 'is not a Barman backup id (YYYYMMDDTHHMMSS)', value: backupId, fix: 'copy the id from the Backup\'s status.backupId, e.g. "20260830T000003"' });
  }
  return out;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDateTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const dim = mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1];
  return d <= dim && h <= 23 && mi <= 59 && s <= 59;
}

/**
 * Whether CloudNativePG's `ParseTargetTime` accepts a recovery target time, with calendar and clock ranges checked
 * (the PostgreSQL-format parser alone would silently roll "2026-02-30" over into March).
 */
export function isValidTargetTime(value: string): boolean {
  if (typeof value !== 'string') return false;
  // PostgreSQL format (lib/pq ParseTimestamp): a date, optionally " HH:MM:SS[.ffffff][Z|±HH[:MM[:SS]]]".
  const pg = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2})(?::(\d{2})(?::(\d{2}))?)?)?)?$/.exec(value);
  if (pg) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', tzh = '0', tzm = '0', tzs = '0'] = pg;
    return validDateTime(+y, +mo, +d, +h, +mi, +s) && +tzh <= 23 && +tzm <= 59 && +tzs <= 59;
  }
  // RFC 3339 (optionally with fractional seconds), or the same without a zone (read as UTC).
  const iso = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))?$/.exec(value);
  if (iso) {
    const [, y, mo, d, h, mi, s, tzh = '0', tzm = '0'] = iso;
    return validDateTime(+y, +mo, +d, +h, +mi, +s) && +tzh <= 23 && +tzm <= 59;
  }
  return false;
}
