// A tiny replicated key-value store, to show why StatefulSets give pods stable names and volumes.
// The pod whose hostname ends in -0 is the primary; every other pod is a read-only replica that
// follows the primary by its stable DNS name (db-0.db) and keeps a copy of its log.
//   GET /kv/<key>         the value (404 if unset)        PUT /kv/<key> (body = value)  primary only
//   GET /role             "primary" or "replica of db-0.db"    GET /healthz   ok once caught up
// Data is an append-only log in $DATA_DIR (the pod's PersistentVolume), replayed on start.
// Runs as CommonJS (from the ConfigMap in db.yaml) or as an ES module (inside this repository).
const load = typeof require === 'function' ? require : (m) => process.getBuiltinModule(m);
const { appendFileSync, mkdirSync, readFileSync } = load('node:fs');
const http = load('node:http');
const { hostname } = load('node:os');
const { join } = load('node:path');

const host = process.env.POD_IP || '127.0.0.1';
const port = Number(process.env.PORT || 7000);
const dataDir = process.env.DATA_DIR || '/data';
const me = process.env.POD_NAME || hostname();
const ordinal = Number(me.slice(me.lastIndexOf('-') + 1));
const primary = process.env.PRIMARY || `${me.slice(0, me.lastIndexOf('-'))}-0.${process.env.SERVICE || 'db'}`;
const isPrimary = ordinal === 0;

mkdirSync(dataDir, { recursive: true });
const logFile = join(dataDir, 'kv.log');
const data = new Map();
let entries = 0;
const followers = new Set();
let caughtUp = isPrimary;

function applyLine(line) {
  if (!line) return;
  const { k, v } = JSON.parse(line);
  data.set(k, v);
  entries++;
}
function readLog() {
  try {
    return readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
  } catch {
    return []; // first start: no log yet
  }
}
for (const line of readLog()) applyLine(line);
console.log(`${me}: ${isPrimary ? 'primary' : `replica of ${primary}`}, ${entries} entries from ${logFile}`);

function write(k, v) {
  const line = JSON.stringify({ k, v });
  appendFileSync(logFile, line + '\n');
  applyLine(line);
  for (const res of followers) res.write(line + '\n');
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/healthz') return res.writeHead(caughtUp ? 200 : 503).end(caughtUp ? 'ok\n' : 'catching up\n');
  if (url.pathname === '/role') return res.end(isPrimary ? 'primary\n' : `replica of ${primary}\n`);
  if (url.pathname === '/replicate' && isPrimary) {
    // The log from entry `from` on, then every new entry as it is written.
    const from = Number(url.searchParams.get('from') || 0);
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    const lines = readLog().slice(from);
    res.write(lines.map((l) => l + '\n').join('') + '{"sync":true}\n');
    followers.add(res);
    req.on('close', () => followers.delete(res));
    return;
  }
  const key = url.pathname.startsWith('/kv/') ? decodeURIComponent(url.pathname.slice(4)) : undefined;
  if (!key) return res.writeHead(404).end('not found\n');
  if (req.method === 'GET') {
    if (!data.has(key)) return res.writeHead(404).end(`key ${key} not found\n`);
    return res.end(data.get(key) + '\n');
  }
  if (req.method === 'PUT' || req.method === 'POST') {
    if (!isPrimary) return res.writeHead(403).end(`read-only replica: write to ${primary}\n`);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      write(key, body);
      res.end('OK\n');
    });
    return;
  }
  res.writeHead(405).end('method not allowed\n');
});
server.listen(port, host, () => console.log(`${me}: listening on ${host}:${port}`));

function follow() {
  const req = http.get(`http://${primary}:${port}/replicate?from=${entries}`, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === '{"sync":true}') {
          caughtUp = true;
          continue;
        }
        appendFileSync(logFile, line + '\n');
        applyLine(line);
      }
    });
    res.on('close', retry);
  });
  req.on('error', retry);
}
let retrying = false;
function retry() {
  if (retrying) return;
  retrying = true;
  setTimeout(() => {
    retrying = false;
    follow();
  }, 1000);
}
if (!isPrimary) follow();
process.on('SIGTERM', () => process.exit(0));
