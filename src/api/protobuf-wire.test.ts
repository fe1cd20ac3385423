// Decoding client-go's protobuf request bodies: a hand-built Deployment in the k8s wire format.
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf } from './protobuf-wire.js';

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return Buffer.from(out);
}
const field = (no: number, v: Buffer | string | number): Buffer =>
  typeof v === 'number'
    ? Buffer.concat([varint(no << 3), varint(v)])
    : Buffer.concat([varint((no << 3) | 2), varint(Buffer.byteLength(v)), Buffer.from(v)]);
const msg = (...parts: Buffer[]) => Buffer.concat(parts);
const mapEntry = (no: number, k: string, v: string) => field(no, msg(field(1, k), field(2, v)));

describe('protobuf request bodies', () => {
  it('decodes a Deployment as kubectl create deployment sends it, dropping unset scalars but keeping replicas: 0', () => {
    const meta = msg(field(1, 'web'), field(2, ''), field(3, ''), field(8, msg()), mapEntry(11, 'app', 'web'));
    const container = msg(field(1, 'nginx'), field(2, 'nginx:stable'), field(6, msg(field(3, 80), field(4, 'TCP'))), field(8, msg()), field(16, 0));
    const podSpec = msg(field(2, container), field(3, ''));
    const template = msg(field(1, msg(mapEntry(11, 'app', 'web'))), field(2, podSpec));
    const spec = msg(field(1, 0), field(2, msg(mapEntry(1, 'app', 'web'))), field(3, template), field(4, msg()));
    const raw = msg(field(1, meta), field(2, spec), field(3, msg()));
    const body = Buffer.concat([Buffer.from('k8s\0'), field(1, msg(field(1, 'apps/v1'), field(2, 'Deployment'))), field(2, raw), field(3, ''), field(4, '')]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 0, selector: { matchLabels: { app: 'web' } }, strategy: {},
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:stable', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
      },
    });
  });

  it('decodes IntOrString, byte maps (base64) and inline volume sources', () => {
    const port = msg(field(3, 80), field(4, msg(field(1, 1), field(3, 'http'))));
    const svc = msg(field(1, msg(field(1, 's'))), field(2, msg(field(1, port))));
    const svcBody = Buffer.concat([Buffer.from('k8s\0'), field(1, msg(field(1, 'v1'), field(2, 'Service'))), field(2, svc)]);
    expect(decodeKubernetesProtobuf(svcBody).spec).toEqual({ ports: [{ port: 80, targetPort: 'http' }] });
    const secret = msg(field(1, msg(field(1, 'x'))), mapEntry(2, 'p', 'q'), field(3, 'Opaque'));
    expect(decodeKubernetesProtobuf(Buffer.concat([Buffer.from('k8s\0'), field(1, msg(field(1, 'v1'), field(2, 'Secret'))), field(2, secret)]))).toMatchObject({ data: { p: 'cQ==' }, type: 'Opaque' });
    const pod = msg(field(1, msg(field(1, 'p'))), field(2, msg(field(1, msg(field(1, 'scratch'), field(2, msg(field(2, msg()))))))));
    expect(decodeKubernetesProtobuf(Buffer.concat([Buffer.from('k8s\0'), field(1, msg(field(1, 'v1'), field(2, 'Pod'))), field(2, pod)])).spec).toEqual({ volumes: [{ name: 'scratch', emptyDir: {} }] });
  });

  it('answers 415 for kinds it has no schema for, 400 for a body without the k8s prefix', () => {
    const body = Buffer.concat([Buffer.from('k8s\0'), field(1, msg(field(1, 'v1'), field(2, 'Widget'))), field(2, msg())]);
    expect(() => decodeKubernetesProtobuf(body)).toThrow(expect.objectContaining({ code: 415 }));
    expect(() => decodeKubernetesProtobuf(Buffer.from('{}'))).toThrow(expect.objectContaining({ code: 400 }));
  });
});
