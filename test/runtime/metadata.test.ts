import assert from "node:assert/strict";
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { after, before, describe, test } from "node:test";
import { Metadata } from "@grpc/grpc-js";
import { defaultIncomingHeaderMatcher, metadataFromRequest, type MetadataFromRequestOptions } from "../../runtime/protocol/request-metadata.js";
import { proxyTrust } from "../../runtime/protocol/trusted-proxy.js";
import { get, getRaw, startServer, type TestServer } from "./http-harness.js";

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.close());

const permanentHeaders = [
  "Accept",
  "Accept-Charset",
  "Accept-Language",
  "Accept-Ranges",
  "Authorization",
  "Cache-Control",
  "Content-Type",
  "Cookie",
  "Date",
  "Expect",
  "From",
  "Host",
  "If-Match",
  "If-Modified-Since",
  "If-None-Match",
  "If-Schedule-Tag-Match",
  "If-Unmodified-Since",
  "Max-Forwards",
  "Origin",
  "Pragma",
  "Referer",
  "User-Agent",
  "Via",
  "Warning",
];

/** Everything the client forwards, binary values as `bin:<hex>`. */
type Forwarded = Record<string, string[]>;

function asJson(md: Metadata): Forwarded {
  const out: Forwarded = {};
  for (const [key, values] of Object.entries(md.toJSON())) {
    out[key] = values.map((v) => (typeof v === "string" ? v : `bin:${v.toString("hex")}`));
  }
  return out;
}

/** Sends `headers` and returns the metadata metadataFromRequest built on the server. */
async function forwarded(headers: OutgoingHttpHeaders, options: MetadataFromRequestOptions = {}, setHost = true): Promise<Forwarded> {
  server.handle((req, res) => res.end(JSON.stringify(asJson(metadataFromRequest(req, options)))));
  const reply = await get(server.port, "/v1/things?x=1", headers, setHost);
  assert.equal(reply.status, 200, reply.text);
  return JSON.parse(reply.text) as Forwarded;
}

/** The request metadata minus the keys every request gets (x-forwarded-*). */
function own(md: Forwarded): Forwarded {
  const { "x-forwarded-for": _f, "x-forwarded-host": _h, ...rest } = md;
  return rest;
}

const everything = (key: string) => key;

describe("defaultIncomingHeaderMatcher", () => {
  test("knows exactly grpc-gateway's 24 permanent headers", () => {
    assert.equal(permanentHeaders.length, 24);
    for (const name of permanentHeaders) {
      assert.equal(defaultIncomingHeaderMatcher(name.toLowerCase()), `grpcgateway-${name.toLowerCase()}`);
    }
  });

  test("strips Grpc-Metadata- and drops the rest", () => {
    assert.equal(defaultIncomingHeaderMatcher("grpc-metadata-tenant"), "tenant");
    assert.equal(defaultIncomingHeaderMatcher("x-custom"), undefined);
    assert.equal(defaultIncomingHeaderMatcher("content-length"), undefined);
  });
});

describe("metadataFromRequest: permanent headers", () => {
  for (const name of permanentHeaders.filter((n) => n !== "Host")) {
    const lower = name.toLowerCase();
    // An Expect other than 100-continue makes node answer 417 before any handler runs.
    const value = name === "Expect" ? "100-continue" : `v-${lower}`;
    test(`${name} becomes grpcgateway-${lower}`, async () => {
      const md = await forwarded({ [name]: value });
      const expected: Forwarded = { [`grpcgateway-${lower}`]: [value] };
      if (name === "Authorization") expected["authorization"] = [value];
      assert.deepEqual(own(md), expected);
    });
  }

  test("Host is reported as x-forwarded-host only, never grpcgateway-host", async () => {
    const md = await forwarded({ Host: "api.example.test" });
    assert.deepEqual(md["x-forwarded-host"], ["api.example.test"]);
    assert.deepEqual(own(md), {});
  });
});

