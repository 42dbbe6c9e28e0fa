/**
 * RFC 3339 §5.6 `date-time`, strictly: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. T and Z may be
 * lower case (§5.6 note); a space for T, a missing or colon-less offset, week or ordinal dates and
 * expanded years are not RFC 3339 and are refused. The fraction has 1-9 digits (nanoseconds at
 * most) and is kept to milliseconds. Year 0000 is refused (before any record could exist, and
 * outside the proleptic range most consumers accept), also when an offset would move a time there.
 */
export const RFC3339_DATE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$';

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export const RFC3339_MESSAGE = 'must be an RFC 3339 date-time with an offset, e.g. 2026-11-26T09:15:00Z or 2026-11-26T10:15:00.250+01:00';

/** The instant in UTC, or a message saying why the text is not an acceptable RFC 3339 date-time. */
export function parseRfc3339(text: string): { instant: Date } | { problem: string } {
  const match = SHAPE.exec(text);
  if (!match) return { problem: RFC3339_MESSAGE };
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year === 0) return { problem: 'has year 0000; the earliest accepted year is 0001' };
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return { problem: `${RFC3339_MESSAGE} (no such calendar date)` };
  if (Number(h) > 23 || Number(mi) > 59) return { problem: `${RFC3339_MESSAGE} (no such time of day)` };
  if (Number(s) > 59) {
    return { problem: Number(s) === 60 ? 'is a leap second (:60), which cannot be stored; send :59.999 or the next second' : `${RFC3339_MESSAGE} (no such time of day)` };
  }
  if (!zulu && (Number(oh) > 23 || Number(om) > 59)) return { problem: `${RFC3339_MESSAGE} (offset out of range)` };
  const millis = fraction ? fraction.slice(0, 3).padEnd(3, '0') : '000';
  const offset = zulu ? 'Z' : `${sign}${oh}:${om}`;
  // Re-assembled in the one form every engine parses the same way (Date.UTC maps years < 100 to 19xx).
  const instant = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${millis}${offset}`);
  if (Number.isNaN(instant.getTime())) return { problem: RFC3339_MESSAGE };
  const utcYear = instant.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return { problem: `is outside the years 0001-9999 once converted to UTC` };
  return { instant };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
