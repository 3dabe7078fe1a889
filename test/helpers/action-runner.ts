/**
 * A simulated GitHub Actions runner for a composite action: it reads action.yml, evaluates `${{ }}` expressions
 * (inputs, github, steps, runner, strategy; `always()`, `success()`, `failure()`; `!`, `==`, `!=`, `&&`, `||`),
 * runs each `run:` step with bash the way a runner does (`bash --noprofile --norc -eo pipefail`, the step's `env:`,
 * a fresh `$GITHUB_OUTPUT` per step read back as step outputs) and records `uses:` steps without running them.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYAML } from 'yaml';
import { collect, type Run } from '../cli-harness.js';

export interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string;
}

export interface ActionStep {
  id?: string;
  name?: string;
  if?: string;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
}

export interface ActionFile {
  name: string;
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description?: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export async function readAction(path: string): Promise<ActionFile> {
  return parseYAML(await readFile(path, 'utf8')) as ActionFile;
}

// --- expressions ---------------------------------------------------------------------------------------------------

type Value = string | number | boolean | null;
type Context = Record<string, unknown>;

const TOKEN = /\s*(?:('(?:[^']|'')*')|(\d+(?:\.\d+)?)|(&&|\|\||==|!=|[!()])|([A-Za-z_][\w-]*(?:\.[A-Za-z_*][\w-]*)*))/y;

/** Evaluates one expression (what is inside `${{ }}`). */
export function evaluate(expression: string, context: Context, status: { failed: boolean }): Value {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.trimEnd().length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(expression);
    if (!m) throw new Error(`expression: cannot read ${JSON.stringify(expression.slice(at))}`);
    tokens.push(m[0].trim());
  }
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++] as string;
  const truthy = (v: Value) => v !== '' && v !== 0 && v !== false && v !== null;
  const or = (): Value => {
    let left = and();
    while (peek() === '||') {
      next();
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const and = (): Value => {
    let left = unary();
    while (peek() === '&&') {
      next();
      const right = unary();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const unary = (): Value => {
    if (peek() === '!') {
      next();
      return !truthy(unary());
    }
    return comparison();
  };
  const comparison = (): Value => {
    const left = primary();
    const op = peek();
    if (op !== '==' && op !== '!=') return left;
    next();
    const right = primary();
    // GitHub compares strings case-insensitively.
    const equal = String(left ?? '').toLowerCase() === String(right ?? '').toLowerCase();
    return op === '==' ? equal : !equal;
  };
  const primary = (): Value => {
    const token = next();
    if (token === '(') {
      const value = or();
      if (next() !== ')') throw new Error(`expression: ) expected in ${expression}`);
      return value;
    }
    if (token.startsWith("'")) return token.slice(1, -1).replace(/''/g, "'");
    if (/^\d/.test(token)) return Number(token);
    if (token === 'true' || token === 'false') return token === 'true';
    if (token === 'null') return null;
    if (peek() === '(') {
      next();
      if (next() !== ')') throw new Error(`expression: only functions without arguments: ${expression}`);
      if (token === 'always') return true;
      if (token === 'success') return !status.failed;
      if (token === 'failure') return status.failed;
      if (token === 'cancelled') return false;
      throw new Error(`expression: unknown function ${token}()`);
    }
    let value: unknown = context;
    for (const part of token.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
    if (value === undefined) return null;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    throw new Error(`expression: ${token} is not a value`);
  };
  const value = or();
  if (i !== tokens.length) throw new Error(`expression: unexpected ${tokens[i]} in ${expression}`);
  return value;
}

/** A string with `${{ }}` expressions in it, each replaced by its value as text (null as ''). */
export function interpolate(text: string, context: Context, status: { failed: boolean } = { failed: false }): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) => {
    const value = evaluate(expression, context, status);
    return value === null ? '' : String(value);
  });
}

/** A step's `if:`: bare or in `${{ }}`; without a status function it is `success() && (...)`, as on a runner. */
function condition(step: ActionStep, context: Context, status: { failed: boolean }): boolean {
  const raw = (step.if ?? '').trim();
  const expression = raw.startsWith('${{') && raw.endsWith('}}') ? raw.slice(3, -2) : raw;
  if (expression === '') return !status.failed;
  const full = /\b(always|success|failure|cancelled)\(\)/.test(expression) ? expression : `success() && (${expression})`;
  const value = evaluate(full, context, status);
  return value !== '' && value !== 0 && value !== false && value !== null;
}

// --- the runner ----------------------------------------------------------------------------------------------------

/** Reads a `$GITHUB_OUTPUT` file as the runner does: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    const plain = /^([^=]+)=(.*)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const end = lines.indexOf(delimiter, i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: ${name}: no closing ${delimiter}`);
      outputs[name] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (plain) {
      outputs[plain[1] as string] = plain[2] as string;
    } else {
      throw new Error(`GITHUB_OUTPUT: unreadable line ${JSON.stringify(line)}`);
    }
  }
  return outputs;
}

export interface StepResult {
  step: ActionStep;
  /** Whether its `if:` let it run. */
  ran: boolean;
  outcome: 'success' | 'failure' | 'skipped';
  /** For `run:` steps: the exit code, what it printed, its outputs and the script as bash got it. */
  code?: number | null;
  stdout?: string;
  stderr?: string;
  outputs?: Record<string, string>;
  script?: string;
  /** For `uses:` steps: its `with:` as evaluated. */
  with?: Record<string, string>;
}

