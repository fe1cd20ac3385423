// The pages ingress-nginx's nginx answers with itself (server_tokens off: the footer says `nginx`).
import type { ServerResponse } from 'node:http';

const STATUS_TEXT: Record<number, string> = {
  301: 'Moved Permanently',
  302: 'Found',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  404: 'Not Found',
  413: 'Request Entity Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Error';
}

export function pageBody(status: number): string {
  const title = `${status} ${statusText(status)}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

const PAGES = new Map<number, Buffer>(Object.keys(STATUS_TEXT).map((s) => [Number(s), Buffer.from(pageBody(Number(s)))]));

/** Writes nginx's page for `status` (optionally with a Location) and ends the response. */
export function sendPage(res: ServerResponse, status: number, extra?: Record<string, string>, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = PAGES.get(status) ?? Buffer.from(pageBody(status));
  const headers: Record<string, string | number> = { Server: 'nginx', 'Content-Type': 'text/html', 'Content-Length': body.length, ...extra };
  if (close) headers.Connection = 'close';
  res.writeHead(status, statusText(status), headers);
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

/** The raw response for errors found before a request exists (malformed request, headers too large). */
export function rawPage(status: number): string {
  const body = pageBody(status);
  return `HTTP/1.1 ${status} ${statusText(status)}\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
