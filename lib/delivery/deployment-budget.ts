import { Aspects, IAspect, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ValidationError } from '../errors';

/** The largest custom resource of a template, by the size of its properties. */
export interface CustomResourcePayload {
  /** Logical ID in the template. */
  readonly logicalId: string;
  /** Resource type, e.g. `Custom::AWSCDK-EKS-HelmChart`. */
  readonly type: string;
  /** Bytes of the resource's `Properties` as compact JSON (what the Lambda event carries). */
  readonly propertyBytes: number;
  /**
   * Bytes of the largest event CloudFormation sends for it: an Update carries the new and the old
   * properties, plus the request envelope (URLs, IDs).
   */
  readonly eventBytes: number;
}

/** What {@link DeploymentBudget.measure} finds in one template. */
export interface TemplateMeasurement {
  /** Bytes of the template file as the CDK writes it (JSON, indented with 1 space unless suppressed). */
  readonly templateBytes: number;
  /** Number of resources. */
  readonly resourceCount: number;
  /** Number of outputs. */
  readonly outputCount: number;
  /** Number of parameters. */
  readonly parameterCount: number;
  /**
   * The custom resource with the largest properties.
   * @default - the template has no custom resources
   */
  readonly largestCustomResource?: CustomResourcePayload;
  /** Every custom resource (`Custom::*`, `AWS::CloudFormation::CustomResource`), largest first. */
  readonly customResources: CustomResourcePayload[];
}

/** Options of {@link DeploymentBudget.measure}. */
export interface MeasureOptions {
  /**
   * The template is written without indentation (`Stack` `suppressTemplateIndentation`).
   * @default false
   */
  readonly suppressIndentation?: boolean;
}

const APPLIED = Symbol.for('cdk-k8s-platform.DeploymentBudget.applied');
const CHECKED = Symbol.for('cdk-k8s-platform.DeploymentBudget.checked');
const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * A synth-time check that every stack deploys within the CloudFormation and Lambda quotas: synthesis fails
 * with a message naming the stack, the limit, the measured figure and the fix when a template would exceed
 * 1 MiB (1,048,576 bytes, the template body through S3) or 500 resources, 200 outputs or 200 parameters, or
 * when a custom resource's event would exceed the 262,144-byte Lambda Event payload (an Update carries the
 * old and the new properties, plus about 2 KB of envelope).
 *
 * Apply it to an app or a stack (`DeploymentBudget.apply(app)`); `HelmChartDelivery` and
 * `ManifestFileAsset` apply it to their own stack. It measures each template as synthesis renders it (the
 * exact bytes written), so `cdk synth` and `app.synth()` fail before a template over budget is written. Like
 * aws-cdk-lib's own resource-count check, it stops at the first stack over budget and is not skipped by
 * `skipValidation`: such a template cannot deploy.
 */
export class DeploymentBudget implements IAspect {
  /** CloudFormation template body through S3: 1 MiB. */
  public static readonly MAX_TEMPLATE_BYTES = 1_048_576;
  /** Resources per stack. */
  public static readonly MAX_RESOURCES = 500;
  /** Outputs per stack. */
  public static readonly MAX_OUTPUTS = 200;
  /** Parameters per stack. */
  public static readonly MAX_PARAMETERS = 200;
  /** Lambda payload for the asynchronous (Event) invocation CloudFormation uses for custom resources. */
  public static readonly MAX_EVENT_BYTES = 262_144;
  /** Allowance for the rest of a custom resource event (ResponseURL, StackId, RequestId, ...). */
  public static readonly EVENT_ENVELOPE_BYTES = 2_048;

  /** Checks every stack in `scope` (an app, a stage or a stack, nested stacks included). Idempotent. */
  public static apply(scope: IConstruct): void {
    const marked = scope as IConstruct & { [APPLIED]?: boolean };
    if (marked[APPLIED]) return;
    Object.defineProperty(scope, APPLIED, { value: true });
    Aspects.of(scope).add(new DeploymentBudget());
  }

