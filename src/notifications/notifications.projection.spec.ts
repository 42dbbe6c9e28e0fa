import { RecordedEvent } from '../event-store/event-store.port';
import { ProjectionWriter } from '../projections/projection';
import { ReadModelDocument } from '../read-store/read-store.port';
import { addressesOf, decodeNotificationCursor, encodeNotificationCursor, readerAddresses, userKeyOf } from './notification';
import { NOTIFICATION_PUBLISHED, NOTIFICATION_READ, NOTIFICATIONS_ALL_READ } from './notification.events';
import { NotificationsProjection } from './notifications.projection';
import { NOTIFICATION_INBOX, NOTIFICATION_READ_ALL, NOTIFICATION_READS } from './notifications.read-model';

function memoryWriter() {
  const docs = new Map<string, ReadModelDocument>();
  const writer: ProjectionWriter = {
    get: async (collection, id) => docs.get(`${collection}/${id}`) ?? null,
    put: (collection, doc) => void docs.set(`${collection}/${doc.id}`, doc as ReadModelDocument),
    delete: (collection, id) => void docs.delete(`${collection}/${id}`),
  };
  return { docs, writer, of: (collection: string) => [...docs.entries()].filter(([k]) => k.startsWith(`${collection}/`)).map(([, d]) => d) };
}

let position = 0;
const recorded = (type: string, data: object): RecordedEvent =>
  ({ id: `e${++position}`, stream: 's', revision: 0, position: String(position).padStart(20, '0'), type, data, metadata: {}, recordedAt: new Date() }) as unknown as RecordedEvent;

const published = (id: string, addressees: { userIds: string[]; roles: string[] }) =>
  recorded(NOTIFICATION_PUBLISHED, { tenantId: 'acme', key: id, addressees, notification: { id, kind: 'alert', title: id, link: '/v1/alerts/x', createdAt: '2026-11-28T10:00:00.000Z' } });

describe('NotificationsProjection', () => {
  it('given a notification for a user and two roles, then one inbox document per address, sorted by its publish position', async () => {
    const { writer, of } = memoryWriter();
    const event = published('n1', { userIds: ['sam'], roles: ['auditor', 'compliance_officer'] });
    await new NotificationsProjection().apply(event, writer);
    expect(of(NOTIFICATION_INBOX).map((d) => [d.address, d.sortKey])).toEqual([
      ['u:sam', event.position],
      ['r:auditor', event.position],
      ['r:compliance_officer', event.position],
    ]);
  });

  it('given a read mark, when the same notification is marked again later, then the first readAt stays', async () => {
    const { writer, of } = memoryWriter();
    const projection = new NotificationsProjection();
    await projection.apply(recorded(NOTIFICATION_READ, { tenantId: 'acme', userId: 'sam', notificationId: 'n1', sortKey: '1', at: '2026-11-28T10:00:00.000Z' }), writer);
    await projection.apply(recorded(NOTIFICATION_READ, { tenantId: 'acme', userId: 'sam', notificationId: 'n1', sortKey: '1', at: '2026-11-28T11:00:00.000Z' }), writer);
    expect(of(NOTIFICATION_READS).map((d) => d.readAt)).toEqual(['2026-11-28T10:00:00.000Z']);
  });

  it('given a read-all up to a position, when an older read-all is replayed, then the watermark does not move back', async () => {
    const { writer, of } = memoryWriter();
    const projection = new NotificationsProjection();
    await projection.apply(recorded(NOTIFICATIONS_ALL_READ, { tenantId: 'acme', userId: 'sam', upTo: '0000000009', at: 'later' }), writer);
    await projection.apply(recorded(NOTIFICATIONS_ALL_READ, { tenantId: 'acme', userId: 'sam', upTo: '0000000005', at: 'earlier' }), writer);
    expect(of(NOTIFICATION_READ_ALL)).toEqual([expect.objectContaining({ upTo: '0000000009', at: 'later', userKey: userKeyOf('acme', 'sam') })]);
  });
});

describe('notification addressing and cursors', () => {
  it('keeps a user named like a role apart from the role', () => {
    expect(addressesOf({ userIds: ['auditor'], roles: ['auditor'] })).toEqual(['u:auditor', 'r:auditor']);
    expect(readerAddresses('sam', ['standard_user', 'standard_user'])).toEqual(['u:sam', 'r:standard_user']);
  });

  it('gives the same user different keys in different tenants', () => {
    expect(userKeyOf('acme', 'sam')).not.toBe(userKeyOf('globex', 'sam'));
  });

  it('round-trips a cursor and refuses one it did not issue', () => {
    expect(decodeNotificationCursor(encodeNotificationCursor('00000000000000001234'))).toBe('00000000000000001234');
    expect(decodeNotificationCursor('%%%')).toBeNull();
    expect(decodeNotificationCursor(Buffer.from('a b', 'utf8').toString('base64url'))).toBeNull();
  });
});
