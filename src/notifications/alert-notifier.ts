import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AlertChange, AlertChangeCursor, AlertChangeFeed } from '../monitoring/alerts/alert-change-feed';
import { defaultRule } from '../monitoring/rules/default-rules';
import { MonitoringRule } from '../monitoring/rules/monitoring-rule';
import { MONITORING_RULES, MonitoringRuleDocument, ruleDocumentId } from '../monitoring/rules/monitoring-rules.read-model';
import { PROJECTIONS_OPTIONS, ProjectionsOptions } from '../projections/projection-registry.service';
import { CheckpointConflictError, LeaseHeldError } from '../read-store/read-store.errors';
import { ProjectionDefinition, READ_STORE, ReadStore } from '../read-store/read-store.port';
import { NotificationDraft } from './notifications.port';
import { NotificationsService } from './notifications.service';

export const ALERT_NOTIFIER_OPTIONS = Symbol('ALERT_NOTIFIER_OPTIONS');

export interface AlertNotifierOptions {
  /** How long the notifier rests when the feed had nothing new (ms). */
  pollMs: number;
  /** Changes read from the feed per step. */
  batch: number;
}

export const DEFAULT_ALERT_NOTIFIER_OPTIONS: AlertNotifierOptions = { pollMs: 200, batch: 200 };

/**
 * The notifier's durable cursor lives in the read store as a checkpoint of its own (no collections):
 * `<change position>|<alert id>`, which orders as the feed does because positions are fixed-width.
 * Moving it is a lease-guarded commit, so with several instances one notifies and the others stand by.
 */
export const ALERT_NOTIFIER_CURSOR: ProjectionDefinition = { name: 'alert_notifier', version: 1, collections: [] };

/** The notification of a raised alert: one per alert id, whatever replays the feed (the publish key). */
export function alertNotificationKey(alertId: string): string {
  return `alert.raised:${alertId}`;
}

export function encodeCursor(cursor: AlertChangeCursor): string {
  return `${cursor.position}|${cursor.alertId}`;
}

export function decodeCursor(stored: string | null): AlertChangeCursor | null {
  if (stored === null) return null;
  const bar = stored.lastIndexOf('|');
  return { position: stored.slice(0, bar), alertId: stored.slice(bar + 1) };
}

/**
 * Turns every raised alert into a notification (ADR 019): follows the monitoring engine's alert change
 * feed from its durable cursor and publishes `kind: alert` with the rule's own recipients if it names
 * any, else the tenant's alert recipients (with their minSeverity). Updates (joined events, triage)
 * notify nobody. Publishing is idempotent on the alert id, so a crash between publish and cursor
 * commit, a lost cursor or a rebuild of the engine's projection never makes a second notification.
 */
@Injectable()
export class AlertNotifier implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AlertNotifier');
  private readonly options: AlertNotifierOptions;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  /** Steps run one at a time (the loop and drain() share it). */
  private chain: Promise<unknown> = Promise.resolve();
  private prepared: Promise<void> | null = null;

  constructor(
    private readonly feed: AlertChangeFeed,
    private readonly notifications: NotificationsService,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly moduleRef: ModuleRef,
    @Optional() @Inject(ALERT_NOTIFIER_OPTIONS) options?: Partial<AlertNotifierOptions>,
  ) {
    this.options = { ...DEFAULT_ALERT_NOTIFIER_OPTIONS, ...options };
  }

  /** Runs in the service only (not in CLI commands that build the app without running projections). */
  onApplicationBootstrap(): void {
    // The app's projection options (not exported by ProjectionsModule, hence looked up): false in CLI commands.
    if (!this.moduleRef.get<ProjectionsOptions>(PROJECTIONS_OPTIONS, { strict: false }).autoStart) return;
    this.running = true;
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.chain.catch(() => undefined);
    await this.store.releaseLease(ALERT_NOTIFIER_CURSOR.name).catch(() => undefined);
  }

  /** Handles every change the feed has now; returns how many changes were handled. For tests and tools. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const handled = await this.step();
      total += handled;
      if (handled < this.options.batch) return total;
    }
  }

  /** One step: the next batch of changes after the cursor, published, cursor committed. */
  step(): Promise<number> {
    const next = this.chain.then(() => this.handleBatch());
    this.chain = next.catch(() => undefined);
    return next;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.step().then(
        (handled) => this.schedule(handled >= this.options.batch ? 0 : this.options.pollMs),
        (error: unknown) => {
          this.logger.warn({ msg: 'alert notification step failed; retrying', error: error instanceof Error ? error.message : String(error) });
          this.schedule(this.options.pollMs);
        },
      );
    }, delayMs);
    this.timer.unref();
  }

  private async handleBatch(retried = false): Promise<number> {
    this.prepared ??= this.store.prepareProjection(ALERT_NOTIFIER_CURSOR).then(() => undefined);
    await this.prepared;
    try {
      await this.store.acquireLease(ALERT_NOTIFIER_CURSOR.name);
    } catch (error) {
      if (error instanceof LeaseHeldError) return 0; // another instance notifies
      throw error;
    }
    const stored = (await this.store.getCheckpoint(ALERT_NOTIFIER_CURSOR.name))?.position ?? null;
    const changes = await this.feed.readAfter(decodeCursor(stored), this.options.batch);
    if (changes.length === 0) return 0;
    const rules = new Map<string, MonitoringRule | null>();
    const drafts: Array<{ tenantId: string; draft: NotificationDraft }> = [];
    for (const change of changes) {
      if (change.kind === 'raised') drafts.push({ tenantId: change.tenantId, draft: await this.draftOf(change, rules) });
    }
    // Together, so that the event store can commit them in one transaction; the cursor moves only if all are durable.
    const published = await Promise.allSettled(drafts.map(({ tenantId, draft }) => this.notifications.publish(tenantId, draft)));
    const failed = published.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const last = changes[changes.length - 1];
    try {
      await this.store.commit(ALERT_NOTIFIER_CURSOR.name, stored, encodeCursor(last), []);
    } catch (error) {
      if (!(error instanceof CheckpointConflictError) || retried) throw error;
      // The cursor was reset (or another instance moved it): prepare again and go on from what is stored.
      this.prepared = null;
      return this.handleBatch(true);
    }
    return changes.length;
  }

  private async draftOf(change: AlertChange, rules: Map<string, MonitoringRule | null>): Promise<NotificationDraft> {
    const { alert } = change;
    const rule = await this.ruleOf(change.tenantId, alert.ruleId, rules);
    const own = rule?.recipients;
    const named = own && ((own.userIds?.length ?? 0) > 0 || (own.roles?.length ?? 0) > 0);
    return {
      kind: 'alert',
      title: alert.title,
      severity: alert.severity,
      link: `/v1/alerts/${alert.id}`,
      alertId: alert.id,
      key: alertNotificationKey(alert.id),
      ...(named ? { recipients: { userIds: own.userIds ?? [], roles: own.roles ?? [] } } : {}),
      occurredAt: alert.raisedAt,
    };
  }

  /** The rule as it is now (its recipients decide who hears of its alerts). */
  private async ruleOf(tenantId: string, ruleId: string, cache: Map<string, MonitoringRule | null>): Promise<MonitoringRule | null> {
    const id = ruleDocumentId(tenantId, ruleId);
    if (!cache.has(id)) {
      const doc = (await this.store.findById(MONITORING_RULES, id)) as MonitoringRuleDocument | null;
      cache.set(id, doc && doc.tenantId === tenantId ? doc.rule : defaultRule(ruleId));
    }
    return cache.get(id)!;
  }
}
