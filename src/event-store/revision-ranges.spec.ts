import { rangesOf } from './revision-ranges';

describe('rangesOf', () => {
  it('reads nearby revisions as one range and distant ones apart, whatever their order', () => {
    expect(rangesOf([5, 1, 3, 3, 40, 2])).toEqual([
      [1, 5],
      [40, 40],
    ]);
    expect(rangesOf([0, 16, 33])).toEqual([
      [0, 16],
      [33, 33],
    ]);
    expect(rangesOf([])).toEqual([]);
  });
});
