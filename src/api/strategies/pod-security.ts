// securityContext fields at admission: the ones kdp's pod runtime honours (src/pods/security-context.ts:
// users, groups, fsGroup, runAsNonRoot, privileged, capabilities, allowPrivilegeEscalation,
// readOnlyRootFilesystem) are validated as the apiserver does; a field kdp cannot honour is refused
// with a 422 field error that says so, never accepted and silently ignored.
import { field, type StatusCause } from '../errors.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const CAPS = new Set([
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE', 'ALL',
]);

const MAX_ID = 2147483647;

function id(causes: StatusCause[], path: string, v: unknown): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_ID) causes.push(field.invalid(path, v, `must be between 0 and ${MAX_ID}, inclusive`));
}

function bool(causes: StatusCause[], path: string, v: unknown): void {
  if (v !== undefined && v !== null && typeof v !== 'boolean') causes.push(field.invalid(path, v, 'must be a boolean'));
}

/** Profiles kdp can run under: RuntimeDefault/Unconfined (no filter of its own); Localhost needs a host profile kdp does not load. */
function profile(causes: StatusCause[], path: string, p: any, what: string): void {
  if (!p) return;
  const types = ['RuntimeDefault', 'Unconfined', 'Localhost'];
  if (!types.includes(p.type)) causes.push(field.notSupported(`${path}.type`, p.type, types));
  else if (p.type === 'Localhost') causes.push(field.forbidden(`${path}.type`, `kdp cannot honour a Localhost ${what} profile: pods run as host processes and kdp loads no ${what} profiles; use RuntimeDefault or Unconfined`));
}

/** Fields both levels have, refused or checked alike. */
function common(causes: StatusCause[], path: string, sc: any): void {
  id(causes, `${path}.runAsUser`, sc.runAsUser);
  id(causes, `${path}.runAsGroup`, sc.runAsGroup);
  bool(causes, `${path}.runAsNonRoot`, sc.runAsNonRoot);
  if (sc.runAsNonRoot === true && sc.runAsUser === 0) causes.push(field.invalid(`${path}.runAsUser`, 0, 'runAsUser 0 is not allowed when runAsNonRoot is true'));
  if (sc.seLinuxOptions && Object.keys(sc.seLinuxOptions).length) causes.push(field.forbidden(`${path}.seLinuxOptions`, 'kdp cannot honour SELinux options: pods run as host processes without SELinux labels'));
  if (sc.windowsOptions && Object.keys(sc.windowsOptions).length) causes.push(field.forbidden(`${path}.windowsOptions`, 'kdp runs Linux host processes only'));
  profile(causes, `${path}.seccompProfile`, sc.seccompProfile, 'seccomp');
  profile(causes, `${path}.appArmorProfile`, sc.appArmorProfile, 'AppArmor');
}

function podLevel(causes: StatusCause[], path: string, sc: any): void {
  if (!sc || typeof sc !== 'object') return;
  common(causes, path, sc);
  id(causes, `${path}.fsGroup`, sc.fsGroup);
  if (sc.supplementalGroups !== undefined && sc.supplementalGroups !== null) {
    if (!Array.isArray(sc.supplementalGroups)) causes.push(field.invalid(`${path}.supplementalGroups`, sc.supplementalGroups, 'must be a list of group IDs'));
    else sc.supplementalGroups.forEach((g: unknown, i: number) => id(causes, `${path}.supplementalGroups[${i}]`, g));
  }
  if (sc.fsGroupChangePolicy !== undefined && !['OnRootMismatch', 'Always'].includes(sc.fsGroupChangePolicy)) causes.push(field.notSupported(`${path}.fsGroupChangePolicy`, sc.fsGroupChangePolicy, ['OnRootMismatch', 'Always']));
  if (sc.supplementalGroupsPolicy !== undefined && !['Merge', 'Strict'].includes(sc.supplementalGroupsPolicy)) causes.push(field.notSupported(`${path}.supplementalGroupsPolicy`, sc.supplementalGroupsPolicy, ['Merge', 'Strict']));
  if (Array.isArray(sc.sysctls) && sc.sysctls.length) causes.push(field.forbidden(`${path}.sysctls`, "kdp cannot honour sysctls: pods share the host's network namespace and kernel, so a pod's sysctl would be the host's"));
  if (sc.seLinuxChangePolicy !== undefined && sc.seLinuxChangePolicy !== null) causes.push(field.forbidden(`${path}.seLinuxChangePolicy`, 'kdp cannot honour SELinux options: pods run as host processes without SELinux labels'));
}

