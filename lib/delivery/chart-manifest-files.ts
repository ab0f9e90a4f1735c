import { Stack } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DeploymentBudget } from './deployment-budget';
import { ManifestClaimTemplate, ManifestInventoryEntry } from './manifest-file-asset';
import { ChartManifest } from '../workloads';
import { chartReleaseName } from './private/helm-release';
import { MANIFEST_BUNDLE_HEADER as BUNDLE_HEADER, renderManifestBundle, renderManifestFile, RenderedManifestFile } from './private/manifest-file';
import { describeObject, identity, stagedAsset } from './private/render';
import { renderEach } from '../workloads/private/chart-render';
import { PropValidator } from '../workloads/private/validate';

/** First line of the bundle {@link ChartManifestFiles} uploads: several manifest files in one S3 object. */
export const MANIFEST_BUNDLE_HEADER: string = BUNDLE_HEADER;

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

/** One chart's manifest file in a {@link ChartManifestFiles} bundle. */
export interface ChartManifestFile {
  /** The chart's construct id. */
  readonly chart: string;
  /** The file's id on the server: its inventory and the value of the objects' `platform.cdk-k8s.io/delivery` label. */
  readonly deliveryId: string;
  /** Number of objects in the file. */
  readonly objectCount: number;
  /** Every object in the file, in file order. */
  readonly inventory: ManifestInventoryEntry[];
  /** The claim templates of the file's StatefulSets. */
  readonly claimTemplates: ManifestClaimTemplate[];
}

/**
 * One manifest file (format v1, as {@link ManifestFileAsset} writes it) PER CHART, all of a delivery in ONE S3
 * object: the self-managed (k3s, kubeadm) counterpart of {@link HelmChartReleases}, what `addWorkloads` makes
 * there. Each file is its own delivery on the server (its own inventory), named by the delivery id and the
 * chart's construct id, never by position, so adding, changing or removing one chart never moves an object
 * from one file to another. The charts are synthesized once; an object defined in two charts is refused (two
 * files would apply it in turn).
 *
 * The files travel as one bundle (`MANIFEST_BUNDLE_HEADER`, then a `# file: <id> <lines>` line per file, then
 * the files one after the other), so a delivery costs the servers' role one object grant and the sync
 * association one line however many charts it holds. The server's sync splits it and prunes across all files
 * of the cluster: an object leaves the cluster only when no file lists it any more, so moving an object (or a
 * chart) between files, and the first sync after the layout of one file per `addWorkloads` id, delete nothing.
 */
export class ChartManifestFiles extends Construct {
  /** The delivery's id. */
  public readonly deliveryId: string;
  /** One file per chart that holds objects, in chart order (none when no chart does: the sync then removes what the delivery had). */
  public readonly files: ChartManifestFile[];
  /** The bundle of every file, in S3 (uploaded as is, not zipped). */
  public readonly asset: s3assets.Asset;
  /** Path of the bundle in the cloud assembly. */
  public readonly bundlePath: string;

  constructor(scope: Construct, id: string, props: ChartManifestFilesProps) {
    super(scope, id);
    const v = new PropValidator(this, 'ChartManifestFiles');
    v.check(Array.isArray(props.charts) && props.charts.length > 0 && props.charts.every(c => Chart.isChart(c)), 'charts',
      Array.isArray(props.charts) ? props.charts.map(c => c?.node?.id ?? c) : props.charts, 'must be a non-empty list of cdk8s charts (new PlatformChart(app, "shop", { traits })).');
    this.deliveryId = v.labelValue(props.deliveryId === undefined ? 'deliveryId (from the construct id)' : 'deliveryId', props.deliveryId ?? id);
    const charts = renderEach(props.charts);
    checkChartNames(v, props.charts.map(c => c.node.id));
    // One chart at a time: only its rendered file is kept, not its objects.
    const rendered: Array<{ chart: string; file: RenderedManifestFile }> = [];
    const seen = new Map<string, string>();
    for (const m of charts) {
      checkDistinctObjects(v, seen, m);
      if (m.objects.length > 0) rendered.push({ chart: m.name, file: renderManifestFile(this, 'ChartManifestFiles', chartReleaseName(this.deliveryId, m.name), [m]) });
    }
    this.files = rendered.map(({ chart, file }) => ({
      chart, deliveryId: file.deliveryId, objectCount: file.inventory.length, inventory: file.inventory, claimTemplates: file.claimTemplates,
    }));
    const name = `${this.deliveryId}.yaml`;
    const staged = stagedAsset(this, 'Bundle', 'manifests', new Map([[name, renderManifestBundle(this.deliveryId, rendered.map(r => r.file))]]), name);
    this.asset = staged.asset;
    this.bundlePath = staged.path;
    DeploymentBudget.apply(Stack.of(this));
  }
}

/** Refuses two charts of one name. */
function checkChartNames(v: PropValidator, chartNames: string[]): void {
  const names = new Set<string>();
  for (const name of chartNames) {
    v.check(!names.has(name), 'charts', name, 'is the construct id of two charts: each chart is its own manifest file, named after it; give the charts distinct ids.');
    names.add(name);
  }
}

/** Refuses an object of chart `m` that an earlier chart holds; `seen` collects them. */
function checkDistinctObjects(v: PropValidator, seen: Map<string, string>, m: ChartManifest): void {
  for (const o of m.objects) {
    if (!o?.metadata?.name) continue; // reported with its chart by the file's own checks
    const previous = seen.get(identity(o));
    if (previous !== undefined) {
      v.fail('charts', describeObject(o, m.name), `is also defined in ${previous}: each object may be delivered once (each chart is its own manifest file); remove the duplicate.`);
    }
    seen.set(identity(o), describeObject(o, m.name));
  }
}
