/**
 * A JUnit XML writer: the subset CI test reporters read (testsuites > testsuite > properties, testcase with
 * failure, skipped and system-out), in the layout they expect. It is small enough to own, and spares every install
 * of the package a JUnit library and its dependencies.
 *
 * XML 1.0 cannot carry some characters at all, even as references: C0 controls other than tab, LF and CR, lone
 * surrogates, U+FFFE and U+FFFF. They are written as visible escapes (`\x01`, `\ud800`), so the document always
 * parses and the reader sees that something was there.
 */

/** One testcase: passed unless it has a failure or is skipped. */
export interface JUnitCase {
  classname: string;
  name: string;
  failure?: { message: string; type: string; text: string } | undefined;
  skipped?: boolean | undefined;
  systemOut?: string | undefined;
}

export interface JUnitSuite {
  name: string;
  properties?: readonly (readonly [name: string, value: string])[] | undefined;
  cases: readonly JUnitCase[];
}

// With the `u` flag a well-formed surrogate pair is one code point, so `[\ud800-\udfff]` matches lone halves only.
// eslint-disable-next-line no-control-regex -- matching the characters XML forbids is the point
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/gu;

const visible = (char: string): string => {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Character data: markup characters as entities; a CR as a reference, since a parser would turn CRLF into LF. */
export function xmlText(text: string): string {
  return text.replace(FORBIDDEN, visible).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\r', '&#13;');
}

/** An attribute value in double quotes: tab, LF and CR as references, which attribute normalisation would turn into spaces. */
export function xmlAttribute(text: string): string {
  return xmlText(text).replaceAll('"', '&quot;').replaceAll('\t', '&#9;').replaceAll('\n', '&#10;');
}

const attributes = (pairs: Readonly<Record<string, string | number>>): string =>
  Object.entries(pairs)
    .map(([name, value]) => ` ${name}="${xmlAttribute(String(value))}"`)
    .join('');

function tally(cases: readonly JUnitCase[]): { tests: number; failures: number; errors: number; skipped: number } {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failure !== undefined).length,
    errors: 0,
    skipped: cases.filter((c) => c.skipped === true).length,
  };
}

function testcase(c: JUnitCase): string {
  const open = `    <testcase${attributes({ classname: c.classname, name: c.name })}`;
  const body: string[] = [];
  if (c.failure !== undefined)
    body.push(`      <failure${attributes({ message: c.failure.message, type: c.failure.type })}>${xmlText(c.failure.text)}</failure>`);
  if (c.skipped === true) body.push('      <skipped/>');
  if (c.systemOut !== undefined) body.push(`      <system-out>${xmlText(c.systemOut)}</system-out>`);
  return body.length === 0 ? `${open}/>` : [`${open}>`, ...body, '    </testcase>'].join('\n');
}

function testsuite(suite: JUnitSuite): string {
  const lines = [`  <testsuite${attributes({ name: suite.name, ...tally(suite.cases) })}>`];
  if (suite.properties !== undefined && suite.properties.length > 0) {
    lines.push('    <properties>');
    for (const [name, value] of suite.properties) lines.push(`      <property${attributes({ name, value })}/>`);
    lines.push('    </properties>');
  }
  lines.push(...suite.cases.map(testcase), '  </testsuite>');
  return lines.join('\n');
}

/** The document: a `<testsuites>` named `name` whose counts are its suites' sums, ending with a newline. */
export function junitXML(name: string, suites: readonly JUnitSuite[]): string {
  const all = suites.flatMap((s) => s.cases);
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attributes({ name, ...tally(all) })}>`, ...suites.map(testsuite), '</testsuites>', ''].join(
    '\n',
  );
}
