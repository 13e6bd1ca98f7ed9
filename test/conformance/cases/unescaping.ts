// The `unescaping` option: grpc-gateway's WithUnescapingMode modes through the whole gateway.
import type { Unescaping } from "grpc-gateway-express/runtime";
import { Everything } from "../../gen/testing/v1/everything_pb.js";
import { EverythingRoutes } from "../../gen/testing/v1/everything_gateway.js";
import type { Case, CaseGroup } from "../case.js";

const services = [{ service: Everything, routes: EverythingRoutes }];

function echo(name: string, path: string, stringValue: string): Case {
  return { name, request: { method: "GET", path }, call: { method: "Everything.Echo", request: { stringValue } }, response: { status: 200 } };
}

function group(unescaping: Unescaping, cases: Case[], compat = false): CaseGroup {
  return {
    name: `unescaping: ${unescaping}${compat ? " with compat" : ""}`,
    services,
    options: compat ? { unescaping, compat: "grpc-gateway" } : { unescaping },
    cases,
  };
}

export const unescaping: CaseGroup[] = [
  group("all-except-reserved", [
    echo("a single-segment variable is fully decoded", "/v1/echo/a%2Fb%3Ac", "a/b:c"),
    echo("a ** variable keeps reserved escapes", "/v1/files/a%2Fb%3Ac%20d", "a%2Fb%3Ac d"),
  ]),
  group("all-except-slash", [echo("a ** variable keeps only %2F", "/v1/files/a%2Fb%3Ac%20d", "a%2Fb:c d")]),
  group("all-characters", [
    echo("a ** variable is fully decoded", "/v1/files/a%2Fb%3Ac%20d", "a/b:c d"),
    {
      name: "%2F splits the path, so /v1/echo/a%2Fb is the two-variable PUT route's path",
      request: { method: "GET", path: "/v1/echo/a%2Fb" },
      call: null,
      response: { status: 405, headers: { allow: "PUT" }, error: { code: 12, messageIncludes: "GET" } },
    },
  ]),
  group("legacy", [echo("the whole path is decoded before routing", "/v1/files/a%2Fb%3Ac", "a/b:c")]),
  // An explicit mode wins over the one compat implies.
  group("all-except-reserved", [echo("compat with an explicit mode keeps it", "/v1/files/a%2Fb", "a%2Fb")], true),
];
