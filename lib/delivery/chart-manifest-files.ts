import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { InternalManifestFileAssetProps, ManifestFileAsset } from './manifest-file-asset';
import { synthesizeManifests } from '../workloads';
import { chartReleaseName } from './private/helm-release';
import { describeObject, identity } from './private/render';
import { PropValidator } from '../workloads/private/validate';

/** Props of {@link ChartManifestFiles}. */
export interface ChartManifestFilesProps {
  /** The cdk8s charts to deliver, each as its own manifest file. */
  readonly charts: Chart[];
  /**
   * Names the delivery: chart `c` becomes the file (and inventory) `<deliveryId>-<c>`, the chart named like
   * the delivery `<deliveryId>`, exactly as {@link HelmChartReleases} names its releases.
   * @default - the construct id
   */
  readonly deliveryId?: string;
}

/**
 * One {@link ManifestFileAsset} PER CHART: the self-managed (k3s, kubeadm) counterpart of
 * {@link HelmChartReleases}, what `addWorkloads` makes there. Each file is its own delivery on the server
 * (its own inventory), named by the delivery id and the chart's construct id, never by position, so adding,
 * changing or removing one chart never moves an object from one file to another. The charts are synthesized
 * once; an object defined in two charts is refused (two files would apply it in turn).
 *
 * The server's sync prunes across all files of the cluster: an object leaves the cluster only when no file
 * lists it any more, so moving an object (or a chart) between files, and the first sync after the layout of
 * one file per `addWorkloads` id, delete nothing.
 */
export class ChartManifestFiles extends Construct {
  /** The delivery's id. */
  public readonly deliveryId: string;
  /** One file per chart that holds objects, in chart order (none when no chart does: the sync then removes what the delivery had). */
  public readonly files: ManifestFileAsset[];

  constructor(scope: Construct, id: string, props: ChartManifestFilesProps) {
    super(scope, id);
    const v = new PropValidator(this, 'ChartManifestFiles');
    v.check(Array.isArray(props.charts) && props.charts.length > 0 && props.charts.every(c => Chart.isChart(c)), 'charts',
      Array.isArray(props.charts) ? props.charts.map(c => c?.node?.id ?? c) : props.charts, 'must be a non-empty list of cdk8s charts (new PlatformChart(app, "shop", { traits })).');
    this.deliveryId = props.deliveryId ?? id;
    const manifests = synthesizeManifests(props.charts);
    const names = new Set<string>();
    const seen = new Map<string, string>();
    for (const m of manifests) {
      v.check(!names.has(m.name), 'charts', m.name, 'is the construct id of two charts: each chart is its own manifest file, named after it; give the charts distinct ids.');
      names.add(m.name);
      for (const o of m.objects) {
        if (!o?.metadata?.name) continue; // reported with its chart by the file's own checks
        const previous = seen.get(identity(o));
        if (previous !== undefined) {
          v.fail('charts', describeObject(o, m.name), `is also defined in ${previous}: each object may be delivered once (each chart is its own manifest file); remove the duplicate.`);
        }
        seen.set(identity(o), describeObject(o, m.name));
      }
    }
    const nonEmpty = manifests.filter(m => m.objects.length > 0);
    this.files = nonEmpty.map(m => {
      const chart = props.charts.find(c => c.node.id === m.name)!;
      const fileProps: InternalManifestFileAssetProps = { charts: [chart], deliveryId: chartReleaseName(this.deliveryId, m.name), _manifests: [m] };
      return new ManifestFileAsset(this, `Chart-${m.name}`, fileProps);
    });
  }
}
