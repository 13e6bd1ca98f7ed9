/**
 * The gRPC backend every networked target calls: a plain grpc-js server on ts-proto's
 * generated code (as in examples/), so nothing about it favours the gateway.
 * Argument: an optional port (default: any free one).
 */
import * as grpc from "@grpc/grpc-js";
import { BenchServiceService, type BenchServiceServer, type Item } from "../backend-gen/bench/v1/bench.js";
import { WatchServiceService, type WatchServiceServer } from "../backend-gen/bench/v1/watch.js";
import { serveControl } from "../support/control.js";
import { itemPriceCents, itemTags, itemTitle } from "./implementation.js";

// Calls received, for the hostile-client scenarios: how many backend calls a client's
// requests started, and how many streams are still open.
const calls = { getItem: 0, createOrder: 0, listItems: 0, watchItems: 0, watchItemsOpen: 0 };

const server: BenchServiceServer = {
  getItem(call, callback) {
    calls.getItem++;
    const { id, view, locale } = call.request;
    callback(null, { id, title: itemTitle, priceCents: itemPriceCents, tags: itemTags, view, locale });
  },
  createOrder(call, callback) {
    calls.createOrder++;
    callback(null, { ...call.request, id: "ord-1" });
  },
  // For the streaming scenarios: `count` items, written as fast as the stream takes them.
  listItems(call) {
    const { shelf, count } = call.request;
    calls.listItems++;
    let sent = 0;
    const write = (): void => {
      while (sent < count) {
        const item: Item = { id: `${shelf}-${sent}`, title: itemTitle, priceCents: itemPriceCents, tags: itemTags, view: 0, locale: "" };
        sent++;
        if (!call.write(item)) return void call.once("drain", write);
      }
      call.end();
    };
    write();
  },
};

const watch: WatchServiceServer = {
  watchItems(call) {
    calls.watchItems++;
    calls.watchItemsOpen++;
    let open = true;
    const closed = (): void => {
      if (open) calls.watchItemsOpen--;
      open = false;
    };
    call.on("cancelled", closed);
    call.on("end", () => {
      closed();
      call.end();
    });
    call.on("data", ({ shelf, count }: { shelf: string; count: number }) => {
      for (let i = 0; i < count; i++) call.write({ id: `${shelf}-${i}`, title: itemTitle, priceCents: itemPriceCents, tags: itemTags, view: 0, locale: "" });
    });
  },
};

const grpcServer = new grpc.Server();
grpcServer.addService(BenchServiceService, server);
grpcServer.addService(WatchServiceService, watch);
const port = await new Promise<number>((resolve, reject) =>
  grpcServer.bindAsync(`127.0.0.1:${process.argv[2] ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
);
serveControl({ address: `127.0.0.1:${port}` }, { calls: () => ({ ...calls }) });
