// The channel.k8s.io WebSocket framing kubectl exec speaks: every binary message starts with a
// channel byte — 0 stdin, 1 stdout, 2 stderr, 3 error (a metav1.Status as JSON, the command's
// outcome), 4 resize ({"Width":w,"Height":h}) and, in v5.channel.k8s.io, 255 close (the next byte
// names the channel being closed, so the server can close the command's stdin).

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export function frame(channel: number, payload: Uint8Array | string = new Uint8Array()): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  return Buffer.concat([Buffer.from([channel]), body]);
}

export function stdinFrame(data: Uint8Array | string): Buffer {
  return frame(CHANNEL.stdin, data);
}

export function resizeFrame(width: number, height: number): Buffer {
  return frame(CHANNEL.resize, JSON.stringify({ Width: width, Height: height }));
}

/** v5 only: tells the server that our side of `channel` (stdin) is finished. */
export function closeFrame(channel: number = CHANNEL.stdin): Buffer {
  return Buffer.from([CHANNEL.close, channel]);
}

export function decodeFrame(data: Buffer): { channel: number; payload: Buffer } | undefined {
  if (!data.length) return undefined;
  return { channel: data[0], payload: data.subarray(1) };
}

export interface ExecOutcome {
  exitCode: number;
  /** A failure that is not the command's own exit code (container not found, exec failed…). */
  error?: string;
}

/**
 * Reads the error channel: `{status:"Success"}` → 0; `{status:"Failure", reason:"NonZeroExitCode",
 * details:{causes:[{reason:"ExitCode", message:"3"}]}}` → 3; any other Failure → an error message.
 */
export function parseExecStatus(payload: Buffer | string): ExecOutcome {
  const text = payload.toString();
  let status: { status?: string; reason?: string; message?: string; details?: { causes?: { reason?: string; message?: string }[] } };
  try {
    status = JSON.parse(text);
  } catch {
    return { exitCode: 1, error: text.trim() || 'unknown error' };
  }
  if (status.status === 'Success') return { exitCode: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return { exitCode: code };
  }
  return { exitCode: 1, error: status.message ?? 'error executing command' };
}
