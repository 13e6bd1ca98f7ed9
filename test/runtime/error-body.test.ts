import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { after, before, describe, test } from "node:test";
import { create, createRegistry, toBinary, type DescMessage } from "@bufbuild/protobuf";
import { anyPack, DurationSchema, type Any } from "@bufbuild/protobuf/wkt";
import { Metadata, status as Code } from "@grpc/grpc-js";
import { defaultTypeRegistry, errorBodyFromError, httpStatusFromError } from "../../runtime/protocol/error-body.js";
import { writeError, type WriteErrorOptions } from "../../runtime/protocol-http/error-response.js";
import { GatewayError } from "../../runtime/gateway-error.js";
import { BadRequestSchema, file_google_rpc_error_details } from "../../runtime/gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../runtime/gen/google/rpc/status_pb.js";
import { get, rawValues, startServer, type TestServer } from "./http-harness.js";

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.close());

/** Answers the next request with `writeError`, after `prepare` if given. */
function failWith(err: GatewayError, options?: WriteErrorOptions, prepare?: (res: ServerResponse) => void) {
  server.handle((_req, res) => {
    prepare?.(res);
    writeError(res, err, options);
  });
  return get(server.port, "/");
}

const badRequest = create(BadRequestSchema, { fieldViolations: [{ field: "name", description: "must not be empty" }] });
const badRequestJson = { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: "name", description: "must not be empty" }] };
const duration = create(DurationSchema, { seconds: 1n, nanos: 500_000_000 });
const durationAny: Any = anyPack(DurationSchema, duration);
const durationBase64 = Buffer.from(toBinary(DurationSchema, duration)).toString("base64");

