// Files a built-in image serves from a volume (nginx's /usr/share/nginx/html): the mounted host
// directory for a container path, and a file under it for a URL path (index.html for directories).
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

export interface ServedFile {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.htm': 'text/html', '.txt': 'text/plain', '.css': 'text/css', '.js': 'application/javascript',
  '.json': 'application/json', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif',
  '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.xml': 'text/xml',
};

/** The host directory mounted at `containerPath`, if a volume is mounted exactly there. */
export function mountedDir(mounts: { mountPath: string; hostPath: string }[] | undefined, containerPath: string): string | undefined {
  const want = containerPath.replace(/\/+$/, '');
  return mounts?.find((m) => m.mountPath.replace(/\/+$/, '') === want)?.hostPath;
}

/** The file for a decoded URL path under `root`, as nginx's `root` + `index index.html`; undefined = 404. */
export function serveFromDir(root: string, urlPath: string): ServedFile | undefined {
  const rel = normalize(urlPath).replace(/^(\.\.(\/|$))+/, '');
  let p = join(root, rel);
  try {
    let st = statSync(p);
    if (st.isDirectory()) {
      p = join(p, 'index.html');
      st = statSync(p);
    }
    if (!st.isFile()) return undefined;
    const body = readFileSync(p);
    return {
      body,
      etag: `"${Math.floor(st.mtimeMs / 1000).toString(16)}-${st.size.toString(16)}"`,
      lastModified: st.mtime,
      contentType: TYPES[extname(p).toLowerCase()] ?? 'application/octet-stream',
    };
  } catch {
    return undefined;
  }
}
