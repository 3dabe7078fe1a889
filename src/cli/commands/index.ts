/** Every command of the CLI, in the order the help lists them: a new command is a module here and a line below. */
import type { Command, LocalCommand } from '../command.js';
import { compare } from './compare.js';
import { mock } from './mock.js';
import { responses } from './responses.js';
import { summary } from './summary.js';

/** The commands that read the API. */
export const commands: readonly Command[] = [responses, summary, compare];

/** The commands that run without it. */
export const localCommands: readonly LocalCommand[] = [mock];

export const allCommands: readonly (Command | LocalCommand)[] = [...commands, ...localCommands];
