import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { capsFromMask, DEFAULT_CAPS, homeFor, resolveSecurityContext, SecurityContextError, setprivArgv } from './security-context.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

function pod(podSc: any, csc: any): [KObject, any] {
  const c = { name: 'c', securityContext: csc };
  return [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { securityContext: podSc, containers: [c] } }, c];
}
const resolve = (podSc: any, csc: any, primaryGid?: (uid: number) => number | undefined) => resolveSecurityContext(...pod(podSc, csc), { primaryGid });

describe('resolveSecurityContext', () => {
  it('runs a pod that asks for nothing as nobody:nogroup, not root, binding low ports through an ambient capability', () => {
    const s = resolve(undefined, undefined);
    expect([s.uid, s.gid, s.groups, s.privileged]).toEqual([65534, 65534, [], false]);
    expect(s.bounding).toEqual(expect.arrayContaining(DEFAULT_CAPS));
    expect(s.bounding).toHaveLength(DEFAULT_CAPS.length);
    expect(s.ambient).toEqual(['NET_BIND_SERVICE']);
    expect([s.noNewPrivs, s.readOnlyRoot]).toEqual([false, false]);
    expect(homeFor(s)).toBe('/tmp');
  });

  it('lets the container override the pod (runAsUser, runAsGroup, runAsNonRoot)', () => {
    const s = resolve({ runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000, 4001], fsGroup: 2000 }, { runAsUser: 1001 });
    expect([s.uid, s.gid, s.groups, s.fsGroup]).toEqual([1001, 3000, [2000, 4000, 4001], 2000]);
    expect(resolve({ runAsUser: 1000 }, { runAsGroup: 7 }).gid).toBe(7);
    expect(() => resolve({ runAsNonRoot: true }, { runAsNonRoot: false, privileged: true })).not.toThrow();
  });

  it("takes a user's primary group from the host's passwd when runAsGroup is unset, else nogroup", () => {
    expect(resolve({ runAsUser: 1000 }, undefined, (u) => (u === 1000 ? 100 : undefined)).gid).toBe(100);
    expect(resolve({ runAsUser: 1234 }, undefined, () => undefined).gid).toBe(65534);
    expect(resolve({ runAsUser: 0 }, undefined).gid).toBe(0);
  });

  it('gives root only to privileged: true or an explicit runAsUser: 0', () => {
    const priv = resolve(undefined, { privileged: true });
    expect([priv.uid, priv.gid, priv.bounding, priv.ambient]).toEqual([0, 0, undefined, []]);
    const root = resolve({ runAsUser: 0 }, undefined);
    expect([root.uid, root.privileged, root.ambient]).toEqual([0, false, []]);
    expect(root.bounding).not.toContain('SYS_ADMIN');
    expect(homeFor(root)).toBe('/root');
  });

  it("refuses runAsNonRoot with root in the kubelet's words", () => {
    expect(() => resolve({ runAsNonRoot: true }, { privileged: true })).toThrow(new SecurityContextError('container has runAsNonRoot and image will run as root (pod: "ns/p", container: c)'));
    expect(() => resolve(undefined, { runAsNonRoot: true, runAsUser: 0 })).toThrow(`container's runAsUser breaks non-root policy (pod: "ns/p", container: c)`);
    expect(resolve({ runAsNonRoot: true }, undefined).uid).toBe(65534);
  });

  it('honours capabilities add/drop (CAP_ prefix or not, ALL) and makes NET_RAW/NET_ADMIN ambient for non-root when added', () => {
    const s = resolve(undefined, { capabilities: { drop: ['ALL'], add: ['CAP_NET_ADMIN', 'net_raw'] } });
    expect(s.bounding).toEqual(['NET_ADMIN', 'NET_RAW']);
    expect(s.ambient).toEqual(['NET_ADMIN', 'NET_RAW']);
    expect(resolve(undefined, { capabilities: { drop: ['NET_BIND_SERVICE'] } }).ambient).toEqual([]);
    expect(resolve(undefined, { capabilities: { drop: ['NET_RAW'] } }).bounding).not.toContain('NET_RAW');
    expect(resolve(undefined, { capabilities: { add: ['SYS_PTRACE'] } }).bounding).toContain('SYS_PTRACE');
  });

  it('maps allowPrivilegeEscalation: false and readOnlyRootFilesystem', () => {
    const s = resolve(undefined, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect([s.noNewPrivs, s.readOnlyRoot]).toEqual([true, true]);
  });
});

describe('setprivArgv', () => {
  it('switches user, groups and capabilities in one setpriv', () => {
    const s = resolve({ runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000] }, { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } });
    expect(setprivArgv('/usr/bin/setpriv', s)).toEqual([
      '/usr/bin/setpriv', '--reuid=1000', '--regid=3000', '--groups=4000', '--bounding-set=-all,+net_bind_service',
      '--inh-caps=-all,+net_bind_service', '--ambient-caps=-all,+net_bind_service', '--no-new-privs', '--',
    ]);
    expect(setprivArgv('setpriv', resolve(undefined, { capabilities: { drop: ['ALL'] } }))).toEqual(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--bounding-set=-all', '--inh-caps=-all', '--']);
  });

  it('leaves a privileged container as it is, and passes on only capabilities kdp holds', () => {
    expect(setprivArgv('setpriv', resolve(undefined, { privileged: true }))).toEqual([]);
    const argv = setprivArgv('setpriv', resolve(undefined, undefined), new Set(['CHOWN', 'NET_BIND_SERVICE']));
    expect(argv).toContain('--bounding-set=-all,+chown,+net_bind_service');
    expect(setprivArgv('setpriv', resolve(undefined, undefined), new Set(['CHOWN']))).not.toContain('--ambient-caps=-all,+net_bind_service');
  });

  it('reads capability masks from /proc/<pid>/status', () => {
    expect([...capsFromMask('0000000000002400')]).toEqual(['NET_BIND_SERVICE', 'NET_RAW']);
    expect(capsFromMask('000001fffeffffff').has('SYS_RESOURCE')).toBe(false);
  });
});
