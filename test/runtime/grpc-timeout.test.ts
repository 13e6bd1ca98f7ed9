import assert from "node:assert/strict";
import type { OutgoingHttpHeaders } from "node:http";
import { after, before, describe, test } from "node:test";
import { GatewayError } from "../../runtime/gateway-error.js";
import { deadlineFromRequest, parseGrpcTimeout } from "../../runtime/protocol/deadline.js";
import { get, startServer, type TestServer } from "./http-harness.js";

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.close());
describe("parseGrpcTimeout", () => {
  const units: [string, number][] = [
    ["1H", 3_600_000],
    ["2M", 120_000],
    ["3S", 3000],
    ["4m", 4],
    ["5000u", 5],
    ["7000000n", 7],
    ["99999999S", 99_999_999_000],
    ["0S", 0],
  ];
  for (const [value, ms] of units) {
    test(`${value} is ${ms} ms`, () => assert.equal(parseGrpcTimeout(value), ms));
  }

  test("sub-millisecond units stay fractional", () => {
    assert.ok(Math.abs(parseGrpcTimeout("5u") - 0.005) < 1e-12);
    assert.ok(Math.abs(parseGrpcTimeout("6n") - 0.000006) < 1e-15);
  });

  for (const value of ["", "S", "10", "10s", "10h", "123456789S", "-1S", "1.5S", " 1S", "1 S", "soon", "1SS"]) {
    test(`${JSON.stringify(value)} is INVALID_ARGUMENT naming the header and value`, () => {
      assert.throws(
        () => parseGrpcTimeout(value),
        (err: unknown) =>
          err instanceof GatewayError &&
          err.code === 3 &&
          err.message === `invalid Grpc-Timeout header ${JSON.stringify(value)}: want 1 to 8 digits and a unit (H, M, S, m, u or n)`,
      );
    });
  }
});

describe("deadlineFromRequest", () => {
  /** The deadline the server computed, as milliseconds from when it computed it, or the error. */
  async function remaining(headers: OutgoingHttpHeaders, defaultTimeoutMs?: number): Promise<number | null | string> {
    server.handle((req, res) => {
      try {
        const now = Date.now();
        const deadline = deadlineFromRequest(req, defaultTimeoutMs);
        res.end(JSON.stringify(deadline === undefined ? null : deadline.getTime() - now));
      } catch (err) {
        res.end(JSON.stringify(err instanceof GatewayError ? `${err.code}: ${err.message}` : String(err)));
      }
    });
    return JSON.parse((await get(server.port, "/", headers)).text) as number | null | string;
  }

  const near = (actual: number | null | string, expected: number) =>
    assert.ok(typeof actual === "number" && actual >= expected && actual <= expected + 50, `${actual} vs ${expected}`);

  test("Grpc-Timeout sets the deadline", async () => near(await remaining({ "Grpc-Timeout": "5S" }), 5000));
  test("the header wins over a longer default", async () => near(await remaining({ "Grpc-Timeout": "1S" }, 10_000), 1000));
  test("the header wins over a shorter default", async () => near(await remaining({ "Grpc-Timeout": "10S" }, 1000), 10_000));
  test("without the header the default applies", async () => near(await remaining({}, 2500), 2500));
  test("no header and no default: no deadline", async () => assert.equal(await remaining({}), null));
  test("a default of 0 means none", async () => assert.equal(await remaining({}, 0), null));
  test("an empty header counts as absent", async () => near(await remaining({ "Grpc-Timeout": "" }, 700), 700));
  test("a malformed header is INVALID_ARGUMENT", async () => {
    assert.equal(
      await remaining({ "Grpc-Timeout": "soon" }, 1000),
      '3: invalid Grpc-Timeout header "soon": want 1 to 8 digits and a unit (H, M, S, m, u or n)',
    );
  });
});
