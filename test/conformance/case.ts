import type { DescService } from "@bufbuild/protobuf";
import type { GatewayOptions } from "grpc-gateway-express/runtime";
import type { CallHandler } from "../support/recording-backend.js";
import type { HttpRequest } from "../support/http-client.js";

/** One row of the declarative table: a request, what the backend must receive, what the client must get. */
export interface Case {
  readonly name: string;
  readonly request: HttpRequest;
  /** What the backend answers (default: echo the request when the types match). */
  readonly backend?: CallHandler;
  /** What the backend must have received; `null` when the request must never reach it. */
  readonly call: ExpectedCall | null;
  readonly response: ExpectedResponse;
}

/** The side of the proxy facing gRPC. */
export interface ExpectedCall {
  /** `Service.Method`, e.g. `Everything.Echo`. */
  readonly method: string;
  /** The request message as proto3 JSON without unpopulated fields (exact match); omitted: not checked. */
  readonly request?: Record<string, unknown>;
  /** Metadata the backend must have received, all values per key. */
  readonly metadata?: Record<string, string[]>;
  /** Metadata keys the backend must not have received. */
  readonly metadataAbsent?: readonly string[];
  /** True when the call must carry a deadline. */
  readonly deadline?: boolean;
}

/** The side of the proxy facing HTTP. */
export interface ExpectedResponse {
  readonly status: number;
  /** Header values (lower-case names); `null` means the header must be absent. */
  readonly headers?: Record<string, string | null>;
  /** HTTP trailers the client must have received. */
  readonly trailers?: Record<string, string>;
  /** The body parsed as JSON, compared exactly. */
  readonly json?: unknown;
  /** The body as text, compared exactly. */
  readonly text?: string;
  /** For error bodies: the gRPC code and a fragment of the message. */
  readonly error?: { readonly code: number; readonly messageIncludes: string };
}

/** Cases that share one gateway configuration. */
export interface CaseGroup {
  readonly name: string;
  readonly services: readonly { service: DescService; routes: readonly import("grpc-gateway-express/runtime").HttpRoute[] }[];
  readonly options?: GatewayOptions;
  readonly cases: readonly Case[];
}
