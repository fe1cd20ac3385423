// The server side of one SPDY/3.1 connection after an HTTP `Upgrade: SPDY/3.1`: accepts the streams
// the client opens (SYN_STREAM), replies to each (SYN_REPLY), carries data both ways and answers
// PINGs. Flow control is not enforced (moby/spdystream, kubectl's implementation, does not use it).
import type { Socket } from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import zlib from 'node:zlib';
import {
  FLAG_FIN, FrameType, HEADER_DICTIONARY, controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock,
  goAway, parseFrames, parseSynStream, synReply, type Frame,
} from './spdy-framing.js';

/** One client-opened stream: `incoming` carries what the client sends; write() sends to the client. */
export class SpdyStream {
  readonly incoming = new PassThrough();
  private closed = false;

  constructor(readonly id: number, readonly headers: Record<string, string>, private readonly conn: SpdyConnection) {}

  write(data: Buffer | string): void {
    if (this.closed) return;
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    // Keep frames well under the 24-bit length limit.
    for (let off = 0; off < buf.length; off += 64 * 1024) this.conn.send(dataFrame(this.id, buf.subarray(off, off + 64 * 1024)));
  }

  /** Half-closes our side (an empty DATA frame with FIN), as spdystream's Close does. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn.send(dataFrame(this.id, Buffer.alloc(0), true));
  }
}

export class SpdyConnection {
  private buf: Buffer = Buffer.alloc(0);
  private readonly inflate = zlib.createInflate({ dictionary: HEADER_DICTIONARY });
  private readonly deflate = zlib.createDeflate({ dictionary: HEADER_DICTIONARY });
  private readonly streams = new Map<number, SpdyStream>();
  /** Frames are handled one after another: header blocks share one zlib stream per direction. */
  private chain: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private ended = false;
  private down = false;

  /** `socket`: the upgraded TCP connection, or any byte stream (a WebSocket tunnel, port-forward-ws.ts). */
  constructor(private readonly socket: Duplex, private readonly onStream: (s: SpdyStream) => void, private readonly onClose: () => void) {
    (socket as Socket).setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.shutdown());
    socket.on('error', () => this.shutdown());
  }

  /** Bytes from the client (the socket's, and any read before the upgrade completed). */
  receive(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const { frames, rest } = parseFrames(this.buf);
    this.buf = rest;
    for (const f of frames) this.chain = this.chain.then(() => this.handle(f)).catch(() => this.close());
  }

  send(frame: Buffer): void {
    if (!this.ended && !this.socket.destroyed) this.socket.write(frame);
  }

  /** GOAWAY, then end the socket once everything queued is written. */
  close(): void {
    if (this.ended) return;
    this.send(goAway(this.lastStreamId));
    this.ended = true;
    this.socket.end();
    this.shutdown();
  }

  private shutdown(): void {
    if (this.down) return;
    this.down = true;
    for (const s of this.streams.values()) s.incoming.end();
    this.streams.clear();
    this.ended = true;
    this.inflate.close();
    this.deflate.close();
    this.onClose();
  }

  private async handle(f: Frame): Promise<void> {
    if (!f.control) {
      const s = this.streams.get(f.streamId);
      if (!s) return;
      if (f.data.length) s.incoming.write(f.data);
      if (f.flags & FLAG_FIN) s.incoming.end();
      return;
    }
    switch (f.type) {
      case FrameType.SYN_STREAM: {
        const { streamId, headerBlock } = parseSynStream(f.data);
        const headers = decodeHeaderBlock(await this.zlibRun(this.inflate, headerBlock));
        this.lastStreamId = streamId;
        const stream = new SpdyStream(streamId, headers, this);
        this.streams.set(streamId, stream);
        this.send(synReply(streamId, await this.zlibRun(this.deflate, encodeHeaderBlock({}))));
        if (f.flags & FLAG_FIN) stream.incoming.end();
        this.onStream(stream);
        return;
      }
      case FrameType.HEADERS:
        await this.zlibRun(this.inflate, f.data.subarray(4)); // keep the shared zlib state in step
        return;
      case FrameType.RST_STREAM: {
        const id = f.data.readUInt32BE(0) & 0x7fffffff;
        this.streams.get(id)?.incoming.end();
        this.streams.delete(id);
        return;
      }
      case FrameType.PING:
        this.send(controlFrame(FrameType.PING, 0, f.data));
        return;
      case FrameType.GOAWAY:
        this.close();
        return;
      default:
        return; // SETTINGS, WINDOW_UPDATE: nothing to do without flow control
    }
  }

  /** Runs `input` through a long-lived zlib stream with a sync flush and returns what came out. */
  private zlibRun(z: zlib.Inflate | zlib.Deflate, input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const onData = (c: Buffer) => out.push(c);
      const onError = (e: Error) => {
        z.off('data', onData);
        reject(e);
      };
      z.on('data', onData);
      z.once('error', onError);
      z.write(input);
      z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        z.off('data', onData);
        z.off('error', onError);
        resolve(Buffer.concat(out));
      });
    });
  }
}
