/**
 * Figures of what a contender wrote: for a cloud assembly, every CloudFormation template (top-level,
 * nested and in nested assemblies) checked against the deploy-time quotas, and every Helm release installed
 * from a chart asset checked against Helm's release record limit; for a cdk8s outdir, the YAML.
 */
import * as fs from 'fs';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { readZip } from './zip';

/** The quotas a stack must respect to deploy (see /shared/reference/aws-limits.md). */
export const QUOTAS = {
  /** CloudFormation template body uploaded through S3, as the CDK does. */
  templateBytes: 1_048_576,
  resourcesPerStack: 500,
  outputsPerStack: 200,
  parametersPerStack: 200,
  /** Lambda Event (asynchronous) invocation payload, which carries a custom resource's properties. */
  customResourcePropertiesBytes: 262_144,
  /**
   * The rest of a custom resource's event (ResponseURL, StackId, RequestId, ...). An update event carries
   * the old and the new properties: 2 × properties + this must fit the payload, as DeploymentBudget checks.
   */
  eventEnvelopeBytes: 2_048,
  /**
   * Helm keeps every revision of a release as a Secret whose data (base64 of the gzipped release JSON) the
   * API server limits to 1 MiB.
   */
  helmReleaseRecordBytes: 1_048_576,
  /** Helm release names are DNS-1123 labels of at most 53 characters. */
  helmReleaseNameLength: 53,
} as const;

/** Figures of one contender run's output. */
export interface OutputFigures {
  readonly kind: 'cloud-assembly' | 'yaml';
  /** Templates (stacks, including nested stacks). */
  readonly templates: number;
  readonly largestTemplateBytes: number;
  readonly largestTemplate: string;
  /** Largest JSON of the Properties of one custom resource (Custom::* / AWS::CloudFormation::CustomResource). */
  readonly largestCustomResourceBytes: number;
  readonly largestCustomResource: string;
  readonly totalResources: number;
  readonly maxResourcesPerStack: number;
  readonly maxOutputs: number;
  readonly maxParameters: number;
  /** Total bytes of the YAML files (cdk8s). */
  readonly yamlBytes: number;
  /** Helm releases installed from chart assets (`Custom::AWSCDK-EKS-HelmChart` with a chart asset URL). */
  readonly helmReleases: number;
  /** Largest Helm release record (Secret data bytes) of those releases, as Helm would store it. */
  readonly largestReleaseRecordBytes: number;
  readonly largestReleaseRecord: string;
  /** Every quota respected (cloud assemblies only). */
  readonly wouldDeploy: boolean;
  /** Why not, one line per broken quota. */
  readonly problems: string[];
}

interface Template {
  Resources?: Record<string, { Type: string; Properties?: unknown }>;
  Outputs?: Record<string, unknown>;
  Parameters?: Record<string, unknown>;
}