export interface ActionRun {
  steps: StepResult[];
  /** The action's outputs, evaluated after its steps. */
  outputs: Record<string, string>;
  /** Failed if any step failed, as the calling job's step would be. */
  outcome: 'success' | 'failure';
  /** Every job summary the steps wrote, in order. */
  summary: string;
}

export interface RunnerOptions {
  action: ActionFile;
  inputs: Record<string, string>;
  /** The `github` context: `event_name`, `token`, `repository`, `api_url`, `job`, ... */
  github: Record<string, string>;
  /** The variables a runner sets for every step (`GITHUB_*`, `RUNNER_TEMP`, `PATH`, ...). */
  env: Record<string, string>;
  /** RUNNER_TEMP: where the per-step files go. */
  temp: string;
  /** The job's working directory (GITHUB_WORKSPACE). */
  workspace: string;
}

function bash(script: string, env: Record<string, string>, cwd: string): Promise<Run> {
  return collect(spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Runs the action's steps as a runner would, with the inputs given (defaults evaluated as on a runner). */
export async function runAction(options: RunnerOptions): Promise<ActionRun> {
  const { action, github, temp, workspace } = options;
  const steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
  const context: Context = { github, steps, runner: { temp }, strategy: { 'job-index': 0 }, inputs: {} };
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) {
    const given = options.inputs[name];
    if (given === undefined && input.required) throw new Error(`input ${name} is required`);
    inputs[name] = given ?? interpolate(input.default ?? '', context);
  }
  for (const name of Object.keys(options.inputs)) if (!(name in action.inputs)) throw new Error(`the action has no input ${name}`);
  context.inputs = inputs;

  const status = { failed: false };
  const results: StepResult[] = [];
  let summary = '';
  const files = join(temp, '_runner_file_commands');
  await mkdir(files, { recursive: true });
  for (const step of action.runs.steps) {
    const ran = condition(step, context, status);
    if (!ran) {
      results.push({ step, ran, outcome: 'skipped' });
      if (step.id) steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      continue;
    }
    if (step.uses !== undefined) {
      const evaluated = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v), context, status)]));
      results.push({ step, ran, outcome: 'success', with: evaluated });
      continue;
    }
    if (step.run === undefined) throw new Error(`a step with neither run nor uses: ${JSON.stringify(step)}`);
    if (step.shell !== 'bash') throw new Error(`a composite action's run step needs shell: bash (got ${String(step.shell)})`);
    const id = randomUUID();
    const outputFile = join(files, `set_output_${id}`);
    const summaryFile = join(files, `step_summary_${id}`);
    const scriptFile = join(temp, `${id}.sh`);
    await writeFile(outputFile, '');
    await writeFile(summaryFile, '');
    const script = interpolate(step.run, context, status);
    await writeFile(scriptFile, script);
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(String(v), context, status)]));
    const env = { ...options.env, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, ...stepEnv };
    const { code, stdout, stderr } = await bash(scriptFile, env, workspace);
    const outputs = parseOutputFile(await readFile(outputFile, 'utf8'));
    summary += await readFile(summaryFile, 'utf8');
    const outcome = code === 0 ? 'success' : 'failure';
    if (outcome === 'failure') status.failed = true;
    if (step.id) steps[step.id] = { outputs, outcome, conclusion: outcome };
    results.push({ step, ran, outcome, code, stdout, stderr, outputs, script });
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, output]) => [name, interpolate(output.value, context, status)]));
  return { steps: results, outputs, outcome: status.failed ? 'failure' : 'success', summary };
}