function containerLevel(causes: StatusCause[], path: string, sc: any): void {
  if (!sc || typeof sc !== 'object') return;
  common(causes, path, sc);
  bool(causes, `${path}.privileged`, sc.privileged);
  bool(causes, `${path}.allowPrivilegeEscalation`, sc.allowPrivilegeEscalation);
  bool(causes, `${path}.readOnlyRootFilesystem`, sc.readOnlyRootFilesystem);
  if (sc.allowPrivilegeEscalation === false && sc.privileged === true) causes.push(field.invalid(`${path}.allowPrivilegeEscalation`, false, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  if (sc.allowPrivilegeEscalation === false && (sc.capabilities?.add ?? []).some((c: unknown) => /^(CAP_)?SYS_ADMIN$/i.test(String(c)))) {
    causes.push(field.invalid(`${path}.allowPrivilegeEscalation`, false, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
  }
  for (const k of ['add', 'drop'] as const) {
    const list = sc.capabilities?.[k];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      causes.push(field.invalid(`${path}.capabilities.${k}`, list, 'must be a list of capability names'));
      continue;
    }
    list.forEach((c: unknown, i: number) => {
      if (!CAPS.has(String(c).toUpperCase().replace(/^CAP_/, ''))) causes.push(field.notSupported(`${path}.capabilities.${k}[${i}]`, c, ['NET_BIND_SERVICE', 'NET_RAW', 'NET_ADMIN', 'ALL', '… (a Linux capability name, capabilities(7))']));
    });
  }
  if (sc.procMount !== undefined && sc.procMount !== null && sc.procMount !== 'Default') {
    causes.push(sc.procMount === 'Unmasked'
      ? field.forbidden(`${path}.procMount`, 'kdp cannot honour procMount Unmasked: it does not mask /proc paths, so it cannot unmask them either; only Default is supported')
      : field.notSupported(`${path}.procMount`, sc.procMount, ['Default', 'Unmasked']));
  }
}

/** The securityContext errors of a pod spec at `path` (`spec`). */
export function validatePodSecurity(spec: any, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!spec || typeof spec !== 'object') return causes;
  podLevel(causes, `${path}.securityContext`, spec.securityContext);
  const all: { c: any; p: string }[] = [];
  for (const key of ['initContainers', 'containers'] as const) {
    (Array.isArray(spec[key]) ? spec[key] : []).forEach((c: any, i: number) => {
      containerLevel(causes, `${path}.${key}[${i}].securityContext`, c?.securityContext);
      all.push({ c, p: `${path}.${key}[${i}]` });
    });
  }
  // No user namespaces: with hostUsers: false a container that runs as root would be the host's root.
  if (spec.hostUsers === false) {
    const podUid = spec.securityContext?.runAsUser;
    const root = all.find(({ c }) => {
      const uid = c?.securityContext?.runAsUser ?? podUid;
      return uid === 0 || (uid === undefined && c?.securityContext?.privileged === true);
    });
    if (root) causes.push(field.forbidden(`${path}.hostUsers`, `kdp cannot honour hostUsers: false for a container that runs as root (${root.p}): it has no user namespaces, so uid 0 would be the host's root; give it a non-zero runAsUser`));
  }
  // All containers of a kdp pod share one mount namespace, so one root filesystem.
  const ro = all.filter(({ c }) => c?.securityContext?.readOnlyRootFilesystem === true);
  if (ro.length && ro.length < all.length) {
    const rw = all.find(({ c }) => c?.securityContext?.readOnlyRootFilesystem !== true)!;
    causes.push(field.forbidden(`${rw.p}.securityContext.readOnlyRootFilesystem`, `kdp runs the containers of a pod in one root filesystem: readOnlyRootFilesystem must be the same for every container (${ro[0].p} sets it to true)`));
  }
  return causes;
}
