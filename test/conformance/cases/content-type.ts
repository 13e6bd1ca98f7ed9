// Which marshaler reads a request's Content-Type: 415 naming what is accepted, grpc-gateway's
// JSON-for-everything in compat mode, and the "*" key (grpc-gateway's MIMEWildcard).
import type { Marshaler } from "grpc-gateway-express/runtime";
import { Everything } from "../../gen/testing/v1/everything_pb.js";
import { EverythingRoutes } from "../../gen/testing/v1/everything_gateway.js";
import type { CaseGroup } from "../case.js";

const services = [{ service: Everything, routes: EverythingRoutes }];
const form = { "Content-Type": "application/x-www-form-urlencoded" };

/** Reads the whole body into `string_value` and writes `string_value` back: easy to tell apart from JSON. */
const text: Marshaler = {
  contentType: "text/plain",
  unmarshal(body, _schema, target) {
    (target as { stringValue?: string }).stringValue = Buffer.from(body).toString("utf8");
  },
  marshal(_schema, message) {
    return (message as { stringValue?: string }).stringValue ?? "";
  },
};

export const contentTypes: CaseGroup[] = [
  {
    name: "content types: unregistered ones are 415",
    services,
    cases: [
      {
        name: "curl -d's form type is 415 saying what to send",
        request: { method: "POST", path: "/v1/echo", headers: form, body: '{"stringValue":"x"}' },
        call: null,
        response: {
          status: 415,
          error: {
            code: 3,
            messageIncludes: `unsupported Content-Type "application/x-www-form-urlencoded": send application/json, e.g. curl -H 'Content-Type: application/json'`,
          },
        },
      },
      {
        name: "a body with no Content-Type is JSON",
        request: { method: "POST", path: "/v1/echo", body: '{"stringValue":"x"}' },
        call: { method: "Everything.Echo", request: { stringValue: "x" } },
        response: { status: 200 },
      },
    ],
  },
  {
    name: "content types: the 415 lists the other registered types",
    services,
    options: { marshalers: { "application/x-text": text } },
    cases: [
      {
        name: "415 names application/json and the extra marshaler",
        request: { method: "POST", path: "/v1/echo", headers: { "Content-Type": "text/csv" }, body: "a,b" },
        call: null,
        response: {
          status: 415,
          error: { code: 3, messageIncludes: `unsupported Content-Type "text/csv": send application/json (or one of: application/x-text)` },
        },
      },
    ],
  },
  {
    name: "content types: compat reads unregistered types as JSON",
    services,
    options: { compat: "grpc-gateway" },
    cases: [
      {
        name: "curl -d's form type is read as JSON, as grpc-gateway does",
        request: { method: "POST", path: "/v1/echo", headers: form, body: '{"stringValue":"x"}' },
        call: { method: "Everything.Echo", request: { stringValue: "x" } },
        response: { status: 200, headers: { "content-type": "application/json" } },
      },
    ],
  },
  {
    name: 'content types: a "*" marshaler',
    services,
    options: { marshalers: { "*": text } },
    cases: [
      {
        name: "it reads a Content-Type nothing else matches, and answers in its own format",
        request: { method: "POST", path: "/v1/echo", headers: { "Content-Type": "text/csv" }, body: "a,b" },
        backend: () => ({ reply: { stringValue: "back" } }),
        call: { method: "Everything.Echo", request: { stringValue: "a,b" } },
        response: { status: 200, headers: { "content-type": "text/plain" }, text: "back" },
      },
      {
        name: "it reads a body with no Content-Type, as grpc-gateway's MIMEWildcard does",
        request: { method: "POST", path: "/v1/echo", body: "plain" },
        call: { method: "Everything.Echo", request: { stringValue: "plain" } },
        response: { status: 200, headers: { "content-type": "text/plain" }, text: "plain" },
      },
      {
        name: "application/json is still JSON",
        request: { method: "POST", path: "/v1/echo", headers: { "Content-Type": "application/json" }, body: '{"stringValue":"x"}' },
        call: { method: "Everything.Echo", request: { stringValue: "x" } },
        response: { status: 200, headers: { "content-type": "application/json" } },
      },
      {
        name: "an Accept that matches nothing answers with the request's marshaler",
        request: { method: "POST", path: "/v1/echo", headers: { "Content-Type": "application/json", Accept: "text/html" }, body: '{"stringValue":"x"}' },
        call: { method: "Everything.Echo", request: { stringValue: "x" } },
        response: { status: 200, headers: { "content-type": "application/json" } },
      },
      {
        name: "a request without a body and an Accept that matches nothing is answered by it",
        request: { method: "GET", path: "/v1/echo/m", headers: { Accept: "text/html" } },
        backend: () => ({ reply: { stringValue: "got" } }),
        call: { method: "Everything.Echo" },
        response: { status: 200, headers: { "content-type": "text/plain" }, text: "got" },
      },
      {
        name: "Accept: application/json still gets JSON",
        request: { method: "POST", path: "/v1/echo", headers: { "Content-Type": "text/csv", Accept: "application/json" }, body: "a" },
        call: { method: "Everything.Echo", request: { stringValue: "a" } },
        response: { status: 200, headers: { "content-type": "application/json" } },
      },
    ],
  },
];
