// The ideal time of the network bench's scenarios: a client that costs nothing (no CPU time, no waiting of its
// own) following the protocol on the very network model the proxy applies (model.mjs), on a virtual clock.
//
// The ideal client listing a run with N pages in flight:
// 1. connects (TCP handshake: 1 RTT), does the TLS 1.3 handshake (1 RTT: ClientHello out, the server's flight
//    back), sends the first request with its TLS Finished, and reads the first page (1 RTT, plus one more per
//    extra slow-start round its bytes need on the fresh connection). Only then is `count` known.
// 2. asks for the next N pages at once: one on the connection it has, the others on N-1 new connections, each
//    paying its own TCP and TLS round trips and its own slow start; each connection asks for the next page not
//    yet asked for as soon as its previous answer has fully arrived, until every page is asked for.
// The time is from the first connect to the last byte of the last page. Page sizes are the server's own, in
// its smallest encoding (brotli); bytes besides the bodies (TLS handshake messages, session tickets, HTTP
// headers and TLS record framing) are as measured through the proxy on Node 24 with OpenSSL 3.5 (whose
// ClientHello carries a post-quantum key share) and the bench's P-256 certificate.
import { PathModel, VirtualClock } from './model.mjs';

export const WIRE = {
  clientHello: 1583,
  serverFlight: 1876, // ServerHello ... Finished
  clientFinished: 80,
  request: 275, // a GET with the API key, as the SDK and the scripts send it
  sessionTickets: 574, // two TLS 1.3 NewSessionTicket messages, sent before the first answer
  responseOverhead: 274, // status line and headers, and the framing of two TLS records
};

/**
 * The ideal time (ms) to fetch pages of the given body sizes (the first page first) with `concurrency` in
 * flight, over a path of `rttMs` (and `mbps`, if given), and the number of connections it uses.
 */
export function idealListing({ rttMs, mbps = 0, pageBytes, concurrency = 4 }) {
  const clock = new VirtualClock();
  const path = new PathModel(clock, { rttMs, mbps });
  let nextPage = 1;
  let done = 0;
  let finishedAt = 0;
  let connections = 0;

  /** Sends `length` bytes one way and runs `then` once all of them have arrived. */
  const down = (conn, length, then) => {
    let got = 0;
    path.down(conn, length, (_, size) => {
      got += size;
      if (got === length) then();
    });
  };
  const open = (then) => {
    connections++;
    const conn = path.connect();
    path.up(conn, WIRE.clientHello, () => down(conn, WIRE.serverFlight, () => then(conn)));
  };
  const fetchPage = (conn, page, fresh, then) => {
    path.up(conn, WIRE.request + (fresh ? WIRE.clientFinished : 0), () =>
      down(conn, (fresh ? WIRE.sessionTickets : 0) + WIRE.responseOverhead + pageBytes[page], then),
    );
  };
  const work = (conn, page, fresh) =>
    fetchPage(conn, page, fresh, () => {
      done++;
      finishedAt = clock.now();
      if (nextPage < pageBytes.length) work(conn, nextPage++, false);
    });

  open((first) =>
    fetchPage(first, 0, true, () => {
      done++;
      finishedAt = clock.now();
      if (nextPage < pageBytes.length) work(first, nextPage++, false);
      for (let i = 1; i < concurrency && nextPage < pageBytes.length; i++) {
        const page = nextPage++;
        open((conn) => work(conn, page, true));
      }
    }),
  );
  clock.run();
  if (done !== pageBytes.length) throw new Error(`ideal: ${done} of ${pageBytes.length} pages done`);
  return { ms: finishedAt, connections };
}

/** The ideal time (ms) of one page on a fresh connection: connect, TLS, one request (no process start). */
export function idealOnePage({ rttMs, mbps = 0, bytes }) {
  return idealListing({ rttMs, mbps, pageBytes: [bytes], concurrency: 1 });
}
