import { create, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import type { Marshaler } from "../marshal/marshaler.js";

/** Full name of `google.api.HttpBody`, which carries raw bytes instead of a message body. */
const httpBodyTypeName = "google.api.HttpBody";

/** The fields of a `google.api.HttpBody` message, as protobuf-es shapes them. */
interface HttpBodyShape {
  contentType: string;
  data: Uint8Array;
}

/** True when `schema` is `google.api.HttpBody`. */
function isHttpBody(schema: DescMessage | undefined): boolean {
  return schema?.typeName === httpBodyTypeName;
}

/** True when a body lands in a `google.api.HttpBody`: `input` itself, or the message field `bodyField` of it. */
export function httpBodyTarget(input: DescMessage, bodyField: DescField | undefined): boolean {
  return bodyField === undefined ? isHttpBody(input) : bodyField.fieldKind === "message" && isHttpBody(bodyField.message);
}

/**
 * A marshaler for requests whose body is a `google.api.HttpBody`: the bytes are taken as
 * they are, with the request's own Content-Type, whatever that type is.
 */
export function httpBodyUnmarshaler(contentType: string): Marshaler {
  return {
    contentType,
    unmarshal(body, _schema, target, field) {
      if (field === undefined) {
        Object.assign(target, { contentType, data: body } satisfies HttpBodyShape);
      } else if (field.fieldKind === "message") {
        const httpBody = create(field.message, { contentType, data: body } satisfies HttpBodyShape);
        (target as unknown as Record<string, Message>)[field.localName] = httpBody;
      }
    },
    marshal() {
      throw new Error("an HttpBody unmarshaler does not write replies");
    },
  };
}

/** The content type and bytes of an HttpBody reply. */
export function httpBodyContent(message: Message): { contentType: string; data: Uint8Array } {
  const { contentType, data } = message as unknown as HttpBodyShape;
  return { contentType, data };
}
