import { gzipSync, constants as zlib } from 'zlib';
import { AssetHashType, Duration, Stack } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { synthesizeManifests } from '../../workloads';
import { PropValidator } from '../../workloads/private/validate';
import { DeploymentBudget } from '../deployment-budget';
import { HelmChartDirectory, escapeHelmTemplate } from '../helm-chart-directory';
import { describeObject, prepareObjects } from './render';

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
  /** Estimated bytes of Helm's release record (a Secret). */
  readonly releaseRecordBytes: number;
}

/** Default Helm timeout: 10 minutes, below the kubectl Lambda's 15. */
export const DEFAULT_TIMEOUT = Duration.minutes(10);
/** Longest Helm timeout: the kubectl Lambda stops at 15 minutes and needs time to fetch the chart. */
export const MAX_TIMEOUT = Duration.minutes(14);
/** Helm stores a release as a Secret (at most 1 MiB); keep room for its metadata. */
export const MAX_RELEASE_RECORD_BYTES = 1_000_000;

const releasesByCluster = new WeakMap<object, Map<string, string>>();

/**
 * Validates the props, renders the charts to a Helm chart directory and makes it an S3 asset. Every error
 * names the construct, the prop, the value and the fix.
 */
export function planHelmRelease(scope: Construct, kind: string, cluster: object, props: HelmReleaseInput): HelmReleasePlan {
  const v = new PropValidator(scope, kind);
  v.check(!!cluster, 'cluster', cluster, 'is required: the EKS cluster to install the charts on.');
  v.check(Array.isArray(props.charts) && props.charts.length > 0 && props.charts.every(c => Chart.isChart(c)), 'charts',
    Array.isArray(props.charts) ? props.charts.map(c => c?.node?.id ?? c) : props.charts, 'must be a non-empty list of cdk8s charts (new PlatformChart(app, "shop", { traits })).');

  const release = props.releaseName ?? defaultRelease(scope.node.id);
  v.check(typeof release === 'string' && release.length <= 53 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(release),
    props.releaseName === undefined ? 'releaseName (from the construct id)' : 'releaseName', release,
    'must be a Helm release name: a DNS-1123 label of at most 53 lowercase letters, digits and \'-\', starting and ending with a letter or digit (e.g. "shop").');
  const namespace = v.dnsLabel('namespace', props.namespace ?? 'default');

  const timeout = props.timeout ?? DEFAULT_TIMEOUT;
  const seconds = timeout.toSeconds();
  v.check(seconds >= 60 && seconds <= MAX_TIMEOUT.toSeconds(), 'timeout', timeout.toHumanString(),
    'must be from 1 to 14 minutes: Helm runs inside the kubectl Lambda, which stops at 15 minutes (a release cut off there stays in "pending-upgrade").');

  const key = `${namespace}/${release}`;
  const releases = releasesByCluster.get(cluster) ?? new Map<string, string>();
  releasesByCluster.set(cluster, releases);
  const owner = releases.get(key);
  v.check(owner === undefined, 'releaseName', release,
    `is already installed in namespace "${namespace}" of this cluster by ${owner}: two deliveries of one release would delete each other's objects; give each delivery its own releaseName.`);
  releases.set(key, scope.node.path);

  const manifests = prepareObjects(scope, kind, synthesizeManifests(props.charts), release);
  const objects = manifests.flatMap(m => m.objects.map(o => ({ o, chart: m.name })));
  v.check(objects.length > 0, 'charts', props.charts.map(c => c.node.id), 'hold no Kubernetes objects: add workloads to the charts or remove the delivery.');
  for (const { o, chart } of objects) {
    if (o.kind === 'Namespace' && o.metadata.name === namespace) {
      v.fail('namespace', namespace, `is also created by the charts (${describeObject(o, chart)}): Helm keeps its release record in the release namespace, so it cannot own that Namespace. `
        + 'Use another release namespace (e.g. "default"); objects keep their own metadata.namespace.');
    }
  }
  // Helm checks every object against the cluster's API before creating any: a custom resource whose CRD is
  // in the same release fails on first install.
  const crds = new Map<string, string>();
  for (const { o, chart } of objects) {
    if (o.kind !== 'CustomResourceDefinition') continue;
    const spec = (o.spec ?? {}) as { group?: string; names?: { kind?: string } };
    if (spec.group && spec.names?.kind) crds.set(`${spec.group}|${spec.names.kind}`, describeObject(o, chart));
  }
  for (const { o, chart } of objects) {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    const crd = crds.get(`${group}|${o.kind}`);
    if (crd !== undefined) {
      v.fail('charts', describeObject(o, chart), `is a custom resource of ${crd}, which is in the same delivery: Helm cannot install both in one release. `
        + 'Deliver the CRDs first in their own HelmChartDelivery and pass it in dependsOn of this one.');
    }
  }

  const chart = HelmChartDirectory.write(manifests, { chartName: release });
  const releaseRecordBytes = estimateReleaseRecordBytes(chart);
  v.check(releaseRecordBytes <= MAX_RELEASE_RECORD_BYTES, 'charts', `${chart.objectCount} objects`,
    `make a Helm release record of about ${releaseRecordBytes.toLocaleString('en-US')} bytes, over the ${MAX_RELEASE_RECORD_BYTES.toLocaleString('en-US')} bytes a Secret can hold: split the charts over several deliveries.`);

  // The directory is content-addressed: its hash is already known, so the asset does not fingerprint it again.
  const asset = new s3assets.Asset(scope, 'ChartAsset', { path: chart.directory!, assetHash: chart.contentHash, assetHashType: AssetHashType.CUSTOM });
  DeploymentBudget.apply(Stack.of(scope));
  return { release, namespace, timeout, chart, asset, releaseRecordBytes };
}

