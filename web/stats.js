// The statistics every benchmark reports (the benchmark page and the
// scripts/bench*.mjs runners alike).
const sorted = (xs) => [...xs].sort((a, b) => a - b);

export function median(xs) {
  const s = sorted(xs);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// Nearest rank, so with few runs it is a run that happened.
export const p90 = (xs) => sorted(xs)[Math.ceil(0.9 * xs.length) - 1];
