import { create, type DescMessage } from "@bufbuild/protobuf";
import { isObjectLike } from "../plain-object.js";

/**
 * create() for `desc`, faster: a copy of one message create() made, with new objects for
 * its lists, maps, oneofs and bytes. create() sets properties one by one, which costs
 * more than all the rest of reading a small message. Types whose messages have a
 * prototype (proto2 defaults) keep create(). Shared by the readers that build messages
 * (JSON and binary).
 */
export function messageFactory(desc: DescMessage): () => Record<string, unknown> {
  type Local = Record<string, unknown>;
  const template = create(desc) as unknown as Local;
  if (Object.getPrototypeOf(template) !== Object.prototype) return () => create(desc) as unknown as Local;
  const renew: [string, () => unknown][] = [];
  for (const [key, value] of Object.entries(template)) {
    if (!isObjectLike(value)) continue;
    if (Array.isArray(value) && value.length === 0) renew.push([key, () => []]);
    else if (value instanceof Uint8Array && value.length === 0) renew.push([key, () => new Uint8Array(0)]);
    else if (Object.getPrototypeOf(value) === Object.prototype && isEmptyOrUnsetOneof(value as Local)) renew.push([key, () => ({ ...(value as Local) })]);
    else return () => create(desc) as unknown as Local;
  }
  return () => {
    const message = { ...template };
    for (let i = 0; i < renew.length; i++) message[renew[i]![0]] = renew[i]![1]();
    return message;
  };
}

// A map ({}) or an unset oneof ({ case: undefined }).
function isEmptyOrUnsetOneof(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 0 || (keys.length === 1 && keys[0] === "case" && value.case === undefined);
}
