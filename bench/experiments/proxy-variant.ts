// A stand-alone TCP splice, one variant per run, to measure proxy techniques against HAProxy without
// touching src/kubeproxy: `node dist/bench/experiments/proxy-variant.js VARIANT LISTEN_IP PORT BACKEND_IP:PORT`
//   pipe    accept (paused) → connect → client.pipe(upstream).pipe(client)   (what kdp does today)
//   data    the same with 'data' handlers and write()/drain backpressure instead of stream.pipe
//   inproc  no second socket: the accepted socket is handed to an in-process http.Server
//           (what kdp could do for its built-in images); BACKEND is ignored
import http from 'node:http';
import net, { type Socket } from 'node:net';

const [variant, ip, portStr, backend] = process.argv.slice(2);
const [bip, bport] = (backend ?? '').split(':');
const port = Number(portStr);

function spliceData(a: Socket, b: Socket): void {
  a.on('data', (d: Buffer) => {
    if (!b.write(d)) a.pause();
  });
  b.on('drain', () => a.resume());
  a.on('end', () => b.end());
}

const body = 'hello from a kdp bench backend\n';
const inproc = http.createServer({ keepAliveTimeout: 75_000 }, (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
});

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (client) => {
  client.on('error', () => client.destroy());
  if (variant === 'inproc') {
    inproc.emit('connection', client);
    client.resume();
    return;
  }
  const up = net.connect({ host: bip, port: Number(bport), noDelay: true, allowHalfOpen: true });
  up.on('error', () => {
    up.destroy();
    client.destroy();
  });
  client.on('close', () => up.destroy());
  up.on('close', () => client.destroy());
  up.once('connect', () => {
    if (variant === 'data') {
      spliceData(client, up);
      spliceData(up, client);
      client.resume();
    } else {
      client.pipe(up);
      up.pipe(client);
    }
  });
});
server.listen({ host: ip, port, backlog: 4096 }, () => console.log(`listening ${ip}:${port} (${variant})`));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
