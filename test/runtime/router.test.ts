import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parsePathTemplate } from "../../runtime/routing/path-template.js";
import { createRouter, type RouteMatch, type Router, type RouterOptions } from "../../runtime/routing/router.js";

type Route = [method: string, template: string];

// Each route's value is "METHOD template", so a match names the route that won.
function routerOf(routes: Route[], options?: RouterOptions): Router<string> {
  const router = createRouter<string>(options);
  for (const [method, template] of routes) router.add(method, parsePathTemplate(template), `${method} ${template}`);
  return router;
}

function assertMatch(match: RouteMatch<string>, value: string, params: Record<string, string> = {}): void {
  assert.equal(match.kind, "match", JSON.stringify(match));
  if (match.kind !== "match") return;
  assert.equal(match.value, value);
  assert.deepEqual(match.params, params);
}

const notFound = { kind: "not-found" };
const badEscape = (sequence: string) => ({ kind: "bad-path", message: `malformed percent-escape "${sequence}" in the path` });
const notUtf8 = { kind: "bad-path", message: "percent-escapes in the path are not valid UTF-8" };

describe("router: the http.proto examples", () => {
  test("/v1/{name=messages/*}", () => {
    const r = routerOf([["GET", "/v1/{name=messages/*}"]]);
    assertMatch(r.match("GET", "/v1/messages/123456"), "GET /v1/{name=messages/*}", { name: "messages/123456" });
    assert.deepEqual(r.match("GET", "/v1/letters/123456"), notFound);
  });

  test("/v1/messages/{message_id}", () => {
    const r = routerOf([["GET", "/v1/messages/{message_id}"]]);
    assertMatch(r.match("GET", "/v1/messages/123456"), "GET /v1/messages/{message_id}", { message_id: "123456" });
  });

  test("/v1/messages/{message_id}/{sub.subfield}", () => {
    const r = routerOf([["GET", "/v1/messages/{message_id}/{sub.subfield}"]]);
    assertMatch(r.match("GET", "/v1/messages/123456/foo"), "GET /v1/messages/{message_id}/{sub.subfield}", {
      message_id: "123456",
      "sub.subfield": "foo",
    });
  });

  test("/v1/users/{user_id}/messages/{message_id}", () => {
    const r = routerOf([["GET", "/v1/users/{user_id}/messages/{message_id}"]]);
    assertMatch(r.match("GET", "/v1/users/me/messages/123456"), "GET /v1/users/{user_id}/messages/{message_id}", {
      user_id: "me",
      message_id: "123456",
    });
  });

  test("/v1/{name=projects/*/locations/*}/resource/{resource_path=**}", () => {
    const template = "/v1/{name=projects/*/locations/*}/resource/{resource_path=**}";
    const r = routerOf([["GET", template]]);
    assertMatch(r.match("GET", "/v1/projects/p1/locations/l1/resource/a/b/c"), `GET ${template}`, {
      name: "projects/p1/locations/l1",
      resource_path: "a/b/c",
    });
    assert.deepEqual(r.match("GET", "/v1/projects/p1/zones/l1/resource/a"), notFound);
  });
});