/**
 * Bytes of the Secret Helm stores per revision: base64(gzip(JSON of the release)), where the JSON holds
 * the chart's files (base64) and the rendered manifest.
 *
 * Helm compresses at the best level (Go's compress/gzip). zlib's default level (6) gives a figure a few
 * percent above zlib's best level (in rare cases a few bytes below it), so it is used when it already fits
 * (the limit, 1,000,000 bytes, keeps 48 KiB below the Secret's 1 MiB). Only a chart whose default-level
 * figure is over the limit is compressed again at the best level, for the figure the error reports (close
 * to Helm's, not byte-exact: Go's compressor is not zlib).
 * (A fast level was tried first before: it compresses the base64 part so poorly that large charts always
 * needed the second pass, about 250 ms and 60 MB for 1000 web services.)
 */
export function estimateReleaseRecordBytes(chart: HelmChartDirectory): number {
  const json = releaseJson(chart);
  const record = (level: number) => Math.ceil(gzipSync(json, { level }).length / 3) * 4;
  const usual = record(zlib.Z_DEFAULT_COMPRESSION);
  return usual <= MAX_RELEASE_RECORD_BYTES ? usual : record(zlib.Z_BEST_COMPRESSION);
}

/** The release as Helm serializes it (the parts that matter for its size), as one JSON buffer. */
export function releaseJson(chart: HelmChartDirectory): Buffer {
  // Built from parts: base64 needs no JSON escaping, so only names and the manifest go through stringify.
  const parts: string[] = [`{"name":${JSON.stringify(chart.chartName)},"chart":{"metadata":${JSON.stringify({ name: chart.chartName, version: chart.chartVersion })},"templates":[`];
  let first = true;
  for (const [name, data] of chart.files) {
    parts.push(`${first ? '' : ','}{"name":${JSON.stringify(name)},"data":"${Buffer.from(data).toString('base64')}"}`);
    first = false;
  }
  const manifest = [...chart.files].filter(([n]) => n.startsWith('templates/'))
    .map(([n, data]) => `---\n# Source: ${chart.chartName}/${n}\n${unescape(data)}`).join('');
  parts.push(`]},"manifest":${JSON.stringify(manifest)},"version":1}`);
  return Buffer.from(parts.join(''));
}

function unescape(text: string): string {
  return text.split(escapeHelmTemplate('{{')).join('{{');
}

function defaultRelease(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 53).replace(/-+$/, '');
}

