// The one interface every proxy backend implements (kube-proxy's Provider): make the host serve a
// routing table: userspace sockets (./userspace/) or nftables DNAT rules with userspace for the rest
// (./nftables/).
import type { Frontend, RoutingTable } from './routing-table.js';

export interface FrontendFailure {
  frontend: Frontend;
  /** errno code when there is one (EADDRINUSE, EACCES, EADDRNOTAVAIL…). */
  code?: string;
  /** What went wrong and how to fix it, in words a user can act on. */
  message: string;
}

export interface DataplaneSyncResult {
  /** Frontends that could not be set up this time; the caller retries them later. */
  failed: FrontendFailure[];
}

export interface Dataplane {
  readonly name: string;
  /**
   * Makes the host serve exactly `table`: new frontends open, gone ones close, endpoint changes apply
   * to the next new connection. Established connections are left to finish. Never runs concurrently.
   */
  sync(table: RoutingTable): Promise<DataplaneSyncResult>;
  /** Frontends served now (`ip:port/protocol`, sorted), by sockets or by kernel rules. */
  listening?(): string[];
  /** Closes every listener and every proxied connection, and removes kernel rules. */
  stop(): Promise<void>;
}
