import { BlockList, isIP } from 'node:net';
import * as dns from 'node:dns';
import { LookupFunction } from 'node:net';

/**
 * Where webhooks may go (ARCHITECTURE §9, issue 8 item 6). In production, URLs must be https and must not
 * reach loopback, private, link-local, carrier-grade NAT, multicast/reserved or cloud metadata addresses,
 * unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true. The address check runs at creation (for IP literals and
 * `localhost`) and again at every attempt on the addresses DNS returns then, inside the connection's own
 * lookup, so the socket connects only to an address that was checked (no DNS-rebinding window).
 */
export interface UrlPolicy {
  httpsOnly: boolean;
  blockPrivateNetworks: boolean;
}

const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv6');
}

/** True if connecting to `address` could reach the service's own network or a metadata endpoint. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const lower = address.toLowerCase();
    // IPv4-mapped (::ffff:a.b.c.d / ::ffff:xxxx:xxxx) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 target.
    const embedded = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (embedded) return isForbiddenAddress(embedded[1]);
    const mappedHex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
    if (mappedHex) {
      const high = parseInt(mappedHex[1], 16);
      const low = parseInt(mappedHex[2], 16);
      return isForbiddenAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
    }
    return FORBIDDEN.check(address, 'ipv6');
  }
  return FORBIDDEN.check(address, 'ipv4');
}

export interface UrlProblem {
  path: string;
  message: string;
}

const MAX_URL_LENGTH = 2048;

/** Checks a URL given to the API; returns the problems (empty: acceptable). */
export function urlProblems(value: unknown, policy: UrlPolicy, field = 'url'): UrlProblem[] {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_LENGTH) return [{ path: field, message: `must be an absolute http(s) URL of at most ${MAX_URL_LENGTH} characters` }];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [{ path: field, message: 'must be an absolute http(s) URL' }];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return [{ path: field, message: 'must use https (or http outside production)' }];
  if (policy.httpsOnly && url.protocol !== 'https:') return [{ path: field, message: 'must use https in production' }];
  if (url.username || url.password) return [{ path: field, message: 'must not carry credentials (user:password@); authenticate receivers by the signature' }];
  if (url.hash) return [{ path: field, message: 'must not have a #fragment' }];
  if (policy.blockPrivateNetworks) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && isForbiddenAddress(host)) return [{ path: field, message: 'must not target a loopback, private, link-local or metadata address' }];
    if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal')) return [{ path: field, message: 'must not target a local host name' }];
  }
  return [];
}

export class ForbiddenAddressError extends Error {
  constructor(readonly hostname: string, readonly address: string) {
    super(`refused: ${hostname} resolves to ${address}, a loopback, private, link-local or metadata address`);
    this.name = 'ForbiddenAddressError';
  }
}

/**
 * A `lookup` for http(s).request that resolves like the default one and fails the connection if any
 * address returned is forbidden (all are checked: the socket may try each of them).
 */
export function guardedLookup(policy: UrlPolicy, resolve: typeof dns.lookup = dns.lookup): LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    resolve(hostname, { ...options, all: true }, (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => {
      if (error) return callback(error);
      if (policy.blockPrivateNetworks) {
        const bad = addresses.find((a) => isForbiddenAddress(a.address));
        if (bad) return callback(new ForbiddenAddressError(hostname, bad.address));
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  }) as unknown as LookupFunction;
}

/** An IP-literal URL host skips `lookup`: its address is checked here before connecting. */
export function literalAddressProblem(url: URL, policy: UrlPolicy): ForbiddenAddressError | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (policy.blockPrivateNetworks && isIP(host) !== 0 && isForbiddenAddress(host)) return new ForbiddenAddressError(host, host);
  return null;
}
