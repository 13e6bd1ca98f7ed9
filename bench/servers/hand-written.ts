/**
 * The hand-written way, what a team writes without a gateway: Express routes that parse
 * with ts-proto's `fromJSON`, call the grpc-js client ts-proto generated, and answer with
 * `toJSON`; a server stream goes out as one JSON line per message. Errors get a plain 500
 * (or, once a stream has started, an error line); nothing else is added. Argument: the
 * backend address.
 */
import * as grpc from "@grpc/grpc-js";
import express from "express";
import { BenchServiceClient, GetItemRequest, Item, ListItemsRequest, Order } from "../backend-gen/bench/v1/bench.js";
import { serveControl } from "../support/control.js";
import { listen } from "./listen.js";

const address = process.argv[2];
if (address === undefined) throw new Error("usage: hand-written.ts <host:port>");
const client = new BenchServiceClient(address, grpc.credentials.createInsecure());

const app = express();
app.get("/v1/items/:id", (req, res) => {
  const request = GetItemRequest.fromJSON({ id: req.params.id, view: req.query.view, locale: req.query.locale });
  client.getItem(request, (err, reply) => {
    if (err) return void res.status(500).json({ code: err.code, message: err.details });
    res.json(Item.toJSON(reply));
  });
});
// Same body limit as the gateway's default, so the 64 KB body is accepted by both.
app.post("/v1/orders", express.json({ limit: "4mb" }), (req, res) => {
  client.createOrder(Order.fromJSON(req.body), (err, reply) => {
    if (err) return void res.status(500).json({ code: err.code, message: err.details });
    res.json(Order.toJSON(reply));
  });
});
app.get("/v1/shelves/:shelf/items", (req, res) => {
  const call = client.listItems(ListItemsRequest.fromJSON({ shelf: req.params.shelf, count: req.query.count }));
  res.setHeader("Content-Type", "application/x-ndjson");
  call.on("data", (item: Item) => {
    // Back-pressure: stop reading from the backend until the client has taken what is buffered.
    if (!res.write(`${JSON.stringify(Item.toJSON(item))}\n`)) {
      call.pause();
      res.once("drain", () => call.resume());
    }
  });
  call.on("end", () => res.end());
  call.on("error", (err: grpc.ServiceError) => {
    if (res.destroyed) return;
    if (!res.headersSent) return void res.status(500).json({ code: err.code, message: err.details });
    res.end(`${JSON.stringify({ error: { code: err.code, message: err.details } })}\n`);
  });
  res.on("close", () => {
    if (!res.writableFinished) call.cancel();
  });
});
serveControl({ port: await listen(app) });
