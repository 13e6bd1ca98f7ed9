import { createRegistry, type Registry } from "@bufbuild/protobuf";
import {
  file_google_protobuf_any,
  file_google_protobuf_api,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_source_context,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_type,
  file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";

/**
 * The well-known types, which an `Any` may always hold: grpc-gateway resolves them from
 * protoregistry.GlobalTypes, where every Go program that links protojson has them.
 */
export const wellKnownTypes: Registry = createRegistry(
  file_google_protobuf_any,
  file_google_protobuf_api,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_source_context,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_type,
  file_google_protobuf_wrappers,
);

/** The well-known types plus `registry` (whose types win over a well-known one of the same name). */
export function withWellKnownTypes(registry: Registry | undefined): Registry {
  return registry === undefined ? wellKnownTypes : createRegistry(wellKnownTypes, registry);
}
