// body-pix's Pose objects from the engine's flat poses: per pose its score,
// then score, x, y of each keypoint in PART_NAMES order (bindings/embind.cpp).
const PART_NAMES = [
  'nose', 'leftEye', 'rightEye', 'leftEar', 'rightEar', 'leftShoulder', 'rightShoulder', 'leftElbow',
  'rightElbow', 'leftWrist', 'rightWrist', 'leftHip', 'rightHip', 'leftKnee', 'rightKnee', 'leftAnkle',
  'rightAnkle',
];

const POSE_NUMBERS = 1 + 3 * PART_NAMES.length;

export function posesFrom(flat) {
  const poses = [];
  for (let at = 0; at < flat.length; at += POSE_NUMBERS) {
    const keypoints = PART_NAMES.map((part, k) => {
      const i = at + 1 + 3 * k;
      return { score: flat[i], part, position: { x: flat[i + 1], y: flat[i + 2] } };
    });
    poses.push({ keypoints, score: flat[at] });
  }
  return poses;
}
