/**
 * The inverse of the gateway's reply writing (binding/reply-body.ts): reads a reply body,
 * the whole reply or the part `response_body` names, back into the reply message.
 */
import { create, fromJson, type DescField, type DescMessage, type JsonValue, type Message } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { httpBodyTypeName } from "./http-body.js";

/** Reads replies of one route; compiled once per route. */
export interface ReplyDecoder {
  /** True when the part written is a google.api.HttpBody, sent raw with its own content type. */
  readonly raw: boolean;
  /** The reply from the JSON the gateway wrote; unknown fields are skipped, so a newer server does not break an older client. */
  fromJson(json: JsonValue): Message;
  /** The reply from a raw HttpBody response. */
  fromRaw(contentType: string, data: Uint8Array): Message;
}

/** Compiles how replies of `schema` are read when the route's `response_body` is `responseBody`. */
export function compileReplyDecoder(schema: DescMessage, responseBody: string | undefined): ReplyDecoder {
  const path: DescField[] = [];
  let desc: DescMessage | undefined = schema;
  for (const name of responseBody === undefined || responseBody === "*" ? [] : responseBody.split(".")) {
    const field: DescField | undefined = desc?.fields.find((f) => f.name === name);
    if (field === undefined) throw new Error(`${schema.typeName} has no field path "${responseBody}"`);
    path.push(field);
    desc = field.fieldKind === "message" ? field.message : undefined;
  }
  const leafType = path.length === 0 ? schema : path.at(-1)!.message;
  return {
    raw: leafType?.typeName === httpBodyTypeName,
    fromJson(json) {
      // The part's JSON, wrapped in the objects of the fields above it, read as the whole reply.
      let wrapped = json;
      for (let i = path.length - 1; i >= 0; i--) wrapped = { [path[i]!.jsonName]: wrapped };
      return fromJson(schema, wrapped, { ignoreUnknownFields: true });
    },
    fromRaw(contentType, data) {
      const reply = create(schema);
      let target: ReflectMessage = reflect(schema, reply, false);
      for (const field of path) {
        const child = target.get(field as DescField & { fieldKind: "message" });
        target.set(field, child);
        target = child;
      }
      Object.assign(target.message, { contentType, data });
      return reply;
    },
  };
}
