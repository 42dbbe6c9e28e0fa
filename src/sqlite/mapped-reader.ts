import Database from 'better-sqlite3';

/**
 * A read-only connection to `file` whose reads go through a memory map of its first `mmapMiB` MiB
 * (ADR 032), for bulk reads of either embedded store. A fault on a mapped page makes the kernel read
 * the pages around it too, which a long walk of an index or the log needs, backwards as well (plain
 * reads are read ahead only forwards); scattered reads stay on the store's main connection, where
 * that would read pages nobody asked for.
 */
export function openMappedReader(file: string, mmapMiB: number, busyTimeoutMs: number): Database.Database {
  const db = new Database(file);
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.pragma('query_only = ON');
  db.pragma(`mmap_size = ${mmapMiB * 1024 * 1024}`);
  return db;
}
