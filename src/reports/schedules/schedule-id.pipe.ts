import { Injectable, PipeTransform } from '@nestjs/common';
import { RequestValidationError } from '../../http/request-validation.error';
import { SCHEDULE_ID_PATTERN } from './report-schedule';

/** An `:id` route parameter that can be a schedule id (a lower-case UUID); anything else is a 400. */
@Injectable()
export class ScheduleIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !SCHEDULE_ID_PATTERN.test(value)) throw new RequestValidationError([{ path: 'id', message: 'must be a report schedule id (a lower-case UUID)' }]);
    return value;
  }
}
