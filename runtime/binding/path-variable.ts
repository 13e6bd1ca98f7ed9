import type { DescField } from "@bufbuild/protobuf";
import { messageTextForm } from "./field-text.js";

/**
 * Why a field cannot be the target of a path variable:
 * - `map`: a map field;
 * - `message-list`: a repeated field of messages;
 * - `message`: a message type without a text form;
 * - `json-message`: a message type whose text form is JSON (Struct, Value, ListValue),
 *   which query parameters take but a path segment does not, as in grpc-gateway.
 */
export type PathVariableRefusal = "map" | "message-list" | "message" | "json-message";

/**
 * Whether a path variable can bind `field`, the last field of its path: undefined when it
 * can, else why not. The plugin asks at generation and the runtime at registration.
 * A variable binds a scalar, an enum, a message with a text form of its own (Timestamp,
 * Duration, FieldMask, the wrappers), or a repeated scalar or enum from a comma-separated
 * list, as grpc-gateway's generated code does (`runtime.StringSlice(val, ",")` and the
 * other `*Slice` converters, for its default `repeated_path_param_separator`).
 */
export function pathVariableRefusal(field: DescField): PathVariableRefusal | undefined {
  switch (field.fieldKind) {
    case "scalar":
    case "enum":
      return undefined;
    case "map":
      return "map";
    case "list":
      return field.listKind === "message" ? "message-list" : undefined;
    case "message": {
      const form = messageTextForm(field.message);
      return form === "text" ? undefined : form === "json" ? "json-message" : "message";
    }
  }
}
