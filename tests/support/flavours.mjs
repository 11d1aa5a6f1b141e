// The engine flavours the JS tests run: all five (npm test builds them all),
// or those BODYPIX_TEST_FLAVOURS lists, comma-separated (npm run test:quick
// builds simd alone and sets it to simd). Tests that loop over the flavours
// run the listed ones; loads that would take the engine's default flavour
// take the first listed one. Tests pinned to simd (bad input, soak, network
// faults) need it whatever the list says.
import { FLAVOURS } from '../../js/engine.js';

const listed = (process.env.BODYPIX_TEST_FLAVOURS ?? '').split(',').map((f) => f.trim()).filter(Boolean);
for (const f of listed) {
  if (!FLAVOURS.includes(f)) throw new Error(`BODYPIX_TEST_FLAVOURS lists '${f}', which is not one of ${FLAVOURS}`);
}

/** The flavours under test, in the engine's order of preference. */
export const TEST_FLAVOURS = listed.length ? FLAVOURS.filter((f) => listed.includes(f)) : FLAVOURS;

/** Whether this run tests `flavour`. */
export const isTested = (flavour) => TEST_FLAVOURS.includes(flavour);

/**
 * A load() config that leaves the flavour to the engine: returned as it is
 * when every flavour is tested, else with the first tested flavour.
 */
export function withTestFlavour(config) {
  return listed.length && config.flavour == null ? { ...config, flavour: TEST_FLAVOURS[0] } : config;
}
