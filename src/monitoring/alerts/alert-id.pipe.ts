import { Injectable, PipeTransform } from '@nestjs/common';
import { RequestValidationError } from '../../http/request-validation.error';
import { ALERT_ID_PATTERN } from './alerts.service';

/** An `:id` route parameter that can be an alert id (32 hex digits); anything else is a 400. */
@Injectable()
export class AlertIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !ALERT_ID_PATTERN.test(value)) throw new RequestValidationError([{ path: 'id', message: 'must be an alert id (32 hexadecimal digits)' }]);
    return value;
  }
}
