import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';

/** The id of the construct that keeps a chart's reserved volumes (it renders nothing). */
const ID = 'cdk-k8s-platform.ReservedVolumes';

/** The PersistentVolumes reserved for a claim (`claimRef` name) of one chart, kept in the chart's own tree. */
class ReservedVolumes extends Construct {
  public readonly byClaim = new Map<string, ApiObject[]>();
}

/**
 * Records a PersistentVolume pre-bound to claim `claimName` of `chart`'s namespace (a `RestoredVolume`), so that
 * a StatefulService built after it in the chart is rendered after it ({@link reservedVolumesFor}).
 */
export function reserveVolume(chart: Chart, claimName: string, volume: ApiObject): void {
  const reserved = chart.node.tryFindChild(ID) as ReservedVolumes | undefined ?? new ReservedVolumes(chart, ID);
  reserved.byClaim.set(claimName, [...(reserved.byClaim.get(claimName) ?? []), volume]);
}

/**
 * The PersistentVolumes of `chart` reserved for a claim named by `claims` (a StatefulSet's claims). The
 * StatefulSet depends on them, so every delivery applies the volume before the StatefulSet that makes the claim:
 * a claim made first would get a new, empty volume and leave the reserved one Available for ever.
 */
export function reservedVolumesFor(chart: Chart, claims: (claimName: string) => boolean): ApiObject[] {
  const reserved = chart.node.tryFindChild(ID) as ReservedVolumes | undefined;
  return reserved === undefined ? [] : [...reserved.byClaim].filter(([name]) => claims(name)).flatMap(([, volumes]) => volumes);
}
