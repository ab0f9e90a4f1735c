/**
 * Figures of what a contender wrote: for a cloud assembly, every CloudFormation template (top-level,
 * nested and in nested assemblies) checked against the deploy-time quotas; for a cdk8s outdir, the YAML.
 */
import * as fs from 'fs';
import * as path from 'path';

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
      wouldDeploy: false,
      problems: ['no CloudFormation template'],
    };
  }

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
