/**
 * The options of a command line checked one by one, before node's strict parser sees them, so that every mistake
 * is told in the CLI's own terms: an unknown option names the nearest known one, an option of another command
 * names the commands that take it, a missing or unwanted value says so. Node's own messages (about positionals
 * and `--`) never reach the user.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { closestName } from '../internal/closest-name.js';
import type { Command, LocalCommand } from './command.js';
import { allCommands, commands } from './commands/index.js';
import { FLAGS, type Flag } from './flags.js';
import { UsageError } from './values.js';

type AnyCommand = Command | LocalCommand;

/** `a`, `a and b`, `a, b and c`. */
export function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

const seeHelp = (command: AnyCommand | undefined) => `see aymara-ai ${command ? `${command.name} ` : ''}--help`;

/** `unknown option --fail-undr; did you mean --fail-under?`, with the command the suggestion belongs to when it is another's. */
function unknownOption(written: string, key: string, options: ParseArgsOptionsConfig, command: AnyCommand | undefined): UsageError {
  const near = closestName(key, Object.keys(options));
  if (near === undefined) return new UsageError(`unknown option ${written} (${seeHelp(command)})`);
  const flag = Object.values(FLAGS).find((f) => f.name === near);
  const takers = takersOf(near, flag);
  const elsewhere = command !== undefined && !takers.includes(command.name) ? ` (an option of ${listed(takers)})` : '';
  return new UsageError(`unknown option ${written}; did you mean --${near}?${elsewhere}`);
}

/** The commands that take an option: a command's own flag, or a common one (every command that reads the API). */
function takersOf(name: string, flag: Flag | undefined): string[] {
  if (flag !== undefined) return allCommands.filter((c) => c.flags.includes(flag)).map((c) => c.name);
  if (name === 'help' || name === 'version') return allCommands.map((c) => c.name);
  return commands.map((c) => c.name);
}

/** An option the parser knows, given to a command that does not take it. */
export function notAnOptionOf(name: string, command: AnyCommand): UsageError {
  const flag = Object.values(FLAGS).find((f) => f.name === name);
  const takers = takersOf(name, flag);
  const who = takers.length === 1 ? `only ${takers[0] ?? ''} takes it` : `${listed(takers)} take it`;
  return new UsageError(`--${name} is not an option of ${command.name}; ${who} (${seeHelp(command)})`);
}

/**
 * Checks each option of `args` against `options`; throws a UsageError for the first that is unknown, lacks its value
 * or has one it does not take. `command` is the one the positionals name, if any, for the hints.
 */
export function checkOptionTokens(args: readonly string[], options: ParseArgsOptionsConfig, command: AnyCommand | undefined): void {
  const { tokens } = parseArgs({ args: [...args], allowPositionals: true, strict: false, options, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const raw = args[token.index] ?? token.rawName;
    // `-fail-under` is read by node as the short options -f -a -i ...: unless each letter is a short option, it is
    // a long option with one dash too few.
    if (!raw.startsWith('--') && raw.length > 2) {
      const key = raw.slice(1).split('=')[0] ?? '';
      const shorts = new Set(Object.values(options).flatMap((o) => (o.short === undefined ? [] : [o.short])));
      if (![...key].every((letter) => shorts.has(letter))) {
        if (options[key] !== undefined) throw new UsageError(`unknown option -${key}; did you mean --${key}?`);
        throw unknownOption(`-${key}`, key, options, command);
      }
    }
    const spec = options[token.name];
    if (spec === undefined) throw unknownOption(token.rawName, token.name, options, command);
    if (spec.type === 'boolean' && token.value !== undefined) throw new UsageError(`${token.rawName} takes no value; got ${raw}`);
    if (spec.type === 'string') {
      if (token.value === undefined) throw new UsageError(`${token.rawName} needs a value: ${token.rawName} VALUE (${seeHelp(command)})`);
      if (!token.inlineValue && token.value.startsWith('-'))
        throw new UsageError(
          `${token.rawName} needs a value, and is followed by ${token.value} (for a value that starts with -, write ${token.rawName}=VALUE)`,
        );
    }
  }
}
