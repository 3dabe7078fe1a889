/**
 * The `aymara-ai` command: read and gate eval runs from CI without writing code, and show why.
 * It uses the SDK through its public face, like any user. Commands are modules (commands/); this file parses,
 * dispatches, answers --help and --version, and maps errors to exit codes.
 */
import { AymaraAI, AymaraAPIError, AymaraConnectionError, AymaraInputError, AymaraResponseValidationError, VERSION } from 'aymara-ai';
import { commandNamed, parseCli, type CliArgs } from './args.js';
import type { RunContext } from './command.js';
import { escapeText } from './escape.js';
import { EXIT } from './exit.js';
import { helpFor } from './help.js';
import { stderrLogger } from './logger.js';
import { ProgressBar } from './progress.js';
import { RunNotFinishedError } from './run-status.js';
import { baseURLSource, inCliTerms } from './sdk-messages.js';
import { Stdout } from './stdout.js';
import { UsageError } from './values.js';

export { EXIT };

async function run(args: CliArgs, stdout: Stdout): Promise<number> {
  const command = commandNamed(args.command);
  if (command === undefined || 'local' in command) throw new Error(`no API command ${JSON.stringify(args.command)}`);
  if (!process.env.AYMARA_AI_API_KEY) throw new UsageError('AYMARA_AI_API_KEY is not set: export your Aymara API key in that variable');
  try {
    const client = new AymaraAI({ baseURL: args.baseURL, logger: stderrLogger });
    const ctx: RunContext = { client, args, stdout, progress: process.stderr.isTTY && !args.quiet ? new ProgressBar(process.stderr) : undefined };
    try {
      return await command.run(ctx);
    } finally {
      ctx.progress?.finish();
      await client.close();
    }
  } catch (error) {
    // The SDK names its own options (`baseURL`); the user set a flag or a variable.
    if (error instanceof AymaraInputError) throw new UsageError(inCliTerms(error.message, baseURLSource(args.baseURL)), { cause: error });
    throw error;
  }
}

/** An error's text for stderr: on one line, control characters (line breaks included) escaped. */
const shown = escapeText;

/** An unexpected error's stack: its message escaped like any other, its frames (this program's own) as they are. */
function stackOf(error: unknown): string {
  if (!(error instanceof Error)) return shown(String(error));
  const head = `${error.name}: ${error.message}`;
  const stack = error.stack ?? head;
  return stack.startsWith(head) ? `${shown(head)}${stack.slice(head.length)}` : shown(stack);
}

function report(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${shown(error.message)}\nRun 'aymara-ai --help' for usage.\n`);
    return EXIT.usage;
  }
  if (error instanceof RunNotFinishedError) {
    process.stderr.write(error.lines.map((line) => `not finished: ${line}\n`).join(''));
    return EXIT.notFinished;
  }
  if (error instanceof AymaraAPIError) {
    // The message starts with the status (and the code, when the API gave one): `404 resource.not_found: ...`.
    process.stderr.write(`error: API error ${shown(error.message)} (request id: ${escapeText(error.requestId ?? 'none')})\n`);
    return EXIT.api;
  }
  if (error instanceof AymaraResponseValidationError) {
    process.stderr.write(
      `error: invalid response at ${escapeText(String(error.path))}: ${shown(error.message)} (request id: ${escapeText(error.requestId ?? 'none')})\n`,
    );
    return EXIT.api;
  }
  if (error instanceof AymaraConnectionError) {
    process.stderr.write(`error: network: ${shown(error.message)}\n`);
    return EXIT.network;
  }
  process.stderr.write(`error: unexpected (please report this): ${stackOf(error)}\n`);
  return EXIT.internal;
}

/**
 * Runs the CLI on `argv` and returns the exit code. `stdout` holds this call's output state; the bin passes the
 * one its EPIPE handler closes, and any other caller gets a fresh one.
 */
export async function main(argv: readonly string[], stdout: Stdout = new Stdout()): Promise<number> {
  try {
    const parsed = parseCli(argv);
    if (parsed.kind === 'help') {
      await stdout.write(helpFor(parsed.command));
      return EXIT.ok;
    }
    if (parsed.kind === 'version') {
      await stdout.write(`${VERSION}\n`);
      return EXIT.ok;
    }
    if (parsed.kind === 'local') return await parsed.command.run(parsed.flags, stdout);
    return await run(parsed.args, stdout);
  } catch (error) {
    return report(error);
  }
}
