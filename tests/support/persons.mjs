// Comparing segmentMultiPerson / segmentMultiPersonParts results: persons are
// paired by pose, since an order difference is not a pixel difference.
import assert from 'node:assert/strict';

/** Largest keypoint position (px) and score differences between two poses. */
export function poseDifference(ours, ref) {
  let position = 0;
  let score = Math.abs(ours.score - ref.score);
  ref.keypoints.forEach((k, j) => {
    const o = ours.keypoints[j];
    assert.equal(o.part, k.part);
    position = Math.max(position, Math.abs(o.position.x - k.position.x), Math.abs(o.position.y - k.position.y));
    score = Math.max(score, Math.abs(o.score - k.score));
  });
  return { position, score };
}

function meanKeypointDistance(a, b) {
  let sum = 0;
  a.keypoints.forEach((k, j) => {
    sum += Math.hypot(k.position.x - b.keypoints[j].position.x, k.position.y - b.keypoints[j].position.y);
  });
  return sum / a.keypoints.length;
}

/**
 * Pairs every reference person with ours whose pose lies nearest (asserting
 * the same count and a one-to-one pairing), then returns the worst figures
 * over the pairs: keypoint position (px), score, and `metric(ours.data,
 * ref.data)` (lowest).
 */
export function comparePersons(ours, ref, metric) {
  assert.equal(ours.length, ref.length, 'number of persons');
  const pairs = ref.map((r) => ours.reduce((best, o) =>
    (meanKeypointDistance(r.pose, o.pose) < meanKeypointDistance(r.pose, best.pose) ? o : best)));
  assert.equal(new Set(pairs).size, pairs.length, 'two reference persons paired with the same person');
  const worst = { position: 0, score: 0, metric: 1 };
  ref.forEach((r, i) => {
    const o = pairs[i];
    assert.equal(o.width, r.width);
    assert.equal(o.height, r.height);
    assert.equal(o.data.constructor, r.data.constructor, 'data type');
    const d = poseDifference(o.pose, r.pose);
    worst.position = Math.max(worst.position, d.position);
    worst.score = Math.max(worst.score, d.score);
    worst.metric = Math.min(worst.metric, metric(o.data, r.data));
  });
  return worst;
}

/**
 * Agreement over the pixels either side gives a part: background, which
 * dominates most photos, would make any part map look good.
 */
export function personPartAgreement(a, b) {
  let same = 0;
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] < 0 && b[i] < 0) continue;
    total++;
    if (a[i] === b[i]) same++;
  }
  return total === 0 ? 1 : same / total;
}
