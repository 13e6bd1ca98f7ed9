// The chat page's view of the ChatHub API: the generated client and its error class,
// bundled for the browser by page-bundle.ts and served as /chat/client.js.
export { createChatHubClient } from "../gen/aihub/chathub_client.js";
export { GatewayClientError } from "grpc-gateway-express/client";
