// Field presence in replies: protojson's EmitUnpopulated (grpc-gateway's default) leaves an
// unset proto3 optional out (it sits in a synthetic oneof, which protojson skips), writes an
// unset message field as null, and a set optional (even to its zero value) as its value.
import { Payloads } from "../../gen/testing/v1/payloads_pb.js";
import { PayloadsRoutes } from "../../gen/testing/v1/payloads_gateway.js";
import type { Case, CaseGroup } from "../case.js";

const payloads = [{ service: Payloads, routes: PayloadsRoutes }];

function echoed(name: string, body: string, json: Record<string, unknown>): Case {
  return {
    name,
    request: { method: "POST", path: "/v1/payloads", headers: { "Content-Type": "application/json" }, body },
    call: { method: "Payloads.EchoPayload" },
    response: { status: 200, json },
  };
}

export const presence: CaseGroup = {
  name: "field presence",
  services: payloads,
  cases: [
    echoed("unset proto3 optional fields are left out, implicit ones are their zero value", '{"name":"n"}', {
      name: "n",
      plain: 0,
      item: null,
      items: [],
    }),
    echoed("optional fields set to their zero value are written", '{"rating":0,"note":"","grade":"GRADE_UNSPECIFIED"}', {
      name: "",
      rating: 0,
      note: "",
      grade: "GRADE_UNSPECIFIED",
      plain: 0,
      item: null,
      items: [],
    }),
  ],
};

export const presenceOmitted: CaseGroup = {
  name: "field presence without unpopulated fields",
  services: payloads,
  options: { json: { emitUnpopulated: false } },
  cases: [
    echoed("unset optional fields are left out", '{"name":"n"}', { name: "n" }),
    echoed("optional fields set to their zero value are still written", '{"rating":0}', { rating: 0 }),
  ],
};
