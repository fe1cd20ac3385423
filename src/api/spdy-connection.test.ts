// The server side of a SPDY session, driven like moby/spdystream drives it, over an in-memory duplex.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SpdyConnection, type SpdyStream } from './spdy-connection.js';
import { FLAG_FIN, FrameType, HEADER_DICTIONARY, controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock, parseFrames, type Frame } from './spdy-framing.js';
import { negotiateStreamProtocol, isSpdyUpgrade } from './exec-spdy.js';

function fakeSocket() {
  const written: Buffer[] = [];
  const sock = new Duplex({ read() {}, write(chunk, _enc, cb) { written.push(chunk); cb(); } }) as Duplex & { setNoDelay(): void };
  sock.setNoDelay = () => {};
  return { sock: sock as unknown as Socket, frames: (): Frame[] => parseFrames(Buffer.concat(written)).frames };
}

/** A client's zlib stream: one per connection, sync-flushed per header block. */
function clientCompressor() {
  const deflate = zlib.createDeflate({ dictionary: HEADER_DICTIONARY });
  return (headers: Record<string, string>) => new Promise<Buffer>((resolve) => {
    const out: Buffer[] = [];
    const on = (c: Buffer) => out.push(c);
    deflate.on('data', on);
    deflate.write(encodeHeaderBlock(headers));
    deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => { deflate.off('data', on); resolve(Buffer.concat(out)); });
  });
}

function synStream(id: number, block: Buffer, flags = 0): Buffer {
  const head = Buffer.alloc(10);
  head.writeUInt32BE(id, 0);
  return controlFrame(FrameType.SYN_STREAM, flags, Buffer.concat([head, block]));
}


describe('SpdyConnection', () => {
  it('accepts streams with compressed headers, replies, carries data both ways and echoes PING', async () => {
    const { sock, frames } = fakeSocket();
    const streams: SpdyStream[] = [];
    let gotBoth!: () => void;
    const both = new Promise<void>((r) => (gotBoth = r));
    const conn = new SpdyConnection(sock, (s) => {
      if (streams.push(s) === 2) gotBoth();
    }, () => {});
    const compress = clientCompressor();
    conn.receive(Buffer.concat([synStream(1, await compress({ streamType: 'error' })), synStream(3, await compress({ streamType: 'stdin' }))]));
    conn.receive(Buffer.concat([dataFrame(3, Buffer.from('input')), dataFrame(3, Buffer.alloc(0), true), controlFrame(FrameType.PING, 0, Buffer.from([0, 0, 0, 7]))]));
    await both;
    expect(streams.map((s) => [s.id, s.headers.streamtype])).toEqual([[1, 'error'], [3, 'stdin']]);
    const input: Buffer[] = [];
    streams[1].incoming.on('data', (c) => input.push(c));
    await new Promise((r) => streams[1].incoming.once('end', r));
    expect(Buffer.concat(input).toString()).toBe('input');
    streams[0].write('{"status":"Success"}');
    streams[0].end();
    const out = frames();
    const replies = out.filter((f) => f.control && f.type === FrameType.SYN_REPLY);
    expect(replies).toHaveLength(2);
    // the server's own header blocks decode with a dictionary-primed inflater
    const inflate = zlib.inflateSync(Buffer.concat(replies.map((f) => f.data.subarray(4))), { dictionary: HEADER_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(decodeHeaderBlock(inflate)).toEqual({});
    expect(out.find((f) => f.control && f.type === FrameType.PING)).toMatchObject({ data: Buffer.from([0, 0, 0, 7]) });
    expect(out.filter((f) => !f.control)).toEqual([
      { control: false, streamId: 1, flags: 0, data: Buffer.from('{"status":"Success"}') },
      { control: false, streamId: 1, flags: FLAG_FIN, data: Buffer.alloc(0) },
    ]);
    conn.close();
    expect(frames().at(-1)).toMatchObject({ control: true, type: FrameType.GOAWAY });
  });
});

describe('SPDY exec negotiation', () => {
  it('recognises the upgrade and picks v4.channel.k8s.io first', () => {
    expect(isSpdyUpgrade({ upgrade: 'SPDY/3.1' })).toBe(true);
    expect(isSpdyUpgrade({ upgrade: 'websocket' })).toBe(false);
    expect(negotiateStreamProtocol('v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io')).toBe('v4.channel.k8s.io');
    expect(negotiateStreamProtocol(['v5.channel.k8s.io', 'v3.channel.k8s.io'])).toBe('v3.channel.k8s.io');
    expect(negotiateStreamProtocol('portforward.k8s.io')).toBeUndefined();
  });
});
