/**
 * The requests every target of a scenario is sent, built deterministically so that each
 * run (and each target) does the same work: the GET's path and query, and POST bodies of
 * an exact size with nested, repeated, map and 64-bit fields.
 */

/** The GET scenario: one path variable and two query parameters. */
export const getItem = {
  id: "item-42",
  view: "ITEM_VIEW_FULL",
  locale: "en-US",
  path: "/v1/items/item-42?view=ITEM_VIEW_FULL&locale=en-US",
} as const;

/** The streaming scenario: one shelf, 1,000 items per call (issue 4). */
export const listItems = {
  shelf: "shelf-7",
  count: 1000,
  path: "/v1/shelves/shelf-7/items?count=1000",
} as const;

/** The POST route. */
export const createOrderPath = "/v1/orders";

/** An order as JSON (camelCase, 64-bit integers as numbers, as most clients send them). */
export interface OrderJson {
  id: string;
  customer: {
    id: string;
    name: string;
    email: string;
    shipping: { street: string; city: string; region: string; postalCode: string; country: string };
  };
  items: { sku: string; title: string; quantity: number; unitPriceCents: number; options: string[] }[];
  tags: string[];
  status: string;
  totalCents: number;
  labels: Record<string, string>;
  note: string;
}

function lineItem(i: number): OrderJson["items"][number] {
  return {
    sku: `SKU-${String(100000 + i * 7919).padStart(8, "0")}`,
    title: `Catalogue item number ${i} in blue`,
    quantity: 1 + (i % 5),
    unitPriceCents: 1999 + i * 13,
    options: ["gift-wrap", `size-${["s", "m", "l"][i % 3]}`],
  };
}

function order(itemCount: number, note: string): OrderJson {
  const items = Array.from({ length: itemCount }, (_, i) => lineItem(i));
  return {
    id: "",
    customer: {
      id: "cust-1009",
      name: "Ada Lovelace",
      email: "ada@example.com",
      shipping: { street: "12 Analytical Row", city: "London", region: "Greater London", postalCode: "NW1 2DB", country: "GB" },
    },
    items,
    tags: ["priority", "web", "returning-customer"],
    status: "ORDER_STATUS_PENDING",
    totalCents: items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
    labels: { channel: "web", campaign: "spring" },
    note,
  };
}

/**
 * A JSON order body of exactly `bytes` bytes: as many line items as fit, then a note that
 * pads it to the size, so a size change never changes the message's shape.
 */
export function orderBody(bytes: number): string {
  let count = 0;
  while (JSON.stringify(order(count + 1, "")).length <= bytes) count++;
  const bare = JSON.stringify(order(count, ""));
  const body = JSON.stringify(order(count, "n".repeat(Math.max(0, bytes - bare.length))));
  if (body.length !== bytes) throw new Error(`order body is ${body.length} bytes, wanted ${bytes}`);
  return body;
}
