import type { Marshaler } from "../marshaler.js";
import type { ReplyTranscoder } from "./binary-to-json.js";
import type { JsonTranscoder } from "./json-to-binary.js";

/** What the JSON marshaler reads and writes without a message between the wire and the text. */
export interface MarshalerTranscoders {
  /** Request bodies straight to protobuf binary. */
  readonly body: JsonTranscoder;
  /** Protobuf binary replies straight to the body's text. */
  readonly reply: ReplyTranscoder;
}

/** The transcoders of a marshaler the JSON marshaler made: only its own bodies are read and written their way. */
export function transcodersOf(marshaler: Marshaler): MarshalerTranscoders | undefined {
  return registered.get(marshaler);
}

/** Records `marshaler`'s transcoders (see {@link transcodersOf}). */
export function withTranscoders<M extends Marshaler>(marshaler: M, transcoders: MarshalerTranscoders): M {
  registered.set(marshaler, transcoders);
  return marshaler;
}

// Kept apart from the Marshaler contract: a marshaler of the user's own, or one wrapping this
// one, reads and writes its bodies as it says it does.
const registered = new WeakMap<Marshaler, MarshalerTranscoders>();
