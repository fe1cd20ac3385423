// `kdp doctor [--state-dir DIR]`: lists what a killed kdp left behind (a stale lock, pod files,
// mounts, nftables tables of dead kdp processes) and what stands in the way of `kdp up` (another
// kdp on the state dir, ports 53/80/443/6443 held), each with how to fix it. Exit code 1 when a
// finding is a problem. The checks are in doctor-checks.ts; this file only gathers facts.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Command } from 'commander';
import { DEFAULT_CONFIG as D } from '../api/config.js';
import { STORAGE_FORMAT } from '../api/storage/sqlite-storage.js';
import { parseTableList, tableOwner } from '../kubeproxy/index.js';
import type { CliIO } from './context.js';
import { diagnose, formatFindings, type DoctorFacts } from './doctor-checks.js';
import { DB_FILE, isKdpProcess, lockHolder, mountPoints, otherKdpProcesses, pidAlive } from './state-dir.js';

function inspectDb(path: string): DoctorFacts['db'] {
  if (!existsSync(path)) return { exists: false };
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const format = (db.prepare("SELECT v FROM kdp_meta WHERE k = 'format'").get() as { v: string } | undefined)?.v;
    if (format !== STORAGE_FORMAT) return { exists: true, error: `not a kdp database (format ${format ?? 'missing'})` };
    const objects = (db.prepare('SELECT COUNT(*) AS n FROM (SELECT MAX(id) AS id, deleted FROM kine GROUP BY name) WHERE deleted = 0').get() as { n: number }).n;
    const revision = (db.prepare('SELECT MAX(id) AS id FROM kine').get() as { id: number | null }).id ?? 0;
    return { exists: true, objects, revision };
  } catch (err) {
    return { exists: true, error: (err as Error).message };
  } finally {
    db?.close();
  }
}

function listeners(): DoctorFacts['listeners'] {
  const r = spawnSync('ss', ['-ltnupH'], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  return r.stdout.split('\n').filter(Boolean).map((line) => {
    const cols = line.trim().split(/\s+/);
    const local = cols[4] ?? '';
    const users = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
    return { proto: cols[0], local, port: Number(local.slice(local.lastIndexOf(':') + 1)), program: users?.[1], pid: users ? Number(users[2]) : undefined };
  });
}

function nftTables(): DoctorFacts['nftTables'] {
  const r = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  return parseTableList(r.stdout).flatMap((name) => {
    const pid = tableOwner(name);
    return pid === undefined ? [] : [{ name, pid, alive: pidAlive(pid) }];
  });
}

export function gatherFacts(stateDir: string): DoctorFacts {
  const pid = lockHolder(stateDir);
  let runDirs: string[] = [];
  try {
    runDirs = readdirSync(join(stateDir, 'run'));
  } catch {
    /* none */
  }
  return {
    stateDir,
    lock: pid === undefined ? undefined : { pid, live: isKdpProcess(pid) },
    db: inspectDb(join(stateDir, DB_FILE)),
    runDirs,
    nftTables: nftTables(),
    kdpProcesses: otherKdpProcesses(),
    listeners: listeners(),
    mounts: mountPoints().filter((m) => m.startsWith(`${stateDir}/`)),
  };
}

export function registerDoctor(program: Command, io: CliIO): void {
  program
    .command('doctor')
    .description('List what a stopped kdp left behind and what is in the way of kdp up, and how to fix each')
    .option('--state-dir <dir>', 'the state dir to check (default ~/.kdp)')
    .option('--api-port <port>', 'the API port kdp up will use', String(D.apiPort))
    .option('--dns-port <port>', 'the cluster DNS port kdp up will use', String(D.dnsPort))
    .option('--dns-address <ip>', 'the cluster DNS address kdp up will use', D.dnsAddress)
    .action((flags: { stateDir?: string; apiPort: string; dnsPort: string; dnsAddress: string }) => {
      const stateDir = flags.stateDir ?? join(io.env.HOME ?? homedir(), '.kdp');
      const findings = diagnose(gatherFacts(stateDir), { apiAddress: D.apiAddress, apiPort: Number(flags.apiPort), dnsAddress: flags.dnsAddress, dnsPort: Number(flags.dnsPort), hostAddress: D.hostAddress });
      io.stdout.write(`kdp doctor: state dir ${stateDir}\n${formatFindings(findings)}`);
      if (findings.some((x) => x.level === 'problem')) io.setExitCode(1);
    });
}
