/** A JSON Schema 2020-12 object, as OpenAPI 3.1 embeds it; loose on purpose (the generator builds, never reads, these). */
export type JsonSchema = { [key: string]: unknown };

/** `schema` or null: JSON Schema's way to say a value may be `null`. */
export function nullable(schema: JsonSchema): JsonSchema {
  return { anyOf: [schema, { type: "null" }] };
}

/** Adds `description` (and annotations) to a schema; `$ref` may carry siblings in 3.1. */
export function annotate(schema: JsonSchema, annotations: JsonSchema): JsonSchema {
  const entries = Object.entries(annotations).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? schema : { ...schema, ...Object.fromEntries(entries) };
}
