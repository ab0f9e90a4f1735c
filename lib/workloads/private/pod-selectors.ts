import { IWorkloadSelector } from '../network-access';

/**
 * Every label set selecting a workload's pods: `selectorLabels`, then `additionalSelectorLabels` (a release's
 * candidate pods), without repeats.
 */
export function podSelectors(w: IWorkloadSelector): Array<Record<string, string>> {
  const sets = [w.selectorLabels, ...(w.additionalSelectorLabels ?? [])];
  const seen = new Set<string>();
  return sets.filter(s => {
    const key = JSON.stringify(Object.entries(s).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
