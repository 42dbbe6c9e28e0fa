/**
 * Schedule arithmetic in IANA time zones (pure: no clock, no I/O). A schedule runs once per local calendar
 * day that matches it (every day; a weekday; a day of the month) at a local wall-clock time. DST:
 * a time that does not exist that day (spring forward, e.g. 02:30 in Europe/Berlin on the last Sunday of
 * March) runs once, at the same distance after the gap (03:30); a time that exists twice (fall back) runs
 * once, at its first occurrence. Each local date maps to exactly one instant, so neither case can run twice.
 */

export type Frequency = 'daily' | 'weekly' | 'monthly';

export interface ScheduleTiming {
  frequency: Frequency;
  timezone: string;
  /** Local wall-clock time "HH:MM". */
  time: string;
  /** ISO weekday, 1 = Monday … 7 = Sunday (weekly only). */
  dayOfWeek?: number;
  /** 1–28 (monthly only): every month has it. */
  dayOfMonth?: number;
}

/** A local calendar date. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export interface Period {
  /** Inclusive, ISO 8601 UTC. */
  from: string;
  /** Exclusive, ISO 8601 UTC. */
  to: string;
}

interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

export function isIanaTimezone(timezone: string): boolean {
  if (typeof timezone !== 'string' || timezone.length === 0 || timezone.length > 64) return false;
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock date and time of an instant in `timezone`. */
export function localDateTimeOf(instant: Date, timezone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timezone).formatToParts(instant)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** Offset of `timezone` from UTC at an instant, in ms (east positive). */
function offsetAt(epochMs: number, timezone: string): number {
  const l = localDateTimeOf(new Date(epochMs), timezone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/**
 * The instant of a local wall-clock time. Ambiguous (fall back): the earlier one. Nonexistent (spring
 * forward): shifted forward by the gap, i.e. read with the offset in force before the transition.
 */
export function instantOf(local: LocalDate & { hour: number; minute: number }, timezone: string): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const offsets = [...new Set([offsetAt(wall - 86_400_000, timezone), offsetAt(wall, timezone), offsetAt(wall + 86_400_000, timezone)])];
  const matching = offsets
    .map((offset) => wall - offset)
    .filter((epoch) => {
      const l = localDateTimeOf(new Date(epoch), timezone);
      return l.year === local.year && l.month === local.month && l.day === local.day && l.hour === local.hour && l.minute === local.minute;
    })
    .sort((a, b) => a - b);
  if (matching.length > 0) return new Date(matching[0]);
  // In a gap: the offset before the transition is the one in force a day earlier.
  return new Date(wall - offsetAt(wall - 86_400_000, timezone));
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function isoWeekdayOf(date: LocalDate): number {
  const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

function matchesDay(date: LocalDate, timing: ScheduleTiming): boolean {
  switch (timing.frequency) {
    case 'daily':
      return true;
    case 'weekly':
      return isoWeekdayOf(date) === timing.dayOfWeek;
    case 'monthly':
      return date.day === timing.dayOfMonth;
    default: {
      const unknown: never = timing.frequency;
      throw new Error(`Unknown frequency ${String(unknown)}`);
    }
  }
}

/** The run instant of a schedule on a local date (whether or not the date matches the schedule). */
export function runInstantOn(date: LocalDate, timing: ScheduleTiming): Date {
  const [hour, minute] = timing.time.split(':').map(Number);
  return instantOf({ ...date, hour, minute }, timing.timezone);
}

/** The first run strictly after `after`. */
export function nextRunAfter(after: Date, timing: ScheduleTiming): Date {
  const start = localDateTimeOf(after, timing.timezone);
  // A month holds every matching day; one more day covers a run earlier the same local date.
  for (let i = 0; i <= 32; i++) {
    const date = addDays(start, i);
    if (!matchesDay(date, timing)) continue;
    const run = runInstantOn(date, timing);
    if (run.getTime() > after.getTime()) return run;
  }
  throw new Error(`No run of ${JSON.stringify(timing)} within 32 days after ${after.toISOString()}`);
}

function midnight(date: LocalDate, timezone: string): string {
  return instantOf({ ...date, hour: 0, minute: 0 }, timezone).toISOString();
}

/**
 * The last complete calendar period before the local date `date` (in the schedule's time zone):
 * daily, the day before; weekly, the last complete Monday-to-Sunday week (the one before the week
 * holding `date`); monthly, the month before. Bounds are
 * local midnights, so a period over a DST change is 23 or 25 hours (or days of such) long.
 */
export function periodBefore(date: LocalDate, frequency: Frequency, timezone: string): Period {
  switch (frequency) {
    case 'daily':
      return { from: midnight(addDays(date, -1), timezone), to: midnight(date, timezone) };
    case 'weekly': {
      const thisMonday = addDays(date, 1 - isoWeekdayOf(date));
      return { from: midnight(addDays(thisMonday, -7), timezone), to: midnight(thisMonday, timezone) };
    }
    case 'monthly': {
      const first = { year: date.year, month: date.month, day: 1 };
      const previous = date.month === 1 ? { year: date.year - 1, month: 12, day: 1 } : { year: date.year, month: date.month - 1, day: 1 };
      return { from: midnight(previous, timezone), to: midnight(first, timezone) };
    }
    default: {
      const unknown: never = frequency;
      throw new Error(`Unknown frequency ${String(unknown)}`);
    }
  }
}

/** The period a run at `runAt` reports on: the last complete period before the run's local date. */
export function periodOfRun(runAt: Date, timing: ScheduleTiming): Period {
  return periodBefore(localDateTimeOf(runAt, timing.timezone), timing.frequency, timing.timezone);
}
