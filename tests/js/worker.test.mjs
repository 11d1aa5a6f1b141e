// load({worker: true}) needs a browser's Web Workers (tests/browser/worker.test.mjs
// covers it there); Node has none and says so.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as bodyPix from '../../js/index.js';

test('worker: true in Node is an Error that says what to do instead', async () => {
  await assert.rejects(bodyPix.load({ worker: true, modelUrl: '/nonexistent/model.json' }),
    (e) => e instanceof Error && /Web Worker/.test(e.message) && /worker_threads/.test(e.message));
});
