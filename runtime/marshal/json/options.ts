import type { Registry } from "@bufbuild/protobuf";

/** Options of the proto3 JSON marshaler; the defaults are grpc-gateway v2's. */
export interface JsonMarshalerOptions {
  /** Write proto field names (`int32_value`) instead of JSON names (`int32Value`). Default false. */
  readonly useProtoNames?: boolean;
  /**
   * Write fields that are not set, as protojson's EmitUnpopulated does: zero values,
   * `[]`, `{}`, and `null` for unset fields with presence: messages, proto3 `optional`,
   * proto2 and editions explicit-presence scalars (but not unset oneof members).
   * Default true.
   */
  readonly emitUnpopulated?: boolean;
  /** Write enum values as numbers instead of names. Default false. */
  readonly enumsAsNumbers?: boolean;
  /** Skip unknown JSON keys in requests instead of rejecting them; unknown enum names are refused either way. Default true. */
  readonly discardUnknown?: boolean;
  /**
   * Deepest nesting of arrays and objects read in a request (400 beyond, before parsing).
   * Default 10,000, Go's encoding/json limit.
   */
  readonly maxDepth?: number;
  /** Types that `google.protobuf.Any` values may hold, in and out. */
  readonly registry?: Registry | undefined;
}
