import { attemptOutcome, deliveryStateOf } from './delivery-state';
import { DeliveryEvent } from './delivery.events';

const schedule = [0, 1000, 2000, 4000];
const now = Date.parse('2026-11-28T10:00:00.000Z');
const noJitter = () => 0;
const fullJitter = () => 1;

describe(attemptOutcome.name, () => {
  it('2xx is delivered; 410 is gone (no retry)', () => {
    expect(attemptOutcome({ status: 204, retryAfterMs: null }, 0, schedule, now)).toEqual({ outcome: 'delivered', nextAttemptAt: null });
    expect(attemptOutcome({ status: 410, retryAfterMs: null }, 0, schedule, now)).toEqual({ outcome: 'gone', nextAttemptAt: null });
  });

  it('a 500, a 3xx and no response at all are retried after the next delay of the schedule, plus at most 10 % jitter', () => {
    expect(attemptOutcome({ status: 500, retryAfterMs: null }, 0, schedule, now, noJitter).nextAttemptAt).toBe(new Date(now + 1000).toISOString());
    expect(attemptOutcome({ status: 302, retryAfterMs: null }, 1, schedule, now, noJitter).nextAttemptAt).toBe(new Date(now + 2000).toISOString());
    expect(attemptOutcome({ status: null, retryAfterMs: null }, 2, schedule, now, fullJitter)).toEqual({ outcome: 'retrying', nextAttemptAt: new Date(now + 4400).toISOString() });
  });

  it('after the last delay of the schedule the delivery has failed', () => {
    expect(attemptOutcome({ status: 500, retryAfterMs: null }, 3, schedule, now)).toEqual({ outcome: 'failed', nextAttemptAt: null });
  });

  it('honours a longer Retry-After, capped at the longest delay of the schedule; a shorter one does not shorten the schedule', () => {
    expect(attemptOutcome({ status: 429, retryAfterMs: 3000 }, 0, schedule, now, noJitter).nextAttemptAt).toBe(new Date(now + 3000).toISOString());
    expect(attemptOutcome({ status: 503, retryAfterMs: 3_600_000 }, 0, schedule, now, noJitter).nextAttemptAt).toBe(new Date(now + 4000).toISOString());
    expect(attemptOutcome({ status: 503, retryAfterMs: 10 }, 0, schedule, now, noJitter).nextAttemptAt).toBe(new Date(now + 1000).toISOString());
  });
});

describe(deliveryStateOf.name, () => {
  const created: DeliveryEvent = {
    type: 'WebhookDeliveryCreated.v1',
    data: { tenantId: 'acme', webhookId: 'wh_1', deliveryId: 'msg_1', eventType: 'alert.raised', createdAt: 'c', data: {}, audit: null, by: 'system', firstAttemptAt: 'c' },
  };
  const attempt = (n: number, outcome: 'retrying' | 'failed' | 'delivered'): DeliveryEvent => ({
    type: 'WebhookDeliveryAttempted.v1',
    data: { tenantId: 'acme', deliveryId: 'msg_1', attempt: n, at: 'a', durationMs: 1, httpStatus: 500, error: 'HTTP 500', outcome, nextAttemptAt: outcome === 'retrying' ? 'n' : null },
  });

  it('is pending until an attempt delivers or ends it; a manual retry starts a new round of the schedule', () => {
    expect(deliveryStateOf([created])).toMatchObject({ status: 'pending', roundAttempts: 0, nextAttemptAt: 'c', revision: 0 });
    const failed = deliveryStateOf([created, attempt(1, 'retrying'), attempt(2, 'failed')]);
    expect(failed).toMatchObject({ status: 'failed', roundAttempts: 2, nextAttemptAt: null, revision: 2 });
    const retried = deliveryStateOf([created, attempt(1, 'retrying'), attempt(2, 'failed'), { type: 'WebhookDeliveryRetryRequested.v1', data: { tenantId: 'acme', deliveryId: 'msg_1', by: 'alice', at: 'r' } }]);
    expect(retried).toMatchObject({ status: 'pending', roundAttempts: 0, nextAttemptAt: 'r', revision: 3 });
    expect(retried.attempts).toHaveLength(2);
  });
});
