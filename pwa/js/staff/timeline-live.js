// Live updates of the service desk's timeline. An SSE stream of hints (event id and name only), read
// with fetch + ReadableStream so the grant stays a header; each hint asks for what is new, as does
// every (re)connect. The server ends the stream now and then: it is reopened with Last-Event-ID
// (after `retry:`, doubling after failures). If streaming is unsupported or fails three times in a
// row, a polite poller takes over: every 5 s while the tab is visible, backing off to 30 s after
// empty answers, paused while hidden. Both stop when the grant ends. Neither is a new audit entry.
const FAST = 5000;
const SLOW = 30000;
const EMPTY_BEFORE_BACKOFF = 3;
const FAILURES_BEFORE_POLLING = 3;

/**
 * stream(lastEventId, signal) opens the hints (a fetch Response; optional); fetchNew() shows what is
 * newer than the timeline's latest entry and resolves to how many there were.
 */
export class TimelineLive {
  stopped = true;
  #stream;
  #fetchNew;
  #streaming;
  #timer = null;
  #controller = null; // aborts the open stream
  #lastEventId = '';
  #retry = 3000;
  #failures = 0;
  #delay = FAST;
  #empty = 0;
  #pulling = null; // the fetch of what is new in flight; hints meanwhile ask for one more
  #again = false;

  constructor({ stream, fetchNew }) {
    this.#stream = stream;
    this.#fetchNew = fetchNew;
    this.#streaming = !!stream && typeof ReadableStream !== 'undefined' && typeof TextDecoderStream !== 'undefined';
  }

  start() {
    this.stopped = false;
    document.addEventListener('visibilitychange', this.#onVisibility);
    if (this.#streaming) this.#listen(); else this.#schedule();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.#timer);
    this.#controller?.abort();
    document.removeEventListener('visibilitychange', this.#onVisibility);
  }

  /** Fetches what is new; asked again while a fetch is in flight, it fetches once more after it. */
  pull() {
    if (this.#pulling) { this.#again = true; return this.#pulling; }
    this.#pulling = (async () => {
      do { this.#again = false; await this.#fetchNew(); } while (this.#again && !this.stopped);
    })().catch((error) => this.#ended(error)).finally(() => { this.#pulling = null; });
    return this.#pulling;
  }

  /** A lost grant or session stops the live path (the page asks again); other errors are retried. */
  #ended(error) {
    if (error?.grantEnded || error?.signedOut) { this.stop(); return true; }
    return false;
  }

  async #listen() {
    this.#timer = null;
    if (this.stopped) return;
    const mine = new AbortController();
    this.#controller = mine;
    const opened = Date.now();
    try {
      const response = await this.#stream(this.#lastEventId, mine.signal);
      this.pull(); // what happened while (re)connecting
      await this.#readHints(response.body.pipeThrough(new TextDecoderStream()).getReader());
      this.#failures = Date.now() - opened < 1000 ? this.#failures + 1 : 0; // closed at once counts as a failure
    } catch (error) {
      if (this.stopped || mine.signal.aborted || this.#ended(error)) return;
      this.#failures += 1;
    }
    if (this.stopped) return;
    if (this.#failures >= FAILURES_BEFORE_POLLING) { this.#streaming = false; this.#schedule(); return; } // the polite poller from here on
    this.#timer = setTimeout(() => this.#listen(), this.#retry * 2 ** this.#failures);
  }

  async #readHints(reader) {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        this.#onHint(parseFields(buffer.slice(0, end)));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  #onHint(fields) {
    if (fields.retry) this.#retry = Number(fields.retry) || this.#retry;
    if (fields.id) this.#lastEventId = fields.id;
    if ('data' in fields) this.pull();
  }

  async #poll() {
    this.#timer = null;
    if (this.stopped || document.hidden) return;
    try {
      if (await this.#fetchNew()) { this.#empty = 0; this.#delay = FAST; }
      else if (++this.#empty >= EMPTY_BEFORE_BACKOFF) this.#delay = Math.min(this.#delay * 2, SLOW);
    } catch (error) {
      if (this.#ended(error)) return;
      this.#delay = Math.min(this.#delay * 2, SLOW);
    }
    this.#schedule();
  }

  #schedule() {
    clearTimeout(this.#timer);
    if (!this.stopped && !document.hidden) this.#timer = setTimeout(() => this.#poll(), this.#delay);
  }

  #onVisibility = () => {
    if (this.#streaming) return; // the stream stays open while hidden: hints cost nothing
    if (document.hidden) { clearTimeout(this.#timer); this.#timer = null; return; }
    this.#delay = FAST;
    this.#empty = 0;
    this.#poll(); // catch up at once when the tab comes back
  };
}

/** One SSE message's fields ({id, retry, data, …}) from its lines. */
function parseFields(message) {
  return Object.fromEntries(message.split('\n')
    .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
}
