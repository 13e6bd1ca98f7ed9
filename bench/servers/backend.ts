/**
 * The gRPC backend every networked target calls: a plain grpc-js server on ts-proto's
 * generated code (as in examples/), so nothing about it favours the gateway.
 * Argument: an optional port (default: any free one).
 */
import * as grpc from "@grpc/grpc-js";
import { BenchServiceService, type BenchServiceServer, type Item } from "../backend-gen/bench/v1/bench.js";
import { serveControl } from "../support/control.js";
import { itemPriceCents, itemTags, itemTitle } from "./implementation.js";

const server: BenchServiceServer = {
  getItem(call, callback) {
    const { id, view, locale } = call.request;
    callback(null, { id, title: itemTitle, priceCents: itemPriceCents, tags: itemTags, view, locale });
  },
  createOrder(call, callback) {
    callback(null, { ...call.request, id: "ord-1" });
  },
  // For the streaming scenarios: `count` items, written as fast as the stream takes them.
  listItems(call) {
    const { shelf, count } = call.request;
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

const grpcServer = new grpc.Server();
grpcServer.addService(BenchServiceService, server);
const port = await new Promise<number>((resolve, reject) =>
  grpcServer.bindAsync(`127.0.0.1:${process.argv[2] ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
);
serveControl({ address: `127.0.0.1:${port}` });