describe("router: specificity, not registration order", () => {
  const both = (routes: Route[]) => [routerOf(routes), routerOf([...routes].reverse())];

  test("a literal beats a variable at the first segment where they differ", () => {
    for (const r of both([
      ["GET", "/v1/{a}/x"],
      ["GET", "/v1/lit/{b}"],
    ])) {
      assertMatch(r.match("GET", "/v1/lit/x"), "GET /v1/lit/{b}", { b: "x" });
      assertMatch(r.match("GET", "/v1/lit/y"), "GET /v1/lit/{b}", { b: "y" });
      assertMatch(r.match("GET", "/v1/other/x"), "GET /v1/{a}/x", { a: "other" });
    }
  });

  test("backtracks out of a literal branch that leads nowhere", () => {
    for (const r of both([
      ["GET", "/v1/a/b/d"],
      ["GET", "/v1/{x}/b/c"],
      ["GET", "/v1/**"],
    ])) {
      assertMatch(r.match("GET", "/v1/a/b/c"), "GET /v1/{x}/b/c", { x: "a" });
      assertMatch(r.match("GET", "/v1/a/b/d"), "GET /v1/a/b/d");
      assertMatch(r.match("GET", "/v1/a/b/e"), "GET /v1/**");
      assertMatch(r.match("GET", "/v1/a/c"), "GET /v1/**");
    }
  });

  test("a single segment beats **", () => {
    for (const r of both([
      ["GET", "/v1/{a}"],
      ["GET", "/v1/{p=**}"],
    ])) {
      assertMatch(r.match("GET", "/v1/x"), "GET /v1/{a}", { a: "x" });
      assertMatch(r.match("GET", "/v1/x/y"), "GET /v1/{p=**}", { p: "x/y" });
    }
  });

  test("a template ending at the last segment beats ** matching nothing", () => {
    for (const r of both([
      ["GET", "/v1/files"],
      ["GET", "/v1/files/{p=**}"],
    ])) {
      assertMatch(r.match("GET", "/v1/files"), "GET /v1/files");
      assertMatch(r.match("GET", "/v1/files/a"), "GET /v1/files/{p=**}", { p: "a" });
    }
  });

  test("the most specific route for the request's method wins", () => {
    for (const r of both([
      ["GET", "/v1/{a}/x"],
      ["POST", "/v1/lit/{b}"],
    ])) {
      assertMatch(r.match("GET", "/v1/lit/x"), "GET /v1/{a}/x", { a: "lit" });
      assertMatch(r.match("POST", "/v1/lit/x"), "POST /v1/lit/{b}", { b: "x" });
    }
  });

  test("Envoy's wildcard cases", () => {
    const routes: Route[] = [
      ["GET", "/a/**"],
      ["GET", "/b/*"],
      ["GET", "/c/*/d/**"],
      ["GET", "/c/*/d/e"],
      ["GET", "/c/f/d/e"],
      ["GET", "/"],
    ];
    for (const r of both(routes)) {
      assertMatch(r.match("GET", "/a/b/c"), "GET /a/**");
      assertMatch(r.match("GET", "/b/c"), "GET /b/*");
      assertMatch(r.match("GET", "/c/v/d/w/x"), "GET /c/*/d/**");
      assertMatch(r.match("GET", "/c/x/d/e"), "GET /c/*/d/e");
      assertMatch(r.match("GET", "/c/f/d/e"), "GET /c/f/d/e");
      assertMatch(r.match("GET", "/"), "GET /");
      assert.deepEqual(r.match("GET", "/c/x/y/d/z"), notFound);
      assert.deepEqual(r.match("GET", "/b/c/d"), notFound);
    }
  });
});

