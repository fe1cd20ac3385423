// The bench's own loopback ranges, clear of kdp's defaults and of every test slot (127.120-199.x):
// a bench runs beside the test suite and beside a developer's `kdp up`.
/**
 * The second octet of the first range (default 230: 127.230–234.x). `KDP_BENCH_OCTET=205` moves
 * every range (127.205–209.x), for a bench beside another bench on the same machine; clear of
 * kdp's own defaults (127.200, .201, .244) and the tests' 127.120–199.
 */
const B = Number(process.env.KDP_BENCH_OCTET ?? 230);
if (!Number.isInteger(B) || B < 200 || B > 251) throw new Error(`KDP_BENCH_OCTET must be 200–251 (ranges 127.N–127.N+4), not ${process.env.KDP_BENCH_OCTET}`);

export const BENCH = {
  serviceCidr: `127.${B}.0.0/16`,
  dnsAddress: `127.${B}.0.10`,
  podCidr: `127.${B + 1}.0.0/16`,
  nodeIpStart: `127.${B + 2}.0.2`,
  lbPool: `127.${B + 3}.0.0/24`,
  hostAddress: `127.${B + 3}.1.1`,
  /** Peers: HAProxy, dnsmasq, nginx as a reverse proxy. */
  haproxy: `127.${B + 4}.0.1`,
  dnsmasq: `127.${B + 4}.0.2`,
  nginxProxy: `127.${B + 4}.0.3`,
  /** Extra addresses of a host-process backend pod: the one HAProxy dials, the one wrk dials directly. */
  backendForHaproxy: `127.${B + 4}.0.4`,
  backendDirect: `127.${B + 4}.0.5`,
} as const;