describe("metadataFromRequest: the rules", () => {
  test("Grpc-Metadata-<k> becomes <k>", async () => {
    assert.deepEqual(own(await forwarded({ "Grpc-Metadata-Tenant": "acme" })), { tenant: ["acme"] });
  });

  test("Authorization goes both as authorization and grpcgateway-authorization", async () => {
    const md = await forwarded({ Authorization: "Bearer t" });
    assert.deepEqual(own(md), { authorization: ["Bearer t"], "grpcgateway-authorization": ["Bearer t"] });
  });

  test("authorization is forwarded even when the matcher drops everything", async () => {
    const md = await forwarded({ Authorization: "Bearer t" }, { incomingHeaderMatcher: () => undefined });
    assert.deepEqual(own(md), { authorization: ["Bearer t"] });
  });

  test("a repeated header keeps every value in order", async () => {
    const md = await forwarded({ "Grpc-Metadata-Tag": ["a", "b"] });
    assert.deepEqual(own(md), { tag: ["a", "b"] });
  });

  test("X-Forwarded-For is the peer address when absent", async () => {
    assert.deepEqual((await forwarded({}))["x-forwarded-for"], ["127.0.0.1"]);
  });

  const trustAll: MetadataFromRequestOptions = { trustedProxy: proxyTrust(true) };

  test("from a trusted proxy, X-Forwarded-For gets the peer address appended", async () => {
    assert.deepEqual((await forwarded({ "X-Forwarded-For": "203.0.113.7" }, trustAll))["x-forwarded-for"], ["203.0.113.7, 127.0.0.1"]);
  });

  test("from a trusted proxy, repeated X-Forwarded-For lines are joined before the peer", async () => {
    const md = await forwarded({ "X-Forwarded-For": ["203.0.113.7", "198.51.100.2"] }, trustAll);
    assert.deepEqual(md["x-forwarded-for"], ["203.0.113.7, 198.51.100.2, 127.0.0.1"]);
  });

  test("X-Forwarded-Host comes from Host", async () => {
    assert.deepEqual((await forwarded({}))["x-forwarded-host"], [`127.0.0.1:${server.port}`]);
  });

  test("from a trusted proxy, X-Forwarded-Host passes through when sent, ahead of Host", async () => {
    const md = await forwarded({ Host: "internal", "X-Forwarded-Host": "public.example.test" }, trustAll);
    assert.deepEqual(md["x-forwarded-host"], ["public.example.test"]);
  });

  test("by default no peer is trusted: a client's X-Forwarded-* are replaced by the gateway's own view", async () => {
    const headers = {
      Host: "internal",
      "X-Forwarded-Host": "spoofed.example.test",
      "X-Forwarded-For": "203.0.113.7",
      "Grpc-Metadata-X-Forwarded-For": "198.51.100.9",
      "Grpc-Metadata-X-Forwarded-Host": "spoofed.example.test",
    };
    const md = await forwarded(headers);
    assert.deepEqual(md["x-forwarded-for"], ["127.0.0.1"]);
    assert.deepEqual(md["x-forwarded-host"], ["internal"]);
  });

  test("trustProxy lists addresses and CIDR ranges; a peer outside them is not trusted", async () => {
    const headers = { Host: "internal", "X-Forwarded-Host": "public.example.test", "X-Forwarded-For": "203.0.113.7" };
    for (const list of [["127.0.0.1"], ["10.0.0.0/8", "127.0.0.0/8"], ["::1", "127.0.0.1/32"]]) {
      const md = await forwarded(headers, { trustedProxy: proxyTrust(list) });
      assert.deepEqual(md["x-forwarded-for"], ["203.0.113.7, 127.0.0.1"], JSON.stringify(list));
      assert.deepEqual(md["x-forwarded-host"], ["public.example.test"]);
    }
    for (const list of [[], ["10.0.0.0/8"], ["::1"], ["127.0.0.2"]]) {
      const md = await forwarded(headers, { trustedProxy: proxyTrust(list) });
      assert.deepEqual(md["x-forwarded-for"], ["127.0.0.1"], JSON.stringify(list));
      assert.deepEqual(md["x-forwarded-host"], ["internal"]);
    }
    const asked: string[] = [];
    await forwarded(headers, {
      trustedProxy: proxyTrust((address) => {
        asked.push(address);
        return false;
      }),
    });
    assert.deepEqual(asked, ["127.0.0.1"]);
  });

  test("a malformed trustProxy entry is refused when the gateway is made", () => {
    for (const entry of ["localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/x", ""]) {
      assert.throws(() => proxyTrust([entry]), /trustProxy/, entry);
    }
  });

  test("no Host and no X-Forwarded-Host: no x-forwarded-host", async () => {
    assert.equal((await forwarded({}, {}, false))["x-forwarded-host"], undefined);
  });

  test("unlisted headers are dropped", async () => {
    assert.deepEqual(own(await forwarded({ "X-Custom": "1", "X-Api-Key": "k", "Content-Length": "0" })), {});
  });
});

