import { StreamOpenings } from './stream-openings';

describe(StreamOpenings.name, () => {
  it('resumes the openings of a burst one per turn of the event loop, in arrival order', async () => {
    const openings = new StreamOpenings();
    let iteration = 0;
    let ticking = true;
    const tick = (): void => {
      iteration++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const resumedIn = await Promise.all([1, 2, 3, 4].map(() => openings.turn().then(() => iteration)));
    ticking = false;
    expect(new Set(resumedIn).size).toBe(4);
    expect(resumedIn).toEqual([...resumedIn].sort((a, b) => a - b));
  });
});
