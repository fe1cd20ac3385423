// The kubeconfig `kdp up` writes to <state-dir>/kubeconfig (context `kdp`), for kdp's CLI and real
// kubectl: the cluster CA and the admin's client certificate embedded, as kind writes it.
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

export interface KubeconfigCredentials {
  /** PEM of the CA that signed the API server's certificate. */
  ca: string;
  /** PEM client certificate and key. */
  cert: string;
  key: string;
}

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

export function kubeconfigYaml(server: string, name = 'kdp', creds?: KubeconfigCredentials): string {
  const cluster = { server, ...(creds ? { 'certificate-authority-data': b64(creds.ca) } : {}) };
  const user = creds ? { 'client-certificate-data': b64(creds.cert), 'client-key-data': b64(creds.key) } : {};
  return stringifyYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ cluster, name }],
    contexts: [{ context: { cluster: name, namespace: 'default', user: name }, name }],
    'current-context': name,
    preferences: {},
    users: [{ name, user }],
  }, { lineWidth: 0 });
}

type Named = { name: string; [k: string]: unknown };
interface KubeconfigDoc {
  clusters?: Named[];
  contexts?: Named[];
  users?: Named[];
  'current-context'?: string;
  [k: string]: unknown;
}

function upsert(list: Named[] | undefined, items: Named[] | undefined): Named[] {
  const out = [...(list ?? [])];
  for (const item of items ?? []) {
    const i = out.findIndex((x) => x.name === item.name);
    if (i >= 0) out[i] = item;
    else out.push(item);
  }
  return out;
}

/**
 * Merges kdp's kubeconfig into another one (e.g. ~/.kube/config): its cluster, context and user
 * replace entries of the same name, others are kept, and its context becomes the current one.
 */
export function mergeKubeconfig(existing: string | undefined, kdp: string): string {
  const base = ((existing?.trim() ? parseYaml(existing) : undefined) ?? { apiVersion: 'v1', kind: 'Config', preferences: {} }) as KubeconfigDoc;
  const add = parseYaml(kdp) as KubeconfigDoc;
  base.clusters = upsert(base.clusters, add.clusters);
  base.contexts = upsert(base.contexts, add.contexts);
  base.users = upsert(base.users, add.users);
  if (add['current-context']) base['current-context'] = add['current-context'];
  return stringifyYaml(base);
}

/** The API server of a kubeconfig's current context (what kubectl would talk to), if any. */
export function currentServer(kubeconfig: string): string | undefined {
  return currentContext([{ text: kubeconfig, dir: '.' }]).server;
}

/** What a client needs to reach the API server of a kubeconfig's current context. */
export interface Connection {
  server?: string;
  /** PEM of the CA to trust for the server's certificate. */
  ca?: string;
  /** PEM client certificate and key. */
  cert?: string;
  key?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  namespace?: string;
}

interface ClusterEntry { server?: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string; 'insecure-skip-tls-verify'?: boolean }
interface UserEntry { 'client-certificate-data'?: string; 'client-certificate'?: string; 'client-key-data'?: string; 'client-key'?: string; token?: string; tokenFile?: string }

/**
 * The current context of one or more kubeconfig files, merged as kubectl merges $KUBECONFIG: the
 * first file that sets current-context (or defines a name) wins. `read` loads a referenced file
 * (certificate-authority, client-certificate, client-key, tokenFile), relative to its kubeconfig.
 */
export function currentContext(files: { text: string; dir: string }[], read: (path: string) => string = () => ''): Connection {
  const docs = files.map((f) => ({ doc: (parseYaml(f.text) ?? {}) as KubeconfigDoc, dir: f.dir }));
  const current = docs.map((d) => d.doc['current-context']).find(Boolean);
  const find = (list: 'contexts' | 'clusters' | 'users', name: unknown) => {
    for (const d of docs) {
      const hit = d.doc[list]?.find((x) => x.name === name);
      if (hit) return { entry: hit[list === 'contexts' ? 'context' : list === 'clusters' ? 'cluster' : 'user'] as Record<string, unknown> | undefined, dir: d.dir };
    }
    return undefined;
  };
  const ctx = find('contexts', current)?.entry as { cluster?: string; user?: string; namespace?: string } | undefined;
  const cluster = find('clusters', ctx?.cluster);
  const user = find('users', ctx?.user);
  const c = (cluster?.entry ?? {}) as ClusterEntry;
  const u = (user?.entry ?? {}) as UserEntry;
  const inline = (data: string | undefined, path: string | undefined, dir: string | undefined) =>
    data ? Buffer.from(data, 'base64').toString('utf8') : path ? read(path.startsWith('/') ? path : `${dir ?? '.'}/${path}`) : undefined;
  return {
    server: c.server,
    ca: inline(c['certificate-authority-data'], c['certificate-authority'], cluster?.dir),
    insecureSkipTlsVerify: c['insecure-skip-tls-verify'] === true || undefined,
    cert: inline(u['client-certificate-data'], u['client-certificate'], user?.dir),
    key: inline(u['client-key-data'], u['client-key'], user?.dir),
    token: u.token ?? (u.tokenFile ? read(u.tokenFile).trim() : undefined),
    namespace: ctx?.namespace,
  };
}
