// The unescaping modes of grpc-gateway's WithUnescapingMode (runtime/mux.go, pattern.go),
// plus the spec default, one table per request: what each mode binds, or null for no match.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parsePathTemplate } from "../../runtime/routing/path-template.js";
import { createRouter, type Unescaping } from "../../runtime/routing/router.js";

const modes: Unescaping[] = ["spec", "legacy", "all-except-reserved", "all-except-slash", "all-characters"];

const routes = [
  ["GET", "/v1/{name}"],
  ["GET", "/v2/{name=**}"],
  ["GET", "/v3/{name=shelves/*}"],
  ["GET", "/v4/{name=files/**}"],
  ["POST", "/v5/{name}:run"],
] as const;

function bound(mode: Unescaping, method: string, path: string): string | null {
  const router = createRouter<string>({ unescaping: mode });
  for (const [m, template] of routes) router.add(m, parsePathTemplate(template), template);
  const match = router.match(method, path);
  return match.kind === "match" ? (match.params["name"] ?? "") : null;
}

type Row = [request: string, expected: Record<Unescaping, string | null>];

const rows: Row[] = [
  // A single-segment variable is fully decoded in every mode but legacy, where %2F has split the path,
  // and all-characters, which splits on %2F (upper case only, as grpc-gateway's encodedPathSplitter).
  ["GET /v1/a%2Fb", { spec: "a/b", legacy: null, "all-except-reserved": "a/b", "all-except-slash": "a/b", "all-characters": null }],
  ["GET /v1/a%2fb", { spec: "a/b", legacy: null, "all-except-reserved": "a/b", "all-except-slash": "a/b", "all-characters": "a/b" }],
  ["GET /v1/a%3Ab%20c%25", { spec: "a:b c%", legacy: "a:b c%", "all-except-reserved": "a:b c%", "all-except-slash": "a:b c%", "all-characters": "a:b c%" }],
  // `**` keeps what its mode keeps escaped, in the case it was sent.
  [
    "GET /v2/a%2fb%3Ac%20d/e",
    { spec: "a%2fb%3Ac d/e", legacy: "a/b:c d/e", "all-except-reserved": "a%2fb%3Ac d/e", "all-except-slash": "a%2fb:c d/e", "all-characters": "a/b:c d/e" },
  ],
  ["GET /v2/a%2Fb", { spec: "a%2Fb", legacy: "a/b", "all-except-reserved": "a%2Fb", "all-except-slash": "a%2Fb", "all-characters": "a/b" }],
  // `{name=shelves/*}`: grpc-gateway decodes each `*` fully; the spec counts it multi-segment.
  [
    "GET /v3/shelves/a%3Ab",
    { spec: "shelves/a%3Ab", legacy: "shelves/a:b", "all-except-reserved": "shelves/a:b", "all-except-slash": "shelves/a:b", "all-characters": "shelves/a:b" },
  ],
  [
    "GET /v3/shelves/a%2Fb",
    { spec: "shelves/a%2Fb", legacy: null, "all-except-reserved": "shelves/a/b", "all-except-slash": "shelves/a/b", "all-characters": null },
  ],
  // `files/**` matching no segment: grpc-gateway joins "files" and "" with a slash.
  ["GET /v4/files", { spec: "files", legacy: "files/", "all-except-reserved": "files/", "all-except-slash": "files/", "all-characters": "files/" }],
  [
    "GET /v4/files/x%2Fy",
    { spec: "files/x%2Fy", legacy: "files/x/y", "all-except-reserved": "files/x%2Fy", "all-except-slash": "files/x%2Fy", "all-characters": "files/x/y" },
  ],
  // An escaped colon splits off a verb only where the whole path was decoded first.
  ["POST /v5/a%3Arun", { spec: null, legacy: "a", "all-except-reserved": null, "all-except-slash": null, "all-characters": null }],
  ["POST /v5/a%20b:run", { spec: "a b", legacy: "a b", "all-except-reserved": "a b", "all-except-slash": "a b", "all-characters": "a b" }],
];

describe("router: unescaping modes", () => {
  for (const [request, expected] of rows) {
    const [method, path] = request.split(" ") as [string, string];
    test(request, () => {
      const actual = Object.fromEntries(modes.map((mode) => [mode, bound(mode, method, path)]));
      assert.deepEqual(actual, expected);
    });
  }

  test("a malformed escape is a bad path in every mode", () => {
    for (const mode of modes) {
      const router = createRouter<string>({ unescaping: mode });
      router.add("GET", parsePathTemplate("/v1/{name}"), "r");
      assert.equal(router.match("GET", "/v1/a%zz").kind, "bad-path", mode);
    }
  });
});
