/**
 * The BenchService implementation in protobuf-es types, served in this process by both
 * the gateway's `inProcess` backend and connect-express: the same object, so the two
 * differ only in what stands in front of it. The gRPC backend (servers/backend.ts) does
 * the same work with ts-proto's types.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { GetItemRequest, ItemSchema, ListItemsRequest, Order } from "../gen/bench/v1/bench_pb.js";

/** The reply fields of every GetItem: a small message, echoing the request's fields. */
export const itemTitle = "A small item";
export const itemPriceCents = 1999;
export const itemTags = ["new", "sale"];

/** The methods of bench.v1.BenchService. */
export const benchImplementation = {
  getItem(request: GetItemRequest): MessageInitShape<typeof ItemSchema> {
    return { id: request.id, title: itemTitle, priceCents: BigInt(itemPriceCents), tags: itemTags, view: request.view, locale: request.locale };
  },
  createOrder(request: Order): Order {
    request.id = "ord-1";
    return request;
  },
  /** `count` items, the ones the gRPC backend writes; the caller's reads pace the generator. */
  async *listItems(request: ListItemsRequest): AsyncGenerator<MessageInitShape<typeof ItemSchema>> {
    for (let i = 0; i < request.count; i++) yield { id: `${request.shelf}-${i}`, title: itemTitle, priceCents: BigInt(itemPriceCents), tags: itemTags };
  },
};
