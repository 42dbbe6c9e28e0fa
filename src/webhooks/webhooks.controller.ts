import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/access.decorators';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Principal } from '../auth/principal';
import { ProblemResponses } from '../http/problem-responses.decorator';
import { ChangesRecorder, RecordChanges, SelfAudited } from '../self-audit/self-audit.decorators';
import { WebhookView } from './endpoints/webhook-endpoint';
import { DeliveryIdPipe, ListDeliveriesParams, WebhookIdPipe } from './webhook-params';
import {
  CREATE_WEBHOOK_SCHEMA,
  CREATED_WEBHOOK_SCHEMA,
  DELIVERY_ID_PARAM,
  DELIVERY_LIST_SCHEMA,
  DELIVERY_SCHEMA,
  REPLAY_REQUEST_SCHEMA,
  REPLAY_SCHEMA,
  ROTATED_SECRET_SCHEMA,
  UPDATE_WEBHOOK_SCHEMA,
  WEBHOOK_ID_PARAM,
  WEBHOOK_SCHEMA,
} from './webhook.schemas';
import { DeliveryView, WebhooksService } from './webhooks.service';

/**
 * Webhook endpoints of the caller's tenant (ARCHITECTURE §9, ADR 020). Configuration changes are
 * event-sourced on `webhook-<tenant>-<id>` and self-audited as `webhook.*` (watched by the built-in
 * `security-config-change` rule); reads, tests and delivery retries as `webhooks.*`, outside that scope.
 */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @RequirePermission('alerts:config:read')
  @SelfAudited({ action: 'webhooks.list', kind: 'read', resource: { type: 'webhook' } })
  @ApiOperation({ summary: 'The webhook endpoints of your tenant (never their secrets)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { items: { type: 'array', items: WEBHOOK_SCHEMA } } } })
  @ProblemResponses(401, 403)
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: WebhookView[] }> {
    return { items: await this.webhooks.list(principal) };
  }

  @Post()
  @HttpCode(201)
  @RequirePermission('alerts:config:write')
  @SelfAudited({ action: 'webhook.create', kind: 'mutation', resource: { type: 'webhook', result: 'id' } })
  @ApiOperation({ summary: 'Create an endpoint; the answer holds its signing secret (whsec_…), shown only this once. audit.events also needs audit:export.' })
  @ApiBody({ schema: CREATE_WEBHOOK_SCHEMA })
  @ApiCreatedResponse({ schema: CREATED_WEBHOOK_SCHEMA })
  @ProblemResponses(400, 401, 403, 409, 422)
  async create(
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @RecordChanges() recordChanges: ChangesRecorder,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ): Promise<WebhookView & { secret: string }> {
    const result = await this.webhooks.create(principal, body);
    recordChanges(result.changes);
    res.setHeader('Location', `/v1/webhooks/${result.webhook!.id}`);
    return { ...result.webhook!, secret: result.secret };
  }

  @Get(':id')
  @RequirePermission('alerts:config:read')
  @SelfAudited({ action: 'webhooks.view', kind: 'read', resource: { type: 'webhook', param: 'id' } })
  @ApiOperation({ summary: 'One endpoint (never its secret)' })
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiOkResponse({ schema: WEBHOOK_SCHEMA })
  @ProblemResponses(400, 401, 403, 404)
  get(@Param('id', WebhookIdPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<WebhookView> {
    return this.webhooks.get(principal, id);
  }

  @Put(':id')
  @RequirePermission('alerts:config:write')
  @SelfAudited({ action: 'webhook.update', kind: 'mutation', resource: { type: 'webhook', param: 'id' } })
  @ApiOperation({ summary: 'Edit an endpoint (URL, event types, filter, enabled); enabling clears a 410 disable' })
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiBody({ schema: UPDATE_WEBHOOK_SCHEMA })
  @ApiOkResponse({ schema: WEBHOOK_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409, 422)
  async update(@Param('id', WebhookIdPipe) id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<WebhookView> {
    const result = await this.webhooks.update(principal, id, body);
    recordChanges(result.changes);
    return result.webhook!;
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('alerts:config:write')
  @SelfAudited({ action: 'webhook.delete', kind: 'mutation', resource: { type: 'webhook', param: 'id' } })
  @ApiOperation({ summary: 'Delete an endpoint; its pending deliveries are not sent; its delivery log stays readable' })
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ProblemResponses(400, 401, 403, 404, 409)
  async remove(@Param('id', WebhookIdPipe) id: string, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<void> {
    recordChanges((await this.webhooks.remove(principal, id)).changes);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequirePermission('alerts:config:write')
  @SelfAudited({ action: 'webhook.rotate_secret', kind: 'mutation', resource: { type: 'webhook', param: 'id' } })
  @ApiOperation({ summary: 'A new signing secret (shown once); the previous one keeps signing, as a second signature, for 24 h' })
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiOkResponse({ schema: ROTATED_SECRET_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409)
  async rotateSecret(@Param('id', WebhookIdPipe) id: string, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder) {
    const result = await this.webhooks.rotateSecret(principal, id);
    recordChanges(result.changes);
    return { secret: result.secret, previousSecretExpiresAt: result.webhook!.previousSecretExpiresAt, webhook: result.webhook };
  }

  @Post(':id/test')
  @HttpCode(200)
  @RequirePermission('alerts:config:write')
  @SelfAudited({ action: 'webhooks.test', kind: 'mutation', resource: { type: 'webhook', param: 'id' } })
  @ApiOperation({ summary: 'Send a signed webhook.test delivery now; answers with the delivery after its first attempt (retried on the schedule if it failed)' })
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiOkResponse({ schema: DELIVERY_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409)
  test(@Param('id', WebhookIdPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<DeliveryView> {
    return this.webhooks.test(principal, id);
  }

  @Get(':id/deliveries')
  @RequirePermission('alerts:config:read')
  @SelfAudited({ action: 'webhooks.deliveries', kind: 'read', resource: { type: 'webhook', param: 'id' } })
  @ApiOperation({ summary: 'Delivery log of an endpoint, newest first: status, attempts with time, HTTP status, duration and error excerpt' })
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiOkResponse({ schema: DELIVERY_LIST_SCHEMA })
  @ProblemResponses(400, 401, 403, 404)
  deliveries(@Param('id', WebhookIdPipe) id: string, @Query() query: ListDeliveriesParams, @CurrentPrincipal() principal: Principal) {
    return this.webhooks.deliveries(principal, id, query);
  }

  @Get(':id/deliveries/:deliveryId')
  @RequirePermission('alerts:config:read')
  @SelfAudited({ action: 'webhooks.delivery', kind: 'read', resource: { type: 'webhook_delivery', param: 'deliveryId' } })
  @ApiOperation({ summary: 'One delivery, read from its stream (current even before the log shows it)' })
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiParam(DELIVERY_ID_PARAM)
  @ApiOkResponse({ schema: DELIVERY_SCHEMA })
  @ProblemResponses(400, 401, 403, 404)
  delivery(@Param('id', WebhookIdPipe) id: string, @Param('deliveryId', DeliveryIdPipe) deliveryId: string, @CurrentPrincipal() principal: Principal): Promise<DeliveryView> {
    return this.webhooks.delivery(principal, id, deliveryId);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @RequirePermission('alerts:config:write')
  @SelfAudited({ action: 'webhooks.delivery_retry', kind: 'mutation', resource: { type: 'webhook_delivery', param: 'deliveryId' } })
  @ApiOperation({ summary: 'Attempt a delivery that has ended (failed, or delivered) again, with a new round of the retry schedule and the same webhook-id; 409 while pending' })
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiParam(DELIVERY_ID_PARAM)
  @ApiResponse({ status: 202, schema: DELIVERY_SCHEMA, description: 'Scheduled' })
  @ProblemResponses(400, 401, 403, 404, 409)
  retry(@Param('id', WebhookIdPipe) id: string, @Param('deliveryId', DeliveryIdPipe) deliveryId: string, @CurrentPrincipal() principal: Principal): Promise<DeliveryView> {
    return this.webhooks.retryDelivery(principal, id, deliveryId);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @RequirePermission('alerts:config:write')
  @SelfAudited({ action: 'webhook.replay', kind: 'mutation', resource: { type: 'webhook', param: 'id' } })
  @ApiOperation({ summary: "audit.events only: send the stored events with occurredAt in [from, to) that match the endpoint's filter again, as new deliveries in sequence order (data.replayId), beside the live feed" })
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiBody({ schema: REPLAY_REQUEST_SCHEMA })
  @ApiResponse({ status: 202, schema: REPLAY_SCHEMA, description: 'Started' })
  @ProblemResponses(400, 401, 403, 404, 409)
  replay(@Param('id', WebhookIdPipe) id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    return this.webhooks.replay(principal, id, body);
  }
}
