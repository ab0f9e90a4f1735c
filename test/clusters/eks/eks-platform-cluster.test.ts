import { App, CfnElement, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiObject, App as Cdk8sApp, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import {
  ClusterCapacity, ClusterEndpointAccess, EKS_VERSIONS, EksPlatformCluster, EksPlatformClusterProps, NodeArchitecture, VolumeReclaimPolicy,
} from '../../../lib/clusters/eks';
import { HelmChartReleases } from '../../../lib/delivery';
import { PlatformNetwork } from '../../../lib/network';
import { acknowledgementsOf, isKubectlFunction } from '../../network/acknowledgements';

function synth(props: Partial<EksPlatformClusterProps> = {}, id = 'Eks', addWorkloads?: (cluster: EksPlatformCluster) => void) {
  const stack = new Stack(new App(), 'Test');
  const network = new PlatformNetwork(stack, 'Network');
  const cluster = new EksPlatformCluster(stack, id, { vpc: network.vpc, vpcCidr: network.vpcCidr, clusterName: 'acme', ...props });
  addWorkloads?.(cluster);
  return { stack, cluster, template: Template.fromStack(stack) };
}

/** Logical ids of the CloudFormation resources under a construct. */
const logicalIds = (scope: IConstruct) => scope.node.findAll().filter(CfnElement.isCfnElement).map(e => Stack.of(e).getLogicalId(e));

type Resource = { Type: string; Properties: any; DependsOn?: string[]; DeletionPolicy?: string };
const resourcesOf = (t: Template, type: string) => Object.entries(t.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);
/** Manifests of KubernetesManifest resources; a token inside a string (the cluster name, the region) reads as TOKEN. */
const staticManifests = (t: Template): any[][] => resourcesOf(t, 'Custom::AWSCDK-EKS-KubernetesResource')
  .map(([, r]) => r.Properties.Manifest)
  .map(m => (typeof m === 'string' ? m : (m['Fn::Join'][1] as unknown[]).map(p => (typeof p === 'string' ? p : 'TOKEN')).join('')))
  .map(text => JSON.parse(text));

describe('EksPlatformCluster defaults (managed node groups)', () => {
  let template: Template;
  let cluster: EksPlatformCluster;
  let stack: Stack;
  let apps: Chart;
  beforeAll(() => {
    apps = new Chart(new Cdk8sApp(), 'apps');
    new ApiObject(apps, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config' } });
    ({ template, cluster, stack } = synth({}, 'Eks', c => c.addWorkloads('Apps', [apps])));
  });

  test('Kubernetes version pinned from versions.ts, STANDARD upgrade policy, deletion protection', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Name: 'acme',
      Version: EKS_VERSIONS.kubernetesVersion.version,
      UpgradePolicy: { SupportType: 'STANDARD' },
      DeletionProtection: true,
    });
    expect(EKS_VERSIONS.kubernetesVersion.version).toBe('1.35');
  });

  test('control-plane logs api, audit, authenticator into a pre-created, retained log group kept a year', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Logging: { ClusterLogging: { EnabledTypes: [{ Type: 'api' }, { Type: 'audit' }, { Type: 'authenticator' }] } },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/aws/eks/acme/cluster', RetentionInDays: 365, KmsKeyId: Match.absent() },
      DeletionPolicy: 'Retain',
    });
    // no encryptionKey: the customer-managed-key findings are acknowledged, naming the prop
    const acks = acknowledgementsOf(cluster.controlPlaneLogGroup);
    expect(acks.map(a => a.id).sort()).toEqual(['NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check']);
    for (const a of acks) expect(a.reason).toContain('encryptionKey');
    const [[, eksCluster]] = resourcesOf(template, 'AWS::EKS::Cluster');
    const [[logGroupId]] = resourcesOf(template, 'AWS::Logs::LogGroup').filter(([, r]) => r.Properties.LogGroupName === '/aws/eks/acme/cluster');
    expect(eksCluster.DependsOn).toContain(logGroupId);
  });

  test('Secrets envelope encryption with a rotated, retained KMS key the cluster role may use', () => {
    const [[keyId, key]] = resourcesOf(template, 'AWS::KMS::Key');
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    // the customer key, without the deprecated Resources (CloudFormation W9009): EKS encrypts all API data with it
    const [[, eksCluster]] = resourcesOf(template, 'AWS::EKS::Cluster');
    expect(eksCluster.Properties.EncryptionConfig).toEqual([{ Provider: { KeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } } }]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt', 'kms:CreateGrant']), Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } })]) },
    });
  });

  test('access entries only: no cluster-creator admin, the admin role gets AmazonEKSClusterAdminPolicy', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
    });
    const adminRoleId = stack.getLogicalId(cluster.adminRole.node.defaultChild as iam.CfnRole);
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: { 'Fn::GetAtt': [adminRoleId, 'Arn'] },
      AccessPolicies: [{ AccessScope: { Type: 'cluster' }, PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy']] } }],
    });
    // the admin role and the kubectl handler: nothing else has access
    template.resourceCountIs('AWS::EKS::AccessEntry', 2);
  });

  test('only AWS services may create grants on the Secrets key (CT.KMS.PR.3)', () => {
    const [[, key]] = resourcesOf(template, 'AWS::KMS::Key');
    expect(key.Properties.KeyPolicy.Statement).toContainEqual({
      Sid: 'DenyGrantsExceptForAwsServices',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    });
  });

  test('endpoint private only; the kubectl/helm Lambdas run in the private subnets with their own security group', () => {
    const [[, c]] = resourcesOf(template, 'AWS::EKS::Cluster');
    expect(c.Properties.ResourcesVpcConfig).toMatchObject({ EndpointPublicAccess: false, EndpointPrivateAccess: true });
    expect(c.Properties.ResourcesVpcConfig.PublicAccessCidrs).toBeUndefined();
    template.hasResourceProperties('AWS::EKS::Cluster', { BootstrapSelfManagedAddons: false, ComputeConfig: { Enabled: false } });
    const sgId = stack.getLogicalId(cluster.node.findChild('KubectlSecurityGroup').node.defaultChild as ec2.CfnSecurityGroup);
    const fns = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => isKubectlFunction(id));
    expect(fns).toHaveLength(2); // the kubectl handler and the provider framework's onEvent
    for (const [, fn] of fns) {
      expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [sgId, 'GroupId'] }]);
      expect(fn.Properties.VpcConfig.SubnetIds.map((x: any) => x.Ref)).toEqual([expect.stringMatching(/PrivateSubnet1/), expect.stringMatching(/PrivateSubnet2/), expect.stringMatching(/PrivateSubnet3/)]);
    }
    // HTTPS out only, and the control plane admits it on 443
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() }],
    });
    const [[controlPlaneId]] = resourcesOf(template, 'AWS::EC2::SecurityGroup').filter(([, r]) => r.Properties.GroupDescription === 'EKS Control Plane Security Group');
    const ingress = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => JSON.stringify(r.Properties.GroupId).includes(controlPlaneId));
    expect(ingress.map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] } }),
    ]);
    expect(resourcesOf(template, 'AWS::EKS::Cluster')[0][1].DependsOn).toContain(ingress[0][0]);
    // nothing public to acknowledge
    expect(acknowledgementsOf(cluster).map(a => a.id)).not.toEqual(expect.arrayContaining(['AwsSolutions-EKS1']));
    expect(acknowledgementsOf(cluster).map(a => a.id)).not.toContain('NIST.800.53.R5-LambdaInsideVPC');
  });

  test('the control plane uses the private subnets only', () => {
    const [[, c]] = resourcesOf(template, 'AWS::EKS::Cluster');
    expect(c.Properties.ResourcesVpcConfig.SubnetIds).toHaveLength(3);
    for (const s of c.Properties.ResourcesVpcConfig.SubnetIds) expect(s.Ref).toMatch(/PrivateSubnet/);
  });

  test('one on-demand managed node group, AL2023 x86_64 set explicitly, 2..6 nodes in private subnets', () => {
    template.resourceCountIs('AWS::EKS::Nodegroup', 1);
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_x86_64_STANDARD',
      CapacityType: 'ON_DEMAND',
      InstanceTypes: ['m7i.large'],
      ScalingConfig: { MinSize: 2, DesiredSize: 2, MaxSize: 6 },
      LaunchTemplate: { Id: Match.anyValue(), Version: Match.anyValue() },
      DiskSize: Match.absent(),
    });
  });

  test('launch template: IMDSv2 required with hop limit 1, encrypted gp3 root volume, detailed monitoring', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: {
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        Monitoring: { Enabled: true },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 50 } }],
      },
    });
  });

  test('every add-on is pinned to its versions.ts version', () => {
    const addons = resourcesOf(template, 'AWS::EKS::Addon').map(([, r]) => r.Properties);
    expect(Object.fromEntries(addons.map(a => [a.AddonName, a.AddonVersion]))).toEqual(EKS_VERSIONS.addons);
  });

  test('networking add-ons come before the node group; pod-scheduling add-ons after it', () => {
    const byName = Object.fromEntries(resourcesOf(template, 'AWS::EKS::Addon').map(([id, r]) => [r.Properties.AddonName, { id, r }]));
    const [[ngId, ng]] = resourcesOf(template, 'AWS::EKS::Nodegroup');
    for (const n of ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']) expect(ng.DependsOn).toContain(byName[n].id);
    for (const n of ['coredns', 'aws-ebs-csi-driver', 'metrics-server']) expect(byName[n].r.DependsOn).toContain(ngId);
  });

  test('Pod Identity associations for EBS CSI, the ALB controller, the Cluster Autoscaler and External Secrets', () => {
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 4);
    for (const sa of ['ebs-csi-controller-sa', 'aws-load-balancer-controller', 'cluster-autoscaler']) {
      template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'kube-system', ServiceAccount: sa, ClusterName: { Ref: Match.anyValue() } });
    }
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          // Only this cluster in this account (the confused-deputy guard the EKS user guide recommends).
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('Cluster'), 'Arn'] } },
          },
        }],
      },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy']] }],
    });
  });

  test('gp3 StorageClass: encrypted, WaitForFirstConsumer, Retain, default class', () => {
    const manifests = staticManifests(template).map(m => m[0]);
    const sc = manifests.find(m => m.kind === 'StorageClass');
    expect(sc).toMatchObject({
      metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
  });

  test('AWS Load Balancer Controller and Cluster Autoscaler Helm charts pinned, atomic, timeout below 15 minutes', () => {
    for (const c of [EKS_VERSIONS.albController, EKS_VERSIONS.clusterAutoscaler]) {
      template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
        Chart: c.chart,
        Repository: c.repository,
        Version: c.version,
        Namespace: 'kube-system',
        Atomic: true,
        Wait: true,
        Timeout: '600s',
        Values: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`"tag":"${c.appVersion}"`)])] },
      });
    }
  });

  test('kubectl layer is the v35 layer matching the Kubernetes version', () => {
    template.resourceCountIs('AWS::Lambda::LayerVersion', 2);
    template.hasResourceProperties('AWS::Lambda::LayerVersion', { Description: Match.stringLikeRegexp('kubectl 1\\.35\\.') });
  });

  test('traits: ALB ingress, gp3 storage, NLB annotations, VPC CIDR for NetworkPolicies', () => {
    expect(cluster.traits.ingressClassName).toBe('alb');
    expect(cluster.traits.storageClassName).toBe('gp3');
    expect(cluster.traits.albTargetTypeIp).toBe(true);
    expect(cluster.traits.ingressTrafficSource).toEqual({ cidrs: ['10.0.0.0/16'] });
    expect(cluster.traits.loadBalancerAnnotations({ internetFacing: false })['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe('internal');
    expect(cluster.clusterName).toBe('acme');
  });

  test('addWorkloads hands the charts to HelmChartReleases, after the ALB controller, EBS CSI, StorageClass and metrics-server', () => {
    // what HelmChartReleases renders is its own unit (test/delivery); here: what the cluster hands to it
    const delivery = cluster.node.findChild('Apps') as HelmChartReleases;
    expect(delivery).toBeInstanceOf(HelmChartReleases);
    expect(delivery.releases.map(r => [r.chartNames, r.chart.objectCount])).toEqual([[['apps'], 1]]);
    const [{ helmChart }] = delivery.releases;
    const after = [cluster.albController!.chart, cluster.addons.storageClass, cluster.addons.addons['aws-ebs-csi-driver']!, cluster.addons.addons['metrics-server']!];
    expect(helmChart.node.dependencies).toEqual(expect.arrayContaining(after));
    // in the template: installed on this cluster, after every resource of those
    const [clusterId] = logicalIds(cluster.cluster).filter(id => template.toJSON().Resources[id]?.Type === 'AWS::EKS::Cluster');
    const [[, release]] = resourcesOf(template, 'Custom::AWSCDK-EKS-HelmChart').filter(([id]) => logicalIds(helmChart).includes(id));
    expect(release.Properties).toMatchObject({ ClusterName: { Ref: clusterId }, ChartAssetURL: expect.anything() });
    expect(release.DependsOn).toEqual(expect.arrayContaining(after.flatMap(logicalIds)));
  });
});

