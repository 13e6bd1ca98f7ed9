/**
 * The hand-written way, what a team writes without a gateway: Express routes that parse
 * with ts-proto's `fromJSON`, call the grpc-js client ts-proto generated, and answer with
 * `toJSON`. Errors get a plain 500; nothing else is added. Argument: the backend address.
 */
import * as grpc from "@grpc/grpc-js";
import express from "express";
import { BenchServiceClient, GetItemRequest, Item, Order } from "../backend-gen/bench/v1/bench.js";
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
serveControl({ port: await listen(app) });
