// `kdp version --client` names the Node.js it runs on, and that is the Node 24 the checkout pins.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

describe('kdp version', () => {
  it('prints the client version and the Node.js version, which is 24 or newer', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'kdp.js'), 'version', '--client']);
    expect(stdout).toMatch(/^Client Version: v1\.\d+\.\d+-kdp/m);
    const node = /^Node\.js Version: (v(\d+)\.\d+\.\d+)$/m.exec(stdout);
    expect(node?.[1]).toBe(process.version);
    expect(Number(node?.[2])).toBeGreaterThanOrEqual(24);
  });

  it('-o json carries nodeVersion in clientVersion', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'kdp.js'), 'version', '--client', '-o', 'json']);
    expect(JSON.parse(stdout).clientVersion.nodeVersion).toBe(process.version);
  });
});
