import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * Our JSON schemas are `as const` JSON Schema literals (for ajv); the OpenAPI document is 3.0. This
 * turns one into the other, recursively:
 * - `type: [T, 'null']` → `type: T, nullable: true` (3.0 has no type arrays);
 * - an object schema without `properties` is free-form → `additionalProperties: true`, so that
 *   generated clients type it as a map of anything rather than an empty object;
 * - `examples: [x, …]` → `example: x` (3.0 schemas have a single `example`).
 */
export function openApiSchema(schema: object): SchemaObject {
  return toOpenApi30(schema) as SchemaObject;
}

/** Keywords whose value is a schema, a list of schemas, or a map of name → schema. */
const SCHEMA_KEYWORDS = new Set(['items', 'additionalProperties', 'not']);
const SCHEMA_LIST_KEYWORDS = new Set(['anyOf', 'oneOf', 'allOf']);

function toOpenApi30(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const schema: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'properties') schema[key] = Object.fromEntries(Object.entries(child as object).map(([name, sub]) => [name, toOpenApi30(sub)]));
    else if (SCHEMA_KEYWORDS.has(key)) schema[key] = toOpenApi30(child);
    else if (SCHEMA_LIST_KEYWORDS.has(key)) schema[key] = (child as unknown[]).map(toOpenApi30);
    else schema[key] = child;
  }
  if (Array.isArray(schema.type)) {
    const types = (schema.type as string[]).filter((t) => t !== 'null');
    if (types.length === 1) {
      schema.type = types[0];
      if (types.length < (value as { type: string[] }).type.length) schema.nullable = true;
    }
  }
  if (schema.type === 'object' && schema.properties === undefined && schema.additionalProperties === undefined) {
    schema.additionalProperties = true;
  }
  if (Array.isArray(schema.examples)) {
    schema.example = schema.examples[0];
    delete schema.examples;
  }
  return schema;
}
