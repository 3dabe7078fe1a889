// The network model of the bench: what a path of a given round-trip time (and, optionally, bandwidth) does to
// the bytes of each TCP connection. The latency proxy (proxy.mjs) applies it to real sockets, on real timers;
// the ideal (ideal.mjs) runs the very same code on a virtual clock, so the ideal and the measurement can only
// differ by what the clients and the machine add.
//
// What is modelled, per connection:
// - Connection set-up: the TCP handshake costs one RTT before the client's first byte can leave, so bytes from
//   the client are held until one RTT after it connected (the proxy accepts at once on loopback). The TLS 1.3
//   handshake then costs its own round trip naturally, its messages going through the proxy like any data.
// - Propagation: every byte takes RTT/2 in each direction.
// - TCP slow start, server to client: the server may have a congestion window (cwnd) of bytes in flight per
//   round trip, starting at 10 segments of 1460 bytes (RFC 6928). A round begins when data is sent after the
//   previous round's acknowledgements are back (one RTT after it began); at that point cwnd grows by the bytes
//   the previous round carried (byte counting, RFC 3465), so a window that is filled doubles every round trip,
//   and one that is not filled grows only by what was used. No losses, so no slow-start threshold: cwnd is
//   never cut except by the idle restart. Client-to-server data (small requests) is not windowed.
// - Idle restart (RFC 2861, as Linux does with tcp_slow_start_after_idle=1): when a connection has sent
//   nothing for longer than one retransmission timeout (RTT + 200 ms, Linux's minimum RTO term), cwnd is halved
//   once per RTO of idleness, down to the initial window.
// - Bandwidth (optional): one bottleneck link per direction, shared by all the connections of the path,
//   serializes bytes at that rate (FIFO, no loss, unbounded queue). Without it, bytes take no time to send.
// Not modelled: losses and retransmissions, delayed ACKs, Nagle, receive windows, TLS record framing (it is in
// the bytes, since the proxy sees TLS records), the server's think time (the bench server answers from memory).

export const MSS = 1460;
export const INITIAL_WINDOW = 10 * MSS;
const MIN_RTO_MS = 200;
// Event times computed from a round trip can differ from the round's end by float rounding.
const EPSILON = 1e-6;
// Node's timers have a millisecond grain and wake up late rather than early: the real clock runs an event up
// to this much before its time, so that on average events run close to their time instead of always after it.
const EARLY_MS = 0.5;

/**
 * The model of one network path. `clock` provides `now()` (ms) and `at(time, fn)`, which runs `fn(time)` at
 * `time`, in time order, first scheduled first for equal times (a real timer queue in the proxy, a virtual one
 * in the ideal). Callbacks compute from the scheduled time, never from a late wake-up, so timer lateness does
 * not accumulate inside the model.
 */
export class PathModel {
  constructor(clock, { rttMs, mbps = 0 }) {
    this.clock = clock;
    this.rtt = rttMs;
    this.oneWay = rttMs / 2;
    this.rto = rttMs + MIN_RTO_MS;
    this.bytesPerMs = mbps > 0 ? (mbps * 1e6) / 8 / 1000 : Infinity;
    this.link = { up: 0, down: 0 }; // when each direction's bottleneck is free again
  }

  /** A new connection, opened now (the client's SYN). */
  connect() {
    const now = this.clock.now();
    return {
      openedAt: now,
      cwnd: INITIAL_WINDOW,
      roundStart: -Infinity,
      roundSent: 0,
      lastSendAt: -Infinity, // when the server last put a byte on the wire (for the idle restart)
      nextSendAt: now, // the server's queue: bytes waiting for the window leave in order
      lastUp: now, // the last delivery time in each direction, so that bytes arrive in order
      lastDown: now,
    };
  }

  /** Client to server: `length` bytes (0 for a FIN) handed over now; `deliver` runs when they reach the server. */
  up(conn, length, deliver) {
    const now = this.clock.now();
    const leaves = Math.max(now, conn.openedAt + this.rtt); // nothing flows before the TCP handshake is done
    this.clock.at(leaves, (t) => {
      const sent = this.serialize('up', t, length);
      const arrives = Math.max(sent + this.oneWay, conn.lastUp);
      conn.lastUp = arrives;
      this.clock.at(arrives, () => deliver());
    });
  }

