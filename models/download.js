// Downloads that always end, with an Error that names the URL and what
// happened to it rather than only the runtime's "Failed to fetch": the
// caller's AbortSignal ends them at once, a stall (no bytes for stallTimeout
// ms) ends them by itself, and transient failures (no answer, HTTP 5xx, a
// connection cut mid-body) are tried again after a growing pause.

const DOWNLOAD_DEFAULTS = Object.freeze({ stallTimeout: 30000, retries: 2, retryDelay: 500 });

// setTimeout's limit: longer delays overflow and fire at once.
const MAX_DELAY = 2 ** 31 - 1;

function typeName(value) {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? JSON.stringify(value) : String(value);
  return value.constructor?.name ?? 'an object';
}

const within = (value, min, max) => typeof value === 'number' && value >= min && value <= max;

// load()'s network options, checked, with their defaults. The signal is
// recognised by its tag, so one from another realm (an iframe) passes too.
export function downloadOptions({ signal, stallTimeout, retries, retryDelay } = {}) {
  if (signal != null && Object.prototype.toString.call(signal) !== '[object AbortSignal]') {
    throw new Error(`signal must be an AbortSignal (an AbortController's .signal), not ${typeName(signal)}`);
  }
  const d = DOWNLOAD_DEFAULTS;
  const options = {
    signal: signal ?? undefined,
    stallTimeout: stallTimeout ?? d.stallTimeout,
    retries: retries ?? d.retries,
    retryDelay: retryDelay ?? d.retryDelay,
  };
  if (!within(options.stallTimeout, 1, MAX_DELAY)) {
    throw new Error(`stallTimeout must be a number of milliseconds from 1 to ${MAX_DELAY}, not ${typeName(stallTimeout)}`);
  }
  if (!Number.isInteger(options.retries) || !within(options.retries, 0, 10)) {
    throw new Error(`retries must be an integer from 0 to 10, not ${typeName(retries)}`);
  }
  if (!within(options.retryDelay, 0, 60000)) {
    throw new Error(`retryDelay must be a number of milliseconds from 0 to 60000, not ${typeName(retryDelay)}`);
  }
  return options;
}

// What fetch rejects with on an abort is a DOMException named AbortError;
// ours is a plain Error of that name, with a message that says what ended.
export function abortError(message, signal) {
  const error = new Error(message, { cause: signal?.reason });
  error.name = 'AbortError';
  return error;
}

// A controller that aborts when signal does (AbortSignal.any is newer than
// Node 20.0); release() stops following it.
export function follow(signal) {
  const controller = new AbortController();
  const abort = () => controller.abort(signal.reason);
  if (signal?.aborted) abort();
  signal?.addEventListener('abort', abort);
  return { controller, release: () => signal?.removeEventListener('abort', abort) };
}

// Failures worth another try: the network's or the server's, not the request's.
const transient = new WeakSet();
function retryable(error) {
  transient.add(error);
  return error;
}

const seconds = (ms) => `${ms / 1000} s`;
const reasonOf = (e) => (e?.cause?.message ? `${e.message}: ${e.cause.message}` : e?.message ?? String(e));

// The wait before another try, cut short by the signal.
function pause(ms, url, signal) {
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      reject(abortError(`cannot fetch ${url}: aborted by load()'s signal`, signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

// Resolves to the whole body of url as bytes. onChunk(n) reports bytes as
// they arrive; a failed try takes its bytes back (n < 0), so progress never
// counts a file twice.
export async function download(url, options, onChunk) {
  for (let attempt = 1; ; attempt++) {
    let received = 0;
    try {
      return await downloadOnce(url, options, (n) => {
        received += n;
        onChunk?.(n);
      });
    } catch (e) {
      if (received) onChunk?.(-received);
      if (!transient.has(e)) throw e;
      if (attempt > options.retries) throw attempt > 1 ? new Error(`${e.message}; gave up after ${attempt} attempts`) : e;
      await pause(options.retryDelay * 2 ** (attempt - 1), url, options.signal);
    }
  }
}

async function downloadOnce(url, { signal, stallTimeout }, onChunk) {
  if (signal?.aborted) throw abortError(`cannot fetch ${url}: aborted by load()'s signal`, signal);
  const { controller, release } = follow(signal);
  let stalled = false;
  let received = 0;
  let timer;
  // Counts from the request on and restarts with each chunk: a server that
  // never answers stalls the same as a body that stops.
  const watch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, stallTimeout);
  };
  const failure = (e) => {
    if (signal?.aborted) return abortError(`cannot fetch ${url}: aborted by load()'s signal`, signal);
    if (stalled) {
      return new Error(`cannot fetch ${url}: the download stalled, no data for ${seconds(stallTimeout)} ` +
        `${received ? `after ${received} bytes` : 'waiting for the server to answer'}`);
    }
    // Browsers may fail the request itself when the body breaks early on.
    return retryable(new Error(`cannot fetch ${url}: the connection ${received
      ? `was interrupted after ${received} bytes` : 'failed before any data came'} (${reasonOf(e)})`));
  };
  try {
    watch();
    let response;
    try {
      response = await fetch(url, { signal: controller.signal });
    } catch (e) {
      throw failure(e);
    }
    if (!response.ok) {
      response.body?.cancel().catch(() => {});
      const error = new Error(`cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
      throw response.status >= 500 ? retryable(error) : error;
    }
    let bytes;
    try {
      bytes = await readBody(response, (n) => {
        received += n;
        watch();
        onChunk(n);
      });
    } catch (e) {
      throw failure(e);
    }
    checkLength(url, response.headers, bytes);
    return bytes;
  } finally {
    clearTimeout(timer);
    release();
  }
}

// A body short of its Content-Length was cut in a way the runtime did not
// report. With a Content-Encoding the header counts the encoded bytes, which
// says nothing about the decoded ones.
function checkLength(url, headers, bytes) {
  const length = Number(headers.get('content-length'));
  if (headers.get('content-encoding') || !(length > 0) || bytes.length === length) return;
  throw retryable(new Error(`cannot fetch ${url}: the body ended after ${bytes.length} of the ${length} bytes ` +
    'its Content-Length announced'));
}

// The body of a Response as one array; onChunk(n) as bytes arrive.
export async function readBody(response, onChunk) {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks = [];
  let length = 0;
  for (const reader = response.body.getReader(); ;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
    onChunk?.(value.length);
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
