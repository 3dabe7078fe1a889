// The HTML report (SPEC 12) in Debian's Chromium, opened from a file:// URL as a reviewer opens the CI artifact: the
// demo's reports and hostile ones render with nothing run, fetched or logged; the chart and its table agree; the
// page fits a phone, has a dark mode and prints with its folds open. Screenshots go to a temporary directory, and to
// docs/ with AYMARA_UPDATE_SCREENSHOTS=1 (then look at them before committing).
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, renderHTML } from '../../src/cli/html/render.js';
import type { GateReport } from '../../src/cli/report-model.js';
import {
  demoCompareReport,
  demoSummaryReport,
  HOSTILE_STRINGS,
  hostileCompareReport,
  hostileCompareWithoutPrompts,
  hostileSummaryReport,
  largeCompareReport,
  shownInHTML,
} from '../helpers/html-reports.js';
import { launchChromium, watchedPage, writeReport, type PageLog } from './chromium.js';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** Full-page screenshots are cut at this height: enough for the verdict, the runs, the chart and the first prompts. */
const SHOT_HEIGHT = { desktop: 1900, phone: 2700 };

let browser: Browser;
let closeBrowser: () => Promise<void>;
let dir: string;

beforeAll(async () => {
  ({ browser, close: closeBrowser } = await launchChromium());
  dir = await mkdtemp(join(tmpdir(), 'aymara-html-'));
});

