// The TagService gRPC backend, after the tag service of the popular Go grpc-gateway
// tutorial: an in-memory list of blog tags, filtered and paged, that fails the way the
// tutorial does: a gRPC status whose details carry a business error (tag.v1.Error).
// Run it alone with `tsx examples/tags/backend.ts` (TAGS_PORT, default 50052).
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { StatusSchema } from "../../runtime/gen/google/rpc/status_pb.js";
import {
  Error as TagError,
  TagServiceService,
  type GetTagListReply,
  type GetTagListRequest,
  type Tag,
  type TagServiceServer,
} from "../backend-gen/tag/v1/tag.js";
import { isMain, portFromEnv, startGrpcServer, stopOnSignal, type RunningServer } from "../support/grpc-server.js";

/** The blog's tags; state 1 is enabled, 0 disabled. */
export const tags: readonly Tag[] = [
  { id: 1, name: "Go", state: 1 },
  { id: 2, name: "Rust", state: 1 },
  { id: 3, name: "TypeScript", state: 1 },
  { id: 4, name: "Python", state: 1 },
  { id: 5, name: "Django", state: 1 },
  { id: 6, name: "MongoDB", state: 0 },
  { id: 7, name: "Kotlin", state: 0 },
  { id: 8, name: "Haskell", state: 1 },
  { id: 9, name: "Erlang", state: 0 },
  { id: 10, name: "Algorithms", state: 1 },
];

/** The tutorial's business error for a failed listing (errcode.ErrorGetTagListFail). */
export const getTagListFailed = { code: 20010001, message: "获取标签列表失败" } as const;

/** The `name` that makes GetTagList fail with {@link getTagListFailed}, standing in for the tutorial's failing upstream call. */
export const failingName = "error";

/** The largest page_size served; larger ones are INVALID_ARGUMENT. */
export const maxPageSize = 100;

const defaultPage = 1;
const defaultPageSize = 10;

/** A failure as a grpc-js server reports it: code, message, and trailers. */
type StatusFailure = Partial<grpc.StatusObject>;

/** tag.v1.TagService over {@link tags}. */
export const tagServer: TagServiceServer = {
  getTagList(call, callback) {
    const failure = rejectRequest(call.request);
    if (failure === undefined) callback(null, listTags(call.request));
    else callback(failure);
  },
};

/** The status a request fails with, before any listing: the business error, or bad paging. */
function rejectRequest(request: GetTagListRequest): StatusFailure | undefined {
  if (request.name.toLowerCase() === failingName) return businessError(getTagListFailed);
  if (request.page < 0 || request.pageSize < 0 || request.pageSize > maxPageSize) {
    return {
      code: grpc.status.INVALID_ARGUMENT,
      details: `page and page_size must not be negative, and page_size must be at most ${maxPageSize}`,
    };
  }
  return undefined;
}

/**
 * Filters by `name` (case-insensitive substring) and `state` (0, proto3's unset, means
 * any state), then pages with `page` and `page_size` (defaults 1 and 10).
 */
export function listTags(request: GetTagListRequest): GetTagListReply {
  const page = request.page || defaultPage;
  const pageSize = request.pageSize || defaultPageSize;
  const needle = request.name.toLowerCase();
  const matching = tags.filter((tag) => tag.name.toLowerCase().includes(needle) && (request.state === 0 || tag.state === request.state));
  const start = (page - 1) * pageSize;
  return {
    list: matching.slice(start, start + pageSize),
    pager: { page, pageSize, totalRows: matching.length },
  };
}

/**
 * Fails like the Go tutorial's `errcode.TogRPCError`: the status message is the business
 * message, and `grpc-status-details-bin` holds a google.rpc.Status with the tag.v1.Error
 * packed in an Any. INTERNAL rather than the tutorial's UNKNOWN: the server knows what
 * went wrong (its upstream failed), and both map to HTTP 500 anyway.
 */
function businessError(error: TagError): StatusFailure {
  const code = grpc.status.INTERNAL;
  // ts-proto encodes the detail; google.rpc.Status is not among its outputs here, so the
  // envelope uses the runtime's protobuf-es schema (the bytes are the same either way).
  const status = create(StatusSchema, {
    code,
    message: error.message,
    details: [{ typeUrl: "type.googleapis.com/tag.v1.Error", value: TagError.encode(error).finish() }],
  });
  const metadata = new grpc.Metadata();
  metadata.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, status)));
  return { code, details: error.message, metadata };
}

/** Adds tag.v1.TagService to a grpc-js server. */
export function addTagService(server: grpc.Server): void {
  server.addService(TagServiceService, tagServer);
}

/** Starts the TagService backend, with server reflection, on 127.0.0.1:`port` (0: any free port). */
export function startTagsBackend(port = 0): Promise<RunningServer> {
  return startGrpcServer("tag/v1/tag.proto", addTagService, port);
}

if (isMain(import.meta.url)) {
  const backend = await startTagsBackend(portFromEnv("TAGS_PORT", 50052));
  console.log(`tag.v1.TagService listening on ${backend.address}`);
  console.log(`  grpcurl -plaintext -d '{"name":"go","state":1}' ${backend.address} tag.v1.TagService/GetTagList`);
  stopOnSignal(() => backend.close());
}
