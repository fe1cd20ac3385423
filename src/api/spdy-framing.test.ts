import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FLAG_FIN, FrameType, HEADER_DICTIONARY, controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock, parseFrames, parseSynStream, synReply } from './spdy-framing.js';

describe('SPDY/3 framing', () => {
  it('builds the protocol dictionary: 1423 bytes, length-prefixed words, then the literal tail', () => {
    expect(HEADER_DICTIONARY.length).toBe(1423);
    expect(HEADER_DICTIONARY.subarray(0, 11)).toEqual(Buffer.from('\0\0\0\x07options'));
    expect(HEADER_DICTIONARY.subarray(-15).toString()).toBe('1,utf-,*,enq=0.');
  });

  it('encodes control and data frames and parses them back, keeping a partial frame for later', () => {
    const wire = Buffer.concat([controlFrame(FrameType.PING, 0, Buffer.from([0, 0, 0, 1])), dataFrame(3, Buffer.from('hello'), true)]);
    expect(wire.subarray(0, 8)).toEqual(Buffer.from([0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04]));
    const first = parseFrames(wire.subarray(0, 15));
    expect(first.frames).toEqual([{ control: true, type: FrameType.PING, flags: 0, data: Buffer.from([0, 0, 0, 1]) }]);
    expect(first.rest.length).toBe(3);
    const second = parseFrames(Buffer.concat([first.rest, wire.subarray(15)]));
    expect(second.frames).toEqual([{ control: false, streamId: 3, flags: FLAG_FIN, data: Buffer.from('hello') }]);
    expect(second.rest.length).toBe(0);
  });

  it('round-trips a name/value block through zlib with the SPDY dictionary (as spdystream sends it)', () => {
    const block = encodeHeaderBlock({ streamType: 'stdout', port: '80' });
    const compressed = zlib.deflateSync(block, { dictionary: HEADER_DICTIONARY });
    const plain = zlib.inflateSync(compressed, { dictionary: HEADER_DICTIONARY });
    expect(decodeHeaderBlock(plain)).toEqual({ streamtype: 'stdout', port: '80' });
    // a zlib stream that needs another dictionary fails
    expect(() => zlib.inflateSync(compressed)).toThrow();
  });

  it('parses SYN_STREAM and builds SYN_REPLY for the same stream', () => {
    const syn = Buffer.concat([Buffer.from([0, 0, 0, 5, 0, 0, 0, 0, 0, 0]), Buffer.from('hdrs')]);
    expect(parseSynStream(syn)).toEqual({ streamId: 5, headerBlock: Buffer.from('hdrs') });
    const reply = parseFrames(synReply(5, Buffer.from('z'))).frames[0];
    expect(reply).toMatchObject({ control: true, type: FrameType.SYN_REPLY, flags: 0 });
    expect((reply as { data: Buffer }).data).toEqual(Buffer.from([0, 0, 0, 5, 0x7a]));
  });
});
