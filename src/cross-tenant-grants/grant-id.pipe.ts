import { Injectable, PipeTransform } from '@nestjs/common';
import { RequestValidationError } from '../http/request-validation.error';
import { GRANT_ID_PATTERN } from './grant-id';

/** An `:id` route parameter that can be a grant id; anything else is a 400 with the field path. */
@Injectable()
export class GrantIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !GRANT_ID_PATTERN.test(value)) throw new RequestValidationError([{ path: 'id', message: 'must be a grant id (32 lower-case hex digits)' }]);
    return value;
  }
}