afterAll(async () => {
  await closeBrowser?.();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  log: PageLog;
  url: string;
}

async function open(name: string, html: string, options: { viewport?: typeof DESKTOP; dark?: boolean; print?: boolean } = {}): Promise<Opened> {
  const url = await writeReport(dir, name, html);
  const { page, log } = await watchedPage(browser, url, options.viewport ?? DESKTOP);
  if (options.dark) await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  if (options.print) await page.emulateMediaType('print');
  await page.goto(url, { waitUntil: 'load' });
  return { page, log, url };
}

/** Nothing but the document was requested, no dialog opened, nothing logged as an error or thrown. */
function expectQuiet({ log, url }: Opened): void {
  expect(log.requests).toEqual([url]);
  expect(log.blocked).toEqual([]);
  expect(log.dialogs).toEqual([]);
  expect(log.consoleErrors).toEqual([]);
  expect(log.pageErrors).toEqual([]);
}

const REPORTS: [string, () => GateReport][] = [
  ['demo summary', demoSummaryReport],
  ['demo compare', demoCompareReport],
  ['hostile summary', hostileSummaryReport],
  ['hostile compare', hostileCompareReport],
  ['hostile compare without prompts', hostileCompareWithoutPrompts],
];

const fileName = (name: string) => `${name.replace(/ /g, '-')}.html`;

describe('the harness can tell', () => {
  it('a script that runs, and the CSP blocking one under file:// (logged as a console error)', async () => {
    const bare = await open('control-bare.html', '<!doctype html><title>x</title><script>window.__pwned = 1</script>');
    expect(await bare.page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBe(1);
    await bare.page.close();
    const guarded = await open(
      'control-csp.html',
      `<!doctype html><head><meta http-equiv="Content-Security-Policy" content="${CSP}"></head><body><script>window.__pwned = 1</script><img src="https://example.invalid/x.png"></body>`,
    );
    expect(await guarded.page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(guarded.log.consoleErrors.join('\n')).toMatch(/Content Security Policy/);
    expect(guarded.log.blocked).toEqual([]); // the CSP stops the image before any request
    await guarded.page.close();
  });
});

describe.each(REPORTS)('%s in Chromium', (name, build) => {
  const html = renderHTML(build());

  it('renders with nothing run, requested, logged or thrown', async () => {
    const opened = await open(fileName(name), html);
    const { page } = opened;
    const seen = await page.evaluate(() => ({
      pwned: (window as { __pwned?: unknown }).__pwned,
      title: document.title,
      scripts: document.scripts.length,
      active: document.querySelectorAll(
        'a, img, iframe, frame, link, base, object, embed, video, audio, source, form, input, button, script, use, image, foreignObject',
      ).length,
      handlers: [...document.querySelectorAll('*')].flatMap((el) => el.getAttributeNames().filter((a) => a.startsWith('on'))),
      metas: [...document.head.querySelectorAll('meta[http-equiv]')].map((m) => m.getAttribute('http-equiv')),
      firstInHead: document.head.firstElementChild?.outerHTML,
    }));
    expect(seen.pwned).toBeUndefined();
    expect(seen.title).not.toBe('pwned');
    expect(seen.scripts).toBe(0);
    expect(seen.active).toBe(0);
    expect(seen.handlers).toEqual([]);
    expect(seen.metas).toEqual(['Content-Security-Policy']);
    expect(seen.firstInHead).toBe(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`);
    expectQuiet(opened);
    await page.close();
  });

  it('chart: role=img named by its title, and the table has the same numbers', async () => {
    const opened = await open(fileName(name), html);
    const chart = await opened.page.evaluate(() => {
      const svg = document.querySelector('svg[role="img"]');
      const ids = (svg?.getAttribute('aria-labelledby') ?? '').split(' ');
      return {
        label: ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' | '),
        titleIsChild: svg?.querySelector('title')?.id === ids[0],
        values: [...(svg?.querySelectorAll('text.value') ?? [])].map((t) => t.textContent),
        rows: [...document.querySelectorAll('table.figures-table tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
      };
    });
    expect(chart.titleIsChild).toBe(true);
    expect(chart.label).toMatch(/^Pass rate overall and by category/);
    const comparing = name.includes('compare');
    const perRow = comparing ? 2 : 1;
    expect(chart.values).toHaveLength(chart.rows.length * perRow);
    chart.rows.forEach((cells, i) => expect(cells.slice(0, perRow)).toEqual(chart.values.slice(i * perRow, (i + 1) * perRow)));
    expectQuiet(opened);
    await opened.page.close();
  });

  it('fits a phone: the page never scrolls sideways', async () => {
    const opened = await open(fileName(name), html, { viewport: PHONE });
    const widths = await opened.page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    expect(widths[0]).toBeLessThanOrEqual(widths[1] as number);
    expectQuiet(opened);
    await opened.page.close();
  });

  it('prints every folded prompt, on a light page; has a dark mode on screen', async () => {
    const printed = await open(fileName(name), html, { print: true, dark: true });
    const print = await printed.page.evaluate(() => ({
      hidden: [...document.querySelectorAll('article.case')].filter((el) => !el.checkVisibility()).length,
      cases: document.querySelectorAll('article.case').length,
      background: getComputedStyle(document.body).backgroundColor,
    }));
    expect(print.hidden).toBe(0);
    expect(print.background).toBe('rgb(255, 255, 255)');
    await printed.page.close();
    const dark = await open(fileName(name), html, { dark: true });
    const screen = await dark.page.evaluate(() => ({
      background: getComputedStyle(document.body).backgroundColor,
      folded: [...document.querySelectorAll('article.case')].filter((el) => !el.checkVisibility()).length,
    }));
    expect(screen.background).toBe('rgb(13, 17, 23)');
    if (print.cases > 5) expect(screen.folded).toBeGreaterThan(0); // on screen, long groups stay folded
    expectQuiet(dark);
    await dark.page.close();
  });
});

describe('hostile text shows as text', () => {
  it.each([
    ['hostile summary', hostileSummaryReport],
    ['hostile compare', hostileCompareReport],
  ] as const)('%s: every hostile string is visible, escapes and all', async (name, build) => {
    const opened = await open(fileName(name), renderHTML(build()));
    const text = await opened.page.evaluate(() => {
      for (const details of document.querySelectorAll('details')) details.open = true;
      return document.body.innerText;
    });
    for (const hostile of HOSTILE_STRINGS) expect(text).toContain(shownInHTML(hostile));
    expect(text).toContain(`long${'x'.repeat(2000)}`);
    expect(text).toContain('\\u202e'); // the override is shown, not obeyed
    expectQuiet(opened);
    await opened.page.close();
  });
});

const SHOTS: [file: string, build: () => GateReport, viewport: typeof DESKTOP, dark: boolean, docs: boolean][] = [
  ['report-compare-desktop.png', demoCompareReport, DESKTOP, false, true],
  ['report-compare-phone.png', demoCompareReport, PHONE, false, true],
  ['report-summary-desktop.png', demoSummaryReport, DESKTOP, false, true],
  ['report-compare-desktop-dark.png', demoCompareReport, DESKTOP, true, true],
  ['report-hostile-desktop.png', hostileCompareReport, DESKTOP, false, false],
  ['report-hostile-phone.png', hostileSummaryReport, PHONE, false, false],
];

describe('screenshots', () => {
  it.each(SHOTS)('%s', async (file, build, viewport, dark, docs) => {
    const opened = await open(file.replace('.png', '.html'), renderHTML(build()), { viewport, dark });
    const height = await opened.page.evaluate(() => document.documentElement.scrollHeight);
    const path = join(dir, file);
    const cut = viewport === PHONE ? SHOT_HEIGHT.phone : SHOT_HEIGHT.desktop;
    await opened.page.screenshot({ path, captureBeyondViewport: true, clip: { x: 0, y: 0, width: viewport.width, height: Math.min(height, cut) } });
    expect((await stat(path)).size).toBeLessThan(400_000);
    expectQuiet(opened);
    await opened.page.close();
    if (docs && process.env.AYMARA_UPDATE_SCREENSHOTS === '1') await copyFile(path, join(import.meta.dirname, '../../docs', file));
  });
});

describe('a comparison of two 10,000-response runs', () => {
  it('is at most 5 MB, and loads in Chromium (times printed: a figure, not a gate)', async () => {
    const html = renderHTML(largeCompareReport(10_000));
    const bytes = Buffer.byteLength(html);
    expect(bytes).toBeLessThanOrEqual(5_000_000);
    const url = await writeReport(dir, 'large-compare.html', html);
    expect((await readFile(new URL(url))).length).toBe(bytes);
    const runs: { wall: number; load: number; paint: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const { page, log } = await watchedPage(browser, url, DESKTOP);
      const start = performance.now();
      await page.goto(url, { waitUntil: 'load' });
      const wall = performance.now() - start;
      const timing = await page.evaluate(async () => {
        // Headless Chromium writes no paint timing entries; the first frame after load is when the page is on screen.
        const frame = await new Promise<number>((resolve) => requestAnimationFrame(resolve));
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        return { load: nav.loadEventEnd, paint: frame };
      });
      runs.push({ wall, ...timing });
      expectQuiet({ page, log, url });
      await page.close();
    }
    const fmt = (ms: number) => `${Math.round(ms)} ms`;
    console.log(
      `10,000-response compare: ${(bytes / 1e6).toFixed(2)} MB; Chromium, ${runs.length} loads: ` +
        runs.map((r) => `goto->load ${fmt(r.wall)} (load event at ${fmt(r.load)}, a frame at ${fmt(r.paint)} after navigation start)`).join('; '),
    );
  });
});