  /**
   * Server to client: `length` bytes (0 for a FIN) handed over now. `deliver(offset, size)` runs for each piece
   * as it reaches the client (a piece per slow-start round the bytes span), in order.
   */
  down(conn, length, deliver) {
    let t = Math.max(this.clock.now(), conn.nextSendAt);
    if (length === 0) {
      conn.nextSendAt = t;
      return this.clock.at(t, (at) => this.departDown(conn, at, 0, 0, deliver));
    }
    let offset = 0;
    while (offset < length) {
      if (t + EPSILON >= conn.roundStart + this.rtt) {
        // The previous round is acknowledged: the window grows by what it carried, then a new round begins.
        conn.cwnd += conn.roundSent;
        const idle = t - conn.lastSendAt;
        if (idle > this.rto) conn.cwnd = Math.max(INITIAL_WINDOW, Math.floor(conn.cwnd / 2 ** Math.floor(idle / this.rto)));
        conn.roundStart = t;
        conn.roundSent = 0;
      }
      const room = conn.cwnd - conn.roundSent;
      if (room <= 0) {
        t = conn.roundStart + this.rtt; // wait for this round's acknowledgements
        continue;
      }
      const size = Math.min(room, length - offset);
      const pieceOffset = offset;
      conn.roundSent += size;
      conn.lastSendAt = t;
      this.clock.at(t, (at) => this.departDown(conn, at, pieceOffset, size, deliver));
      offset += size;
    }
    conn.nextSendAt = t;
  }

  departDown(conn, t, offset, size, deliver) {
    const sent = this.serialize('down', t, size);
    const arrives = Math.max(sent + this.oneWay, conn.lastDown);
    conn.lastDown = arrives;
    this.clock.at(arrives, () => deliver(offset, size));
  }

  /** When `length` bytes entering the bottleneck of `direction` at `t` have all left it. */
  serialize(direction, t, length) {
    if (this.bytesPerMs === Infinity) return t;
    if (length === 0) return Math.max(t, this.link[direction]); // a FIN leaves behind the bytes queued before it
    const start = Math.max(t, this.link[direction]);
    this.link[direction] = start + length / this.bytesPerMs;
    return this.link[direction];
  }
}

/** A binary heap of timed events; equal times run in the order they were scheduled. */
class EventQueue {
  constructor() {
    this.heap = [];
    this.seq = 0;
  }
  get size() {
    return this.heap.length;
  }
  peek() {
    return this.heap[0];
  }
  push(time, fn) {
    const h = this.heap;
    h.push({ time, seq: this.seq++, fn });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop() {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

const before = (a, b) => a.time < b.time || (a.time === b.time && a.seq < b.seq);

/** A virtual clock: time moves only from event to event (for the ideal). */
export class VirtualClock {
  constructor() {
    this.time = 0;
    this.queue = new EventQueue();
  }
  now() {
    return this.time;
  }
  at(time, fn) {
    this.queue.push(Math.max(time, this.time), fn);
  }
  /** Runs every event, in time order, until none is left. */
  run() {
    while (this.queue.size > 0) {
      const { time, fn } = this.queue.pop();
      this.time = time;
      fn(time);
    }
  }
}

/**
 * A real clock on Node's timers, for the proxy: one timer armed for the earliest event. Timers have a
 * millisecond grain, so an event runs when it is due within half a millisecond, and the timer is armed for the
 * whole milliseconds left: on a quiet machine events run within a millisecond of their time, on average at it.
 */
export class RealClock {
  constructor() {
    this.queue = new EventQueue();
    this.timer = undefined;
    this.armedFor = Infinity;
    this.running = false;
  }
  now() {
    return performance.now();
  }
  at(time, fn) {
    this.queue.push(time, fn);
    if (this.running) return; // the loop in fire() sees it
    if (time <= performance.now() + EARLY_MS) return this.fire();
    this.arm();
  }
  arm() {
    const next = this.queue.peek();
    if (!next) return;
    if (this.timer !== undefined && this.armedFor <= next.time) return;
    clearTimeout(this.timer);
    this.armedFor = next.time;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.armedFor = Infinity;
        this.fire();
      },
      Math.max(0, Math.floor(next.time - performance.now())),
    );
  }
  fire() {
    this.running = true;
    try {
      while (this.queue.size > 0 && this.queue.peek().time <= performance.now() + EARLY_MS) {
        const { time, fn } = this.queue.pop();
        fn(time);
      }
    } finally {
      this.running = false;
    }
    this.arm();
  }
}
