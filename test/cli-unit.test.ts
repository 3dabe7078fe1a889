/**
 * The `aymara-ai` command line, in-process: the argument parser, the output formatters, the progress bar
 * and `main(argv)` against the mock API of `aymara-ai/testing`. test/cli.test.ts runs the built bin as a child
 * process (as users run it); this file runs the same code where v8 coverage can see it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EvalScoredResponseSchema, VERSION, type EvalScoredResponse } from 'aymara-ai';
import { generateResponses, startMockServer, type MockFixtures, type MockServer } from 'aymara-ai/testing';
import { COMMANDS, parseCli, type CliArgs } from '../src/cli/args.js';
import { HELP, helpFor } from '../src/cli/help.js';
import { EXIT, main } from '../src/cli/main.js';
import { contentText, CSV_COLUMNS, csvHeader, csvRow, responsesTable, resultOf } from '../src/cli/output.js';
import { summaryJSON, summaryTable } from '../src/cli/summary-report.js';
import { summaryReportOf, withEvals } from './helpers/gate-reports.js';
import { formatRate } from '../src/cli/rate.js';
import { ProgressBar } from '../src/cli/progress.js';
import { parseAlpha, parseDuration, parseRate, UsageError } from '../src/cli/values.js';
import { closedPortURL, json, startServer } from './helpers/server.js';
import { expectDocumentsCLI } from './cli-harness.js';

type Item = Record<string, unknown>;

/** An item as the SDK returns it (the schema's defaults filled in). */
const resp = (item: Item): EvalScoredResponse => EvalScoredResponseSchema.parse(item);

