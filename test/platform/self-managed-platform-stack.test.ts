import { App, Token, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { K3sCluster } from '../../lib/clusters/k3s';
import { KubeadmCluster } from '../../lib/clusters/kubeadm';
import { K3sPlatformStack, SelfManagedDistribution, SelfManagedPlatformStack } from '../../lib/platform';
import { sampleChart } from '../clusters/self-managed/support/fixtures';
import { nagFindings, reportingApp, userDataOf } from '../clusters/self-managed/support/user-data';

describe('SelfManagedPlatformStack', () => {
  let app: App;
  let stack: SelfManagedPlatformStack;
  let template: Template;
  beforeAll(() => {
    app = reportingApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    stack = new SelfManagedPlatformStack(app, 'acme-k3s', { platformName: 'acme' });
    stack.cluster.addWorkloads('shop', [sampleChart(stack.cluster.traits)]);
    template = Template.fromStack(stack);
  });

  test('env-agnostic: a k3s cluster named after the platform in the platform network', () => {
    expect(stack.cluster).toBeInstanceOf(K3sCluster);
    expect(stack.cluster.clusterName).toBe('acme');
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 2);
    expect(Object.keys(template.toJSON().Outputs).filter(k => /KubeconfigCommand|PortForwardCommand|ApiEndpoint/.test(k))).toHaveLength(3);
  });

  test('cdk-nag AwsSolutions over the whole stack: no unacknowledged finding', () => {
    expect(nagFindings(app)).toEqual([]);
  });

  test('distribution kubeadm builds a KubeadmCluster', () => {
    const kubeadmApp = new App();
    const s = new SelfManagedPlatformStack(kubeadmApp, 'acme-kubeadm', { platformName: 'acme', distribution: SelfManagedDistribution.kubeadm() });
    expect(s.cluster).toBeInstanceOf(KubeadmCluster);
    expect(kubeadmApp.synth().manifest.missing ?? []).toEqual([]); // hermetic: no context lookup
    expect(userDataOf(Template.fromStack(s), 'Server')).toContain('kubeadm init --config');
  });

  test('distribution options reach the cluster', () => {
    const s = new SelfManagedPlatformStack(new App(), 'acme-ha', { platformName: 'acme', distribution: SelfManagedDistribution.k3s({ highAvailability: true }) });
    Template.fromStack(s).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '3', MaxSize: '3' });
  });

  test('errors name the prop and the value', () => {
    expect(() => new SelfManagedPlatformStack(new App(), 'x', { platformName: 'Acme!' }))
      .toThrow('[x] SelfManagedPlatformStack.platformName is "Acme!": must be 2-32 lowercase letters, digits and \'-\'');
    expect(() => new SelfManagedPlatformStack(new App(), 'y', { platformName: 'acme', cluster: { adminCidrs: ['0.0.0.0/0'] } }))
      .toThrow('[y/Cluster] K3sCluster.adminCidrs[0] is "0.0.0.0/0": opens the Kubernetes API to every address');
  });
});

test('K3sPlatformStack is the deprecated name of SelfManagedPlatformStack', () => {
  const app = new App();
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const stack = new K3sPlatformStack(app, 'old-name', { platformName: 'old' });
  expect(stack).toBeInstanceOf(SelfManagedPlatformStack);
  expect(stack.cluster.node.path).toBe('old-name/Cluster');
});
