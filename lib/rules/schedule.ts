/**
 * What makes a ScheduledBackup schedule wrong: CloudNativePG's cron parser (robfig/cron with seconds) and the
 * schedules it silently misreads. Read by the admission rules and by `ScheduledBackup`.
 */
import { CRON_FIELD_NAMES, CRON_FIELD_ORDER, cronEverRuns, parseCron } from './cron';

/**
 * Why a schedule is rejected, or undefined when it is fine for a ScheduledBackup: anything `cron.Parse` rejects,
 * plus five-field schedules (which CloudNativePG only warns about), schedules that never run, and things the
 * parser silently reinterprets.
 */
export function scheduleProblem(schedule: string): { message: string; fix: string } | undefined {
  const parsed = parseCron(schedule);
  const fix = `write six fields, seconds first (${CRON_FIELD_ORDER}), e.g. "0 0 2 * * *" for daily at 02:00 UTC, or a descriptor such as "@daily"`;
  if (!parsed.ok) return { message: parsed.error, fix };
  if (parsed.fieldCount === 5) {
    const fields = schedule.trim().split(/\s+/);
    const readAs = fields.map((f, i) => `${CRON_FIELD_NAMES[i]}=${f}`).join(' ');
    return {
      message: 'has 5 fields, but CloudNativePG schedules have 6 with seconds first; '
        + `a five-field schedule is shifted by one field and read as ${readAs} (day-of-week=*), which runs far more often than intended`,
      fix: `prepend the seconds: "0 ${fields.join(' ')}"`,
    };
  }
  if (parsed.quirks.length > 0) {
    return { message: `${parsed.quirks.join('; ')}`, fix };
  }
  if (!cronEverRuns(parsed.schedule)) {
    return { message: 'never runs (no day matches, e.g. February 30)', fix };
  }
  return undefined;
}