describe('EksPlatformCluster options', () => {
  test('private-only endpoint, Graviton, spot group with labels and taints, no autoscaler, no deletion protection', () => {
    const { template } = synth({
      endpointAccess: ClusterEndpointAccess.privateOnly(),
      deletionProtection: false,
      volumeReclaimPolicy: VolumeReclaimPolicy.DELETE,
      capacity: ClusterCapacity.managedNodeGroups({
        architecture: NodeArchitecture.ARM_64,
        onDemand: { minSize: 1, desiredSize: 2, maxSize: 3, diskSize: Size.gibibytes(80), labels: { role: 'system' } },
        spot: { maxSize: 10, labels: { lifecycle: 'spot' }, taints: [{ key: 'spot', value: 'true', effect: eks.TaintEffect.NO_SCHEDULE }] },
        clusterAutoscaler: false,
      }),
    });
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: { EndpointPublicAccess: false, EndpointPrivateAccess: true },
      DeletionProtection: false,
    });
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_ARM_64_STANDARD',
      CapacityType: 'ON_DEMAND',
      InstanceTypes: ['m7g.large'],
      ScalingConfig: { MinSize: 1, DesiredSize: 2, MaxSize: 3 },
      Labels: { role: 'system' },
    });
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_ARM_64_STANDARD',
      CapacityType: 'SPOT',
      InstanceTypes: Match.arrayWith(['m7g.large', 'm6g.large']),
      ScalingConfig: { MinSize: 0, DesiredSize: 0, MaxSize: 10 },
      Labels: { lifecycle: 'spot' },
      Taints: [{ Key: 'spot', Value: 'true', Effect: 'NO_SCHEDULE' }],
    });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ VolumeSize: 80, Encrypted: true }) })] }),
    });
    // kubectl/helm Lambda inside the VPC when the API is private
    const fns = resourcesOf(template, 'AWS::Lambda::Function');
    expect(fns.some(([, f]) => f.Properties.VpcConfig !== undefined)).toBe(true);
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 3);
    const sc = staticManifests(template).map(m => m[0]).find(m => m.kind === 'StorageClass');
    expect(sc.reclaimPolicy).toBe('Delete');
  });

  test('public endpoint restricted to CIDRs puts the kubectl Lambda in the VPC; the public endpoint is acknowledged as that choice', () => {
    const { template, stack, cluster } = synth({ endpointAccess: ClusterEndpointAccess.publicAndPrivate('203.0.113.0/24', '198.51.100.7/32') });
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: { EndpointPublicAccess: true, EndpointPrivateAccess: true, PublicAccessCidrs: ['203.0.113.0/24', '198.51.100.7/32'] },
    });
    const fns = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => isKubectlFunction(id));
    expect(fns).toHaveLength(2);
    for (const [, fn] of fns) expect(fn.Properties.VpcConfig).toBeDefined();
    Annotations.fromStack(stack).hasInfo('/Test/Eks', Match.stringLikeRegexp('kubectl/helm Lambda runs in the private subnets'));
    const acks = acknowledgementsOf(cluster).filter(a => a.id === 'AwsSolutions-EKS1' || a.id === 'cdk-validator-cfnguard::eks_endpoint_no_public_access_check');
    expect(acks).toHaveLength(2);
    for (const a of acks) expect(a.reason).toContain('endpointAccess: ClusterEndpointAccess.publicAndPrivate(\'203.0.113.0/24\', \'198.51.100.7/32\')');
    expect(acknowledgementsOf(cluster).map(a => a.id)).not.toContain('NIST.800.53.R5-LambdaInsideVPC');
  });

  test('publicFromAnywhere: public endpoint for every address (plus private), kubectl Lambdas outside the VPC, acknowledged as the choice', () => {
    const { template, cluster } = synth({ endpointAccess: ClusterEndpointAccess.publicFromAnywhere() });
    const [[, c]] = resourcesOf(template, 'AWS::EKS::Cluster');
    expect(c.Properties.ResourcesVpcConfig).toMatchObject({ EndpointPublicAccess: true, EndpointPrivateAccess: true });
    expect(c.Properties.ResourcesVpcConfig.PublicAccessCidrs).toBeUndefined();
    const fns = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => isKubectlFunction(id));
    expect(fns).toHaveLength(2);
    for (const [, fn] of fns) expect(fn.Properties.VpcConfig).toBeUndefined();
    expect(cluster.node.tryFindChild('KubectlSecurityGroup')).toBeUndefined();
    const acks = acknowledgementsOf(cluster);
    for (const id of ['AwsSolutions-EKS1', 'cdk-validator-cfnguard::eks_endpoint_no_public_access_check', 'NIST.800.53.R5-LambdaInsideVPC', 'cdk-validator-cfnguard::lambda_inside_vpc_check']) {
      expect({ id, reasons: acks.filter(a => a.id === id).map(a => a.reason.includes('ClusterEndpointAccess.publicFromAnywhere()')) }).toEqual({ id, reasons: [true] });
    }
  });

  test('encryptionKey encrypts the control-plane log group; the key policy lets CloudWatch Logs use it for that log group only', () => {
    const stack = new Stack(new App(), 'Keyed');
    const network = new PlatformNetwork(stack, 'Network');
    const key = new kms.Key(stack, 'PlatformKey', { enableKeyRotation: true });
    const cluster = new EksPlatformCluster(stack, 'Eks', { vpc: network.vpc, clusterName: 'acme', encryptionKey: key });
    const template = Template.fromStack(stack);
    const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/eks/acme/cluster', KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    const policy = resourcesOf(template, 'AWS::KMS::Key').find(([id]) => id === keyId)![1].Properties.KeyPolicy;
    expect(policy.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Allow',
      Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:/aws/eks/acme/cluster']] } } },
    }));
    expect(acknowledgementsOf(cluster.controlPlaneLogGroup)).toEqual([]);
    // Secrets keep their own key: changing a cluster's key replaces the cluster
    expect(cluster.secretsKey).not.toBe(key);
  });

  test('an encryptionKey from outside the app: a warning says which key-policy statement to add', () => {
    const stack = new Stack(new App(), 'Imported');
    const network = new PlatformNetwork(stack, 'Network');
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new EksPlatformCluster(stack, 'Eks', { vpc: network.vpc, clusterName: 'acme', encryptionKey: key });
    Annotations.fromStack(stack).hasWarning('/Imported/Eks', Match.stringLikeRegexp('logs.<region>.amazonaws.com .*log-group:/aws/eks/acme/cluster'));
  });

  test('a retention shorter than a year is acknowledged as the user\'s choice, naming the prop', () => {
    const { template, cluster } = synth({ controlPlaneLogRetention: logs.RetentionDays.ONE_MONTH });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/eks/acme/cluster', RetentionInDays: 30 });
    expect(acknowledgementsOf(cluster.controlPlaneLogGroup)).toContainEqual(expect.objectContaining({
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
      reason: expect.stringContaining('30 days (controlPlaneLogRetention)'),
    }));
  });

  test('legacyEncryptionConfig keeps Resources [secrets] for clusters deployed before, and acknowledges W9009', () => {
    const { template, cluster } = synth({ legacyEncryptionConfig: true });
    const [[, c]] = resourcesOf(template, 'AWS::EKS::Cluster');
    expect(c.Properties.EncryptionConfig).toEqual([{ Provider: { KeyArn: Match.anyValue() }, Resources: ['secrets'] }].map(e => ({ ...e, Provider: c.Properties.EncryptionConfig[0].Provider })));
    const ids = acknowledgementsOf(cluster).map(a => a.id);
    expect(ids).toContain('CloudFormation-Validate::W9009');
    expect(ids).not.toContain('cdk-validator-cfnguard::eks_secrets_encrypted_check');
  });

  test('EKS Auto Mode: compute, storage and load balancing built in; metrics-server, StorageClass and alb IngressClass added', () => {
    const { template } = synth({ capacity: ClusterCapacity.autoMode() });
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ComputeConfig: { Enabled: true, NodePools: ['system', 'general-purpose'] },
      StorageConfig: { BlockStorage: { Enabled: true } },
      KubernetesNetworkConfig: { ElasticLoadBalancing: { Enabled: true } },
      BootstrapSelfManagedAddons: false,
      UpgradePolicy: { SupportType: 'STANDARD' },
    });
    template.resourceCountIs('AWS::EKS::Nodegroup', 0);
    // only the External Secrets Operator: Auto Mode brings its own load balancing and node scaling
    expect(resourcesOf(template, 'Custom::AWSCDK-EKS-HelmChart').map(([, r]) => r.Properties.Chart)).toEqual(['external-secrets']);
    const addons = resourcesOf(template, 'AWS::EKS::Addon').map(([, r]) => r.Properties);
    expect(addons).toEqual([expect.objectContaining({ AddonName: 'metrics-server', AddonVersion: EKS_VERSIONS.addons['metrics-server'] })]);
    const manifests = staticManifests(template).flat();
    expect(manifests.find(m => m.kind === 'StorageClass')).toMatchObject({ provisioner: 'ebs.csi.eks.amazonaws.com', parameters: { encrypted: 'true' } });
    expect(manifests.find(m => m.kind === 'IngressClass')).toMatchObject({ metadata: { name: 'alb' }, spec: { controller: 'eks.amazonaws.com/alb' } });
  });

  test('an existing admin role gets the access entry and no role is created', () => {
    const stack = new Stack(new App(), 'Own');
    const network = new PlatformNetwork(stack, 'Network');
    const admin = iam.Role.fromRoleArn(stack, 'Admin', 'arn:aws:iam::111122223333:role/platform-admins');
    new EksPlatformCluster(stack, 'Eks', { vpc: network.vpc, clusterName: 'own', adminRole: admin });
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::AccessEntry', { PrincipalArn: 'arn:aws:iam::111122223333:role/platform-admins' });
  });
});

