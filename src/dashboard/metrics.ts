// `/metrics` in the Prometheus text format (version 0.0.4).
import type { TrafficSnapshot } from '../lib/traffic-counters.js';

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderMetrics(traffic: TrafficSnapshot): string {
  const lines = [
    '# HELP kdp_kubeproxy_endpoint_connections_total Connections kube-proxy sent to each endpoint of a service port.',
    '# TYPE kdp_kubeproxy_endpoint_connections_total counter',
  ];
  for (const [sp, eps] of [...traffic].sort()) {
    for (const [ep, n] of [...eps].sort()) lines.push(`kdp_kubeproxy_endpoint_connections_total{service_port="${label(sp)}",endpoint="${label(ep)}"} ${n}`);
  }
  return lines.join('\n') + '\n';
}
