// The pages ingress-nginx's nginx answers with itself (server_tokens off: the footer says `nginx`).
import type { ServerResponse } from 'node:http';
import { errorPage, errorStatusText } from '../lib/nginx-pages.js';

export const statusText = errorStatusText;

export function pageBody(status: number): string {
  return errorPage(status, 'nginx');
}

/** Encoded once per status: error pages are served on the request path. */
const PAGES = new Map<number, Buffer>();
export function pageBuffer(status: number): Buffer {
  let b = PAGES.get(status);
  if (!b) PAGES.set(status, (b = Buffer.from(pageBody(status))));
  return b;
}

/** Writes nginx's page for `status` (optionally with a Location) and ends the response. */
export function sendPage(res: ServerResponse, status: number, extra?: Record<string, string>, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = pageBuffer(status);
  const headers: Record<string, string | number> = { Server: 'nginx', 'Content-Type': 'text/html', 'Content-Length': body.length, ...extra };
  if (close) headers.Connection = 'close';
  res.writeHead(status, statusText(status), headers);
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

/** The status line and the page's own headers, each line ending in CRLF (the caller ends the head). */
export function pageHead(status: number): string {
  return `HTTP/1.1 ${status} ${statusText(status)}\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: ${pageBuffer(status).length}\r\n`;
}

/** The raw response for errors found before a request exists (malformed request, headers too large). */
export function rawPage(status: number): string {
  return `${pageHead(status)}Connection: close\r\n\r\n${pageBody(status)}`;
}
