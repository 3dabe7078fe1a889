/** Every command of the CLI, in the order the help lists them: a new command is a module here and a line below. */
import type { Command } from '../command.js';
import { compare } from './compare.js';
import { responses } from './responses.js';
import { summary } from './summary.js';

export const commands: readonly Command[] = [responses, summary, compare];
