import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Chart } from 'cdk8s';
import { Construct, IDependable } from 'constructs';
import { HelmChartDirectory } from './helm-chart-directory';
import { ChartManifest } from '../workloads';
import { chartReleaseName, checkReleaseRecord, claimRelease, defaultRelease, markRelease, RecordBudgetContext, renderRelease, RenderedRelease, stageRelease, validateReleaseProps, writeRelease } from './private/helm-release';
import { InOrderChecks } from './private/in-order-checks';
import { ReleaseRecordMeter } from './private/release-record-meter';
import { describeObject, DirectoryStager, identity } from './private/render';
import { renderEach } from '../workloads/private/chart-render';
import { PropValidator } from '../workloads/private/validate';

/** Props of {@link HelmChartReleases}. */
export interface HelmChartReleasesProps {
  /** The EKS cluster (aws-eks-v2, created with `kubectlProviderOptions`) to install the charts on. */
  readonly cluster: eks.ICluster;
  /** The cdk8s charts to deliver, each as its own Helm release (validated and rendered at synth time). */
  readonly charts: Chart[];
  /**
   * Names the delivery: chart `c` becomes the release `<deliveryId>-<c>`, and a chart named like the
   * delivery the release `<deliveryId>` (see {@link HelmChartReleases}).
   * @default - the construct id
   */
  readonly deliveryId?: string;
  /**
   * Charts (by construct id) that stay together in the delivery's own release `<deliveryId>`: the layout
   * before one release per chart, where one release held every chart of an `addWorkloads` call. List the
   * charts of such a release deployed before, so nothing moves between releases (docs/delivery.md,
   * "Migrating"). The chart named like the delivery is always in that release.
   * @default - none: every chart gets its own release
   */
  readonly sharedReleaseCharts?: string[];
  /**
   * Namespace of the Helm release records, and of objects that set no `metadata.namespace` (created if
   * missing). It may not be a Namespace that the charts themselves create.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * How long Helm waits for each release to become ready before it rolls back (`--atomic`). From 1 to 14
   * minutes: Helm runs inside the kubectl Lambda, which stops at 15.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * What must be deployed first: controllers, CRDs and add-ons the workloads need.
   * @default - no ordering beyond the cluster (and each custom resource's CRD release)
   */
  readonly dependsOn?: IDependable[];
}

/** One Helm release of a {@link HelmChartReleases}. */
export interface ChartRelease {
  /** The Helm release's name. */
  readonly releaseName: string;
  /** The construct ids of the charts it holds (one, except the delivery's own release). */
  readonly chartNames: string[];
  /** The rendered Helm chart (files, version, object count, staged directory). */
  readonly chart: HelmChartDirectory;
  /** The chart asset in S3 (a zip of the chart directory). */
  readonly asset: s3assets.Asset;
  /** The HelmChart custom resource that installs the release. */
  readonly helmChart: eks.HelmChart;
  /** Bytes of the release's record as Helm stores it (base64 of gzip of the release JSON); at most 1,000,000. */
  readonly releaseRecordBytes: number;
}

interface Group {
  readonly release: string;
  readonly scope: Construct;
  /** The construct ids of the charts it holds. */
  readonly chartNames: string[];
}

/**
 * Delivers cdk8s charts onto an EKS cluster as one Helm release PER CHART, on `cdk deploy`: what
 * `EksPlatformCluster.addWorkloads` does. Each release is a Helm chart asset in S3 installed by the cluster's
 * kubectl Lambda, exactly as {@link HelmChartDelivery} installs its one release, so a delivery grows by adding
 * charts, without a size limit of its own.
 *
 * Release names are keyed by the delivery id and the chart's construct id, never by the chart's position:
 * chart `orders` of delivery `shop` is the release `shop-orders`, and a chart named like its delivery
 * (`addWorkloads('shop', [shop])`) the release `shop`, the name a delivery's one release had before. Names
 * are DNS-1123 labels of at most 53 characters (longer ones keep 44 characters and end with 8 hex digits of a
 * hash); two charts that would share a release are refused at synth time. Adding, changing or removing one
 * chart therefore never moves an object from one release to another (Helm would delete it from the one and
 * refuse it in the other).
 *
 * Each release's record is measured as Helm stores it before anything is staged; a chart whose record would
 * exceed the budget is refused with its size and the fix (split the chart). The delivery's own release is
 * deployed after the others, so an object moving out of it is never deleted before another release holds it
 * (Helm refuses to adopt an object of another release: the deploy then fails and rolls back, losing nothing).
 * A custom resource's release waits for the release that holds its CRD.
 *
 * Objects carry `app.kubernetes.io/managed-by: cdk-k8s-platform` and `platform.cdk-k8s.io/delivery: <release>`.
 */
