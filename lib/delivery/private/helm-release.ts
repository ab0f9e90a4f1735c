import { createHash } from 'crypto';
import { CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { WorkloadRelease, markForGuard } from '../../guards/private/marks';
import { ChartManifest, KubeObject, synthesizeManifests } from '../../workloads';
import { PropValidator } from '../../workloads/private/validate';
import { DeploymentBudget } from '../deployment-budget';
import { HelmChartDirectory } from '../helm-chart-directory';
import { releaseJson } from './release-json';
import { recordBytesOf, RecordSize, ReleaseRecordMeter } from './release-record-meter';
import { describeObject, DirectoryStager, prepareObjects, WrittenFiles } from './render';
import { statefulSetShapes } from './stateful-set-shape';

/** Props shared by the EKS v2 and v1 (eks-blueprints) Helm deliveries. */
export interface HelmReleaseInput {
  readonly charts: Chart[];
  readonly releaseName?: string;
  readonly namespace?: string;
  readonly timeout?: Duration;
}

/** What a delivery needs to create its HelmChart. */
export interface HelmReleasePlan {
  readonly release: string;
  readonly namespace: string;
  readonly timeout: Duration;
  readonly chart: HelmChartDirectory;
  readonly asset: s3assets.Asset;
  /** Bytes of Helm's release record (a Secret), measured as Helm stores it. */
  readonly releaseRecordBytes: number;
  /** The release's StatefulSets and their immutable fields, described (for the ReplacementGuard). */
  readonly statefulSets: Readonly<Record<string, string>>;
}

/** Default Helm timeout: 10 minutes, below the kubectl Lambda's 15. */
export const DEFAULT_TIMEOUT = Duration.minutes(10);
/** Longest Helm timeout: the kubectl Lambda stops at 15 minutes and needs time to fetch the chart. */
export const MAX_TIMEOUT = Duration.minutes(14);
/**
 * Helm stores a release as a Secret whose data may hold at most 1 MiB (1,048,576 bytes); the budget keeps
 * 48 KiB for what the measurement leaves out (Go's compressor is not zlib, the release's status fields).
 */
export const MAX_RELEASE_RECORD_BYTES = 1_000_000;
/** Longest Helm release name (Helm refuses longer ones: the name goes into labels and a Secret name). */
export const MAX_RELEASE_NAME = 53;
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const releasesByCluster = new WeakMap<object, Map<string, string>>();

/** Validates the props every release shares; returns the namespace and timeout. */
export function validateReleaseProps(v: PropValidator, cluster: object, charts: Chart[],
  props: { namespace?: string; timeout?: Duration }): { namespace: string; timeout: Duration } {
  v.check(!!cluster, 'cluster', cluster, 'is required: the EKS cluster to install the charts on.');
  v.check(Array.isArray(charts) && charts.length > 0 && charts.every(c => Chart.isChart(c)), 'charts',
    Array.isArray(charts) ? charts.map(c => c?.node?.id ?? c) : charts, 'must be a non-empty list of cdk8s charts (new PlatformChart(app, "shop", { traits })).');
  const namespace = v.dnsLabel('namespace', props.namespace ?? 'default');
  const timeout = props.timeout ?? DEFAULT_TIMEOUT;
  const seconds = timeout.toSeconds();
  v.check(seconds >= 60 && seconds <= MAX_TIMEOUT.toSeconds(), 'timeout', timeout.toHumanString(),
    'must be from 1 to 14 minutes: Helm runs inside the kubectl Lambda, which stops at 15 minutes (a release cut off there stays in "pending-upgrade").');
  return { namespace, timeout };
}

/** Checks a release name and claims it on the cluster (two deliveries of one release would delete each other's objects). */
export function claimRelease(v: PropValidator, cluster: object, namespace: string, release: string, prop: string, owner: string): void {
  v.check(typeof release === 'string' && release.length <= MAX_RELEASE_NAME && RELEASE_NAME.test(release), prop, release,
    'must be a Helm release name: a DNS-1123 label of at most 53 lowercase letters, digits and \'-\', starting and ending with a letter or digit (e.g. "shop").');
  const key = `${namespace}/${release}`;
  const releases = releasesByCluster.get(cluster) ?? new Map<string, string>();
  releasesByCluster.set(cluster, releases);
  const previous = releases.get(key);
  v.check(previous === undefined, prop, release,
    `is already installed in namespace "${namespace}" of this cluster by ${previous}: two deliveries of one release would delete each other's objects; give each delivery its own releaseName (or rename the chart).`);
  releases.set(key, owner);
}

/** A release rendered and measured, not yet staged. */
export interface RenderedRelease {
  readonly chart: HelmChartDirectory;
  /** Its record's size, possibly still being measured: {@link checkReleaseRecord} reads it and refuses one over the budget. */
  readonly record: RecordSize;
  /** How many objects it holds (for the message of a release over the budget). */
  readonly objectCount: number;
  /** `group|kind` of the CRDs among the objects → the CRD's description. */
  readonly crds: Map<string, string>;
  /** `group|kind` of every object, in the order they first appear (the objects themselves are not kept). */
  readonly kinds: Set<string>;
  /** The StatefulSets (`namespace/name`) and their immutable fields, described (for the ReplacementGuard). */
  readonly statefulSets: Readonly<Record<string, string>>;
  /**
   * The chart's files, once written to disk ({@link writeRelease}): `chart` then holds no contents.
   * @default - not written: `chart` holds them
   */
  readonly written?: WrittenFiles;
}

/** What a release over the budget is called in its error: the prop, the value shown and the fix. */
export interface RecordBudgetContext {
  readonly prop: string;
  readonly value: unknown;
  readonly fix: string;
}

/**
 * Labels, checks, renders and measures one release's charts, with `meter` (the caller closes it). Its record's
 * size is checked by {@link checkReleaseRecord}, which the caller calls before anything is written or staged.
 */
export function renderRelease(scope: Construct, v: PropValidator, kind: string, manifests: ChartManifest[], release: string, namespace: string,
  meter: ReleaseRecordMeter): RenderedRelease {
  const prepared = prepareObjects(scope, kind, manifests, release);
  const objects = prepared.flatMap(m => m.objects.map(o => ({ o, chart: m.name })));
  for (const { o, chart } of objects) {
    if (o.kind === 'Namespace' && o.metadata.name === namespace) {
      v.fail('namespace', namespace, `is also created by the charts (${describeObject(o, chart)}): Helm keeps its release record in the release namespace, so it cannot own that Namespace. `
        + 'Use another release namespace (e.g. "default"); objects keep their own metadata.namespace.');
    }
  }
  // Helm checks every object against the cluster's API before creating any: a custom resource whose CRD is
  // in the same release fails on first install.
  const crds = crdsOf(objects);
  for (const { o, chart } of objects) {
    const crd = crds.get(kindKey(o));
    if (crd !== undefined) {
      v.fail('charts', describeObject(o, chart), `is a custom resource of ${crd}, which is in the same Helm release: Helm cannot install both in one release. `
        + 'Put the CRDs in a chart of their own (each chart is its own release with HelmChartReleases and addWorkloads, and a custom resource waits for its CRD\'s release), or deliver them first in their own HelmChartDelivery and pass it in dependsOn of this one.');
    }
  }
  const chart = HelmChartDirectory.render(prepared, { chartName: release });
  const record = meter.measure(buffers => releaseJson(chart, buffers));
  const statefulSets = statefulSetShapes(objects.map(({ o }) => o), namespace);
  return { chart, record, objectCount: objects.length, crds, kinds: new Set(objects.map(({ o }) => kindKey(o))), statefulSets };
}

/** The size of a rendered release's record (waiting for its measurement if needed); a release over the budget is refused. */
export function checkReleaseRecord(v: PropValidator, rendered: RenderedRelease, what: RecordBudgetContext): number {
  const bytes = rendered.record.value();
  // the message is built only on failure: the first toLocaleString of a process loads ICU data (~20 ms)
  if (bytes > MAX_RELEASE_RECORD_BYTES) {
    const n = rendered.objectCount;
    v.fail(what.prop, what.value,
      `make${n === 1 ? 's' : ''} a Helm release record of ${bytes.toLocaleString('en-US')} bytes (${n.toLocaleString('en-US')} objects; gzip and base64 of the release, as Helm stores it in a Secret), `
      + `over the budget of ${MAX_RELEASE_RECORD_BYTES.toLocaleString('en-US')} bytes (a Secret holds at most 1 MiB): ${what.fix}`);
  }
  return bytes;
}

/** `group|kind` of the CRDs among the objects → the CRD's description. */
export function crdsOf(objects: ReadonlyArray<{ readonly o: KubeObject; readonly chart: string }>): Map<string, string> {
  const crds = new Map<string, string>();
  for (const { o, chart } of objects) {
    if (o.kind !== 'CustomResourceDefinition') continue;
    const spec = (o.spec ?? {}) as { group?: string; names?: { kind?: string } };
    if (spec.group && spec.names?.kind) crds.set(`${spec.group}|${spec.names.kind}`, describeObject(o, chart));
  }
  return crds;
}

/** `group|kind` of an object (its apiVersion without the version). */
export function kindKey(o: KubeObject): string {
  return `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}|${o.kind}`;
}

/**
 * Writes the files of a release whose record is checked (`bytes`) with `stager`, before it is staged: the
 * result holds neither the files' contents nor what measured them, so a delivery of many charts does not hold
 * every chart's files until the last is checked.
 */
export function writeRelease(scope: Construct, rendered: RenderedRelease, bytes: number, stager: DirectoryStager): RenderedRelease {
  const written = stager.write(scope, rendered.chart.files);
  return { ...rendered, chart: rendered.chart._withDirectory(written.path), record: { known: () => true, value: () => bytes }, written };
}

/**
 * Stages a rendered chart as an S3 asset (in the cloud assembly; nothing is left in the temp directory), with
 * `stager` (whose caller closes it once every release of the delivery is staged).
 */
export function stageRelease(scope: Construct, rendered: RenderedRelease, stager: DirectoryStager): { chart: HelmChartDirectory; asset: s3assets.Asset } {
  const staged = stager.stage(scope, 'ChartAsset', rendered.written ?? rendered.chart.files);
  DeploymentBudget.apply(Stack.of(scope));
  return { chart: rendered.chart._withDirectory(staged.path), asset: staged.asset };
}

/**
 * Validates the props, renders the charts to ONE Helm chart directory and makes it an S3 asset (the
 * single-release delivery: HelmChartDelivery, BlueprintWorkloads). Every error names the construct, the
 * prop, the value and the fix.
 */
export function planHelmRelease(scope: Construct, kind: string, cluster: object, props: HelmReleaseInput): HelmReleasePlan {
  const v = new PropValidator(scope, kind);
  const { namespace, timeout } = validateReleaseProps(v, cluster, props.charts, props);
  const release = props.releaseName ?? defaultRelease(scope.node.id);
  claimRelease(v, cluster, namespace, release, props.releaseName === undefined ? 'releaseName (from the construct id)' : 'releaseName', scope.node.path);
  const manifests = synthesizeManifests(props.charts);
  const count = manifests.reduce((n, m) => n + m.objects.length, 0);
  v.check(count > 0, 'charts', props.charts.map(c => c.node.id), 'hold no Kubernetes objects: add workloads to the charts or remove the delivery.');
  // one release, so measured on the main thread: a meter starts no thread for a delivery's first release
  const rendered = renderRelease(scope, v, kind, manifests, release, namespace, new ReleaseRecordMeter());
  const releaseRecordBytes = checkReleaseRecord(v, rendered,
    { prop: 'charts', value: `${count} objects`, fix: 'split the charts over several releases (HelmChartReleases, or addWorkloads, makes one release per chart).' });
  const stager = new DirectoryStager();
  try {
    const { chart, asset } = stageRelease(scope, rendered, stager);
    return { release, namespace, timeout, chart, asset, releaseRecordBytes, statefulSets: rendered.statefulSets };
  } finally {
    stager.close();
  }
}

/**
 * Bytes of the Secret data Helm stores per revision: base64(gzip(JSON of the release)), measured the way
 * Helm's storage driver encodes it (helm.sh/helm pkg/storage/driver/util.go `encodeRelease`: json.Marshal,
 * gzip at `gzip.BestCompression`, base64 StdEncoding; {@link recordBytesOf}). One pass at zlib's best level
 * (9), the level Helm uses: the figure is the same whether it is under or over the budget, and grows with the
 * content (an earlier version switched levels at the limit, so a bigger chart could report a smaller record).
 */
export function estimateReleaseRecordBytes(chart: HelmChartDirectory): number {
  return recordBytesOf(releaseJson(chart));
}

/** A release name from a construct id: lowercased, other characters than letters, digits and '-' made '-'. */
export function defaultRelease(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, MAX_RELEASE_NAME).replace(/-+$/, '');
}