describe("router: verbs", () => {
  test("a colon splits off a verb only for routes that declare it", () => {
    const r = routerOf([
      ["GET", "/v1/{name}"],
      ["GET", "/v1/{name}:verify"],
    ]);
    assertMatch(r.match("GET", "/v1/a:verify"), "GET /v1/{name}:verify", { name: "a" });
    assertMatch(r.match("GET", "/v1/a:b"), "GET /v1/{name}", { name: "a:b" });
    assertMatch(r.match("GET", "/v1/a"), "GET /v1/{name}", { name: "a" });
  });

  test("without a verb route, the colon is part of the value", () => {
    const r = routerOf([["GET", "/v1/{name}"]]);
    assertMatch(r.match("GET", "/v1/a:verify"), "GET /v1/{name}", { name: "a:verify" });
  });

  test("the verb is the text after the last colon of the last segment", () => {
    const r = routerOf([
      ["GET", "/v1/{name}"],
      ["GET", "/v1/{name}:verify"],
    ]);
    assertMatch(r.match("GET", "/v1/a:b:verify"), "GET /v1/{name}:verify", { name: "a:b" });
    assertMatch(r.match("GET", "/v1/a:verify:b"), "GET /v1/{name}", { name: "a:verify:b" });
  });

  test("a matching verb beats segment specificity", () => {
    const r = routerOf([
      ["GET", "/v1/{name}"],
      ["GET", "/v1/{p=**}:verify"],
    ]);
    assertMatch(r.match("GET", "/v1/a:verify"), "GET /v1/{p=**}:verify", { p: "a" });
    assertMatch(r.match("GET", "/v1/a/b:verify"), "GET /v1/{p=**}:verify", { p: "a/b" });
  });

  test("a verb route of another method leaves the plain route to match", () => {
    const r = routerOf([
      ["GET", "/v1/{name}"],
      ["POST", "/v1/{name}:verify"],
    ]);
    assertMatch(r.match("POST", "/v1/a:verify"), "POST /v1/{name}:verify", { name: "a" });
    assertMatch(r.match("GET", "/v1/a:verify"), "GET /v1/{name}", { name: "a:verify" });
    assert.deepEqual(r.match("DELETE", "/v1/a:verify"), { kind: "method-not-allowed", allow: ["GET", "POST"] });
    assert.deepEqual(r.match("DELETE", "/v1/a"), { kind: "method-not-allowed", allow: ["GET"] });
  });

  test("an escaped colon never splits off a verb", () => {
    const r = routerOf([
      ["GET", "/v1/{name}"],
      ["GET", "/v1/{name}:verify"],
    ]);
    assertMatch(r.match("GET", "/v1/a%3Averify"), "GET /v1/{name}", { name: "a:verify" });
  });

  test("a verb needs something before its colon", () => {
    const r = routerOf([["GET", "/v1/{name}:verify"]]);
    assert.deepEqual(r.match("GET", "/v1/:verify"), notFound);
    assert.deepEqual(r.match("GET", "/v1/a"), notFound);
  });

  test("literal segments with a verb", () => {
    const r = routerOf([
      ["POST", "/v1/things:batchGet"],
      ["GET", "/v1/things/{id}"],
    ]);
    assertMatch(r.match("POST", "/v1/things:batchGet"), "POST /v1/things:batchGet");
    assert.deepEqual(r.match("POST", "/v1/things"), notFound);
    assert.deepEqual(r.match("POST", "/v1/things:other"), notFound);
  });

  test("a root-level ** with a verb (Envoy's custom verb case)", () => {
    const r = routerOf([
      ["GET", "/person"],
      ["GET", "/person/{id=*}"],
      ["GET", "/{x=**}:verb"],
    ]);
    assertMatch(r.match("GET", "/person:verb"), "GET /{x=**}:verb", { x: "person" });
    assertMatch(r.match("GET", "/animal/cat:verb"), "GET /{x=**}:verb", { x: "animal/cat" });
    assertMatch(r.match("GET", "/person"), "GET /person");
    assertMatch(r.match("GET", "/person/jason:other"), "GET /person/{id=*}", { id: "jason:other" });
    assert.deepEqual(r.match("GET", "/person:other"), notFound);
    assert.deepEqual(r.match("GET", "/animal"), notFound);
  });

  test("an escaped verb in a template matches the same verb escaped or not", () => {
    const r = routerOf([["GET", "/v1/{name}:do%2Dit"]]);
    assertMatch(r.match("GET", "/v1/a:do-it"), "GET /v1/{name}:do%2Dit", { name: "a" });
    assertMatch(r.match("GET", "/v1/a%20b:do%2dit"), "GET /v1/{name}:do%2Dit", { name: "a b" });
  });
});

