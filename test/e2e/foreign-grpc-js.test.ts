// An app may hold two copies of @grpc/grpc-js (its own and the one the runtime resolves):
// the runtime recognises their objects by shape, never by `instanceof` its own classes.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { createGateway, fromClient, GatewayError, type Backend, type GatewayOptions } from "grpc-gateway-express/runtime";
import { BadRequestSchema } from "../../runtime/gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../runtime/gen/google/rpc/status_pb.js";
import { Everything } from "../gen/testing/v1/everything_pb.js";
import { registerEverythingGateway } from "../gen/testing/v1/everything_gateway.js";
import { send } from "../support/http-client.js";
import { startRecordingBackend, type RecordingBackend } from "../support/recording-backend.js";
import { loadSecondGrpcJs } from "../support/second-grpc-js.js";

const other = loadSecondGrpcJs();

describe("objects of another copy of grpc-js", () => {
  let backend: RecordingBackend;
  before(async () => (backend = await startRecordingBackend([Everything])));
  after(() => backend.close());

  /** Serves the Everything routes through `target`; returns the base URL and a stop function. */
  async function gatewayOver(target: Backend, options: GatewayOptions = {}): Promise<{ url: string; stop: () => Promise<void> }> {
    const gateway = createGateway(options);
    registerEverythingGateway(gateway, target);
    const server: Server = createServer(gateway);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      stop: () => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(() => resolve()));
      },
    };
  }

  test("the copies really are apart", () => {
    assert.notEqual(other.Client, grpc.Client);
    assert.ok(!(new other.Metadata() instanceof grpc.Metadata));
  });

  test("fromClient takes a Client of the other copy: metadata both ways, errors with their status", async () => {
    const client = new other.Client(backend.address, other.credentials.createInsecure());
    const { url, stop } = await gatewayOver(fromClient(client as unknown as grpc.Client));
    try {
      backend.handle(() => ({ reply: { stringValue: "back" }, headers: { "x-reply": "r1" } }));
      const ok = await send(url, { method: "GET", path: "/v1/echo/foreign", headers: { "Grpc-Metadata-X-Trace": "t1" } });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(JSON.parse(ok.text).stringValue, "back");
      assert.equal(ok.headers["grpc-metadata-x-reply"], "r1");
      assert.deepEqual(backend.calls.at(-1)!.metadata.get("x-trace"), ["t1"]);

      backend.handle(() => Promise.reject({ code: grpc.status.NOT_FOUND, details: "no such thing" }));
      const failed = await send(url, { method: "GET", path: "/v1/echo/missing" });
      assert.equal(failed.status, 404);
      assert.equal(JSON.parse(failed.text).message, "no such thing");
    } finally {
      await stop();
      client.close();
    }
  });

  test("fromClient takes a Channel of the other copy", async () => {
    const channel = new other.Channel(backend.address, other.credentials.createInsecure(), {});
    const { url, stop } = await gatewayOver(fromClient(channel as unknown as grpc.Channel));
    try {
      backend.handle((call) => ({ reply: call.request }));
      const res = await send(url, { method: "GET", path: "/v1/echo/via-foreign-channel" });
      assert.equal(res.status, 200, res.text);
      assert.equal(JSON.parse(res.text).stringValue, "via-foreign-channel");
    } finally {
      await stop();
      channel.close();
    }
  });

  test("fromClient takes any object that has a Client's getChannel()", async () => {
    const client = new other.Client(backend.address, other.credentials.createInsecure());
    const wrapper = { getChannel: () => client.getChannel() };
    const { url, stop } = await gatewayOver(fromClient(wrapper as unknown as grpc.Client));
    try {
      backend.handle((call) => ({ reply: call.request }));
      const res = await send(url, { method: "GET", path: "/v1/echo/wrapped" });
      assert.equal(res.status, 200, res.text);
      assert.equal(JSON.parse(res.text).stringValue, "wrapped");
    } finally {
      await stop();
      client.close();
    }
  });

  test("a Client of the runtime's own copy is called as it is, interceptors included", async () => {
    const seen: string[] = [];
    const interceptor: grpc.Interceptor = (options, nextCall) => {
      seen.push(options.method_definition.path);
      return new grpc.InterceptingCall(nextCall(options));
    };
    const client = new grpc.Client(backend.address, grpc.credentials.createInsecure(), { interceptors: [interceptor] });
    const target = fromClient(client);
    assert.equal(target.client, client);
    const { url, stop } = await gatewayOver(target);
    try {
      backend.handle((call) => ({ reply: call.request }));
      const res = await send(url, { method: "GET", path: "/v1/echo/intercepted" });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(seen, ["/testing.v1.Everything/Echo"]);
    } finally {
      await stop();
      client.close();
    }
  });

  test("a metadata annotator may return Metadata of the other copy", async () => {
    const client = new grpc.Client(backend.address, grpc.credentials.createInsecure());
    const extra = new other.Metadata();
    extra.add("x-annotated", "yes");
    extra.add("x-annotated-bin", Buffer.from([7]));
    const { url, stop } = await gatewayOver(fromClient(client), { metadataAnnotator: () => extra as unknown as grpc.Metadata });
    try {
      backend.handle((call) => ({ reply: call.request }));
      const res = await send(url, { method: "GET", path: "/v1/echo/annotated" });
      assert.equal(res.status, 200, res.text);
      const md = backend.calls.at(-1)!.metadata;
      assert.deepEqual(md.get("x-annotated"), ["yes"]);
      assert.deepEqual(md.get("x-annotated-bin"), [Buffer.from([7])]);
    } finally {
      await stop();
      client.close();
    }
  });

  test("a grpc status whose metadata is of the other copy is that status, details decoded", () => {
    const detail = anyPack(BadRequestSchema, create(BadRequestSchema, { fieldViolations: [{ field: "name", description: "empty" }] }));
    const metadata = new other.Metadata();
    metadata.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, create(StatusSchema, { code: 3, message: "bad name", details: [detail] }))));
    metadata.set("x-extra", "kept");
    const error = GatewayError.from({ code: grpc.status.INVALID_ARGUMENT, metadata });
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(error.rawMessage, "bad name");
    assert.equal(error.details.length, 1);
    assert.equal(error.details[0]!.typeUrl, "type.googleapis.com/google.rpc.BadRequest");
    // A status's metadata arrived with it: the trailers.
    assert.deepEqual(error.trailers.get("x-extra"), ["kept"]);
  });
});
