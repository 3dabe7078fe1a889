/**
 * The pass rate overall and per category as an inline SVG bar chart: what a reviewer reads at a glance. The table
 * (`./table.js`) has the same figures for a screen reader. The server's text in the SVG is escaped as on the page
 * (its escapes marked with `<tspan>`), in its `<title>` as plain text.
 */
import type { ResponseCounts } from 'aymara-ai/analysis';
import { formatChange } from '../compare-report.js';
import { clip, escapeHTML, plain, svgText } from './escape.js';
import { changeClass, OVERALL_LABEL, rateWithCounts, type FigureRow } from './figures.js';
import { UNCATEGORISED_LABEL } from '../report-model.js';

/** More bars than this would make a chart no one reads; the table below it has every category. */
export const CHART_CATEGORIES = 30;
/** A category name longer than this is cut short in the chart (the table has it whole). */
const LABEL_CHARS = 30;

// Geometry, in SVG user units. The SVG scales to its box, and text scales with it: the width is about a phone's, so
// the text stays legible there, and the CSS caps how far it grows on a desktop.
const WIDTH = 340;
const AXIS_H = 20;
const LABEL_H = 21;
const BAR_H = 15;
const BAR_GAP = 3;
const ROW_GAP = 12;
const VALUE_W = 128;

function rowLabel(row: FigureRow): { text: string; italic: boolean } {
  if (row.kind === 'overall') return { text: OVERALL_LABEL, italic: false };
  if (row.category === null) return { text: UNCATEGORISED_LABEL, italic: true };
  const { text, rest } = clip(row.category, LABEL_CHARS);
  return { text: rest > 0 ? `${text}…` : text, italic: false };
}

/**
 * The chart: per row, the label (and the change, when comparing) on a line, then one bar per run over a track
 * that shows 0 to 100%, with the rate and the counts written beside it.
 */
export function renderChart(rows: readonly FigureRow[], names: { title: string; description: string }): string {
  const comparing = rows.some((row) => row.baseline !== undefined);
  const barX = 0;
  const barW = WIDTH - barX - VALUE_W;
  const shown = rows.slice(0, CHART_CATEGORIES + 1);
  const bars = comparing ? 2 : 1;
  const rowH = LABEL_H + bars * BAR_H + (bars - 1) * BAR_GAP + ROW_GAP;
  const height = AXIS_H + shown.length * rowH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">`,
    `<title id="chart-title">${plain(names.title)}</title>`,
    `<desc id="chart-desc">${plain(names.description)}</desc>`,
  );
  for (const pct of [0, 25, 50, 75, 100]) {
    const x = barX + (barW * pct) / 100;
    const anchor = pct === 0 ? 'start' : pct === 100 ? 'end' : 'middle';
    out.push(
      `<line class="grid" x1="${x}" y1="${AXIS_H - 4}" x2="${x}" y2="${height - ROW_GAP}"/>`,
      `<text class="muted" x="${x}" y="12" font-size="11" text-anchor="${anchor}">${pct}%</text>`,
    );
  }
  shown.forEach((row, i) => {
    const top = AXIS_H + i * rowH;
    const label = rowLabel(row);
    const weight = row.kind === 'overall' ? ' font-weight="700"' : '';
    const style = label.italic ? ' font-style="italic" class="muted"' : '';
    out.push(`<text x="0" y="${top + 15}" font-size="14"${weight}${style}>${svgText(label.text)}</text>`);
    if (comparing) {
      out.push(
        `<text class="${changeClass(row.change)}" x="${WIDTH}" y="${top + 15}" font-size="13" text-anchor="end" font-weight="600">${escapeHTML(formatChange(row.change ?? null))}</text>`,
      );
    }
    // Baseline above candidate in every row, as the legend says; the colours tell them apart too.
    const runs: [string, ResponseCounts][] =
      comparing && row.baseline
        ? [
            ['bar-base', row.baseline],
            ['bar-cand', row.candidate],
          ]
        : [['bar-cand', row.candidate]];
    runs.forEach(([barClass, counts], j) => {
      const y = top + LABEL_H + j * (BAR_H + BAR_GAP);
      out.push(`<rect class="track" x="${barX}" y="${y}" width="${barW}" height="${BAR_H}" rx="2"/>`);
      if (counts.passRate !== null) {
        const w = Math.max(counts.passRate * barW, counts.passRate > 0 ? 1 : 0);
        out.push(`<rect class="${barClass}" x="${barX}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" rx="2"/>`);
      }
      out.push(`<text class="value" x="${barX + barW + 8}" y="${y + 11.5}" font-size="12">${escapeHTML(rateWithCounts(counts))}</text>`);
    });
  });
  out.push('</svg>');
  const hidden = rows.length - shown.length;
  const legend = comparing
    ? `<ul class="legend" aria-hidden="true"><li><span class="swatch base"></span>baseline (upper bar)</li><li><span class="swatch cand"></span>candidate (lower bar)</li><li>pass rate (passed/scored)</li></ul>`
    : '';
  const more = hidden > 0 ? `<p class="more">The chart shows the first ${CHART_CATEGORIES} categories; the table below has all ${rows.length - 1}.</p>` : '';
  return `<figure class="chart">${legend}${out.join('')}${more}</figure>`;
}