describe("router: decoding per the spec", () => {
  test("a single-segment variable is fully decoded", () => {
    const r = routerOf([["GET", "/v1/{name}"]]);
    assertMatch(r.match("GET", "/v1/a%2Fb"), "GET /v1/{name}", { name: "a/b" });
    assertMatch(r.match("GET", "/v1/p%20q%2Fr+"), "GET /v1/{name}", { name: "p q/r+" });
    assertMatch(r.match("GET", "/v1/caf%C3%A9"), "GET /v1/{name}", { name: "café" });
    const reserved = "%21%23%24%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D";
    assertMatch(r.match("GET", `/v1/${reserved}`), "GET /v1/{name}", { name: "!#$&'()*+,/:;=?@[]" });
  });

  test("the path splits on raw slashes before decoding", () => {
    const r = routerOf([
      ["GET", "/v1/{a}/{b}"],
      ["GET", "/v1/{name}"],
    ]);
    assertMatch(r.match("GET", "/v1/a%2Fb"), "GET /v1/{name}", { name: "a/b" });
    assertMatch(r.match("GET", "/v1/a/b"), "GET /v1/{a}/{b}", { a: "a", b: "b" });
  });

  test("a multi-segment variable keeps reserved characters encoded", () => {
    const r = routerOf([
      ["GET", "/v1/{x=**}"],
      ["GET", "/v2/{x=p/*}"],
    ]);
    assertMatch(r.match("GET", "/v1/p/foo%20foo/q/bar%2Fbar+"), "GET /v1/{x=**}", { x: "p/foo foo/q/bar%2Fbar+" });
    assertMatch(r.match("GET", "/v2/p/bar%2fbar%20x"), "GET /v2/{x=p/*}", { x: "p/bar%2fbar x" });
    assertMatch(r.match("GET", "/v1/a/caf%C3%A9/%7E"), "GET /v1/{x=**}", { x: "a/café/~" });
    const reserved = "%21%23%24%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D";
    assertMatch(r.match("GET", `/v1/${reserved}/${reserved}`), "GET /v1/{x=**}", { x: `${reserved}/${reserved}` });
  });

  test("literal segments compare decoded", () => {
    const r = routerOf([
      ["GET", "/v1/messages"],
      ["GET", "/v1/caf%C3%A9"],
      ["GET", "/v1/a%2Fb"],
    ]);
    assertMatch(r.match("GET", "/v1/%6Dessages"), "GET /v1/messages");
    assertMatch(r.match("GET", "/v1/caf%c3%a9"), "GET /v1/caf%C3%A9");
    assertMatch(r.match("GET", "/v1/a%2fb"), "GET /v1/a%2Fb");
    assert.deepEqual(r.match("GET", "/v1/a/b"), notFound);
  });

  test("a malformed escape anywhere in the path is bad-path", () => {
    const r = routerOf([
      ["GET", "/v1/{name}"],
      ["GET", "/v2/{x=**}"],
    ]);
    assert.deepEqual(r.match("GET", "/v1/%zz"), badEscape("%zz"));
    assert.deepEqual(r.match("GET", "/v1/a%2"), badEscape("%2"));
    assert.deepEqual(r.match("GET", "/v1/a%"), badEscape("%"));
    assert.deepEqual(r.match("GET", "/v1/ok%20/%g1"), badEscape("%g1"));
    assert.deepEqual(r.match("GET", "/nothing/here/%zz"), badEscape("%zz"));
    assert.deepEqual(r.match("DELETE", "/v1/%zz"), badEscape("%zz"));
  });

  test("escapes that are not UTF-8 are bad-path", () => {
    const r = routerOf([
      ["GET", "/v1/{name}"],
      ["GET", "/v2/{x=**}"],
    ]);
    assert.deepEqual(r.match("GET", "/v1/%FF"), notUtf8);
    assert.deepEqual(r.match("GET", "/v2/a/%C3"), notUtf8);
    assert.deepEqual(r.match("GET", "/v2/%ED%A0%80"), notUtf8);
  });
});

describe("router: legacy unescaping (grpc-gateway's default)", () => {
  const legacy = { unescaping: "legacy" } as const;

  test("the whole path is decoded before splitting, so %2F separates segments", () => {
    assert.deepEqual(routerOf([["GET", "/v1/{name}"]], legacy).match("GET", "/v1/a%2Fb"), notFound);
    const r = routerOf([["GET", "/v1/{name=**}"]], legacy);
    assertMatch(r.match("GET", "/v1/a%2Fb"), "GET /v1/{name=**}", { name: "a/b" });
  });

  test("values are fully decoded, reserved characters included", () => {
    const r = routerOf(
      [
        ["GET", "/v1/{x=**}"],
        ["GET", "/v2/{name}"],
      ],
      legacy,
    );
    assertMatch(r.match("GET", "/v1/a%3Fb/c%20d"), "GET /v1/{x=**}", { x: "a?b/c d" });
    assertMatch(r.match("GET", "/v2/a%20b+"), "GET /v2/{name}", { name: "a b+" });
  });

  test("an escaped colon can split off a verb", () => {
    const r = routerOf(
      [
        ["GET", "/v1/{name}"],
        ["GET", "/v1/{name}:verify"],
      ],
      legacy,
    );
    assertMatch(r.match("GET", "/v1/a%3Averify"), "GET /v1/{name}:verify", { name: "a" });
  });

  test("malformed escapes and non-UTF-8 are bad-path", () => {
    const r = routerOf([["GET", "/v1/{name}"]], legacy);
    assert.deepEqual(r.match("GET", "/v1/%zz"), badEscape("%zz"));
    assert.deepEqual(r.match("GET", "/v1/%FF"), notUtf8);
  });
});

