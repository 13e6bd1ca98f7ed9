// Backend statuses mapped to HTTP: the status table, the body, details, hooks.
import { create, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { Metadata, status as Code } from "@grpc/grpc-js";
import { BadRequestSchema } from "../../../runtime/gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../../runtime/gen/google/rpc/status_pb.js";
import { Everything, NestedSchema } from "../../gen/testing/v1/everything_pb.js";
import { EverythingRoutes } from "../../gen/testing/v1/everything_gateway.js";
import type { Case, CaseGroup } from "../case.js";

const everything = [{ service: Everything, routes: EverythingRoutes }];

const expectedHttp: [keyof typeof Code, number][] = [
  ["CANCELLED", 499],
  ["UNKNOWN", 500],
  ["INVALID_ARGUMENT", 400],
  ["DEADLINE_EXCEEDED", 504],
  ["NOT_FOUND", 404],
  ["ALREADY_EXISTS", 409],
  ["PERMISSION_DENIED", 403],
  ["RESOURCE_EXHAUSTED", 429],
  ["FAILED_PRECONDITION", 400],
  ["ABORTED", 409],
  ["OUT_OF_RANGE", 400],
  ["UNIMPLEMENTED", 501],
  ["INTERNAL", 500],
  ["UNAVAILABLE", 503],
  ["DATA_LOSS", 500],
  ["UNAUTHENTICATED", 401],
];

function failing(name: keyof typeof Code, status: number): Case {
  return {
    name: `${name} is HTTP ${status}`,
    request: { method: "GET", path: "/v1/echo/e" },
    backend: () => {
      throw { code: Code[name], details: `backend says ${name}` };
    },
    call: { method: "Everything.Echo" },
    response: {
      status,
      json: { code: Code[name], message: `backend says ${name}`, details: [] },
      headers: { "content-type": "application/json", "www-authenticate": name === "UNAUTHENTICATED" ? `backend says ${name}` : null },
    },
  };
}

function withDetails(): Metadata {
  const badRequest = create(BadRequestSchema, { fieldViolations: [{ field: "name", description: "must not be empty" }] });
  const nested = create(NestedSchema, { name: "custom", amount: 7 });
  const status = create(StatusSchema, {
    code: Code.INVALID_ARGUMENT,
    message: "bad",
    details: [anyPack(BadRequestSchema, badRequest), anyPack(NestedSchema, nested)],
  });
  const md = new Metadata();
  md.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, status)));
  return md;
}

export const errors: CaseGroup = {
  name: "errors",
  services: everything,
  cases: [
    ...expectedHttp.map(([name, status]) => failing(name, status)),
    {
      name: "a code outside the table is 500, the code kept in the body",
      request: { method: "GET", path: "/v1/echo/e" },
      backend: () => {
        throw { code: 42, details: "odd" };
      },
      call: { method: "Everything.Echo" },
      response: { status: 500, json: { code: 42, message: "odd", details: [] } },
    },
    {
      name: "details from grpc-status-details-bin are rendered; unknown types as base64",
      request: { method: "GET", path: "/v1/echo/e" },
      backend: () => {
        throw { code: Code.INVALID_ARGUMENT, details: "bad", metadata: withDetails() };
      },
      call: { method: "Everything.Echo" },
      response: {
        status: 400,
        json: {
          code: 3,
          message: "bad",
          details: [
            // Unpopulated fields are emitted inside details too, as grpc-gateway marshals the status.
            {
              "@type": "type.googleapis.com/google.rpc.BadRequest",
              fieldViolations: [{ field: "name", description: "must not be empty", reason: "", localizedMessage: null }],
            },
            {
              "@type": "type.googleapis.com/testing.v1.Nested",
              value: Buffer.from(toBinary(NestedSchema, create(NestedSchema, { name: "custom", amount: 7 }))).toString("base64"),
            },
          ],
        },
      },
    },
  ],
};

export const errorsWithHooks: CaseGroup = {
  name: "errors through the hooks and a wider type registry",
  services: everything,
  options: {
    typeRegistry: (await import("@bufbuild/protobuf")).createRegistry(NestedSchema),
    errorHandler: (error, { res, writeDefault }) => {
      if (error.code !== Code.NOT_FOUND) return writeDefault();
      res.statusCode = 410;
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ gone: error.rawMessage }));
    },
    routingErrorHandler: (_error, { res }) => {
      res.statusCode = 418;
      res.end("teapot");
    },
    responseHook: ({ res, route }) => {
      if (route.httpMethod === "POST") res.statusCode = 201;
    },
  },
  cases: [
    {
      name: "the error hook answers in its own shape",
      request: { method: "GET", path: "/v1/echo/e" },
      backend: () => {
        throw { code: Code.NOT_FOUND, details: "no such thing" };
      },
      call: { method: "Everything.Echo" },
      response: { status: 410, json: { gone: "no such thing" } },
    },
    {
      name: "the error hook falls back to the default body",
      request: { method: "GET", path: "/v1/echo/e" },
      backend: () => {
        throw { code: Code.INVALID_ARGUMENT, details: "bad", metadata: withDetails() };
      },
      call: { method: "Everything.Echo" },
      response: {
        status: 400,
        json: {
          code: 3,
          message: "bad",
          details: [
            // Unpopulated fields are emitted inside details too, as grpc-gateway marshals the status.
            {
              "@type": "type.googleapis.com/google.rpc.BadRequest",
              fieldViolations: [{ field: "name", description: "must not be empty", reason: "", localizedMessage: null }],
            },
            { "@type": "type.googleapis.com/testing.v1.Nested", name: "custom", amount: 7, child: null, tags: [], color: "COLOR_UNSPECIFIED" },
          ],
        },
      },
    },
    {
      name: "the routing error hook answers 405s",
      request: { method: "PATCH", path: "/v1/echo/hello" },
      call: null,
      response: { status: 418, text: "teapot" },
    },
    {
      name: "the response hook sets 201 for POST",
      request: { method: "POST", path: "/v1/echo", headers: { "Content-Type": "application/json" }, body: "{}" },
      call: { method: "Everything.Echo" },
      response: { status: 201 },
    },
  ],
};
