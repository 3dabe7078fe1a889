/** The value of `--report FORMAT=FILE`, read as the parser reads every flag (see report-files.ts for the writing). */
import { UsageError } from './values.js';

/** One `--report`: a format of the command's table and the file it goes to. */
export interface ReportFile {
  format: string;
  file: string;
}

/** `junit=out/eval.xml` -> { format, file }; the format is checked against the command's table by the parser. */
export function parseReportFlag(value: string): ReportFile {
  const at = value.indexOf('=');
  const format = at < 0 ? '' : value.slice(0, at).trim();
  const file = at < 0 ? '' : value.slice(at + 1);
  if (format === '' || file === '') throw new UsageError(`--report must be FORMAT=FILE (junit=eval.xml); got ${JSON.stringify(value)}`);
  return { format, file };
}
