import { Injectable, PipeTransform } from '@nestjs/common';
import { RequestValidationError } from '../http/request-validation.error';
import { ROLE_NAME_PATTERN, ROLE_NAME_RULE } from './role-name';

/** A `:name` route parameter that can be a role name; anything else is a 400 with the field path. */
@Injectable()
export class RoleNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !ROLE_NAME_PATTERN.test(value)) throw new RequestValidationError([{ path: 'name', message: `must be ${ROLE_NAME_RULE}` }]);
    return value;
  }
}
