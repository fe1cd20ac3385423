// A tiny upstream DNS server on loopback for tests: kdp forwards names outside the cluster zone here,
// never to the machine's own resolver. Answers A for the names it is given, NXDOMAIN otherwise.
import dgram from 'node:dgram';

export interface UpstreamDns {
  address: string;
  port: number;
  queries: string[];
  close(): Promise<void>;
}

function readName(buf: Buffer, off: number): { name: string; end: number } {
  const labels: string[] = [];
  while (buf[off] !== 0) {
    const len = buf[off];
    labels.push(buf.subarray(off + 1, off + 1 + len).toString('ascii'));
    off += len + 1;
  }
  return { name: labels.join('.'), end: off + 1 };
}

export async function startUpstreamDns(address: string, records: Record<string, string>): Promise<UpstreamDns> {
  const sock = dgram.createSocket('udp4');
  const queries: string[] = [];
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const { name, end } = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    queries.push(name.toLowerCase());
    const ip = records[name.toLowerCase()];
    const question = msg.subarray(12, end + 4);
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    const rcode = ip ? 0 : 3;
    header.writeUInt16BE(0x8180 | rcode, 2); // QR RD RA
    header.writeUInt16BE(1, 4);
    const answers: Buffer[] = [];
    if (ip && qtype === 1) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(1, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(4, 10);
      ip.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
      answers.push(rr);
    }
    header.writeUInt16BE(answers.length, 6);
    sock.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, address, () => resolve());
  });
  return {
    address,
    port: sock.address().port,
    queries,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
