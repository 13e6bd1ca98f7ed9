import { BlockList, isIP } from "node:net";

/**
 * Which peers are proxies whose `X-Forwarded-For` and `X-Forwarded-Host` the gateway passes
 * on: `false` (none: the gateway's own view of the client is sent), `true` (every peer, as
 * grpc-gateway does), a list of addresses and CIDR ranges (`"10.0.0.0/8"`, `"::1"`), or a
 * function of the peer address.
 */
export type TrustProxy = boolean | readonly string[] | ((address: string) => boolean);

/** Whether a peer address is a trusted proxy; undefined when none is. */
export type ProxyTrust = ((address: string) => boolean) | undefined;

/** Turns the `trustProxy` option into a predicate, refusing a malformed address or range at creation. */
export function proxyTrust(option: TrustProxy | undefined): ProxyTrust {
  if (option === undefined || option === false) return undefined;
  if (option === true) return () => true;
  if (typeof option === "function") return option;
  const list = new BlockList();
  for (const entry of option) {
    const slash = entry.indexOf("/");
    const address = (slash === -1 ? entry : entry.slice(0, slash)).trim();
    const family = isIP(address);
    const prefix = slash === -1 ? undefined : Number(entry.slice(slash + 1));
    const bits = family === 6 ? 128 : 32;
    if (family === 0 || (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= bits))) {
      throw new TypeError(`createGateway: option trustProxy: ${JSON.stringify(entry)} is not an IP address or CIDR range`);
    }
    const type = family === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? "ipv6" : "ipv4");
  };
}
