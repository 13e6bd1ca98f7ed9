// Marshaling options of the default JSON marshaler, seen in replies.
import { Messaging } from "../../gen/testing/v1/messaging_pb.js";
import { MessagingRoutes } from "../../gen/testing/v1/messaging_gateway.js";
import { Everything } from "../../gen/testing/v1/everything_pb.js";
import { EverythingRoutes } from "../../gen/testing/v1/everything_gateway.js";
import type { CaseGroup } from "../case.js";

const nestedReply = () => ({ reply: { uuid: "u", nested: { name: "n", color: 1, child: { amount: 2 } } } });

export const options: CaseGroup[] = [
  {
    name: "JSON with proto names, no unpopulated fields, enums as numbers",
    services: [{ service: Everything, routes: EverythingRoutes }],
    options: { json: { useProtoNames: true, emitUnpopulated: false, enumsAsNumbers: true } },
    cases: [
      {
        name: "the reply uses proto names and numbers and omits zero values",
        request: { method: "GET", path: "/v1/nested/u" },
        backend: nestedReply,
        call: { method: "Everything.EchoNested", request: { uuid: "u" } },
        response: { status: 200, json: { name: "n", color: 1, child: { amount: 2 } } },
      },
      {
        name: "requests still accept both name styles",
        request: { method: "POST", path: "/v1/echo", headers: { "Content-Type": "application/json" }, body: '{"stringValue":"a","int32_value":1}' },
        backend: () => ({ reply: { stringValue: "a", int32Value: 1 } }),
        call: { method: "Everything.Echo", request: { stringValue: "a", int32Value: 1 } },
        response: { status: 200, json: { string_value: "a", int32_value: 1 } },
      },
    ],
  },
  {
    name: "JSON defaults",
    services: [{ service: Messaging, routes: MessagingRoutes }],
    cases: [
      {
        name: "unpopulated fields are emitted with JSON names",
        request: { method: "GET", path: "/v1/messages/m1" },
        backend: () => ({ reply: { messageId: "m1" } }),
        call: { method: "Messaging.GetMessage", request: { messageId: "m1" } },
        response: { status: 200, json: { messageId: "m1", text: "" } },
      },
      {
        name: "Accept with an unregistered type still gets JSON",
        request: { method: "GET", path: "/v1/messages/m2", headers: { Accept: "application/xml" } },
        backend: () => ({ reply: { messageId: "m2" } }),
        call: { method: "Messaging.GetMessage" },
        response: { status: 200, json: { messageId: "m2", text: "" }, headers: { "content-type": "application/json" } },
      },
    ],
  },
];
