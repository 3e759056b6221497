/**
 * The JSON Schema of mapping files, generated from the zod schema, for editor completion
 * (`# yaml-language-server: $schema=../schemas/mapping.schema.json`). Committed at
 * schemas/mapping.schema.json; a test fails when it is stale. Regenerate with:
 *
 *   npx tsx src/config/mapping-json-schema.ts > schemas/mapping.schema.json
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Mapping } from './mapping-schema.ts';

/** A value written as `${NAME}` is a string in the file even where the schema wants a number. */
const ENV_REFERENCE: z.core.JSONSchema.JSONSchema = { type: 'string', pattern: '^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$', description: 'an environment variable: ${NAME}' };

export function mappingJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Mapping, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      const type = jsonSchema.type;
      if (type === 'integer' || type === 'number' || type === 'boolean') {
        const copy = { ...jsonSchema };
        for (const key of Object.keys(jsonSchema)) delete (jsonSchema as Record<string, unknown>)[key];
        jsonSchema.anyOf = [copy, { ...ENV_REFERENCE }];
      }
    },
  });
  return {
    ...schema,
    $id: 'https://github.com/dropship-hub/dropship-hub/schemas/mapping.schema.json',
    title: 'Dropship hub supplier mapping file',
    description: 'mappings/<supplier>.yaml: one file per supplier. See docs/mappings.md.',
  };
}

/** The committed file's exact text. */
export function mappingJsonSchemaText(): string {
  return `${JSON.stringify(mappingJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(mappingJsonSchemaText());
}
