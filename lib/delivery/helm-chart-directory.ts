import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChartManifest, KubeObject } from '../workloads';
import { hashFiles, toYamlDocument, writeContentAddressed } from './private/render';

/** Options of {@link HelmChartDirectory.render} and {@link HelmChartDirectory.write}. */
export interface HelmChartDirectoryOptions {
  /** The Helm chart's name (`Chart.yaml` `name`): a DNS-1123 label such as the release name. */
  readonly chartName: string;
  /**
   * Largest size of one template file; objects are split over several files `templates/<chart>-<nnnn>.yaml`
   * (an object larger than this gets a file of its own).
   * @default 131072 (128 KiB)
   */
  readonly maxTemplateFileBytes?: number;
}

/** Annotation that makes Helm keep an object when it leaves the chart. */
export const HELM_RESOURCE_POLICY = 'helm.sh/resource-policy';

const DEFAULT_MAX_TEMPLATE_FILE_BYTES = 128 * 1024;

/**
 * Escapes text for a Helm template file so that Helm renders it literally: every `{{` becomes
 * `{{ "{{" }}` (a Go template action that prints `{{`). `}}` outside an action is literal text in Go
 * templates and needs no escape.
 */
export function escapeHelmTemplate(text: string): string {
  return text.includes('{{') ? text.replace(/\{\{/g, '{{ "{{" }}') : text;
}

/**
 * cdk8s charts written as a Helm chart directory: `Chart.yaml` (apiVersion v2, a version derived from the
 * content) and `templates/<chart>-<nnnn>.yaml` files holding the objects as YAML documents, escaped so Helm
 * renders them literally. Same input → same bytes (no timestamps), so the asset hash only changes with the
 * content.
 *
 * CustomResourceDefinitions, PersistentVolumeClaims, PersistentVolumes and Namespaces get the annotation
 * `helm.sh/resource-policy: keep` (unless set): removing a CRD from the code must not delete every custom
 * resource of it in the cluster, and removing a claim, a namespace (which holds the claims of its
 * StatefulSets) or their chart must not delete the data.
 */
export class HelmChartDirectory {
  /** Renders the files without writing them (relative path → content). */
  public static render(manifests: ChartManifest[], options: HelmChartDirectoryOptions): HelmChartDirectory {
    const maxBytes = options.maxTemplateFileBytes ?? DEFAULT_MAX_TEMPLATE_FILE_BYTES;
    const templates = new Map<string, string>();
    const used = new Set<string>();
    let objectCount = 0;
    for (const manifest of manifests) {
      const base = uniqueName(fileSafe(manifest.name), used);
      const chunks: string[][] = [];
      let current: string[] = [];
      let size = 0;
      for (const o of manifest.objects) {
        const doc = `---\n${escapeHelmTemplate(toYamlDocument(keepCrds(o)))}`;
        const bytes = Buffer.byteLength(doc);
        if (current.length > 0 && size + bytes > maxBytes) {
          chunks.push(current);
          current = [];
          size = 0;
        }
        current.push(doc);
        size += bytes;
        objectCount++;
      }
      if (current.length > 0) chunks.push(current);
      chunks.forEach((docs, i) => templates.set(`templates/${base}-${String(i + 1).padStart(4, '0')}.yaml`, docs.join('')));
    }
    const version = `0.0.0-c${hashFiles(templates).slice(0, 12)}`;
    const chartYaml = [
      'apiVersion: v2',
      `name: ${options.chartName}`,
      'description: Workloads delivered by cdk-k8s-platform (generated from cdk8s charts; do not edit).',
      'type: application',
      `version: ${version}`,
      '',
    ].join('\n');
    const files = new Map<string, string>([['Chart.yaml', chartYaml], ...templates]);
    return new HelmChartDirectory(options.chartName, version, objectCount, files, [...files.keys()]);
  }

  /**
   * Renders and writes the chart directory into a content-addressed directory `helm-chart-<hash>` under
   * `parentDirectory`; `directory` is set on the result. The deliveries do not call it (they stage the chart
   * into the cloud assembly and leave nothing behind); the caller owns what it writes.
   *
   * @param parentDirectory where to write the chart directory (default: `<OS temp dir>/cdk-k8s-platform`, never cleaned)
   */
  public static write(manifests: ChartManifest[], options: HelmChartDirectoryOptions, parentDirectory?: string): HelmChartDirectory {
    const rendered = HelmChartDirectory.render(manifests, options);
    const directory = writeContentAddressed('helm-chart', rendered.files, parentDirectory ?? path.join(os.tmpdir(), 'cdk-k8s-platform'));
    return new HelmChartDirectory(rendered.chartName, rendered.chartVersion, rendered.objectCount, rendered.files, rendered.paths, directory);
  }

  /** `name` in Chart.yaml. */
  public readonly chartName: string;
  /** `version` in Chart.yaml: `0.0.0-c<first 12 hex digits of the templates' sha256>`. */
  public readonly chartVersion: string;
  /** How many objects the templates hold. */
  public readonly objectCount: number;
  /**
   * Where the chart was written (`write`, or the directory a delivery staged it in).
   * @default - not written
   */
  public readonly directory?: string;
  /** The files' contents, or undefined for a chart a delivery staged: they are on disk, in `directory`. */
  private readonly contents?: ReadonlyMap<string, string>;
  /** The files' relative paths, in order. */
  private readonly paths: readonly string[];

  private constructor(chartName: string, chartVersion: string, objectCount: number, contents: ReadonlyMap<string, string> | undefined,
    paths: readonly string[], directory?: string) {
    this.chartName = chartName;
    this.chartVersion = chartVersion;
    this.objectCount = objectCount;
    this.contents = contents;
    this.paths = paths;
    this.directory = directory;
  }

  /**
   * The same chart, staged at `directory` by a delivery, which keeps its files' contents on disk only: a
   * delivery of thousands of services does not hold every rendered template in memory until the process ends.
   * @internal
   */
  public _withDirectory(directory: string): HelmChartDirectory {
    return new HelmChartDirectory(this.chartName, this.chartVersion, this.objectCount, undefined, this.paths, directory);
  }

  /**
   * Every file of the chart: relative path → content. A chart staged by a delivery (`HelmChartDelivery.chart`,
   * `ChartRelease.chart`) reads them back from its staged `directory` on each call: the delivery keeps them on
   * disk only.
   */
  public get files(): ReadonlyMap<string, string> {
    if (this.contents !== undefined) return this.contents;
    return new Map(this.paths.map(p => [p, fs.readFileSync(path.join(this.directory!, p), 'utf-8')]));
  }

  /** Paths of the template files, in order. */
  public get templateFiles(): string[] {
    return this.paths.filter(f => f.startsWith('templates/'));
  }

  /** Total bytes of all files. */
  public get totalBytes(): number {
    let n = 0;
    if (this.contents === undefined) {
      for (const p of this.paths) n += fs.statSync(path.join(this.directory!, p)).size;
      return n;
    }
    for (const c of this.contents.values()) n += Buffer.byteLength(c);
    return n;
  }

  /** sha256 of all files (paths and contents). */
  public get contentHash(): string {
    return hashFiles(this.files);
  }
}

/**
 * Kinds Helm must never delete when they leave a release: they hold other objects or data. A Namespace holds the
 * claims its StatefulSets' controller made (not in the release): deleting it would delete them.
 */
const KEPT_KINDS = new Set(['CustomResourceDefinition', 'PersistentVolumeClaim', 'PersistentVolume', 'Namespace']);

function keepCrds(o: KubeObject): KubeObject {
  if (!KEPT_KINDS.has(o.kind)) return o;
  const annotations = (o.metadata.annotations ?? {}) as Record<string, string>;
  if (HELM_RESOURCE_POLICY in annotations) return o;
  return { ...o, metadata: { ...o.metadata, annotations: { ...annotations, [HELM_RESOURCE_POLICY]: 'keep' } } };
}

/** A file-name-safe form of a chart name (Helm skips template files that start with `_`). */
function fileSafe(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return s === '' ? 'chart' : s.slice(0, 100);
}

function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
  used.add(name);
  return name;
}
