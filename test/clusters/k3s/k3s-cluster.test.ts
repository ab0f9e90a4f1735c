import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { K3sCluster, K3sClusterProps, K3sVersion } from '../../../lib/clusters/k3s';
import { IngressExposure } from '../../../lib/clusters/self-managed';
import { PlatformNetwork } from '../../../lib/network';
import { sampleChart, ingressRules } from '../self-managed/support/fixtures';
import { bashSyntaxErrors, flatten, nagFindings, reportingApp, shellcheckFindings, userDataByLaunchTemplate, userDataOf } from '../self-managed/support/user-data';

function build(props: Partial<K3sClusterProps> = {}, data?: Record<string, string>, nag = false) {
  const app = nag ? reportingApp() : new App();
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'k3s');
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  const cluster = new K3sCluster(stack, 'Cluster', { vpc, clusterName: 'acme', ...props });
  cluster.addWorkloads('shop', [sampleChart(cluster.traits, data)]);
  return { app, stack, cluster };
}

describe('K3sCluster (1 server + 2 agents)', () => {
  let template: Template;
  let resources: Record<string, any>;
  let server: string;
  let agent: string;
  beforeAll(() => {
    const { stack } = build();
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources;
    server = userDataOf(template, 'Server');
    agent = userDataOf(template, 'Agent');
  });

  test('explicit launch templates, zero launch configurations, groups of exactly 1 and 2', () => {
    template.resourceCountIs('AWS::EC2::LaunchTemplate', 2);
    template.resourceCountIs('AWS::AutoScaling::LaunchConfiguration', 0);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 2);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '1',
      MaxSize: '1',
      LaunchTemplate: Match.objectLike({ LaunchTemplateId: Match.anyValue() }),
      TargetGroupARNs: Match.arrayWith([{ Ref: Match.stringLikeRegexp('ApiTargetGroup') }]),
    });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2', MaxSize: '2' });
    for (const asg of Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup'))) {
      expect(asg.Properties.LaunchConfigurationName).toBeUndefined();
      // one node at a time (test/clusters/self-managed/node-groups.test.ts has the details)
      expect(asg.UpdatePolicy.AutoScalingRollingUpdate).toEqual(expect.objectContaining({ MaxBatchSize: 1, WaitOnResourceSignals: true }));
    }
  });

  test('IMDSv2 with hop limit 1, encrypted gp3 root volume, no key pair', () => {
    const lts = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
    for (const lt of lts) {
      const data = lt.Properties.LaunchTemplateData;
      expect(data.MetadataOptions).toEqual(expect.objectContaining({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }));
      expect(data.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/sda1', Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: 30, VolumeType: 'gp3' } }]);
      expect(data.KeyName).toBeUndefined();
      expect(data.ImageId).toEqual({ Ref: expect.stringMatching(/^SsmParameterValueawsservicecanonicalubuntuserver2404stable20240423arm64/) });
      expect(data.InstanceType).toBe('t4g.medium');
    }
  });

  test('security groups: exactly the reference table, group to group', () => {
    expect(ingressRules(resources)).toEqual([
      'ApiSecurityGroup <- NodeSecurityGroup tcp 6443-6443',
      'IngressSecurityGroup <- cidr(NetworkVpc) tcp 443-443',
      'IngressSecurityGroup <- cidr(NetworkVpc) tcp 80-80',
      'NodeSecurityGroup <- IngressSecurityGroup tcp 443-443',
      'NodeSecurityGroup <- IngressSecurityGroup tcp 80-80',
      'NodeSecurityGroup <- NodeSecurityGroup tcp 10250-10250',
      'NodeSecurityGroup <- NodeSecurityGroup udp 8472-8472',
      'ServerSecurityGroup <- ApiSecurityGroup tcp 6443-6443',
      'ServerSecurityGroup <- NodeSecurityGroup tcp 6443-6443',
    ]);
    expect(ingressRules(resources).filter(r => r.includes('0.0.0.0/0'))).toEqual([]);
    expect(ingressRules(resources).some(r => / 22-22$/.test(r))).toBe(false);
    expect(ingressRules(resources).some(r => /2379/.test(r))).toBe(false);
  });

  test('tokens and kubeconfig are generated secrets; the server token is retained', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(3);
    for (const s of Object.values(secrets)) {
      expect(s.Properties.SecretString).toBeUndefined();
      expect(s.Properties.GenerateSecretString).toBeDefined();
    }
    const serverToken = Object.entries(secrets).find(([id]) => id.includes('ServerToken'))![1];
    expect(serverToken.DeletionPolicy).toBe('Retain');
  });

  test('IAM: tokens scoped to their ARNs, asset reads scoped to the delivery objects, agents read only their token', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const statements = (part: string) => policies.find(([id]) => id.includes(part))![1].Properties.PolicyDocument.Statement as any[];
    const serverStatements = statements('ServerRole');
    const reads = serverStatements.filter(s => [s.Action].flat().includes('secretsmanager:GetSecretValue')).map(s => s.Resource.Ref).sort();
    expect(reads).toEqual([expect.stringMatching(/AgentToken/), expect.stringMatching(/ServerToken/)]);
    expect(serverStatements).toContainEqual(expect.objectContaining({ Action: 'secretsmanager:PutSecretValue', Resource: { Ref: expect.stringMatching(/KubeconfigSecret/) } }));
    const getObject = serverStatements.find(s => s.Action === 's3:GetObject');
    expect(flatten(getObject.Resource)).toMatch(/^arn:aws:s3:::cdk-hnb659fds-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.yaml$/);
    expect(serverStatements).toContainEqual(expect.objectContaining({
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/SnapshotBucket/), 'Arn'] }, '/etcd-snapshots/*']] },
    }));
    // only the read-only group listing (no resource-level permissions) is unscoped
    expect(serverStatements.filter(s => s.Resource === '*')).toEqual([
      { Action: ['autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeAutoScalingGroups'], Effect: 'Allow', Resource: '*' },
    ]);
    const agentStatements = statements('AgentRole');
    expect(agentStatements).toHaveLength(2);
    expect(agentStatements[0].Resource).toEqual({ Ref: expect.stringMatching(/AgentToken/) });
    // the bootstrap signal, scoped to the stack's own ARN
    expect(agentStatements[1]).toEqual({ Action: 'cloudformation:SignalResource', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } });
  });

  test('snapshot bucket: versioned, encrypted, retained, TLS only, no public access', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('workloads are delivered by an SSM association on the tagged servers', () => {
    const assoc = Object.values(template.findResources('AWS::SSM::Association'))[0].Properties;
    expect(assoc.Name).toBe('AWS-RunShellScript');
    expect(assoc.Targets).toEqual([{ Key: 'tag:platform.cdk-k8s.io/delivery-target', Values: [{ 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '/acme']] }] }]);
    const script = (assoc.Parameters.commands as unknown[]).map(flatten).join('\n');
    expect(script).toMatch(/^DELIVERIES='shop s3:\/\/cdk-hnb659fds-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.yaml'$/m);
    expect(script).toContain("MODE='k3s'");
    expect(bashSyntaxErrors(script)).toBe('');
    const serverGroup = Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup')).find(g => g.Properties.MinSize === '1')!;
    expect(serverGroup.Properties.Tags).toContainEqual({ Key: 'platform.cdk-k8s.io/delivery-target', PropagateAtLaunch: true, Value: { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '/acme']] } });
  });

  test('outputs print the kubeconfig and port-forwarding commands', () => {
    const outputs = template.toJSON().Outputs as Record<string, any>;
    const out = (part: string) => flatten(Object.entries(outputs).find(([k]) => k.includes(part))![1].Value);
    expect(out('KubeconfigCommand')).toMatch(/^aws secretsmanager get-secret-value --region eu-west-1 --secret-id REF_ClusterKubeconfigSecret\w+ --query SecretString --output text > acme.kubeconfig && chmod 600 acme.kubeconfig$/);
    expect(out('PortForwardCommand')).toMatch(/^aws ssm start-session --region eu-west-1 --target "\$\(aws autoscaling describe-auto-scaling-groups --region eu-west-1 --auto-scaling-group-names REF_ClusterServerGroup\w+ .*\)" --document-name AWS-StartPortForwardingSession --parameters portNumber=6443,localPortNumber=6443$/);
    expect(out('ApiEndpoint')).toMatch(/^https:\/\/ATT_ClusterApiLoadBalancer\w+_DNSName:6443$/);
  });

  test('server user data: flags, order of steps, size, bash -n, shellcheck, no secret', () => {
    expect(Buffer.byteLength(server)).toBeLessThan(16 * 1024);
    expect(Buffer.byteLength(agent)).toBeLessThan(16 * 1024);
    for (const flag of ['token-file: ', 'agent-token-file: ', 'cluster-init: true', 'secrets-encryption: true', 'write-kubeconfig-mode: \\"0600\\"',
      'etcd-s3: true', 'etcd-snapshot-schedule-cron: ', 'node-name: ', 'tls-san:']) {
      expect(server).toContain(flag);
    }
    expect(server).toContain("K3S_VERSION='v1.36.5+k3s1'");
    expect(server).toContain("SNAPSHOT_CRON='0 * * * *'");
    expect(server).toContain('INSTALL_K3S_SKIP_START=true');
    expect(server).toContain('--cluster-reset --cluster-reset-restore-path=');
    const main = server.slice(server.indexOf('main() {'));
    const order = ['secret_to_file "$SERVER_TOKEN_SECRET_ARN"', 'newest_snapshot', 'write_config', 'install_k3s', '--cluster-reset', 'systemctl start k3s', 'put-secret-value', 'spread_coredns', 'mark_ready'];
    const positions = order.map(step => main.indexOf(step));
    expect(positions.every(p => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(server).not.toMatch(/K3S_TOKEN=|--token /);
    for (const script of [server, agent]) {
      expect(bashSyntaxErrors(script)).toBe('');
      const findings = shellcheckFindings(script);
      if (findings !== undefined) expect(findings).toBe('');
    }
  });

  test('agent user data joins through the API load balancer with the agent token only', () => {
    expect(agent).toMatch(/API_ENDPOINT='ATT_ClusterApiLoadBalancer\w+_DNSName'/);
    expect(agent).toMatch(/AGENT_TOKEN_SECRET_ARN='REF_ClusterAgentToken\w+'/);
    expect(agent).not.toContain('ServerToken');
    expect(agent).toContain('INSTALL_K3S_EXEC=agent');
  });
});