export class HelmChartReleases extends Construct {
  /** The delivery's id. */
  public readonly deliveryId: string;
  /** The release namespace. */
  public readonly namespace: string;
  /** The releases, the delivery's own release (if any) first, then in chart order. */
  public readonly releases: ChartRelease[];

  constructor(scope: Construct, id: string, props: HelmChartReleasesProps) {
    super(scope, id);
    const v = new PropValidator(this, 'HelmChartReleases');
    const { namespace, timeout } = validateReleaseProps(v, props.cluster, props.charts, props);
    this.namespace = namespace;
    this.deliveryId = props.deliveryId ?? id;
    const ownRelease = defaultRelease(this.deliveryId);
    v.check(ownRelease !== '', props.deliveryId === undefined ? 'deliveryId (from the construct id)' : 'deliveryId', this.deliveryId,
      'must contain a lowercase letter or digit: it names the releases (e.g. "shop").');

    const shared = props.sharedReleaseCharts ?? [];
    const charts = renderEach(props.charts);
    checkChartNames(v, props.charts.map(c => c.node.id), shared);
    const meter = new ReleaseRecordMeter();
    const stager = new DirectoryStager();
    try {
      let rendered: RenderedGroup[];
      try {
        // every record is known and within the budget before anything is staged
        rendered = this.renderAll(v, props, charts, new Set([this.deliveryId, ...shared]), meter, stager);
      } finally {
        meter.close();
      }
      this.releases = rendered.map(r => this.install(r.group, r.release, r.bytes!, props, timeout, stager));
      this.order(rendered[0].group.scope === this ? this.releases[0] : undefined, rendered.map(r => r.release));
    } finally {
      // removes what was written for a release and not staged (a later chart refused)
      stager.close();
    }
  }

  /**
   * One chart at a time: each is checked, rendered and measured; its files are written to disk (not staged) as
   * soon as its record is checked, and only their paths are kept (not its objects, not its files' contents).
   * Records are checked in chart order, each as soon as it is known, and the delivery's own release (the shared
   * charts, rendered last) after them, so a chart over the budget stops synthesis early. The first error is the
   * one a chart-by-chart check would give: a later chart's error waits until every earlier record is checked.
   * The own release comes first in the result.
   */
  private renderAll(v: PropValidator, props: HelmChartReleasesProps, charts: Iterable<ChartManifest>, sharedSet: Set<string>,
    meter: ReleaseRecordMeter, stager: DirectoryStager): RenderedGroup[] {
    const rendered: RenderedGroup[] = [];
    const checks = new InOrderChecks<RenderedGroup>(r => r.release.record.known(), r => {
      r.bytes = checkReleaseRecord(v, r.release, budgetContext(r.group));
      r.release = writeRelease(r.group.scope, r.release, r.bytes, stager);
    });
    const ownManifests: ChartManifest[] = [];
    const seen = new Map<string, SeenObject>();
    const next = charts[Symbol.iterator]();
    for (let m = checks.guard(() => next.next()); !m.done; m = checks.guard(() => next.next())) {
      const manifest = m.value;
      checks.guard(() => {
        checkDistinctObjects(v, seen, manifest);
        if (manifest.objects.length === 0) return;
        if (sharedSet.has(manifest.name)) {
          ownManifests.push(manifest);
          return;
        }
        const group = { release: chartReleaseName(this.deliveryId, manifest.name), scope: new Construct(this, `Chart-${manifest.name}`), chartNames: [manifest.name] };
        const r = { group, release: this.render(v, props, group, [manifest], meter) };
        rendered.push(r);
        checks.add(r);
      });
      checks.checkKnown();
    }
    if (ownManifests.length > 0) {
      const group = { release: defaultRelease(this.deliveryId), scope: this, chartNames: ownManifests.map(m => m.name) };
      const own = { group, release: checks.guard(() => this.render(v, props, group, ownManifests, meter)) };
      rendered.unshift(own);
      checks.add(own);
    }
    checks.checkAll();
    v.check(rendered.length > 0, 'charts', props.charts.map(c => c.node.id), 'hold no Kubernetes objects: add workloads to the charts or remove the delivery.');
    return rendered;
  }

