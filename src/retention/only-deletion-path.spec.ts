import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name) ? [full] : [];
  });
}

const relative = (file: string) => path.relative(SRC, file).split(path.sep).join('/');

/** Issue 12 item 6: no code path but the retention job deletes or changes an event (ADR 025). */
describe('the only deletion path of the event log', () => {
  const files = sourceFiles(SRC).map((file) => ({ file: relative(file), text: fs.readFileSync(file, 'utf8') }));

  it('calls truncateBefore only from the retention expiry job (the adapters implement it)', () => {
    const callers = files.filter((f) => /\.truncateBefore\(/.test(f.text)).map((f) => f.file);
    expect(callers).toEqual(['retention/retention-expiry.ts']);
  });

  it('deletes below the horizon only from the SQLite adapter’s truncateBefore, through its writer', () => {
    const callers = files.filter((f) => /\.deleteBelowHorizon\(/.test(f.text)).map((f) => f.file);
    expect(callers.sort()).toEqual(['event-store/sqlite/sqlite-event-store.ts', 'event-store/sqlite/sqlite-writer.main.ts', 'event-store/sqlite/sqlite-writer.ts']);
  });

  it('has no SQL that updates or deletes events outside the SQLite adapter’s truncation, and no trigger drop but the DELETE trigger migration', () => {
    const writesEvents = files.filter((f) => /\b(UPDATE\s+events\b|DELETE\s+FROM\s+events\b|DROP\s+TRIGGER)/i.test(f.text)).map((f) => f.file);
    // The adapter's writes (both its writers run them) are in sqlite-appends.ts (ADR 033).
    expect(writesEvents.sort()).toEqual(['event-store/sqlite/sqlite-appends.ts', 'event-store/sqlite/sqlite-event-store.schema.ts']);
    const adapter = files.find((f) => f.file === 'event-store/sqlite/sqlite-appends.ts')!.text;
    expect(adapter.match(/DELETE\s+FROM\s+events\b[^']*/gi)).toEqual(['DELETE FROM events WHERE position IN (SELECT position FROM events WHERE stream = ? AND revision < ? ORDER BY revision LIMIT ?)']);
    expect(adapter).not.toMatch(/UPDATE\s+events\b/i);
  });

  it('sets no EventStoreDB stream metadata ($tb, $maxAge) outside the adapter’s truncateBefore', () => {
    expect(files.filter((f) => /setStreamMetadata\(/.test(f.text)).map((f) => f.file)).toEqual(['event-store/eventstoredb/eventstoredb-event-store.ts']);
  });
});
