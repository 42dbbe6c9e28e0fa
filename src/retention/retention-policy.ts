import { RecordedEvent } from '../event-store/event-store.port';

/** 7 years (ARCHITECTURE §11): 7 × 365 + 2 leap days. */
export const DEFAULT_RETENTION_DAYS = 2_557;
/** The shortest policy a tenant may have: one year. */
export const MIN_RETENTION_DAYS = 365;
/** The longest: 30 years. Beyond it a policy is almost certainly a typo for "forever", which is not offered. */
export const MAX_RETENTION_DAYS = 10_957;

export const RETENTION_POLICY_SET = 'RetentionPolicySet.v1';
/** The expiry job claimed a range (optimistic concurrency on the retention stream): one instance expires it. */
export const RETENTION_EXPIRY_STARTED = 'RetentionExpiryStarted.v1';
/** One bounded batch of a claimed range is expired: the ids let read models drop exactly these events. */
export const RETENTION_EVENTS_EXPIRED = 'RetentionEventsExpired.v1';

export interface RetentionPolicySet {
  tenantId: string;
  retentionDays: number;
  previousRetentionDays: number;
  changedBy: string;
  changedAt: string;
}

export interface RetentionExpiryStarted {
  tenantId: string;
  fromSequence: number;
  toSequence: number;
  count: number;
  lastExpiredHash: string;
  /** Events recorded before this instant were expired. */
  cutoff: string;
  retentionDays: number;
  /** occurredAt of the retention.expire record (the same on a resumed run, so the record stays idempotent). */
  startedAt: string;
}

export interface RetentionEventsExpired {
  tenantId: string;
  fromSequence: number;
  toSequence: number;
  eventIds: string[];
}

/** A tenant's retention as its stream `retention-<tenant>` says. */
export interface RetentionState {
  /** Revision of the stream's last event; -1 when it does not exist. */
  revision: number;
  retentionDays: number;
  /** True until the policy was changed once. */
  isDefault: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
  /** Sequences below this are expired. */
  expiredBefore: number;
  /** The last claimed expiry (done when expiredBefore > its toSequence). */
  lastExpiry: RetentionExpiryStarted | null;
}

export function retentionStateOf(recorded: RecordedEvent[]): RetentionState {
  const state: RetentionState = { revision: -1, retentionDays: DEFAULT_RETENTION_DAYS, isDefault: true, updatedAt: null, updatedBy: null, expiredBefore: 0, lastExpiry: null };
  for (const event of recorded) {
    state.revision = event.revision;
    if (event.type === RETENTION_POLICY_SET) {
      const data = event.data as unknown as RetentionPolicySet;
      state.retentionDays = data.retentionDays;
      state.isDefault = false;
      state.updatedAt = data.changedAt;
      state.updatedBy = data.changedBy;
    } else if (event.type === RETENTION_EXPIRY_STARTED) {
      state.lastExpiry = event.data as unknown as RetentionExpiryStarted;
    } else if (event.type === RETENTION_EVENTS_EXPIRED) {
      state.expiredBefore = Math.max(state.expiredBefore, (event.data as unknown as RetentionEventsExpired).toSequence + 1);
    }
  }
  return state;
}

/** The policy as GET /v1/retention-policy answers it. */
export interface RetentionPolicyView {
  tenantId: string;
  retentionDays: number;
  isDefault: boolean;
  defaultDays: number;
  minimumDays: number;
  maximumDays: number;
  updatedAt: string | null;
  updatedBy: string | null;
  /** Sequences of the tenant's log below this were expired by the policy. */
  expiredBefore: number;
  lastExpiry: Omit<RetentionExpiryStarted, 'tenantId' | 'startedAt'> & { at: string } | null;
}

export function retentionPolicyViewOf(tenantId: string, state: RetentionState): RetentionPolicyView {
  const last = state.lastExpiry;
  return {
    tenantId,
    retentionDays: state.retentionDays,
    isDefault: state.isDefault,
    defaultDays: DEFAULT_RETENTION_DAYS,
    minimumDays: MIN_RETENTION_DAYS,
    maximumDays: MAX_RETENTION_DAYS,
    updatedAt: state.updatedAt,
    updatedBy: state.updatedBy,
    expiredBefore: state.expiredBefore,
    lastExpiry: last
      ? { fromSequence: last.fromSequence, toSequence: last.toSequence, count: last.count, lastExpiredHash: last.lastExpiredHash, cutoff: last.cutoff, retentionDays: last.retentionDays, at: last.startedAt }
      : null,
  };
}
