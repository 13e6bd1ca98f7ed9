/**
 * The floor under the gateway, on node alone: `bare-http` answers every request with a fixed
 * JSON reply from a bare node:http handler (a POST's body read first, not parsed);
 * `bare-proxy <address>` also makes one gRPC call per request to the backend, written
 * directly on node:http2 (one session; a GET's request encoded once at start, a POST's body
 * sent as the request's `id`, so its bytes go to the backend and come back in the reply as
 * the gateway's do; the reply's bytes and trailers read, not decoded). Neither binds, transcodes or checks anything: what they cost
 * is what any gateway in one node process pays for the HTTP/1.1 reply and the HTTP/2 call.
 *
 * `bare-json <address>` is that floor with V8's own JSON added, for the POST scenarios: the
 * body is `JSON.parse`d, the backend's CreateOrder called with the order's protobuf bytes
 * (encoded once, at the first body of that length: the protobuf work is left out), its reply
 * read, and the parsed order answered by `JSON.stringify`, as the backend's echo would be.
 * What it costs is what a gateway pays to move the bytes and read and write the JSON with
 * the fastest JSON node has, before any of its own work (binding, protobuf, routing).
 */
import { connect } from "node:http2";
import type { IncomingMessage, ServerResponse } from "node:http";
import { create, fromJson, toBinary, type JsonValue } from "@bufbuild/protobuf";
import { BenchService, OrderSchema } from "../gen/bench/v1/bench_pb.js";
import { serveControl } from "../support/control.js";
import { getItem } from "../payloads.js";
import { itemPriceCents, itemTags, itemTitle } from "./implementation.js";
import { listen } from "./listen.js";

const [mode, address] = process.argv.slice(2);
if (mode !== "bare-http" && !((mode === "bare-proxy" || mode === "bare-json") && address !== undefined))
  throw new Error("usage: bare.ts bare-http | bare-proxy <host:port> | bare-json <host:port>");

const reply = JSON.stringify({
  id: getItem.id,
  title: itemTitle,
  priceCents: String(itemPriceCents),
  tags: itemTags,
  view: getItem.view,
  locale: getItem.locale,
});
const method = BenchService.method.getItem;
const message = toBinary(method.input, create(method.input, { id: getItem.id }));
const frame = Buffer.alloc(5 + message.length);
frame.writeUInt32BE(message.length, 1);
frame.set(message, 5);
const path = `/${BenchService.typeName}/${method.name}`;
const orderPath = `/${BenchService.typeName}/${BenchService.method.createOrder.name}`;
const session = mode === "bare-http" ? undefined : connect(`http://${address}`);

// bare-json: each body length's order framed once, so the floor pays no protobuf encoding.
const orderFrames = new Map<number, Buffer>();
function orderFrame(body: Buffer, order: JsonValue): Buffer {
  let framed = orderFrames.get(body.length);
  if (framed === undefined) {
    const bytes = toBinary(OrderSchema, fromJson(OrderSchema, order));
    framed = Buffer.alloc(5 + bytes.length);
    framed.writeUInt32BE(bytes.length, 1);
    framed.set(bytes, 5);
    orderFrames.set(body.length, framed);
  }
  return framed;
}

// A GetItem request whose id is `body`, framed: field 1, length-delimited, written by hand.
function frameCarrying(body: Buffer): Buffer {
  const length: number[] = [];
  for (let n = body.length; ; n >>>= 7) {
    if (n < 0x80) {
      length.push(n);
      break;
    }
    length.push((n & 0x7f) | 0x80);
  }
  const size = 1 + length.length + body.length;
  const framed = Buffer.alloc(5 + size);
  framed.writeUInt32BE(size, 1);
  framed[5] = 0x0a;
  framed.set(length, 6);
  framed.set(body, 6 + length.length);
  return framed;
}

// One gRPC call, its reply's bytes and trailers read; calls `done` with whether it said OK.
// `done` is dropped once called: node keeps a closed stream, and what its listeners reach,
// through every scavenge until a full GC, and a floor should not pay for that.
function call(request: Buffer, done: (ok: boolean) => void, to = path): void {
  const stream = session!.request({ ":method": "POST", ":path": to, "content-type": "application/grpc", te: "trailers" }, { endStream: false });
  let ok = false;
  let settle: ((ok: boolean) => void) | undefined = done;
  stream.on("data", () => {});
  stream.on("trailers", (trailers) => (ok = trailers["grpc-status"] === "0"));
  stream.on("close", () => {
    const then = settle;
    settle = undefined;
    then?.(ok);
  });
  stream.on("error", () => {});
  stream.end(request);
}

function answer(res: ServerResponse, ok: boolean): void {
  if (!ok) {
    res.statusCode = 502;
    res.end();
    return;
  }
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(reply));
  res.end(reply);
}

function answerJson(res: ServerResponse, ok: boolean, order: Record<string, unknown>): void {
  if (!ok) {
    res.statusCode = 502;
    res.end();
    return;
  }
  order["id"] = "ord-1"; // what the backend's CreateOrder does to the order it echoes
  const text = JSON.stringify(order);
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

function serveJson(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const order = JSON.parse(body.toString()) as Record<string, unknown>;
    call(orderFrame(body, order as JsonValue), (ok) => answerJson(res, ok, order), orderPath);
  });
}

function serve(req: IncomingMessage, res: ServerResponse): void {
  const respond = (request: Buffer) => (session === undefined ? answer(res, true) : call(request, (ok) => answer(res, ok)));
  if (req.method === "GET") respond(frame);
  else {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => respond(frameCarrying(Buffer.concat(chunks))));
  }
}

serveControl({ port: await listen(mode === "bare-json" ? serveJson : serve) });
