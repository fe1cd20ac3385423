// The kdp client verbs against the real API server on loopback (store + strategies, no controllers
// or pod runtime; a fake pod connector answers exec and logs). Proves kubectl-shaped output, error
// texts and exit codes over real HTTP and WebSocket.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/api/bootstrap.js';
import { defaultConfig } from '../../src/api/config.js';
import type { ExecSession, PodConnector } from '../../src/api/pod-connector.js';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { ObjectStore } from '../../src/api/store.js';
import { registerStrategies } from '../../src/api/strategies/index.js';
import { eventually } from '../support/eventually.js';
import { GR } from '../../src/api/types.js';
import { registerClientCommands } from '../../src/cli/commands.js';
import type { CliIO } from '../../src/cli/context.js';

let api: ApiServer;
let store: ObjectStore;
let dir: string;

const connector: PodConnector = {
  async exec(_pod, opts): Promise<ExecSession> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = opts.stdin ? new PassThrough() : undefined;
    const [cmd, ...args] = opts.command;
    const exited = new Promise<number>((resolve) => {
      if (cmd === 'cat' && stdin) {
        stdin.pipe(stdout);
        stdin.on('end', () => setImmediate(() => resolve(0)));
      } else if (cmd === 'fail') {
        stderr.end('boom\n');
        stdout.end();
        setImmediate(() => resolve(Number(args[0] ?? 1)));
      } else {
        stdout.end(`${opts.command.join(' ')}\n`);
        setImmediate(() => resolve(0));
      }
    });
    return { stdin, stdout, stderr, exited, kill() {} };
  },
  async logs(pod, opts) {
    const lines = ['one', 'two', 'three'].map((l) => `${pod.metadata.name}/${opts.container}: ${l}\n`);
    return Readable.from(opts.tailLines !== undefined ? lines.slice(-opts.tailLines) : lines);
  },
};

