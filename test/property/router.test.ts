// Property tests of the router: any request path is a match, not-found, method-not-allowed
// or bad-path in every unescaping mode (never an exception), and a percent-encoded value
// matched by a variable decodes back to what was encoded.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { parsePathTemplate } from "../../runtime/routing/path-template.js";
import { createRouter, unescapingModes, type Router, type Unescaping } from "../../runtime/routing/router.js";

const templates = [
  ["GET", "/v1/things/{id}"],
  ["POST", "/v1/things/{id}:verify"],
  ["GET", "/v1/files/{path=**}"],
  ["GET", "/v1/{name=shelves/*/books/*}"],
  ["GET", "/v1/wild/*/{uuid}"],
  ["DELETE", "/v1/tail/{uuid}/**"],
  ["GET", "/"],
] as const;

function routerOf(unescaping: Unescaping): Router<string> {
  const router = createRouter<string>({ unescaping });
  for (const [method, template] of templates) router.add(method, parsePathTemplate(template), `${method} ${template}`);
  return router;
}

const routers = unescapingModes.map((mode) => [mode, routerOf(mode)] as const);
const pathChar = fc.constantFrom(
  ..."/abv1:.%-_~*{}?#=+",
  "%2F",
  "%2f",
  "%25",
  "%C3%A9",
  "%FF",
  "%E2%82",
  "%",
  "%4",
  "é",
  "things",
  "files",
  "shelves",
  "books",
  "\u0000",
);
const requestPath = fc.oneof(
  fc.array(pathChar, { maxLength: 25 }).map((cs) => `/${cs.join("")}`),
  fc.string({ unit: "grapheme" }),
  fc.webPath(),
);

/** A segment value that is neither empty nor `.`/`..` (dot segments are the client's to resolve). */
const segmentValue = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((s) => s !== "." && s !== "..");

describe("router: properties", () => {
  test("any path in any unescaping mode and any method gives a verdict, never an exception", () => {
    fc.assert(
      fc.property(requestPath, fc.constantFrom("GET", "POST", "DELETE", "PATCH", ""), (path, method) => {
        for (const [mode, router] of routers) {
          const match = router.match(method, path);
          assert.ok(["match", "not-found", "method-not-allowed", "bad-path"].includes(match.kind), `${mode} ${method} ${path}`);
          if (match.kind === "match") for (const value of Object.values(match.params)) assert.equal(typeof value, "string");
        }
      }),
      { numRuns: 1500 },
    );
  });

  test("a single-segment variable decodes a percent-encoded value back to itself", () => {
    const spec = routerOf("spec");
    fc.assert(
      fc.property(segmentValue, (value) => {
        const match = spec.match("GET", `/v1/things/${encodeURIComponent(value)}`);
        assert.equal(match.kind, "match", JSON.stringify(value));
        if (match.kind === "match") assert.deepEqual(match.params, { id: value });
      }),
      { numRuns: 1000 },
    );
  });

  test("a `**` variable decodes every escape but the reserved ones, which it keeps", () => {
    const spec = routerOf("spec");
    // RFC 6570 reserved characters: a multi-segment variable keeps them escaped, so `%2F` stays apart from `/`.
    const reserved = new Set(":/?#[]@!$&'()*+,;=");
    const keepReserved = (s: string) => Array.from(s, (c) => (reserved.has(c) ? encodeURIComponent(c) : c)).join("");
    fc.assert(
      fc.property(fc.array(segmentValue, { minLength: 1, maxLength: 4 }), (segments) => {
        const match = spec.match("GET", `/v1/files/${segments.map(encodeURIComponent).join("/")}`);
        assert.equal(match.kind, "match", JSON.stringify(segments));
        if (match.kind === "match") assert.equal(match.params.path, segments.map(keepReserved).join("/"));
      }),
      { numRuns: 1000 },
    );
  });
});