describe("router: empty segments and slashes", () => {
  test("an empty segment matches neither a literal nor *", () => {
    const r = routerOf([
      ["GET", "/v1/x"],
      ["GET", "/v1/{a}/x"],
      ["GET", "/v2/*/x"],
    ]);
    assert.deepEqual(r.match("GET", "//v1/x"), notFound);
    assert.deepEqual(r.match("GET", "/v1//x"), notFound);
    assert.deepEqual(r.match("GET", "/v2//x"), notFound);
  });

  test("a trailing slash does not match", () => {
    const r = routerOf([
      ["GET", "/v1/{name}"],
      ["GET", "/v1/messages"],
    ]);
    assert.deepEqual(r.match("GET", "/v1/a/"), notFound);
    assert.deepEqual(r.match("GET", "/v1/messages/"), notFound);
    assert.deepEqual(r.match("GET", "/v1/"), notFound);
  });

  test("** matches zero or more segments", () => {
    const r = routerOf([["GET", "/v1/files/{p=**}"]]);
    assertMatch(r.match("GET", "/v1/files"), "GET /v1/files/{p=**}", { p: "" });
    assertMatch(r.match("GET", "/v1/files/"), "GET /v1/files/{p=**}", { p: "" });
    assertMatch(r.match("GET", "/v1/files/a"), "GET /v1/files/{p=**}", { p: "a" });
    assertMatch(r.match("GET", "/v1/files/a/b/"), "GET /v1/files/{p=**}", { p: "a/b/" });
    assert.deepEqual(r.match("GET", "/v1/filesx"), notFound);
  });

  test("the root template and a root **", () => {
    const root = routerOf([["GET", "/"]]);
    assertMatch(root.match("GET", "/"), "GET /");
    assert.deepEqual(root.match("GET", "/a"), notFound);
    const all = routerOf([["GET", "/{x=**}"]]);
    assertMatch(all.match("GET", "/"), "GET /{x=**}", { x: "" });
    assertMatch(all.match("GET", "/a/b"), "GET /{x=**}", { x: "a/b" });
    assert.deepEqual(routerOf([["GET", "/{name}"]]).match("GET", "/"), notFound);
  });

  test("a path that is not origin-form is not found", () => {
    const r = routerOf([["GET", "/{x=**}"]]);
    assert.deepEqual(r.match("OPTIONS", "*"), notFound);
    assert.deepEqual(r.match("GET", "http://example.com/v1"), notFound);
    assert.deepEqual(r.match("GET", ""), notFound);
  });
});

describe("router: method not allowed", () => {
  const r = routerOf([
    ["GET", "/v1/things"],
    ["POST", "/v1/things"],
    ["DELETE", "/v1/things/{id}"],
    ["PATCH", "/v1/things/special"],
    ["GET", "/v1/things/{id}"],
    ["POST", "/v1/{p=**}"],
    ["SEARCH", "/v2/things"],
  ]);

  test("lists the methods that match the path, sorted and unique", () => {
    assert.deepEqual(r.match("PUT", "/v1/things"), { kind: "method-not-allowed", allow: ["GET", "POST"] });
    assert.deepEqual(r.match("PUT", "/v1/things/1"), { kind: "method-not-allowed", allow: ["DELETE", "GET", "POST"] });
    assert.deepEqual(r.match("PUT", "/v1/things/special"), {
      kind: "method-not-allowed",
      allow: ["DELETE", "GET", "PATCH", "POST"],
    });
  });

  test("a path no route matches is not found", () => {
    assert.deepEqual(r.match("GET", "/v3/things"), notFound);
  });

  test("custom methods are just methods", () => {
    assertMatch(r.match("SEARCH", "/v2/things"), "SEARCH /v2/things");
    assert.deepEqual(r.match("GET", "/v2/things"), { kind: "method-not-allowed", allow: ["SEARCH"] });
  });

  test("methods compare case-sensitively", () => {
    assert.deepEqual(r.match("get", "/v2/things"), { kind: "method-not-allowed", allow: ["SEARCH"] });
  });
});

