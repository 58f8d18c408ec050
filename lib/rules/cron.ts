/**
 * A parser for the schedules of CloudNativePG `ScheduledBackup`s.
 *
 * The operator validates `spec.schedule` with `cron.Parse` of `github.com/robfig/cron` (the parser
 * `Second | Minute | Hour | Dom | Month | DowOptional | Descriptor`, the same field grammar as robfig/cron v3):
 * six fields, **seconds first** (`second minute hour day-of-month month day-of-week`), the day of week optional,
 * plus the descriptors `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly` and
 * `@every <Go duration>`. Schedules run in the operator's time zone (UTC in the operator image).
 *
 * `parseCron` accepts exactly what that parser accepts and computes the same run times. Things it accepts silently
 * but that are almost always mistakes (a five-field schedule, `*-5`, an empty list item, a sub-second `@every`) are
 * reported as `quirks`, which `ScheduledBackup` turns into synth errors.
 */

/** One cron field: which values match, and whether it was written as a bare `*` / `?` (robfig's "star bit"). */
export interface CronField {
  /** Matching values, ascending. */
  readonly values: readonly number[];
  /** True for `*` and `?` (and `*\/1`): the field does not restrict. Matters for the day-of-month/day-of-week rule. */
  readonly star: boolean;
}

/** A parsed schedule. */
export type CronSchedule =
  | {
    readonly kind: 'spec';
    readonly second: CronField;
    readonly minute: CronField;
    readonly hour: CronField;
    readonly dayOfMonth: CronField;
    readonly month: CronField;
    readonly dayOfWeek: CronField;
  }
  | {
    readonly kind: 'every';
    /** The delay between runs in whole seconds, as robfig computes it (at least 1, fractions truncated). */
    readonly delaySeconds: number;
  };

/** The result of `parseCron`. */
export type CronParseResult =
  | { readonly ok: true; readonly schedule: CronSchedule; readonly fieldCount: number; readonly quirks: readonly string[] }
  | { readonly ok: false; readonly error: string };

interface Bounds {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
  readonly hint?: string;
}

const MONTH_NAMES: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};
const DOW_NAMES: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

const SECONDS: Bounds = { name: 'second', min: 0, max: 59 };
const MINUTES: Bounds = { name: 'minute', min: 0, max: 59 };
const HOURS: Bounds = { name: 'hour', min: 0, max: 23 };
const DOM: Bounds = { name: 'day-of-month', min: 1, max: 31 };
const MONTHS: Bounds = { name: 'month', min: 1, max: 12, names: MONTH_NAMES, hint: '1-12 or JAN-DEC' };
const DOW: Bounds = {
  name: 'day-of-week', min: 0, max: 6, names: DOW_NAMES,
  hint: '0-6 or SUN-SAT, 0 = Sunday; robfig/cron does not accept 7 for Sunday',
};
const FIELDS: readonly Bounds[] = [SECONDS, MINUTES, HOURS, DOM, MONTHS, DOW];

/** The layout CloudNativePG expects, for messages. */
export const CRON_FIELD_ORDER = 'second minute hour day-of-month month day-of-week';

class CronError extends Error {}

/**
 * Parses a schedule with the semantics of robfig/cron's `cron.Parse` (what the CloudNativePG webhook runs).
 * Never throws: returns `{ ok: false, error }` with a message that names the offending field.
 */
export function parseCron(spec: string): CronParseResult {
  try {
    return parseOrThrow(spec);
  } catch (e) {
    if (e instanceof CronError) return { ok: false, error: e.message };
    throw e;
  }
}

function parseOrThrow(spec: string): CronParseResult {
  if (typeof spec !== 'string' || spec.length === 0) throw new CronError('the schedule is empty');
  if (spec[0] === '@') return parseDescriptor(spec);

  // strings.Fields: split on any white space.
  const fields = spec.split(/\s+/).filter((f) => f.length > 0);
  if (fields.length < 5 || fields.length > 6) {
    const tz = /^(CRON_)?TZ=/.test(fields[0] ?? '')
      ? '; time zone prefixes (TZ=, CRON_TZ=) are not supported by CloudNativePG\'s cron parser, schedules run in the operator\'s time zone (UTC)'
      : '';
    throw new CronError(`expected 6 fields (${CRON_FIELD_ORDER}), found ${fields.length}${tz}`);
  }
  const quirks: string[] = [];
  const all = fields.length === 5 ? [...fields, '*'] : fields;
  const parsed = all.map((f, i) => parseField(f, FIELDS[i], quirks));
  return {
    ok: true,
    fieldCount: fields.length,
    quirks,
    schedule: {
      kind: 'spec',
      second: parsed[0], minute: parsed[1], hour: parsed[2], dayOfMonth: parsed[3], month: parsed[4], dayOfWeek: parsed[5],
    },
  };
}

