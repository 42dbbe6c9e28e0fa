import { Inject, Injectable } from '@nestjs/common';
import { Filter, READ_STORE, ReadStore } from '../read-store/read-store.port';
import { NotificationView, readerAddresses, userKeyOf } from './notification';
import { InboxDocument, NOTIFICATION_INBOX, NOTIFICATION_READ_ALL, NOTIFICATION_READS, readAllDocumentId, ReadAllDocument, ReadMarkDocument } from './notifications.read-model';

/** Inbox documents read per query while paging or counting. */
const SCAN_BATCH = 500;
/** Inbox documents one list request examines at most; a sparse `unread=true` page then ends early with a nextCursor. */
export const MAX_LIST_SCAN = 10_000;
/** Unread notifications are counted exactly up to this many; beyond it `unreadCount` says this number. */
export const MAX_UNREAD_COUNT = 10_000;

/** Whoever reads: their `sub` and the roles of their token, in their tenant. */
export interface Reader {
  tenantId: string;
  subject: string;
  roles: readonly string[];
}

export interface InboxEntry {
  view: NotificationView;
  sortKey: string;
}

interface ReadState {
  all: ReadAllDocument | null;
  marks: Map<string, ReadMarkDocument>;
}

/**
 * One reader's view of the notification centre's read models: what is addressed to their `sub` or
 * to a role of their token (each notification once, however many of its addresses match), newest
 * published first, with their own read state. Nothing of another tenant: every query names it.
 */
@Injectable()
export class NotificationInbox {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  async page(reader: Reader, options: { limit: number; before: string | null; unread: boolean }): Promise<{ items: InboxEntry[]; nextSortKey: string | null }> {
    const all = await this.readAll(reader);
    const items: InboxEntry[] = [];
    const seen = new Set<string>();
    let before = options.before;
    let scanned = 0;
    for (;;) {
      const batch = await this.scan(reader, before === null ? {} : { sortKey: { $lt: before } }, -1);
      scanned += batch.length;
      const fresh = this.unseen(batch, seen);
      const state = { all, marks: await this.marks(reader, fresh.map((d) => d.notificationId)) };
      for (const doc of fresh) {
        const view = viewOf(doc, state);
        if (!options.unread || view.readAt === null) items.push({ view, sortKey: doc.sortKey });
      }
      if (items.length > options.limit) return { items: items.slice(0, options.limit), nextSortKey: items[options.limit - 1].sortKey };
      if (batch.length < SCAN_BATCH) return { items, nextSortKey: null };
      before = batch[batch.length - 1].sortKey;
      // A sparse filter: answer what was found, and where to go on.
      if (scanned >= MAX_LIST_SCAN) return { items, nextSortKey: before };
    }
  }

  /** Notifications addressed to the reader that they have not read (exact up to {@link MAX_UNREAD_COUNT}). */
  async unreadCount(reader: Reader): Promise<number> {
    const all = await this.readAll(reader);
    const after: Filter = all ? { sortKey: { $gt: all.upTo } } : {};
    const unread = new Set<string>();
    let before: string | null = null;
    while (unread.size < MAX_UNREAD_COUNT) {
      const batch: InboxDocument[] = await this.scan(reader, before === null ? after : { $and: [after, { sortKey: { $lt: before } }] }, -1);
      for (const doc of batch) unread.add(doc.notificationId);
      if (batch.length < SCAN_BATCH) break;
      before = batch[batch.length - 1].sortKey;
    }
    const userKey = userKeyOf(reader.tenantId, reader.subject);
    const marks = (await this.store.find(NOTIFICATION_READS, { tenantId: reader.tenantId, userKey, ...after }, { limit: MAX_UNREAD_COUNT * 2 })) as unknown as ReadMarkDocument[];
    for (const mark of marks) unread.delete(mark.notificationId);
    return Math.min(unread.size, MAX_UNREAD_COUNT);
  }

  /** The notification if it is addressed to the reader, with their read state; null otherwise (another user's, another tenant's, unknown). */
  async find(reader: Reader, notificationId: string): Promise<InboxEntry | null> {
    const [doc] = (await this.store.find(
      NOTIFICATION_INBOX,
      { tenantId: reader.tenantId, notificationId, address: { $in: readerAddresses(reader.subject, reader.roles) } },
      { limit: 1, hint: 'by_notification' },
    )) as unknown as InboxDocument[];
    if (!doc || doc.tenantId !== reader.tenantId) return null;
    const state = { all: await this.readAll(reader), marks: await this.marks(reader, [notificationId]) };
    return { view: viewOf(doc, state), sortKey: doc.sortKey };
  }

  /** Publish position of the newest notification addressed to the reader, or null. */
  async newestSortKey(reader: Reader): Promise<string | null> {
    const [doc] = await this.scan(reader, {}, -1, 1);
    return doc?.sortKey ?? null;
  }