  /** Claims the group's release name, then renders its charts and starts measuring the record. */
  private render(v: PropValidator, props: HelmChartReleasesProps, g: Group, manifests: ChartManifest[], meter: ReleaseRecordMeter): RenderedRelease {
    claimRelease(v, props.cluster, this.namespace, g.release, `charts (${g.chartNames.map(n => `"${n}"`).join(', ')}: release name)`, g.scope.node.path);
    return renderRelease(g.scope, v, 'HelmChartReleases', manifests, g.release, this.namespace, meter);
  }

  private install(g: Group, rendered: RenderedRelease, releaseRecordBytes: number, props: HelmChartReleasesProps, timeout: Duration,
    stager: DirectoryStager): ChartRelease {
    const { chart, asset } = stageRelease(g.scope, rendered, stager);
    const helmChart = new eks.HelmChart(g.scope, 'Release', {
      cluster: props.cluster,
      chartAsset: asset,
      release: g.release,
      namespace: this.namespace,
      createNamespace: true,
      atomic: true,
      wait: true,
      timeout,
    });
    if (props.dependsOn && props.dependsOn.length > 0) helmChart.node.addDependency(...props.dependsOn);
    markRelease(helmChart, { name: g.release, delivery: this.deliveryId, charts: g.chartNames, shared: g.scope === this, statefulSets: rendered.statefulSets });
    return { releaseName: g.release, chartNames: g.chartNames, chart, asset, helmChart, releaseRecordBytes };
  }

  /** The delivery's own release after every other; a custom resource's release after its CRD's. */
  private order(own: ChartRelease | undefined, rendered: RenderedRelease[]): void {
    for (const r of this.releases) if (own && r !== own) own.helmChart.node.addDependency(r.helmChart);
    const crdRelease = new Map<string, ChartRelease>();
    rendered.forEach((x, i) => x.crds.forEach((_, k) => crdRelease.set(k, this.releases[i])));
    rendered.forEach((x, i) => {
      const needs = new Set([...x.kinds].map(k => crdRelease.get(k)).filter((r): r is ChartRelease => r !== undefined && r !== this.releases[i]));
      // the delivery's own release already waits for every other one; a dependency back would be a cycle
      for (const r of needs) if (r !== own) this.releases[i].helmChart.node.addDependency(r.helmChart);
    });
  }
}

/** A group of charts rendered as one release; `bytes` once its record is checked (`release` then holds its files on disk only). */
interface RenderedGroup {
  readonly group: Group;
  release: RenderedRelease;
  bytes?: number;
}

/** How a release over the budget is named in its error. */
function budgetContext(g: Group): RecordBudgetContext {
  return { prop: 'charts', value: g.chartNames.join(', '), fix: 'split the chart into several charts (each chart is its own release).' };
}

/** Chart names are unique; shared charts exist. */
function checkChartNames(v: PropValidator, chartNames: string[], shared: string[]): void {
  const names = new Set<string>();
  for (const name of chartNames) {
    v.check(!names.has(name), 'charts', name, 'is the construct id of two charts: each chart is its own release, named after it; give the charts distinct ids.');
    names.add(name);
  }
  for (const s of shared) {
    v.check(names.has(s), 'sharedReleaseCharts', s, `is not the id of one of the charts (${[...names].map(n => `"${n}"`).join(', ')}): list the charts that share the delivery's release, or remove the name.`);
  }
}

/** Where an object was first seen: its apiVersion and chart (with its identity, all its description needs). */
interface SeenObject {
  readonly apiVersion: string;
  readonly chart: string;
}

/**
 * No object of chart `m` is in an earlier chart (two releases would fight over it); `seen` collects them. It
 * keeps no object (the charts' objects are not all held at once) and no description (built only for an error:
 * a string per object cost more than the check).
 */
function checkDistinctObjects(v: PropValidator, seen: Map<string, SeenObject>, m: ChartManifest): void {
  for (const o of m.objects) {
    if (!o?.metadata?.name) continue; // reported with its chart by the release's own checks
    const key = identity(o);
    const previous = seen.get(key);
    if (previous !== undefined) {
      v.fail('charts', describeObject(o, m.name), `is also defined in ${describeObject({ ...o, apiVersion: previous.apiVersion }, previous.chart)}: each object may be delivered once (each chart is its own Helm release, and a release cannot take an object another one holds); remove the duplicate.`);
    }
    seen.set(key, { apiVersion: o.apiVersion, chart: m.name });
  }
}
