import type { DescMessage, JsonObject, JsonValue, Message } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { Code } from "../../gen/google/rpc/code_pb.js";
import { GatewayError } from "../../gateway-error.js";
import { quoteUnsafeIntegers } from "./integers.js";
import { checkJsonDepth, defaultMaxJsonDepth } from "./nesting.js";
import { createJsonReader } from "./reader.js";
import { createReflectiveJson } from "./reflective.js";
import { withWellKnownTypes } from "./well-known.js";
import { createJsonWriter } from "./writer.js";
import { createReplyTranscoder } from "../transcode/binary-to-json.js";
import { createJsonTranscoder } from "../transcode/json-to-binary.js";
import { withTranscoders } from "../transcode/marshaler-transcoders.js";
import type { Marshaler } from "../marshaler.js";
import type { JsonMarshalerOptions } from "./options.js";

// Re-exported: the options belong to this marshaler, but live apart so reflective.ts can read them.
export type { JsonMarshalerOptions } from "./options.js";

/** Creates the `application/json` marshaler: proto3 canonical JSON, as protobuf-es reads and writes it. */
export function createJsonMarshaler(options: JsonMarshalerOptions = {}): Marshaler {
  // Code compiled per message type reads and writes what it can vouch for; protobuf-es's
  // reflective path does the rest and gives every error, so both behave as one.
  const registry = withWellKnownTypes(options.registry);
  const reflective = createReflectiveJson({ ...options, registry });
  const reader = createJsonReader({ discardUnknown: options.discardUnknown ?? true, registry });
  const writerOptions = {
    useProtoNames: options.useProtoNames ?? false,
    emitUnpopulated: options.emitUnpopulated ?? true,
    enumsAsNumbers: options.enumsAsNumbers ?? false,
    registry,
  };
  const writer = createJsonWriter(writerOptions);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const maxDepth = options.maxDepth ?? defaultMaxJsonDepth;
  const write = (schema: DescMessage, message: Message): string => writer.write(schema, message) ?? reflective.write(schema, message);

  const marshaler: Marshaler = {
    contentType: "application/json",
    unmarshal(body, schema, target, field) {
      if (body.length === 0) return;
      const what = `cannot decode message ${schema.typeName} from JSON`;
      let text: string;
      try {
        text = decoder.decode(body);
      } catch (err) {
        // Too deep and not UTF-8: the depth is the error, as when it was checked first.
        checkJsonDepth(body, maxDepth, what);
        throw new GatewayError(Code.INVALID_ARGUMENT, "request body is not valid UTF-8", { cause: err });
      }
      // Checked before anything parses the text; the decoded text counts its brackets faster.
      checkJsonDepth(body, maxDepth, what, text);
      // An empty body is no error: grpc-gateway treats it as an empty message.
      if (!/\S/.test(text)) return;
      // Integers beyond 2^53 are read as sent, quoted first (quoteUnsafeIntegers). Rather
      // than scan every body for them, the compiled reader reads the text as it is and
      // refuses where it meets a number that large; only then, or when it cannot vouch, is
      // the text quoted and read as before.
      if (field === undefined) {
        // The text is the fatal decoder's: the reader need not look for lone surrogates in it.
        const read = reader.readBodyUnquoted(schema, target, text, true);
        if (read === "read") return;
        const exact = quoted(text);
        // Refused for anything else, the same text would be refused again.
        if ((exact !== text || read === "unsafe") && reader.readBody(schema, target, exact, true)) return;
        reflective.read(schema, target, exact);
        return;
      }
      // Parse alone first: splicing the text into a wrapper object could let a crafted
      // body close the value early and set sibling fields.
      let json: JsonObject | undefined;
      try {
        json = { [field.jsonName]: JSON.parse(text) as JsonValue };
      } catch {
        // The quoted text may parse (`012345678901234567` is a string quoted), or give the error.
      }
      const read = json === undefined ? "refused" : reader.readObjectUnquoted(schema, target, json);
      if (read === "read") return;
      const exact = quoted(text);
      if (json === undefined || exact !== text) json = { [field.jsonName]: parse(exact, schema) };
      // Refused for anything else, the same object would be refused again.
      if ((read === "unsafe" || exact !== text) && reader.readObject(schema, target, json)) return;
      reflective.read(schema, target, json);
    },
    marshal(schema, message, field) {
      if (field === undefined) return write(schema, message);
      if (field.fieldKind === "message") {
        // An unset message field is written as its empty message, as protojson writes a nil one.
        const child = reflect(schema, message, false).get(field);
        return write(field.message, child.message);
      }
      return reflective.writeField(schema, message, field);
    },
  };
  // Bodies for gRPC backends go straight to protobuf binary, and their replies straight to
  // text, where they can (transcode/).
  return withTranscoders(marshaler, { body: createJsonTranscoder(maxDepth), reply: createReplyTranscoder(writerOptions, writer) });
}

// The text as the marshaler has always read it: its integers beyond 2^53 quoted.
function quoted(text: string): string {
  return /\d{16}/.test(text) ? quoteUnsafeIntegers(text) : text;
}

function parse(text: string, schema: DescMessage): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new GatewayError(Code.INVALID_ARGUMENT, `cannot decode message ${schema.typeName} from JSON: ${(err as Error).message}`, { cause: err });
  }
}
