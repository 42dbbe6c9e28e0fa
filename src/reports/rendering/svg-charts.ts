/**
 * Inline SVG charts for report PDFs: drawn here as plain markup (no script, no external resource), so
 * the page renders them without JavaScript or network. Every text is XML-escaped.
 */

const INK = '#1f2a44';
const ACCENT = '#2f5d9e';
const GRID = '#d9dee8';
const MUTED = '#6b7588';
const FONT = "font-family=\"'Liberation Sans', 'DejaVu Sans', Arial, sans-serif\"";

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A "nice" axis maximum (1, 2, 2.5, 5 × 10^n) at or above `value`, and its four equal steps. */
export function niceAxis(value: number): { max: number; ticks: number[] } {
  if (value <= 0) return { max: 4, ticks: [0, 1, 2, 3, 4] };
  const raw = value / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks = [0, 1, 2, 3, 4].map((i) => Math.round(i * step * 1000) / 1000);
  return { max: ticks[4], ticks };
}

const formatCount = (n: number) => n.toLocaleString('en-US');

/**
 * Vertical bars, one per local day of the period. Labels: the first day of each month when the period is
 * long, otherwise every n-th day so that labels never overlap.
 */
export function activityPerDayChart(days: Array<{ day: string; count: number }>, width = 680, height = 220): string {
  const left = 48;
  const right = 8;
  const top = 12;
  const bottom = 36;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const { max, ticks } = niceAxis(Math.max(0, ...days.map((d) => d.count)));
  const parts: string[] = [];
  for (const tick of ticks) {
    const y = top + plotHeight - (tick / max) * plotHeight;
    parts.push(`<line x1="${left}" y1="${y.toFixed(1)}" x2="${width - right}" y2="${y.toFixed(1)}" stroke="${GRID}" stroke-width="0.8"/>`);
    parts.push(`<text x="${left - 6}" y="${(y + 3.5).toFixed(1)}" text-anchor="end" font-size="9" fill="${MUTED}" ${FONT}>${escapeXml(formatCount(tick))}</text>`);
  }
  if (days.length === 0) {
    parts.push(`<text x="${left + plotWidth / 2}" y="${top + plotHeight / 2}" text-anchor="middle" font-size="11" fill="${MUTED}" ${FONT}>No days in the period</text>`);
  }
  const slot = days.length ? plotWidth / days.length : 0;
  const barWidth = Math.max(0.6, slot * 0.72);
  const labelEvery = Math.max(1, Math.ceil(days.length / 12));
  const monthly = days.length > 62;
  days.forEach((d, i) => {
    const x = left + i * slot + (slot - barWidth) / 2;
    const h = (d.count / max) * plotHeight;
    if (d.count > 0) parts.push(`<rect x="${x.toFixed(2)}" y="${(top + plotHeight - h).toFixed(2)}" width="${barWidth.toFixed(2)}" height="${h.toFixed(2)}" fill="${ACCENT}"/>`);
    const label = monthly ? (d.day.endsWith('-01') ? d.day.slice(0, 7) : null) : i % labelEvery === 0 ? d.day.slice(5) : null;
    if (label) {
      const cx = left + i * slot + slot / 2;
      parts.push(`<line x1="${cx.toFixed(2)}" y1="${top + plotHeight}" x2="${cx.toFixed(2)}" y2="${top + plotHeight + 4}" stroke="${MUTED}" stroke-width="0.8"/>`);
      parts.push(`<text x="${cx.toFixed(2)}" y="${top + plotHeight + 16}" text-anchor="middle" font-size="9" fill="${MUTED}" ${FONT}>${escapeXml(label)}</text>`);
    }
  });
  parts.push(`<line x1="${left}" y1="${top + plotHeight}" x2="${width - right}" y2="${top + plotHeight}" stroke="${INK}" stroke-width="1"/>`);
  const title = `Events per day: ${days.length} days, ${formatCount(days.reduce((n, d) => n + d.count, 0))} events`;
  return svg(width, height, title, parts);
}

/** Horizontal bars, most events first, at most 10 actors. */
export function topActorsChart(actors: Array<{ actorId: string; count: number }>, width = 680): string {
  const rows = actors.slice(0, 10);
  const rowHeight = 22;
  const labelWidth = 190;
  const right = 60;
  const top = 6;
  const height = Math.max(40, top * 2 + rows.length * rowHeight);
  const plotWidth = width - labelWidth - right;
  const max = Math.max(1, ...rows.map((r) => r.count));
  const parts: string[] = [];
  if (rows.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2 + 4}" text-anchor="middle" font-size="11" fill="${MUTED}" ${FONT}>No actors in the population</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, (r.count / max) * plotWidth);
    const label = r.actorId.length > 30 ? `${r.actorId.slice(0, 29)}…` : r.actorId;
    parts.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" font-size="10" fill="${INK}" ${FONT}>${escapeXml(label)}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(2)}" height="${rowHeight - 8}" fill="${i === 0 ? INK : ACCENT}"/>`);
    parts.push(`<text x="${(labelWidth + w + 6).toFixed(2)}" y="${y + 15}" font-size="10" fill="${INK}" ${FONT}>${escapeXml(formatCount(r.count))}</text>`);
  });
  return svg(width, height, `Top ${rows.length} actors by events`, parts);
}

function svg(width: number, height: number, title: string, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${escapeXml(title)}</title>${parts.join('')}</svg>`;
}
