import { Controller, Get, Headers, HttpCode, Logger, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/access.decorators';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { PERMISSIONS } from '../auth/permissions';
import { Principal } from '../auth/principal';
import { ProblemResponses } from '../http/problem-responses.decorator';
import { RequestValidationError } from '../http/request-validation.error';
import { SEVERITIES } from '../monitoring/rules/monitoring-rule';
import { ReadLimited } from '../read-limits/read-limited';
import { StreamOpenings } from '../read-limits/stream-openings';
import { AccessRecorder, ChangesRecorder, RecordChanges, SelfAudited, StartAudited } from '../self-audit/self-audit.decorators';
import { ListNotificationsParams } from './list-notifications.params';
import { decodeNotificationCursor, encodeNotificationCursor, NOTIFICATION_ID_PATTERN, NotificationView } from './notification';
import { NotificationTailHub } from './notification-tail-hub';
import { NotificationsService } from './notifications.service';

/** Every authenticated user of the tenant reads their own notifications (ARCHITECTURE §6): any permission will do. */
const ANY_PERMISSION = PERMISSIONS;

const NOTIFICATION_SCHEMA = {
  type: 'object',
  required: ['id', 'kind', 'title', 'link', 'createdAt', 'readAt'],
  properties: {
    id: { type: 'string', pattern: NOTIFICATION_ID_PATTERN.source },
    kind: { type: 'string', enum: ['alert', 'report', 'webhook'] },
    alertId: { type: 'string' },
    reportId: { type: 'string' },
    webhookId: { type: 'string' },
    title: { type: 'string' },
    severity: { type: 'string', enum: [...SEVERITIES] },
    link: { type: 'string', description: 'API path of what the notification is about, e.g. /v1/alerts/{id}' },
    createdAt: { type: 'string', format: 'date-time' },
    readAt: { type: 'string', format: 'date-time', nullable: true, description: 'when you marked it read; null: unread' },
  },
};

const ID_PARAM = { name: 'id', schema: { type: 'string', pattern: NOTIFICATION_ID_PATTERN.source } } as const;

interface StreamingResponse {
  status(code: number): this;
  setHeader(name: string, value: string): void;
  write(chunk: string | Buffer): boolean;
  end(chunk?: string): void;
  writableEnded: boolean;
  writableLength: number;
  destroyed: boolean;
}

function notificationId(value: string): string {
  if (!NOTIFICATION_ID_PATTERN.test(value)) throw new RequestValidationError([{ path: 'id', message: 'must be a notification id (32 hexadecimal digits)' }]);
  return value;
}

function sortKeyOfCursor(cursor: string | undefined, path: string): string | null {
  if (cursor === undefined) return null;
  const sortKey = decodeNotificationCursor(cursor);
  if (sortKey === null) throw new RequestValidationError([{ path, message: 'is not a cursor this service issued' }]);
  return sortKey;
}

/**
 * The caller's notifications (ARCHITECTURE §8): addressed to their `sub` or to a role of their token,
 * in their tenant; read state is theirs alone.
 */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('v1/notifications')
export class NotificationsController {
  private readonly logger = new Logger('NotificationsStream');

  constructor(
    private readonly notifications: NotificationsService,
    private readonly streams: NotificationTailHub,
    private readonly openings: StreamOpenings,
  ) {}

  @Get()
  @RequirePermission(...ANY_PERMISSION)
  @SelfAudited({ action: 'notifications.list', kind: 'read', resource: { type: 'notification' } })
  @ApiOperation({ summary: 'Your notifications, newest first, with your unread count' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['items', 'unreadCount', 'nextCursor'],
      properties: {
        items: { type: 'array', items: NOTIFICATION_SCHEMA },
        unreadCount: { type: 'integer', description: 'your unread notifications (counted exactly up to 10000)' },
        nextCursor: { type: 'string', nullable: true },
      },
    },
  })
  @ProblemResponses(400, 401, 403)
  async list(@Query() params: ListNotificationsParams, @CurrentPrincipal() principal: Principal): Promise<{ items: NotificationView[]; unreadCount: number; nextCursor: string | null }> {
    const page = await this.notifications.list(principal, { limit: params.limit, unread: params.unread === true, before: sortKeyOfCursor(params.cursor, 'cursor') });
    return { items: page.items, unreadCount: page.unreadCount, nextCursor: page.nextSortKey === null ? null : encodeNotificationCursor(page.nextSortKey) };
  }

  @Get('stream')
  @RequirePermission(...ANY_PERMISSION)
  @SelfAudited({ action: 'notifications.stream', kind: 'stream', resource: { type: 'notification' } })
  @ReadLimited('stream')
  @ApiOperation({
    summary: 'Your new notifications as Server-Sent Events (`event: notification`, id = cursor); resumes after Last-Event-ID',
    description: 'Without Last-Event-ID the stream starts after your newest notification. A comment line is sent every 15 s to keep the connection open.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id' })
  @ApiOkResponse({
    description: 'Server-Sent Events: `event: notification`, `id` an opaque cursor, `data` a notification as the list shows it',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ProblemResponses(400, 401, 403, 429)
  async stream(
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @StartAudited() recordAccess: AccessRecorder,
    @Req() req: { on(event: 'close', listener: () => void): void },
    @Res() res: StreamingResponse,
  ): Promise<void> {
    const cursor = sortKeyOfCursor(lastEventId, 'Last-Event-ID') ?? (await this.notifications.newestSortKey(principal));
    const reader = this.notifications.readerOf(principal);
    await recordAccess();
    // One group commit resolves the self-audit records of a whole burst of openings at once.
    await this.openings.turn();
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    // The client may have left while the opening waited (its turn, the self-audit commit): no 'close' will come then.
    const closed = new Promise<void>((resolve) => (res.destroyed ? resolve() : req.on('close', () => resolve())));
    res.write('retry: 2000\n: your notifications\n\n');
    try {
      await this.streams.follow(
        {
          reader,
          cursor,
          write: (frames) => {
            if (!res.destroyed && !res.writableEnded) res.write(frames);
          },
          buffered: () => res.writableLength,
          end: (lastFrame) => {
            if (!res.writableEnded) res.end(lastFrame);
          },
        },
        closed,
      );
    } catch (error) {
      // Headers are sent: the stream ends here, and the client reconnects with its Last-Event-ID.
      this.logger.error({ msg: 'notification stream failed; connection closed', tenantId: principal.tenantId, error: error instanceof Error ? error.message : String(error) });
    }
    if (!res.writableEnded) res.end();
  }

  @Post('read-all')
  @HttpCode(200)
  @RequirePermission(...ANY_PERMISSION)
  @SelfAudited({ action: 'notification.read_all', kind: 'mutation', resource: { type: 'notification' } })
  @ApiOperation({ summary: 'Mark every notification you have read' })
  @ApiOkResponse({ schema: { type: 'object', required: ['markedRead'], properties: { markedRead: { type: 'integer', description: 'how many were unread' } } } })
  @ProblemResponses(401, 403)
  async readAll(@CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<{ markedRead: number }> {
    const result = await this.notifications.markAllRead(principal);
    recordChanges({ after: result });
    return result;
  }

  @Post(':id/read')
  @HttpCode(200)
  @RequirePermission(...ANY_PERMISSION)
  @SelfAudited({ action: 'notification.read', kind: 'mutation', resource: { type: 'notification', param: 'id' } })
  @ApiOperation({ summary: 'Mark one of your notifications read (no change if it is)' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ schema: NOTIFICATION_SCHEMA })
  @ProblemResponses(400, 401, 403, 404)
  async read(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<NotificationView> {
    const result = await this.notifications.markRead(principal, notificationId(id));
    if (result.changed) recordChanges({ before: { readAt: null }, after: { readAt: result.notification.readAt } });
    return result.notification;
  }
}
