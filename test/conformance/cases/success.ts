// Success status and headers declared in the proto ((grpc_gateway_express.success)): the
// runtime answers with them, and the generated OpenAPI document declares them (truth test).
import { Things } from "../../gen/testing/v1/success_pb.js";
import { ThingsRoutes } from "../../gen/testing/v1/success_gateway.js";
import type { CaseGroup } from "../case.js";

const json = { "Content-Type": "application/json" };

export const success: CaseGroup = {
  name: "success status and headers from (grpc_gateway_express.success)",
  services: [{ service: Things, routes: ThingsRoutes }],
  cases: [
    {
      name: "201 with a Location filled from the reply, and an enum header by name",
      request: { method: "POST", path: "/v1/things", headers: json, body: '{"kind":"THING_KIND_WIDGET","count":"2"}' },
      backend: (call) => ({ reply: { thing: { ...(call.request as unknown as { thing: object }).thing, id: "t/1" } } }),
      call: { method: "Things.CreateThing", request: { thing: { kind: "THING_KIND_WIDGET", count: "2" } } },
      response: {
        status: 201,
        headers: { location: "/v1/things/t/1", "x-thing-kind": "THING_KIND_WIDGET" },
        json: { thing: { id: "t/1", kind: "THING_KIND_WIDGET", count: "2" } },
      },
    },
    {
      name: "a reply field that cannot be a header value is a 500, not a crash or an injected header",
      request: { method: "POST", path: "/v1/things", headers: json, body: "{}" },
      backend: () => ({ reply: { thing: { id: "a\r\nSet-Cookie: x=1" } } }),
      call: { method: "Things.CreateThing" },
      response: { status: 500, headers: { "set-cookie": null, location: null }, error: { code: 13, messageIncludes: "Location header" } },
    },
    {
      name: "204 without a body, Content-Type or Content-Length",
      request: { method: "DELETE", path: "/v1/things/t1" },
      call: { method: "Things.DeleteThing", request: { id: "t1" } },
      response: { status: 204, text: "", headers: { "content-type": null, "content-length": null } },
    },
    {
      name: "a failure still answers with its own status",
      request: { method: "DELETE", path: "/v1/things/t1" },
      backend: () => {
        throw { code: 5, details: "no such thing" };
      },
      call: { method: "Things.DeleteThing" },
      response: { status: 404, error: { code: 5, messageIncludes: "no such thing" } },
    },
  ],
};
