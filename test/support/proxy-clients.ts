// Small clients and objects shared by the kube-proxy integration suites (userspace, NodePorts,
// nftables): one HTTP request on a fresh connection, and a Node object as kube-proxy reads it.
import http from 'node:http';
import type { KObject } from '../../src/api/types.js';

/** One GET / on a fresh connection (no agent, so every call is a new connection); resolves with the body. */
export function getOnce(ip: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: ip, port, path: '/', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** A Node with an InternalIP and a podCIDR. */
export function nodeObject(name: string, ip: string, cidr: string): KObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR: cidr }, status: { addresses: [{ type: 'InternalIP', address: ip }] } };
}
