import { Injectable, PipeTransform } from '@nestjs/common';
import { RequestValidationError } from '../../http/request-validation.error';
import { RULE_ID_PATTERN, RULE_ID_RULE } from './monitoring-rule';

/** An `:id` route parameter that can be a rule id; anything else is a 400 with the field path. */
@Injectable()
export class RuleIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !RULE_ID_PATTERN.test(value)) throw new RequestValidationError([{ path: 'id', message: `must be ${RULE_ID_RULE}` }]);
    return value;
  }
}
