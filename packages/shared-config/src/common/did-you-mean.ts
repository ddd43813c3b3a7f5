/**
 * Did-you-mean suggestions for unknown keywords, using the optimal-string-alignment variant of the
 * Damerau-Levenshtein distance (a transposition of two adjacent characters counts as one edit, which is
 * the most common typo: `tiemout`).
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = [];
  for (let i = 0; i < rows; i++) {
    d.push(new Array<number>(cols).fill(0));
    d[i][0] = i;
  }
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2][j - 2] + 1);
      }
      d[i][j] = best;
    }
  }
  return d[a.length][b.length];
}

/**
 * The closest candidate to `word`, or null when nothing is close enough to be a plausible typo.
 * "Close enough" allows one edit per three characters (at least one, at most three), so short words
 * do not get far-fetched suggestions. Ties go to the first candidate in the given order.
 */
export function suggest(word: string, candidates: Iterable<string>): string | null {
  const lower = word.toLowerCase();
  const budget = Math.min(3, Math.max(1, Math.floor(lower.length / 3)));
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= budget && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
