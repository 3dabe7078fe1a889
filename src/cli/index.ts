#!/usr/bin/env node
/** The `aymara-ai` bin: runs the CLI on the process's arguments (the logic is in main.ts, testable in-process). */
import { EXIT } from './exit.js';
import { main } from './main.js';
import { Stdout } from './stdout.js';

const stdout = new Stdout();

// A closed pipe (`aymara-ai responses ... | head`) is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  if (stdout.close()) process.exit(EXIT.ok);
});

process.exitCode = await main(process.argv.slice(2), stdout);
