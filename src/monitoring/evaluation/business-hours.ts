/**
 * Business hours in an IANA timezone. The local weekday and wall-clock time of an instant come from
 * Intl.DateTimeFormat, so DST changes (a 23- or 25-hour day) need no arithmetic of our own.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

export function isValidTimezone(timezone: string): boolean {
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

const ISO_WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The local ISO weekday (1 = Monday) and seconds since local midnight of an instant. */
export function localTimeOf(instant: Date, timezone: string): { isoWeekday: number; secondOfDay: number } {
  const parts = Object.fromEntries(formatterFor(timezone).formatToParts(instant).map((p) => [p.type, p.value]));
  return { isoWeekday: ISO_WEEKDAYS[parts.weekday], secondOfDay: Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second) };
}

export const TIME_OF_DAY_PATTERN = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

function secondsOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 3600 + m * 60;
}

export interface BusinessHours {
  timezone: string;
  businessDays: number[];
  /** "HH:MM", inclusive. */
  startTime: string;
  /** "HH:MM", exclusive. */
  endTime: string;
}

/** True when `instant` is on a business day in [startTime, endTime) local time. */
export function withinBusinessHours(instant: Date, hours: BusinessHours): boolean {
  const local = localTimeOf(instant, hours.timezone);
  return hours.businessDays.includes(local.isoWeekday) && local.secondOfDay >= secondsOf(hours.startTime) && local.secondOfDay < secondsOf(hours.endTime);
}
