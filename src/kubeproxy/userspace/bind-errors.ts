// Turns a listen() error into a message a user can act on (ARCHITECTURE.md: say exactly what and how).
import type { Frontend } from '../routing-table.js';

export function describeBindError(fe: Frontend, err: NodeJS.ErrnoException): string {
  const where = `${fe.ip}:${fe.port}/${fe.protocol} (service port ${fe.servicePort})`;
  switch (err.code) {
    case 'EACCES':
      return fe.port < 1024
        ? `can't listen on ${where}: permission denied: ports below 1024 need root. Run kdp as root, or allow unprivileged low ports with \`sudo sysctl -w net.ipv4.ip_unprivileged_port_start=0\` (or give node the capability: \`sudo setcap cap_net_bind_service=+ep "$(command -v node)"\`)`
        : `can't listen on ${where}: permission denied`;
    case 'EADDRINUSE':
      return `can't listen on ${where}: address already in use: another process holds this port (see \`ss -${fe.protocol === 'UDP' ? 'u' : 't'}lnp 'sport = :${fe.port}'\`); will retry${fe.hostAddress ? `; ${fe.ip} is the host's localhost address, the Service's other addresses still serve` : ''}`;
    case 'EADDRNOTAVAIL':
      return `can't listen on ${where}: address not available: ${fe.ip} is not an address of this host (kdp's service addresses must be in 127.0.0.0/8)`;
    default:
      return `can't listen on ${where}: ${err.message}`;
  }
}
