import Database from 'better-sqlite3';
import { openMappedReader } from '../../sqlite/mapped-reader';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Position } from '../../event-store/event-store.port';
import { assertStorableDocument, assertValidDefinition, definitionHash, valueAt } from '../collection-definition';
import { ownerId } from '../lease';
import { CheckpointConflictError, DefinitionChangedError, LeaseHeldError } from '../read-store.errors';
import {
  CheckpointInfo,
  CollectionDefinition,
  DEFAULT_LEASE_MS,
  Filter,
  FindOptions,
  LeaseOptions,
  PreparedProjection,
  ProjectionDefinition,
  ProjectionLease,
  ReadModelDocument,
  ReadStore,
  ReadStoreFaults,
  StoredDocument,
  WriteOperation,
} from '../read-store.port';
import { columnOf, toSqlValue, translateFilter, translateSort } from './sqlite-filter-translator';

const CHECKPOINTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name            TEXT PRIMARY KEY,
  version         INTEGER NOT NULL,
  position        TEXT,
  definition_hash TEXT NOT NULL,
  collections     TEXT NOT NULL,
  updated_at      TEXT NOT NULL
)`;

/** One owner per projection (ADR 018); apart from the checkpoint so that a reset keeps it. */
const LEASES_SCHEMA = `
CREATE TABLE IF NOT EXISTS projection_leases (
  name     TEXT PRIMARY KEY,
  owner    TEXT NOT NULL,
  until_ms INTEGER NOT NULL
)`;

const SQL_TYPES = { string: 'TEXT', number: 'NUMERIC', boolean: 'INTEGER' } as const;


interface CheckpointRow {
  name: string;
  version: number;
  position: string | null;
  definition_hash: string;
  collections: string;
  updated_at: string;
}

interface CollectionStatements {
  definition: CollectionDefinition;
  upsert: Database.Statement;
  remove: Database.Statement;
  get: Database.Statement<[string], { doc: string; pos: string }>;
}

export interface SqliteReadStoreOptions extends LeaseOptions {
  file: string;
  /** Page cache size (default 32 MiB). */
  cacheMiB?: number;
  /**
   * MiB of the file that bulk reads (`FindOptions.bulk`, e.g. an export) read through a memory map, on
   * a connection of their own (ADR 032). Default 0: bulk reads use the main connection's plain reads.
   */
  mmapMiB?: number;
  faults?: ReadStoreFaults;
}

/** How long a write waits for another connection's write transaction to end. */
const WRITE_LOCK_TIMEOUT_MS = 5000;

/**
 * Embedded read-model store. One table per collection: id, position, the JSON document, and one
 * typed column per declared field so that declared indexes serve the queries. Data and checkpoint
 * are written in one transaction. synchronous=NORMAL is enough here: a power loss can only drop the
 * newest transactions, data and checkpoint together, and the projection then re-applies them.
 */
export class SqliteReadStore implements ReadStore {
  private readonly db: Database.Database;
  private readonly collections = new Map<string, CollectionStatements>();
  private readonly faults: ReadStoreFaults;
  /** Prepared query statements by SQL text (queries are built from a small set of shapes). */
  private readonly queries = new Map<string, Database.Statement>();
  /** The memory-mapped connection of bulk reads, opened on first use (null: bulk reads use `db`). */
  private bulk: { db: Database.Database; queries: Map<string, Database.Statement> } | null = null;
  private readonly file: string;
  private readonly mmapMiB: number;
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly clock: () => number;

  constructor(options: SqliteReadStoreOptions) {
    if (options.file !== ':memory:') fs.mkdirSync(path.dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.file = options.file;
    this.mmapMiB = options.file === ':memory:' ? 0 : (options.mmapMiB ?? 0);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`busy_timeout = ${WRITE_LOCK_TIMEOUT_MS}`);
    // Derived data with many secondary indexes: the projection's connection keeps hot index pages
    // cached, and the WAL is checkpointed less often so a page dirtied by many commits is copied once.
    this.db.pragma(`cache_size = -${(options.cacheMiB ?? 32) * 1024}`);
    this.db.pragma('wal_autocheckpoint = 16384');
    this.db.pragma('temp_store = MEMORY');
    this.db.exec(CHECKPOINTS_SCHEMA);
    this.db.exec(LEASES_SCHEMA);
    this.faults = options.faults ?? {};
    this.owner = options.owner ?? ownerId();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.clock = options.clock ?? Date.now;
  }

  async prepareProjection(definition: ProjectionDefinition): Promise<PreparedProjection> {
    assertValidDefinition(definition);
    const hash = definitionHash(definition);
    const result = this.db
      .transaction((): PreparedProjection => {
        const row = this.checkpointRow(definition.name);
        if (row && row.version === definition.version) {
          if (row.definition_hash !== hash) throw new DefinitionChangedError(definition.name, definition.version);
          definition.collections.forEach((c) => this.createCollection(c));
          return { position: row.position, rebuilt: false };
        }
        const previous: string[] = row ? JSON.parse(row.collections) : [];
        this.dropCollections([...previous, ...definition.collections.map((c) => c.name)]);
        definition.collections.forEach((c) => this.createCollection(c));
        this.db
          .prepare(
            `INSERT INTO projection_checkpoints (name, version, position, definition_hash, collections, updated_at)
             VALUES (?, ?, NULL, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = NULL,
               definition_hash = excluded.definition_hash, collections = excluded.collections, updated_at = excluded.updated_at`,
          )
          .run(definition.name, definition.version, hash, JSON.stringify(definition.collections.map((c) => c.name)), new Date().toISOString());
        return { position: null, rebuilt: row !== undefined };
      })
      .immediate();
    definition.collections.forEach((c) => this.registerCollection(c));
    return result;
  }

  async attachProjection(definition: ProjectionDefinition): Promise<void> {
    assertValidDefinition(definition);
    definition.collections.forEach((c) => this.registerCollection(c));
  }

  async resetProjection(definition: ProjectionDefinition): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM projection_checkpoints WHERE name = ?').run(definition.name);
      this.dropCollections(definition.collections.map((c) => c.name));
    })();
    definition.collections.forEach((c) => this.collections.delete(c.name));
  }

  async getCheckpoint(projection: string): Promise<CheckpointInfo | null> {
    const row = this.checkpointRow(projection);
    return row ? { name: row.name, version: row.version, position: row.position, updatedAt: new Date(row.updated_at), lease: this.leaseOf(projection) } : null;
  }

  async acquireLease(projection: string, options: { force?: boolean } = {}): Promise<ProjectionLease> {
    // Renewed only past half its time: a renewal is a write, which waits for the write lock while another
    // thread (the projection worker) commits, and main-thread callers ask for their lease at every step.
    const held = options.force ? null : this.leaseOf(projection);
    if (held && held.owner === this.owner && held.until.getTime() - this.clock() > this.leaseMs / 2) return held;
    return this.writeTransaction(() => this.takeLease(projection, options.force ?? false));
  }

  async releaseLease(projection: string): Promise<void> {
    this.db.prepare('DELETE FROM projection_leases WHERE name = ? AND owner = ?').run(projection, this.owner);
  }

  async commit(projection: string, expected: Position | null, position: Position, writes: WriteOperation[]): Promise<void> {
    // Data and checkpoint commit in one transaction, so a second runner can never write stale data
    // here; the lease only spares it the wasted work of racing for every checkpoint.
    await this.faults.afterCheckBeforeData?.(projection);
    await this.writeTransaction(() => {
      this.takeLease(projection, false); // rolled back with the rest if the checkpoint moved
      const row = this.checkpointRow(projection);
      if (!row || row.position !== expected) throw new CheckpointConflictError(projection, expected);
      for (const write of writes) {
        const statements = this.statementsOf(write.collection);
        if (write.kind === 'put') {
          const { definition } = statements;
          assertStorableDocument(write.doc);
          const fields = Object.keys(definition.fields).map((f) => toSqlValue(valueAt(write.doc, f)));
          statements.upsert.run(write.doc.id, write.position, JSON.stringify(write.doc), ...fields);
        } else {
          statements.remove.run(write.id, write.position);
        }
      }
      this.faults.afterDataBeforeCheckpoint?.(projection);
      this.db
        .prepare('UPDATE projection_checkpoints SET position = ?, updated_at = ? WHERE name = ?')
        .run(position, new Date().toISOString(), projection);
    });
  }

  /**
   * A write transaction that waits for the write lock without blocking the thread: SQLite's busy
   * handler sleeps inside the call, which would hold the event loop for as long as another connection
   * (the projection worker's batch commit) writes. Tries at once; while the lock is taken, retries on
   * a timer, giving up after WRITE_LOCK_TIMEOUT_MS as the busy timeout did.
   */
  private async writeTransaction<T>(work: () => T): Promise<T> {
    const deadline = performance.now() + WRITE_LOCK_TIMEOUT_MS;
    for (let delayMs = 1; ; delayMs = Math.min(delayMs * 2, 25)) {
      this.db.pragma('busy_timeout = 0');
      try {
        return this.db.transaction(work).immediate();
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || performance.now() >= deadline) throw error;
      } finally {
        this.db.pragma(`busy_timeout = ${WRITE_LOCK_TIMEOUT_MS}`);
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  async getWithPosition(collection: string, id: string): Promise<StoredDocument | null> {
    const row = this.statementsOf(collection).get.get(id);
    return row ? { doc: JSON.parse(row.doc), position: row.pos } : null;
  }

  async findById(collection: string, id: string): Promise<ReadModelDocument | null> {
    return (await this.getWithPosition(collection, id))?.doc ?? null;
  }

  async find(collection: string, filter: Filter, options: FindOptions = {}): Promise<ReadModelDocument[]> {
    const { definition } = this.statementsOf(collection);
    const where = translateFilter(definition, filter, options);
    const limit = options.limit !== undefined || options.skip ? ` LIMIT ${options.limit ?? -1}${options.skip ? ` OFFSET ${options.skip}` : ''}` : '';
    const indexedBy = options.hint ? ` INDEXED BY "ix_${collection}_${options.hint}"` : '';
    const sql = `SELECT doc FROM ${tableOf(collection)}${indexedBy} WHERE ${where.sql}${translateSort(options)}${limit}`;
    const statement = options.bulk ? this.bulkStatement(sql) : this.statement(sql);
    return (statement.all(...where.params) as Array<{ doc: string }>).map((row) => JSON.parse(row.doc));
  }

  async count(collection: string, filter: Filter): Promise<number> {
    const { definition } = this.statementsOf(collection);
    const where = translateFilter(definition, filter);
    return (this.statement(`SELECT COUNT(*) AS n FROM ${tableOf(collection)} WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.bulk?.db.open) this.bulk.db.close();
    if (this.db.open) this.db.close();
  }

  private statement(sql: string): Database.Statement {
    return cachedStatement(this.db, this.queries, sql);
  }

  /** A statement on the connection of bulk reads (ADR 032), opened on first use. */
  private bulkStatement(sql: string): Database.Statement {
    if (this.mmapMiB === 0) return this.statement(sql);
    this.bulk ??= { db: openMappedReader(this.file, this.mmapMiB, WRITE_LOCK_TIMEOUT_MS), queries: new Map() };
    return cachedStatement(this.bulk.db, this.bulk.queries, sql);
  }

  private takeLease(projection: string, force: boolean): ProjectionLease {
    const now = this.clock();
    const held = this.leaseOf(projection);
    if (!force && held && held.owner !== this.owner && held.until.getTime() > now) throw new LeaseHeldError(projection, held.owner, held.until);
    this.db
      .prepare('INSERT INTO projection_leases (name, owner, until_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms')
      .run(projection, this.owner, now + this.leaseMs);
    return { owner: this.owner, until: new Date(now + this.leaseMs) };
  }

  private leaseOf(projection: string): ProjectionLease | null {
    const row = this.db.prepare<[string], { owner: string; until_ms: number }>('SELECT owner, until_ms FROM projection_leases WHERE name = ?').get(projection);
    return row ? { owner: row.owner, until: new Date(row.until_ms) } : null;
  }

  private checkpointRow(name: string): CheckpointRow | undefined {
    return this.db.prepare<[string], CheckpointRow>('SELECT * FROM projection_checkpoints WHERE name = ?').get(name);
  }

  private createCollection(collection: CollectionDefinition): void {
    const table = tableOf(collection.name);
    const columns = Object.entries(collection.fields).map(([field, type]) => `${columnOf(field)} ${SQL_TYPES[type]}`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, pos TEXT NOT NULL, doc TEXT NOT NULL${columns.map((c) => `, ${c}`).join('')})`);
    for (const index of collection.indexes) {
      const keys = index.keys.map(([field, dir]) => `${columnOf(field)} ${dir === -1 ? 'DESC' : 'ASC'}`).join(', ');
      this.db.exec(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "ix_${collection.name}_${index.name}" ON ${table} (${keys})`);
    }
  }

  private dropCollections(names: string[]): void {
    this.queries.clear();
    this.bulk?.queries.clear();
    for (const name of new Set(names)) this.db.exec(`DROP TABLE IF EXISTS ${tableOf(name)}`);
  }

  private registerCollection(collection: CollectionDefinition): void {
    const table = tableOf(collection.name);
    const fieldColumns = Object.keys(collection.fields).map(columnOf);
    const placeholders = ['?', '?', '?', ...fieldColumns.map(() => '?')].join(', ');
    const updates = ['pos', 'doc', ...fieldColumns].map((c) => `${c} = excluded.${c}`).join(', ');
    this.collections.set(collection.name, {
      definition: collection,
      upsert: this.db.prepare(
        `INSERT INTO ${table} (id, pos, doc${fieldColumns.map((c) => `, ${c}`).join('')}) VALUES (${placeholders})
         ON CONFLICT (id) DO UPDATE SET ${updates} WHERE excluded.pos > ${table}.pos`,
      ),
      remove: this.db.prepare(`DELETE FROM ${table} WHERE id = ? AND pos < ?`),
      get: this.db.prepare(`SELECT doc, pos FROM ${table} WHERE id = ?`),
    });
  }

  private statementsOf(collection: string): CollectionStatements {
    const statements = this.collections.get(collection);
    if (!statements) throw new Error(`Unknown collection "${collection}": no prepared projection declares it`);
    return statements;
  }
}

function tableOf(collection: string): string {
  return `"rm_${collection}"`;
}

/** Prepared query statements by SQL text (queries are built from a small set of shapes). */
function cachedStatement(db: Database.Database, cache: Map<string, Database.Statement>, sql: string): Database.Statement {
  let statement = cache.get(sql);
  if (!statement) {
    if (cache.size >= 500) cache.delete(cache.keys().next().value as string);
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}
