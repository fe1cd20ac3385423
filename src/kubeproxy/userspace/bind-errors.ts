// Turns a listen() error into a message a user can act on (ARCHITECTURE.md: say exactly what and how);
// the words are src/lib/bind-errors.ts's, framed with the frontend and service port.
import { explainBindError } from '../../lib/bind-errors.js';
import type { Frontend } from '../routing-table.js';

export function describeBindError(fe: Frontend, err: NodeJS.ErrnoException): string {
  const where = `${fe.ip}:${fe.port}/${fe.protocol} (service port ${fe.servicePort})`;
  const retry = err.code === 'EADDRINUSE' ? `; will retry${fe.hostAddress ? `; ${fe.ip} is the host's localhost address, the Service's other addresses still serve` : ''}` : '';
  return `can't listen on ${where}: ${explainBindError(err, fe)}${retry}`;
}
