/**
 * Proof that a test file stayed off the network. The tests call `https://api.aymara.ai`, a host name: any request
 * that slipped past the mock would have to look that name up first. `blockDns()` makes every lookup fail at once
 * (so nothing can leave the process, even on a machine with a network) and records the names asked for, so a test
 * can assert that none was.
 *
 * Socket-level checks cannot tell this: msw 3 and nock 15 answer `fetch` requests on mock sockets inside undici, so
 * undici still announces a connection for a request they serve. A mocked request never resolves a name.
 */
import dns from 'node:dns';

export interface DnsBlock {
  /** The host names looked up since the last call (or since `blockDns()`), and forgets them. */
  take(): string[];
  /** Puts the real `dns.lookup` back. */
  restore(): void;
}

export function blockDns(): DnsBlock {
  const names: string[] = [];
  const original = dns.lookup;
  // node:net (and so node:http and undici) calls `dns.lookup` from this module object at connect time.
  const blocked = (hostname: string, ...rest: unknown[]) => {
    names.push(hostname);
    const callback = rest.at(-1) as (error: NodeJS.ErrnoException) => void;
    const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (DNS is blocked in this test)`), {
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname,
    });
    process.nextTick(callback, error);
  };
  dns.lookup = blocked as unknown as typeof dns.lookup;
  return {
    take: () => names.splice(0),
    restore() {
      dns.lookup = original;
    },
  };
}
