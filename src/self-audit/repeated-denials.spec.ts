import { RepeatedDenials } from './repeated-denials';

const WINDOW = 60_000;
const T0 = Date.parse('2026-11-28T12:00:00Z');

function aggregator(maxWindows?: number) {
  let now = T0;
  const denials = new RepeatedDenials<string>({ windowMs: WINDOW, now: () => now, maxWindows, maxNotes: 3 });
  return { denials, at: (ms: number) => (now = T0 + ms) };
}

describe(RepeatedDenials.name, () => {
  it('records the first denial of a key at once and only counts the repeats within the window', () => {
    const { denials, at } = aggregator();
    expect(denials.admit('k', 'first').record).toBe(true);
    for (let i = 1; i <= 999; i++) {
      at(i * 50);
      expect(denials.admit('k', 'repeat').record).toBe(false);
    }
    expect(denials.takeEnded()).toEqual([]);
  });

  it('summarises the repeats once the window has ended, with count, times and the first sample', () => {
    const { denials, at } = aggregator();
    denials.admit('k', 'first');
    at(1000);
    denials.admit('k', 'second');
    at(59_999);
    denials.admit('k', 'third');
    expect(denials.takeEnded()).toEqual([]);
    at(60_000);
    expect(denials.takeEnded()).toEqual([
      {
        key: 'k',
        sample: 'first',
        count: 2,
        notes: [],
        windowStart: new Date(T0),
        windowEnd: new Date(T0 + WINDOW),
        firstRepeatAt: new Date(T0 + 1000),
        lastRepeatAt: new Date(T0 + 59_999),
      },
    ]);
    expect(denials.openWindows).toBe(0);
  });

  it('writes no summary for a window without repeats, and records the next denial at once again', () => {
    const { denials, at } = aggregator();
    denials.admit('k', 'first');
    at(WINDOW);
    expect(denials.takeEnded()).toEqual([]);
    expect(denials.admit('k', 'again').record).toBe(true);
  });

  it('keeps keys apart: another key is recorded at once', () => {
    const { denials } = aggregator();
    denials.admit('a', 'x');
    expect(denials.admit('b', 'y').record).toBe(true);
    expect(denials.admit('a', 'x').record).toBe(false);
  });

  it('returns the summary of an ended window that was not taken yet when its key comes back', () => {
    const { denials, at } = aggregator();
    denials.admit('k', 'first');
    at(10);
    denials.admit('k', 'repeat');
    at(WINDOW + 5);
    const result = denials.admit('k', 'next window');
    expect(result.record).toBe(true);
    expect(result.evicted).toMatchObject({ key: 'k', count: 1, windowEnd: new Date(T0 + WINDOW) });
  });

  it('keeps at most maxNotes distinct notes', () => {
    const { denials } = aggregator();
    denials.admit('k', 's', 't0');
    for (const note of ['t1', 't2', 't1', 't3', 't4']) denials.admit('k', 's', note);
    expect(denials.takeAll()[0]).toMatchObject({ count: 5, notes: ['t1', 't2', 't3'] });
  });

  it('bounds the open windows: the oldest is summarised early when a new key needs room', () => {
    const { denials, at } = aggregator(2);
    denials.admit('a', 'a');
    denials.admit('a', 'a');
    denials.admit('b', 'b');
    at(5);
    const result = denials.admit('c', 'c');
    expect(result.record).toBe(true);
    expect(result.evicted).toMatchObject({ key: 'a', count: 1, windowEnd: new Date(T0 + 5) });
    expect(denials.openWindows).toBe(2);
  });

  it('takeAll ends every window now (shutdown)', () => {
    const { denials, at } = aggregator();
    denials.admit('k', 'first');
    denials.admit('k', 'repeat');
    at(30_000);
    expect(denials.takeAll()).toEqual([expect.objectContaining({ key: 'k', count: 1, windowEnd: new Date(T0 + 30_000) })]);
    expect(denials.openWindows).toBe(0);
  });
});
