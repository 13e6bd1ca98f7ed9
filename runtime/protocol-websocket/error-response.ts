import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket } from "ws";
import { Code } from "../gen/google/rpc/code_pb.js";
import type { GatewayError } from "../gateway-error.js";
import { errorBodyFromError, httpStatusFromError } from "../protocol/error-body.js";
import { errorEnvelope, streamErrorJson } from "../protocol/stream-error.js";
import type { GatewaySettings } from "../settings.js";
import type { WebSocketCall } from "./websocket-call.js";

/** Longest close reason a close frame can carry, in bytes (RFC 6455 5.5: 125 minus the code). */
const maxCloseReasonBytes = 123;

/** Refuses a handshake whose call cannot be opened: the error's HTTP status and status JSON, then the connection closes. */
export function refuseHandshake(socket: Duplex, error: GatewayError, settings: GatewaySettings): void {
  writeAndClose(socket, httpStatusFromError(error), JSON.stringify(errorBodyFromError(error, settings.errorBody)));
}

/** Answers an upgrade request by hand (before the handshake completes there is no ServerResponse) and closes the connection. */
export function writeAndClose(socket: Duplex, status: number, body: string): void {
  socket.on("error", () => {}); // the client may be gone already; nothing is left to tell it
  if (!socket.writable) return void socket.destroy();
  const type = body === "" ? "" : "Content-Type: application/json\r\n";
  socket.once("finish", () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** Ends a call that failed: the status (after the stream error hook) as a last text frame, then a close frame with 4000 + its code. */
export async function closeWithError(ws: WebSocket, error: GatewayError, call: WebSocketCall): Promise<void> {
  const { status, json } = await streamErrorJson(call, error);
  if (ws.readyState !== WebSocket.OPEN) return;
  ws.send(errorEnvelope(json));
  ws.close(closeCodeFor(status.code), closeReason(status.rawMessage));
}

// 4000-4999 is the range RFC 6455 leaves to applications; a status code fits with room to spare.
function closeCodeFor(code: number): number {
  return Number.isInteger(code) && code >= 0 && code <= 999 ? 4000 + code : 4000 + Code.UNKNOWN;
}

// Cut on a character boundary: a close reason must be valid UTF-8 or the client fails the connection.
function closeReason(message: string): string {
  const bytes = Buffer.from(message, "utf8");
  if (bytes.length <= maxCloseReasonBytes) return message;
  let end = maxCloseReasonBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}
