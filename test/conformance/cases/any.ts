// google.protobuf.Any: the well-known types always resolve (grpc-gateway's protoregistry.GlobalTypes),
// the user's types through the gateway's typeRegistry; a packed message is written with
// its unpopulated fields, as protojson marshals it with the same options.
import { create, createRegistry, toBinary } from "@bufbuild/protobuf";
import { anyPack, DurationSchema } from "@bufbuild/protobuf/wkt";
import { Metadata } from "@grpc/grpc-js";
import { StatusSchema } from "../../../runtime/gen/google/rpc/status_pb.js";
import { file_testing_v1_payloads, Payloads, PayloadSchema } from "../../gen/testing/v1/payloads_pb.js";
import { PayloadsRoutes } from "../../gen/testing/v1/payloads_gateway.js";
import type { Case, CaseGroup } from "../case.js";

const payloads = [{ service: Payloads, routes: PayloadsRoutes }];
const url = (name: string) => `type.googleapis.com/${name}`;
const empty = { name: "", plain: 0, item: null, items: [] };

function echoed(name: string, body: unknown, json: unknown): Case {
  return {
    name,
    request: { method: "POST", path: "/v1/payloads", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
    call: { method: "Payloads.EchoPayload" },
    response: { status: 200, json },
  };
}

const wellKnown = [
  { "@type": url("google.protobuf.Duration"), value: "1.500s" },
  { "@type": url("google.protobuf.Timestamp"), value: "2024-01-01T00:00:00Z" },
  { "@type": url("google.protobuf.Struct"), value: { a: 1, b: [true, null] } },
  { "@type": url("google.protobuf.Value"), value: "text" },
  { "@type": url("google.protobuf.ListValue"), value: [1, "x"] },
  { "@type": url("google.protobuf.Int32Value"), value: 3 },
  { "@type": url("google.protobuf.StringValue"), value: "s" },
  { "@type": url("google.protobuf.FieldMask"), value: "a.b,c" },
  { "@type": url("google.protobuf.Empty"), value: {} },
  { "@type": url("google.protobuf.Any"), value: { "@type": url("google.protobuf.BoolValue"), value: true } },
];

export const any: CaseGroup = {
  name: "google.protobuf.Any",
  services: payloads,
  cases: [
    echoed(
      "well-known types in an Any resolve without registering them",
      { item: wellKnown[0], items: wellKnown },
      // protojson writes Empty unwrapped, as a message without fields.
      { ...empty, item: wellKnown[0], items: wellKnown.map((a) => (a["@type"] === url("google.protobuf.Empty") ? { "@type": a["@type"] } : a)) },
    ),
    {
      name: "a user type not in the registry is refused",
      request: {
        method: "POST",
        path: "/v1/payloads",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ item: { "@type": url("testing.v1.Payload"), name: "inner" } }),
      },
      call: null,
      response: { status: 400, error: { code: 3, messageIncludes: "testing.v1.Payload" } },
    },
  ],
};

export const anyRegistered: CaseGroup = {
  name: "google.protobuf.Any with the user's registry",
  services: payloads,
  options: { typeRegistry: createRegistry(file_testing_v1_payloads) },
  cases: [
    echoed(
      "a packed message is written with its unpopulated fields",
      { item: { "@type": url("testing.v1.Payload"), name: "inner" }, items: [wellKnown[5]] },
      { ...empty, item: { "@type": url("testing.v1.Payload"), ...empty, name: "inner" }, items: [wellKnown[5]] },
    ),
    {
      name: "error details are written the same way: well-known types resolve, packed messages get their unpopulated fields",
      request: { method: "POST", path: "/v1/payloads", headers: { "Content-Type": "application/json" }, body: "{}" },
      backend: () => {
        const details = [anyPack(PayloadSchema, create(PayloadSchema, { name: "d" })), anyPack(DurationSchema, create(DurationSchema, { seconds: 3n }))];
        const metadata = new Metadata();
        metadata.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, create(StatusSchema, { code: 9, message: "no", details }))));
        throw { code: 9, details: "no", metadata };
      },
      call: { method: "Payloads.EchoPayload" },
      response: {
        status: 400,
        json: {
          code: 9,
          message: "no",
          details: [
            { "@type": url("testing.v1.Payload"), ...empty, name: "d" },
            { "@type": url("google.protobuf.Duration"), value: "3s" },
          ],
        },
      },
    },
  ],
};
