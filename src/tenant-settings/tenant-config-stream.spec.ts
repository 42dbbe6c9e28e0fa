import { notificationReadsStreamOf, notificationStreamOf } from '../notifications/notification-streams';
import { tenantConfigStreamOf } from './tenant-config-stream';

describe('per-tenant stream names of tenant settings, alert recipients and notifications', () => {
  const id = '0123456789abcdef0123456789abcdef';

  it('write "-" in a tenant id as "~" (ADR 004), so acme and acme-x never share a stream name', () => {
    expect(tenantConfigStreamOf('tenant_settings', 'acme-x')).toBe('tenant_settings-acme~x');
    expect(tenantConfigStreamOf('alert_recipients', '2f1c0a5e-0000-4000-8000-000000000000')).toBe('alert_recipients-2f1c0a5e~0000~4000~8000~000000000000');
    expect(notificationStreamOf('acme-x', id)).toBe(`notification-acme~x-${id}`);
    expect(notificationStreamOf('acme', id)).not.toBe(notificationStreamOf('acme-x', id));
    expect(notificationReadsStreamOf('acme-x', id)).toBe(`notification_reads-acme~x-${id}`);
  });

  it('refuses tenant ids outside the alphabet', () => {
    expect(() => tenantConfigStreamOf('tenant_settings', 'a/b')).toThrow();
    expect(() => notificationStreamOf('a b', id)).toThrow();
  });
});
