import { localTimeOf, withinBusinessHours } from './business-hours';

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Independent reference: Intl for every instant. */
function expected(instant: Date, timeZone: string): { isoWeekday: number; secondOfDay: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(instant).map((p) => [p.type, p.value]),
  );
  return { isoWeekday: WEEKDAYS[parts.weekday], secondOfDay: Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second) };
}

describe(localTimeOf.name, () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns', 'Pacific/Chatham'];
  // Around DST changes (Berlin, New York, Lord Howe's 30-minute one) and midnight, second by second near each.
  const around = ['2026-03-29T00:59:00Z', '2026-10-25T00:59:00Z', '2026-03-08T06:59:00Z', '2026-11-01T05:59:00Z', '2026-04-04T14:59:00Z', '2026-10-03T15:29:00Z', '2026-11-21T23:59:00Z'];

  it('agrees with Intl for every second within two minutes of DST changes and midnights, in zones with odd offsets', () => {
    for (const zone of zones) {
      for (const start of around) {
        for (let s = 0; s < 120; s++) {
          const instant = new Date(Date.parse(start) + s * 1000 + 123);
          expect({ zone, instant, local: localTimeOf(instant, zone) }).toEqual({ zone, instant, local: expected(instant, zone) });
        }
      }
    }
  });

  it('agrees with Intl for 20,000 pseudo-random instants over two years', () => {
    let seed = 42;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const from = Date.parse('2025-06-01T00:00:00Z');
    for (let i = 0; i < 20_000; i++) {
      const instant = new Date(from + Math.floor(next() * 730 * 86_400_000));
      const zone = zones[i % zones.length];
      expect({ zone, instant, local: localTimeOf(instant, zone) }).toEqual({ zone, instant, local: expected(instant, zone) });
    }
  });

  it('keeps business hours DST-safe: 07:30 UTC is 08:30 in Berlin before the October change and 08:30 after it is 07:30 local', () => {
    const hours = { timezone: 'Europe/Berlin', businessDays: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' };
    expect(withinBusinessHours(new Date('2026-10-23T06:30:00Z'), hours)).toBe(true); // Fri 08:30 CEST
    expect(withinBusinessHours(new Date('2026-10-26T06:30:00Z'), hours)).toBe(false); // Mon 07:30 CET
    expect(withinBusinessHours(new Date('2026-10-26T07:00:00Z'), hours)).toBe(true); // Mon 08:00 CET
  });
});