/** Analyses the output directory of one run. */
export function analyzeOutput(outdir: string): OutputFigures {
  const files = listFiles(outdir);
  const templates = files.filter(f => f.endsWith('.template.json'));
  const yaml = files.filter(f => /\.ya?ml$/.test(f) && !path.basename(f).startsWith('asset.') && !f.includes(`${path.sep}asset.`));
  if (templates.length === 0) {
    return {
      kind: 'yaml',
      templates: 0,
      largestTemplateBytes: 0,
      largestTemplate: '',
      largestCustomResourceBytes: 0,
      largestCustomResource: '',
      totalResources: 0,
      maxResourcesPerStack: 0,
      maxOutputs: 0,
      maxParameters: 0,
      yamlBytes: yaml.reduce((n, f) => n + fs.statSync(f).size, 0),
      helmReleases: 0,
      largestReleaseRecordBytes: 0,
      largestReleaseRecord: '',
      wouldDeploy: false,
      problems: ['no CloudFormation template'],
    };
  }
  const assets = assetSources(files);
  const releases = { count: 0, largestBytes: 0, largest: '' };

  let largestTemplateBytes = 0;
  let largestTemplate = '';
  let largestCustomResourceBytes = 0;
  let largestCustomResource = '';
  let totalResources = 0;
  let maxResourcesPerStack = 0;
  let maxOutputs = 0;
  let maxParameters = 0;
  const problems: string[] = [];
  for (const file of templates) {
    const name = path.relative(outdir, file);
    const text = fs.readFileSync(file, 'utf-8');
    const bytes = Buffer.byteLength(text);
    const t = JSON.parse(text) as Template;
    const resources = Object.entries(t.Resources ?? {});
    const outputs = Object.keys(t.Outputs ?? {}).length;
    const parameters = Object.keys(t.Parameters ?? {}).length;
    if (bytes > largestTemplateBytes) {
      largestTemplateBytes = bytes;
      largestTemplate = name;
    }
    totalResources += resources.length;
    maxResourcesPerStack = Math.max(maxResourcesPerStack, resources.length);
    maxOutputs = Math.max(maxOutputs, outputs);
    maxParameters = Math.max(maxParameters, parameters);
    if (bytes > QUOTAS.templateBytes) problems.push(`${name}: template ${fmtBytes(bytes)} > 1 MiB`);
    if (resources.length > QUOTAS.resourcesPerStack) problems.push(`${name}: ${resources.length} resources > ${QUOTAS.resourcesPerStack}`);
    if (outputs > QUOTAS.outputsPerStack) problems.push(`${name}: ${outputs} outputs > ${QUOTAS.outputsPerStack}`);
    if (parameters > QUOTAS.parametersPerStack) problems.push(`${name}: ${parameters} parameters > ${QUOTAS.parametersPerStack}`);
    for (const [id, r] of resources) {
      if (!(r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource')) continue;
      const propertyBytes = Buffer.byteLength(JSON.stringify(r.Properties ?? {}));
      if (propertyBytes > largestCustomResourceBytes) {
        largestCustomResourceBytes = propertyBytes;
        largestCustomResource = `${id} (${r.Type})`;
      }
      const updateEventBytes = 2 * propertyBytes + QUOTAS.eventEnvelopeBytes;
      if (updateEventBytes > QUOTAS.customResourcePropertiesBytes) {
        problems.push(`${name}: custom resource ${id} (${r.Type}) has ${fmtBytes(propertyBytes)} of properties; its update event (${fmtBytes(updateEventBytes)}) > 256 KiB Lambda event limit`);
      }
      if (r.Type === 'Custom::AWSCDK-EKS-HelmChart') checkHelmRelease(`${name}: ${id}`, r.Properties, assets, releases, problems);
    }
  }
  return {
    kind: 'cloud-assembly',
    templates: templates.length,
    largestTemplateBytes,
    largestTemplate,
    largestCustomResourceBytes,
    largestCustomResource,
    totalResources,
    maxResourcesPerStack,
    maxOutputs,
    maxParameters,
    yamlBytes: yaml.reduce((n, f) => n + fs.statSync(f).size, 0),
    helmReleases: releases.count,
    largestReleaseRecordBytes: releases.largestBytes,
    largestReleaseRecord: releases.largest,
    wouldDeploy: problems.length === 0,
    problems,
  };
}

/** `1.2 MB`-style bytes (decimal kB/MB as the anchors quote them; exact bytes are in the JSON results). */
export function fmtBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(2)} MB`;
  if (bytes >= 1_000) return `${(bytes / 1_000).toFixed(1)} kB`;
  return `${bytes} B`;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    // asset.* directories are staged assets (Lambda code, layers, Helm charts), not templates.
    if (e.isDirectory()) {
      if (!e.name.startsWith('asset.')) out.push(...listFiles(p));
    } else {
      out.push(p);
    }
  }
  return out;
}

/** Asset hash → the absolute path of its staged source, from every `*.assets.json` of the assembly. */
function assetSources(files: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files.filter(x => x.endsWith('.assets.json'))) {
    const manifest = JSON.parse(fs.readFileSync(f, 'utf-8')) as { files?: Record<string, { source?: { path?: string } }> };
    for (const [hash, a] of Object.entries(manifest.files ?? {})) {
      if (a.source?.path) out.set(hash, path.resolve(path.dirname(f), a.source.path));
    }
  }
  return out;
}

/**
 * Checks one HelmChart custom resource: its release name, and, when it installs a chart asset of this
 * assembly, the size of the release record Helm would store for it (see {@link helmReleaseRecordBytes}).
 */
interface ReleaseTally { count: number; largestBytes: number; largest: string }

function checkHelmRelease(where: string, properties: unknown, assets: Map<string, string>, acc: ReleaseTally, problems: string[]): void {
  const p = (properties ?? {}) as { Release?: unknown; Namespace?: unknown; ChartAssetURL?: unknown };
  const release = typeof p.Release === 'string' ? p.Release : undefined;
  if (release !== undefined && (release.length > QUOTAS.helmReleaseNameLength || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(release))) {
    problems.push(`${where}: Helm release name "${release}" is not a DNS-1123 label of at most ${QUOTAS.helmReleaseNameLength} characters`);
  }
  if (p.ChartAssetURL === undefined) return;
  const hash = /([0-9a-f]{64})\.zip/.exec(JSON.stringify(p.ChartAssetURL))?.[1];
  const source = hash ? assets.get(hash) : undefined;
  if (!source || !fs.existsSync(source)) {
    problems.push(`${where}: chart asset ${hash ?? JSON.stringify(p.ChartAssetURL)} not found in the assembly; its Helm release record cannot be checked`);
    return;
  }
  const files = fs.statSync(source).isDirectory() ? readDirectory(source) : readZip(source);
  const bytes = helmReleaseRecordBytes(files, release ?? 'release', typeof p.Namespace === 'string' ? p.Namespace : 'default');
  acc.count++;
  if (bytes > acc.largestBytes) {
    acc.largestBytes = bytes;
    acc.largest = `${release ?? where}`;
  }
  if (bytes > QUOTAS.helmReleaseRecordBytes) {
    problems.push(`${where}: Helm release "${release}" would store a release record of ${fmtBytes(bytes)} > 1 MiB Secret limit`);
  }
}

/**
 * Bytes of the Secret data Helm (storage/driver/util.go encodeRelease) stores for the first revision of a
 * release of `files` (a chart: relative path → content): base64 of gzip at gzip.BestCompression of the
 * release JSON, which holds the chart's metadata, its templates (base64) and other files, and the rendered
 * manifest (one `# Source:` header per document). Computed with zlib's level 9, not Go's compressor: a few
 * bytes off, independent of the library's own estimate. Templates are rendered by turning the library's
 * escape `{{ "{{" }}` back into `{{`; other template actions are counted as written.
 */
export function helmReleaseRecordBytes(files: Map<string, Buffer>, release: string, namespace: string): number {
  const chartYaml = files.get('Chart.yaml')?.toString('utf-8') ?? '';
  const metadata: Record<string, string> = {};
  for (const m of chartYaml.matchAll(/^([A-Za-z]+):\s*(.*)$/gm)) metadata[m[1]] = m[2].replace(/^["']|["']$/g, '');
  const chartName = metadata.name ?? release;
  const names = [...files.keys()].sort();
  const entry = (n: string) => `{"name":${JSON.stringify(n)},"data":"${files.get(n)!.toString('base64')}"}`;
  const templates = names.filter(n => n.startsWith('templates/'));
  const others = names.filter(n => !n.startsWith('templates/') && n !== 'Chart.yaml' && n !== 'values.yaml');
  const manifest: string[] = [];
  for (const n of templates.filter(t => !path.basename(t).startsWith('_') && !t.endsWith('NOTES.txt'))) {
    const rendered = files.get(n)!.toString('utf-8').split('{{ "{{" }}').join('{{');
    for (const doc of rendered.split(/^---[ \t]*$/m)) {
      if (doc.trim() !== '') manifest.push(`---\n# Source: ${chartName}/${n}\n${doc.replace(/^\n+|\n+$/g, '')}\n`);
    }
  }
  const time = '"2026-01-01T00:00:00.000000000Z"';
  const json = `{"name":${JSON.stringify(release)},"info":{"first_deployed":${time},"last_deployed":${time},"deleted":"","description":"Install complete","status":"deployed"},`
    + `"chart":{"metadata":${JSON.stringify(metadata)},"lock":null,"templates":[${templates.map(entry).join(',')}],"values":{},"schema":null,"files":[${others.map(entry).join(',')}]},`
    + `"config":{},"manifest":${JSON.stringify(manifest.join(''))},"version":1,"namespace":${JSON.stringify(namespace)}}`;
  return Math.ceil(gzipSync(Buffer.from(json), { level: 9 }).length / 3) * 4;
}

function readDirectory(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) for (const [k, v] of readDirectory(path.join(dir, e.name), rel)) out.set(k, v);
    else out.set(rel, fs.readFileSync(path.join(dir, e.name)));
  }
  return out;
}

