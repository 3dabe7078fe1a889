/** The values flags take: rates, significance levels, durations, page sizes. A bad one is a usage error. */
export class UsageError extends Error {}

/** `0.9`, `90%` -> 0.9; from 0 to 1. */
export function parseRate(value: string, flag = '--fail-under'): number {
  const text = value.trim();
  const problem = `${flag} must be a fraction from 0 to 1 (0.9) or a percentage (90%); got ${JSON.stringify(value)}`;
  // Plain decimals only: `0x1`, `1e-1` and the like are typos more often than intent.
  if (!/^(\d+(\.\d*)?|\.\d+)%?$/.test(text)) throw new UsageError(problem);
  const percent = text.endsWith('%');
  const number = Number(percent ? text.slice(0, -1) : text);
  const rate = percent ? number / 100 : number;
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new UsageError(problem);
  return rate;
}

/** A significance level: strictly between 0 and 1 (`0.05` or `5%`). */
export function parseAlpha(value: string): number {
  const problem = `--alpha must be a significance level strictly between 0 and 1 (0.05, or 5%); got ${JSON.stringify(value)}`;
  let alpha: number;
  try {
    alpha = parseRate(value, '--alpha');
  } catch {
    throw new UsageError(problem);
  }
  if (alpha <= 0 || alpha >= 1) throw new UsageError(problem);
  return alpha;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `5m`, `1h30m`, `500ms`, `1.5h`; a plain number is seconds (as for `sleep` and `timeout`). */
export function parseDuration(value: string): number {
  const text = value.trim().toLowerCase();
  const problem = `--wait must be a duration such as 30s, 5m, 1h30m or 500ms (a plain number is seconds); got ${JSON.stringify(value)}`;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) throw new UsageError(problem);
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(amount) * (UNIT_MS[unit as string] as number);
  if (!Number.isFinite(ms)) throw new UsageError(problem);
  return Math.round(ms);
}

export function parsePageSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--page-size must be an integer >= 1; got ${JSON.stringify(value)}`);
  return n;
}

/** A TCP port for a server on loopback: 0 (a free one) to 65535. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535)
    throw new UsageError(`--port must be a port number from 0 (any free port) to 65535; got ${JSON.stringify(value)}`);
  return n;
}