/**
 * The release of chart `chartName` in delivery `deliveryId`: `<deliveryId>-<chartName>`, or `<deliveryId>`
 * alone for the chart named like its delivery (the release the delivery had before one release per chart:
 * such a chart keeps its release and nothing moves). Lowercased, characters other than letters, digits and
 * '-' become '-'; a name over 53 characters keeps its first 44 and ends with '-' and 8 hex digits of the
 * sha256 of `<deliveryId>/<chartName>`. Depends on the two names only, never on the chart's position.
 */
export function chartReleaseName(deliveryId: string, chartName: string): string {
  const full = chartName === deliveryId ? defaultRelease(deliveryId) : clean(`${deliveryId}-${chartName}`);
  if (full.length <= MAX_RELEASE_NAME && full !== '') return full;
  const hash = createHash('sha256').update(`${deliveryId}/${chartName}`).digest('hex').slice(0, 8);
  const head = full.slice(0, MAX_RELEASE_NAME - 9).replace(/-+$/, '');
  return head === '' ? `r-${hash}` : `${head}-${hash}`;
}

function clean(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
}

/**
 * Marks a workload release's custom resource for the ReplacementGuard, which records the charts it holds and
 * refuses a synth that would move a chart out of it or delete it.
 */
export function markRelease(helmChart: Construct, release: WorkloadRelease): void {
  const resource = helmChart.node.findAll().find((c): c is CfnResource => CfnResource.isCfnResource(c));
  if (resource) markForGuard(resource, { role: 'workload-release', release });
}
