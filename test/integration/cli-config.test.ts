// The real binary with bad configuration: `kdp up` with a bad flag stops before starting anything, a
// client verb with a bad API address stops before connecting; each says which setting and why in
// kubectl's words, and exits 1. (The checks themselves are unit-tested in src/cli/config.test.ts.)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, run } from '../support/kdp.js';

describe('kdp up with an invalid flag', () => {
  const parent = mkdtempSync(join(tmpdir(), 'kdp-up-flags-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('rejects --api-port abc as pflag does, exit 1, nothing started', async () => {
    const stateDir = join(parent, 'state');
    const r = await run(process.execPath, [join(ROOT, 'bin', 'kdp.js'), 'up', '--api-port', 'abc', '--state-dir', stateDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: invalid argument "abc" for "--api-port" flag: strconv.ParseInt: parsing "abc": invalid syntax\nSee 'kdp up --help' for usage.\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(stateDir)).toBe(false);
  });

  it('rejects a pod range that overlaps the Service range', async () => {
    const r = await run(process.execPath, [join(ROOT, 'bin', 'kdp.js'), 'up', '--pod-cidr', '127.96.0.0/16', '--state-dir', join(parent, 'state2')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: invalid argument "127\.96\.0\.0\/16" for "--pod-cidr" flag: overlaps --service-cidr 127\.96\.0\.0\/12\n/);
  });
});

describe('a client verb with an invalid API address', () => {
  it('rejects KDP_SERVER with a scheme other than http(s), exit 1', async () => {
    const r = await run(process.execPath, [join(ROOT, 'bin', 'kdp.js'), 'get', 'pods'], { env: { ...process.env, KDP_SERVER: 'ftp://127.0.0.1:6443' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: invalid KDP_SERVER "ftp://127.0.0.1:6443": unsupported scheme "ftp": want http or https\n');
  });
});

