import { Inject, Injectable, Logger } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { decideAndProject } from '../event-sourcing/decide-and-project';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ProjectionRegistry } from '../projections/projection-registry.service';
import { READ_STORE, ReadStore } from '../read-store/read-store.port';
import { AuditedChanges } from '../self-audit/self-audit.decorators';
import { tenantConfigStreamOf } from '../tenant-settings/tenant-config-stream';
import { AlertRecipients, alertRecipientsOf, AlertRecipientsValues, DEFAULT_ALERT_RECIPIENTS } from './alert-recipients';
import { alertRecipientsDecider } from './alert-recipients.decider';
import { decodeAlertRecipientsEvent } from './alert-recipients.events';
import { ALERT_RECIPIENTS_COLLECTION_NAME, ALERT_RECIPIENTS_PROJECTION, AlertRecipientsDocument } from './alert-recipients.read-model';

const PROJECTION_WAIT_MS = 5000;

const audited = (r: AlertRecipients): Record<string, unknown> => ({ userIds: r.userIds, roles: r.roles, minSeverity: r.minSeverity });

/** The tenant's alert recipients (ARCHITECTURE §8): event-sourced on `alert_recipients-<tenant>`, read from their projection. */
@Injectable()
export class AlertRecipientsService {
  private readonly logger = new Logger('AlertRecipients');

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly projections: ProjectionRegistry,
  ) {}

  async get(tenantId: string): Promise<AlertRecipients> {
    const doc = (await this.store.findById(ALERT_RECIPIENTS_COLLECTION_NAME, tenantId)) as AlertRecipientsDocument | null;
    return doc && doc.tenantId === tenantId ? doc.recipients : DEFAULT_ALERT_RECIPIENTS;
  }

  async replace(principal: Principal, body: unknown, now = new Date()): Promise<{ recipients: AlertRecipients; changes: AuditedChanges }> {
    const recipients: AlertRecipientsValues = alertRecipientsOf(body);
    const result = await decideAndProject(this.events, this.projections, principal, {
      stream: tenantConfigStreamOf('alert_recipients', principal.tenantId),
      decider: alertRecipientsDecider,
      decode: decodeAlertRecipientsEvent,
      command: { tenantId: principal.tenantId, by: principal.subject, now, recipients },
      projection: ALERT_RECIPIENTS_PROJECTION,
      waitMs: PROJECTION_WAIT_MS,
      logger: this.logger,
      describe: { alertRecipients: principal.tenantId },
    });
    return { recipients: result.after, changes: { before: audited(result.before), after: audited(result.after) } };
  }
}
