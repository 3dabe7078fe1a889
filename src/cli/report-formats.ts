/**
 * The formats of `summary` and `compare`: one table, since both render a GateReport (a compare that found no
 * baseline reports the candidate alone, as a summary). `--format` picks stdout's; `--report FORMAT=FILE` more.
 */
import type { Render } from './command.js';
import { compareJSON, compareMarkdown, compareTable } from './compare-report.js';
import { renderHTML } from './html/render.js';
import { compareJUnit, summaryJUnit } from './junit.js';
import type { GateReport } from './report-model.js';
import { summaryJSON, summaryMarkdown, summaryTable } from './summary-report.js';

export const GATE_FORMATS: Readonly<Record<string, Render<GateReport>>> = {
  table: (r) => (r.command === 'summary' ? summaryTable(r) : compareTable(r)),
  json: (r) => (r.command === 'summary' ? summaryJSON(r) : compareJSON(r)),
  markdown: (r) => gateMarkdown(r),
  junit: (r) => (r.command === 'summary' ? summaryJUnit(r) : compareJUnit(r)),
  html: (r) => renderHTML(r),
};

/** The markdown report: a format, and what GitHub shows (job summary, pull-request comment). */
export function gateMarkdown(r: GateReport): string {
  return r.command === 'summary' ? summaryMarkdown(r) : compareMarkdown(r);
}

export const GATE_FORMAT_NAMES = Object.keys(GATE_FORMATS).join('|');