/** What parseCli throws, checked to be a UsageError. */
function usageErrorOf(argv: readonly string[]): UsageError {
  try {
    parseCli(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`expected parseCli(${JSON.stringify(argv)}) to throw a UsageError`);
}

function runArgs(argv: readonly string[]): CliArgs {
  const parsed = parseCli(argv);
  if (parsed.kind !== 'run') throw new Error(`expected a run, got ${parsed.kind}`);
  return parsed.args;
}

// --- 1. parseCli / parseRate -------------------------------------------------------------------------------------

describe('parseCli', () => {
  it('defaults: table format, nothing else set', () => {
    expect(parseCli(['responses', 'run-1'])).toEqual({
      kind: 'run',
      args: {
        command: 'responses',
        evalRunUUID: 'run-1',
        format: 'table',
        workspace: undefined,
        pageSize: undefined,
        failUnder: undefined,
        candidateRunUUID: undefined,
        failOnRegression: false,
        maxDrop: undefined,
        alpha: undefined,
        baselineName: undefined,
        requireBaseline: false,
        report: [],
        prComment: false,
        waitMs: undefined,
        baseURL: undefined,
        quiet: false,
      },
    });
    expect(runArgs(['summary', 'run-2'])).toMatchObject({ command: 'summary', evalRunUUID: 'run-2', format: 'table', quiet: false });
    expect(runArgs(['compare', 'run-a', 'run-b'])).toMatchObject({
      command: 'compare',
      evalRunUUID: 'run-a',
      candidateRunUUID: 'run-b',
      failOnRegression: false,
    });
    expect(COMMANDS).toEqual(['responses', 'summary', 'compare', 'mock']);
  });

  it('every flag, in both the spaced and the = form, before or after the positionals', () => {
    const all = [
      '--format',
      'json',
      '--workspace',
      'ws-1',
      '--page-size',
      '50',
      '--fail-under',
      '90%',
      '--wait=90s',
      '--base-url',
      'http://127.0.0.1:9',
      '--quiet',
    ];
    const expected: CliArgs = {
      command: 'summary',
      evalRunUUID: 'run-1',
      candidateRunUUID: undefined,
      format: 'json',
      workspace: 'ws-1',
      pageSize: 50,
      failUnder: 0.9,
      failOnRegression: false,
      maxDrop: undefined,
      alpha: undefined,
      baselineName: undefined,
      requireBaseline: false,
      report: [],
      prComment: false,
      port: undefined,
      fixtures: undefined,
      waitMs: 90_000,
      baseURL: 'http://127.0.0.1:9',
      quiet: true,
    };
    expect(parseCli(['summary', 'run-1', ...all])).toEqual({ kind: 'run', args: expected });
    expect(runArgs([...all, 'summary', 'run-1'])).toEqual(expected);
    expect(
      runArgs([
        'summary',
        '--format=json',
        '--workspace=ws-1',
        '--page-size=50',
        '--fail-under=0.9',
        '--wait=1.5m',
        '--base-url=http://127.0.0.1:9',
        '-q',
        'run-1',
      ]),
    ).toEqual(expected);
    const compare = ['compare', 'base', 'cand', '--format', 'junit', '--fail-on-regression', '--max-drop', '5%', '--alpha=0.01', '--wait'];
    expect(runArgs(compare)).toMatchObject({
      command: 'compare',
      evalRunUUID: 'base',
      candidateRunUUID: 'cand',
      format: 'junit',
      failOnRegression: true,
      maxDrop: 0.05,
      alpha: 0.01,
      waitMs: 600_000,
    });
  });

  it('accepts each documented format per command', () => {
    for (const format of ['table', 'json', 'ndjson', 'csv', 'junit']) expect(runArgs(['responses', 'r', '--format', format]).format).toBe(format);
    for (const format of ['table', 'json', 'markdown']) expect(runArgs(['summary', 'r', '--format', format]).format).toBe(format);
    for (const format of ['table', 'json', 'markdown', 'junit']) expect(runArgs(['compare', 'a', 'b', '--format', format]).format).toBe(format);
  });

  it('--page-size: an integer >= 1, whitespace tolerated', () => {
    expect(runArgs(['responses', 'r', '--page-size', '1']).pageSize).toBe(1);
    expect(runArgs(['responses', 'r', '--page-size', '1000']).pageSize).toBe(1000);
    expect(runArgs(['responses', 'r', '--page-size', ' 7 ']).pageSize).toBe(7);
  });

  it('--help / -h and --version / -v, anywhere, win over everything else', () => {
    for (const argv of [['--help'], ['-h'], ['frobnicate', '-h'], ['--help', '--version']]) {
      expect(parseCli(argv)).toEqual({ kind: 'help', command: undefined });
    }
    for (const command of ['responses', 'summary', 'compare'] as const) {
      expect(parseCli([command, '--help'])).toEqual({ kind: 'help', command });
      expect(parseCli(['-h', command, 'r'])).toEqual({ kind: 'help', command });
    }
    for (const argv of [['--version'], ['-v'], ['summary', 'r', '-v']]) {
      expect(parseCli(argv)).toEqual({ kind: 'version' });
    }
  });

  it.each<[string, string[], RegExp]>([
    ['missing command', [], /^Missing command: responses, summary, compare, mock$/],
    ['unknown command', ['frobnicate', 'r'], /^unknown command "frobnicate": expected responses, summary, compare or mock$/],
    ['mistyped command', ['sumary', 'r'], /^unknown command "sumary"; did you mean summary\?$/],
    ['mistyped flag', ['summary', 'r', '--fail-undr', '0.8'], /^unknown option --fail-undr; did you mean --fail-under\?$/],
    ['mistyped flag, spelt with =', ['summary', 'r', '--fail-undr=0.8'], /^unknown option --fail-undr; did you mean --fail-under\?$/],
    ['mistyped flag of another command', ['summary', 'r', '--alpa', '0.05'], /^unknown option --alpa; did you mean --alpha\? \(an option of compare\)$/],
    ['mistyped common flag', ['compare', 'a', 'b', '--pagesize', '5'], /^unknown option --pagesize; did you mean --page-size\?$/],
    ['a long flag with one dash', ['summary', 'r', '-fail-under', '0.8'], /^unknown option -fail-under; did you mean --fail-under\?$/],
    ['a flag with one dash, mistyped', ['summary', 'r', '-formt', 'json'], /^unknown option -formt; did you mean --format\?$/],
    ['a flag of no command', ['summary', 'r', '--nope'], /^unknown option --nope \(see aymara-ai summary --help\)$/],
    ['a flag of no command, before the command', ['--nope'], /^unknown option --nope \(see aymara-ai --help\)$/],
    ['an unknown short flag', ['summary', 'r', '-x'], /^unknown option -x \(see aymara-ai summary --help\)$/],
    ['a string flag with no value', ['summary', 'r', '--format'], /^--format needs a value: --format VALUE \(see aymara-ai summary --help\)$/],
    [
      'a string flag followed by another flag',
      ['summary', 'r', '--format', '--quiet'],
      /^--format needs a value, and is followed by --quiet \(for a value that starts with -, write --format=VALUE\)$/,
    ],
    ['a boolean flag given a value', ['summary', 'r', '--quiet=yes'], /^--quiet takes no value; got --quiet=yes$/],
    ['--port for summary', ['summary', 'r', '--port', '8080'], /^--port is not an option of summary; only mock takes it \(see aymara-ai summary --help\)$/],
    [
      '--format for mock',
      ['mock', '--format', 'json'],
      /^--format is not an option of mock; responses, summary and compare take it \(see aymara-ai mock --help\)$/,
    ],
    ['an operand for mock', ['mock', 'run-1'], /^Unexpected argument "run-1" \(aymara-ai mock takes options only\)$/],
    ['--port 70000', ['mock', '--port', '70000'], /^--port must be a port number from 0 \(any free port\) to 65535; got "70000"$/],
    ['--port abc', ['mock', '--port', 'abc'], /^--port must be a port number/],
    ['compare without runs', ['compare'], /^Missing run: aymara-ai compare <baseline_run\|latest> <candidate_run>$/],
    ['compare with one run', ['compare', 'a'], /^Missing run: aymara-ai compare <baseline_run\|latest> <candidate_run>$/],
    ['compare with three runs', ['compare', 'a', 'b', 'c'], /^Unexpected argument "c"$/],
    ['--wait with a spaced value', ['summary', 'r', '--wait', '5m'], /^Unexpected argument "5m" \(give --wait its duration after an =: --wait=5m\)$/],
    ['--wait=soon', ['summary', 'r', '--wait=soon'], /^--wait must be a duration such as 30s, 5m, 1h30m or 500ms/],
    ['--wait=', ['summary', 'r', '--wait='], /^--wait must be a duration/],
    ['--wait=-5s', ['summary', 'r', '--wait=-5s'], /^--wait must be a duration/],
    ['--alpha 0', ['compare', 'a', 'b', '--alpha', '0'], /^--alpha must be a significance level strictly between 0 and 1/],
    ['--alpha 1', ['compare', 'a', 'b', '--alpha', '1'], /^--alpha must be a significance level strictly between 0 and 1/],
    ['--alpha abc', ['compare', 'a', 'b', '--alpha', 'abc'], /^--alpha must be a significance level/],
    ['--max-drop 2', ['compare', 'a', 'b', '--max-drop', '2'], /^--max-drop must be a fraction from 0 to 1/],
    [
      '--alpha for summary',
      ['summary', 'r', '--alpha', '0.05'],
      /^--alpha is not an option of summary; only compare takes it \(see aymara-ai summary --help\)$/,
    ],
    ['--fail-on-regression for responses', ['responses', 'r', '--fail-on-regression'], /^--fail-on-regression is not an option of responses/],
    ['--max-drop for summary', ['summary', 'r', '--max-drop', '0.1'], /^--max-drop is not an option of summary/],
    ['csv for compare', ['compare', 'a', 'b', '--format', 'csv'], /^--format for compare must be one of table, json, markdown, junit, html; got "csv"$/],
    [
      '--report csv for summary',
      ['summary', 'r', '--report', 'csv=a.csv'],
      /^--report for summary takes one of table, json, markdown, junit, html before the =; got "csv"$/,
    ],
    ['--report without =FILE', ['summary', 'r', '--report', 'junit'], /^--report must be FORMAT=FILE/],
    ['--report with an empty FILE', ['compare', 'a', 'b', '--report', 'junit='], /^--report must be FORMAT=FILE/],
    ['--report for responses', ['responses', 'r', '--report', 'json=a.json'], /^--report is not an option of responses; summary and compare take it/],
    ['--baseline-name for summary', ['summary', 'r', '--baseline-name', 'main-*'], /^--baseline-name is not an option of summary/],
    ['--pr-comment for responses', ['responses', 'r', '--pr-comment'], /^--pr-comment is not an option of responses/],
    ['missing run id (responses)', ['responses'], /^Missing <eval_run_uuid>: aymara-ai responses <eval_run_uuid>$/],
    ['missing run id (summary)', ['summary'], /^Missing <eval_run_uuid>: aymara-ai summary <eval_run_uuid>$/],
    ['extra positional', ['summary', 'r', 'extra-arg'], /^Unexpected argument "extra-arg"$/],
    ['extra positionals', ['responses', 'r', 'one', 'two'], /^Unexpected argument "one"$/],
    ['bad --format for responses', ['responses', 'r', '--format', 'xml'], /^--format for responses must be one of table, json, ndjson, csv, junit; got "xml"$/],
    ['csv for summary', ['summary', 'r', '--format', 'csv'], /^--format for summary must be one of table, json, markdown, junit, html; got "csv"$/],
    ['ndjson for summary', ['summary', 'r', '--format', 'ndjson'], /^--format for summary must be one of table, json, markdown, junit, html; got "ndjson"$/],
    ['--page-size 0', ['responses', 'r', '--page-size', '0'], /^--page-size must be an integer >= 1; got "0"$/],
    ['--page-size abc', ['responses', 'r', '--page-size', 'abc'], /^--page-size must be an integer >= 1; got "abc"$/],
    ['--page-size 1.5', ['responses', 'r', '--page-size', '1.5'], /^--page-size must be an integer >= 1; got "1.5"$/],
    ['--page-size -3', ['responses', 'r', '--page-size=-3'], /^--page-size must be an integer >= 1; got "-3"$/],
    ['--page-size 1e3', ['responses', 'r', '--page-size', '1e3'], /^--page-size must be an integer >= 1/],
    ['--page-size empty', ['responses', 'r', '--page-size', ''], /^--page-size must be an integer >= 1/],
    ['--page-size beyond a safe integer', ['responses', 'r', '--page-size', '99999999999999999999'], /^--page-size must be an integer >= 1/],
    ['--fail-under 1.5', ['summary', 'r', '--fail-under', '1.5'], /^--fail-under must be a fraction from 0 to 1 \(0\.9\) or a percentage \(90%\); got "1\.5"$/],
    ['--fail-under abc', ['summary', 'r', '--fail-under', 'abc'], /^--fail-under must be a fraction .*; got "abc"$/],
    ['--fail-under %', ['summary', 'r', '--fail-under', '%'], /^--fail-under must be a fraction .*; got "%"$/],
    ['--fail-under -0.1', ['summary', 'r', '--fail-under=-0.1'], /^--fail-under must be a fraction .*; got "-0\.1"$/],
    ['--fail-under 150%', ['summary', 'r', '--fail-under', '150%'], /^--fail-under must be a fraction .*; got "150%"$/],
    ['--fail-under empty', ['summary', 'r', '--fail-under', ''], /^--fail-under must be a fraction .*; got ""$/],
    ['empty --workspace', ['summary', 'r', '--workspace', ''], /^--workspace must not be empty$/],
    ['blank --workspace', ['summary', 'r', '--workspace', '   '], /^--workspace must not be empty$/],
  ])('usage error: %s', (_name, argv, message) => {
    const text = usageErrorOf(argv).message;
    expect(text).toMatch(message);
    // Never node's parser's own words, about positionals and `--`.
    expect(text).not.toMatch(/positional|'--'|ERR_PARSE_ARGS/);
  });

  it('a mistyped flag is found even with --help or --version absent, and help still wins when asked', () => {
    expect(parseCli(['sumary', '--help'])).toEqual({ kind: 'help', command: undefined });
    expect(parseCli(['mock', '--help'])).toEqual({ kind: 'help', command: 'mock' });
    expect(parseCli(['mock', '--port', '0', '--fixtures', 'f.json'])).toMatchObject({ kind: 'local', flags: { port: 0, fixtures: 'f.json' } });
  });

  it.each([
    ['--api-key', 'sk-SECRET-1'],
    ['--api-key=sk-SECRET-1'],
    ['--key', 'sk-SECRET-1'],
    ['--key=sk-SECRET-1'],
    ['--token', 'sk-SECRET-1'],
    ['--token=sk-SECRET-1'],
    ['--apikey', 'sk-SECRET-1'],
    ['-api-key', 'sk-SECRET-1'],
    ['--API-KEY', 'sk-SECRET-1'],
  ])('refuses the key as an argument: %s', (...flag) => {
    for (const argv of [
      ['summary', 'r', ...flag],
      [...flag, 'responses', 'r'],
      [...flag, '--help'],
    ]) {
      const error = usageErrorOf(argv);
      expect(error.message).toContain('AYMARA_AI_API_KEY');
      expect(error.message).toMatch(/never accepted on the command line/);
      expect(error.message).not.toContain('sk-SECRET-1');
    }
  });

  it('does not mistake other words for key flags', () => {
    expect(runArgs(['summary', 'token']).evalRunUUID).toBe('token');
    expect(runArgs(['summary', 'r', '--workspace', 'key']).workspace).toBe('key');
    expect(usageErrorOf(['summary', 'r', '--keyboard']).message).not.toContain('AYMARA_AI_API_KEY');
  });
});

describe('parseDuration', () => {
  it.each<[string, number]>([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2m30s', 150_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['0.5s', 500],
    ['90', 90_000],
    ['0', 0],
    [' 10M ', 600_000],
  ])('%s -> %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '5 m', '-5s', '5d', 'm', '1h-30m', '1e3s', '0x10s'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
  });
});

