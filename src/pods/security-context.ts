// A container's identity and privileges, resolved from the pod's and the container's
// securityContext with Kubernetes' precedence (the container's field wins over the pod's), and turned
// into the `setpriv` argv that applies them to the container's process inside the pod sandbox.
// kdp's "image" is the host, so a pod that asks for no user does not run as the host's root: it runs
// as DEFAULT_UID/DEFAULT_GID (65534, nobody/nogroup). Only `privileged: true` or an explicit
// `runAsUser: 0` gets uid 0.
import type { KObject } from '../api/types.js';
import { ContainerConfigError } from './container-env.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The identity of a container that asks for none (nobody:nogroup). */
export const DEFAULT_UID = 65534;
export const DEFAULT_GID = 65534;

/** containerd's default capability set for a (non-privileged) container, as Kubernetes gets it. */
export const DEFAULT_CAPS = [
  'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP',
  'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE',
];

/** Every Linux capability name (without CAP_), as capabilities(7) lists them. */
export const ALL_CAPS = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];

/**
 * Capabilities a non-root container holds as ambient capabilities (so they survive its exec): the
 * ones that matter to a host process on the host's network — binding ports below 1024 on its pod IP
 * (NET_BIND_SERVICE, granted unless dropped), and NET_RAW / NET_ADMIN when the spec adds them.
 */
export const AMBIENT_FOR_NON_ROOT = ['NET_BIND_SERVICE', 'NET_RAW', 'NET_ADMIN'];

export interface ResolvedSecurity {
  uid: number;
  gid: number;
  /** Supplementary groups: fsGroup first, then supplementalGroups. */
  groups: number[];
  fsGroup?: number;
  privileged: boolean;
  /** The bounding set (capability names without CAP_); undefined: all (privileged). */
  bounding?: string[];
  /** Ambient (and inheritable) capabilities, for a non-root user. */
  ambient: string[];
  noNewPrivs: boolean;
  readOnlyRoot: boolean;
}

/** The kubelet refuses to start the container (CreateContainerConfigError). */
export class SecurityContextError extends ContainerConfigError {}

/** `CAP_NET_ADMIN`, `net_admin` → `NET_ADMIN`; `ALL` stays `ALL`. */
export function capName(c: unknown): string {
  return String(c).toUpperCase().replace(/^CAP_/, '');
}

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

export interface ResolveOptions {
  /** The primary group of a uid in the host's /etc/passwd (the "image" default); undefined if none. */
  primaryGid?(uid: number): number | undefined;
}

/** The security settings of one container of `pod`, as the kubelet resolves them. */
export function resolveSecurityContext(pod: KObject, container: any, opts: ResolveOptions = {}): ResolvedSecurity {
  const psc = pod.spec?.securityContext ?? {};
  const csc = container?.securityContext ?? {};
  const privileged = csc.privileged === true;
  const explicitUid = int(csc.runAsUser) ?? int(psc.runAsUser);
  const uid = explicitUid ?? (privileged ? 0 : DEFAULT_UID);
  const runAsNonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
  if (runAsNonRoot === true && uid === 0) {
    const ref = `pod: "${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}", container: ${container?.name}`;
    throw new SecurityContextError(explicitUid === 0
      ? `container's runAsUser breaks non-root policy (${ref})`
      : `container has runAsNonRoot and image will run as root (${ref})`);
  }
  const gid = int(csc.runAsGroup) ?? int(psc.runAsGroup) ?? (uid === 0 ? 0 : opts.primaryGid?.(uid) ?? DEFAULT_GID);
  const fsGroup = int(psc.fsGroup);
  const groups = [...new Set([...(fsGroup !== undefined ? [fsGroup] : []), ...(Array.isArray(psc.supplementalGroups) ? psc.supplementalGroups.map(int).filter((g: number | undefined) => g !== undefined) : [])])] as number[];

  let bounding: string[] | undefined;
  let ambient: string[] = [];
  if (!privileged) {
    const add: string[] = (csc.capabilities?.add ?? []).map(capName);
    const drop: string[] = (csc.capabilities?.drop ?? []).map(capName);
    let set = new Set(DEFAULT_CAPS);
    if (drop.includes('ALL')) set = new Set();
    else for (const c of drop) set.delete(c);
    if (add.includes('ALL')) set = new Set(ALL_CAPS);
    else for (const c of add) set.add(c);
    bounding = ALL_CAPS.filter((c) => set.has(c));
    if (uid !== 0) ambient = bounding.filter((c) => AMBIENT_FOR_NON_ROOT.includes(c) && (c === 'NET_BIND_SERVICE' || add.includes(c) || add.includes('ALL')));
  }
  return {
    uid,
    gid,
    groups,
    ...(fsGroup !== undefined ? { fsGroup } : {}),
    privileged,
    ...(bounding ? { bounding } : {}),
    ambient,
    noNewPrivs: csc.allowPrivilegeEscalation === false,
    readOnlyRoot: csc.readOnlyRootFilesystem === true,
  };
}

/** The home directory a container gets unless its env sets HOME: root's for root, else its layer's /tmp. */
export function homeFor(sec: Pick<ResolvedSecurity, 'uid'>): string {
  return sec.uid === 0 ? '/root' : '/tmp';
}

const lower = (caps: string[]) => caps.map((c) => c.toLowerCase());

/**
 * `setpriv … --` that makes the process what `sec` says: uid, gid, groups, bounding set, ambient
 * capabilities, no_new_privs. Privileged containers run as they are (root with every capability).
 * `available` is kdp's own bounding set: a capability kdp does not hold itself cannot be passed on.
 */
export function setprivArgv(setpriv: string, sec: ResolvedSecurity, available: ReadonlySet<string> = new Set(ALL_CAPS)): string[] {
  if (sec.privileged && sec.uid === 0 && sec.gid === 0 && !sec.groups.length && !sec.noNewPrivs) return [];
  const argv = [setpriv, `--reuid=${sec.uid}`, `--regid=${sec.gid}`, sec.groups.length ? `--groups=${sec.groups.join(',')}` : '--clear-groups'];
  if (sec.bounding) {
    const keep = sec.bounding.filter((c) => available.has(c));
    argv.push(`--bounding-set=${['-all', ...lower(keep).map((c) => `+${c}`)].join(',')}`);
    const amb = sec.ambient.filter((c) => available.has(c));
    if (amb.length) {
      const list = ['-all', ...lower(amb).map((c) => `+${c}`)].join(',');
      argv.push(`--inh-caps=${list}`, `--ambient-caps=${list}`);
    } else if (sec.uid !== 0) {
      argv.push('--inh-caps=-all');
    }
  }
  if (sec.noNewPrivs) argv.push('--no-new-privs');
  argv.push('--');
  return argv;
}

/** Capability names of a `CapBnd:` hex mask from /proc/self/status. */
export function capsFromMask(hex: string): Set<string> {
  const mask = BigInt(`0x${hex.trim() || '0'}`);
  return new Set(ALL_CAPS.filter((_, i) => (mask >> BigInt(i)) & 1n));
}
