// Pass rates as people read them: percentages.

/** A rate as a percentage with one decimal; `n/a` when undefined (nothing scored). */
export function formatRate(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

/** A rate as a percentage, with enough digits to tell it from `other` when one decimal would not. */
export function ratePair(rate: number, other: number): [string, string] {
  for (let digits = 1; digits < 6; digits++) {
    const [a, b] = [(rate * 100).toFixed(digits), (other * 100).toFixed(digits)];
    if (a !== b) return [`${a}%`, `${b}%`];
  }
  return [formatRate(rate), formatRate(other)];
}
