/**
 * The generated proto of the routing-scale scenario: `count` routes over services of ten
 * methods, in five shapes that share prefixes the way a real API does (literals,
 * variables before and after literals, a `**` tail, two verbs on one path), and the
 * concrete request paths that hit them.
 */

/** Methods per generated service. */
export const methodsPerService = 10;

interface RouteShape {
  readonly verb: "get" | "post" | "delete";
  readonly template: (s: number, m: number) => string;
  readonly body?: string;
  /** A request path this route (and no more specific one) matches. */
  readonly example: (s: number, m: number) => string;
}

const shapes: readonly RouteShape[] = [
  { verb: "get", template: (s, m) => `/v1/s${s}/things${m}/{id}`, example: (s, m) => `/v1/s${s}/things${m}/item-42` },
  { verb: "get", template: (s, m) => `/v1/projects/{project}/s${s}/things${m}`, example: (s, m) => `/v1/projects/p-7/s${s}/things${m}` },
  { verb: "post", template: (s, m) => `/v1/s${s}/things${m}`, body: "*", example: (s, m) => `/v1/s${s}/things${m}` },
  { verb: "get", template: (s, m) => `/v1/s${s}/things${m}/{id}/parts/{part=**}`, example: (s, m) => `/v1/s${s}/things${m}/item-42/parts/a/b/c` },
  { verb: "delete", template: (s, m) => `/v1/s${s}/things${m}/{id}`, example: (s, m) => `/v1/s${s}/things${m}/item-42` },
];

/** The request every gateway size gets: route 0 (`GET /v1/s0/things0/{id}`), with two query parameters. */
export const routingRequestPath = "/v1/s0/things0/item-42?locale=en-US&page_size=10";

/** HTTP method and path (no query) of route `index`, for the router's own loop. */
export function routeExample(index: number): { method: string; path: string } {
  const shape = shapes[index % shapes.length]!;
  const s = Math.floor(index / methodsPerService);
  const m = index % methodsPerService;
  return { method: shape.verb.toUpperCase(), path: shape.example(s, m) };
}

/** The proto text with `count` routes (a multiple of ten). */
export function routingProto(count: number): string {
  const services: string[] = [];
  for (let s = 0; s * methodsPerService < count; s++) {
    const methods: string[] = [];
    for (let m = 0; m < methodsPerService && s * methodsPerService + m < count; m++) {
      const shape = shapes[(s * methodsPerService + m) % shapes.length]!;
      const body = shape.body === undefined ? "" : ` body: "${shape.body}"`;
      methods.push(`  rpc M${m}(RouteRequest) returns (RouteReply) {\n    option (google.api.http) = {${shape.verb}: "${shape.template(s, m)}"${body}};\n  }`);
    }
    services.push(`service S${s} {\n${methods.join("\n")}\n}`);
  }
  return `syntax = "proto3";

package routing.v1;

import "google/api/annotations.proto";

message RouteRequest {
  string id = 1;
  string project = 2;
  string part = 3;
  string locale = 4;
  int32 page_size = 5;
}

message RouteReply {
  string id = 1;
  string locale = 2;
}

${services.join("\n\n")}
`;
}
