import { inspect } from 'node:util';
import type { TestContext } from 'vitest';
import { AymaraAI, type ClientOptions, type Middleware } from 'aymara-ai';
import { startFaultServer, type FaultServer, type FaultServerOptions } from '../helpers/fault-server.js';

/** The key every reliability test uses; it must never show up in anything the SDK hands back. */
export const SECRET_KEY = 'sk-reliability-5e3f9a17c0d24b68';

export type Ctx = Pick<TestContext, 'onTestFinished'>;

/** Counts the attempts the client made (user middleware runs once per attempt, SPEC 5). */
export function attemptCounter(): { middleware: Middleware; readonly attempts: number } {
  let attempts = 0;
  return {
    middleware: (request, next) => {
      attempts += 1;
      return next(request);
    },
    get attempts() {
      return attempts;
    },
  };
}

/** A fault server and a client for it (default undici transport), both closed when the test ends. */
export async function faultSetup(
  ctx: Ctx,
  serverOptions: FaultServerOptions = {},
  clientOptions: ClientOptions = {},
): Promise<{ server: FaultServer; client: AymaraAI; counter: ReturnType<typeof attemptCounter> }> {
  const server = await startFaultServer(serverOptions);
  const counter = attemptCounter();
  const client = new AymaraAI({
    apiKey: SECRET_KEY,
    baseURL: server.url,
    logLevel: 'off',
    ...clientOptions,
    middleware: [counter.middleware, ...(clientOptions.middleware ?? [])],
  });
  ctx.onTestFinished(async () => {
    await client.close();
    await server.close();
  });
  return { server, client, counter };
}

/** Everything a user could print or serialize about an error, its causes included. */
export function everythingAbout(error: unknown): string {
  const parts = [inspect(error, { depth: 10, showHidden: true })];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    parts.push(e.message, String(e.stack));
    try {
      parts.push(JSON.stringify(e));
    } catch {
      // A cause that cannot be serialized leaks nothing through JSON.
    }
  }
  return parts.join('\n');
}

/** Whether the key (or a good part of it) appears in what a user could see of the error. */
export function leaksKey(error: unknown, key = SECRET_KEY): boolean {
  const text = everythingAbout(error);
  return text.includes(key) || text.includes(key.slice(3, 19));
}

/** Records rows for the fault table that docs/reliability.md shows, and prints them at the end of the file. */
export interface FaultRow {
  fault: string;
  attempts: number;
  served: number;
  outcome: string;
  ms: number;
  leaked: boolean;
}

export function printTable(title: string, rows: FaultRow[]): void {
  const lines = [
    `${title}`,
    '| fault | client attempts | requests the server saw | outcome | time (ms) | key leaked |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) lines.push(`| ${r.fault} | ${r.attempts} | ${r.served} | ${r.outcome} | ${r.ms} | ${r.leaked ? 'YES' : 'no'} |`);
  console.log(lines.join('\n'));
}