describe('parseAlpha', () => {
  it('a level strictly between 0 and 1, as a fraction or a percentage', () => {
    expect(parseAlpha('0.05')).toBe(0.05);
    expect(parseAlpha('5%')).toBe(0.05);
    expect(parseAlpha('.01')).toBe(0.01);
    for (const bad of ['0', '1', '100%', '0%', '1.5', 'abc', ''])
      expect(() => parseAlpha(bad)).toThrow(/--alpha must be a significance level strictly between 0 and 1/);
  });
});

describe('parseRate', () => {
  it.each<[string, number]>([
    ['0.9', 0.9],
    ['90%', 0.9],
    ['0', 0],
    ['1', 1],
    ['100%', 1],
    ['0%', 0],
    [' 0.5 ', 0.5],
    ['83.45%', 0.8345],
  ])('%j -> %d', (text, rate) => {
    expect(parseRate(text)).toBeCloseTo(rate, 12);
  });

  it.each(['', ' ', '%', '1.5', '-0.1', 'abc', '150%', '-1%', 'NaN', 'Infinity', '0.9%%', '0x1', '0b1', '1e-1', '-0'])('refuses %j', (text) => {
    expect(() => parseRate(text)).toThrow(UsageError);
    expect(() => parseRate(text)).toThrow(`got ${JSON.stringify(text)}`);
  });
});

describe('HELP', () => {
  it('documents every command, flag, format, exit code and the key variable', () => {
    expectDocumentsCLI(HELP);
  });

  it("each command's help has its own usage and flags, the common options and the exit codes", () => {
    expect(helpFor(undefined)).toBe(HELP);
    const own = {
      responses: ['--fail-under', 'junit', 'ndjson'],
      summary: ['--fail-under', 'markdown', 'pass rate'],
      compare: ['--fail-on-regression', '--max-drop', '--alpha', '--fail-under', 'McNemar', 'regressed', 'junit'],
    };
    for (const [command, words] of Object.entries(own)) {
      const text = helpFor(command as keyof typeof own);
      expect(text).toMatch(new RegExp(`^aymara-ai ${command}: `));
      expect(text).toContain(`aymara-ai ${command} <`);
      for (const word of [...words, '--wait', '--workspace', '--quiet', 'AYMARA_AI_API_KEY']) expect(text).toContain(word);
      for (const code of [0, 1, 2, 3, 4, 5, 70]) expect(text).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
    }
    expect(helpFor('summary')).not.toMatch(/^\s+--alpha/m);
    expect(helpFor('responses')).not.toMatch(/^\s+--alpha/m);
  });
});

// --- 2. output ---------------------------------------------------------------------------------------------------

describe('CSV', () => {
  it('the documented columns, and a CRLF header', () => {
    expect([...CSV_COLUMNS]).toEqual([
      'prompt_uuid',
      'thread_uuid',
      'turn_number',
      'continue_thread',
      'content',
      'content_type',
      'exclude_from_scoring',
      'ai_refused',
      'response_uuid',
      'explanation',
      'confidence',
      'is_passed',
      'next_prompt',
      'manually_updated',
      'manually_updated_at',
    ]);
    expect(csvHeader()).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });

  it('every field: booleans and numbers as text, next_prompt as its prompt_uuid', () => {
    const full = resp({
      prompt_uuid: 'p1',
      thread_uuid: 't1',
      turn_number: 2,
      continue_thread: true,
      content: 'hello',
      content_type: 'text',
      exclude_from_scoring: false,
      ai_refused: true,
      response_uuid: 'r1',
      explanation: 'fine',
      confidence: 0.75,
      is_passed: false,
      next_prompt: { prompt_uuid: 'np1', content: 'go on, "please"' },
      manually_updated: true,
      manually_updated_at: '2026-11-30T12:00:00Z',
    });
    expect(csvRow(full)).toBe('p1,t1,2,true,hello,text,false,true,r1,fine,0.75,false,np1,true,2026-11-30T12:00:00Z\r\n');
    // Falsy numbers are printed, not dropped.
    expect(csvRow(resp({ prompt_uuid: 'p0', confidence: 0, is_passed: true }))).toBe('p0,,1,false,,text,false,false,,,0,true,,,\r\n');
  });

  it('null and absent fields are empty cells', () => {
    const empty = 'p2,,1,false,,text,false,false,,,,,,,\r\n';
    expect(csvRow(resp({ prompt_uuid: 'p2' }))).toBe(empty);
    expect(
      csvRow(
        resp({
          prompt_uuid: 'p2',
          thread_uuid: null,
          content: null,
          response_uuid: null,
          explanation: null,
          confidence: null,
          is_passed: null,
          next_prompt: null,
        }),
      ),
    ).toBe(empty);
  });

  it.each<[string, string, string]>([
    ['plain', 'abc', 'abc'],
    ['a comma', 'one, two', '"one, two"'],
    ['quotes', 'She said "no"', '"She said ""no"""'],
    // Line breaks are escaped like any control character: a row is one line, and no cell can forge a log line.
    ['a line feed', 'line one\nline two', 'line one\\nline two'],
    ['a carriage return', 'line one\rline two', 'line one\\rline two'],
    ['CRLF', 'a\r\nb', 'a\\r\\nb'],
    ['a line feed and a comma', 'one,\ntwo', '"one,\\ntwo"'],
    ['a leading space', ' lead', '" lead"'],
    ['a trailing space', 'trail ', '"trail "'],
    ['a leading tab (a formula start: neutralised)', '\tx', "'\\tx"],
    ['an escape sequence', 'a\u001b[31mred', 'a\\x1b[31mred'],
    ['a formula', '=1+1', "'=1+1"],
    ['inner spaces only', 'a b', 'a b'],
    ['unicode', 'café ✓', 'café ✓'],
  ])('quotes content with %s as RFC 4180 does', (_name, content, cell) => {
    expect(csvRow(resp({ prompt_uuid: 'p', content }))).toBe(`p,,1,false,${cell},text,false,false,,,,,,,\r\n`);
  });

  it('quotes any column, not only content', () => {
    const row = csvRow(resp({ prompt_uuid: 'a,b', explanation: '"why"', content_type: 'x y ' }));
    expect(row).toBe('"a,b",,1,false,,"x y ",false,false,,"""why""",,,,,\r\n');
  });

  it('content: text, a file reference by remote_file_path, else file_uuid, else empty; null empty', () => {
    const withPath = resp({ prompt_uuid: 'p', content: { file_uuid: 'f-1', remote_file_path: 'eval-runs/images/f-1.png' }, content_type: 'image' });
    const uuidOnly = resp({ prompt_uuid: 'p', content: { file_uuid: 'f-2', remote_file_path: null }, content_type: 'image' });
    const uuidAbsentPath = resp({ prompt_uuid: 'p', content: { file_uuid: 'f-3' }, content_type: 'image' });
    const neither = resp({ prompt_uuid: 'p', content: {}, content_type: 'image' });
    expect(csvRow(withPath)).toBe('p,,1,false,eval-runs/images/f-1.png,image,false,false,,,,,,,\r\n');
    expect(csvRow(uuidOnly)).toBe('p,,1,false,f-2,image,false,false,,,,,,,\r\n');
    expect(csvRow(uuidAbsentPath)).toBe('p,,1,false,f-3,image,false,false,,,,,,,\r\n');
    expect(csvRow(neither)).toBe('p,,1,false,,image,false,false,,,,,,,\r\n');

    expect(contentText('text')).toBe('text');
    expect(contentText('')).toBe('');
    expect(contentText(withPath.content)).toBe('eval-runs/images/f-1.png');
    expect(contentText(uuidOnly.content)).toBe('f-2');
    // An empty path is no path: the file's id stands in.
    expect(contentText({ file_uuid: 'f-3', remote_file_path: '' })).toBe('f-3');
    expect(contentText({ file_uuid: null, remote_file_path: 'only/path.png' })).toBe('only/path.png');
    expect(contentText({ file_uuid: null, remote_file_path: null })).toBe('');
    expect(contentText(null)).toBe('');
    expect(contentText(undefined)).toBe('');
  });
});

