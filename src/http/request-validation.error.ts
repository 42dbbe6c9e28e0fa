import { BadRequestException, ValidationError } from '@nestjs/common';

/** class-validator errors of query/body DTOs, as a 400 problem with field paths. */
export class RequestValidationError extends BadRequestException {
  constructor(readonly errors: Array<{ path: string; message: string }>) {
    super({
      type: 'https://problems.audit-trail.dev/invalid-request',
      title: 'Bad Request',
      status: 400,
      detail: errors.map((e) => `${e.path} ${e.message}`).join('; '),
      errors,
    });
  }

  static from(errors: ValidationError[], parent = ''): RequestValidationError {
    const flat: Array<{ path: string; message: string }> = [];
    const walk = (list: ValidationError[], prefix: string) => {
      for (const error of list) {
        const path = prefix ? `${prefix}.${error.property}` : error.property;
        for (const message of Object.values(error.constraints ?? {})) {
          flat.push({ path, message: message.startsWith(error.property) ? message.slice(error.property.length).trim() : message });
        }
        walk(error.children ?? [], path);
      }
    };
    walk(errors, parent);
    return new RequestValidationError(flat);
  }
}
