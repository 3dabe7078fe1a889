// The HTML report (SPEC 12) as text: inert by construction, every server string escaped for where it lands, the
// chart's numbers the same as the table's and the model's, the lists grouped and capped. test/browser/ checks the
// same reports in Chromium.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResponseCounts } from 'aymara-ai/analysis';
import { escapeText } from '../src/cli/escape.js';
import { block, escapeHTML, inline, plain, svgText } from '../src/cli/html/escape.js';
import { CSP, renderHTML } from '../src/cli/html/render.js';
import { GROUP_LIMIT, MORE_HINT } from '../src/cli/html/prompts.js';
import type { CompareReport, PromptCase, SummaryReport } from '../src/cli/report-model.js';
import {
  demoCompareReport,
  demoSummaryReport,
  EMOJI_JOINER,
  HOSTILE_CATEGORIES,
  HOSTILE_STRINGS,
  hostileCompareReport,
  hostileCompareWithoutPrompts,
  hostileSummaryReport,
  largeCompareReport,
  LONG_WORD,
  shownInHTML,
} from './helpers/html-reports.js';

/** The entities the renderer writes, decoded: what a browser shows for the text. */
const decode = (html: string) =>
  html
    .replace(/<\/?(span|tspan)( class="[a-z]+")?>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

// Every character the CLI never shows raw (controls, bidi, zero-width, lone surrogates), as escapeText finds them;
// the HTML report keeps one: a zero-width joiner inside an emoji.
const hasUnsafe = (text: string) => {
  const rest = text.replace(EMOJI_JOINER, '$1');
  return escapeText(rest) !== rest;
};

/** The elements and attributes the report is allowed to contain: none can fetch, navigate or run anything. */
const ELEMENTS = new Set(
  'html head meta title style body main header footer section figure p h1 h2 h3 ul li span strong br code dl dt dd div table thead tbody tr th td details summary article svg desc line text tspan rect'.split(
    ' ',
  ),
);
const ATTRIBUTES = new Set(
  'lang http-equiv content charset name class role aria-labelledby aria-hidden id xmlns viewBox width height x y x1 y1 x2 y2 rx font-size font-weight font-style text-anchor scope open'.split(
    ' ',
  ),
);

function tagsOf(html: string): { name: string; attributes: string[] }[] {
  // Only the renderer writes `<` followed by a letter: every `<` of the server's is `&lt;` by then.
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)].map((m) => ({
    name: m[1] as string,
    attributes: [...(m[2] as string).matchAll(/\s([a-zA-Z-]+)(?:="[^"]*")?/g)].map((a) => a[1] as string),
  }));
}

const ALL_REPORTS: [string, () => SummaryReport | CompareReport][] = [
  ['demo summary', demoSummaryReport],
  ['demo compare', demoCompareReport],
  ['hostile summary', hostileSummaryReport],
  ['hostile compare', hostileCompareReport],
  ['hostile compare without prompts', hostileCompareWithoutPrompts],
];

describe('the HTML report is inert', () => {
  it.each(ALL_REPORTS)('%s: the CSP meta comes first in <head>, and nothing can run or fetch', (_name, build) => {
    const html = renderHTML(build());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toMatch(
      /^<!doctype html>\s*<html lang="en"><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/,
    );
    expect(CSP).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(html).not.toMatch(/<script/i);
    // The stylesheet is the renderer's own: it loads nothing either.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(style).not.toMatch(/url\(|@import|expression\(/i);
    for (const tag of tagsOf(html)) {
      expect(ELEMENTS, `element <${tag.name}>`).toContain(tag.name);
      for (const attribute of tag.attributes) expect(ATTRIBUTES, `attribute ${attribute} on <${tag.name}>`).toContain(attribute);
    }
    // One <style>, one <title> (plus the chart's), and the document is closed once: no server text ended either.
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    expect(html.match(/<\/html>/g)).toHaveLength(1);
    expect(hasUnsafe(html.replace(/\n/g, ''))).toBe(false);
  });
});

describe('server text is escaped for where it lands', () => {
  // Named by their escaped form: a raw U+202E or ESC in a test's name would act on the terminal showing the results.
  it.each([...HOSTILE_STRINGS, ...HOSTILE_CATEGORIES].map((hostile) => [escapeText(hostile), hostile]))('%s', (_name, hostile) => {
    for (const escape of [plain, inline, svgText]) {
      const out = escape(hostile);
      // No markup of the server's survives, in text or in a quoted attribute value; only our escape marks.
      expect(out.replace(/<\/?(span|tspan)( class="esc")?>/g, '')).not.toMatch(/[<>"']/);
      expect(hasUnsafe(out)).toBe(false);
      expect(decode(out)).toBe(shownInHTML(hostile));
    }
    const b = block(hostile);
    expect(b.replace(/<\/?span( class="esc")?>/g, '')).not.toMatch(/[<>"']/);
    expect(decode(b)).toBe(shownInHTML(hostile.replace(/\r\n/g, '\n')).replace(/\\n/g, '\n').replace(/\\t/g, '\t'));
  });

  it('a zero-width joiner is kept inside an emoji and shown everywhere else', () => {
    expect(inline('👩\u200d👩\u200d👧 👍🏽\u200d🔥 ❤\ufe0f\u200d🔥')).toBe('👩\u200d👩\u200d👧 👍🏽\u200d🔥 ❤\ufe0f\u200d🔥');
    expect(inline('ad\u200dmin')).toBe('ad<span class="esc">\\u200d</span>min');
    expect(plain('1\u200d2 👩\u200d')).toBe('1\\u200d2 👩\\u200d');
  });

  it('a bidirectional override is shown as a marked escape, never obeyed', () => {
    expect(inline('invoice\u202Eexe.pdf')).toBe('invoice<span class="esc">\\u202e</span>exe.pdf');
    expect(plain('a\u202Eb')).toBe('a\\u202eb');
    expect(svgText('a\u2066b')).toBe('a<tspan class="esc">\\u2066</tspan>b');
    expect(inline('NUL\u0000')).toBe('NUL<span class="esc">\\x00</span>');
  });

  it('any string at all: no raw markup character, no unsafe character, and it decodes to what the CLI shows', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const out = plain(text);
        expect(out).not.toMatch(/[<>"']/);
        expect(hasUnsafe(out)).toBe(false);
        expect(decode(out)).toBe(shownInHTML(text));
        expect(hasUnsafe(block(text).replace(/[\n\t]/g, ''))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("the hostile reports show every hostile string as text (the long word clipped), in the page's title too", () => {
    const html = renderHTML(hostileCompareReport());
    for (const hostile of HOSTILE_STRINGS) expect(decode(html)).toContain(shownInHTML(hostile));
    expect(html).toContain(`long${'x'.repeat(2000)}`);
    expect(html).not.toContain(LONG_WORD);
    expect(html).toMatch(/more characters/);
    const title = /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';
    expect(decode(title)).toContain(shownInHTML(HOSTILE_STRINGS[0]));
  });

  it('a file answer is shown as its reference, as text: never a link or an image', () => {
    const html = renderHTML(hostileSummaryReport());
    expect(html).toMatch(/image answer, not shown; file:<\/span> <code class="t">javascript:alert\(\d+\)\/\//);
    expect(html).not.toMatch(/<(a|img|video|iframe|object|embed)\b/i);
  });
});

const rateText = (c: ResponseCounts) =>
  c.passRate === null ? 'n/a (nothing scored)' : `${(c.passRate * 100).toFixed(1)}% (${c.passed}/${c.passed + c.failed})`;
const chartValues = (html: string) => [...html.matchAll(/<text class="value"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
const tableRows = (html: string) =>
  [...(/<table class="figures-table">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)]
    .slice(1)
    .map((row) => [...(row[1] as string).matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]));

describe('the chart and the table show the model’s figures', () => {
  it('summary: each bar’s label is the rate and passed/scored of its category, and the table agrees', () => {
    const report = demoSummaryReport();
    const html = renderHTML(report);
    const expected = [report.summary, ...report.byCategory.map((f) => f.counts)];
    expect(chartValues(html)).toEqual(expected.map(rateText));
    const rows = tableRows(html);
    expect(rows).toHaveLength(expected.length);
    rows.forEach((cells, i) => {
      const c = expected[i] as ResponseCounts;
      expect(cells).toEqual([rateText(c), ...[c.passed, c.failed, c.refused, c.unscored, c.excluded, c.total].map(String)]);
    });
    // Counted by hand from the responses: the categories' totals add up to the run's.
    expect(report.byCategory.reduce((n, f) => n + f.counts.total, 0)).toBe(report.summary.total);
    expect(report.byCategory.reduce((n, f) => n + f.counts.failed, 0)).toBe(report.summary.failed);
    expect(html).toMatch(/<svg [^>]*role="img" aria-labelledby="chart-title chart-desc"/);
    expect(html).toMatch(/<title id="chart-title">Pass rate overall and by category, run main-2026-12-01<\/title>/);
  });

  it('compare: baseline beside candidate in every row, the change written, the table agrees', () => {
    const report = demoCompareReport();
    const html = renderHTML(report);
    const rows = [{ baseline: report.baselineCounts, candidate: report.candidateCounts }, ...report.byCategory];
    expect(chartValues(html)).toEqual(rows.flatMap((r) => [rateText(r.baseline), rateText(r.candidate)]));
    tableRows(html).forEach((cells, i) => {
      const r = rows[i] as (typeof rows)[number];
      expect(cells.slice(0, 2)).toEqual([rateText(r.baseline), rateText(r.candidate)]);
      expect(cells.slice(3)).toEqual([r.baseline.failed, r.candidate.failed, r.candidate.refused].map(String));
    });
    expect(html).toContain('baseline main-2026-11-24 beside candidate main-2026-12-01');
    expect(html).toContain('The baseline was found, not given');
    expect(html).toContain('out of 2 such runs');
  });
});

function failing(count: number, category: string | null): PromptCase[] {
  return Array.from({ length: count }, (_, i) => ({
    prompt_uuid: `p-${category}-${i}`,
    category,
    prompt: `question ${i}`,
    answer: `answer ${i}`,
    content_type: 'text',
    explanation: `why ${i}`,
    confidence: 0.9,
    refused: i % 2 === 0,
  }));
}

function summaryWith(failed: PromptCase[], byCategory: SummaryReport['byCategory'] = []): SummaryReport {
  const report = demoSummaryReport();
  return { ...report, failed, byCategory };
}

describe('the prompt lists are grouped by category and capped', () => {
  it(`a group shows its first ${GROUP_LIMIT} prompts and says how many more`, () => {
    const html = renderHTML(summaryWith(failing(GROUP_LIMIT + 412, 'jailbreak')));
    expect(html.match(/<article class="case failed">/g)).toHaveLength(GROUP_LIMIT);
    expect(html).toContain(`and 412 more: ${MORE_HINT}.`);
    expect(html).toContain(`jailbreak</span> <span class="count">${GROUP_LIMIT + 412} failing</span>`);
    // The first few are open, the rest folded.
    expect(html).toMatch(/<details class="rest"><summary>show \d+ more<\/summary>/);
  });

  it('groups by category name, uncategorised last; __proto__ is a category like any other', () => {
    const cases = [...failing(2, 'privacy'), ...failing(1, null), ...failing(3, '__proto__'), ...failing(2, 'accuracy'), ...failing(1, 'constructor')];
    const counts: ResponseCounts = { total: 1, passed: 0, failed: 1, refused: 0, excluded: 0, unscored: 0, passRate: 0 };
    // The figures' order (the model's: by name, uncategorised last) is the groups' order too.
    const order = ['__proto__', 'accuracy', 'constructor', 'privacy', null];
    const html = renderHTML(
      summaryWith(
        cases,
        order.map((category) => ({ category, counts })),
      ),
    );
    const headings = [...html.matchAll(/<div class="group"><h3>(.*?)<\/h3>/g)].map((m) => decode(m[1] as string));
    expect(headings).toEqual(['__proto__ 3 failing', 'accuracy 2 failing', 'constructor 1 failing', 'privacy 2 failing', 'uncategorised 1 failing']);
    expect(Object.prototype).not.toHaveProperty('failing');
    expect(html.match(/<span class="tag refused">refused<\/span>/g)).toHaveLength(cases.filter((c) => c.refused).length);
  });

  it('with the prompts unreadable, one group, the note shown, and no prompt text', () => {
    const html = renderHTML(hostileCompareWithoutPrompts());
    expect(html).toContain('Prompts unavailable:');
    expect(html).toContain('(the prompt could not be read)');
    expect(html).toContain('No categories: the prompts could not be read.');
  });

  it('a summary without a baseline says so', () => {
    const html = renderHTML({ ...demoSummaryReport(), noBaseline: 'no finished run of this eval matches main-* before the candidate' });
    expect(html).toContain('<strong>No baseline:</strong> <span class="t">no finished run of this eval matches main-* before the candidate</span>');
  });
});

describe('the report stays small', () => {
  it('a comparison of two 10,000-response runs is at most 5 MB', () => {
    const html = renderHTML(largeCompareReport(10_000));
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(5_000_000);
    expect(html).toContain(MORE_HINT);
  });

  it('at most 5 MB whatever the server sends: thousands of categories, huge multi-byte texts full of markup', () => {
    const huge = `<"&'🧪中${'<'.repeat(20_000)}`;
    const cases: PromptCase[] = Array.from({ length: 5000 }, (_, i) => ({
      prompt_uuid: huge,
      category: `${huge}${i % 2500}`,
      prompt: huge,
      answer: huge,
      content_type: 'text',
      explanation: huge,
      confidence: 0.5,
      refused: false,
    }));
    const counts: ResponseCounts = { total: 2, passed: 1, failed: 1, refused: 0, excluded: 0, unscored: 0, passRate: 0.5 };
    const byCategory = Array.from({ length: 2500 }, (_, i) => ({ category: `${huge}${i}`, counts }));
    const report = summaryWith(cases, byCategory);
    const html = renderHTML({ ...report, gate: { ok: false, message: huge }, eval: report.eval && { ...report.eval, name: huge } });
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(5_000_000);
    expect(html).toContain(MORE_HINT);
    expect(html).toContain('and 2300 more categories: the full list is in the json report.');
    expect(html).toMatch(/and \d+ more in \d+ more categories: the full list is in the json and csv reports/);
  });
});

it('escapeHTML covers the five characters special in text and quoted attributes', () => {
  expect(escapeHTML(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});
