import * as fs from 'fs';
import { App, CfnOutput, CfnParameter, CfnResource, CfnWaitConditionHandle, CustomResource, NestedStack, Stack } from 'aws-cdk-lib';
import { tmpOutdir } from './helpers';
import { DeploymentBudget } from '../../lib/delivery';

function errorsOf(app: App): string {
  try {
    app.synth();
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('DeploymentBudget', () => {
  test('a stack within every quota synthesizes', () => {
    const app = new App({ outdir: tmpOutdir() });
    const stack = new Stack(app, 'ok');
    for (let i = 0; i < 500; i++) new CfnWaitConditionHandle(stack, `H${i}`);
    DeploymentBudget.apply(app);
    expect(errorsOf(app)).toBe('');
  });

  test('more than 500 resources fails, naming the stack, limit, figure and fix', () => {
    const app = new App({ outdir: tmpOutdir() });
    const stack = new Stack(app, 'many', { stackName: 'many-things' });
    for (let i = 0; i < 501; i++) new CfnWaitConditionHandle(stack, `H${i}`);
    DeploymentBudget.apply(app);
    expect(errorsOf(app)).toContain('[many] Stack "many-things": the template has 501 resources, over the CloudFormation limit of 500 resources per stack. '
      + 'Deliver many workloads as one chart (one HelmChartDelivery holds thousands of objects in one resource) or split it into several stacks (or NestedStacks).');
  });

  test('more than 200 outputs or parameters fails', () => {
    const app = new App({ outdir: tmpOutdir() });
    const stack = new Stack(app, 'io');
    for (let i = 0; i < 201; i++) {
      new CfnOutput(stack, `O${i}`, { value: 'x' });
      new CfnParameter(stack, `P${i}`, { default: 'x' });
    }
    DeploymentBudget.apply(stack);
    const message = errorsOf(app);
    expect(message).toContain('Stack "io": the template has 201 outputs, over the CloudFormation limit of 200 outputs per stack. Remove outputs or split it into several stacks (or NestedStacks).');
    // 201 + the BootstrapVersion parameter synthesis adds: the check measures the template as it is written
    expect(message).toContain('Stack "io": the template has 202 parameters, over the CloudFormation limit of 200 parameters per stack.');
  });

  test('a custom resource whose update event exceeds 262,144 bytes fails (both custom resource types, nested stacks too)', () => {
    const nestedApp = new App({ outdir: tmpOutdir() });
    const nested = new NestedStack(new Stack(nestedApp, 'parent'), 'Child');
    new CustomResource(nested, 'Big', { serviceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:f', properties: { Blob: 'x'.repeat(140_000) } });
    DeploymentBudget.apply(nestedApp);
    expect(errorsOf(nestedApp)).toMatch(/^DeploymentBudget: synthesis stopped before writing a template that would not deploy:\n  \[parent\/Child\] Stack "parent\/Child": custom resource Big \(AWS::CloudFormation::CustomResource\) has 140,\d{3} bytes of properties; its update event \(old and new properties \+ 2,048 bytes of envelope = 282,\d{3} bytes\) is over the Lambda Event payload limit of 262,144 bytes/);

    const app = new App({ outdir: tmpOutdir() });
    const stack = new Stack(app, 'parent');
    new CfnResource(stack, 'Plain', { type: 'AWS::CloudFormation::CustomResource', properties: { ServiceToken: 'arn', Blob: 'y'.repeat(131_000) } });
    new CfnResource(stack, 'Fine', { type: 'Custom::Fine', properties: { ServiceToken: 'arn', Blob: 'z'.repeat(130_000) } });
    DeploymentBudget.apply(app);
    const message = errorsOf(app);
    expect(message).toMatch(/\[parent\] Stack "parent": custom resource Plain \(AWS::CloudFormation::CustomResource\) has 131,0\d\d bytes of properties/);
    expect(message).not.toContain('Custom::Fine');
  });

  test('a stack over budget writes no template', () => {
    const outdir = tmpOutdir();
    const app = new App({ outdir });
    const stack = new Stack(app, 'unwritten');
    new CfnResource(stack, 'Plain', { type: 'Custom::X', properties: { ServiceToken: 'arn', Blob: 'y'.repeat(200_000) } });
    DeploymentBudget.apply(app);
    expect(errorsOf(app)).toContain('[unwritten] Stack "unwritten": custom resource Plain (Custom::X)');
    expect(fs.existsSync(`${outdir}/unwritten.template.json`)).toBe(false);
  });

  test('a template over 1 MiB fails; the figure matches the written file', () => {
    const app = new App({ outdir: tmpOutdir() });
    const stack = new Stack(app, 'big');
    new CfnResource(stack, 'Doc', { type: 'AWS::SSM::Document', properties: { Content: { text: 'x'.repeat(1_049_000) } } });
    DeploymentBudget.apply(app);
    expect(errorsOf(app)).toMatch(/Stack "big": the template is 1,049,\d{3} bytes, over the CloudFormation limit of 1,048,576 bytes \(1 MiB template body, uploaded through S3\)\. Ship manifests as S3 assets \(HelmChartDelivery, ManifestFileAsset\) instead of inlining them, or split it/);
  });

  test('the measured template size is the size of the file the CDK writes (indentation on or off)', () => {
    for (const suppressTemplateIndentation of [false, true]) {
      const app = new App({ outdir: tmpOutdir() });
      const stack = new Stack(app, 's', { suppressTemplateIndentation });
      for (let i = 0; i < 20; i++) new CfnWaitConditionHandle(stack, `H${i}`);
      new CfnOutput(stack, 'Out', { value: 'v' });
      const artifact = app.synth().getStackByName('s');
      const written = fs.readFileSync(artifact.templateFullPath, 'utf-8');
      const m = DeploymentBudget.measure(artifact.template, { suppressIndentation: suppressTemplateIndentation });
      expect(m.templateBytes).toBe(Buffer.byteLength(written));
      expect(m).toMatchObject({ resourceCount: 20, outputCount: 1, parameterCount: 1 /* BootstrapVersion */, customResources: [] });
      expect(m.largestCustomResource).toBeUndefined();
    }
  });

  test('apply is idempotent: one error per finding', () => {
    const app = new App({ outdir: tmpOutdir() });
    const stack = new Stack(app, 'twice');
    for (let i = 0; i < 501; i++) new CfnWaitConditionHandle(stack, `H${i}`);
    DeploymentBudget.apply(app);
    DeploymentBudget.apply(app);
    DeploymentBudget.apply(stack);
    expect(errorsOf(app).match(/501 resources/g)).toHaveLength(1);
  });

  test('without apply nothing is checked (the check is opt-in per scope)', () => {
    const app = new App({ outdir: tmpOutdir() });
    const stack = new Stack(app, 'free');
    new CfnResource(stack, 'Plain', { type: 'Custom::X', properties: { ServiceToken: 'arn', Blob: 'y'.repeat(200_000) } });
    expect(errorsOf(app)).toBe('');
  });
});
