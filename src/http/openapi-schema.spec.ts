import { openApiSchema } from './openapi-schema';

describe(openApiSchema.name, () => {
  it('turns a JSON Schema type array with null into an OpenAPI 3.0 nullable type, free-form objects into additionalProperties: true', () => {
    expect(openApiSchema({ type: 'object', properties: { before: { type: ['object', 'null'] }, meta: { type: 'object' } } })).toEqual({
      type: 'object',
      properties: { before: { type: 'object', nullable: true, additionalProperties: true }, meta: { type: 'object', additionalProperties: true } },
    });
  });

  it('leaves property names alone (a property called "type" or "examples" is not a keyword) and converts examples to example', () => {
    const schema = { type: 'object', properties: { type: { type: 'string', examples: ['a', 'b'] }, examples: { type: 'string' } }, required: ['type'] };
    expect(openApiSchema(schema)).toEqual({ type: 'object', properties: { type: { type: 'string', example: 'a' }, examples: { type: 'string' } }, required: ['type'] });
  });

  it('recurses into items and anyOf, and keeps objects with declared properties closed as declared', () => {
    expect(openApiSchema({ type: 'array', items: { anyOf: [{ type: ['string', 'null'] }, { type: 'object', additionalProperties: false, properties: {} }] } })).toEqual({
      type: 'array',
      items: { anyOf: [{ type: 'string', nullable: true }, { type: 'object', additionalProperties: false, properties: {} }] },
    });
  });
});
