import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export const COMMANDS = ['responses', 'summary', 'compare'] as const;
export type Command = (typeof COMMANDS)[number];
const FORMATS: Record<Command, readonly string[]> = {
  responses: ['table', 'json', 'ndjson', 'csv', 'junit'],
  summary: ['table', 'json', 'markdown'],
  compare: ['table', 'json', 'markdown', 'junit'],
};
/** The flags each command takes beyond the common ones; any other is a usage error, not silently ignored. */
const OWN_FLAGS: Record<Command, readonly string[]> = {
  responses: ['fail-under'],
  summary: ['fail-under'],
  compare: ['fail-on-regression', 'max-drop', 'alpha'],
};

/** How long `--wait` alone waits for a run to finish. */
export const DEFAULT_WAIT = '10m';

export interface CliArgs {
  command: Command;
  /** The run to read (`responses`, `summary`), or the baseline (`compare`). */
  evalRunUUID: string;
  /** `compare` only: the candidate run. */
  candidateRunUUID: string | undefined;
  format: string;
  workspace: string | undefined;
  pageSize: number | undefined;
  failUnder: number | undefined;
  failOnRegression: boolean;
  maxDrop: number | undefined;
  alpha: number | undefined;
  /** `--wait[=DURATION]` in ms; undefined without `--wait`. */
  waitMs: number | undefined;
  baseURL: string | undefined;
  quiet: boolean;
}

export type Parsed = { kind: 'help'; command: Command | undefined } | { kind: 'version' } | { kind: 'run'; args: CliArgs };

const COMMON_OPTIONS = `Common options:
  --workspace UUID    The workspace the runs belong to (workspace_uuid).
  --page-size N       Responses per request (the API's limit), not a cap on the output.
  --wait[=DURATION]   Wait for a run that is still being scored to finish (default ${DEFAULT_WAIT}),
                      polling with backoff and showing its progress on stderr. DURATION: 90s, 5m,
                      1h30m, 500ms; a plain number is seconds. Without --wait a run that is not
                      finished is not gated: exit 5.
  --base-url URL      API base URL (default: $AYMARA_AI_BASE_URL or https://api.aymara.ai).
  --quiet             No progress and no notes on stderr; errors are still printed.
  -h, --help          Show help (also after a command: aymara-ai compare --help).
  -v, --version       Show the version.`;

const ENVIRONMENT = `Environment:
  AYMARA_AI_API_KEY   Your API key (required). It is never accepted as an argument.
  AYMARA_AI_BASE_URL  API base URL.
  AYMARA_AI_LOG       SDK log level on stderr: off, error, warn (default), info, debug.
  GITHUB_ACTIONS      When "true": summary and compare append their markdown report to
                      $GITHUB_STEP_SUMMARY (when set) and annotate up to 10 failed or regressed
                      prompts with ::error.`;

const EXIT_CODES = `Exit codes:
  0  ok
  1  the gate failed (--fail-under, --fail-on-regression, --max-drop, --alpha, or a comparison
     that is not sound: duplicate prompt_uuids, cases missing from the candidate)
  2  usage error, bad input, or AYMARA_AI_API_KEY missing
  3  the API answered an error, or a response failed validation
  4  network error or timeout
  5  a run is not finished (still being scored, or failed): it is not gated
  70 unexpected internal error (a bug: please report it)`;

export const HELP = `aymara-ai: read and gate Aymara eval runs from the command line

Usage:
  aymara-ai responses <eval_run_uuid> [--format table|json|ndjson|csv|junit] [options]
  aymara-ai summary   <eval_run_uuid> [--format table|json|markdown] [--fail-under RATE] [options]
  aymara-ai compare   <baseline_run> <candidate_run> [--format table|json|markdown|junit]
                      [--fail-on-regression] [--max-drop RATE] [--alpha P] [options]

Commands:
  responses   Print every scored response of the run (all pages).
  summary     Print the totals, the pass rate and a breakdown by content type.
  compare     Compare a candidate run with a baseline run of the same eval, prompt by prompt.

Run 'aymara-ai <command> --help' for a command's own options.

Output goes to stdout (data only, so pipes stay clean); progress, notes and errors to stderr.
A progress bar is shown only when stderr is a terminal. Control characters in the server's
text are shown escaped (\\x1b, \\u202e) in every format.

${COMMON_OPTIONS}

${ENVIRONMENT}

${EXIT_CODES}

Examples:
  aymara-ai summary 5f0c... --fail-under 0.9 --wait
  aymara-ai compare 1a2b... 5f0c... --fail-on-regression --alpha 0.05 --format junit > aymara.xml
  aymara-ai responses 5f0c... --format csv > responses.csv
  aymara-ai responses 5f0c... --format ndjson | jq 'select(.is_passed == false)'
`;

