/** How waits grow between tries: `initialMs * factor ** n`, capped at `maxMs`, then scaled by a random factor. */
export interface BackoffPolicy {
  initialMs: number;
  factor: number;
  maxMs: number;
  /**
   * The factor the capped wait is scaled by, from the first (random 0) to the second (random 1): `[1, 0.75]` only
   * shortens it (the cap stays a cap); `[0.8, 1.2]` spreads it both ways. Jitter keeps many clients from trying in step.
   */
  jitter: readonly [atZero: number, atOne: number];
}

/** The wait before try `n + 1` after `n` failed ones (`n` from 0). */
export function backoffDelay(policy: BackoffPolicy, n: number, random: () => number = Math.random): number {
  const base = Math.min(policy.initialMs * policy.factor ** n, policy.maxMs);
  const [from, to] = policy.jitter;
  return base * (from + (to - from) * random());
}
