import { createRegistry, toJson, type JsonValue, type JsonWriteOptions, type Registry } from "@bufbuild/protobuf";
import { AnySchema, type Any } from "@bufbuild/protobuf/wkt";
import type { GatewayError } from "../gateway-error.js";
import { file_google_rpc_error_details } from "../gen/google/rpc/error_details_pb.js";
import { file_google_rpc_status } from "../gen/google/rpc/status_pb.js";
import { httpStatusFromCode } from "../http-status.js";
import { createUnpopulatedFiller } from "../marshal/json/unpopulated.js";
import { wellKnownTypes, withWellKnownTypes } from "../marshal/json/well-known.js";
import { isJsonObject } from "../plain-object.js";

/**
 * The types error details are rendered with when nobody says otherwise: the well-known
 * types, google.rpc.Status and every google/rpc/error_details message (ErrorInfo,
 * BadRequest, RetryInfo, ...).
 * Extend it with `createRegistry(defaultTypeRegistry, ...yours)`.
 */
export const defaultTypeRegistry: Registry = createRegistry(wellKnownTypes, file_google_rpc_status, file_google_rpc_error_details);

/**
 * The JSON body of a failed call: `google.rpc.Status` in proto3 JSON. Its three keys are
 * single words, so they read the same under JSON names and proto names (`useProtoFieldName`);
 * all three are always present, as grpc-gateway's marshaler emits unpopulated fields.
 */
export interface ErrorBody {
  /** The gRPC status code, as a number. */
  code: number;
  /** The status message. */
  message: string;
  /** Each `Any` detail in proto3 JSON, with its `@type`. */
  details: JsonValue[];
}

/** How error details are rendered. */
export interface ErrorBodyOptions {
  /** Types to render details with; default {@link defaultTypeRegistry} (a given one replaces it; the well-known types stay). */
  registry?: Registry | undefined;
  /**
   * The rest of the JSON options of the gateway's marshaler (`useProtoFieldName` ...), applied to
   * details; with `alwaysEmitImplicit` a packed message's unpopulated fields are written as the
   * marshaler writes them (null for fields with presence). `@type` always comes first, as in protojson.
   */
  json?: Omit<Partial<JsonWriteOptions>, "registry"> | undefined;
}

/**
 * The body for an error. A detail whose type the registry does not know (or whose bytes do
 * not decode) is rendered as `{"@type": url, "value": "<base64>"}`, the proto3 JSON shape of
 * an opaque Any, rather than failing the whole response.
 */
export function errorBodyFromError(err: GatewayError, options: ErrorBodyOptions = {}): ErrorBody {
  const json: Partial<JsonWriteOptions> = {
    ...options.json,
    registry: options.registry === undefined ? defaultTypeRegistry : withWellKnownTypes(options.registry),
  };
  const fill = fillerFor(json);
  return { code: err.code, message: err.rawMessage, details: err.details.map((detail) => detailToJson(detail, json, fill)) };
}

type Filler = ReturnType<typeof createUnpopulatedFiller>;
const fillers = new WeakMap<Registry, Map<string, Filler>>();

// One filler (and its per-type plans) per registry and option set, as a gateway keeps both.
function fillerFor(json: Partial<JsonWriteOptions>): Filler {
  const registry = json.registry ?? defaultTypeRegistry;
  const key = `${json.useProtoFieldName === true} ${json.enumAsInteger === true} ${json.alwaysEmitImplicit === true}`;
  let byKey = fillers.get(registry);
  if (byKey === undefined) fillers.set(registry, (byKey = new Map()));
  let fill = byKey.get(key);
  if (fill === undefined) {
    fill = createUnpopulatedFiller(json.useProtoFieldName === true, json.enumAsInteger === true, json.alwaysEmitImplicit === true, registry);
    byKey.set(key, fill);
  }
  return fill;
}

function detailToJson(detail: Any, json: Partial<JsonWriteOptions>, fill: Filler): JsonValue {
  try {
    const out = toJson(AnySchema, detail, json);
    if (isJsonObject(out)) fill(AnySchema, out);
    return out;
  } catch {
    return { "@type": detail.typeUrl, value: Buffer.from(detail.value).toString("base64") };
  }
}

/** The HTTP status for an error: its own override when it is a valid status, else the code's mapping. */
export function httpStatusFromError(err: GatewayError): number {
  const override = err.httpStatus;
  const valid = override !== undefined && Number.isInteger(override) && override >= 100 && override <= 599;
  return valid ? override : httpStatusFromCode(err.code);
}
