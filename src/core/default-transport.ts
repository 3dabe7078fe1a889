// Node's default transport. The edge build swaps this file for default-transport.edge.ts (global fetch, no undici).
export { undiciTransport as defaultTransport } from './undici-transport.js';
