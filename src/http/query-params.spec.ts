import { toQueryInstant } from './query-params';

describe(toQueryInstant.name, () => {
  it.each([
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T00:00:00Z', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T00:00:00+01:00', '2026-10-31T23:00:00.000Z'],
    ['2026-11-01T00:00:00+0100', '2026-10-31T23:00:00.000Z'],
    ['2026-11-01T10:15Z', '2026-11-01T10:15:00.000Z'],
    ['2026-11-01T10:15:30.123456789Z', '2026-11-01T10:15:30.123Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(toQueryInstant(text)).toBe(iso);
  });

  it.each(['0', '1', '2026', '2026-02-30', '2026-11-01T00:00:00', '2026-11-01 00:00:00Z', '2026-11-01T24:00:00Z', '2026-11-01T00:00:00 01:00', '0000-01-01', 'yesterday'])(
    'leaves %s as sent (not an instant: the validation names it)',
    (text) => {
      expect(toQueryInstant(text)).toBe(text);
    },
  );
});
