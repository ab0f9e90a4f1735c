import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, DefaultStackSynthesizer, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { normalizeManifests, normalizeTemplate, platformSnapshot } from '../../lib/testing';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-snapshot-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

function assetDir(name: string, content: string): string {
  const dir = path.join(tmpRoot, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.js'), `exports.handler = async () => ${JSON.stringify(content)};\n`);
  return dir;
}

interface Variant {
  readonly content: string;
  readonly qualifier?: string;
  readonly memorySize?: number;
}

/** A small stack with a file asset, a Lambda from an asset with a version, a nested stack and a bucket. */
function buildStack(v: Variant): Stack {
  const app = new App({
    analyticsReporting: true,
    context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true },
  });
  const stack = new Stack(app, 'Platform', {
    synthesizer: v.qualifier ? new DefaultStackSynthesizer({ qualifier: v.qualifier }) : undefined,
  });
  const dir = assetDir(`${v.content}-${v.qualifier ?? 'default'}-${v.memorySize ?? 128}`, v.content);
  const asset = new s3assets.Asset(stack, 'Manifests', { path: dir });
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromAsset(dir), memorySize: v.memorySize ?? 128,
  });
  new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
  new CfnOutput(stack, 'ManifestKey', { value: asset.s3ObjectKey });
  new CfnOutput(stack, 'ManifestUrl', { value: asset.s3ObjectUrl });
  const bucket = new s3.Bucket(stack, 'Data');
  (bucket.node.defaultChild as s3.CfnBucket).addMetadata('cdk_nag', { rules_to_suppress: [{ id: 'AwsSolutions-S1', reason: 'test' }] });
  const nested = new NestedStack(stack, 'Addons');
  new s3.Bucket(nested, 'Logs');
  return stack;
}

const HEX64 = /[0-9a-f]{64}/;

