// Helpers shared by the built-in images: Go-style command-line flags and which ports to bind.

/**
 * The value of a Go `flag`/pflag option: `-text=x`, `--text=x`, `-text x`, `--text x`.
 * The last occurrence wins, as with Go's flag package.
 */
export function flagValue(args: string[], ...names: string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(args[i]);
    if (!m || !names.includes(m[1])) continue;
    if (m[2] !== undefined) value = m[2];
    else if (i + 1 < args.length) value = args[++i];
  }
  return value;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function declaredTcpPorts(container: any): number[] {
  const ports: number[] = [];
  for (const p of container?.ports ?? []) {
    if ((p.protocol ?? 'TCP') === 'TCP' && Number.isInteger(p.containerPort) && !ports.includes(p.containerPort)) ports.push(p.containerPort);
  }
  return ports;
}

/**
 * The ports a built-in listens on: the one its flags/env name; else every TCP port the container
 * declares (kdp is friendlier than a container here: a declared port is served); else the default.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function listenPorts(container: any, explicit: string | number | undefined, fallback: number): number[] {
  if (explicit !== undefined && explicit !== '') {
    const s = String(explicit);
    const n = Number(s.includes(':') ? s.slice(s.lastIndexOf(':') + 1) : s);
    if (Number.isInteger(n) && n > 0 && n < 65536) return [n];
  }
  const declared = declaredTcpPorts(container);
  return declared.length ? declared : [fallback];
}