describe('K3sCluster workload changes', () => {
  test('changing workloads changes no instance, launch template or group; only the association', () => {
    const a = Template.fromStack(build({}, { greeting: 'hello' }).stack).toJSON().Resources as Record<string, any>;
    const b = Template.fromStack(build({}, { greeting: 'bonjour' }).stack).toJSON().Resources as Record<string, any>;
    const ids = (r: Record<string, any>, type: string) => Object.keys(r).filter(k => r[k].Type === type).sort();
    for (const type of ['AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::AutoScalingGroup', 'AWS::EC2::Instance']) {
      expect(ids(b, type)).toEqual(ids(a, type));
      for (const id of ids(a, type)) expect(b[id]).toEqual(a[id]);
    }
    const assoc = ids(a, 'AWS::SSM::Association').find(id => id.includes('WorkloadSync'))!;
    expect(b[assoc].Properties.Parameters).not.toEqual(a[assoc].Properties.Parameters);
  });
});

describe('K3sCluster options', () => {
  test('highAvailability: three servers, etcd between servers only, no agents', () => {
    const { stack } = build({ highAvailability: true });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
    t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '3', MaxSize: '3' });
    expect(ingressRules(t.toJSON().Resources)).toContain('ServerSecurityGroup <- ServerSecurityGroup tcp 2379-2380');
    const server = userDataOf(t, 'Server');
    expect(server).toContain("HIGH_AVAILABILITY='true'");
    expect(bashSyntaxErrors(server)).toBe('');
    // the election reads the servers' launch times (read-only, no resource-level permissions): HA only
    const [, policy] = Object.entries(t.findResources('AWS::IAM::Policy')).find(([id]) => id.includes('ServerRole'))!;
    expect((policy.Properties.PolicyDocument.Statement as any[]).filter(s => s.Resource === '*')).toEqual([
      { Action: ['autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeAutoScalingGroups'], Effect: 'Allow', Resource: '*' },
      { Action: 'ec2:DescribeInstances', Effect: 'Allow', Resource: '*' },
    ]);
  });

  test('admin CIDRs open 6443 on the API load balancer only; x86_64 and an internet-facing ingress', () => {
    const { stack } = build({
      adminCidrs: ['10.20.0.0/16'],
      architecture: ec2.InstanceArchitecture.X86_64,
      ingress: IngressExposure.internetFacing(),
      version: K3sVersion.of('v1.33.4+k3s1'),
    });
    const t = Template.fromStack(stack);
    const rules = ingressRules(t.toJSON().Resources);
    expect(rules).toContain('ApiSecurityGroup <- 10.20.0.0/16 tcp 6443-6443');
    expect(rules.filter(r => r.includes('0.0.0.0/0'))).toEqual(['IngressSecurityGroup <- 0.0.0.0/0 tcp 443-443', 'IngressSecurityGroup <- 0.0.0.0/0 tcp 80-80']);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    t.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ InstanceType: 't3.medium' }) });
    expect(Object.values(userDataByLaunchTemplate(t))[0]).toContain("K3S_VERSION='v1.33.4+k3s1'");
  });

  test('ingress none: no ingress load balancer and no 80/443', () => {
    const t = Template.fromStack(build({ ingress: IngressExposure.none() }).stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    expect(ingressRules(t.toJSON().Resources).filter(r => / (80|443)-/.test(r))).toEqual([]);
  });
});

