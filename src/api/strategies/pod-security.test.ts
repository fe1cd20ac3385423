import { describe, expect, it } from 'vitest';
import { validatePodSecurity } from './pod-security.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const spec = (podSc: any, ...cscs: any[]) => ({ securityContext: podSc, containers: cscs.map((securityContext, i) => ({ name: `c${i}`, image: 'busybox', securityContext })) });
const msgs = (s: any) => validatePodSecurity(s, 'spec').map((c) => `${c.field}: ${c.message}`);

describe('validatePodSecurity', () => {
  it('accepts what kdp honours', () => {
    expect(msgs(spec({ runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000], runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, fsGroupChangePolicy: 'OnRootMismatch' },
      { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CAP_NET_RAW', 'NET_ADMIN'] }, procMount: 'Default', appArmorProfile: { type: 'Unconfined' } }))).toEqual([]);
    expect(msgs(spec(undefined, { privileged: true }))).toEqual([]);
  });

  it('refuses, as field errors, what kdp cannot honour', () => {
    expect(msgs(spec({ seLinuxOptions: { level: 's0:c1' }, sysctls: [{ name: 'net.core.somaxconn', value: '1024' }], seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } }, { procMount: 'Unmasked', windowsOptions: { runAsUserName: 'x' } }))).toEqual([
      'spec.securityContext.seLinuxOptions: Forbidden: kdp cannot honour SELinux options: pods run as host processes without SELinux labels',
      'spec.securityContext.seccompProfile.type: Forbidden: kdp cannot honour a Localhost seccomp profile: pods run as host processes and kdp loads no seccomp profiles; use RuntimeDefault or Unconfined',
      "spec.securityContext.sysctls: Forbidden: kdp cannot honour sysctls: pods share the host's network namespace and kernel, so a pod's sysctl would be the host's",
      'spec.containers[0].securityContext.windowsOptions: Forbidden: kdp runs Linux host processes only',
      'spec.containers[0].securityContext.procMount: Forbidden: kdp cannot honour procMount Unmasked: it does not mask /proc paths, so it cannot unmask them either; only Default is supported',
    ]);
  });

  it('validates values as the apiserver does', () => {
    expect(msgs(spec({ runAsUser: -1 }, { capabilities: { add: ['NET_FOO'] }, allowPrivilegeEscalation: false, privileged: true }))).toEqual([
      'spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive',
      'spec.containers[0].securityContext.allowPrivilegeEscalation: Invalid value: false: cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
      'spec.containers[0].securityContext.capabilities.add[0]: Unsupported value: "NET_FOO": supported values: "NET_BIND_SERVICE", "NET_RAW", "NET_ADMIN", "ALL", "… (a Linux capability name, capabilities(7))"',
    ]);
  });

  it('refuses hostUsers: false only where a container would be root (there is no user namespace)', () => {
    expect(msgs({ ...spec({ runAsUser: 1000 }, {}), hostUsers: false })).toEqual([]);
    expect(msgs({ ...spec(undefined, {}), hostUsers: false })).toEqual([]);
    expect(msgs({ ...spec({ runAsUser: 1000 }, { runAsUser: 0 }), hostUsers: false })).toEqual([
      "spec.hostUsers: Forbidden: kdp cannot honour hostUsers: false for a container that runs as root (spec.containers[0]): it has no user namespaces, so uid 0 would be the host's root; give it a non-zero runAsUser",
    ]);
    expect(msgs({ ...spec(undefined, { privileged: true }), hostUsers: false })).toHaveLength(1);
  });

  it('refuses readOnlyRootFilesystem on only some containers: they share one root filesystem', () => {
    expect(msgs(spec(undefined, { readOnlyRootFilesystem: true }, {}))).toEqual([
      'spec.containers[1].securityContext.readOnlyRootFilesystem: Forbidden: kdp runs the containers of a pod in one root filesystem: readOnlyRootFilesystem must be the same for every container (spec.containers[0] sets it to true)',
    ]);
  });
});
