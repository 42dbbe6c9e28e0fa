import { RequestValidationError } from '../http/request-validation.error';
import { DEFAULT_TENANT_TIMEZONE } from './tenant-settings.port';

/** `GET/PUT /v1/tenant-settings` (ARCHITECTURE §8). */
export interface TenantSettingsValues {
  /** IANA timezone, canonical spelling (e.g. `Europe/Berlin`). */
  timezone: string;
}

export interface TenantSettings extends TenantSettingsValues {
  /** 0 while never changed; every change adds one. */
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export const DEFAULT_TENANT_SETTINGS: TenantSettings = Object.freeze({ timezone: DEFAULT_TENANT_TIMEZONE, version: 0, updatedAt: null, updatedBy: null });

const KNOWN_ZONES: ReadonlyMap<string, string> = new Map([...Intl.supportedValuesOf('timeZone'), 'UTC'].map((zone) => [zone.toLowerCase(), zone]));

/**
 * The IANA name of `value` as stored, or null when it names no zone. Case is corrected to the
 * spelling Intl lists (`europe/berlin` → `Europe/Berlin`); other names Intl accepts (links such as
 * `Asia/Kolkata` on an ICU that lists `Asia/Calcutta`) are kept as given, not replaced by ICU's
 * older alias. UTC offsets (`+02:00`), which some engines accept, are not IANA zones and are refused
 * (they know no DST, and reports need a named zone).
 */
export function canonicalTimezone(value: string): string | null {
  if (value.length === 0 || value.length > 64 || !/^[A-Za-z][A-Za-z0-9_/+-]*$/.test(value)) return null;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
    if (!/^[A-Za-z]/.test(resolved)) return null;
  } catch {
    return null;
  }
  return KNOWN_ZONES.get(value.toLowerCase()) ?? value;
}

/** Validates a PUT body: exactly `{timezone}`; anything else is a 400 naming the field. */
export function tenantSettingsOf(body: unknown): TenantSettingsValues {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestValidationError([{ path: '', message: 'must be a JSON object {"timezone": "<IANA zone>"}' }]);
  const errors: Array<{ path: string; message: string }> = [];
  for (const key of Object.keys(body)) if (key !== 'timezone') errors.push({ path: key, message: 'is not a known field' });
  const { timezone } = body as { timezone?: unknown };
  let canonical: string | null = null;
  if (typeof timezone !== 'string') errors.push({ path: 'timezone', message: 'is required: an IANA timezone such as "Europe/Berlin" or "UTC"' });
  else if ((canonical = canonicalTimezone(timezone)) === null) errors.push({ path: 'timezone', message: `"${timezone.slice(0, 64)}" is not an IANA timezone (e.g. "Europe/Berlin", "America/New_York", "UTC")` });
  if (errors.length) throw new RequestValidationError(errors);
  return { timezone: canonical! };
}
