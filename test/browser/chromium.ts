/**
 * Debian's Chromium driven by puppeteer-core: the HTML report as a reviewer sees it. Each page records what a hostile
 * report could try (requests, dialogs, console errors, page errors), so a test can assert none happened.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A private browser: its own profile directory, no network services of its own (updates, sync, QUIC probes). */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'aymara-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** What happened on a page that a report must never cause. */
export interface PageLog {
  /** Every request the page made, the document's own included. */
  requests: string[];
  /** Requests other than the document itself: must stay empty. */
  blocked: string[];
  dialogs: string[];
  consoleErrors: string[];
  pageErrors: string[];
}

/**
 * A page that aborts (and records) any request but the document's own, and records dialogs and errors. The abort is
 * a second line: the assertion is that nothing was asked for at all.
 */
export async function watchedPage(browser: Browser, documentURL: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; log: PageLog }> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const log: PageLog = { requests: [], blocked: [], dialogs: [], consoleErrors: [], pageErrors: [] };
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    log.requests.push(url);
    if (url === documentURL) void request.continue();
    else {
      log.blocked.push(url);
      void request.abort();
    }
  });
  page.on('dialog', (dialog) => {
    log.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn') log.consoleErrors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => log.pageErrors.push(String(error)));
  return { page, log };
}

/** Writes the report where a reviewer would save the artifact, and its file:// URL. */
export async function writeReport(dir: string, name: string, html: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, html);
  return pathToFileURL(path).href;
}