describe('K3sCluster errors', () => {
  const vpcStack = () => {
    const stack = new Stack(new App(), 's');
    return { stack, vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 }) };
  };
  test.each<[string, Partial<K3sClusterProps>, string]>([
    ['0.0.0.0/0 without opt-in', { adminCidrs: ['0.0.0.0/0'] },
      '[s/C] K3sCluster.adminCidrs[0] is "0.0.0.0/0": opens the Kubernetes API to every address: list the CIDRs of your VPN or office, or set allowApiFromAnywhere: true to accept that risk.'],
    ['a bad CIDR', { adminCidrs: ['10.0.0.0'] }, '[s/C] K3sCluster.adminCidrs[0] is "10.0.0.0": must be an IPv4 CIDR block'],
    ['an x86 type on arm', { serverInstanceType: new ec2.InstanceType('m5.large') },
      '[s/C] K3sCluster.serverInstanceType is "m5.large": is a x86_64 instance type but architecture is arm64: pick a arm64 type (e.g. t4g.medium) or change architecture.'],
    ['a bad cluster name', { clusterName: 'Acme_1' }, '[s/C] K3sCluster.clusterName is "Acme_1": must be a lowercase DNS label'],
    ['a bad snapshot interval', { snapshotInterval: require('aws-cdk-lib').Duration.minutes(90) },
      '[s/C] K3sCluster.snapshotInterval is "1 hour 30 minutes": must be 1, 2, 3, 4, 6, 8, 12 or 24 hours'],
    ['agents in HA', { highAvailability: true, agentInstanceType: new ec2.InstanceType('t4g.large') },
      '[s/C] K3sCluster.agentInstanceType is "t4g.large": has no effect with highAvailability: true'],
    ['a small root volume', { rootVolumeSize: require('aws-cdk-lib').Size.gibibytes(8) }, '[s/C] K3sCluster.rootVolumeSize is "8 GiB": must be a whole number of GiB from 20 to 16384.'],
  ])('%s', (_, props, message) => {
    const { stack, vpc } = vpcStack();
    expect(() => new K3sCluster(stack, 'C', { vpc, ...props })).toThrow(message);
  });

  test('0.0.0.0/0 is accepted with allowApiFromAnywhere', () => {
    const { stack, vpc } = vpcStack();
    expect(() => new K3sCluster(stack, 'C', { vpc, adminCidrs: ['0.0.0.0/0'], allowApiFromAnywhere: true })).not.toThrow();
  });

  test('addWorkloads ids: DNS label, unique', () => {
    const { stack, vpc } = vpcStack();
    const c = new K3sCluster(stack, 'C', { vpc });
    expect(() => c.addWorkloads('Shop_1', [sampleChart(c.traits)])).toThrow('[s/C] K3sCluster.addWorkloads(id) is "Shop_1": must be a lowercase DNS label');
    c.addWorkloads('shop', [sampleChart(c.traits)]);
    expect(() => c.addWorkloads('shop', [sampleChart(c.traits)])).toThrow('[s/C] K3sCluster.addWorkloads(id) is "shop": is already used by another delivery');
    expect(() => c.addWorkloads('empty', [])).toThrow('[s/C] K3sCluster.addWorkloads(charts) is []: must contain at least one cdk8s chart.');
  });

  test('K3sVersion.of rejects a non-release', () => {
    expect(() => K3sVersion.of('1.33')).toThrow('K3sVersion.of version is "1.33": must be a k3s release tag such as "v1.36.5+k3s1"');
  });
});

describe('K3sCluster cdk-nag', () => {
  test('AwsSolutions: no unacknowledged finding', () => {
    const { app } = build({ highAvailability: true, adminCidrs: ['10.20.0.0/16'] }, undefined, true);
    expect(nagFindings(app)).toEqual([]);
  });

  test('the check reports findings that are not acknowledged', () => {
    const app = reportingApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new ec2.Vpc(new Stack(app, 'bare'), 'Vpc');
    expect(nagFindings(app)).toContainEqual(expect.stringMatching(/VPC7/));
  });
});