describe("metadataFromRequest: -bin values", () => {
  // grpc-gateway's decodeBinHeader: base64.StdEncoding when the length is a multiple of
  // four, RawStdEncoding otherwise; anything else is INVALID_ARGUMENT naming the header.
  const decoded: [string, string, string][] = [
    ["standard, padded", "AQ==", "bin:01"],
    ["standard, no padding needed", "AQID", "bin:010203"],
    ["standard, unpadded", "AQI", "bin:0102"],
    ["standard alphabet", "+/8=", "bin:fbff"],
    ["empty", "", "bin:"],
  ];
  for (const [name, value, expected] of decoded) {
    test(`${name}: ${JSON.stringify(value)} -> ${expected}`, async () => {
      const md = await forwarded({ "Grpc-Metadata-Trace-Bin": value, "Grpc-Metadata-Other": "kept" });
      assert.deepEqual(md["trace-bin"], [expected]);
      assert.deepEqual(md["other"], ["kept"]);
    });
  }
  const refused: [string, string, number][] = [
    ["not base64", "%%%", 0],
    ["bad byte further in", "AQ!D", 2],
    ["an impossible length", "AQIDB", 4],
    ["padding that does not fit", "AQ=", 2],
    ["padding inside", "A=QD", 1],
    ["URL-safe, unpadded", "-_8", 0],
    ["URL-safe, padded", "-_8=", 0],
    ["both alphabets mixed", "+_8=", 1],
  ];
  for (const [name, value, offset] of refused) {
    test(`${name}: ${JSON.stringify(value)} -> INVALID_ARGUMENT`, async () => {
      server.handle((req, res) => {
        try {
          metadataFromRequest(req);
          res.end("accepted");
        } catch (err) {
          const { code, message } = err as { code: number; message: string };
          res.end(JSON.stringify({ code, message }));
        }
      });
      const reply = await get(server.port, "/v1/things", { "grpc-metadata-trace-bin": value });
      assert.deepEqual(JSON.parse(reply.text), {
        code: 3,
        message: `invalid binary header Grpc-Metadata-Trace-Bin: illegal base64 data at input byte ${offset}`,
      });
    });
  }

  test("a custom matcher's -bin key is checked the same way", async () => {
    const md = await forwarded({ "X-Trace": "AQI" }, { incomingHeaderMatcher: (key) => (key === "x-trace" ? "trace-bin" : undefined) });
    assert.deepEqual(own(md), { "trace-bin": ["bin:0102"] });
  });
});

