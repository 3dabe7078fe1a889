// The edge build's default transport (export conditions workerd, edge-light, browser): global fetch,
// so neither undici nor any node: module is loaded.
import { fetchTransport, type ClosableTransport } from './transport.js';

export function defaultTransport(): ClosableTransport {
  // Looked up per call, so a fetch installed after the client was created (a test's mock) is used.
  const send = fetchTransport((url, init) => globalThis.fetch(url, init));
  return Object.assign(send, { close: async () => undefined });
}