describe('resultOf', () => {
  it('passed, failed, unscored (null or absent), excluded (whatever is_passed says)', () => {
    expect(resultOf(resp({ prompt_uuid: 'p', is_passed: true }))).toBe('passed');
    expect(resultOf(resp({ prompt_uuid: 'p', is_passed: false }))).toBe('failed');
    expect(resultOf(resp({ prompt_uuid: 'p', is_passed: null }))).toBe('unscored');
    expect(resultOf(resp({ prompt_uuid: 'p' }))).toBe('unscored');
    expect(resultOf(resp({ prompt_uuid: 'p', exclude_from_scoring: true, is_passed: true }))).toBe('excluded');
    expect(resultOf(resp({ prompt_uuid: 'p', exclude_from_scoring: true, is_passed: false }))).toBe('excluded');
    expect(resultOf(resp({ prompt_uuid: 'p', exclude_from_scoring: true }))).toBe('excluded');
  });
});

describe('responsesTable', () => {
  const LONG_CONTENT = `${'word '.repeat(30)}END-OF-CONTENT`;
  const LONG_EXPLANATION = `${'because '.repeat(20)}END-OF-EXPLANATION`;
  const rows = [
    resp({ prompt_uuid: 'pu-passed', is_passed: true, content: 'short answer', explanation: 'ok' }),
    resp({ prompt_uuid: 'pu-failed', is_passed: false, ai_refused: true, content: LONG_CONTENT, explanation: LONG_EXPLANATION }),
    resp({ prompt_uuid: 'pu-image', is_passed: null, content: { file_uuid: 'f-9', remote_file_path: 'img/f-9.png' }, content_type: 'image' }),
    resp({ prompt_uuid: 'pu-excluded', exclude_from_scoring: true, content: 'multi\n\nline\ttext' }),
  ];
  const text = responsesTable(rows);

  it('a row per response with its prompt_uuid, result, refusal, type and content; the count at the end', () => {
    for (const r of rows) expect(text).toContain(r.prompt_uuid);
    for (const word of ['passed', 'failed', 'unscored', 'excluded', 'yes', 'image', 'img/f-9.png', 'short answer']) expect(text).toContain(word);
    for (const head of ['#', 'prompt_uuid', 'result', 'refused', 'type', 'content', 'explanation']) expect(text).toContain(head);
    expect(text.endsWith('\n4 responses\n')).toBe(true);
    // Rows are numbered from 1 in order.
    expect(text.indexOf('pu-passed')).toBeLessThan(text.indexOf('pu-failed'));
    expect(text.indexOf('pu-image')).toBeLessThan(text.indexOf('pu-excluded'));
  });

  it('clips long text with an ellipsis and flattens whitespace', () => {
    expect(text).not.toContain('END-OF-CONTENT');
    expect(text).not.toContain('END-OF-EXPLANATION');
    expect(text).toContain(`${'word '.repeat(7)}word…`); // 39 characters then the ellipsis
    expect(text).toContain('multi line text');
    const lines = text.split('\n');
    // No cell widened past the clip: every table line has the same width.
    const widths = new Set(lines.slice(0, -2).map((line) => line.length));
    expect(widths.size).toBe(1);
  });

  it('an empty table, and the count with thousands separators', () => {
    expect(responsesTable([]).endsWith('\n0 responses\n')).toBe(true);
    const many = Array.from({ length: 1001 }, (_, i) => resp({ prompt_uuid: `p-${i}` }));
    expect(responsesTable(many).endsWith('\n1,001 responses\n')).toBe(true);
  });
});

