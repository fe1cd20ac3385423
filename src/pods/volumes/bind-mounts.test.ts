import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holderArgv } from '../sandbox.js';
import { acquireMountPoints, releaseMountPoints } from './bind-mounts.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdp-mnt-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('mount points on the host', () => {
  it('creates missing directories (or empty files for file sources) and removes only what it made, when empty', () => {
    writeFileSync(join(dir, 'src-file'), 'x');
    const paths = acquireMountPoints([
      { hostPath: dir, mountPath: join(dir, 'a', 'b', 'c'), readOnly: false },
      { hostPath: join(dir, 'src-file'), mountPath: join(dir, 'etc', 'app.conf'), readOnly: true },
      { hostPath: dir, mountPath: dir, readOnly: false },
    ]);
    expect(statSync(join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
    expect(statSync(join(dir, 'etc', 'app.conf')).isFile()).toBe(true);
    writeFileSync(join(dir, 'a', 'keep'), 'data written through the mount point');
    releaseMountPoints(paths);
    expect(existsSync(join(dir, 'a', 'b'))).toBe(false);
    expect(existsSync(join(dir, 'a', 'keep'))).toBe(true);
    expect(existsSync(join(dir, 'etc'))).toBe(false);
    expect(existsSync(dir)).toBe(true);
  });

  it('keeps a mount point while another sandbox still uses it', () => {
    const m = { hostPath: dir, mountPath: join(dir, 'data'), readOnly: false };
    const first = acquireMountPoints([m]);
    const second = acquireMountPoints([m]);
    releaseMountPoints(first);
    expect(existsSync(join(dir, 'data'))).toBe(true);
    releaseMountPoints(second);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });
});

describe('the sandbox holder', () => {
  it('is PID 1 of its own PID namespace, killed with kdp', () => {
    const [cmd, args] = holderArgv('/run/pod');
    const argv = [cmd, ...args].join(' ');
    expect(argv).toMatch(/unshare --mount --uts --ipc --pid --fork --kill-child --mount-proc --propagation private sh -c/);
    expect(holderArgv('/run/pod', false, 'layer', false, false)[1].join(' ')).toMatch(/unshare --mount --uts --propagation private/);
    expect(argv.endsWith('kdp-pod-sandbox /run/pod layer rw')).toBe(true);
    expect(holderArgv('/run/pod', true, 'host', true)[1].slice(-3)).toEqual(['/run/pod', 'host', 'ro']);
    expect(holderArgv('/run/pod', false)[1].join(' ')).not.toMatch(/--pid/);
  });
});
