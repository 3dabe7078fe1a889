/** The command line: the common flags, then the command's own flags, format and runs, as its module declares them. */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { closestName } from '../internal/closest-name.js';
import type { CliArgs, Command, LocalCommand } from './command.js';
import { allCommands } from './commands/index.js';
import { FLAGS, readFlags, type FlagArgs } from './flags.js';
import { checkOptionTokens, listed, notAnOptionOf } from './option-tokens.js';
import { parseDuration, parsePageSize, UsageError } from './values.js';

/** The commands' names, in the help's order. */
export const COMMANDS: readonly string[] = allCommands.map((command) => command.name);

/** How long `--wait` alone waits for a run to finish. */
export const DEFAULT_WAIT = '10m';

export type { CliArgs };

export type Parsed =
  | { kind: 'help'; command: string | undefined }
  | { kind: 'version' }
  | { kind: 'run'; args: CliArgs }
  | { kind: 'local'; command: LocalCommand; flags: FlagArgs };

const COMMON_FLAGS: ParseArgsOptionsConfig = {
  format: { type: 'string' },
  workspace: { type: 'string' },
  'page-size': { type: 'string' },
  wait: { type: 'string' },
  'base-url': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
};

/**
 * Every command's flags are known to the parser, so one given to the wrong command is named as such (see its
 * help) rather than as an unknown option.
 */
const OPTIONS: ParseArgsOptionsConfig = {
  ...COMMON_FLAGS,
  ...Object.fromEntries(Object.values(FLAGS).map((flag) => [flag.name, { type: flag.type, multiple: 'multiple' in flag && flag.multiple }])),
};

/** The module of a command by name, or undefined. */
export function commandNamed(name: string | undefined): Command | LocalCommand | undefined {
  return allCommands.find((command) => command.name === name);
}

function unknownCommand(name: string): UsageError {
  const near = closestName(name, COMMANDS);
  const quoted = JSON.stringify(name);
  return new UsageError(
    near === undefined
      ? `unknown command ${quoted}: expected ${listed([...COMMANDS]).replace(/ and /, ' or ')}`
      : `unknown command ${quoted}; did you mean ${near}?`,
  );
}

/** A command that runs without the API takes its own flags only, and no operands. */
function parseLocal(command: LocalCommand, values: Readonly<Record<string, unknown>>, operands: readonly string[]): Parsed {
  const extra = operands[0];
  if (extra !== undefined) throw new UsageError(`Unexpected argument ${JSON.stringify(extra)} (aymara-ai ${command.name} takes options only)`);
  for (const name of Object.keys(COMMON_FLAGS)) if (values[name] !== undefined) throw notAnOptionOf(name, command);
  return { kind: 'local', command, flags: readFlags(values) };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function parseCli(argv: readonly string[]): Parsed {
  const secretFlag = argv.find((a) => /^--?(api-?key|key|token)(=|$)/i.test(a));
  if (secretFlag)
    throw new UsageError('The API key is never accepted on the command line (it would show in process lists and shell history): set AYMARA_AI_API_KEY');
  // `--wait` takes an optional value, which node's parser cannot express: a bare `--wait` means the default.
  // Its value must follow an `=`, so `--wait 5m` is read as `--wait` and a stray argument (a usage error).
  const args = argv.map((a) => (a === '--wait' ? `--wait=${DEFAULT_WAIT}` : a));
  const loose = parseArgs({ args, allowPositionals: true, strict: false, options: OPTIONS });
  const [name, ...operands] = loose.positionals;
  const command = commandNamed(name);
  if (loose.values.help === true) return { kind: 'help', command: command?.name };
  if (loose.values.version === true) return { kind: 'version' };
  checkOptionTokens(args, OPTIONS, command);
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    // checkOptionTokens has told every mistake node's parser knows of; this is a safety net, in its own words.
    throw new UsageError(`the options cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  const { values } = parsed;
  if (name === undefined) throw new UsageError(`Missing command: ${COMMANDS.join(', ')}`);
  if (command === undefined) throw unknownCommand(name);
  for (const flag of Object.values(FLAGS)) {
    const given = values[flag.name];
    if (given !== undefined && !(Array.isArray(given) && given.length === 0) && !command.flags.includes(flag)) throw notAnOptionOf(flag.name, command);
  }
  if ('local' in command) return parseLocal(command, values, operands);
  const wait = text(values.wait);
  const runs = command.operands(operands, wait !== undefined);
  const formats = Object.keys(command.formats);
  const format = text(values.format) ?? formats[0] ?? '';
  if (!formats.includes(format)) throw new UsageError(`--format for ${command.name} must be one of ${formats.join(', ')}; got ${JSON.stringify(format)}`);
  const flags = readFlags(values);
  for (const report of flags.report) {
    if (!formats.includes(report.format))
      throw new UsageError(`--report for ${command.name} takes one of ${formats.join(', ')} before the =; got ${JSON.stringify(report.format)}`);
  }
  const workspace = text(values.workspace);
  if (workspace !== undefined && workspace.trim() === '') throw new UsageError('--workspace must not be empty');
  const pageSize = text(values['page-size']);
  return {
    kind: 'run',
    args: {
      command: command.name,
      ...runs,
      format,
      workspace,
      pageSize: pageSize === undefined ? undefined : parsePageSize(pageSize),
      ...flags,
      waitMs: wait === undefined ? undefined : parseDuration(wait),
      baseURL: text(values['base-url']),
      quiet: values.quiet === true,
    },
  };
}