describe('formatRate, summaryTable, summaryJSON', () => {
  it('formatRate: one decimal percent; null is n/a', () => {
    expect(formatRate(null)).toBe('n/a');
    expect(formatRate(0)).toBe('0.0%');
    expect(formatRate(1)).toBe('100.0%');
    expect(formatRate(0.9)).toBe('90.0%');
    expect(formatRate(2 / 3)).toBe('66.7%');
  });

  const ITEMS = [
    ...Array.from({ length: 3 }, (_, i) => ({ prompt_uuid: `t-pass-${i}`, is_passed: true })),
    { prompt_uuid: 't-fail', is_passed: false },
    { prompt_uuid: 't-refused-pass', is_passed: true, ai_refused: true },
    { prompt_uuid: 't-excluded', is_passed: false, exclude_from_scoring: true },
    { prompt_uuid: 't-unscored', is_passed: null },
    { prompt_uuid: 'i-pass', is_passed: true, content_type: 'image' },
    { prompt_uuid: 'i-fail', is_passed: false, content_type: 'image' },
    { prompt_uuid: 'a-unscored', content_type: 'audio' },
  ].map(resp);
  const summary = summaryReportOf('run-x', ITEMS);

  it('summaryJSON: the numbers, counted by hand, in snake_case', () => {
    const text = summaryJSON(summary);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "total": 10,');
    // toMatchObject: the report also names the run, the eval, the prompts' status and the failed prompts.
    expect(JSON.parse(text)).toMatchObject({
      eval_run_uuid: 'run-x',
      total: 10,
      passed: 5,
      failed: 2,
      refused: 1,
      excluded: 1,
      unscored: 2,
      pass_rate: 5 / 7,
      by_content_type: {
        text: { total: 7, passed: 4, failed: 1, refused: 1, excluded: 1, unscored: 1, pass_rate: 0.8 },
        image: { total: 2, passed: 1, failed: 1, refused: 0, excluded: 0, unscored: 0, pass_rate: 0.5 },
        audio: { total: 1, passed: 0, failed: 0, refused: 0, excluded: 0, unscored: 1, pass_rate: null },
      },
    });
  });

  it('summaryTable: the totals, the rate with its basis, a row per content type', () => {
    const text = summaryTable(summary);
    expect(text).toContain('run-x');
    const expected = { total: 10, passed: 5, failed: 2, refused: 1, excluded: 1, unscored: 2 };
    for (const [name, value] of Object.entries(expected)) expect(text).toMatch(new RegExp(`│ ${name} +│ ${value} [ (]`));
    // A refusal is scored like any answer: the row says the count overlaps the others.
    expect(text).toMatch(/│ refused +│ 1 \(also counted in passed, failed, excluded or unscored\) +│/);
    expect(text).toContain('71.4% (5 of 7 scored)');
    expect(text).toMatch(/│ text +│ 7 +│ 4 +│ 1 +│ 1 +│ 1 +│ 1 +│ 80\.0% +│/);
    expect(text).toMatch(/│ image +│ 2 +│ 1 +│ 1 +│ 0 +│ 0 +│ 0 +│ 50\.0% +│/);
    expect(text).toMatch(/│ audio +│ 1 +│ 0 +│ 0 +│ 0 +│ 0 +│ 1 +│ n\/a +│/);
    for (const head of ['content type', 'pass rate']) expect(text).toContain(head);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('nothing scored: a null rate, said so', () => {
    const none = summaryReportOf('run-empty', []);
    expect(summaryTable(none)).toContain('n/a (nothing scored)');
    expect(JSON.parse(summaryJSON(none))).toMatchObject({
      eval_run_uuid: 'run-empty',
      total: 0,
      passed: 0,
      failed: 0,
      refused: 0,
      excluded: 0,
      unscored: 0,
      pass_rate: null,
      by_content_type: {},
    });
  });
});

// --- 3. the progress bar -----------------------------------------------------------------------------------------

describe('ProgressBar', () => {
  let chunks: string[];
  let stream: NodeJS.WriteStream;
  let now: number;

  beforeEach(() => {
    chunks = [];
    stream = {
      write(chunk: string) {
        chunks.push(chunk);
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    now = 1_700_000_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const bar = (filled: number) => `${'#'.repeat(filled)}${'-'.repeat(30 - filled)}`;

  it('draws [###---] NN% done/total responses with a carriage return', () => {
    const progress = new ProgressBar(stream);
    progress.addTotal(10);
    progress.tick();
    expect(chunks).toEqual([`\r[${bar(3)}]  10% 1/10 responses`]);
  });

  it('redraws at most once per 100 ms; tick(n) counts n', () => {
    const progress = new ProgressBar(stream);
    progress.addTotal(10);
    progress.tick(); // drawn
    progress.tick(); // same instant: not drawn
    now += 99;
    progress.tick(); // 99 ms later: not drawn
    expect(chunks).toHaveLength(1);
    now += 1;
    progress.tick(); // 100 ms after the last draw
    expect(chunks).toEqual([`\r[${bar(3)}]  10% 1/10 responses`, `\r[${bar(12)}]  40% 4/10 responses`]);
    now += 150;
    progress.tick(5);
    expect(chunks.at(-1)).toBe(`\r[${bar(27)}]  90% 9/10 responses`);
    expect(chunks).toHaveLength(3);
  });

  it('1000 ticks over 1 s draw 10 times', () => {
    const progress = new ProgressBar(stream);
    progress.addTotal(1000);
    for (let i = 0; i < 1000; i += 1) {
      progress.tick();
      now += 1;
    }
    expect(chunks).toHaveLength(10);
    expect(chunks.every((chunk) => chunk.startsWith('\r['))).toBe(true);
    expect(chunks.at(-1)).toBe(`\r[${bar(27)}]  90% 901/1,000 responses`);
  });

  it('finish() draws the final state (throttle or not) and ends the line', () => {
    const progress = new ProgressBar(stream);
    progress.addTotal(4);
    progress.tick();
    progress.tick(3); // same instant: not drawn
    expect(chunks).toHaveLength(1);
    progress.finish();
    expect(chunks.slice(1)).toEqual([`\r[${bar(30)}] 100% 4/4 responses`, '\n']);
  });

  it('caps the bar at 100% when more arrive than announced; thousands separators', () => {
    const progress = new ProgressBar(stream);
    progress.addTotal(2);
    progress.tick(5);
    expect(chunks).toEqual([`\r[${bar(30)}] 100% 5/2 responses`]);
    const big = new ProgressBar(stream);
    big.addTotal(12_345);
    now += 1000;
    big.tick(1234);
    expect(chunks.at(-1)).toBe(`\r[${bar(3)}]  10% 1,234/12,345 responses`);
  });

  it('finish() with a total of 0 and no draw prints nothing; a negative total counts as 0', () => {
    const progress = new ProgressBar(stream);
    progress.finish();
    const negative = new ProgressBar(stream);
    negative.addTotal(-5);
    negative.finish();
    expect(chunks).toEqual([]);
  });

  it('with a total of 0, a tick still draws (0%), and finish() then ends the line', () => {
    const progress = new ProgressBar(stream);
    progress.tick();
    progress.finish();
    expect(chunks).toEqual([`\r[${bar(0)}]   0% 1/0 responses`, `\r[${bar(0)}]   0% 1/0 responses`, '\n']);
  });

  it('finish() after addTotal(n) with nothing ticked draws 0% and ends the line', () => {
    const progress = new ProgressBar(stream);
    progress.addTotal(3);
    progress.finish();
    expect(chunks).toEqual([`\r[${bar(0)}]   0% 0/3 responses`, '\n']);
  });
});

// --- 4. main(argv), in-process, against the mock API ---------------------------------------------------------------

const KEY = 'sk-unit-SECRET-4242';
const RUN = 'run-unit-main';
const MAIN = generateResponses(57, 7);
const MAIN_PARSED = MAIN.map(resp);
const RUN_UNSCORED = 'run-unit-unscored';
const UNSCORED: Item[] = [
  { prompt_uuid: 'u-1', is_passed: null },
  { prompt_uuid: 'u-2', exclude_from_scoring: true, is_passed: true },
];
const RUN_EMPTY = 'run-unit-empty';
/** 9 passed of 125 scored: 0.072, while `7.2%` parses to 0.07200000000000001 (floating point). */
const RUN_PCT = 'run-unit-percent';
const PCT_ITEMS: Item[] = Array.from({ length: 125 }, (_, i) => ({ prompt_uuid: `pct-${i}`, is_passed: i < 9 }));
const RUN_WS = 'run-unit-ws';
const WS = 'ws-unit-1';
const WS_ITEMS = generateResponses(6, 2);
const RUN_PROCESSING = 'run-unit-processing';
const RUN_FAILED = 'run-unit-failed';
/** MAIN with its first 3 passing responses failed: 3 regressed, none fixed. */
const RUN_REGRESSED = 'run-unit-regressed';
const FIRST_PASSING = MAIN.filter((r) => r.is_passed === true && !r.exclude_from_scoring)
  .slice(0, 3)
  .map((r) => r.prompt_uuid);
const REGRESSED: Item[] = MAIN.map((r) => (FIRST_PASSING.includes(r.prompt_uuid) ? { ...r, is_passed: false, explanation: 'worse now' } : r));
const FIXTURES: MockFixtures = withEvals({
  apiKey: KEY,
  runs: {
    [RUN]: { responses: MAIN },
    [RUN_UNSCORED]: { responses: UNSCORED },
    [RUN_EMPTY]: { responses: [] },
    [RUN_WS]: { workspace_uuid: WS, responses: WS_ITEMS },
    [RUN_PCT]: { responses: PCT_ITEMS },
    [RUN_PROCESSING]: { status: 'processing', finishAfter: { polls: 2 }, responses: MAIN },
    [RUN_FAILED]: { status: 'failed', responses: MAIN },
    [RUN_REGRESSED]: { responses: REGRESSED },
  },
});

/** The pass rate computed here, independently of src/summary.ts. */
const PASSED = MAIN.filter((r) => !r.exclude_from_scoring && r.is_passed === true).length;
const FAILED = MAIN.filter((r) => !r.exclude_from_scoring && r.is_passed === false).length;
const RATE = PASSED / (PASSED + FAILED);

const ENV_NAMES = ['AYMARA_AI_API_KEY', 'AYMARA_AI_BASE_URL', 'AYMARA_AI_LOG'] as const;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

interface MainOptions {
  /** Overrides of the AYMARA_AI_* variables (undefined deletes one). */
  env?: Partial<Record<(typeof ENV_NAMES)[number], string | undefined>>;
  /** What process.stderr.isTTY says during the run (default false, whatever runs the tests). */
  tty?: boolean;
  /** Replaces process.stdout.write; default: records and returns true. */
  stdoutWrite?: (chunk: string | Uint8Array) => boolean;
}

const text = (chunk: string | Uint8Array) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));

let server: MockServer;
const closers: { close(): Promise<void> }[] = [];
const savedEnv: Partial<Record<string, string>> = {};

function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) Reflect.deleteProperty(process.env, name);
  else process.env[name] = value;
}

/** Runs `main(argv)` with stdout and stderr captured (and restored before returning). */
async function runMain(argv: readonly string[], options: MainOptions = {}): Promise<Result> {
  for (const [name, value] of Object.entries(options.env ?? {})) setEnv(name, value);
  let stdout = '';
  let stderr = '';
  const ttyDescriptor = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  Object.defineProperty(process.stderr, 'isTTY', { value: options.tty ?? false, configurable: true, writable: true });
  const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation(
    options.stdoutWrite ??
      ((chunk: string | Uint8Array) => {
        stdout += text(chunk);
        return true;
      }),
  );
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += text(chunk);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
    if (ttyDescriptor) Object.defineProperty(process.stderr, 'isTTY', ttyDescriptor);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  }
}

async function freshMock(): Promise<MockServer> {
  const s = await startMockServer({ fixtures: FIXTURES });
  closers.push(s);
  return s;
}

describe('main(argv)', () => {
  beforeAll(async () => {
    server = await startMockServer({ fixtures: FIXTURES });
    closers.push(server);
  });

  afterAll(async () => {
    await Promise.all(closers.splice(0).map((s) => s.close()));
  });

  beforeEach(() => {
    for (const name of ENV_NAMES) {
      savedEnv[name] = process.env[name];
    }
    setEnv('AYMARA_AI_API_KEY', KEY);
    setEnv('AYMARA_AI_BASE_URL', server.url);
    setEnv('AYMARA_AI_LOG', undefined);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    for (const name of ENV_NAMES) setEnv(name, savedEnv[name]);
  });

  it('EXIT: the documented codes', () => {
    expect(EXIT).toEqual({ ok: 0, gate: 1, usage: 2, api: 3, network: 4, notFinished: 5, internal: 70 });
  });

  describe('formats', () => {
    it('json: one array equal to the fixture items, over several pages (limit = --page-size)', async () => {
      const before = server.api.requests.length;
      const run = await runMain(['responses', RUN, '--format', 'json', '--page-size', '10']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(run.stdout)).toEqual(MAIN);
      expect(run.stdout.startsWith('[\n')).toBe(true);
      expect(run.stdout.endsWith('\n]\n')).toBe(true);
      const requests = server.api.requests.slice(before);
      expect(requests).toHaveLength(6); // 57 responses, 10 a page
      for (const request of requests) expect(request.url.searchParams.get('limit')).toBe('10');
      expect(requests.map((r) => Number(r.url.searchParams.get('offset') ?? 0))).toEqual([0, 10, 20, 30, 40, 50]);
      expect(requests[0]?.headers['x-api-key']).toBe(KEY);
    });

    it('ndjson: one response per line, in order', async () => {
      const run = await runMain(['responses', RUN, '--format', 'ndjson']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const lines = run.stdout.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(MAIN.length);
      expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(MAIN);
    });

    it('csv: the header and a row per response', async () => {
      const run = await runMain(['responses', RUN, '--format', 'csv', '--page-size', '25']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const lines = run.stdout.split('\r\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(MAIN.length + 1);
      expect(lines[0]).toBe(CSV_COLUMNS.join(','));
      expect(run.stdout).toBe(csvHeader() + MAIN_PARSED.map(csvRow).join(''));
    });

    it('table (the default): every prompt_uuid and the count', async () => {
      const run = await runMain(['responses', RUN]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      for (const item of MAIN) expect(run.stdout).toContain(item.prompt_uuid as string);
      expect(run.stdout.endsWith(`\n${MAIN.length} responses\n`)).toBe(true);
      expect(run.stdout).toBe(responsesTable(MAIN_PARSED));
    });

    it('an empty run: json [], csv the header alone, ndjson nothing, table 0 responses', async () => {
      const [asJSON, asCSV, asNDJSON, asTable] = [
        await runMain(['responses', RUN_EMPTY, '--format', 'json']),
        await runMain(['responses', RUN_EMPTY, '--format', 'csv']),
        await runMain(['responses', RUN_EMPTY, '--format', 'ndjson']),
        await runMain(['responses', RUN_EMPTY]),
      ];
      for (const run of [asJSON, asCSV, asNDJSON, asTable]) expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(asJSON.stdout).toBe('[]\n');
      expect(asCSV.stdout).toBe(csvHeader());
      expect(asNDJSON.stdout).toBe('');
      expect(asTable.stdout.endsWith('\n0 responses\n')).toBe(true);
    });

    it('summary --format json: the numbers counted here', async () => {
      const run = await runMain(['summary', RUN, '--format', 'json']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(run.stdout)).toMatchObject({
        eval_run_uuid: RUN,
        total: MAIN.length,
        passed: PASSED,
        failed: FAILED,
        refused: MAIN.filter((r) => r.ai_refused === true).length,
        excluded: MAIN.filter((r) => r.exclude_from_scoring === true).length,
        pass_rate: RATE,
      });
      // The eval lists no prompts: every response is uncategorised, and every failed one is listed.
      const json = JSON.parse(run.stdout) as { by_category: { category: string | null; total: number }[]; failed_prompts: unknown[] };
      expect(json.by_category).toEqual([expect.objectContaining({ category: null, total: MAIN.length, passed: PASSED, failed: FAILED })]);
      expect(json.failed_prompts).toHaveLength(FAILED);
    });

    it('summary (table)', async () => {
      const run = await runMain(['summary', RUN]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain(RUN);
      expect(run.stdout).toContain(`${formatRate(RATE)} (${PASSED} of ${PASSED + FAILED} scored)`);
      expect(run.stdout).toMatch(new RegExp(`│ uncategorised +│ ${MAIN.length} +│ ${PASSED} +│ ${FAILED} +│`));
      expect(run.stdout).toContain(`Failed prompts (${FAILED}):`);
    });

    it('--workspace is sent as workspace_uuid; a wrong one is a 404 (exit 3)', async () => {
      const s = await freshMock();
      const ok = await runMain(['responses', RUN_WS, '--format', 'json', '--workspace', WS, '--page-size', '4'], { env: { AYMARA_AI_BASE_URL: s.url } });
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toEqual(WS_ITEMS);
      expect(s.api.requests).toHaveLength(2);
      for (const request of s.api.requests) expect(request.url.searchParams.get('workspace_uuid')).toBe(WS);
      const wrong = await runMain(['responses', RUN_WS, '--format', 'json', '--workspace', 'ws-other'], { env: { AYMARA_AI_BASE_URL: s.url } });
      expect(wrong.code).toBe(3);
      expect(wrong.stderr).toContain('resource.not_found');
    });

    it("the SDK's debug log goes to stderr, never into the data on stdout", async () => {
      const run = await runMain(['responses', RUN, '--format', 'json', '--page-size', '30'], { env: { AYMARA_AI_LOG: 'debug' } });
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(MAIN);
      expect(run.stderr).toMatch(/\[aymara-ai\] GET /);
      expect(run.stderr).not.toContain(KEY);
    });

    it('--base-url wins over AYMARA_AI_BASE_URL', async () => {
      const s = await freshMock();
      const run = await runMain(['summary', RUN, '--format', 'json', '--base-url', s.url], { env: { AYMARA_AI_BASE_URL: 'https://api.invalid' } });
      expect(run.code).toBe(0);
      // The run first (is it finished?), then its eval, the eval's prompts and its one page of responses, concurrently.
      const [first, ...rest] = s.api.requests.map((r) => r.route);
      expect(first).toBe('run');
      expect(rest.sort()).toEqual(['eval', 'prompts', 'responses']);
    });
  });

  describe('compare, finished runs only, --wait', () => {
    it('compare: the same run twice is no change; a regressed run fails --fail-on-regression, naming the cases', async () => {
      const same = await runMain(['compare', RUN, RUN, '--format', 'json']);
      expect(same.code).toBe(0);
      expect(JSON.parse(same.stdout)).toMatchObject({ counts: { regressed: 0, fixed: 0, new: 0, missing: 0 }, pass_rate_change: 0, gate: { passed: true } });
      const worse = await runMain(['compare', RUN, RUN_REGRESSED, '--fail-on-regression', '--format', 'markdown']);
      expect(worse.code).toBe(1);
      expect(worse.stderr).toBe(`fail: 3 cases regressed: ${FIRST_PASSING.join(', ')}\n`);
      expect(worse.stdout).toContain('#### Regressed prompts (3)');
      const table = await runMain(['compare', RUN, RUN_REGRESSED, '--alpha', '0.2', '--quiet']);
      // 3 regressed against none fixed: p = 1/8, under 0.2.
      expect(table.code).toBe(1);
      expect(table.stderr).toMatch(/^fail: McNemar's exact test \(one-sided\): p = 0\.125 for 3 regressed against 0 fixed/);
      const junit = await runMain(['compare', RUN, RUN_REGRESSED, '--format', 'junit']);
      expect(junit.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="aymara-ai" tests="\d+" failures="3"/);
    });

    it('5 for a processing or failed run, naming it; --wait sees it finish', async () => {
      const s = await freshMock();
      const processing = await runMain(['summary', RUN_PROCESSING], { env: { AYMARA_AI_BASE_URL: s.url } });
      expect(processing).toMatchObject({ code: 5, stdout: '' });
      expect(processing.stderr).toMatch(/^not finished: run run-unit-processing is not finished \(processing: \d+ of 57 scored\)/);
      const failed = await runMain(['compare', RUN, RUN_FAILED, '--format', 'json'], { env: { AYMARA_AI_BASE_URL: s.url } });
      expect(failed.code).toBe(5);
      expect(failed.stderr).toMatch(/^not finished: candidate run run-unit-failed failed/);
      const waited = await runMain(['summary', RUN_PROCESSING, '--wait=1m', '--format', 'json'], { env: { AYMARA_AI_BASE_URL: s.url } });
      expect(waited.code).toBe(0);
      expect(JSON.parse(waited.stdout)).toMatchObject({ total: MAIN.length });
      expect(waited.stderr).toMatch(/run run-unit-processing finished after/);
    });
  });

  describe('--fail-under', () => {
    it('passes at or under the rate, with a note on stderr; data on stdout either way', async () => {
      expect(RATE).toBeGreaterThan(0);
      expect(RATE).toBeLessThan(1);
      for (const rate of ['0', String(RATE), `${Math.floor(RATE * 100)}%`]) {
        const run = await runMain(['summary', RUN, '--format', 'json', '--fail-under', rate]);
        expect({ rate, code: run.code }).toEqual({ rate, code: 0 });
        expect(run.stderr).toMatch(/^ok: pass rate [\d.]+% is at or above [\d.]+%\n$/);
        expect(JSON.parse(run.stdout)).toMatchObject({ total: MAIN.length });
      }
    });

    it('fails (1) above the rate, saying the rate, the bar and the counts', async () => {
      for (const rate of ['1', String(RATE + 1e-9), `${Math.floor(RATE * 100) + 1}%`]) {
        const run = await runMain(['responses', RUN, '--format', 'ndjson', '--fail-under', rate]);
        expect({ rate, code: run.code }).toEqual({ rate, code: 1 });
        expect(run.stderr).toBe(`fail: pass rate ${formatRate(RATE)} is under ${formatRate(parseRate(rate))} (${PASSED} passed, ${FAILED} failed)\n`);
        expect(run.stdout.split('\n')).toHaveLength(MAIN.length + 1);
      }
    });

    it('a percentage equal to the rate passes, though it parses a hair above it', async () => {
      expect(parseRate('7.2%')).toBeGreaterThan(9 / 125); // the reason for the slack
      const equal = await runMain(['summary', RUN_PCT, '--format', 'json', '--fail-under', '7.2%']);
      expect(equal.code).toBe(0);
      expect(equal.stderr).toBe('ok: pass rate 7.2% is at or above 7.2%\n');
      expect(JSON.parse(equal.stdout)).toMatchObject({ total: 125, passed: 9, failed: 116, pass_rate: 0.072 });
      const above = await runMain(['summary', RUN_PCT, '--format', 'json', '--fail-under', '7.21%']);
      expect(above.code).toBe(1);
      // One decimal would print '7.2% is under 7.2%': the message adds digits until the two differ.
      expect(above.stderr).toMatch(/^fail: pass rate 7\.20% is under 7\.21% /);
    });

    it('fails (1) when nothing was scored, saying the rate is undefined; without the gate, 0', async () => {
      const gated = await runMain(['summary', RUN_UNSCORED, '--format', 'json', '--fail-under', '0']);
      expect(gated.code).toBe(1);
      expect(gated.stderr).toMatch(/the pass rate is undefined/);
      expect(JSON.parse(gated.stdout)).toMatchObject({ total: 2, passed: 0, failed: 0, excluded: 1, unscored: 1, pass_rate: null });
      const ungated = await runMain(['summary', RUN_UNSCORED, '--format', 'json']);
      expect(ungated).toMatchObject({ code: 0, stderr: '' });
      const quiet = await runMain(['summary', RUN_UNSCORED, '--format', 'json', '--fail-under', '0', '--quiet']);
      expect(quiet.code).toBe(1);
      expect(quiet.stderr).toMatch(/undefined/); // failures are printed even with --quiet
    });

    it('--quiet suppresses the ok note', async () => {
      const run = await runMain(['summary', RUN, '--format', 'json', '--fail-under', '0.01', '--quiet']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toMatchObject({ total: MAIN.length });
      const failing = await runMain(['summary', RUN, '--format', 'json', '--fail-under', '1', '-q']);
      expect(failing.code).toBe(1);
      expect(failing.stderr).toMatch(/^fail: pass rate/);
    });
  });

  describe('progress on stderr', () => {
    it('drawn when stderr is a TTY, ending at 100% with a newline; data still on stdout', async () => {
      const run = await runMain(['responses', RUN, '--format', 'ndjson', '--page-size', '10'], { tty: true });
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^\r\[[#-]{30}\] +\d{1,3}% \d+\/57 responses/);
      expect(run.stderr.endsWith(`\r[${'#'.repeat(30)}] 100% 57/57 responses\n`)).toBe(true);
      expect(run.stdout.split('\n')).toHaveLength(MAIN.length + 1);
    });

    it('not drawn with --quiet, nor when stderr is not a TTY', async () => {
      const quiet = await runMain(['responses', RUN, '--format', 'ndjson', '--quiet'], { tty: true });
      const piped = await runMain(['responses', RUN, '--format', 'ndjson'], { tty: false });
      for (const run of [quiet, piped]) {
        expect(run.code).toBe(0);
        expect(run.stderr).toBe('');
      }
    });

    it('an empty run under a TTY prints no bar', async () => {
      const run = await runMain(['responses', RUN_EMPTY, '--format', 'json'], { tty: true });
      expect(run).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
    });
  });

  describe('exit codes', () => {
    it('2 for usage errors, with a pointer to --help, before any request', async () => {
      const s = await freshMock();
      for (const argv of [
        [],
        ['frobnicate', RUN],
        ['summary'],
        ['summary', RUN, '--nope'],
        ['summary', RUN, '--format', 'csv'],
        ['summary', RUN, '--api-key', KEY],
      ]) {
        const run = await runMain(argv, { env: { AYMARA_AI_BASE_URL: s.url } });
        expect({ argv, code: run.code, stdout: run.stdout }).toEqual({ argv, code: 2, stdout: '' });
        expect(run.stderr).toMatch(/^error: .+\nRun 'aymara-ai --help' for usage\.\n$/);
        expect(run.stderr).not.toContain(KEY);
      }
      expect(s.api.requests).toHaveLength(0);
    });

    it('2 for a missing or empty AYMARA_AI_API_KEY, before any request', async () => {
      const s = await freshMock();
      for (const key of [undefined, '']) {
        const run = await runMain(['summary', RUN], { env: { AYMARA_AI_API_KEY: key, AYMARA_AI_BASE_URL: s.url } });
        expect(run.code).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(/^error: AYMARA_AI_API_KEY is not set/);
      }
      expect(s.api.requests).toHaveLength(0);
    });

    it("2 for input the SDK refuses (a bad run id, a bad base URL, a bad AYMARA_AI_LOG), told in the CLI's terms", async () => {
      const s = await freshMock();
      const usage = "\nRun 'aymara-ai --help' for usage.\n";
      const cases: [string[], Record<string, string | undefined>, string][] = [
        [['summary', '..'], { AYMARA_AI_BASE_URL: s.url }, 'a run UUID (<eval_run_uuid>, <baseline_run>, <candidate_run>) must not be ".."'],
        [['summary', RUN, '--base-url', 'not a url'], {}, '--base-url is not a valid URL: "not a url"'],
        [['summary', RUN], { AYMARA_AI_BASE_URL: 'not a url' }, 'AYMARA_AI_BASE_URL is not a valid URL: "not a url"'],
        [['summary', RUN, '--base-url', 'ftp://example.com'], {}, '--base-url must be an http(s) URL; got ftp:'],
        [['summary', RUN, '--base-url', 'https://user:pw@example.com'], {}, '--base-url must not contain credentials'],
        [['summary', RUN, '--base-url', 'https://example.com/?a=1'], {}, '--base-url must not contain a query or fragment'],
        [
          ['summary', RUN, '--base-url', 'http://example.com'],
          {},
          '--base-url http://example.com is not https: the CLI sends your key only over https; http only to a loopback host (localhost, 127.0.0.1, ::1)',
        ],
        [
          ['compare', 'latest', RUN],
          { AYMARA_AI_BASE_URL: 'http://api.example.com/v2' },
          'AYMARA_AI_BASE_URL http://api.example.com is not https: the CLI sends your key only over https; http only to a loopback host (localhost, 127.0.0.1, ::1)',
        ],
        [
          ['summary', RUN],
          { AYMARA_AI_BASE_URL: s.url, AYMARA_AI_API_KEY: 'sk-unit\u0001' },
          'AYMARA_AI_API_KEY has characters HTTP does not allow in a header value',
        ],
      ];
      for (const [argv, env, message] of cases) {
        const run = await runMain(argv, { env: { AYMARA_AI_API_KEY: KEY, AYMARA_AI_BASE_URL: undefined, ...env } });
        expect({ argv, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ argv, code: 2, stdout: '', stderr: `error: ${message}${usage}` });
        expect(run.stderr).not.toMatch(/baseURL|allowInsecureHTTP|apiKey|`/);
      }
      expect(s.api.requests).toHaveLength(0);
      // A port fetch refuses outright (the Fetch standard's bad ports): nothing is sent, and the flag is named.
      const blocked = await runMain(['summary', RUN, '--base-url', 'http://127.0.0.1:9'], { env: { AYMARA_AI_API_KEY: KEY } });
      expect(blocked).toMatchObject({ code: 2, stdout: '' });
      expect(blocked.stderr).toMatch(/^error: Request not sent: fetch refuses to connect to port 9 .*; use another port in --base-url\n/);
      // A bad AYMARA_AI_LOG is one warning (the SDK falls back to 'warn'), not a reason to stop.
      const badLog = await runMain(['summary', RUN, '--format', 'json'], { env: { AYMARA_AI_BASE_URL: s.url, AYMARA_AI_LOG: 'loud' } });
      expect(badLog.code).toBe(0);
      expect(badLog.stderr).toContain('AYMARA_AI_LOG');
    });

    it('3 for a 404, with the status, the code and the request id on stderr', async () => {
      const s = await freshMock();
      const run = await runMain(['responses', 'no-such-run', '--format', 'json'], { env: { AYMARA_AI_BASE_URL: s.url } });
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error: API error 404 resource\.not_found: Eval run .+ \(request id: req_mock_000001\)\n$/);
      // Said once, not twice.
      expect(run.stderr.match(/resource\.not_found/g)).toHaveLength(1);
      expect(s.api.requests).toHaveLength(1);
    });

    it('3 for a wrong key (401)', async () => {
      const s = await freshMock();
      const run = await runMain(['summary', RUN], { env: { AYMARA_AI_API_KEY: 'sk-unit-WRONG', AYMARA_AI_BASE_URL: s.url } });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/^error: API error 401 auth\.invalid_key: .+ \(request id: req_mock_\d{6}\)\n$/);
      expect(run.stderr).not.toContain('sk-unit-WRONG');
    });

    it('3 for an error without a code or request id (a bare 400)', async () => {
      const s = await startServer((_req, res) => json(res, 400, 'not json at all'));
      closers.push(s);
      const run = await runMain(['summary', RUN], { env: { AYMARA_AI_BASE_URL: s.url } });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/^error: API error 400 status code .*\(request id: none\)\n$/);
    });

    it('3 for a body that fails validation, with the path and the request id', async () => {
      const s = await startServer((_req, res) => json(res, 200, { items: [{}], count: 1 }, { 'x-request-id': 'req_unit_invalid_1' }));
      closers.push(s);
      const run = await runMain(['responses', RUN, '--format', 'json'], { env: { AYMARA_AI_BASE_URL: s.url } });
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error: invalid response at .*prompt_uuid.*\(request id: req_unit_invalid_1\)\n$/);
      expect(s.requests).toHaveLength(1);
    });

    it('3 for a body that fails validation without a request id', async () => {
      const s = await startServer((_req, res) => json(res, 200, { items: 'nope', count: 1 }));
      closers.push(s);
      const run = await runMain(['responses', RUN], { env: { AYMARA_AI_BASE_URL: s.url } });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/^error: invalid response at .*items.*\(request id: none\)\n$/);
    });

    it('4 for a refused connection (after the retries)', async () => {
      const url = await closedPortURL();
      const run = await runMain(['summary', RUN], { env: { AYMARA_AI_BASE_URL: url } });
      expect(run.code).toBe(4);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error: network: .*ECONNREFUSED/m);
    });

    it('70 for an unexpected error, with its stack (an Error) or its text (anything else)', async () => {
      const thrown = await runMain(['--version'], {
        stdoutWrite: () => {
          throw new Error('stdout exploded');
        },
      });
      expect(thrown.code).toBe(70);
      expect(thrown.stderr).toMatch(/^error: unexpected \(please report this\): Error: stdout exploded\n\s+at /);
      const stackless = new Error('no stack here');
      stackless.stack = undefined;
      const noStack = await runMain(['--help'], {
        stdoutWrite: () => {
          throw stackless;
        },
      });
      expect(noStack).toMatchObject({ code: 70, stderr: 'error: unexpected (please report this): Error: no stack here\n' });
      const notAnError = await runMain(['--help'], {
        stdoutWrite: () => {
          throw 'a bare string';
        },
      });
      expect(notAnError).toMatchObject({ code: 70, stderr: 'error: unexpected (please report this): a bare string\n' });
    });
  });

  describe('the bin (src/cli/index.ts)', () => {
    it('runs main on process.argv, sets process.exitCode, and exits 0 on EPIPE (a reader that left), rethrowing other stdout errors', async () => {
      const argv = process.argv;
      const exitCode = process.exitCode;
      const listeners = process.stdout.listeners('error');
      let stdout = '';
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stdout += text(chunk);
        return true;
      });
      // process.exit never returns: the stand-in throws, so nothing after the call runs.
      class Exited extends Error {}
      const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
        throw new Exited(`exit ${String(code)}`);
      });
      let added: ((...args: unknown[]) => void)[] = [];
      try {
        process.argv = [process.execPath, 'aymara-ai', '--version'];
        vi.resetModules();
        await import('../src/cli/index.js');
        added = process.stdout.listeners('error').filter((listener) => !listeners.includes(listener)) as typeof added;
        expect(process.exitCode).toBe(0);
        expect(stdout).toBe(`${VERSION}\n`);
        expect(added).toHaveLength(1);
        const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        expect(() => added[0]?.(epipe)).toThrow(Exited);
        expect(exit).toHaveBeenCalledExactlyOnceWith(0);
        const other = Object.assign(new Error('write EIO'), { code: 'EIO' });
        expect(() => added[0]?.(other)).toThrow(other);
        expect(exit).toHaveBeenCalledTimes(1);
      } finally {
        for (const listener of added) process.stdout.removeListener('error', listener);
        process.argv = argv;
        process.exitCode = exitCode;
        vi.restoreAllMocks();
      }
    });
  });

  describe('each main() call has its own state', () => {
    it("a reader that closed one call's stdout does not silence the next call in the same process", async () => {
      let writes = 0;
      const first = await runMain(['responses', RUN, '--format', 'ndjson'], {
        stdoutWrite: () => {
          writes += 1;
          setImmediate(() => process.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
          return false;
        },
      });
      expect(first).toMatchObject({ code: 0, stderr: '' });
      expect(writes).toBe(1);
      expect(await runMain(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
      const again = await runMain(['responses', RUN, '--format', 'ndjson']);
      expect(again.stdout.trimEnd().split('\n')).toHaveLength(MAIN.length);
    });
  });

  describe('--help, --version, and a full pipe', () => {
    it('--help and -h print HELP on stdout, exit 0', async () => {
      for (const argv of [['--help'], ['-h'], ['frobnicate', '--help']]) {
        const run = await runMain(argv);
        expect(run).toEqual({ code: 0, stdout: HELP, stderr: '' });
      }
      for (const command of ['responses', 'summary', 'compare'] as const) {
        expect(await runMain([command, RUN, '--help'])).toEqual({ code: 0, stdout: helpFor(command), stderr: '' });
      }
    });

    it("--version and -v print package.json's version, exit 0", async () => {
      const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
      expect(VERSION).toBe(version);
      for (const argv of [['--version'], ['-v']]) {
        const run = await runMain(argv);
        expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
      }
    });

    it("waits for 'drain' when stdout's buffer is full, then goes on", async () => {
      let written = '';
      let writes = 0;
      let full = false;
      let writesWhileFull = 0;
      const run = await runMain(['responses', RUN, '--format', 'ndjson', '--page-size', '20'], {
        stdoutWrite: (chunk) => {
          if (full) writesWhileFull += 1;
          written += text(chunk);
          writes += 1;
          full = true;
          setImmediate(() => {
            full = false;
            process.stdout.emit('drain');
          });
          return false;
        },
      });
      expect(run.code).toBe(0);
      expect(writes).toBe(MAIN.length);
      expect(writesWhileFull).toBe(0);
      expect(
        written
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as unknown),
      ).toEqual(MAIN);
    });
  });
});
