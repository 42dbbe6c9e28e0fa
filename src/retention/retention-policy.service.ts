import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Principal } from '../auth/principal';
import { EVENT_STORE, EventStore, JsonObject } from '../event-store/event-store.port';
import { auditStreamOf, retentionStreamOf } from '../event-store/stream-names';
import { RETENTION_POLICY_SET, RetentionPolicySet, retentionPolicyViewOf, RetentionPolicyView, retentionStateOf } from './retention-policy';
import { RETENTION_CLOCK, RetentionClock } from './retention-expiry';

export interface RetentionPolicyChange {
  policy: RetentionPolicyView;
  changes: { before: { retentionDays: number }; after: { retentionDays: number } } | null;
}

/** A tenant's retention policy, event-sourced on `retention-<tenant>` (ADR 025). */
@Injectable()
export class RetentionPolicyService {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(RETENTION_CLOCK) private readonly now: RetentionClock,
  ) {}

  /**
   * A platform operator names tenants by hand: one without an audit log is refused as bad input (400,
   * which records nothing), so that a typo neither creates a tenant's log nor sets a policy for nobody.
   */
  async assertTenantHasLog(tenantId: string): Promise<void> {
    if ((await this.events.readStream(auditStreamOf(tenantId), { maxCount: 1 })).length === 0) {
      throw new BadRequestException(`X-Tenant-Id names tenant ${tenantId}, which has no audit log`);
    }
  }

  async get(tenantId: string): Promise<RetentionPolicyView> {
    return retentionPolicyViewOf(tenantId, retentionStateOf(await this.events.readStream(retentionStreamOf(tenantId))));
  }

  /** Sets the policy (days already validated); a concurrent change makes the append fail (409). Setting the same value writes nothing. */
  async set(principal: Principal, retentionDays: number): Promise<RetentionPolicyChange> {
    const stream = retentionStreamOf(principal.tenantId);
    const before = retentionStateOf(await this.events.readStream(stream));
    if (!before.isDefault && before.retentionDays === retentionDays) return { policy: retentionPolicyViewOf(principal.tenantId, before), changes: null };
    const data: RetentionPolicySet = {
      tenantId: principal.tenantId,
      retentionDays,
      previousRetentionDays: before.retentionDays,
      changedBy: principal.subject,
      changedAt: this.now().toISOString(),
    };
    await this.events.append(stream, [{ id: randomUUID(), type: RETENTION_POLICY_SET, data: data as unknown as JsonObject }], before.revision === -1 ? 'no_stream' : before.revision);
    return {
      policy: await this.get(principal.tenantId),
      changes: { before: { retentionDays: before.retentionDays }, after: { retentionDays } },
    };
  }
}