describe("status mapping", () => {
  const table: [keyof typeof Code, number][] = [
    ["OK", 200],
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
  for (const [name, status] of table) {
    test(`${name} is HTTP ${status}`, async () => {
      const reply = await failWith(new GatewayError(Code[name], `says ${name}`));
      assert.equal(reply.status, status);
      assert.deepEqual(JSON.parse(reply.text), { code: Code[name], message: `says ${name}`, details: [] });
    });
  }

  test("an unknown code (99) is HTTP 500 and keeps its number in the body", async () => {
    const reply = await failWith(new GatewayError(99, "odd"));
    assert.equal(reply.status, 500);
    assert.deepEqual(JSON.parse(reply.text), { code: 99, message: "odd", details: [] });
  });

  test("an httpStatus override wins; an impossible one falls back to the code", () => {
    assert.equal(httpStatusFromError(new GatewayError(Code.UNIMPLEMENTED, "", { httpStatus: 405 })), 405);
    assert.equal(httpStatusFromError(new GatewayError(Code.NOT_FOUND, "", { httpStatus: 42 })), 404);
    assert.equal(httpStatusFromError(new GatewayError(Code.NOT_FOUND, "", { httpStatus: 404.5 })), 404);
  });
});

describe("errorBodyFromError", () => {
  test("renders a known detail as proto3 JSON with @type", () => {
    const err = new GatewayError(Code.INVALID_ARGUMENT, "bad", { details: [anyPack(BadRequestSchema, badRequest)] });
    assert.deepEqual(errorBodyFromError(err), { code: 3, message: "bad", details: [badRequestJson] });
  });

  test("renders an unknown type as @type plus base64 value instead of failing", () => {
    const secret: Any = { ...durationAny, typeUrl: "type.googleapis.com/acme.v1.Secret" };
    const err = new GatewayError(Code.INTERNAL, "x", { details: [secret, anyPack(BadRequestSchema, badRequest)] });
    assert.deepEqual(errorBodyFromError(err).details, [{ "@type": "type.googleapis.com/acme.v1.Secret", value: durationBase64 }, badRequestJson]);
  });

  test("renders well-known types without registering them, whatever the registry", () => {
    const err = new GatewayError(Code.INTERNAL, "x", { details: [durationAny] });
    const expected = [{ "@type": "type.googleapis.com/google.protobuf.Duration", value: "1.500s" }];
    assert.deepEqual(errorBodyFromError(err).details, expected);
    assert.deepEqual(errorBodyFromError(err, { registry: createRegistry(BadRequestSchema) }).details, expected);
  });

  test("bytes that do not decode as their type fall back to base64 too", () => {
    const broken: Any = { ...anyPack(BadRequestSchema, badRequest), value: new Uint8Array([0xff, 0xff, 0xff]) };
    assert.deepEqual(errorBodyFromError(new GatewayError(Code.INTERNAL, "x", { details: [broken] })).details, [
      { "@type": "type.googleapis.com/google.rpc.BadRequest", value: "////" },
    ]);
  });

  test("a user registry renders the types it adds", () => {
    const registry = createRegistry(defaultTypeRegistry, DurationSchema);
    const err = new GatewayError(Code.INTERNAL, "x", { details: [durationAny] });
    assert.deepEqual(errorBodyFromError(err, { registry }).details, [{ "@type": "type.googleapis.com/google.protobuf.Duration", value: "1.500s" }]);
  });

  test("details put @type first and, with alwaysEmitImplicit, carry their unpopulated fields", () => {
    const err = new GatewayError(Code.INVALID_ARGUMENT, "bad", { details: [anyPack(BadRequestSchema, badRequest)] });
    const [detail] = errorBodyFromError(err, { json: { alwaysEmitImplicit: true } }).details as Record<string, unknown>[];
    assert.deepEqual(Object.keys(detail!), ["@type", "fieldViolations"]);
    assert.deepEqual(detail!.fieldViolations, [{ field: "name", description: "must not be empty", reason: "", localizedMessage: null }]);
  });

  test("the marshaler's JSON options apply to details", () => {
    const err = new GatewayError(Code.INVALID_ARGUMENT, "bad", { details: [anyPack(BadRequestSchema, badRequest)] });
    assert.deepEqual(errorBodyFromError(err, { json: { useProtoFieldName: true } }).details, [
      { "@type": "type.googleapis.com/google.rpc.BadRequest", field_violations: [{ field: "name", description: "must not be empty" }] },
    ]);
  });

  test("details decoded from grpc-status-details-bin are rendered", () => {
    const status = create(StatusSchema, { code: 3, message: "bad", details: [anyPack(BadRequestSchema, badRequest)] });
    const metadata = new Metadata();
    metadata.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, status)));
    const err = GatewayError.from({ code: 3, details: "bad", metadata });
    assert.deepEqual(errorBodyFromError(err), { code: 3, message: "bad", details: [badRequestJson] });
  });

  test("defaultTypeRegistry holds google.rpc.Status and every error_details message", () => {
    const names: string[] = ["google.rpc.Status"];
    const collect = (messages: readonly DescMessage[]) => {
      for (const m of messages) {
        names.push(m.typeName);
        collect(m.nestedMessages);
      }
    };
    collect(file_google_rpc_error_details.messages);
    assert.ok(names.includes("google.rpc.RetryInfo") && names.includes("google.rpc.BadRequest.FieldViolation"));
    for (const name of names) assert.ok(defaultTypeRegistry.getMessage(name), name);
  });
});

