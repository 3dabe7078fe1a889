import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export const COMMANDS = ['responses', 'summary'] as const;
export type Command = (typeof COMMANDS)[number];
const FORMATS: Record<Command, readonly string[]> = { responses: ['table', 'json', 'ndjson', 'csv'], summary: ['table', 'json'] };

export interface CliArgs {
  command: Command;
  evalRunUUID: string;
  format: string;
  workspace: string | undefined;
  pageSize: number | undefined;
  failUnder: number | undefined;
  baseURL: string | undefined;
  quiet: boolean;
}

export type Parsed = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; args: CliArgs };

export const HELP = `aymara-ai: read and gate Aymara eval runs from the command line

Usage:
  aymara-ai responses <eval_run_uuid> [--format table|json|ndjson|csv] [options]
  aymara-ai summary   <eval_run_uuid> [--format table|json] [options]

Commands:
  responses   Print every scored response of the run (all pages).
  summary     Print the totals, the pass rate and a breakdown by content type.

Options:
  --format FORMAT     Output format (default: table).
                      responses: table, json (one array), ndjson (one per line), csv
                      summary:   table, json
  --workspace UUID    The workspace the run belongs to (workspace_uuid).
  --page-size N       Responses per request (the API's limit), not a cap on the output.
  --fail-under RATE   Exit 1 when the pass rate is under RATE: a fraction (0.9) or a percentage (90%).
                      The pass rate is passed / (passed + failed), over responses not excluded
                      from scoring; with nothing scored it is undefined and the gate fails.
  --base-url URL      API base URL (default: $AYMARA_AI_BASE_URL or https://api.aymara.ai).
  --quiet             No progress bar and no notes on stderr; errors are still printed.
  -h, --help          Show this help.
  -v, --version       Show the version.

Environment:
  AYMARA_AI_API_KEY   Your API key (required). It is never accepted as an argument.
  AYMARA_AI_BASE_URL  API base URL.
  AYMARA_AI_LOG       SDK log level on stderr: off, error, warn (default), info, debug.

Output goes to stdout (data only, so pipes stay clean); progress and errors to stderr.
A progress bar is shown only when stderr is a terminal.

Exit codes:
  0  ok
  1  the pass rate is under --fail-under (or undefined)
  2  usage error, bad input, or AYMARA_AI_API_KEY missing
  3  the API answered an error, or a response failed validation
  4  network error or timeout
  70 unexpected internal error (a bug: please report it)

Examples:
  aymara-ai summary 5f0c... --fail-under 0.9
  aymara-ai responses 5f0c... --format csv > responses.csv
  aymara-ai responses 5f0c... --format ndjson | jq 'select(.is_passed == false)'
`;

/** `0.9`, `90%` -> 0.9. */
export function parseRate(value: string): number {
  const text = value.trim();
  // Plain decimals only: `0x1`, `1e-1` and the like are typos more often than intent.
  if (!/^(\d+(\.\d*)?|\.\d+)%?$/.test(text)) {
    throw new UsageError(`--fail-under must be a fraction from 0 to 1 (0.9) or a percentage (90%); got ${JSON.stringify(value)}`);
  }
  const percent = text.endsWith('%');
  const number = Number(percent ? text.slice(0, -1) : text);
  const rate = percent ? number / 100 : number;
  if (text === '' || text === '%' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new UsageError(`--fail-under must be a fraction from 0 to 1 (0.9) or a percentage (90%); got ${JSON.stringify(value)}`);
  }
  return rate;
}

function parsePageSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--page-size must be an integer >= 1; got ${JSON.stringify(value)}`);
  return n;
}

export function parseCli(argv: readonly string[]): Parsed {
  const secretFlag = argv.find((a) => /^--?(api-?key|key|token)(=|$)/i.test(a));
  if (secretFlag) throw new UsageError('The API key is never accepted on the command line (it would show in process lists and shell history): set AYMARA_AI_API_KEY');
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string' },
        workspace: { type: 'string' },
        'page-size': { type: 'string' },
        'fail-under': { type: 'string' },
        'base-url': { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [command, evalRunUUID, ...extra] = positionals;
  if (command === undefined) throw new UsageError('Missing command: responses or summary');
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`Unknown command ${JSON.stringify(command)}: expected responses or summary`);
  if (evalRunUUID === undefined) throw new UsageError(`Missing <eval_run_uuid>: aymara-ai ${command} <eval_run_uuid>`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(extra[0])}`);
  const cmd = command as Command;
  const format = values.format ?? 'table';
  if (!FORMATS[cmd].includes(format)) throw new UsageError(`--format for ${cmd} must be one of ${FORMATS[cmd].join(', ')}; got ${JSON.stringify(format)}`);
  if (values.workspace !== undefined && values.workspace.trim() === '') throw new UsageError('--workspace must not be empty');
  return {
    kind: 'run',
    args: {
      command: cmd,
      evalRunUUID,
      format,
      workspace: values.workspace,
      pageSize: values['page-size'] === undefined ? undefined : parsePageSize(values['page-size']),
      failUnder: values['fail-under'] === undefined ? undefined : parseRate(values['fail-under']),
      baseURL: values['base-url'],
      quiet: values.quiet ?? false,
    },
  };
}
