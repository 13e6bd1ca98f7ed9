import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { isTraversable, messageTextForm, type PathTemplate } from "grpc-gateway-express/internal";
import { docText } from "./comments.js";
import { annotate, type JsonSchema } from "./json-schema.js";
import type { SchemaSet } from "./schemas.js";

/** An OpenAPI parameter object. */
export type Parameter = { [key: string]: unknown };

/** A rule's path as OpenAPI writes it, and the parameters its variables and wildcards become. */
export interface OpenApiPath {
  readonly path: string;
  readonly parameters: Parameter[];
  /** Proto-name paths of the fields the path binds. */
  readonly bound: string[];
}

/**
 * The OpenAPI form of a path template: each variable one parameter named by its field path
 * as written (`{thing.id}`), a variable over several segments one parameter with the
 * pattern it matches, a wildcard outside any variable a parameter of its own, `:verb` kept.
 */
export function openApiPath(template: PathTemplate, input: DescMessage, schemas: SchemaSet, separator: string): OpenApiPath {
  const parts: string[] = [];
  const parameters: Parameter[] = [];
  const bound: string[] = [];
  let unnamed = 0;
  for (let i = 0; i < template.segments.length; ) {
    const variable = template.variables.find((v) => v.start === i);
    if (variable !== undefined) {
      const name = variable.fieldPath.join(".");
      bound.push(name);
      parts.push(`{${name}}`);
      const leaf = leafOf(input, variable.fieldPath);
      const captured = template.segments.slice(variable.start, variable.end);
      const single = captured.length === 1 && captured[0]!.kind === "wildcard";
      parameters.push(
        annotate(
          {
            name,
            in: "path",
            required: true,
            schema: single ? pathValueSchema(leaf, schemas, separator) : { type: "string", pattern: segmentsPattern(captured) },
          },
          {
            description: single ? docText(leaf).text : multiSegmentNote(captured, docText(leaf).text),
            deprecated: leaf.deprecated || undefined,
          },
        ),
      );
      i = variable.end;
      continue;
    }
    const segment = template.segments[i]!;
    if (segment.kind === "literal") {
      parts.push(segment.value);
    } else {
      // A wildcard the rule names no field for: the router still needs a value there.
      const name = `_segment${++unnamed}`;
      parts.push(`{${name}}`);
      parameters.push({
        name,
        in: "path",
        required: true,
        description: segment.kind === "deep" ? "Any rest of the path (`**`), bound to no field." : "Any one path segment (`*`), bound to no field.",
        schema: { type: "string", pattern: segmentsPattern([segment]) },
      });
    }
    i++;
  }
  const path = `/${parts.join("/")}${template.verb !== undefined ? `:${template.verb}` : ""}`;
  return { path, parameters, bound };
}

function multiSegmentNote(captured: PathTemplate["segments"], comment: string | undefined): string {
  const written = captured.map((s) => (s.kind === "literal" ? s.value : s.kind === "wildcard" ? "*" : "**")).join("/");
  const note = `Matches \`${written}\`: several path segments, sent with their \`/\` as is (the gateway keeps \`%2F\` within a segment escaped, as the value's own character).`;
  return comment === undefined ? note : `${comment}\n\n${note}`;
}

// A regular expression for what a variable's segments match, anchored.
function segmentsPattern(segments: PathTemplate["segments"]): string {
  const parts = segments.map((s) => (s.kind === "literal" ? escapeRegExp(s.value) : s.kind === "wildcard" ? "[^/]+" : ".*"));
  return `^${parts.join("/")}$`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function leafOf(root: DescMessage, path: readonly string[]): DescField {
  let message = root;
  let field: DescField | undefined;
  for (const name of path) {
    field = message.fields.find((f) => f.name === name)!;
    if (field.fieldKind === "message") message = field.message;
  }
  return field!;
}

// A single-segment variable's value: the field's text form; a repeated one a list split on the separator.
function pathValueSchema(leaf: DescField, schemas: SchemaSet, separator: string): JsonSchema {
  if (leaf.fieldKind !== "list") return schemas.element(leaf);
  if (separator === ",") return { type: "array", items: schemas.element(leaf) };
  return { type: "string", description: `A list of values separated by ${JSON.stringify(separator)}.` };
}

/**
 * Every query parameter the binder accepts for `input` with the fields on or under `bound`
 * (proto-name paths) left out: scalars, enums and well-known types with a text form,
 * dotted for nested messages (stopping where a message recurs), repeated as repeated keys,
 * maps as `name[key]=value` (deepObject), Struct/Value/ListValue as JSON text.
 */
export function queryParameters(input: DescMessage, bound: readonly string[], schemas: SchemaSet): Parameter[] {
  const parameters: Parameter[] = [];
  const boundSet = new Set(bound);
  const walk = (message: DescMessage, protoPrefix: string, namePrefix: string, stack: readonly string[]): void => {
    for (const field of message.fields) {
      const protoPath = `${protoPrefix}${field.name}`;
      if (boundSet.has(protoPath)) continue;
      const name = `${namePrefix}${schemas.fieldName(field)}`;
      const elementMessage =
        field.fieldKind === "message" ? field.message : field.fieldKind !== "scalar" && field.fieldKind !== "enum" ? field.message : undefined;
      const form = elementMessage === undefined ? "text" : messageTextForm(elementMessage);
      const doc = docText(field);
      const annotations = { description: doc.text, deprecated: field.deprecated || undefined };
      if (form === undefined) {
        // A message without a text form: its fields are parameters, unless it recurs.
        if (isTraversable(field) && !stack.includes(field.message.typeName)) {
          walk(field.message, `${protoPath}.`, `${name}.`, [...stack, field.message.typeName]);
        }
        continue;
      }
      if (form === "json") {
        parameters.push(annotate({ name, in: "query", content: { "application/json": { schema: schemas.field(field) } } }, annotations));
        continue;
      }
      if (field.fieldKind === "map") {
        const schema = { type: "object", additionalProperties: schemas.element(field) };
        parameters.push(annotate({ name, in: "query", style: "deepObject", explode: true, schema }, annotations));
        continue;
      }
      const schema = field.fieldKind === "list" ? { type: "array", items: schemas.element(field) } : schemas.element(field);
      parameters.push(annotate({ name, in: "query", schema }, annotations));
    }
  };
  walk(input, "", "", [input.typeName]);
  return parameters;
}
