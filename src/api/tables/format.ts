// Small formatting helpers shared by the printers, in kubectl's wording.
import type { LabelSelectorObject } from '../selectors.js';

/** labels.FormatLabels: `a=1,b=2` sorted by key, `<none>` when empty. */
export function formatLabels(map: Record<string, string> | undefined | null): string {
  const keys = Object.keys(map ?? {}).sort();
  if (!keys.length) return '<none>';
  return keys.map((k) => `${k}=${map![k]}`).join(',');
}

/**
 * metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key, `k=v`, `k in (a,b)`,
 * `k notin (a)`, `k`, `!k`. A nil selector prints `<none>` (kubectl prints that for no selector).
 */
export function formatLabelSelector(sel: LabelSelectorObject | undefined | null): string {
  if (!sel) return '<none>';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    switch (e.operator) {
      case 'In': reqs.push({ key: e.key, text: `${e.key} in (${values})` }); break;
      case 'NotIn': reqs.push({ key: e.key, text: `${e.key} notin (${values})` }); break;
      case 'Exists': reqs.push({ key: e.key, text: e.key }); break;
      case 'DoesNotExist': reqs.push({ key: e.key, text: `!${e.key}` }); break;
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

interface ContainerLike { name?: string; image?: string }

/** layoutContainerCells: container names and images, comma-joined. */
export function containerCells(containers: ContainerLike[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** `a,b,c + 2 more...` — the printers show at most `max` items. */
export function listWithMore(list: string[], total: number, max: number): string {
  const shown = list.slice(0, max).join(',');
  return total > max ? `${shown} + ${total - max} more...` : shown;
}

/** Load-balancer ingress points (`ip` or `hostname`), comma-joined. */
export function loadBalancerIngress(lb: { ingress?: { ip?: string; hostname?: string }[] } | undefined): string {
  return (lb?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean).join(',');
}

export function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}