describe('EksPlatformCluster validation', () => {
  const make = (props: Partial<EksPlatformClusterProps>) => () => {
    const stack = new Stack(new App(), 'V');
    new EksPlatformCluster(stack, 'Eks', { vpc: new ec2.Vpc(stack, 'Vpc'), clusterName: 'acme', ...props });
  };
  const groups = (onDemand: object) => ({ capacity: ClusterCapacity.managedNodeGroups({ onDemand }) });

  test('min <= desired <= max', () => {
    expect(make(groups({ minSize: 5, maxSize: 3 }))).toThrow('[V/Eks/OnDemand] EksNodeGroup.minSize is 5: must not exceed maxSize (3); lower minSize or raise maxSize.');
    expect(make(groups({ minSize: 1, desiredSize: 9, maxSize: 3 }))).toThrow('[V/Eks/OnDemand] EksNodeGroup.desiredSize is 9: must be from minSize (1) to maxSize (3).');
    expect(make(groups({ minSize: -1 }))).toThrow('EksNodeGroup.minSize is -1: must be an integer from 0 to 10000.');
  });

  test('instance types must match the architecture', () => {
    expect(make(groups({ instanceTypes: [new ec2.InstanceType('m7g.large')] })))
      .toThrow('[V/Eks/OnDemand] EksNodeGroup.instanceTypes[0] is "m7g.large": is a arm64 instance type but the node architecture is x86_64; pick x86_64 types (e.g. m7i.large) or change the architecture.');
    expect(make(groups({ instanceTypes: [] }))).toThrow('EksNodeGroup.instanceTypes is []: must contain at least one element.');
  });

  test('clusterName and public CIDRs are checked', () => {
    expect(make({ clusterName: '-bad name' })).toThrow('[V/Eks] EksPlatformCluster.clusterName is "-bad name": must be 1-100 letters, digits, \'-\' and \'_\', starting with a letter or digit, and known at synth time (e.g. "acme").');
    expect(make({ endpointAccess: ClusterEndpointAccess.publicAndPrivate('1.2.3.4') }))
      .toThrow('[V/Eks] EksPlatformCluster.endpointAccess.publicCidrs[0] is "1.2.3.4": must be an IPv4 CIDR block with a prefix length from /1 to /32, such as "10.0.0.0/16".');
    expect(make({ endpointAccess: ClusterEndpointAccess.publicAndPrivate('203.0.113.9/24') }))
      .toThrow('[V/Eks] EksPlatformCluster.endpointAccess.publicCidrs[0] is "203.0.113.9/24": is not a network address: the bits after /24 must be zero. Did you mean "203.0.113.0/24"?');
  });

  test('a public endpoint needs CIDRs, and /0 needs the explicit opt-in', () => {
    expect(make({ endpointAccess: ClusterEndpointAccess.publicAndPrivate() })).toThrow(
      '[V/Eks] EksPlatformCluster.endpointAccess is "ClusterEndpointAccess.publicAndPrivate()": lists no CIDR: give the addresses that may reach the public endpoint '
      + '(e.g. ClusterEndpointAccess.publicAndPrivate(\'203.0.113.0/24\')), or use ClusterEndpointAccess.privateOnly() (the default) or ClusterEndpointAccess.publicFromAnywhere().');
    for (const open of ['0.0.0.0/0', '::/0']) {
      expect(make({ endpointAccess: ClusterEndpointAccess.publicAndPrivate('203.0.113.0/24', open) })).toThrow(
        `[V/Eks] EksPlatformCluster.endpointAccess is "ClusterEndpointAccess.publicAndPrivate('203.0.113.0/24', '${open}')": opens the public endpoint to every address ("${open}"). `
        + 'List narrower CIDRs, or opt in explicitly with ClusterEndpointAccess.publicFromAnywhere() if the API must be reachable from anywhere.');
    }
    expect(make({ endpointAccess: ClusterEndpointAccess.publicAndPrivate('2001:db8::/32') }))
      .toThrow('[V/Eks] EksPlatformCluster.endpointAccess.publicCidrs[0] is "2001:db8::/32": must be an IPv4 CIDR block');
    expect(make({ endpointAccess: ClusterEndpointAccess.publicFromAnywhere() })).not.toThrow();
  });

  test('disk size is at least 20 GiB', () => {
    expect(make(groups({ diskSize: Size.gibibytes(8) }))).toThrow('EksNodeGroup.diskSize is 8: must be an integer from 20 to 16384.');
  });
});