  /**
   * The reader's notifications published in (after, upTo], oldest first, at most `limit` inbox documents
   * examined; `lastSortKey` is `upTo` once nothing more of the reader's is in that range.
   */
  async publishedBetween(reader: Reader, after: string | null, upTo: string, limit: number): Promise<{ items: InboxEntry[]; lastSortKey: string }> {
    const range = after === null ? { $lte: upTo } : { $gt: after, $lte: upTo };
    const batch = await this.scan(reader, { sortKey: range }, 1, limit);
    const fresh = this.unseen(batch, new Set());
    const state = { all: await this.readAll(reader), marks: await this.marks(reader, fresh.map((d) => d.notificationId)) };
    const items = fresh.map((doc) => ({ view: viewOf(doc, state), sortKey: doc.sortKey }));
    return { items, lastSortKey: batch.length < limit ? upTo : batch[batch.length - 1].sortKey };
  }

  /** Inbox documents of the whole tenant (every address) published after `after`, oldest first: the live fan-out reads them once for all readers. */
  async tenantPublishedAfter(tenantId: string, after: string | null, limit: number): Promise<InboxDocument[]> {
    const docs = (await this.store.find(NOTIFICATION_INBOX, after === null ? { tenantId } : { tenantId, sortKey: { $gt: after } }, { sort: [['sortKey', 1]], limit, hint: 'by_tenant' })) as unknown as InboxDocument[];
    return docs.filter((d) => d.tenantId === tenantId);
  }

  /** Publish position of the tenant's newest inbox document (any address), or null. */
  async tenantNewestSortKey(tenantId: string): Promise<string | null> {
    const [doc] = (await this.store.find(NOTIFICATION_INBOX, { tenantId }, { sort: [['sortKey', -1]], limit: 1, hint: 'by_tenant' })) as unknown as InboxDocument[];
    return doc?.tenantId === tenantId ? doc.sortKey : null;
  }

  /** Each reader's view of `docs` (already addressed to them and seen once), with their read state, in two queries for all of them. */
  async viewsFor(tenantId: string, readers: Array<{ subject: string; docs: InboxDocument[] }>): Promise<InboxEntry[][]> {
    const userKeys = readers.map((r) => userKeyOf(tenantId, r.subject));
    const notificationIds = [...new Set(readers.flatMap((r) => r.docs.map((d) => d.notificationId)))];
    if (notificationIds.length === 0) return readers.map(() => []);
    const [readAlls, marks] = await Promise.all([
      this.store.find(NOTIFICATION_READ_ALL, { tenantId, userKey: { $in: userKeys } }) as unknown as Promise<ReadAllDocument[]>,
      this.store.find(NOTIFICATION_READS, { tenantId, userKey: { $in: userKeys }, notificationId: { $in: notificationIds } }) as unknown as Promise<ReadMarkDocument[]>,
    ]);
    const allByUser = new Map(readAlls.filter((d) => d.tenantId === tenantId).map((d) => [d.userKey, d]));
    const marksByUser = new Map<string, Map<string, ReadMarkDocument>>();
    for (const mark of marks) {
      if (mark.tenantId !== tenantId) continue;
      if (!marksByUser.has(mark.userKey)) marksByUser.set(mark.userKey, new Map());
      marksByUser.get(mark.userKey)!.set(mark.notificationId, mark);
    }
    return readers.map((reader, i) => {
      const state = { all: allByUser.get(userKeys[i]) ?? null, marks: marksByUser.get(userKeys[i]) ?? new Map() };
      return reader.docs.map((doc) => ({ view: viewOf(doc, state), sortKey: doc.sortKey }));
    });
  }

  async readAll(reader: Reader): Promise<ReadAllDocument | null> {
    const doc = (await this.store.findById(NOTIFICATION_READ_ALL, readAllDocumentId(reader.tenantId, userKeyOf(reader.tenantId, reader.subject)))) as ReadAllDocument | null;
    return doc && doc.tenantId === reader.tenantId ? doc : null;
  }

  private async scan(reader: Reader, extra: Filter, direction: 1 | -1, limit = SCAN_BATCH): Promise<InboxDocument[]> {
    const docs = (await this.store.find(
      NOTIFICATION_INBOX,
      { tenantId: reader.tenantId, address: { $in: readerAddresses(reader.subject, reader.roles) }, ...extra },
      { sort: [['sortKey', direction]], limit },
    )) as unknown as InboxDocument[];
    return docs.filter((d) => d.tenantId === reader.tenantId);
  }

  /** Each notification once: the first of its inbox documents not seen before. */
  private unseen(batch: InboxDocument[], seen: Set<string>): InboxDocument[] {
    const fresh: InboxDocument[] = [];
    for (const doc of batch) {
      if (seen.has(doc.notificationId)) continue;
      seen.add(doc.notificationId);
      fresh.push(doc);
    }
    return fresh;
  }

  private async marks(reader: Reader, notificationIds: string[]): Promise<Map<string, ReadMarkDocument>> {
    if (notificationIds.length === 0) return new Map();
    const docs = (await this.store.find(NOTIFICATION_READS, {
      tenantId: reader.tenantId,
      userKey: userKeyOf(reader.tenantId, reader.subject),
      notificationId: { $in: notificationIds },
    })) as unknown as ReadMarkDocument[];
    return new Map(docs.map((d) => [d.notificationId, d]));
  }
}

function viewOf(doc: InboxDocument, state: ReadState): NotificationView {
  const mark = state.marks.get(doc.notificationId);
  const readAt = mark ? mark.readAt : state.all && doc.sortKey <= state.all.upTo ? state.all.at : null;
  return { ...doc.notification, readAt };
}