describe("router: duplicates", () => {
  const add = (r: Router<string>, method: string, template: string) => r.add(method, parsePathTemplate(template), template);

  test("the same method and template twice throws, naming both", () => {
    const r = createRouter<string>();
    add(r, "GET", "/v1/{name}");
    assert.throws(() => add(r, "GET", "/v1/{name}"), {
      message: "duplicate route GET /v1/{name}: it matches the same requests as GET /v1/{name}",
    });
  });

  test("templates differing only in variable names or extents are duplicates", () => {
    const r = createRouter<string>();
    add(r, "GET", "/v1/{a}");
    assert.throws(() => add(r, "GET", "/v1/{b}"), { message: "duplicate route GET /v1/{b}: it matches the same requests as GET /v1/{a}" });
    assert.throws(() => add(r, "GET", "/v1/*"), /duplicate route GET \/v1\/\*/);
    add(r, "GET", "/v2/{a=foo/*}");
    assert.throws(() => add(r, "GET", "/v2/foo/{b}"), /duplicate route GET \/v2\/foo\/\{b\}/);
    add(r, "GET", "/v1/{name=messages/*}");
    assert.throws(() => add(r, "GET", "/v1/messages/{message_id}"), /duplicate route/);
    add(r, "GET", "/v3/%61");
    assert.throws(() => add(r, "GET", "/v3/a"), /duplicate route/);
  });

  test("another method, verb or shape is not a duplicate", () => {
    const r = createRouter<string>();
    add(r, "GET", "/v1/{name}");
    add(r, "POST", "/v1/{name}");
    add(r, "GET", "/v1/{name}:verify");
    add(r, "GET", "/v1/{name=**}");
    add(r, "GET", "/v1/{name}/x");
    add(r, "get", "/v1/{name}");
  });

  test("a hand-built template with ** before the end is refused", () => {
    const r = createRouter<string>();
    const template = { source: "/**/x", segments: [{ kind: "deep" as const }, { kind: "literal" as const, value: "x" }], variables: [] };
    assert.throws(() => r.add("GET", template, "x"), { message: 'path template /**/x: "**" must be the last segment' });
  });
});

describe("router: scale and misc", () => {
  test("10,000 routes still match correctly", () => {
    const r = createRouter<number>();
    for (let i = 0; i < 2500; i++) {
      r.add("GET", parsePathTemplate(`/v1/svc${i}/items/{id}`), 4 * i);
      r.add("POST", parsePathTemplate(`/v1/svc${i}/items/{id}:run${i % 7}`), 4 * i + 1);
      r.add("GET", parsePathTemplate(`/v1/{parent=svc${i}/*}/files/{path=**}`), 4 * i + 2);
      r.add("DELETE", parsePathTemplate(`/v1/svc${i}/items/special`), 4 * i + 3);
    }
    for (let i = 0; i < 2500; i += 97) {
      assert.deepEqual(r.match("GET", `/v1/svc${i}/items/x${i}`), { kind: "match", value: 4 * i, params: { id: `x${i}` } });
      assert.deepEqual(r.match("POST", `/v1/svc${i}/items/y:run${i % 7}`), { kind: "match", value: 4 * i + 1, params: { id: "y" } });
      assert.deepEqual(r.match("GET", `/v1/svc${i}/p/files/a/b`), {
        kind: "match",
        value: 4 * i + 2,
        params: { parent: `svc${i}/p`, path: "a/b" },
      });
      assert.deepEqual(r.match("GET", `/v1/svc${i}/items/special`), { kind: "match", value: 4 * i, params: { id: "special" } });
      assert.deepEqual(r.match("PUT", `/v1/svc${i}/items/special`), { kind: "method-not-allowed", allow: ["DELETE", "GET"] });
      assert.deepEqual(r.match("POST", `/v1/svc${i}/items/y:run${(i + 1) % 7}`), { kind: "method-not-allowed", allow: ["GET"] });
    }
    assert.deepEqual(r.match("GET", "/v1/svc2500/items/x"), notFound);
  });

  test("routes added after a lookup are found", () => {
    const r = routerOf([["GET", "/v1/{a}"]]);
    assertMatch(r.match("GET", "/v1/x"), "GET /v1/{a}", { a: "x" });
    r.add("GET", parsePathTemplate("/v1/x"), "GET /v1/x");
    assertMatch(r.match("GET", "/v1/x"), "GET /v1/x");
  });

  test("a field called __proto__ is captured as an own property", () => {
    const r = routerOf([["GET", "/v1/{__proto__}"]]);
    const match = r.match("GET", "/v1/x");
    assert.equal(match.kind, "match");
    if (match.kind !== "match") return;
    assert.deepEqual(Object.keys(match.params), ["__proto__"]);
    assert.equal(Object.getOwnPropertyDescriptor(match.params, "__proto__")?.value, "x");
    assert.equal(Object.getPrototypeOf(match.params), Object.prototype);
  });
});