describe("metadataFromRequest: what never passes", () => {
  test("hop-by-hop headers are dropped even by a matcher that takes everything", async () => {
    server.handle((req, res) => res.end(JSON.stringify(asJson(metadataFromRequest(req, { incomingHeaderMatcher: everything })))));
    const lines = [
      "Host: h",
      "Connection: keep-alive",
      "Keep-Alive: timeout=5",
      "TE: trailers",
      "Trailer: X-T",
      "Upgrade: h2c",
      "Proxy-Authorization: Basic x",
      "Proxy-Connection: close",
      "Proxy-Other: 1",
      "X-Kept: 1",
    ];
    const md = JSON.parse(await getRaw(server.port, "/", lines)) as Forwarded;
    assert.deepEqual(own(md), { "x-kept": ["1"] });
  });

  test("headers named in Connection are hop-by-hop too", async () => {
    const md = await forwarded({ Connection: "close, X-Hop", "X-Hop": "1", "X-Kept": "2" }, { incomingHeaderMatcher: everything });
    assert.deepEqual(own(md), { "x-kept": ["2"] });
  });

  test("Grpc-Timeout is not forwarded, under any key", async () => {
    const md = await forwarded({ "Grpc-Timeout": "10S" }, { incomingHeaderMatcher: (k) => (k === "grpc-timeout" ? "timeout" : k) });
    assert.deepEqual(own(md), {});
    assert.deepEqual(own(await forwarded({ "Grpc-Metadata-Grpc-Timeout": "1S" })), {});
  });

  test("keys grpc-js refuses or the transport owns are skipped, not thrown", async () => {
    const rename: Record<string, string> = {
      "x-1": "Upper-Case",
      "x-2": "bad key",
      "x-3": "grpc-status",
      "x-4": "content-type",
      "x-5": "grpc-trace-bin",
      "x-6": ":path",
      "x-7": "te",
      "x-8": "",
    };
    const headers = { "X-1": "a", "X-2": "b", "X-3": "0", "X-4": "text/plain", "X-5": "AQI=", "X-6": "/x", "X-7": "trailers", "X-8": "e", "X-Weird!": "w" };
    const md = await forwarded(headers, { incomingHeaderMatcher: (k) => rename[k] ?? k });
    assert.deepEqual(own(md), { "upper-case": ["a"], "grpc-trace-bin": ["bin:0102"] });
  });

  test("values grpc-js refuses are skipped, not thrown", async () => {
    const md = await forwarded({ "Grpc-Metadata-Latin": "caf\u00e9", "Grpc-Metadata-Tab": "a\tb", "Grpc-Metadata-Ok": "fine" });
    assert.deepEqual(own(md), { ok: ["fine"] });
  });
});

describe("metadataFromRequest: options", () => {
  test("a custom matcher replaces the default entirely", async () => {
    const md = await forwarded(
      { "X-Api-Key": "k1", "Grpc-Metadata-Tenant": "acme", Accept: "text/plain" },
      { incomingHeaderMatcher: (key) => (key === "x-api-key" ? "api-key" : undefined) },
    );
    assert.deepEqual(own(md), { "api-key": ["k1"] });
  });

  test("the annotator sees the request and its metadata is appended", async () => {
    let seen: IncomingMessage | undefined;
    const md = await forwarded(
      { "Grpc-Metadata-Tag": "from-header" },
      {
        annotator: (req) => {
          seen = req;
          return { "x-path": req.url ?? "", tag: ["a1", "a2"], "data-bin": Buffer.from([9]), "text-bin": "AQ==", "Bad Key": "x", "grpc-status": "1" };
        },
      },
    );
    assert.equal(seen?.url, "/v1/things?x=1");
    assert.deepEqual(own(md), { tag: ["from-header", "a1", "a2"], "x-path": ["/v1/things?x=1"], "data-bin": ["bin:09"], "text-bin": ["bin:01"] });
  });

  test("the annotator may return grpc-js Metadata, or nothing", async () => {
    const extra = new Metadata();
    extra.add("x-a", "1");
    extra.add("x-a", "2");
    extra.add("x-b-bin", Buffer.from([1]));
    assert.deepEqual(own(await forwarded({}, { annotator: () => extra })), { "x-a": ["1", "2"], "x-b-bin": ["bin:01"] });
    assert.deepEqual(own(await forwarded({}, { annotator: () => undefined })), {});
  });
});
