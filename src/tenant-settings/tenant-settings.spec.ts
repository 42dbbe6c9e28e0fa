import { RequestValidationError } from '../http/request-validation.error';
import { canonicalTimezone, tenantSettingsOf } from './tenant-settings';

describe('canonicalTimezone', () => {
  it.each([
    ['Europe/Berlin', 'Europe/Berlin'],
    ['europe/berlin', 'Europe/Berlin'],
    ['UTC', 'UTC'],
    ['America/Argentina/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
  ])('accepts %s as %s', (input, canonical) => expect(canonicalTimezone(input)).toBe(canonical));

  it.each(['Mars/Olympus', '+02:00', 'GMT+2x', '', 'Europe/Berlin\n', 'x'.repeat(65)])('refuses %j', (input) => expect(canonicalTimezone(input)).toBeNull());
});

describe('tenantSettingsOf', () => {
  it('returns the canonical timezone of a valid body', () => {
    expect(tenantSettingsOf({ timezone: 'asia/tokyo' })).toEqual({ timezone: 'Asia/Tokyo' });
  });

  it('refuses a missing timezone, an unknown zone and unknown fields with their paths', () => {
    const paths = (body: unknown) => {
      try {
        tenantSettingsOf(body);
        return [];
      } catch (error) {
        return (error as RequestValidationError).errors.map((e) => e.path);
      }
    };
    expect(paths({})).toEqual(['timezone']);
    expect(paths({ timezone: 'Nowhere/Land' })).toEqual(['timezone']);
    expect(paths({ timezone: 'UTC', locale: 'de' })).toEqual(['locale']);
    expect(paths([])).toEqual(['']);
    expect(paths({ timezone: 5 })).toEqual(['timezone']);
  });
});
