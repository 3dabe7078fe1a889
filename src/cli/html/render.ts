/** The HTML report of `summary` and `compare`: one self-contained, inert file a reviewer opens from CI. */
import type { GateReport } from '../report-model.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHTML = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** The whole report as one HTML document. */
export function renderHTML(report: GateReport): string {
  const title = report.command === 'summary' ? `Summary of run ${report.run.eval_run_uuid}` : `Comparison of run ${report.candidate.eval_run_uuid}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHTML(title)}</title></head><body><h1>${escapeHTML(title)}</h1></body></html>
`;
}
