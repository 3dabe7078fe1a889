/** The help texts: the general one lists every command module; a command's own is its module's help and the common parts. */
import { commandNamed, DEFAULT_WAIT } from './args.js';
import { allCommands } from './commands/index.js';

const COMMON_OPTIONS = `Common options:
  --workspace UUID    The workspace the runs belong to (workspace_uuid).
  --page-size N       Responses per request (the API's limit), not a cap on the output.
  --wait[=DURATION]   Wait for a run that is still being scored to finish (default ${DEFAULT_WAIT}),
                      polling with backoff and showing its progress on stderr. DURATION: 90s, 5m,
                      1h30m, 500ms; a plain number is seconds. Without --wait a run that is not
                      finished is not gated: exit 5.
  --report FORMAT=FILE
                      summary and compare: also write the report in FORMAT (one of --format's) to
                      FILE, from the same data (repeatable: --report junit=eval.xml --report
                      html=eval.html), so CI reads each run once; --format still chooses stdout's.
                      A FILE that cannot be written is an error on stderr after the report and the
                      verdict: exit 2, or 1 when the gate failed anyway.
  --pr-comment        summary and compare, in GitHub Actions on a pull request: post the markdown
                      report as a comment on the pull request, updating the same comment next time.
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
  1  the gate failed (--fail-under, --fail-on-regression, --max-drop, --alpha, --require-baseline,
     or a comparison that is not sound: duplicate prompt_uuids, cases missing from the candidate)
  2  usage error, bad input, AYMARA_AI_API_KEY missing, or a --report FILE that cannot be written
  3  the API answered an error, or a response failed validation
  4  network error or timeout
  5  a run is not finished (still being scored, or failed): it is not gated
  70 unexpected internal error (a bug: please report it)`;

export const HELP = `aymara-ai: read and gate Aymara eval runs from the command line

Usage:
${allCommands.map((command) => command.usage).join('\n')}

Commands:
${allCommands.map((command) => `  ${command.name.padEnd(12)}${command.about}`).join('\n')}

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
  aymara-ai compare latest 5f0c... --baseline-name 'main-*' --report html=aymara.html
  aymara-ai responses 5f0c... --format csv > responses.csv
  aymara-ai responses 5f0c... --format ndjson | jq 'select(.is_passed == false)'
`;

/** The help for a command, or the general help (for none, or a name that is no command). */
export function helpFor(name: string | undefined): string {
  const command = commandNamed(name);
  if (command === undefined) return HELP;
  // A command without the API takes none of the common options and has none of their exit codes.
  if ('local' in command) return command.help;
  return `${command.help}\n${COMMON_OPTIONS}\n\n${ENVIRONMENT}\n\n${EXIT_CODES}\n`;
}
