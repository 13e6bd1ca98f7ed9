import { Code } from "./gen/google/rpc/code_pb.js";

/**
 * The gRPC code -> HTTP status table shared by grpc-gateway v2, Envoy's transcoder and
 * Connect, one line per code so it can be audited against theirs.
 */
const httpStatusByCode: Record<number, number> = {
  [Code.OK]: 200,
  [Code.CANCELLED]: 499, // client closed request (nginx's code, as grpc-gateway uses)
  [Code.UNKNOWN]: 500,
  [Code.INVALID_ARGUMENT]: 400,
  [Code.DEADLINE_EXCEEDED]: 504,
  [Code.NOT_FOUND]: 404,
  [Code.ALREADY_EXISTS]: 409,
  [Code.PERMISSION_DENIED]: 403,
  [Code.RESOURCE_EXHAUSTED]: 429,
  [Code.FAILED_PRECONDITION]: 400, // not 412: the HTTP precondition headers are not involved
  [Code.ABORTED]: 409,
  [Code.OUT_OF_RANGE]: 400,
  [Code.UNIMPLEMENTED]: 501,
  [Code.INTERNAL]: 500,
  [Code.UNAVAILABLE]: 503,
  [Code.DATA_LOSS]: 500,
  [Code.UNAUTHENTICATED]: 401,
};

/** The HTTP status for a gRPC status code; 500 for a code outside the table. */
export function httpStatusFromCode(code: number): number {
  return httpStatusByCode[code] ?? 500;
}

/**
 * The other way, for an HTTP answer that carries no gRPC status (a proxy's error page, a
 * server that is not gRPC): gRPC's HTTP-to-code mapping. Shared by the gRPC transport and
 * the REST client, and free of dependencies so the client's browser bundle can hold it.
 */
export function codeFromHttpStatus(status: number): Code {
  switch (status) {
    case 400:
      return Code.INTERNAL;
    case 401:
      return Code.UNAUTHENTICATED;
    case 403:
      return Code.PERMISSION_DENIED;
    case 404:
      return Code.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return Code.UNAVAILABLE;
    default:
      return Code.UNKNOWN;
  }
}
