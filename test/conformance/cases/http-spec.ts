// Every mapping example in the comments of google/api/http.proto.
import { Messaging } from "../../gen/testing/v1/messaging_pb.js";
import { MessagingRoutes } from "../../gen/testing/v1/messaging_gateway.js";
import { Names } from "../../gen/testing/v1/names_pb.js";
import { NamesRoutes } from "../../gen/testing/v1/names_gateway.js";
import type { RecordedCall } from "../../support/recording-backend.js";
import type { CaseGroup } from "../case.js";

const json = { "Content-Type": "application/json" };
// Answers with a Message built from the request, so the reply side is checked too.
const reply = (call: RecordedCall) => {
  const r = call.request as unknown as { messageId?: string; message?: { text: string }; text?: string };
  return { reply: { messageId: r.messageId ?? "", text: r.message?.text ?? r.text ?? "stored" } };
};

export const httpSpec: CaseGroup = {
  name: "google/api/http.proto examples",
  services: [{ service: Messaging, routes: MessagingRoutes }],
  cases: [
    {
      name: "GET /v1/messages/123456 binds message_id",
      request: { method: "GET", path: "/v1/messages/123456" },
      backend: reply,
      call: { method: "Messaging.GetMessage", request: { messageId: "123456" } },
      response: { status: 200, json: { messageId: "123456", text: "stored" }, headers: { "content-type": "application/json" } },
    },
    {
      name: "GET /v1/messages/123456?revision=2&sub.subfield=foo binds the query to the rest",
      request: { method: "GET", path: "/v1/messages/123456?revision=2&sub.subfield=foo" },
      backend: reply,
      call: { method: "Messaging.GetMessage", request: { messageId: "123456", revision: "2", sub: { subfield: "foo" } } },
      response: { status: 200 },
    },
    {
      name: 'PATCH /v1/messages/123456 with body "message"',
      request: { method: "PATCH", path: "/v1/messages/123456", headers: json, body: '{ "text": "Hi!" }' },
      backend: reply,
      call: { method: "Messaging.UpdateMessage", request: { messageId: "123456", message: { text: "Hi!" } } },
      response: { status: 200, json: { messageId: "123456", text: "Hi!" } },
    },
    {
      name: 'PATCH /v2/messages/123456 with body "*"',
      request: { method: "PATCH", path: "/v2/messages/123456", headers: json, body: '{ "text": "Hi!" }' },
      backend: reply,
      call: { method: "Messaging.UpdateMessageText", request: { messageId: "123456", text: "Hi!" } },
      response: { status: 200, json: { messageId: "123456", text: "Hi!" } },
    },
    {
      name: "additional_bindings: GET /v1/users/me/messages/123456",
      request: { method: "GET", path: "/v1/users/me/messages/123456" },
      backend: reply,
      call: { method: "Messaging.GetMessage", request: { userId: "me", messageId: "123456" } },
      response: { status: 200 },
    },
    {
      name: "multi-segment variables with ** capture the rest of the path",
      request: { method: "GET", path: "/v1/projects/p1/locations/l1/resource/a/b/c" },
      call: { method: "Messaging.GetResource", request: { name: "projects/p1/locations/l1", resourcePath: "a/b/c" } },
      response: { status: 200 },
    },
    {
      name: 'PATCH body "*" takes no query parameters',
      request: { method: "PATCH", path: "/v2/messages/123456?text=fromquery", headers: json, body: '{"text":"body"}' },
      backend: reply,
      call: { method: "Messaging.UpdateMessageText", request: { messageId: "123456", text: "body" } },
      response: { status: 200 },
    },
  ],
};

export const httpSpecNames: CaseGroup = {
  name: "google/api/http.proto first example",
  services: [{ service: Names, routes: NamesRoutes }],
  cases: [
    {
      name: "GET /v1/messages/123456 binds name=messages/123456",
      request: { method: "GET", path: "/v1/messages/123456" },
      call: { method: "Names.GetMessageByName", request: { name: "messages/123456" } },
      response: { status: 200, json: { name: "", text: "" } },
    },
    {
      name: "GET /v1/topics/1 does not match messages/*",
      request: { method: "GET", path: "/v1/topics/1" },
      call: null,
      response: { status: 404 },
    },
  ],
};
