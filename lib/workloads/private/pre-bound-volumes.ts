import { ApiObject, Chart } from 'cdk8s';

/** The PersistentVolumes reserved for a claim (`claimRef` name) of each chart: claim name → volumes. */
const RESERVED = new WeakMap<Chart, Map<string, ApiObject[]>>();

/**
 * Records a PersistentVolume pre-bound to claim `claimName` of `chart`'s namespace (a `RestoredVolume`), so that
 * a StatefulService built after it in the chart is rendered after it ({@link reservedVolumesFor}).
 */
export function reserveVolume(chart: Chart, claimName: string, volume: ApiObject): void {
  const byClaim = RESERVED.get(chart) ?? new Map<string, ApiObject[]>();
  RESERVED.set(chart, byClaim);
  byClaim.set(claimName, [...(byClaim.get(claimName) ?? []), volume]);
}

/**
 * The PersistentVolumes of `chart` reserved for a claim named by `claims` (a StatefulSet's claims). The
 * StatefulSet depends on them, so every delivery applies the volume before the StatefulSet that makes the claim:
 * a claim made first would get a new, empty volume and leave the reserved one Available for ever.
 */
export function reservedVolumesFor(chart: Chart, claims: (claimName: string) => boolean): ApiObject[] {
  const byClaim = RESERVED.get(chart);
  return byClaim === undefined ? [] : [...byClaim].filter(([name]) => claims(name)).flatMap(([, volumes]) => volumes);
}
