// The bench's own loopback ranges, clear of kdp's defaults and of every test slot (127.120-199.x):
// a bench runs beside the test suite and beside a developer's `kdp up`.
export const BENCH = {
  serviceCidr: '127.230.0.0/16',
  dnsAddress: '127.230.0.10',
  podCidr: '127.231.0.0/16',
  nodeIpStart: '127.232.0.2',
  lbPool: '127.233.0.0/24',
  hostAddress: '127.233.1.1',
  /** Peers: HAProxy, dnsmasq, nginx as a reverse proxy. */
  haproxy: '127.234.0.1',
  dnsmasq: '127.234.0.2',
  nginxProxy: '127.234.0.3',
  /** Extra addresses of a host-process backend pod: the one HAProxy dials, the one wrk dials directly. */
  backendForHaproxy: '127.234.0.4',
  backendDirect: '127.234.0.5',
} as const;