const COMMAND_HELP: Record<Command, string> = {
  responses: `aymara-ai responses: print every scored response of a run

Usage:
  aymara-ai responses <eval_run_uuid> [--format table|json|ndjson|csv|junit] [--fail-under RATE] [options]

Options:
  --format FORMAT     table (default), json (one array), ndjson (one response per line),
                      csv (one column per scalar field; cells a spreadsheet would run as a
                      formula get a leading '), junit (JUnit XML: a testcase per response;
                      failed -> <failure> with the explanation, excluded or unscored -> <skipped>).
  --fail-under RATE   Exit 1 when the pass rate is under RATE: a fraction (0.9) or a percentage (90%).
                      The run must be finished (see --wait).
`,
  summary: `aymara-ai summary: the totals and the pass rate of a finished run

Usage:
  aymara-ai summary <eval_run_uuid> [--format table|json|markdown] [--fail-under RATE] [options]

Counts total, passed, failed, refused (ai_refused), excluded (exclude_from_scoring) and unscored
(is_passed null, not excluded), overall and by content type. The pass rate is
passed / (passed + failed), over responses not excluded from scoring.

Options:
  --format FORMAT     table (default), json, markdown (a report for a pull request or a job summary).
  --fail-under RATE   Exit 1 when the pass rate is under RATE: a fraction (0.9) or a percentage (90%).
                      With nothing scored the rate is undefined and the gate fails.
`,
  compare: `aymara-ai compare: compare a candidate run with a baseline run, prompt by prompt

Usage:
  aymara-ai compare <baseline_run> <candidate_run> [--format table|json|markdown|junit]
                    [--fail-on-regression] [--max-drop RATE] [--alpha P] [options]

Pairs the two runs' responses by prompt_uuid (both runs are read concurrently, and must be
finished) and reports:
  regressed      passed in the baseline; failed, unscored, excluded or missing in the candidate
                 (a missing case is not a passing case)
  fixed          not passed in the baseline, passed in the candidate
  still failing  passed in neither
  new            only in the candidate
and the pass-rate change, with the regressed prompts and their explanations.

Gates (exit 1):
  always                  a run repeats a prompt_uuid, or the candidate lacks cases of the
                          baseline: the comparison would not be sound. The report names them.
  --fail-on-regression    any case regressed.
  --alpha P               a regression fails only when McNemar's exact test (one-sided, on the
                          regressed against the fixed cases) says the candidate is worse with
                          p < P, so a non-deterministic judge flipping a few cases both ways does
                          not block a build. A case that became unscored or excluded still fails:
                          that is missing data, not noise. Implies --fail-on-regression.
  --max-drop RATE         the pass rate fell by more than RATE, in points: 0.05 or 5% (fails too
                          when either rate is undefined).

Options:
  --format FORMAT     table (default), json, markdown (a report for a pull request or a job
                      summary), junit (a testcase per prompt: regressed -> <failure>, still failing
                      or new and not passing -> <skipped>, the rest pass).
`,
};

/** The help for a command, or the general help. */
export function helpFor(command: Command | undefined): string {
  if (command === undefined) return HELP;
  return `${COMMAND_HELP[command]}\n${COMMON_OPTIONS}\n\n${ENVIRONMENT}\n\n${EXIT_CODES}\n`;
}

/** `0.9`, `90%` -> 0.9; from 0 to 1. */
export function parseRate(value: string, flag = '--fail-under'): number {
  const text = value.trim();
  const problem = `${flag} must be a fraction from 0 to 1 (0.9) or a percentage (90%); got ${JSON.stringify(value)}`;
  // Plain decimals only: `0x1`, `1e-1` and the like are typos more often than intent.
  if (!/^(\d+(\.\d*)?|\.\d+)%?$/.test(text)) throw new UsageError(problem);
  const percent = text.endsWith('%');
  const number = Number(percent ? text.slice(0, -1) : text);
  const rate = percent ? number / 100 : number;
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new UsageError(problem);
  return rate;
}

