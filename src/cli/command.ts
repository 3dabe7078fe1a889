/**
 * What a command module declares. main.ts, args.ts and help.ts know the commands only through this: a new
 * command is a new module in commands/, a new format a row in its command's format table.
 */
import type { AymaraAI } from 'aymara-ai';
import type { Flag, FlagArgs } from './flags.js';
import type { ProgressBar } from './progress.js';
import type { Stdout } from './stdout.js';
import { UsageError } from './values.js';

/** A command line, parsed: the command, its runs, the common flags and its own. */
export type CliArgs = {
  command: string;
  /** The run to read (`responses`, `summary`), or the baseline (`compare`). */
  evalRunUUID: string;
  /** `compare` only: the candidate run. */
  candidateRunUUID: string | undefined;
  format: string;
  workspace: string | undefined;
  pageSize: number | undefined;
  /** `--wait[=DURATION]` in ms; undefined without `--wait`. */
  waitMs: number | undefined;
  baseURL: string | undefined;
  quiet: boolean;
} & FlagArgs;

/** One invocation of a command: its client, arguments, stdout, and the progress bar when one is drawn. */
export interface RunContext {
  client: AymaraAI;
  args: CliArgs;
  stdout: Stdout;
  progress: ProgressBar | undefined;
}

/** The runs a command reads, from its positional arguments. */
export interface Operands {
  evalRunUUID: string;
  candidateRunUUID: string | undefined;
}

/** Renders a command's computed data in one format: several formats can come from one read of the data. */
export type Render<Data> = (data: Data) => string | Promise<string>;

/** What the help and the parser know of any command. */
interface CommandBase {
  name: string;
  /** Its line under `Commands:` in the general help. */
  about: string;
  /** Its lines under `Usage:` in the general help. */
  usage: string;
  /** Its own help, which the common options, environment and exit codes follow. */
  help: string;
  /** The flags it takes beyond the common ones. */
  flags: readonly Flag[];
}

/** A command that reads the API: it takes the common flags and gets a client. */
export interface Command extends CommandBase {
  /** Its format table, by name; the first is the default. Only the command reads the rows. */
  formats: Readonly<Record<string, unknown>>;
  /** Its runs from the positionals after its name; `waitGiven` is whether --wait was. */
  operands(positionals: readonly string[], waitGiven: boolean): Operands;
  /** Runs it; returns the exit code. */
  run(ctx: RunContext): Promise<number>;
}

/**
 * A command that runs without the API (`mock`): no key, no client, none of the common flags, no operands. Its own
 * help is the whole of it.
 */
export interface LocalCommand extends CommandBase {
  local: true;
  /** Runs it on its flags; returns the exit code. */
  run(flags: FlagArgs, stdout: Stdout): Promise<number>;
}

/** The row of `format` in a format table; the parser has checked the name, so a miss is a bug. */
export function formatOf<Row>(formats: Readonly<Record<string, Row>>, format: string): Row {
  const row = formats[format];
  if (row === undefined) throw new Error(`no ${JSON.stringify(format)} format in this command's table`);
  return row;
}

/** Operands of a command that reads one run: `aymara-ai NAME <eval_run_uuid>`. */
export function oneRun(name: string): Command['operands'] {
  return ([first, ...stray], waitGiven) => {
    if (first === undefined) throw new UsageError(`Missing <eval_run_uuid>: aymara-ai ${name} <eval_run_uuid>`);
    const extra = stray[0];
    if (extra !== undefined) {
      const hint = /^\d/.test(extra) && waitGiven ? ' (give --wait its duration after an =: --wait=5m)' : '';
      throw new UsageError(`Unexpected argument ${JSON.stringify(extra)}${hint}`);
    }
    return { evalRunUUID: first, candidateRunUUID: undefined };
  };
}