describe('platformSnapshot', () => {
  let a: Stack;
  let b: Stack;
  let changed: Stack;
  beforeAll(() => {
    a = buildStack({ content: 'one' });
    b = buildStack({ content: 'two', qualifier: 'myqual1' });
    changed = buildStack({ content: 'one', memorySize: 256 });
  });

  test('different asset contents and bootstrap qualifiers give the same snapshot', () => {
    // the raw templates do differ (otherwise this test proves nothing)
    expect(Template.fromStack(a).toJSON()).not.toEqual(Template.fromStack(b).toJSON());
    expect(platformSnapshot(a)).toEqual(platformSnapshot(b));
  });

  test('a changed resource property changes the snapshot', () => {
    const before = platformSnapshot(a);
    const after = platformSnapshot(changed);
    expect(after).not.toEqual(before);
    const fn = (s: typeof before) => Object.values((s.template as any).Resources).find((r: any) => r.Type === 'AWS::Lambda::Function') as any;
    expect(fn(before).Properties.MemorySize).toBe(128);
    expect(fn(after).Properties.MemorySize).toBe(256);
  });

  test('no hashes, qualifiers, CDK metadata or bootstrap version are left', () => {
    const snap = platformSnapshot(a);
    const text = JSON.stringify(snap);
    expect(text).not.toMatch(HEX64);
    expect(text).not.toMatch(/hnb659fds|CDKMetadata|AWS::CDK::Metadata|BootstrapVersion|aws:cdk:|aws:asset:/);
    const t = snap.template as any;
    expect(t.Rules).toBeUndefined();
    expect(t.Parameters).toBeUndefined();
    expect(t.Conditions).toBeUndefined();
  });

  test('placeholders replace asset keys, bucket names and version ids, and references follow', () => {
    const t = platformSnapshot(a).template as any;
    const fn = Object.values(t.Resources).find((r: any) => r.Type === 'AWS::Lambda::Function') as any;
    expect(fn.Properties.Code).toEqual({ S3Bucket: { 'Fn::Sub': 'cdk-[QUALIFIER]-assets-${AWS::AccountId}-${AWS::Region}' }, S3Key: '[ASSET_HASH].zip' });
    const versionIds = Object.keys(t.Resources).filter(id => t.Resources[id].Type === 'AWS::Lambda::Version');
    expect(versionIds).toEqual([expect.stringMatching(/^FnCurrentVersion[0-9A-F]{8}\[VERSION_HASH\]$/)]);
    const alias = Object.values(t.Resources).find((r: any) => r.Type === 'AWS::Lambda::Alias') as any;
    expect(JSON.stringify(alias.Properties.FunctionVersion)).toContain(versionIds[0]);
    expect(t.Outputs.ManifestKey.Value).toBe('[ASSET_HASH].zip');
    const nested = Object.values(t.Resources).find((r: any) => r.Type === 'AWS::CloudFormation::Stack') as any;
    expect(JSON.stringify(nested.Properties.TemplateURL)).toContain('/[ASSET_HASH].json');
  });

  test('other resource metadata (cdk-nag suppressions) is kept; nested stack templates are included', () => {
    const snap = platformSnapshot(a);
    const bucket = Object.values((snap.template as any).Resources).find((r: any) => r.Type === 'AWS::S3::Bucket') as any;
    expect(bucket.Metadata).toEqual({ cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-S1', reason: 'test' }] } });
    expect(Object.keys(snap.nestedStacks ?? {})).toEqual(['Addons']);
    expect(JSON.stringify(snap.nestedStacks)).toContain('AWS::S3::Bucket');
    expect(platformSnapshot(a, { nestedStacks: false }).nestedStacks).toBeUndefined();
  });

  test('includes normalised manifests from a chart, an App, ChartManifest[] or plain objects', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop');
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', data: { asset: `s3://b/${'a'.repeat(64)}.yaml` } });
    const fromChart = platformSnapshot(a, { manifests: chart }).manifests!;
    expect(Object.keys(fromChart)).toEqual(['shop']);
    expect((fromChart.shop[0] as any).data.asset).toBe('s3://b/[ASSET_HASH].yaml');
    expect(platformSnapshot(a, { manifests: app }).manifests).toEqual(fromChart);
    expect(platformSnapshot(a, { manifests: [chart] }).manifests).toEqual(fromChart);
    expect(platformSnapshot(a, { manifests: [{ name: 'shop', objects: chart.toJson() }] }).manifests).toEqual(fromChart);
    expect(platformSnapshot(a, { manifests: chart.toJson() }).manifests).toEqual({ manifests: fromChart.shop });
  });
});

describe('normalizeTemplate', () => {
  test('legacy AssetParameters names and values', () => {
    const hash = 'b'.repeat(64);
    const template = {
      Parameters: { [`AssetParameters${hash}S3BucketABCDEF12`]: { Type: 'String' }, BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' } },
      Resources: { R: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: `AssetParameters${hash}S3BucketABCDEF12` } } } },
    };
    expect(normalizeTemplate(template)).toEqual({
      Parameters: { 'AssetParameters[ASSET_HASH]S3Bucket': { Type: 'String' } },
      Resources: { R: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'AssetParameters[ASSET_HASH]S3Bucket' } } } },
    });
  });

  test('does not modify its input; leaves other hex strings alone', () => {
    const template = { Resources: { CDKMetadata: { Type: 'AWS::CDK::Metadata' }, R: { Type: 'X', Properties: { Id: 'abc123', Sha1: 'c'.repeat(40) } } } };
    const copy = JSON.parse(JSON.stringify(template));
    expect(normalizeTemplate(template)).toEqual({ Resources: { R: { Type: 'X', Properties: { Id: 'abc123', Sha1: 'c'.repeat(40) } } } });
    expect(template).toEqual(copy);
  });
});

describe('normalizeManifests', () => {
  const objs = () => [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop-web-c8a1b2c3', labels: { 'cdk8s.io/metadata.addr': 'shop-web-c8a1b2c3' } }, spec: { selector: { app: 'web' } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ image: `nginx@sha256:${'d'.repeat(64)}` }] } } } },
  ];

  test('keeps cdk8s names by default and image digests always', () => {
    const out = normalizeManifests(objs()) as any[];
    expect(out[0].metadata.name).toBe('shop-web-c8a1b2c3');
    expect(out[1].spec.template.spec.containers[0].image).toBe(`nginx@sha256:${'d'.repeat(64)}`);
  });

  test('stripNameHashes replaces the cdk8s suffix everywhere the name appears', () => {
    const out = normalizeManifests(objs(), { stripNameHashes: true }) as any[];
    expect(out[0].metadata).toEqual({ name: 'shop-web-[HASH]', labels: { 'cdk8s.io/metadata.addr': 'shop-web-[HASH]' } });
    expect(out[1].metadata.name).toBe('web');
  });
});

test('lib/testing does not import jest (it must load in a user app without jest)', () => {
  const dir = path.join(__dirname, '..', '..', 'lib', 'testing');
  const files = fs.readdirSync(dir, { recursive: true }).map(String).filter(f => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(2);
  for (const f of files) {
    const code = fs.readFileSync(path.join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/(from|import|require\()\s*['"](@jest\/[\w-]+|jest|expect|@types\/jest)['"]/);
    expect(code).not.toMatch(/(?<![.\w])(expect|describe|jest\.\w+)\(/);
  }
});
