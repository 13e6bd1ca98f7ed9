/**
 * The ceiling: Express answering the same requests with JSON and no gRPC at all. GET
 * echoes its path variable and query; POST parses the JSON body and sends it back.
 */
import express from "express";
import { serveControl } from "../support/control.js";
import { itemPriceCents, itemTags, itemTitle } from "./implementation.js";
import { listen } from "./listen.js";

const app = express();
app.get("/v1/items/:id", (req, res) => {
  res.json({ id: req.params.id, title: itemTitle, priceCents: itemPriceCents, tags: itemTags, view: req.query.view, locale: req.query.locale });
});
app.post("/v1/orders", express.json({ limit: "4mb" }), (req, res) => {
  res.json({ ...(req.body as object), id: "ord-1" });
});
serveControl({ port: await listen(app) });
