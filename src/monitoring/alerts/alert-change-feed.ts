import { Inject, Injectable } from '@nestjs/common';
import { Filter, READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { MONITORING_PROJECTION } from '../engine/monitoring-engine.read-model';
import { ALERTS, AlertDocument, AlertView, toAlertView } from './alert';

export interface AlertChange {
  tenantId: string;
  alertId: string;
  /** `raised` when the raise itself is after the reader's cursor, `updated` otherwise. */
  kind: 'raised' | 'updated';
  /** Log position of the event behind this change. */
  position: string;
  alert: AlertView;
}

/** Where a reader stands: the last change it has handled. */
export interface AlertChangeCursor {
  position: string;
  alertId: string;
}

/**
 * Alerts that changed (raised, joined by a new event, triaged) after a cursor, for the modules that react
 * to alerts (notifications, webhooks), each of which keeps its own durable cursor.
 *
 * Every alert write of the rules engine stamps the log position of the event behind it, so the feed is
 * in log order and a rebuild of the projection reproduces the same (alertId, position) pairs. Only what
 * the projection has committed is returned: below its checkpoint no later write can appear, even on
 * stores that apply a batch document by document. Changes coalesce: a reader sees the latest state of
 * each alert changed since its cursor, once.
 */
@Injectable()
export class AlertChangeFeed {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  async readAfter(cursor: AlertChangeCursor | null, limit: number): Promise<AlertChange[]> {
    const committed = (await this.store.getCheckpoint(MONITORING_PROJECTION))?.position ?? null;
    if (committed === null) return [];
    const after: Filter = cursor
      ? { $or: [{ changePosition: { $gt: cursor.position } }, { changePosition: cursor.position, id: { $gt: cursor.alertId } }] }
      : {};
    const docs = (await this.store.find(ALERTS, { $and: [after, { changePosition: { $lte: committed } }] }, {
      sort: [
        ['changePosition', 1],
        ['id', 1],
      ],
      limit,
      hint: 'by_change',
    })) as unknown as AlertDocument[];
    return docs.map((doc) => ({
      tenantId: doc.tenantId,
      alertId: doc.id,
      kind: raisedAfter(doc, cursor) ? 'raised' : 'updated',
      position: doc.changePosition,
      alert: toAlertView(doc),
    }));
  }
}

function raisedAfter(doc: AlertDocument, cursor: AlertChangeCursor | null): boolean {
  if (cursor === null) return true;
  return doc.raisedPosition > cursor.position || (doc.raisedPosition === cursor.position && doc.id > cursor.alertId);
}
