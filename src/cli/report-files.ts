/**
 * `--report FORMAT=FILE`: more reports from the same data in the same run, so CI reads each run once. A file that
 * cannot be written does not hide the gate's verdict: stdout's report and the verdict come first, then the
 * failure to write is an error on stderr, and the exit code is the gate's when it failed, else 2 (bad input: a
 * path that cannot be written).
 */
import { writeFile } from 'node:fs/promises';
import { formatOf, type Render } from './command.js';
import { escapeText } from './escape.js';
import { EXIT } from './exit.js';
import type { ReportFile } from './report-flag.js';

/** The exit code once the reports are written: the gate's when every file was written or the gate failed, else 2. */
export function withReports(verdict: number, allWritten: boolean): number {
  return !allWritten && verdict === EXIT.ok ? EXIT.usage : verdict;
}

/** Renders and writes each report; a file that cannot be written is an error on stderr. Returns whether all were written. */
export async function writeReports<Data>(formats: Readonly<Record<string, Render<Data>>>, data: Data, reports: readonly ReportFile[]): Promise<boolean> {
  let failed = false;
  for (const { format, file } of reports) {
    try {
      await writeFile(file, await formatOf(formats, format)(data));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code !== 'string') throw error;
      failed = true;
      const why = error instanceof Error ? error.message : String(error);
      process.stderr.write(`error: could not write the ${escapeText(format)} report to ${escapeText(file)}: ${escapeText(why)}\n`);
    }
  }
  return !failed;
}
