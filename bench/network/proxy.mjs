// The latency proxy: a TCP relay (node:net) on 127.0.0.1 in front of the bench's TLS server, one listening
// port per network scenario, each applying model.mjs (round trip, connection set-up, slow start, bandwidth) to
// every connection that goes through it. The TLS stays end to end: the proxy sees records, not requests.
//
// Started by bench/network.mjs with fork(): `node proxy.mjs <target port> <scenarios as JSON>`, each scenario
// `{ name, rttMs, mbps? }`. It sends {type: 'listening', ports: { [name]: port }}; on {type: 'stats'} it answers
// with, per scenario since the last {type: 'reset'}: TCP connections accepted, bytes delivered to clients
// (server to client, TLS records and all) and bytes from clients. It exits when its parent goes.
import { connect, createServer } from 'node:net';
import { PathModel, RealClock } from './model.mjs';

const targetPort = Number(process.argv[2]);
const scenarios = JSON.parse(process.argv[3]);
const clock = new RealClock();

const zero = () => ({ connections: 0, bytesToClients: 0, bytesFromClients: 0 });
const stats = Object.fromEntries(scenarios.map((s) => [s.name, zero()]));

function listen(scenario) {
  const path = new PathModel(clock, scenario);
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    stats[scenario.name].connections++;
    const conn = path.connect();
    const upstream = connect({ host: '127.0.0.1', port: targetPort, allowHalfOpen: true, noDelay: true });
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      client.destroy();
      upstream.destroy();
    };

    client.on('data', (chunk) => {
      stats[scenario.name].bytesFromClients += chunk.length;
      path.up(conn, chunk.length, () => closed || upstream.write(chunk));
    });
    client.on('end', () => path.up(conn, 0, () => closed || upstream.end()));
    upstream.on('data', (chunk) => {
      path.down(conn, chunk.length, (offset, size) => {
        if (closed || client.destroyed) return;
        stats[scenario.name].bytesToClients += size;
        client.write(offset === 0 && size === chunk.length ? chunk : chunk.subarray(offset, offset + size));
      });
    });
    upstream.on('end', () => path.down(conn, 0, () => closed || client.end()));
    // A reset or an error on either side ends both at once (a client process that exits resets its sockets).
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', () => {
      // The server closed: let the bytes already in the model reach the client first.
      path.down(conn, 0, close);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve([scenario.name, server.address().port])));
}

const ports = Object.fromEntries(await Promise.all(scenarios.map(listen)));
process.send({ type: 'listening', ports });

process.on('message', (message) => {
  if (message?.type === 'reset') {
    for (const name of Object.keys(stats)) stats[name] = zero();
    process.send({ type: 'reset' });
  } else if (message?.type === 'stats') process.send({ type: 'stats', stats });
});
process.on('disconnect', () => process.exit(0));