  /** Measures a synthesized template (as a JSON object). */
  public static measure(template: Record<string, unknown>, options: MeasureOptions = {}): TemplateMeasurement {
    const section = (name: string) => (template[name] ?? {}) as Record<string, { Type?: string; Properties?: unknown }>;
    const resources = section('Resources');
    const customResources = Object.entries(resources)
      .filter(([, r]) => typeof r?.Type === 'string' && (r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource'))
      .map(([logicalId, r]) => {
        const propertyBytes = Buffer.byteLength(JSON.stringify(r.Properties ?? {}));
        return { logicalId, type: r.Type!, propertyBytes, eventBytes: 2 * propertyBytes + DeploymentBudget.EVENT_ENVELOPE_BYTES };
      })
      .sort((a, b) => b.propertyBytes - a.propertyBytes || a.logicalId.localeCompare(b.logicalId));
    return {
      templateBytes: Buffer.byteLength(JSON.stringify(template, undefined, options.suppressIndentation ? undefined : 1)),
      resourceCount: Object.keys(resources).length,
      outputCount: Object.keys(section('Outputs')).length,
      parameterCount: Object.keys(section('Parameters')).length,
      largestCustomResource: customResources[0],
      customResources,
    };
  }

  /** The budget errors of a measured template of stack `stackName` (empty when within every quota). */
  public static errors(stackName: string, m: TemplateMeasurement): string[] {
    const errors: string[] = [];
    const split = 'split it into several stacks (or NestedStacks)';
    if (m.templateBytes > DeploymentBudget.MAX_TEMPLATE_BYTES) {
      errors.push(`Stack "${stackName}": the template is ${fmt(m.templateBytes)} bytes, over the CloudFormation limit of ${fmt(DeploymentBudget.MAX_TEMPLATE_BYTES)} bytes (1 MiB template body, uploaded through S3). `
        + `Ship manifests as S3 assets (HelmChartDelivery, ManifestFileAsset) instead of inlining them, or ${split}.`);
    }
    if (m.resourceCount > DeploymentBudget.MAX_RESOURCES) {
      errors.push(`Stack "${stackName}": the template has ${fmt(m.resourceCount)} resources, over the CloudFormation limit of ${DeploymentBudget.MAX_RESOURCES} resources per stack. `
        + `Deliver many workloads as one chart (one HelmChartDelivery holds thousands of objects in one resource) or ${split}.`);
    }
    if (m.outputCount > DeploymentBudget.MAX_OUTPUTS) {
      errors.push(`Stack "${stackName}": the template has ${fmt(m.outputCount)} outputs, over the CloudFormation limit of ${DeploymentBudget.MAX_OUTPUTS} outputs per stack. Remove outputs or ${split}.`);
    }
    if (m.parameterCount > DeploymentBudget.MAX_PARAMETERS) {
      errors.push(`Stack "${stackName}": the template has ${fmt(m.parameterCount)} parameters, over the CloudFormation limit of ${DeploymentBudget.MAX_PARAMETERS} parameters per stack. Remove parameters or ${split}.`);
    }
    for (const cr of m.customResources) {
      if (cr.eventBytes <= DeploymentBudget.MAX_EVENT_BYTES) break;
      errors.push(`Stack "${stackName}": custom resource ${cr.logicalId} (${cr.type}) has ${fmt(cr.propertyBytes)} bytes of properties; its update event `
        + `(old and new properties + ${fmt(DeploymentBudget.EVENT_ENVELOPE_BYTES)} bytes of envelope = ${fmt(cr.eventBytes)} bytes) is over the Lambda Event payload limit of ${fmt(DeploymentBudget.MAX_EVENT_BYTES)} bytes, `
        + 'so CloudFormation cannot invoke its handler. Do not inline manifests (eks.KubernetesManifest, addManifest, addCdk8sChart): ship them as an S3 asset with HelmChartDelivery (a Helm chart asset), or keep custom resource properties small.');
    }
    return errors;
  }

  public visit(node: IConstruct): void {
    if (!Stack.isStack(node)) return;
    const marked = node as Stack & { [CHECKED]?: boolean };
    if (marked[CHECKED] === true) return;
    Object.defineProperty(node, CHECKED, { value: true });
    const internal = node as unknown as TemplateRenderer;
    const render = internal._toCloudFormation;
    if (typeof render !== 'function') {
      node.node.addValidation({ validate: () => ['DeploymentBudget cannot measure this stack: this aws-cdk-lib version has no Stack._toCloudFormation. Use the aws-cdk-lib version in the peer dependency range of cdk-k8s-platform.'] });
      return;
    }
    // The check runs on the template synthesis renders, just before it is written: measuring during
    // validation rendered every template twice (slower) and missed what synthesis adds later (the
    // BootstrapVersion parameter and rule).
    Object.defineProperty(node, '_toCloudFormation', {
      configurable: true,
      writable: true,
      value: function checkedTemplate(this: Stack): Record<string, unknown> {
        const template = render.call(this);
        const name = Token.isUnresolved(this.stackName) ? this.node.path : this.stackName;
        const errors = DeploymentBudget.errors(name, DeploymentBudget.measure(template, { suppressIndentation: suppressed(this) }));
        if (errors.length > 0) {
          throw new ValidationError(`DeploymentBudget: synthesis stopped before writing a template that would not deploy:\n${errors.map(e => `  [${this.node.path}] ${e}`).join('\n')}`,
            { constructPath: this.node.path });
        }
        return template;
      },
    });
  }
}

/** The aws-cdk-lib internal that renders a stack's resolved template (what `_synthesizeTemplate` writes). */
interface TemplateRenderer {
  _toCloudFormation(): Record<string, unknown>;
}

function suppressed(stack: Stack): boolean {
  return (stack as unknown as { _suppressTemplateIndentation?: boolean })._suppressTemplateIndentation === true;
}