describe("writeError", () => {
  test("writes application/json with an exact Content-Length", async () => {
    const reply = await failWith(new GatewayError(Code.NOT_FOUND, "caf\u00e9 not found"));
    assert.equal(reply.headers["content-type"], "application/json");
    assert.equal(Number(reply.headers["content-length"]), Buffer.byteLength(reply.text));
    assert.equal(JSON.parse(reply.text).message, "caf\u00e9 not found");
  });

  test("UNAUTHENTICATED sends WWW-Authenticate with the status message", async () => {
    const reply = await failWith(new GatewayError(Code.UNAUTHENTICATED, "token expired"));
    assert.equal(reply.status, 401);
    assert.equal(reply.headers["www-authenticate"], "token expired");
  });

  test("WWW-Authenticate is sent even for an empty message", async () => {
    assert.equal((await failWith(new GatewayError(Code.UNAUTHENTICATED, ""))).headers["www-authenticate"], "");
  });

  test("WWW-Authenticate survives line breaks and non-ASCII in the message", async () => {
    const reply = await failWith(new GatewayError(Code.UNAUTHENTICATED, "bad\r\ntoken \u00e9\u2713"));
    const value = reply.headers["www-authenticate"] as string;
    assert.equal(Buffer.from(value, "latin1").toString("utf8"), "bad  token \u00e9\u2713");
  });

  test("the error's own WWW-Authenticate replaces the message", async () => {
    const err = new GatewayError(Code.UNAUTHENTICATED, "no", { headers: { "WWW-Authenticate": 'Bearer realm="api"' } });
    assert.deepEqual(rawValues((await failWith(err)).rawHeaders, "www-authenticate"), ['Bearer realm="api"']);
  });

  test("other codes send no WWW-Authenticate", async () => {
    assert.equal((await failWith(new GatewayError(Code.PERMISSION_DENIED, "no"))).headers["www-authenticate"], undefined);
  });

  test("the error's headers are added; ones node refuses are skipped", async () => {
    const err = new GatewayError(Code.UNIMPLEMENTED, "method not allowed", {
      httpStatus: 405,
      headers: { Allow: "GET, POST", "Bad Name": "x", "X-Bad-Value": "a\nb" },
    });
    const reply = await failWith(err);
    assert.equal(reply.status, 405);
    assert.equal(reply.headers["allow"], "GET, POST");
    assert.equal(reply.headers["x-bad-value"], undefined);
  });

  test("the error's metadata goes out as Grpc-Metadata-*, minus the status details", async () => {
    const metadata = new Metadata();
    metadata.set("x-request-id", "r1");
    metadata.set("grpc-status-details-bin", Buffer.from([1]));
    const reply = await failWith(new GatewayError(Code.ABORTED, "x", { metadata }));
    assert.equal(reply.headers["grpc-metadata-x-request-id"], "r1");
    assert.equal(reply.headers["grpc-metadata-grpc-status-details-bin"], undefined);
    const custom = await failWith(new GatewayError(Code.ABORTED, "x", { metadata }), { headerMatcher: (k) => `X-Md-${k}` });
    assert.equal(custom.headers["x-md-x-request-id"], "r1");
  });

  test("leftovers of a half-prepared success reply are removed", async () => {
    const reply = await failWith(new GatewayError(Code.INTERNAL, "late"), {}, (res) => {
      res.setHeader("Trailer", "Grpc-Trailer-X");
      res.setHeader("Content-Length", 999);
      res.statusCode = 201;
    });
    assert.equal(reply.status, 500);
    assert.equal(reply.headers["trailer"], undefined);
    assert.equal(reply.headers["transfer-encoding"], undefined);
    assert.deepEqual(JSON.parse(reply.text), { code: 13, message: "late", details: [] });
  });

  test("once headers are sent the response is destroyed, not thrown over", async () => {
    let threw: unknown;
    server.handle((_req, res) => {
      res.write("partial");
      try {
        writeError(res, new GatewayError(Code.INTERNAL, "too late"));
      } catch (err) {
        threw = err;
      }
    });
    await assert.rejects(get(server.port, "/"));
    assert.equal(threw, undefined);
  });

  test("a response already ended is left alone", async () => {
    server.handle((_req, res) => {
      res.end("done");
      writeError(res, new GatewayError(Code.INTERNAL, "after the end"));
    });
    const reply = await get(server.port, "/");
    assert.equal(reply.status, 200);
    assert.equal(reply.text, "done");
  });
});
