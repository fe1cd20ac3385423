// Small helpers for describe.
import type { LabelSelectorObject } from '../api/selectors.js';
import type { KObject } from '../api/types.js';

/** The pod's Status line: Terminating once deleted, else its phase (describe shows the phase). */
export function summarizePodText(pod: KObject): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  return pod.status?.phase ?? 'Pending';
}

export function formatLabelSelectorText(sel: LabelSelectorObject | undefined): string {
  if (!sel) return '<none>';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) parts.push(`${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`);
  return parts.join(',') || '<none>';
}
