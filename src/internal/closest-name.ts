/**
 * The known name a mistyped one most likely meant, for "did you mean ...?" hints: the SDK's unknown parameters and
 * the CLI's unknown flags and commands share one idea of a near miss.
 */

/** `workspaceUuid`, `WORKSPACE-UUID` and `workspaceuuid` all mean `workspace_uuid`. */
export const normalizeName = (name: string): string => name.toLowerCase().replace(/[_\-\s]/g, '');

/** The known name the key most likely meant: the same once case and separators are ignored, a prefix, or a slip of a letter or two. */
export function closestName(key: string, known: readonly string[]): string | undefined {
  const k = normalizeName(key);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const n = normalizeName(name);
    if (n === k) return name;
    const distance = k.length >= 4 && n.startsWith(k) ? 1 : editDistance(k, n);
    // A slip: one edit per four letters, at least one (so `ofset` -> `offset`, but `page_size` is not `limit`).
    if (distance <= Math.max(1, Math.floor(n.length / 4)) && distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance: the letters to insert, delete or replace to turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length] as number;
}
