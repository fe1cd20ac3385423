// Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), which
// client-go ≥ 1.32 — and so `kubectl create deployment|namespace|configmap|secret|job|…` — sends for
// built-in kinds, without falling back to JSON. kdp does not speak protobuf in responses (clients
// accept JSON); it decodes request bodies to JSON with the field numbers of k8s.io/api's
// generated.proto for the kinds kubectl's generators create (protobuf-schemas.ts).
import { errors } from './errors.js';
import { SCHEMAS, type FieldSpec } from './protobuf-schemas.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

interface Field {
  no: number;
  wire: number;
  value: bigint | Buffer;
}

function readVarint(buf: Buffer, off: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (off >= buf.length) throw new Error('truncated varint');
    const b = buf[off++];
    result |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [result, off];
    shift += 7n;
  }
}

export function readFields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let off = 0;
  while (off < buf.length) {
    const [tag, next] = readVarint(buf, off);
    off = next;
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, n] = readVarint(buf, off);
      out.push({ no, wire, value: v });
      off = n;
    } else if (wire === 2) {
      const [len, n] = readVarint(buf, off);
      const end = n + Number(len);
      if (end > buf.length) throw new Error('truncated field');
      out.push({ no, wire, value: buf.subarray(n, end) });
      off = end;
    } else if (wire === 1) {
      out.push({ no, wire, value: buf.subarray(off, off + 8) });
      off += 8;
    } else if (wire === 5) {
      out.push({ no, wire, value: buf.subarray(off, off + 4) });
      off += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

function int(v: bigint | Buffer): number {
  const n = typeof v === 'bigint' ? BigInt.asIntN(64, v) : 0n;
  return Number(n);
}

function str(v: bigint | Buffer): string {
  return Buffer.isBuffer(v) ? v.toString('utf8') : '';
}

function isEmpty(v: unknown): boolean {
  if (v === '' || v === 0 || v === false || v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

function decodeValue(type: string, v: bigint | Buffer): unknown {
  switch (type) {
    case 's': return str(v);
    case 'i': return int(v);
    case 'b': return v === 1n;
    case 'y': return Buffer.isBuffer(v) ? v.toString('base64') : '';
    case 'quantity': return str(readFields(v as Buffer).find((f) => f.no === 1)?.value ?? Buffer.alloc(0));
    case 'time': {
      const secs = int(readFields(v as Buffer).find((f) => f.no === 1)?.value ?? 0n);
      return secs ? new Date(secs * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : null;
    }
    case 'ios': {
      const f = readFields(v as Buffer);
      const kind = int(f.find((x) => x.no === 1)?.value ?? 0n);
      return kind === 1 ? str(f.find((x) => x.no === 3)?.value ?? Buffer.alloc(0)) : int(f.find((x) => x.no === 2)?.value ?? 0n);
    }
    default: return decodeMessage(type, v as Buffer);
  }
}

/** Decodes one message of a known type into its JSON form, leaving out unset (zero) fields. */
export function decodeMessage(type: string, buf: Buffer): Record<string, unknown> {
  const schema = SCHEMAS[type];
  if (!schema) throw new Error(`no protobuf schema for ${type}`);
  const out: Record<string, unknown> = {};
  for (const f of readFields(buf)) {
    const spec: FieldSpec | undefined = schema[f.no];
    if (!spec) continue; // a field kdp does not know: dropped, as an old apiserver would
    const [name, rawType] = spec;
    const repeated = rawType.startsWith('[');
    const keep = rawType.endsWith('?');
    const t = rawType.replace(/^\[|\]|\?$/g, '');
    if (t.startsWith('inline:')) {
      Object.assign(out, decodeMessage(t.slice(7), f.value as Buffer));
      continue;
    }
    if (t.startsWith('map')) {
      const entry = readFields(f.value as Buffer);
      const key = str(entry.find((e) => e.no === 1)?.value ?? Buffer.alloc(0));
      const raw = entry.find((e) => e.no === 2)?.value ?? Buffer.alloc(0);
      const map = (out[name] ??= {}) as Record<string, unknown>;
      map[key] = t === 'mapb' ? (raw as Buffer).toString('base64') : t === 'mapq' ? decodeValue('quantity', raw) : str(raw);
      continue;
    }
    const value = decodeValue(t, f.value);
    if (repeated) ((out[name] ??= []) as unknown[]).push(value);
    else if (keep || !isEmpty(value)) out[name] = value;
  }
  return out;
}

/** `k8s\0` + runtime.Unknown{typeMeta, raw} → the object as JSON, for the kinds in SCHEMAS. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw errors.badRequest('protobuf body without the "k8s\\0" prefix');
  try {
    const unknown = readFields(body.subarray(4));
    const typeMeta = readFields((unknown.find((f) => f.no === 1)?.value as Buffer) ?? Buffer.alloc(0));
    const apiVersion = str(typeMeta.find((f) => f.no === 1)?.value ?? Buffer.alloc(0));
    const kind = str(typeMeta.find((f) => f.no === 2)?.value ?? Buffer.alloc(0));
    const raw = (unknown.find((f) => f.no === 2)?.value as Buffer) ?? Buffer.alloc(0);
    // A kind whose versions differ in shape has a schema per version (`autoscaling/v1/HorizontalPodAutoscaler`).
    const schema = SCHEMAS[`${apiVersion}/${kind}`] ? `${apiVersion}/${kind}` : kind;
    if (!SCHEMAS[schema]) {
      throw errors.unsupportedMediaType(`application/vnd.kubernetes.protobuf (kdp decodes protobuf only for ${Object.keys(SCHEMAS).filter((k) => /^[A-Z]/.test(k) && SCHEMAS[k][1]?.[0] === 'metadata').join(', ')}; send JSON)`);
    }
    const obj = decodeMessage(schema, raw);
    delete obj.status;
    return { apiVersion, kind, ...obj };
  } catch (err) {
    if (err instanceof Error && err.name === 'ApiError') throw err;
    throw errors.badRequest(`unable to decode the protobuf body: ${(err as Error).message}`);
  }
}
