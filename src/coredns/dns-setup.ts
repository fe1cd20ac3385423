// Split DNS for the host (systemd-resolved): names under the cluster domain go to the cluster DNS,
// everything else as before. systemd-resolved takes per-link DNS servers and routing domains, so kdp
// adds a dummy link that carries them (`resolvectl dns/domain`), as minikube's and kind's guides do;
// deleting the link undoes it all. `kdp up` deletes it when it stops.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** `kdp7f60000a` for 127.96.0.10: one link per cluster DNS address, ≤ 15 characters. */
export function dnsLinkName(dnsAddress: string): string {
  return 'kdp' + dnsAddress.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('');
}

/** The commands that route `~<domain>` to the cluster DNS. */
export function dnsSetupCommands(dnsAddress: string, domain: string): string[][] {
  const link = dnsLinkName(dnsAddress);
  return [
    ['ip', 'link', 'add', link, 'type', 'dummy'],
    ['ip', 'link', 'set', link, 'up'],
    ['resolvectl', 'dns', link, dnsAddress],
    ['resolvectl', 'domain', link, `~${domain}`],
    ['resolvectl', 'default-route', link, 'false'],
  ];
}

export function dnsUndoCommand(dnsAddress: string): string[] {
  return ['ip', 'link', 'del', dnsLinkName(dnsAddress)];
}

/** Is systemd-resolved managing this host's resolv.conf? */
export function systemdResolvedActive(): boolean {
  if (!existsSync('/run/systemd/resolve/stub-resolv.conf') && !existsSync('/run/systemd/resolve/resolv.conf')) return false;
  try {
    execFileSync('resolvectl', ['status'], { stdio: 'ignore', timeout: 3000 });
    return true;
  } catch {
    return false;
  }
}

/** Runs the setup commands; throws with the failing command's message. */
export function applyDnsSetup(dnsAddress: string, domain: string): void {
  for (const cmd of dnsSetupCommands(dnsAddress, domain)) {
    try {
      execFileSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
    } catch (e) {
      const err = e as { stderr?: Buffer; message: string };
      throw new Error(`${cmd.join(' ')}: ${err.stderr?.toString().trim() || err.message}`);
    }
  }
}

/** Removes the link `kdp dns setup --apply` made for this address, when there is one. */
export function removeDnsLink(dnsAddress: string): void {
  const link = dnsLinkName(dnsAddress);
  if (!existsSync(`/sys/class/net/${link}`)) return;
  try {
    execFileSync('ip', ['link', 'del', link], { stdio: 'ignore', timeout: 5000 });
  } catch {
    /* already gone, or no permission: nothing more to do */
  }
}
