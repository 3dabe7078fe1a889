/**
 * What an editor shows: hovering a call's result names the documented type (`EvalScoredResponsesPage`, not
 * `OffsetPage<EvalScoredResponse, ...>`), and autocomplete on the client offers no internals. Checked with the
 * TypeScript compiler, as an editor asks it, against the published declarations.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ensureBuiltBeforeAll, ROOT } from '../cli-harness.js';

ensureBuiltBeforeAll();

const SOURCE = `import { AymaraAI } from 'aymara-ai';
const client = new AymaraAI();
export async function probe() {
  const responses = await client.evals.runs.listResponses('r');
  const runs = await client.evals.runs.list();
  const prompts = await client.evals.listPrompts('e');
  const run = await client.evals.runs.get('r');
  const ev = await client.evals.get('e');
  return { responses, runs, prompts, run, ev };
}
`;

/** The compiler over one consumer file, resolving `aymara-ai` to the built package's declarations. */
function program() {
  const file = join(ROOT, 'test', 'types', '__hover_probe__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    paths: { 'aymara-ai': [join(ROOT, 'dist', 'index.d.ts')] },
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? SOURCE : read(name));
  const exists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || exists(name);
  host.getSourceFile = ((getSourceFile) => (name, version, onError, create) =>
    name === file ? ts.createSourceFile(name, SOURCE, version) : getSourceFile(name, version, onError, create))(host.getSourceFile.bind(host));
  const p = ts.createProgram([file], options, host);
  return { p, source: p.getSourceFile(file) as ts.SourceFile };
}

describe('types as an editor shows them', () => {
  it('each call result is shown by its documented name', () => {
    const { p, source } = program();
    const checker = p.getTypeChecker();
    const shown: Record<string, string> = {};
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) shown[node.name.text] = checker.typeToString(checker.getTypeAtLocation(node.name));
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(shown).toMatchObject({
      responses: 'EvalScoredResponsesPage',
      runs: 'EvalRunsPage',
      prompts: 'EvalPromptsPage',
      run: 'EvalRun',
      ev: 'Eval',
    });
  });

  it("the client's autocomplete offers no internal members", () => {
    const { p, source } = program();
    const checker = p.getTypeChecker();
    let members: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === 'client') {
        members = checker
          .getTypeAtLocation(node.name)
          .getProperties()
          .map((s) => s.name);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(members).toContain('evals');
    expect(members.filter((name) => name.startsWith('_') && !name.startsWith('__@'))).toEqual([]);
  });
});
