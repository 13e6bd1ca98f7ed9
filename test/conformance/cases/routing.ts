// Path templates, decoding, verbs, specificity, 404/405 through the generated routes.
import { Everything } from "../../gen/testing/v1/everything_pb.js";
import { EverythingRoutes } from "../../gen/testing/v1/everything_gateway.js";
import type { Case, CaseGroup } from "../case.js";

const everything = [{ service: Everything, routes: EverythingRoutes }];
const json = { "Content-Type": "application/json" };

function echo(name: string, method: string, path: string, request: Record<string, unknown>, body?: string): Case {
  return {
    name,
    request: body === undefined ? { method, path } : { method, path, headers: json, body },
    call: { method: "Everything.Echo", request },
    response: { status: 200 },
  };
}

export const routing: CaseGroup = {
  name: "routing",
  services: everything,
  cases: [
    echo("a single-segment variable", "GET", "/v1/echo/hello", { stringValue: "hello" }),
    echo("a single-segment variable is fully percent-decoded", "GET", "/v1/echo/hello%20w%C3%B6rld", { stringValue: "hello wörld" }),
    echo("%2F in a single-segment variable decodes to a slash", "GET", "/v1/echo/a%2Fb", { stringValue: "a/b" }),
    echo("a multi-segment variable keeps reserved escapes", "GET", "/v1/files/a/b%2Fc/d", { stringValue: "a/b%2Fc/d" }),
    echo("a multi-segment variable decodes unreserved escapes", "GET", "/v1/files/a%20b/c", { stringValue: "a b/c" }),
    echo("{var=shelves/*/books/*} captures its segments", "GET", "/v1/shelves/1/books/2", { stringValue: "shelves/1/books/2" }),
    echo("a colon without a verb route stays in the variable", "GET", "/v1/echo/a:b", { stringValue: "a:b" }),
    echo("a route with a matching verb beats one without", "GET", "/v1/echo/x:lookup", { uuid: "x" }),
    echo("a verb route with a body", "POST", "/v1/echo/u1:verify", { uuid: "u1", int32Value: 5 }, '{"int32Value":5}'),
    echo("DELETE binds its path", "DELETE", "/v1/echo/u1", { uuid: "u1" }),
    echo("nested field paths in the template", "PUT", "/v1/echo/n1/c1", { nested: { name: "n1", child: { name: "c1" } }, int32Value: 1 }, '{"int32Value":1}'),
    echo("a repeated path variable takes a comma-separated list", "GET", "/v1/lists/a,b/COLOR_RED,2", {
      repeatedString: ["a", "b"],
      repeatedColor: ["COLOR_RED", "COLOR_GREEN"],
    }),
    echo("an escaped comma is decoded first, so it splits too (as grpc-gateway)", "GET", "/v1/lists/a%2Cb/1", {
      repeatedString: ["a", "b"],
      repeatedColor: ["COLOR_RED"],
    }),
    {
      name: "a bad element of a repeated path variable is 400 naming the variable",
      request: { method: "GET", path: "/v1/lists/a/COLOR_RED,PURPLE" },
      call: null,
      response: { status: 400, error: { code: 3, messageIncludes: 'path variable "repeated_color": "PURPLE"' } },
    },
    echo("a custom verb (SEARCH)", "SEARCH", "/v1/echo?string_value=s", { stringValue: "s" }),
    echo("a bare * segment matches without binding", "GET", "/v1/wild/anything/u7", { uuid: "u7" }),
    echo("a trailing ** matches several segments", "GET", "/v1/tail/u8/a/b/c", { uuid: "u8" }),
    echo("literal POST /v1/echo beats POST /v1/echo/{...}", "POST", "/v1/echo", { stringValue: "lit" }, '{"stringValue":"lit"}'),
    {
      name: "a malformed escape is 400",
      request: { method: "GET", path: "/v1/echo/%zz" },
      call: null,
      response: { status: 400, error: { code: 3, messageIncludes: "%zz" } },
    },
    {
      name: "a truncated escape is 400",
      request: { method: "GET", path: "/v1/echo/ab%2" },
      call: null,
      response: { status: 400, error: { code: 3, messageIncludes: "%2" } },
    },
    {
      name: "a known path with the wrong method is 405 with Allow",
      request: { method: "PATCH", path: "/v1/echo/hello" },
      call: null,
      response: { status: 405, headers: { allow: "DELETE, GET" }, error: { code: 12, messageIncludes: "PATCH" } },
    },
    {
      name: "no route: the request goes on to the rest of the Express app",
      request: { method: "GET", path: "/after-gateway" },
      call: null,
      response: { status: 200, text: "express route" },
    },
    {
      name: "no route and no Express route: Express's own 404",
      request: { method: "GET", path: "/v1/nowhere" },
      call: null,
      response: { status: 404 },
    },
    {
      name: "a template's literal does not match a longer path",
      request: { method: "GET", path: "/v1/shelves/1/books" },
      call: null,
      response: { status: 404 },
    },
    {
      name: "HEAD is served by the GET route without a body",
      request: { method: "HEAD", path: "/v1/echo/h" },
      call: { method: "Everything.Echo", request: { stringValue: "h" } },
      response: { status: 200, text: "" },
    },
  ],
};

export const routingCompatNotFound: CaseGroup = {
  name: "routing with compat: grpc-gateway and notFound: error",
  services: everything,
  options: { compat: "grpc-gateway", notFound: "error" },
  cases: [
    {
      name: "no route is grpc-gateway's 404 Not Found body",
      request: { method: "GET", path: "/v1/nowhere" },
      call: null,
      response: { status: 404, json: { code: 5, message: "Not Found", details: [] } },
    },
  ],
};

export const routingNotFoundAsError: CaseGroup = {
  name: "routing with notFound: error",
  services: everything,
  options: { notFound: "error" },
  cases: [
    {
      name: "no route answers 404 with the status body",
      request: { method: "GET", path: "/v1/nowhere" },
      call: null,
      response: { status: 404, error: { code: 5, messageIncludes: "/v1/nowhere" } },
    },
  ],
};

export const routingCompat: CaseGroup = {
  name: "routing with compat: grpc-gateway",
  services: everything,
  options: { compat: "grpc-gateway" },
  cases: [
    {
      name: "a known path with the wrong method is 501, as grpc-gateway answers",
      request: { method: "PATCH", path: "/v1/echo/hello" },
      call: null,
      response: { status: 501, json: { code: 12, message: "Method Not Allowed", details: [] }, headers: { allow: null } },
    },
    {
      name: "a malformed escape is grpc-gateway's 400 Bad Request",
      request: { method: "GET", path: "/v1/files/a%zz" },
      call: null,
      response: { status: 400, json: { code: 3, message: "Bad Request", details: [] } },
    },
    echo("unknown query parameters are ignored, as grpc-gateway does", "GET", "/v1/echo/x?nope=1", { stringValue: "x" }),
  ],
};