/** A significance level: strictly between 0 and 1 (`0.05` or `5%`). */
export function parseAlpha(value: string): number {
  const problem = `--alpha must be a significance level strictly between 0 and 1 (0.05, or 5%); got ${JSON.stringify(value)}`;
  let alpha: number;
  try {
    alpha = parseRate(value, '--alpha');
  } catch {
    throw new UsageError(problem);
  }
  if (alpha <= 0 || alpha >= 1) throw new UsageError(problem);
  return alpha;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `5m`, `1h30m`, `500ms`, `1.5h`; a plain number is seconds (as for `sleep` and `timeout`). */
export function parseDuration(value: string): number {
  const text = value.trim().toLowerCase();
  const problem = `--wait must be a duration such as 30s, 5m, 1h30m or 500ms (a plain number is seconds); got ${JSON.stringify(value)}`;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) throw new UsageError(problem);
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(amount) * (UNIT_MS[unit as string] as number);
  if (!Number.isFinite(ms)) throw new UsageError(problem);
  return Math.round(ms);
}

function parsePageSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--page-size must be an integer >= 1; got ${JSON.stringify(value)}`);
  return n;
}

export function parseCli(argv: readonly string[]): Parsed {
  const secretFlag = argv.find((a) => /^--?(api-?key|key|token)(=|$)/i.test(a));
  if (secretFlag)
    throw new UsageError('The API key is never accepted on the command line (it would show in process lists and shell history): set AYMARA_AI_API_KEY');
  // `--wait` takes an optional value, which node's parser cannot express: a bare `--wait` means the default.
  // Its value must follow an `=`, so `--wait 5m` is read as `--wait` and a stray argument (a usage error).
  const args = argv.map((a) => (a === '--wait' ? `--wait=${DEFAULT_WAIT}` : a));
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string' },
        workspace: { type: 'string' },
        'page-size': { type: 'string' },
        'fail-under': { type: 'string' },
        'fail-on-regression': { type: 'boolean' },
        'max-drop': { type: 'string' },
        alpha: { type: 'string' },
        wait: { type: 'string' },
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
  const [command, first, second, ...extra] = positionals;
  const known = (COMMANDS as readonly string[]).includes(command ?? '') ? (command as Command) : undefined;
  if (values.help) return { kind: 'help', command: known };
  if (values.version) return { kind: 'version' };
  if (command === undefined) throw new UsageError(`Missing command: ${COMMANDS.join(', ')}`);
  if (known === undefined) throw new UsageError(`Unknown command ${JSON.stringify(command)}: expected ${COMMANDS.join(', ')}`);
  const cmd = known;
  if (cmd === 'compare') {
    if (first === undefined || second === undefined) throw new UsageError('Missing run: aymara-ai compare <baseline_run> <candidate_run>');
    if (extra.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(extra[0])}`);
  } else {
    if (first === undefined) throw new UsageError(`Missing <eval_run_uuid>: aymara-ai ${cmd} <eval_run_uuid>`);
    const stray = second ?? extra[0];
    if (stray !== undefined) {
      const hint = /^\d/.test(stray) && values.wait !== undefined ? ' (give --wait its duration after an =: --wait=5m)' : '';
      throw new UsageError(`Unexpected argument ${JSON.stringify(stray)}${hint}`);
    }
  }
  for (const flag of Object.values(OWN_FLAGS).flat()) {
    if (values[flag as keyof typeof values] !== undefined && !OWN_FLAGS[cmd].includes(flag)) {
      throw new UsageError(`--${flag} is not an option of ${cmd} (see aymara-ai ${cmd} --help)`);
    }
  }
  const format = values.format ?? 'table';
  if (!FORMATS[cmd].includes(format)) throw new UsageError(`--format for ${cmd} must be one of ${FORMATS[cmd].join(', ')}; got ${JSON.stringify(format)}`);
  if (values.workspace !== undefined && values.workspace.trim() === '') throw new UsageError('--workspace must not be empty');
  return {
    kind: 'run',
    args: {
      command: cmd,
      evalRunUUID: first,
      candidateRunUUID: cmd === 'compare' ? second : undefined,
      format,
      workspace: values.workspace,
      pageSize: values['page-size'] === undefined ? undefined : parsePageSize(values['page-size']),
      failUnder: values['fail-under'] === undefined ? undefined : parseRate(values['fail-under']),
      failOnRegression: values['fail-on-regression'] ?? false,
      maxDrop: values['max-drop'] === undefined ? undefined : parseRate(values['max-drop'], '--max-drop'),
      alpha: values.alpha === undefined ? undefined : parseAlpha(values.alpha),
      waitMs: values.wait === undefined ? undefined : parseDuration(values.wait),
      baseURL: values['base-url'],
      quiet: values.quiet ?? false,
    },
  };
}