async function kdp(args: string[], stdinText?: string, signal?: AbortSignal, onOut?: (out: string) => void): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  let code = 0;
  const io: CliIO = {
    stdout: {
      write: (c) => {
        out += typeof c === 'string' ? c : Buffer.from(c).toString();
        onOut?.(out);
      },
    },
    stderr: { write: (c) => (err += typeof c === 'string' ? c : Buffer.from(c).toString()) },
    stdin: Readable.from(stdinText !== undefined ? [Buffer.from(stdinText)] : []) as unknown as CliIO['stdin'],
    env: { KDP_SERVER: api.url },
    signal,
    setExitCode: (c) => {
      code = c;
    },
  };
  const program = new Command().name('kdp').exitOverride();
  registerClientCommands(program, io);
  await program.parseAsync(args, { from: 'user' });
  return { out, err, code };
}

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
`;
const SVC = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kdp-cli-'));
  const config = defaultConfig({ serviceCidr: '127.78.0.0/16', upstreamDns: [], stateDir: dir });
  store = new ObjectStore();
  registerStrategies(store, config);
  bootstrap(store, config);
  api = await startApiServer({ store, connector, host: '127.77.41.1', port: 0 });
});

afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kdp client verbs', () => {
  it('applies a multi-document file: created, then unchanged, then configured', async () => {
    const f = write('app.yaml', `${DEPLOY}---\n${SVC}`);
    let r = await kdp(['apply', '-f', f]);
    expect(r.err).toBe('');
    expect(r.out).toBe('deployment.apps/web created\nservice/web created\n');
    r = await kdp(['apply', '-f', f]);
    expect(r.out).toBe('deployment.apps/web unchanged\nservice/web unchanged\n');
    const live = store.get(GR.deployments, 'default', 'web');
    expect(live.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain('"name":"web"');
    r = await kdp(['apply', '-f', write('app2.yaml', DEPLOY.replace('replicas: 2', 'replicas: 3'))]);
    expect(r.out).toBe('deployment.apps/web configured\n');
    expect(store.get(GR.deployments, 'default', 'web').spec.replicas).toBe(3);
  });

  it('prints tables like kubectl, with -o wide, -A and several types', async () => {
    let r = await kdp(['get', 'svc']);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME {9}TYPE {8}CLUSTER-IP {3,}EXTERNAL-IP {3}PORT\(S\) {3}AGE$/);
    expect(lines.some((l) => /^web {3,}ClusterIP {3}127\.78\.\d+\.\d+ +<none> {8}80\/TCP {4}\d+s$/.test(l))).toBe(true);
    r = await kdp(['get', 'svc', 'web', '-o', 'wide']);
    expect(r.out.split('\n')[0]).toMatch(/AGE {3}SELECTOR$/);
    expect(r.out).toContain('app=web');
    r = await kdp(['get', 'deploy,svc', '-A']);
    expect(r.out).toMatch(/^NAMESPACE {3}NAME {3,}READY/);
    expect(r.out).toContain('deployment.apps/web');
    expect(r.out).toContain('\n\nNAMESPACE');
    expect(r.out).toMatch(/default {5}service\/web /);
  });

  it('get all, -o name|yaml|json|jsonpath, and empty results', async () => {
    let r = await kdp(['get', 'all']);
    expect(r.out).toContain('service/kubernetes');
    expect(r.out).toContain('deployment.apps/web');
    r = await kdp(['get', 'deployments.apps', '-o', 'name']);
    expect(r.out).toBe('deployment.apps/web\n');
    r = await kdp(['get', 'svc', 'web', '-o', 'yaml']);
    expect(r.out).toMatch(/^apiVersion: v1\nkind: Service\nmetadata:\n/);
    expect(r.out).toContain('ports:\n  - port: 80');
    r = await kdp(['get', 'cm', '-o', 'json']);
    expect(JSON.parse(r.out)).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    r = await kdp(['get', 'svc', 'web', '-o', "jsonpath='{.spec.ports[0].port}'"]);
    expect(r.out).toBe('80');
    r = await kdp(['get', 'pods']);
    expect(r.out).toBe('');
    expect(r.err).toBe('No resources found in default namespace.\n');
    r = await kdp(['get', 'pods', '-n', 'kube-public']);
    expect(r.err).toBe('No resources found in kube-public namespace.\n');
  });

  it('reports server and client errors like kubectl, exit 1', async () => {
    let r = await kdp(['get', 'svc', 'nope']);
    expect(r).toMatchObject({ out: '', err: 'Error from server (NotFound): services "nope" not found\n', code: 1 });
    r = await kdp(['get', 'frobs']);
    expect(r).toMatchObject({ err: 'error: the server doesn\'t have a resource type "frobs"\n', code: 1 });
    r = await kdp(['delete', 'svc', 'nope']);
    expect(r).toMatchObject({ err: 'Error from server (NotFound): services "nope" not found\n', code: 1 });
  });

  it('manifest errors: bad YAML applies nothing, missing kind, per-document server errors', async () => {
    const bad = write('bad.yaml', `${SVC.replace('name: web', 'name: first')}---\nmetadata:\n  name: x\n  labels: a: b\n`);
    let r = await kdp(['apply', '-f', bad]);
    expect(r.err).toBe(`error: error parsing ${bad}: error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context\n`);
    expect(r.code).toBe(1);
    expect(store.tryGet(GR.services, 'default', 'first')).toBeUndefined();
    const nokind = write('nokind.yaml', 'apiVersion: v1\nmetadata:\n  name: x\n');
    r = await kdp(['apply', '-f', nokind]);
    expect(r.err).toBe(`error: error validating "${nokind}": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false\n`);
    const mixed = write('mixed.yaml', `${SVC.replace('name: web', 'name: bad-port').replace('port: 80', 'port: 70000')}---\n${SVC.replace('name: web', 'name: good')}`);
    r = await kdp(['apply', '-f', mixed]);
    expect(r.out).toBe('service/good created\n');
    // kubectl rebuilds Invalid errors from the Status details, one `* ` line per cause
    expect(r.err).toMatch(/^The Service "bad-port" is invalid: \n\* spec\.ports\[0\]\.port: Invalid value: 70000/);
    expect(r.code).toBe(1);
  });

  it('scale, expose, describe', async () => {
    let r = await kdp(['scale', 'deployment', 'web', '--replicas', '5']);
    expect(r.out).toBe('deployment.apps/web scaled\n');
    expect(store.get(GR.deployments, 'default', 'web').spec.replicas).toBe(5);
    r = await kdp(['expose', 'deployment', 'web', '--port', '8080', '--target-port', '80', '--name', 'web2', '--type', 'NodePort']);
    expect(r.out).toBe('service/web2 exposed\n');
    const svc = store.get(GR.services, 'default', 'web2');
    expect(svc.spec).toMatchObject({ type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 8080, targetPort: 80, protocol: 'TCP' }] });
    expect(svc.metadata.labels).toEqual({ app: 'web' });
    r = await kdp(['describe', 'svc', 'web2']);
    expect(r.out).toMatch(/^Name: +web2\nNamespace: +default\n/);
    expect(r.out).toMatch(/Type: +NodePort/);
    expect(r.out).toMatch(/Events: +<none>/);
  });

  it('logs and exec through the pod subresources', async () => {
    store.create(GR.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1d'] }] } });
    const p = structuredClone(store.get(GR.pods, 'default', 'p1'));
    p.status = { phase: 'Running', podIP: '127.244.1.9', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: {} } }] };
    store.update(GR.pods, p, { subresource: 'status' });
    let r = await kdp(['logs', 'p1', '--tail', '2']);
    expect(r.out).toBe('p1/c: two\np1/c: three\n');
    r = await kdp(['logs', 'deployment/web']);
    expect(r.out).toContain('p1/c: one');
    r = await kdp(['exec', 'p1', '--', 'echo', 'hi', 'there']);
    expect(r).toMatchObject({ out: 'echo hi there\n', code: 0 });
    r = await kdp(['exec', 'p1', '--', 'fail', '3']);
    expect(r).toMatchObject({ err: 'boom\ncommand terminated with exit code 3\n', code: 3 });
    r = await kdp(['exec', '-i', 'p1', '--', 'cat'], 'from stdin\n');
    expect(r).toMatchObject({ out: 'from stdin\n', code: 0 });
    r = await kdp(['get', 'pods', '-o', 'wide']);
    expect(r.out).toMatch(/^NAME {3}READY {3}STATUS {4}RESTARTS {3}AGE {3}IP {12}NODE {5}NOMINATED NODE {3}READINESS GATES\n/);
    expect(r.out).toMatch(/\np1 {5}1\/1 {5}Running {3}0 {10}\d+s/);
  });

  it('get -w prints the list, then a row per change, until interrupted', async () => {
    const abort = new AbortController();
    let seen = '';
    const run = kdp(['get', 'cm', '-w'], undefined, abort.signal, (o) => {
      seen = o;
    });
    // The list is empty: nothing is printed until the watch delivers the new object (after the
    // list's resourceVersion, so creating it right away cannot be missed).
    store.create(GR.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched', namespace: 'default' }, data: { a: '1' } });
    await eventually(() => expect(seen).toMatch(/\nwatched +1 +\d+s\n/), { what: 'watch row' });
    abort.abort();
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^NAME +DATA +AGE$/);
  });

  it('deletes by name, by file and with a selector', async () => {
    let r = await kdp(['delete', 'svc', 'web2']);
    expect(r.out).toBe('service "web2" deleted\n');
    expect(store.tryGet(GR.services, 'default', 'web2')).toBeUndefined();
    r = await kdp(['delete', '-f', join(dir, 'app.yaml')]);
    expect(r.out).toBe('deployment.apps "web" deleted\nservice "web" deleted\n');
    r = await kdp(['delete', '-f', join(dir, 'app.yaml')]);
    expect(r.err).toContain(`Error from server (NotFound): error when deleting "${join(dir, 'app.yaml')}": deployments.apps "web" not found`);
    r = await kdp(['delete', 'pods', '-l', 'app=web', '--wait=false']);
    expect(r.out).toBe('pod "p1" deleted\n');
  });
});
