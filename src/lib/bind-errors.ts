// Why a listen() failed, in the words Go's net package uses (`listen tcp 127.0.0.1:80: bind: …`).

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
