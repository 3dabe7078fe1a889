/** How waits grow between tries: `initialMs * factor ** n`, capped at `maxMs`, then scaled by a random factor. */
export interface BackoffPolicy {
  initialMs: number;
  factor: number;
  maxMs: number;
  /**
   * The range the capped wait is scaled by, drawn at random: `[0.75, 1]` only shortens it (the cap stays a
   * cap); `[0.8, 1.2]` spreads it both ways. Jitter keeps many clients from trying in step.
   */
  jitter: readonly [low: number, high: number];
}

/** The wait before try `n + 1` after `n` failed ones (`n` from 0). */
export function backoffDelay(policy: BackoffPolicy, n: number, random: () => number = Math.random): number {
  const base = Math.min(policy.initialMs * policy.factor ** n, policy.maxMs);
  const [low, high] = policy.jitter;
  return base * (low + (high - low) * random());
}
