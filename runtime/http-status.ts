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
