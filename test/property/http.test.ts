// Property tests through a real Express app, gateway and grpc-js backend (which echoes every
// request and never fails): generated paths, queries, JSON bodies and headers always get an
// answer, never a 5xx (the backend caused none), a 4xx is the status JSON with a message, and
// a message sent as JSON comes back as the same message.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create, equals, fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import fc from "fast-check";
import { EverythingRoutes } from "../gen/testing/v1/everything_gateway.js";
import { Color, Everything, ScalarsSchema } from "../gen/testing/v1/everything_pb.js";
import { startHarness, type Harness } from "../support/gateway-harness.js";
import { send, type HttpRequest, type HttpResult } from "../support/http-client.js";

const runs = 150;

let h: Harness;
before(async () => {
  h = await startHarness([{ service: Everything, routes: EverythingRoutes }]);
});
after(() => h.close());

/** One request, failing the property when no answer comes within 5 s. */
async function exchange(req: HttpRequest): Promise<HttpResult> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer to ${req.method} ${req.path}`)), 5000)));
  try {
    return await Promise.race([send(h.baseUrl, req), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** No 5xx, and a gateway 4xx is a status body with a message and no stack trace. */
function assertClientSide(res: HttpResult, what: string): void {
  assert.ok(res.status < 500, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
  if (res.status >= 400 && res.text !== "" && /^application\/json/.test(String(res.headers["content-type"]))) {
    const body = JSON.parse(res.text) as { code: number; message: string };
    assert.ok(body.code > 0 && body.message.length > 0, `${what}: ${res.text.slice(0, 300)}`);
    assert.ok(!/\bat .*\.(?:ts|js):\d+/.test(body.message), `${what}: stack trace in ${body.message}`);
  }
}

const pathPiece = fc.constantFrom(
  ..."/abc1-._~!$&'()*+,;=:@",
  "%2F",
  "%25",
  "%C3%A9",
  "%FF",
  "%zz",
  "%",
  "v1",
  "echo",
  "files",
  "shelves",
  "books",
  "nested",
  "tail",
  "wild",
  ":verify",
  ":lookup",
);
const queryPiece = fc.constantFrom(
  ..."&=+%[].",
  "%ZZ",
  "%C3%A9",
  "string_value",
  "int32_value",
  "repeated_string",
  "labels[k]",
  "nested.name",
  "color",
  "x",
  "1",
  "NaN",
  "true",
  "é",
);

const unitMs: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/** Whether `value` is a well-formed Grpc-Timeout of at most a second. */
function shortTimeout(value: string): boolean {
  const m = /^(\d{1,8})([HMSmun])$/.exec(value);
  return m !== null && Number(m[1]) * unitMs[m[2]!]! <= 1000;
}

describe("the gateway over generated requests: properties", { timeout: 120_000 }, () => {
  test("any path and query gets an answer, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(pathPiece, { maxLength: 12 }),
        fc.array(queryPiece, { maxLength: 10 }),
        fc.constantFrom("GET", "POST", "DELETE", "PATCH", "PUT", "HEAD"),
        async (path, query, method) => {
          const target = `/v1/${path.join("")}${query.length > 0 ? `?${query.join("")}` : ""}`;
          const res = await exchange({ method, path: target.replace(/[^\x21-\x7e]/g, encodeURIComponent) });
          assertClientSide(res, `${method} ${target}`);
        },
      ),
      { numRuns: runs },
    );
  });

  test("any JSON body is 200 or 400, never a 5xx", async () => {
    const body = fc.oneof(
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify({ stringValue: "x", unknownField: v })),
      fc
        .dictionary(
          fc.constantFrom("stringValue", "int32Value", "int64Value", "repeatedString", "labels", "nested", "color", "timestamp", "structValue", "bytesValue"),
          fc.jsonValue(),
        )
        .map((o) => JSON.stringify(o)),
      fc.string({ unit: "binary" }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const res = await exchange({ method: "POST", path: "/v1/echo", headers: { "Content-Type": "application/json" }, body: text });
        assert.ok(res.status === 200 || res.status === 400, `${text.slice(0, 200)}: ${res.status} ${res.text.slice(0, 300)}`);
        assertClientSide(res, text.slice(0, 200));
      }),
      { numRuns: runs },
    );
  });

  test("a message sent as JSON comes back as the same message", async () => {
    const text = fc.string({ unit: "grapheme", maxLength: 12 });
    const message = fc.record({
      stringValue: text,
      int32Value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      int64Value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      uint64Value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      boolValue: fc.boolean(),
      doubleValue: fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0)), // JSON.stringify writes -0 as 0; NaN equals nothing
      bytesValue: fc.uint8Array({ maxLength: 8 }),
      color: fc.constantFrom(Color.UNSPECIFIED, Color.RED, Color.GREEN),
      repeatedString: fc.array(text, { maxLength: 3 }),
      labels: fc.dictionary(text, text, { maxKeys: 3 }),
      nested: fc.record({ name: text }),
    });
    await fc.assert(
      fc.asyncProperty(message, async (init) => {
        const sent = create(ScalarsSchema, init);
        const res = await exchange({
          method: "POST",
          path: "/v1/echo",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(toJson(ScalarsSchema, sent)),
        });
        assert.equal(res.status, 200, res.text.slice(0, 300));
        const back = fromJson(ScalarsSchema, JSON.parse(res.text) as JsonValue);
        assert.ok(equals(ScalarsSchema, back, sent), res.text.slice(0, 300));
      }),
      { numRuns: runs },
    );
  });

  test("any headers map to metadata or a 400, never a 5xx", async () => {
    // Names node's client would refuse, or that frame the request, are left out.
    const framing = new Set(["content-length", "transfer-encoding", "host", "connection", "expect", "upgrade", "te", "trailer", "keep-alive", "content-type"]);
    const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
    const name = fc.oneof(
      token,
      token.map((t) => `Grpc-Metadata-${t}`),
      token.map((t) => `Grpc-Metadata-${t}-Bin`),
      fc.constantFrom("Authorization", "X-Forwarded-For", "X-Forwarded-Host", "Grpc-Timeout", "Cookie", "Accept", "User-Agent", "Grpc-Metadata-Grpc-Status"),
    );
    const value = fc.stringMatching(/^[\t\x20-\x7e\x80-\xff]{0,40}$/).map((v) => v.trim());
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 8 }), async (pairs) => {
        const headers: Record<string, string[]> = Object.create(null);
        for (const [n, v] of pairs) if (!framing.has(n.toLowerCase())) (headers[n] ??= []).push(v);
        const res = await exchange({ method: "GET", path: "/v1/echo/a", headers });
        // One valid Grpc-Timeout of a second or less (1n, 5u, 3m) may expire before the reply: the 504 the client asked for.
        const timeouts = Object.entries(headers).flatMap(([n, v]) => (n.toLowerCase() === "grpc-timeout" ? v : []));
        const asksDeadline = timeouts.length === 1 && shortTimeout(timeouts[0]!);
        if (asksDeadline && res.status === 504) assert.equal(JSON.parse(res.text).code, 4, res.text);
        else assert.ok(res.status === 200 || res.status === 400, `${JSON.stringify(headers)}: ${res.status} ${res.text.slice(0, 300)}`);
        if (res.status !== 504) assertClientSide(res, JSON.stringify(headers));
      }),
      // The deadline case always, not only when the generator happens on it.
      {
        numRuns: runs,
        examples: [
          [[["Grpc-Timeout", "1n"]]],
          [
            [
              ["Authorization", ""],
              ["Authorization", ""],
            ],
          ],
        ],
      },
    );
  });
});
