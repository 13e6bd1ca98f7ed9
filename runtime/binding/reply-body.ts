import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { resolveFieldPath } from "./field-path.js";
import { httpBodyContent, httpBodyTarget } from "./http-body.js";
import type { Marshaler } from "../marshal/marshaler.js";

/** The part of a reply that becomes the HTTP body: all of it, or what `response_body` names. */
export interface ReplyBody {
  /** True when that part is a `google.api.HttpBody`, written raw with its own content type. */
  readonly raw: boolean;
  /** True when that part is the whole reply, as a message (no `response_body`, not an HttpBody). */
  readonly whole: boolean;
  /** Marshals that part of `reply`. */
  marshal(marshaler: Marshaler, reply: Message): Uint8Array | string;
  /** The same as text, for stream lines and WebSocket frames. */
  text(marshaler: Marshaler, reply: Message): string;
  /** The content type and bytes of a raw (HttpBody) part. */
  httpBody(reply: Message): { contentType: string; data: Uint8Array };
}

/**
 * Compiles where a reply's body comes from, once per route. A dotted `response_body`
 * walks through nested messages (an unset one reads as empty) to the parent of the named
 * field, which the marshaler then writes alone.
 */
export function compileReplyBody(output: DescMessage, responseBody: string | undefined): ReplyBody {
  const path = responseBody === undefined || responseBody === "*" ? [] : resolveFieldPath(output, responseBody);
  const leaf = path.at(-1);
  const parents = path.slice(0, -1);
  const parentOf = (reply: Message): { schema: DescMessage; message: Message } => {
    let schema = output;
    let message = reply;
    for (const field of parents) {
      const child = reflect(schema, message, false).get(field as DescField & { fieldKind: "message" });
      schema = child.desc;
      message = child.message;
    }
    return { schema, message };
  };
  const marshal = (marshaler: Marshaler, reply: Message) => {
    const { schema, message } = parentOf(reply);
    return marshaler.marshal(schema, message, leaf);
  };
  const raw = httpBodyTarget(output, leaf);
  return {
    raw,
    whole: leaf === undefined && !raw,
    marshal,
    text(marshaler, reply) {
      const payload = marshal(marshaler, reply);
      return typeof payload === "string" ? payload : Buffer.from(payload).toString("utf8");
    },
    httpBody(reply) {
      if (leaf === undefined) return httpBodyContent(reply);
      const { schema, message } = parentOf(reply);
      return httpBodyContent(reflect(schema, message, false).get(leaf as DescField & { fieldKind: "message" }).message);
    },
  };
}
