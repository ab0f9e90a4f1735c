import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { parseAllDocuments } from 'yaml';
import {
  CLOUDWATCH_OBSERVABILITY_ADDON_VERSION, CloudWatchObservability, EksPlatformStack, FluentBitLogs, SelfManagedDistribution, SelfManagedPlatformStack,
} from '../../lib';
import { expectThrownMessage } from '../robustness/support';
import { expectValidManifests } from '../support/k8s-check';

describe('EKS: the amazon-cloudwatch-observability add-on with Pod Identity', () => {
  const stack = new EksPlatformStack(new App(), 'acme-eks', { platformName: 'acme', addOns: [new CloudWatchObservability()] });
  const template = Template.fromStack(stack);

  test('the pinned add-on version, after the cluster\'s own controllers', () => {
    const [addon] = Object.values(template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'amazon-cloudwatch-observability' } }));
    expect(addon.Properties.AddonVersion).toBe(CLOUDWATCH_OBSERVABILITY_ADDON_VERSION);
    expect(addon.DependsOn.length).toBeGreaterThan(4);
  });

  test('the agent\'s service account assumes a role with CloudWatchAgentServerPolicy through Pod Identity', () => {
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'amazon-cloudwatch', ServiceAccount: 'cloudwatch-agent' });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'pods.eks.amazonaws.com' } })]) },
      ManagedPolicyArns: Match.arrayWith([Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([':iam::aws:policy/CloudWatchAgentServerPolicy'])]) })]),
    });
  });

  test('Container Insights\' log groups exist first, kept one year', () => {
    for (const g of ['application', 'dataplane', 'host', 'performance']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/containerinsights/acme/${g}`, RetentionInDays: 365 });
    }
  });

  test('refused on k3s, saying what to use there', () => {
    expect(expectThrownMessage(() => new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', addOns: [new CloudWatchObservability()] })))
      .toContain('CloudWatchObservability.install(cluster) is "k3s": must be an EKS platform cluster: this add-on is an EKS add-on. On k3s and kubeadm ship logs with FluentBitLogs');
  });
});

describe.each([
  ['k3s', SelfManagedDistribution.k3s()],
  ['kubeadm', SelfManagedDistribution.kubeadm()],
])('%s: Fluent Bit to one CloudWatch Logs group, the node roles scoped to it', (_name, distribution) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-bit-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  const keyStack = new Stack(app, 'keys', { env: { account: '111111111111', region: 'eu-west-1' } });
  const encryptionKey = new kms.Key(keyStack, 'Key', { enableKeyRotation: true });
  const stack = new SelfManagedPlatformStack(app, 'acme-k3s', {
    platformName: 'acme', env: { account: '111111111111', region: 'eu-west-1' }, encryptionKey, distribution, addOns: [new FluentBitLogs()],
  });
  app.synth();
  const template = Template.fromStack(stack);

  test('a log group per cluster, one year, with the platform\'s key', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/cdk-k8s-platform/acme/containers', RetentionInDays: 365, KmsKeyId: Match.anyValue() });
  });

  test('the node roles may write to that log group only', () => {
    const writes = (s: { Action: unknown; Resource: unknown }) => JSON.stringify(s.Action).includes('logs:PutLogEvents') && JSON.stringify(s.Resource).includes('FluentBit');
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter(p => p.Properties.PolicyDocument.Statement.some(writes));
    // the server role and the agent role, each once
    expect(policies.flatMap(p => p.Properties.Roles.map((r: { Ref: string }) => r.Ref.replace(/[0-9A-F]{8}$/, ''))).sort()).toEqual(['ClusterAgentRole', 'ClusterServerRole']);
    const statements = policies.flatMap(p => p.Properties.PolicyDocument.Statement).filter(writes);
    expect(statements).toHaveLength(2);
    for (const s of statements) {
      expect(JSON.stringify(s.Resource)).not.toMatch(/"\*"|log-group:\*/);
      expect(s.Resource).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^ClusterFluentBitLogsLogGroup/), 'Arn'] }, expect.anything()]);
    }
  });

  test('the HelmChart: pinned fluent-bit in a privileged namespace, writing to the log group in the region', () => {
    const files = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap(e => e.isDirectory() ? files(path.join(d, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(d, e.name)] : []);
    const objects = files(outdir).flatMap(f => parseAllDocuments(fs.readFileSync(f, 'utf8')).map(d => d.toJSON()))
      .filter(o => o?.metadata?.labels?.['platform.cdk-k8s.io/delivery']?.startsWith('addon-fluent-bit'));
    const chart = objects.find(o => o.kind === 'HelmChart');
    expect(chart.spec).toMatchObject({ chart: 'fluent-bit', version: '0.58.1', targetNamespace: 'logging' });
    const values = parseAllDocuments(chart.spec.valuesContent)[0].toJSON();
    expect(values.config.outputs).toContain('region eu-west-1');
    expect(values.config.outputs).toContain('log_group_name /cdk-k8s-platform/acme/containers');
    expect(values.hostNetwork).toBe(true);
    // the kubelet (k3s's and kubeadm's alike) links every container's log into /var/log/containers, under the chart's /var/log mount
    expect(values.config.inputs).toContain('Path /var/log/containers/*.log');
    expect(values.config.inputs).toContain('multiline.parser cri');
    expect(objects.find(o => o.kind === 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expectValidManifests(objects, { failOnWarnings: true, allowUnknownKinds: ['helm.cattle.io/HelmChart'] });
  });

  test('an environment-agnostic stack must name the region', () => {
    expect(expectThrownMessage(() => new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', distribution, addOns: [new FluentBitLogs()] })))
      .toContain('FluentBitLogs.region is "(the stack\'s region, unknown at synth)": must be an AWS region such as "eu-west-1"');
  });
});

describe('FluentBitLogs on EKS', () => {
  test('EKS is refused, naming what to use', () => {
    expect(expectThrownMessage(() => new EksPlatformStack(new App(), 'e', { platformName: 'acme', addOns: [new FluentBitLogs({ region: 'eu-west-1' })] })))
      .toContain('FluentBitLogs.install(cluster) is "eks": must be a self-managed (k3s or kubeadm) cluster. On EKS use the CloudWatchObservability add-on');
  });
});
