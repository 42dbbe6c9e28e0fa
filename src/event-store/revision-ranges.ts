/** Revisions closer than this are read as one range (the ones between are read and dropped). */
const MAX_GAP = 16;

/** Sorted, de-duplicated revisions grouped into inclusive [from, to] ranges, for stores read by range. */
export function rangesOf(revisions: readonly number[]): Array<[number, number]> {
  const sorted = [...new Set(revisions)].sort((a, b) => a - b);
  const ranges: Array<[number, number]> = [];
  for (const revision of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && revision - last[1] <= MAX_GAP) last[1] = revision;
    else ranges.push([revision, revision]);
  }
  return ranges;
}
