import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Our JSON schemas are `as const` literals (for ajv); OpenAPI decorators want the mutable type. */
export function openApiSchema(schema: object): SchemaObject {
  return schema as SchemaObject;
}
