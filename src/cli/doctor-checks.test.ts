import { describe, expect, it } from 'vitest';
import { diagnose, formatFindings, type DoctorFacts } from './doctor-checks.js';

const wanted = { apiAddress: '127.0.0.1', apiPort: 6443, dnsAddress: '127.96.0.10', dnsPort: 53, hostAddress: '127.0.0.1' };
const clean: DoctorFacts = { stateDir: '/s', db: { exists: false }, runDirs: [], nftTables: [], kdpProcesses: [], listeners: [], mounts: [] };

describe('kdp doctor', () => {
  it('a clean machine: only OKs', () => {
    expect(diagnose(clean, wanted).map((f) => f.level)).toEqual(['ok', 'ok', 'ok']);
  });

  it('after a kill -9: the stale lock, pod files and the dead table, each with its fix', () => {
    const f = diagnose({ ...clean, lock: { pid: 77, live: false }, db: { exists: true, objects: 12, revision: 90 }, runDirs: ['pods-x'], nftTables: [{ name: 'kdp_77', pid: 77, alive: false }, { name: 'kdp_5', pid: 5, alive: true }] }, wanted);
    const text = formatFindings(f);
    expect(text).toContain('[WARN]    stale lock /s/kdp.pid from PID 77, which is not running');
    expect(text).toContain('[OK]      state.db holds 12 objects at resourceVersion 90');
    expect(text).toContain('pod files left by a stopped kdp: /s/run/pods-x');
    expect(text).toContain('nftables tables of kdp processes that are gone: kdp_77\n          fix: the next \'kdp up\' removes them, or now: nft delete table ip kdp_77');
    expect(f.some((x) => x.level === 'problem')).toBe(false);
  });

  it('conflicts: another kdp on the state dir, ports held by other programs on the addresses kdp wants', () => {
    const f = diagnose({
      ...clean,
      lock: { pid: 9, live: true },
      runDirs: ['pods-y'],
      db: { exists: true, error: 'file is not a database' },
      kdpProcesses: [{ pid: 9, stateDir: '/s' }],
      listeners: [
        { proto: 'udp', local: '0.0.0.0:53', port: 53, program: 'dnsmasq', pid: 300 },
        { proto: 'udp', local: '127.0.0.53%lo:53', port: 53, program: 'systemd-resolve', pid: 301 },
        { proto: 'tcp', local: '127.0.0.1:6443', port: 6443, program: 'node', pid: 9 },
        { proto: 'tcp', local: '*:80', port: 80, program: 'nginx', pid: 302 },
      ],
    }, wanted);
    const problems = f.filter((x) => x.level === 'problem').map((x) => x.what);
    expect(problems).toEqual([
      '/s/state.db cannot be used: file is not a database',
      'port 53/udp (the cluster DNS) is held on 0.0.0.0:53 by dnsmasq (PID 300)',
      'port 80/tcp (ingress HTTP / LoadBalancer :80) is held on *:80 by nginx (PID 302)',
    ]);
    expect(f[0].what).toBe("a kdp is running on this state dir (PID 9); another 'kdp up' on it will refuse");
    expect(f.some((x) => x.what.includes('pod files'))).toBe(false); // the live kdp's own
  });
});
