// Headers <-> metadata, deadlines and trailers, both sides of the proxy.
import { Metadata } from "@grpc/grpc-js";
import { Everything } from "../../gen/testing/v1/everything_pb.js";
import { EverythingRoutes } from "../../gen/testing/v1/everything_gateway.js";
import type { Case, CaseGroup } from "../case.js";

function forwarded(name: string, headers: Record<string, string>, metadata: Record<string, string[]>, metadataAbsent: string[] = []): Case {
  return {
    name,
    request: { method: "GET", path: "/v1/echo/m", headers },
    call: { method: "Everything.Echo", metadata, metadataAbsent },
    response: { status: 200 },
  };
}

// NOT_FOUND after header metadata (`x-request-id`), with trailer metadata (`x-cost`).
function failedWithMetadata(): { code: number; details: string; headers: Record<string, string>; metadata: Metadata } {
  const trailers = new Metadata();
  trailers.set("x-cost", "7");
  return { code: 5, details: "gone", headers: { "x-request-id": "r2" }, metadata: trailers };
}

export const metadata: CaseGroup = {
  name: "metadata",
  services: [{ service: Everything, routes: EverythingRoutes }],
  // grpc-gateway passes on every client's X-Forwarded-* (the gateway's default trusts none).
  options: { trustProxy: true },
  cases: [
    forwarded("Grpc-Metadata-<k> becomes <k>", { "Grpc-Metadata-Tenant": "acme" }, { tenant: ["acme"] }, ["grpc-metadata-tenant"]),
    forwarded(
      "Authorization goes as authorization and grpcgateway-authorization",
      { Authorization: "Bearer t" },
      { authorization: ["Bearer t"], "grpcgateway-authorization": ["Bearer t"] },
    ),
    forwarded(
      "permanent headers become grpcgateway-<k>",
      { "User-Agent": "curl/8", Accept: "application/json", Cookie: "a=b", Origin: "https://x.test", Referer: "https://x.test/p" },
      {
        "grpcgateway-user-agent": ["curl/8"],
        "grpcgateway-accept": ["application/json"],
        "grpcgateway-cookie": ["a=b"],
        "grpcgateway-origin": ["https://x.test"],
        "grpcgateway-referer": ["https://x.test/p"],
      },
    ),
    forwarded("X-Forwarded-For gets the peer address appended", { "X-Forwarded-For": "203.0.113.7" }, { "x-forwarded-for": ["203.0.113.7, 127.0.0.1"] }),
    forwarded("X-Forwarded-For is the peer address when absent", {}, { "x-forwarded-for": ["127.0.0.1"] }),
    forwarded("X-Forwarded-Host comes from Host", { Host: "api.example.test" }, { "x-forwarded-host": ["api.example.test"] }),
    forwarded(
      "X-Forwarded-Host passes through when sent",
      { Host: "internal", "X-Forwarded-Host": "public.example.test" },
      { "x-forwarded-host": ["public.example.test"] },
    ),
    forwarded("-Bin metadata is base64-decoded", { "Grpc-Metadata-Trace-Bin": "AQID" }, { "trace-bin": ["bin:010203"] }),
    forwarded("unlisted headers are dropped", { "X-Custom": "1", "X-Api-Key": "k" }, {}, ["x-custom", "x-api-key", "grpcgateway-x-custom"]),
    forwarded("hop-by-hop headers are dropped", { Connection: "keep-alive", "Keep-Alive": "timeout=5" }, {}, [
      "connection",
      "keep-alive",
      "grpcgateway-connection",
    ]),
    {
      name: "an undecodable -Bin value is 400 naming the header (grpc-gateway's decodeBinHeader)",
      request: { method: "GET", path: "/v1/echo/m", headers: { "grpc-metadata-token-bin": "!!!" } },
      call: null,
      response: { status: 400, error: { code: 3, messageIncludes: "invalid binary header Grpc-Metadata-Token-Bin: illegal base64 data at input byte 0" } },
    },
    {
      name: "a URL-safe -Bin value is 400: grpc-gateway decodes the standard alphabet only",
      request: { method: "GET", path: "/v1/echo/m", headers: { "Grpc-Metadata-Token-Bin": "-_8=" } },
      call: null,
      response: { status: 400, error: { code: 3, messageIncludes: "invalid binary header Grpc-Metadata-Token-Bin" } },
    },
    forwarded("an unpadded -Bin value is decoded (RawStdEncoding)", { "Grpc-Metadata-Trace-Bin": "AQI" }, { "trace-bin": ["bin:0102"] }),
    forwarded("Grpc-Timeout is not forwarded as metadata", { "Grpc-Timeout": "10S" }, {}, ["grpc-timeout", "timeout"]),
    {
      name: "Grpc-Timeout sets the deadline",
      request: { method: "GET", path: "/v1/echo/m", headers: { "Grpc-Timeout": "5S" } },
      call: { method: "Everything.Echo", deadline: true },
      response: { status: 200 },
    },
    {
      name: "no Grpc-Timeout and no default: no deadline",
      request: { method: "GET", path: "/v1/echo/m" },
      call: { method: "Everything.Echo", deadline: false },
      response: { status: 200 },
    },
    {
      name: "a malformed Grpc-Timeout is 400",
      request: { method: "GET", path: "/v1/echo/m", headers: { "Grpc-Timeout": "soon" } },
      call: null,
      response: { status: 400, error: { code: 3, messageIncludes: "Grpc-Timeout" } },
    },
    {
      name: "a deadline that passes is 504",
      request: { method: "GET", path: "/v1/echo/m", headers: { "Grpc-Timeout": "50m" } },
      backend: async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return {};
      },
      call: { method: "Everything.Echo", deadline: true },
      response: { status: 504, error: { code: 4, messageIncludes: "" } },
    },
    {
      name: "response header metadata becomes Grpc-Metadata-<k>",
      request: { method: "GET", path: "/v1/echo/m" },
      backend: () => ({ headers: { "x-request-id": "r1", "data-bin": Buffer.from([1, 2]) } }),
      call: { method: "Everything.Echo" },
      response: { status: 200, headers: { "grpc-metadata-x-request-id": "r1", "grpc-metadata-data-bin": "AQI=" } },
    },
    {
      name: "trailers become Grpc-Trailer-<k> when the client sent TE: trailers",
      request: { method: "GET", path: "/v1/echo/m", headers: { TE: "trailers" } },
      backend: () => ({ trailers: { "x-cost": "7" } }),
      call: { method: "Everything.Echo" },
      response: { status: 200, trailers: { "grpc-trailer-x-cost": "7" }, headers: { trailer: "Grpc-Trailer-X-Cost" } },
    },
    {
      name: "trailers are dropped without TE: trailers",
      request: { method: "GET", path: "/v1/echo/m" },
      backend: () => ({ trailers: { "x-cost": "7" } }),
      call: { method: "Everything.Echo" },
      response: { status: 200, headers: { trailer: null, "grpc-trailer-x-cost": null } },
    },
    {
      name: "a failed call forwards its header metadata as Grpc-Metadata-<k>, and drops its trailers without TE: trailers",
      request: { method: "GET", path: "/v1/echo/m" },
      backend: () => {
        throw failedWithMetadata();
      },
      call: { method: "Everything.Echo" },
      response: {
        status: 404,
        headers: { "grpc-metadata-x-request-id": "r2", "grpc-metadata-x-cost": null, "grpc-trailer-x-cost": null, trailer: null },
        error: { code: 5, messageIncludes: "gone" },
      },
    },
    {
      name: "a failed call sends its trailers as Grpc-Trailer-<k> HTTP trailers when the client sent TE: trailers",
      request: { method: "GET", path: "/v1/echo/m", headers: { TE: "trailers" } },
      backend: () => {
        throw failedWithMetadata();
      },
      call: { method: "Everything.Echo" },
      response: {
        status: 404,
        headers: { "grpc-metadata-x-request-id": "r2", "grpc-metadata-x-cost": null, trailer: "Grpc-Trailer-X-Cost" },
        trailers: { "grpc-trailer-x-cost": "7" },
        error: { code: 5, messageIncludes: "gone" },
      },
    },
  ],
};

export const metadataDefaults: CaseGroup = {
  name: "metadata with a default timeout and an annotator",
  services: [{ service: Everything, routes: EverythingRoutes }],
  options: {
    defaultTimeoutMs: 10_000,
    metadataAnnotator: (req) => ({ "x-path": req.url ?? "" }),
    incomingHeaderMatcher: (key) => (key === "x-api-key" ? "api-key" : undefined),
  },
  cases: [
    {
      name: "the default timeout sets a deadline",
      request: { method: "GET", path: "/v1/echo/d" },
      call: { method: "Everything.Echo", deadline: true },
      response: { status: 200 },
    },
    forwarded(
      "a custom matcher and the annotator decide the metadata",
      { "X-Api-Key": "k1", "Grpc-Metadata-Tenant": "acme" },
      { "api-key": ["k1"], "x-path": ["/v1/echo/m"] },
      ["tenant"],
    ),
  ],
};
