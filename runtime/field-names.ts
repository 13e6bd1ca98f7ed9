/**
 * Finding a field of a message by a name from outside: a proto name as rules write
 * field paths, or a JSON name as well, as clients send them. One field's JSON name may be
 * another's proto name (a proto2 file or a json_name option can make it so), so each
 * lookup says which field wins.
 */
import type { DescField, DescMessage } from "@bufbuild/protobuf";

/**
 * Which names a lookup takes, and which field wins when a name is one field's proto name
 * and another's JSON name:
 * - `proto`: proto names only, as `google.api.http` rules spell field paths.
 * - `proto-first`: proto or JSON names, the proto name winning, as grpc-gateway reads
 *   query parameters (`ByName`, then `ByJSONName`).
 * - `last-declared`: proto or JSON names, the field declared last winning, as protobuf-es's
 *   JSON reader registers each field's proto name and then its JSON name.
 */
export type FieldNames = "proto" | "proto-first" | "last-declared";

type NameIndex = Record<FieldNames, ReadonlyMap<string, DescField>>;

// Built once per message type. Descriptors are immutable, so the memo can never go stale
// and is invisible to callers.
const indexes = new WeakMap<DescMessage, NameIndex>();

function indexOf(schema: DescMessage): NameIndex {
  let index = indexes.get(schema);
  if (index === undefined) {
    const proto = new Map<string, DescField>();
    const protoFirst = new Map<string, DescField>();
    const lastDeclared = new Map<string, DescField>();
    for (const field of schema.fields) {
      proto.set(field.name, field);
      protoFirst.set(field.jsonName, field);
      lastDeclared.set(field.name, field).set(field.jsonName, field);
    }
    for (const field of schema.fields) protoFirst.set(field.name, field);
    index = { proto, "proto-first": protoFirst, "last-declared": lastDeclared };
    indexes.set(schema, index);
  }
  return index;
}

/** The field of `schema` that `name` names under the rule `names`, or undefined. */
export function findField(schema: DescMessage, name: string, names: FieldNames): DescField | undefined {
  return indexOf(schema)[names].get(name);
}