/** A comma-separated list of ranges (`getField`); empty items are skipped, as `strings.FieldsFunc` does. */
function parseField(field: string, bounds: Bounds, quirks: string[]): CronField {
  const items = field.split(',');
  if (items.some((i) => i === '')) {
    quirks.push(`the ${bounds.name} field ${JSON.stringify(field)} has an empty list item`);
  }
  const set = new Set<number>();
  let star = false;
  for (const item of items.filter((i) => i !== '')) {
    const r = parseRange(item, bounds, field, quirks);
    r.values.forEach((v) => set.add(v));
    star = star || r.star;
  }
  if (set.size === 0) {
    quirks.push(`the ${bounds.name} field ${JSON.stringify(field)} matches no value`);
  }
  return { values: [...set].sort((a, b) => a - b), star };
}

/** `number | number "-" number [ "/" number ]`, `*` or `?` with an optional step (`getRange`). */
function parseRange(expr: string, bounds: Bounds, field: string, quirks: string[]): CronField {
  const fail = (why: string): never => {
    const hint = bounds.hint ? ` (${bounds.hint})` : ` (${bounds.min}-${bounds.max})`;
    throw new CronError(`the ${bounds.name} field ${JSON.stringify(field)} is invalid: ${why}${hint}`);
  };
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
    star = true;
    if (lowAndHigh.length > 1) {
      quirks.push(`the ${bounds.name} field ${JSON.stringify(field)} has a range starting with "${lowAndHigh[0]}"; the part after "-" is ignored`);
    }
  } else {
    start = parseIntOrName(lowAndHigh[0], bounds, fail);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], bounds, fail);
    else return fail(`too many hyphens in "${expr}"`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseUnsigned(rangeAndStep[1], fail);
    // "N/step" means "N-max/step".
    if (singleDigit) end = bounds.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    fail(`too many slashes in "${expr}"`);
  }
  if (start < bounds.min) fail(`${start} is below the minimum ${bounds.min}`);
  if (end > bounds.max) fail(`${end} is above the maximum ${bounds.max}`);
  if (start > end) fail(`the range ${start}-${end} ends before it starts`);
  if (step === 0) fail(`the step in "${expr}" must be a positive number`);
  const values: number[] = [];
  for (let v = start; v <= end; v += step) values.push(v);
  return { values, star };
}

function parseIntOrName(expr: string, bounds: Bounds, fail: (why: string) => never): number {
  const named = bounds.names?.[expr.toLowerCase()];
  if (named !== undefined) return named;
  return parseUnsigned(expr, fail);
}

