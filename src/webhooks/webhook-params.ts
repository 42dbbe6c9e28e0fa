import { Injectable, PipeTransform } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { RequestValidationError } from '../http/request-validation.error';
import { DELIVERY_ID_PATTERN } from './delivery/delivery-state';
import { WEBHOOK_ID_PATTERN } from './endpoints/webhook-endpoint';

@Injectable()
export class WebhookIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !WEBHOOK_ID_PATTERN.test(value)) throw new RequestValidationError([{ path: 'id', message: 'must be a webhook id (wh_ and 24 hex digits)' }]);
    return value;
  }
}

@Injectable()
export class DeliveryIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !DELIVERY_ID_PATTERN.test(value)) throw new RequestValidationError([{ path: 'deliveryId', message: 'must be a delivery id (msg_ and 24 hex digits)' }]);
    return value;
  }
}

/** GET /v1/webhooks/{id}/deliveries: newest first. */
export class ListDeliveriesParams {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'failed'])
  status?: 'pending' | 'delivered' | 'failed';

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
