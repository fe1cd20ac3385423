// `kdp doctor`'s pure core: from facts about this machine (gathered by doctor.ts) to findings, each
// with what is wrong and how to fix it. Tested without touching the machine.

export interface DoctorFacts {
  stateDir: string;
  /** The PID in <state-dir>/kdp.pid, and whether it is a live kdp. */
  lock?: { pid: number; live: boolean };
  /** state.db: absent, readable (with its object count), or unreadable (why). */
  db: { exists: false } | { exists: true; objects: number; revision: number } | { exists: true; error: string };
  /** Entries of <state-dir>/run (pod files of a kdp). */
  runDirs: string[];
  /** kdp_<pid> nftables tables, with whether their process lives. */
  nftTables: { name: string; pid: number; alive: boolean }[];
  /** Running `kdp up` processes other than this one, with the state dir each names. */
  kdpProcesses: { pid: number; stateDir?: string }[];
  /** Listening sockets on the ports kdp wants (53, 80, 443, the API port), with their holder. */
  listeners: { port: number; local: string; pid?: number; program?: string; proto: string }[];
  /** Mount points under the state dir in this mount namespace. */
  mounts: string[];
}

export interface Finding {
  level: 'ok' | 'warn' | 'problem';
  what: string;
  fix?: string;
}

export interface WantedAddresses {
  apiAddress: string;
  apiPort: number;
  dnsAddress: string;
  dnsPort: number;
  /** Where NodePorts and LoadBalancer ports (80, 443) are also served (127.0.0.1). */
  hostAddress: string;
}

/** A listener on `local` (ip:port) takes `ip`'s port when it is that address or a wildcard. */
function covers(local: string, ip: string): boolean {
  const host = local.slice(0, local.lastIndexOf(':'));
  return host === ip || host === '0.0.0.0' || host === '*' || host === '[::]';
}

export function diagnose(f: DoctorFacts, wanted: WantedAddresses): Finding[] {
  const out: Finding[] = [];
  const holder = f.lock?.live ? f.lock.pid : undefined;
  if (holder !== undefined) {
    out.push({ level: 'warn', what: `a kdp is running on this state dir (PID ${holder}); another 'kdp up' on it will refuse`, fix: `stop it (kill ${holder}, or Ctrl-C in its terminal), or start another cluster with --state-dir DIR` });
  } else if (f.lock) {
    out.push({ level: 'warn', what: `stale lock ${f.stateDir}/kdp.pid from PID ${f.lock.pid}, which is not running (a kdp that was killed)`, fix: "nothing to do: the next 'kdp up' takes it over and resumes the cluster" });
  } else {
    out.push({ level: 'ok', what: 'no kdp is using this state dir' });
  }

  if (!f.db.exists) out.push({ level: 'ok', what: "no state.db yet: 'kdp up' starts a new cluster" });
  else if ('error' in f.db) out.push({ level: 'problem', what: `${f.stateDir}/state.db cannot be used: ${f.db.error}`, fix: `move it away (mv ${f.stateDir}/state.db ${f.stateDir}/state.db.bad) or start over with 'kdp up --fresh' (deletes it)` });
  else out.push({ level: 'ok', what: `state.db holds ${f.db.objects} objects at resourceVersion ${f.db.revision}; 'kdp up' resumes them` });

  if (holder === undefined && f.runDirs.length) {
    out.push({ level: 'warn', what: `pod files left by a stopped kdp: ${f.runDirs.map((d) => `${f.stateDir}/run/${d}`).join(', ')}`, fix: "the next 'kdp up' removes them" });
  }
  if (holder === undefined && f.mounts.length) {
    out.push({ level: 'problem', what: `still mounted under the state dir: ${f.mounts.join(', ')}`, fix: `umount -l ${f.mounts.join(' ')}` });
  }

  const dead = f.nftTables.filter((t) => !t.alive);
  if (dead.length) {
    out.push({ level: 'warn', what: `nftables tables of kdp processes that are gone: ${dead.map((t) => t.name).join(', ')}`, fix: `the next 'kdp up' removes them, or now: ${dead.map((t) => `nft delete table ip ${t.name}`).join('; ')}` });
  } else {
    out.push({ level: 'ok', what: 'no nftables table of a stopped kdp' });
  }

  const others = f.kdpProcesses.filter((p) => p.pid !== holder);
  for (const p of others) {
    out.push({ level: 'warn', what: `another kdp up runs (PID ${p.pid}${p.stateDir ? `, state dir ${p.stateDir}` : ''}): it may hold the ports and addresses a second cluster wants`, fix: `give each cluster its own ranges and ports (kdp up --help), or stop it (kill ${p.pid})` });
  }

  const names: Record<number, string> = { [wanted.dnsPort]: 'the cluster DNS', 80: 'ingress HTTP / LoadBalancer :80', 443: 'ingress HTTPS', [wanted.apiPort]: 'the API server' };
  const kdpPids = new Set([holder, ...f.kdpProcesses.map((p) => p.pid)].filter((p) => p !== undefined));
  for (const l of f.listeners) {
    if (!(l.port in names) || (l.pid !== undefined && kdpPids.has(l.pid))) continue;
    const ip = l.port === wanted.dnsPort ? wanted.dnsAddress : l.port === wanted.apiPort ? wanted.apiAddress : wanted.hostAddress;
    if (!covers(l.local, ip)) continue;
    const who = l.program ? `${l.program}${l.pid ? ` (PID ${l.pid})` : ''}` : 'another program';
    const fix = l.port === wanted.dnsPort
      ? `stop ${who} or bind it elsewhere, or run kdp with --dns-port N`
      : l.port === wanted.apiPort ? `stop ${who}, or run kdp with --api-port N` : `stop ${who}, or use other ports for Services and ingress`;
    out.push({ level: 'problem', what: `port ${l.port}/${l.proto} (${names[l.port]}) is held on ${l.local} by ${who}`, fix });
  }
  return out;
}

export function formatFindings(findings: Finding[]): string {
  const tag = { ok: '[OK]     ', warn: '[WARN]   ', problem: '[PROBLEM]' };
  return findings.map((x) => `${tag[x.level]} ${x.what}${x.fix ? `\n          fix: ${x.fix}` : ''}`).join('\n') + '\n';
}
