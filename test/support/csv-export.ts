import { parseCsv } from './audit-api';

/**
 * What a consumer of the CSV export does to get the stored events back, written from
 * docs/export-formats.md (not from the exporter's code): remove one leading `'` from a cell that has
 * one, treat an empty cell as absent, parse the JSON columns, put dotted headers back into objects.
 */
const NUMBER_COLUMNS = new Set(['sequence']);
const JSON_COLUMNS = new Set(['changes.before', 'changes.after', 'dataSubjects', 'metadata']);

export function eventsFromCsv(text: string): Array<Record<string, unknown>> {
  const [header, ...rows] = parseCsv(text);
  return rows.map((row) => {
    if (row.length !== header.length) throw new Error(`row has ${row.length} cells, header ${header.length}`);
    const event: Record<string, unknown> = {};
    header.forEach((column, i) => {
      let cell = row[i];
      if (cell === '') return;
      if (cell.startsWith("'")) cell = cell.slice(1);
      const value = NUMBER_COLUMNS.has(column) ? Number(cell) : JSON_COLUMNS.has(column) ? JSON.parse(cell) : cell;
      const path = column.split('.');
      let target = event;
      for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
      target[path[path.length - 1]] = value;
    });
    return event;
  });
}
