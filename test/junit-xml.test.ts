/**
 * The JUnit XML writer on its own: any text, in any field, comes back from an independent JUnit reader
 * (junit2json) as it was written, except the characters XML 1.0 cannot carry, which come back as visible escapes.
 */
import fc from 'fast-check';
import { parse as parseJUnit, type TestSuite } from 'junit2json';
import { describe, expect, it } from 'vitest';
import { junitXML, xmlAttribute, xmlText } from '../src/cli/junit-xml.js';

/** What a reader should see of `text`: each code point XML 1.0 forbids as `\xNN` or `\uNNNN`, the rest as it is. */
function visibleForXML(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const forbidden =
      (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff;
    out += forbidden ? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`) : char;
  }
  return out;
}

/** Any UTF-16 text: controls, markup characters, lone surrogates, non-characters, astral pairs. */
const anyText = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('<', '>', '&', '"', "'", ']]>', '\r\n', '\t', '\n', '\r', '😀', '\ud800', '\udfff', '\ufffe', '\uffff', '\u0000'),
  ),
  maxLength: 40,
});

type Read = { testsuite: (TestSuite & { properties?: { name: string; value: string }[] })[] };

describe('junitXML', () => {
  it('escapes markup, line ends and the characters XML forbids, visibly', () => {
    expect(xmlText('a<b>&c\r\n\u0001\ud800\uffff\t')).toBe('a&lt;b&gt;&amp;c&#13;\n\\x01\\ud800\\uffff\t');
    expect(xmlAttribute('"q"\t\n\r<&')).toBe('&quot;q&quot;&#9;&#10;&#13;&lt;&amp;');
  });

  it('counts tests, failures and skipped per suite and in all; an empty case is self-closed', () => {
    const xml = junitXML('all', [
      {
        name: 's1',
        properties: [['k', 'v']],
        cases: [
          { classname: 'c', name: 'ok' },
          { classname: 'c', name: 'bad', failure: { message: 'm', type: 't', text: 'x' } },
        ],
      },
      { name: 's2', cases: [{ classname: 'c', name: 'skip', skipped: true, systemOut: 'why' }] },
    ]);
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="all" tests="3" failures="1" errors="0" skipped="1">',
        '  <testsuite name="s1" tests="2" failures="1" errors="0" skipped="0">',
        '    <properties>',
        '      <property name="k" value="v"/>',
        '    </properties>',
        '    <testcase classname="c" name="ok"/>',
        '    <testcase classname="c" name="bad">',
        '      <failure message="m" type="t">x</failure>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="s2" tests="1" failures="0" errors="0" skipped="1">',
        '    <testcase classname="c" name="skip">',
        '      <skipped/>',
        '      <system-out>why</system-out>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('any text in any field reads back from junit2json as written (forbidden characters as visible escapes)', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        // A reader trims character data at its ends, and reads an attribute that looks like a number as one: the
        // markers keep the text whole and a string.
        const inner = `[${text}]`;
        const xml = junitXML(inner, [
          {
            name: inner,
            properties: [['p', inner]],
            cases: [{ classname: inner, name: inner, failure: { message: inner, type: inner, text: inner }, systemOut: inner }],
          },
        ]);
        const read = (await parseJUnit(xml)) as Read;
        const suite = read.testsuite[0];
        const test = suite?.testcase?.[0];
        const want = visibleForXML(inner);
        expect(suite?.name).toBe(want);
        expect(suite?.properties?.[0]?.value).toBe(want);
        expect(test?.name).toBe(want);
        expect(test?.classname).toBe(want);
        expect(test?.failure?.[0]?.message).toBe(want);
        expect(test?.failure?.[0]?.type).toBe(want);
        expect(test?.failure?.[0]?.inner).toBe(want);
        expect(test?.['system-out']?.[0]).toBe(want);
      }),
      { numRuns: 300 },
    );
  });
});
