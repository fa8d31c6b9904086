import { compactSchema } from './compact-tool-list';

describe('compactSchema', () => {
  it('should drop $schema, string propertyNames and empty additionalProperties at every depth', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        data: { type: 'object', propertyNames: { type: 'string' }, additionalProperties: {}, description: 'Field values' },
        rows: { type: 'array', items: { type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} } },
      },
      required: ['data'],
    };

    expect(compactSchema(schema)).toEqual({
      type: 'object',
      properties: {
        data: { type: 'object', description: 'Field values' },
        rows: { type: 'array', items: { type: 'object' } },
      },
      required: ['data'],
    });
  });

  it('should keep every constraint that says something', () => {
    const schema = {
      type: 'object',
      properties: {
        to: { type: 'object', propertyNames: { type: 'string', pattern: '^[a-z]+$' }, additionalProperties: { type: 'string' } },
        strict: { type: 'object', additionalProperties: false },
        name: { type: 'string', maxLength: 128, enum: ['a', 'b'] },
      },
    };

    expect(compactSchema(schema)).toEqual(schema);
  });
});
