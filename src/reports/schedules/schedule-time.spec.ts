import { instantOf, isIanaTimezone, nextRunAfter, periodBefore, periodOfRun, ScheduleTiming } from './schedule-time';

/** The next `count` runs after `from`. */
function runsAfter(from: string, timing: ScheduleTiming, count: number): string[] {
  const runs: string[] = [];
  let after = new Date(from);
  for (let i = 0; i < count; i++) {
    after = nextRunAfter(after, timing);
    runs.push(after.toISOString());
  }
  return runs;
}

const berlin = (time: string): ScheduleTiming => ({ frequency: 'daily', timezone: 'Europe/Berlin', time });
const newYork = (time: string): ScheduleTiming => ({ frequency: 'daily', timezone: 'America/New_York', time });

describe('schedule arithmetic', () => {
  describe(instantOf.name, () => {
    it('given a time in a spring-forward gap (Berlin 2026-03-29 02:30), then it reads it with the offset before the gap (03:30 CEST)', () => {
      expect(instantOf({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    });
    it('given a time that occurs twice (New York 2026-11-01 01:30), then it is the first occurrence (EDT)', () => {
      expect(instantOf({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z');
    });
    it('given an ordinary time, then it is that local time', () => {
      expect(instantOf({ year: 2026, month: 7, day: 1, hour: 6, minute: 0 }, 'Europe/Berlin').toISOString()).toBe('2026-07-01T04:00:00.000Z');
      expect(instantOf({ year: 2026, month: 1, day: 15, hour: 6, minute: 0 }, 'UTC').toISOString()).toBe('2026-01-15T06:00:00.000Z');
    });
  });

  describe(nextRunAfter.name, () => {
    it('given daily 02:30 Europe/Berlin over the spring-forward day, when runs are listed, then 2026-03-29 runs once, at 03:30 CEST', () => {
      expect(runsAfter('2026-03-27T12:00:00Z', berlin('02:30'), 3)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    });
    it('given daily 02:30 Europe/Berlin over the fall-back day, when runs are listed, then 2026-10-25 runs once, at the first 02:30 (CEST)', () => {
      expect(runsAfter('2026-10-23T12:00:00Z', berlin('02:30'), 3)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    });
    it('given daily 02:30 America/New_York over both DST changes, then each of those days runs exactly once', () => {
      expect(runsAfter('2026-03-07T12:00:00Z', newYork('02:30'), 3)).toEqual(['2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
      expect(runsAfter('2026-10-31T12:00:00Z', newYork('01:30'), 3)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z', '2026-11-03T06:30:00.000Z']);
    });
    it('given a run time later on the same local day, then the next run is today; given it already passed, then tomorrow', () => {
      expect(nextRunAfter(new Date('2026-07-01T03:59:59Z'), berlin('06:00')).toISOString()).toBe('2026-07-01T04:00:00.000Z');
      expect(nextRunAfter(new Date('2026-07-01T04:00:00Z'), berlin('06:00')).toISOString()).toBe('2026-07-02T04:00:00.000Z');
    });
    it('given weekly on Wednesday (3) at 06:00 Berlin, then it runs on Wednesdays only', () => {
      expect(runsAfter('2026-03-23T00:00:00Z', { frequency: 'weekly', timezone: 'Europe/Berlin', time: '06:00', dayOfWeek: 3 }, 3)).toEqual([
        '2026-03-25T05:00:00.000Z',
        '2026-04-01T04:00:00.000Z',
        '2026-04-08T04:00:00.000Z',
      ]);
    });
    it('given monthly on day 28 at 23:30 UTC, then it runs in February too, and across the year end', () => {
      expect(runsAfter('2026-01-29T00:00:00Z', { frequency: 'monthly', timezone: 'UTC', time: '23:30', dayOfMonth: 28 }, 3)).toEqual([
        '2026-02-28T23:30:00.000Z',
        '2026-03-28T23:30:00.000Z',
        '2026-04-28T23:30:00.000Z',
      ]);
      expect(runsAfter('2026-12-02T00:00:00Z', { frequency: 'monthly', timezone: 'America/New_York', time: '06:00', dayOfMonth: 1 }, 2)).toEqual([
        '2027-01-01T11:00:00.000Z',
        '2027-02-01T11:00:00.000Z',
      ]);
    });
  });

  describe(periodBefore.name, () => {
    it('given daily on the day after spring forward in Berlin, then the period is the 23-hour local day before', () => {
      const period = periodBefore({ year: 2026, month: 3, day: 30 }, 'daily', 'Europe/Berlin');
      expect(period).toEqual({ from: '2026-03-28T23:00:00.000Z', to: '2026-03-29T22:00:00.000Z' });
      expect((Date.parse(period.to) - Date.parse(period.from)) / 3_600_000).toBe(23);
    });
    it('given daily on the day after fall back in New York, then the period is the 25-hour local day before', () => {
      const period = periodBefore({ year: 2026, month: 11, day: 2 }, 'daily', 'America/New_York');
      expect(period).toEqual({ from: '2026-11-01T04:00:00.000Z', to: '2026-11-02T05:00:00.000Z' });
    });
    it('given weekly, then the period is the last whole Monday-to-Monday week before the week of the date', () => {
      expect(periodBefore({ year: 2026, month: 4, day: 1 }, 'weekly', 'UTC')).toEqual({ from: '2026-03-23T00:00:00.000Z', to: '2026-03-30T00:00:00.000Z' });
      expect(periodBefore({ year: 2026, month: 3, day: 30 }, 'weekly', 'UTC')).toEqual({ from: '2026-03-23T00:00:00.000Z', to: '2026-03-30T00:00:00.000Z' });
    });
    it('given monthly in January, then the period is December of the year before; in March, all of February', () => {
      expect(periodBefore({ year: 2027, month: 1, day: 1 }, 'monthly', 'Europe/Berlin')).toEqual({ from: '2026-11-30T23:00:00.000Z', to: '2026-12-31T23:00:00.000Z' });
      expect(periodBefore({ year: 2026, month: 3, day: 28 }, 'monthly', 'UTC')).toEqual({ from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' });
    });
  });

  describe(periodOfRun.name, () => {
    it('given a run at 00:30 local that is still the previous day in UTC, then the period is judged by the local date', () => {
      // 2026-04-01 00:30 in Berlin is 2026-03-31T22:30Z: the last complete month is March.
      expect(periodOfRun(new Date('2026-03-31T22:30:00Z'), { frequency: 'monthly', timezone: 'Europe/Berlin', time: '00:30', dayOfMonth: 1 })).toEqual({
        from: '2026-02-28T23:00:00.000Z',
        to: '2026-03-31T22:00:00.000Z',
      });
    });
  });

  it('accepts IANA zones and refuses anything else', () => {
    expect(isIanaTimezone('Europe/Berlin')).toBe(true);
    expect(isIanaTimezone('Mars/Olympus')).toBe(false);
    expect(isIanaTimezone('')).toBe(false);
  });
});
