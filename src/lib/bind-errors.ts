// Why a listen() failed and what to do about it: the one place these words live. Two registers:
// - bindReason: the errno as Go's net package prints it, for the logs of stand-in programs
//   (`listen tcp 127.244.1.5:80: bind: address already in use`, as nginx or a Go server would say);
// - explainBindError: kdp's own explanation, the reason and the fix (ARCHITECTURE.md: when a bind
//   fails, say exactly that and how to fix it).

export interface BindTarget {
  ip?: string;
  port?: number;
  protocol?: 'TCP' | 'UDP';
}

export function bindReason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'EADDRINUSE':
      return 'address already in use';
    case 'EADDRNOTAVAIL':
      return 'cannot assign requested address';
    case 'EACCES':
      return 'permission denied (ports below 1024 need root or net.ipv4.ip_unprivileged_port_start)';
    default:
      return e.message;
  }
}

/** `<reason>: <what to do>` for a failed bind of `at`; the error's own message for other errors. */
export function explainBindError(e: NodeJS.ErrnoException, at: BindTarget = {}): string {
  switch (e.code) {
    case 'EACCES':
      return at.port === undefined || at.port < 1024
        ? 'permission denied: ports below 1024 need root. Run kdp as root, or allow unprivileged low ports with `sudo sysctl -w net.ipv4.ip_unprivileged_port_start=0` (or give node the capability: `sudo setcap cap_net_bind_service=+ep "$(command -v node)"`)'
        : 'permission denied';
    case 'EADDRINUSE':
      return at.port === undefined
        ? 'address already in use: another process holds this port'
        : `address already in use: another process holds this port (see \`ss -${at.protocol === 'UDP' ? 'u' : 't'}lnp 'sport = :${at.port}'\`)`;
    case 'EADDRNOTAVAIL':
      return `address not available: ${at.ip ?? 'the address'} is not an address of this host (kdp's addresses must be in 127.0.0.0/8)`;
    default:
      return e.message;
  }
}

/** A bind failure explainBindError has words for. */
export function isBindError(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EACCES' || code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL';
}
