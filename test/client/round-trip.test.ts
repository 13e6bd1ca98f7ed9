// The client's requests, bound by a real gateway, reach a real gRPC backend as the very
// message the client was given; the echoed reply decodes back to it. One property per
// binding of Echo, so every path shape (`**`, `:verb`, anonymous wildcards, field and
// whole bodies, custom methods) is covered, through the same code the generated client runs.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create, equals, toJsonString } from "@bufbuild/protobuf";
import fc from "fast-check";
import { createClientMethods, RequestEncodingError, type ClientRoute } from "grpc-gateway-express/client";
import { Everything, NestedSchema, ScalarsSchema } from "../gen/testing/v1/everything_pb.js";
import { EverythingRoutes } from "../gen/testing/v1/everything_gateway.js";
import { createEverythingClient } from "../gen/testing/v1/everything_client.js";
import { startHarness, type Harness } from "../support/gateway-harness.js";
import { scalars } from "./scalars-arbitrary.js";

let harness: Harness;
before(async () => {
  harness = await startHarness([{ service: Everything, routes: EverythingRoutes }]);
});
after(() => harness.close());

const segment = fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 });
// What a multi-segment variable can carry: segments of pchars and non-ASCII text, never `?#[]`.
const pathSegment = segment.filter((s) => !/[?#[\]/]/.test(s) && s !== "." && s !== "..");
const singleSegment = segment.filter((s) => s !== "." && s !== "..");

/** The bindings of Echo, each with what its path variables must hold to match the route. */
const echoBindings: { route: ClientRoute; fix: fc.Arbitrary<Record<string, unknown>>; query: boolean }[] = EverythingRoutes.filter(
  (r) => r.method === Everything.method.echo,
).flatMap((r) => {
  const route: ClientRoute = { httpMethod: r.httpMethod, path: r.path, ...(r.body !== undefined ? { body: r.body } : {}) };
  const query = r.body !== "*";
  switch (r.path) {
    case "/v1/echo/{string_value}":
    case "/v1/echo/{string_value}/nested":
      return [{ route, query, fix: fc.record({ stringValue: singleSegment }) }];
    case "/v1/echo/{nested.name}/{nested.child.name}":
      return [
        {
          route,
          query,
          fix: fc.record({ nested: fc.tuple(singleSegment, singleSegment).map(([name, child]) => create(NestedSchema, { name, child: { name: child } })) }),
        },
      ];
    case "/v1/files/{string_value=**}":
      return [{ route, query, fix: fc.record({ stringValue: fc.array(pathSegment, { minLength: 1, maxLength: 3 }).map((s) => s.join("/")) }) }];
    case "/v1/{string_value=shelves/*/books/*}":
      return [{ route, query, fix: fc.record({ stringValue: fc.tuple(pathSegment, pathSegment).map(([s, b]) => `shelves/${s}/books/${b}`) }) }];
    case "/v1/lists/{repeated_string}/{repeated_color}":
      // A repeated variable is one list per segment, split on `,`: its elements cannot hold one.
      return [
        {
          route,
          query,
          fix: fc.record({
            repeatedString: fc.array(
              singleSegment.filter((s) => !s.includes(",")),
              { minLength: 1, maxLength: 3 },
            ),
            repeatedColor: fc.array(fc.constantFrom(1, 2), { minLength: 1, maxLength: 3 }),
          }),
        },
      ];
    default:
      // The rest bind `uuid` from one segment, or nothing.
      return [{ route, query, fix: r.path.includes("{uuid}") ? fc.record({ uuid: singleSegment }) : fc.constant({}) }];
  }
});

describe("client requests bind to the message they were made from", () => {
  const methods = () => createClientMethods({ baseUrl: harness.baseUrl });
  for (const { route, fix, query } of echoBindings) {
    test(`${route.httpMethod} ${route.path}${route.body !== undefined ? ` body ${route.body}` : ""}`, async () => {
      const echo = methods().unary(Everything.method.echo, route);
      await fc.assert(
        fc.asyncProperty(scalars({ query }), fix, async (init, fixed) => {
          const sent = create(ScalarsSchema, { ...init, ...fixed });
          const before = harness.backend.calls.length;
          const reply = await echo(sent);
          const received = harness.backend.calls[before]!.request;
          assert.ok(equals(ScalarsSchema, received as typeof sent, sent), `backend received ${toJsonString(ScalarsSchema, received as typeof sent)}`);
          assert.ok(equals(ScalarsSchema, reply, sent), `reply decoded as ${toJsonString(ScalarsSchema, reply)}`);
        }),
        { numRuns: 60 },
      );
    });
  }

  test("the generated client calls the primary binding", async () => {
    const client = createEverythingClient({ baseUrl: harness.baseUrl });
    const before = harness.backend.calls.length;
    const reply = await client.echo({ stringValue: "a b/c", int64Value: 5n, labels: { k: "v" } });
    assert.equal(reply.stringValue, "a b/c");
    assert.equal(reply.int64Value, 5n);
    assert.deepEqual(harness.backend.calls[before]!.request, create(ScalarsSchema, { stringValue: "a b/c", int64Value: 5n, labels: { k: "v" } }));
  });

  test("a value the URL cannot carry is refused before anything is sent", async () => {
    const client = createEverythingClient({ baseUrl: harness.baseUrl });
    const before = harness.backend.calls.length;
    await assert.rejects(client.echo({ stringValue: "x", repeatedNested: [{ name: "n" }] }), RequestEncodingError);
    const files = methods().unary(Everything.method.echo, { httpMethod: "GET", path: "/v1/files/{string_value=**}" });
    await assert.rejects(files({ stringValue: "a?b" }), /"\?" cannot be sent in a multi-segment variable/);
    await assert.rejects(client.echo({ stringValue: "x", labels: { "a[b": "v" } }), /the map key "a\[b" holds "\["/);
    assert.equal(harness.backend.calls.length, before);
  });
});