/** `strconv.Atoi` (an optional sign, decimal digits), then rejected when negative. */
function parseUnsigned(expr: string, fail: (why: string) => never): number {
  if (!/^[+-]?\d+$/.test(expr)) return fail(`"${expr}" is not a number${expr === '' ? ' (an empty value)' : ''}`);
  const n = Number(expr);
  if (n < 0) return fail(`negative number ${expr} is not allowed`);
  return n;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

function parseDescriptor(spec: string): CronParseResult {
  const equivalent = DESCRIPTORS[spec];
  if (equivalent) {
    const r = parseOrThrow(equivalent);
    return r.ok ? { ...r, fieldCount: 6 } : r;
  }
  const every = '@every ';
  if (spec.startsWith(every)) {
    const text = spec.slice(every.length);
    const nanos = parseGoDuration(text);
    if (nanos === undefined) {
      throw new CronError(`"${text}" in "${spec}" is not a Go duration such as "12h", "90m" or "1h30m" (units h, m, s, ms, us, ns)`);
    }
    const quirks: string[] = [];
    // robfig/cron `Every`: below one second becomes one second, fractions of a second are truncated.
    let delay = Math.max(nanos, 1e9);
    delay -= delay % 1e9;
    if (nanos < 1e9) quirks.push(`"${spec}" is shorter than one second; the operator would run it every second`);
    else if (nanos % 1e9 !== 0) quirks.push(`"${spec}" is not a whole number of seconds; the operator truncates it to ${delay / 1e9}s`);
    return { ok: true, fieldCount: 1, quirks, schedule: { kind: 'every', delaySeconds: delay / 1e9 } };
  }
  throw new CronError(`unrecognized descriptor "${spec}" (use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or "@every <duration>")`);
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};

/** Go's `time.ParseDuration`, in nanoseconds (as a float), or undefined when Go would reject it. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const part = /^(\d*)(?:\.(\d*))?([^\d.]+)/;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return undefined;
    const unit = DURATION_UNITS[m[3]];
    if (unit === undefined) return undefined;
    total += Number(`${m[1] || '0'}.${m[2] || '0'}`) * unit;
    s = s.slice(m[0].length);
  }
  if (total > 9223372036854775807) return undefined;
  return sign * total;
}

const DAY = 86400;

/**
 * Whether robfig's `dayMatches` accepts a day: when day-of-month or day-of-week is a bare `*`/`?`, both must match;
 * when both are restricted, either may match (classic cron).
 */
function dayMatches(s: Extract<CronSchedule, { kind: 'spec' }>, date: Date): boolean {
  const domMatch = s.dayOfMonth.values.includes(date.getUTCDate());
  const dowMatch = s.dayOfWeek.values.includes(date.getUTCDay());
  if (s.dayOfMonth.star || s.dayOfWeek.star) return domMatch && dowMatch;
  return domMatch || dowMatch;
}

/** Simulation window of `maxIntervalSeconds`: eight years, two of them leap years (2024, 2028). */
const WINDOW_START = Date.UTC(2024, 0, 1) / 1000;
const WINDOW_DAYS = 8 * 365 + 2;

/**
 * Every run of a spec schedule in the simulation window, as seconds-of-day per matching day.
 * Returns the matching day offsets and the sorted seconds of the day at which it runs.
 */
function simulate(s: Extract<CronSchedule, { kind: 'spec' }>): { days: number[]; times: number[] } {
  // Every tenant of a fleet usually shares one schedule: simulate each distinct one once.
  const key = JSON.stringify(s);
  const known = SIMULATIONS.get(key);
  if (known) return known;
  const result = simulateUncached(s);
  SIMULATIONS.set(key, result);
  return result;
}

const SIMULATIONS = new Map<string, { days: number[]; times: number[] }>();

function simulateUncached(s: Extract<CronSchedule, { kind: 'spec' }>): { days: number[]; times: number[] } {
  const times: number[] = [];
  for (const h of s.hour.values) for (const m of s.minute.values) for (const sec of s.second.values) times.push(h * 3600 + m * 60 + sec);
  times.sort((a, b) => a - b);
  const days: number[] = [];
  if (times.length === 0) return { days, times };
  for (let d = 0; d < WINDOW_DAYS; d++) {
    const date = new Date((WINDOW_START + d * DAY) * 1000);
    if (s.month.values.includes(date.getUTCMonth() + 1) && dayMatches(s, date)) days.push(d);
  }
  return { days, times };
}

/** Whether the schedule ever runs (robfig gives up after five years without a match, e.g. for "0 0 0 30 2 *"). */
export function cronEverRuns(schedule: CronSchedule): boolean {
  if (schedule.kind === 'every') return true;
  return simulate(schedule).days.length > 0;
}

/**
 * The longest time between two consecutive runs of a schedule, in seconds, e.g. 86400 for `0 0 0 * * *` and
 * 259200 for `0 0 0 * * 1-5` (Friday to Monday). Computed by simulating eight years of runs in UTC, so yearly,
 * leap-day and "Friday the 13th" schedules come out right. Use it for "last backup too old" alert thresholds.
 *
 * @throws Error when the schedule is not valid, or never runs
 */
export function maxIntervalSeconds(schedule: string): number {
  const parsed = parseCron(schedule);
  if (!parsed.ok) throw new Error(`invalid schedule ${JSON.stringify(schedule)}: ${parsed.error}`);
  const s = parsed.schedule;
  if (s.kind === 'every') return s.delaySeconds;
  const { days, times } = simulate(s);
  if (days.length === 0) throw new Error(`the schedule ${JSON.stringify(schedule)} never runs`);
  if (days.length === 1) return Infinity;
  let max = 0;
  for (let i = 1; i < times.length; i++) max = Math.max(max, times[i] - times[i - 1]);
  const first = times[0];
  const last = times[times.length - 1];
  for (let i = 1; i < days.length; i++) {
    max = Math.max(max, (days[i] - days[i - 1]) * DAY + first - last);
  }
  return max;
}

/**
 * The runs of a schedule after `from` (exclusive), in UTC, as the operator would start them. For previews and tests.
 *
 * @throws Error when the schedule is not valid
 */
export function nextRuns(schedule: string, from: Date, count: number): Date[] {
  const parsed = parseCron(schedule);
  if (!parsed.ok) throw new Error(`invalid schedule ${JSON.stringify(schedule)}: ${parsed.error}`);
  const s = parsed.schedule;
  const out: Date[] = [];
  const fromSec = Math.floor(from.getTime() / 1000);
  if (s.kind === 'every') {
    for (let i = 1; i <= count; i++) out.push(new Date((fromSec + i * s.delaySeconds) * 1000));
    return out;
  }
  const times: number[] = [];
  for (const h of s.hour.values) for (const m of s.minute.values) for (const sec of s.second.values) times.push(h * 3600 + m * 60 + sec);
  times.sort((a, b) => a - b);
  if (times.length === 0) return out;
  const startDay = Math.floor(fromSec / DAY);
  // robfig searches at most five years ahead.
  for (let d = startDay; d <= startDay + 5 * 366 && out.length < count; d++) {
    const date = new Date(d * DAY * 1000);
    if (!(s.month.values.includes(date.getUTCMonth() + 1) && dayMatches(s, date))) continue;
    for (const t of times) {
      const at = d * DAY + t;
      if (at > fromSec) out.push(new Date(at * 1000));
      if (out.length >= count) break;
    }
  }
  return out;
}

/** Field names in order, for messages. */
export const CRON_FIELD_NAMES: readonly string[] = FIELDS.map((f) => f.name);
