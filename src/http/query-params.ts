import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, Matches, ValidationArguments } from 'class-validator';

const DECIMAL_DIGITS = /^-?[0-9]+$/;

/**
 * A whole number in a query string, written in decimal digits only. `Number()` would also take
 * `0x10`, `1e1`, ` 5` and `5.0` and silently use another value than the one the caller may have
 * meant; those, and anything beyond ±(2^53−1), stay strings here and fail the integer check.
 */
export function DecimalIntegerQuery(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' && DECIMAL_DIGITS.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value)),
    IsInt({ message: ({ property }: ValidationArguments) => `${property} must be a whole number written in decimal digits (e.g. 16, not 0x10, 1e1, " 5" or 5.0), at most ${Number.MAX_SAFE_INTEGER}` }),
  );
}

/** C0/C1 control characters, or nothing but whitespace: no stored identifier can match it (ingestion refuses both). */
const IDENTIFIER_TEXT = /^(?!\s*$)[^\u0000-\u001f\u007f-\u009f]*$/u;

/** A query value compared with an identifier (actorId, resourceType, …): no control characters, not blank. */
export function IdentifierQuery(): PropertyDecorator {
  return Matches(IDENTIFIER_TEXT, { message: ({ property }: ValidationArguments) => `${property} must not be blank or contain control characters` });
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;
/** What {@link toQueryInstant} produces: the only form the validation accepts. */
export const NORMALISED_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function realDate(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}

/**
 * An instant in a query string, as UTC ISO text, or the text unchanged when it is not one:
 * `YYYY-MM-DD` (midnight UTC of that day) or a date-time with an offset (`Z`, `±HH:MM`, `±HHMM`).
 * A date-time without an offset, `0`, `2026-02-30` or a bare year are not instants and stay as sent.
 */
export function toQueryInstant(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const dateOnly = DATE_ONLY.exec(value);
  if (dateOnly) return realDate(dateOnly[1], dateOnly[2], dateOnly[3]) && dateOnly[1] !== '0000' ? `${value}T00:00:00.000Z` : value;
  const dateTime = DATE_TIME_WITH_OFFSET.exec(value);
  if (!dateTime || !realDate(dateTime[1], dateTime[2], dateTime[3]) || Number(dateTime[4]) > 23 || Number(dateTime[5]) > 59 || Number(dateTime[6] ?? 0) > 59) return value;
  const offset = dateTime[8].toUpperCase() === 'Z' ? 'Z' : dateTime[8].replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  const millis = Date.parse(`${dateTime[1]}-${dateTime[2]}-${dateTime[3]}T${dateTime[4]}:${dateTime[5]}:${dateTime[6] ?? '00'}.${(dateTime[7] ?? '').padEnd(3, '0').slice(0, 3)}${offset}`);
  if (Number.isNaN(millis)) return value;
  const iso = new Date(millis).toISOString();
  return NORMALISED_INSTANT.test(iso) ? iso : value;
}
