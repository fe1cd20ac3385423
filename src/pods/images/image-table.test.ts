import { describe, expect, it } from 'vitest';
import { flagValue, listenPorts } from '../../lib/image-flags.js';
import { nginxVersion } from './nginx.js';
import { errorPage, WELCOME_PAGE } from '../../lib/nginx-pages.js';
import { imageId, ImageTable, parseImageRef } from './image-table.js';
import { canonicalHeader } from './whoami.js';

describe('parseImageRef', () => {
  it('splits registry, repository, tag and digest', () => {
    expect(parseImageRef('nginx')).toEqual({ registry: 'docker.io', repository: 'nginx', tag: undefined, digest: undefined });
    expect(parseImageRef('docker.io/library/nginx:1.25')).toMatchObject({ registry: 'docker.io', repository: 'nginx', tag: '1.25' });
    expect(parseImageRef('localhost:5000/team/app:v1')).toMatchObject({ registry: 'localhost:5000', repository: 'team/app', tag: 'v1' });
    expect(parseImageRef('registry.k8s.io/e2e-test-images/agnhost:2.39@sha256:abc')).toEqual({ registry: 'registry.k8s.io', repository: 'e2e-test-images/agnhost', tag: '2.39', digest: 'sha256:abc' });
  });
});

describe('ImageTable', () => {
  const reg = new ImageTable();
  it.each([
    ['nginx', 'nginx'],
    ['nginx:stable', 'nginx'],
    ['docker.io/library/nginx:1.25', 'nginx'],
    ['mirror.gcr.io/library/nginx@sha256:0123', 'nginx'],
    ['traefik/whoami:v1.10', 'whoami'],
    ['hashicorp/http-echo', 'http-echo'],
    ['registry.k8s.io/e2e-test-images/agnhost:2.47', 'agnhost'],
    ['registry.k8s.io/echoserver:1.10', 'echoserver'],
    ['k8s.gcr.io/echoserver:1.4', 'echoserver'],
    ['ealen/echo-server:latest', 'echo-server'],
    ['registry.k8s.io/pause:3.9', 'pause'],
  ])('%s is the built-in %s', (image, name) => {
    expect(reg.lookup(image)?.builtin.name).toBe(name);
  });

  it.each(['curlimages/curl', 'busybox', 'someone/nginx', 'nginx-ingress', 'bitnami/redis'])('%s is not built in', (image) => {
    expect(reg.lookup(image)).toBeUndefined();
  });

  it('lets callers replace a built-in', () => {
    const custom = { name: 'mine', repositories: ['nginx'], start: async () => ({ exited: new Promise<number>(() => {}), stop: async () => {} }) };
    expect(new ImageTable([custom]).lookup('nginx:1.27')?.builtin.name).toBe('mine');
  });

  it('gives registry-shaped image IDs', () => {
    expect(imageId('nginx:stable')).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(imageId('traefik/whoami@sha256:abc')).toBe('docker.io/traefik/whoami@sha256:abc');
  });
});

describe('image helpers', () => {
  it('reads Go flags in every spelling', () => {
    expect(flagValue(['-text=hello'], 'text')).toBe('hello');
    expect(flagValue(['--text', 'hi there'], 'text')).toBe('hi there');
    expect(flagValue(['netexec', '--http-port=8081'], 'http-port')).toBe('8081');
    expect(flagValue(['-listen', ':9000'], 'listen')).toBe(':9000');
    expect(flagValue(['-x=1'], 'text')).toBeUndefined();
  });

  it('picks ports: flag, else declared TCP ports, else the default', () => {
    const c = { ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }, { containerPort: 9090 }] };
    expect(listenPorts(c, ':9000', 80)).toEqual([9000]);
    expect(listenPorts(c, undefined, 80)).toEqual([8080, 9090]);
    expect(listenPorts({}, undefined, 80)).toEqual([80]);
  });

  it('knows nginx versions and pages', () => {
    expect(nginxVersion('1.25.3-alpine')).toBe('1.25.3');
    expect(nginxVersion('stable')).toBe('1.26.2');
    expect(nginxVersion(undefined)).toMatch(/^1\.27\./);
    expect(Buffer.byteLength(WELCOME_PAGE)).toBe(615);
    expect(errorPage(404, 'nginx/1.27.3')).toBe('<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.27.3</center>\r\n</body>\r\n</html>\r\n');
  });

  it('canonicalises header names as Go does', () => {
    expect(canonicalHeader('x-forwarded-for')).toBe('X-Forwarded-For');
    expect(canonicalHeader('accept')).toBe('Accept');
  });
});
