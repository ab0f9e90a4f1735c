import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  KARPENTER_VERSIONS, KarpenterAddOn, KarpenterAddOnProps, KarpenterArchitecture, KarpenterCapacityType, KarpenterConsolidationPolicy,
  KarpenterRequirementOperator, matchingInstanceTypes, nodePoolRequirements,
} from '../../lib/addons/karpenter';
import { ClusterCapacity, EksPlatformCluster } from '../../lib/clusters/eks';
import { PlatformNetwork } from '../../lib/network';
import { EksPlatformStack, SelfManagedDistribution, SelfManagedPlatformStack } from '../../lib/platform';

const CONTEXT = { 'cdk-k8s-platform:today': '2026-11-01' };
const NO_CA = ClusterCapacity.managedNodeGroups({ clusterAutoscaler: false });

function eksCluster(capacity = NO_CA) {
  const stack = new Stack(new App({ context: CONTEXT }), 'Test');
  const network = new PlatformNetwork(stack, 'Network');
  const cluster = new EksPlatformCluster(stack, 'Eks', { vpc: network.vpc, vpcCidr: network.vpcCidr, clusterName: 'acme', capacity });
  return { stack, cluster };
}

function synth(props: KarpenterAddOnProps = {}) {
  const { stack, cluster } = eksCluster();
  const addOn = new KarpenterAddOn(props);
  addOn.install(cluster);
  return { stack, cluster, addOn, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties: any; DependsOn?: string[] };
const ofType = (t: Template, type: string) => Object.entries(t.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

/** The NodePool and EC2NodeClass objects (the manifest carries tokens: its JSON is a Fn::Join). */
function karpenterObjects(t: Template): any[] {
  const [[, r]] = ofType(t, 'Custom::AWSCDK-EKS-KubernetesResource').filter(([id]) => id.includes('KarpenterAddOnNodePools'));
  const parts = r.Properties.Manifest['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'TOKEN')).join('');
  return JSON.parse(parts);
}

describe('KarpenterAddOn on an EKS platform cluster', () => {
  let template: Template;
  let objects: any[];
  beforeAll(() => {
    ({ template } = synth());
    objects = karpenterObjects(template);
  });

  test('the CRD chart, then the controller chart, pinned, from oci://public.ecr.aws/karpenter, in kube-system', () => {
    const charts = ofType(template, 'Custom::AWSCDK-EKS-HelmChart').filter(([, r]) => String(r.Properties.Chart).startsWith('karpenter'));
    expect(charts.map(([, r]) => [r.Properties.Chart, r.Properties.Repository, r.Properties.Version, r.Properties.Namespace]).sort()).toEqual([
      ['karpenter', 'oci://public.ecr.aws/karpenter', KARPENTER_VERSIONS.version, 'kube-system'],
      ['karpenter-crd', 'oci://public.ecr.aws/karpenter', KARPENTER_VERSIONS.version, 'kube-system'],
    ]);
    const [[crdId]] = charts.filter(([, r]) => r.Properties.Chart === 'karpenter-crd');
    const [[, controller]] = charts.filter(([, r]) => r.Properties.Chart === 'karpenter');
    expect(controller.DependsOn).toContain(crdId);
    expect(controller.Properties.Values['Fn::Join'][1][0]).toContain('"settings":{"clusterName":"acme","interruptionQueue":"');
    expect(controller.Properties.Values['Fn::Join'][1][1]).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/InterruptionQueue/), 'QueueName'] });
  });

  test('interruption queue: encrypted, TLS only, 5 minutes, fed by the four EventBridge rules', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'acme-karpenter', MessageRetentionPeriod: 300, SqsManagedSseEnabled: true });
    const rules = ofType(template, 'AWS::Events::Rule').map(([, r]) => r.Properties.EventPattern['detail-type'][0]).sort();
    expect(rules).toEqual(['AWS Health Event', 'EC2 Instance Rebalance Recommendation', 'EC2 Instance State-change Notification', 'EC2 Spot Instance Interruption Warning']);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the controller: Pod Identity kube-system/karpenter; launches only with the cluster\'s tags, passes only the node role', () => {
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'kube-system', ServiceAccount: 'karpenter' });
    const policies = ofType(template, 'AWS::IAM::Policy').map(([, r]) => r.Properties.PolicyDocument.Statement).flat();
    const sid = (s: string) => policies.find((p: any) => p.Sid === s);
    expect(sid('AllowScopedEC2InstanceActionsWithTags').Condition.StringEquals).toMatchObject({ 'aws:RequestTag/kubernetes.io/cluster/acme': 'owned' });
    expect(sid('AllowScopedDeletion').Condition.StringEquals).toEqual({ 'aws:ResourceTag/kubernetes.io/cluster/acme': 'owned' });
    expect(sid('AllowPassingInstanceRole').Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/KarpenterAddOnNodeRole/), 'Arn'] });
    expect(sid('AllowInterruptionQueueActions').Action).toEqual(['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']);
  });

  test('the node role joins through an EC2_LINUX access entry', () => {
    template.hasResourceProperties('AWS::EKS::AccessEntry', { Type: 'EC2_LINUX', PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('KarpenterAddOnNodeRole'), 'Arn'] } });
  });

  test('EC2NodeClass: pinned AL2023 alias, IMDSv2 hop limit 1, encrypted gp3, the private subnets and cluster security group', () => {
    const nodeClass = objects.find(o => o.kind === 'EC2NodeClass');
    expect(nodeClass).toMatchObject({
      apiVersion: 'karpenter.k8s.aws/v1',
      spec: {
        amiSelectorTerms: [{ alias: KARPENTER_VERSIONS.amiAlias }],
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeType: 'gp3', encrypted: true, volumeSize: '50Gi' } }],
      },
    });
    expect(nodeClass.spec.subnetSelectorTerms).toHaveLength(3);
    expect(nodeClass.spec.securityGroupSelectorTerms).toHaveLength(1);
  });

  test('the default NodePool: spot and on-demand, amd64, c/m/r from generation 6, limits, consolidation, budget', () => {
    const pool = objects.find(o => o.kind === 'NodePool');
    expect(pool).toEqual({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      // the prune label lets `cdk deploy` delete a NodePool removed from the code
      metadata: { name: 'default', labels: { [Object.keys(pool.metadata.labels)[0]]: '' } },
      spec: {
        template: {
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
            requirements: [
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
              { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
              { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
              { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
              { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
            ],
            expireAfter: '720h',
          },
        },
        limits: { cpu: '64', memory: '256Gi' },
        disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m', budgets: [{ nodes: '10%' }] },
      },
    });
  });

  test('the NodePools come after the controller chart; workloads after them', () => {
    const [[poolsId, pools]] = ofType(template, 'Custom::AWSCDK-EKS-KubernetesResource').filter(([id]) => id.includes('KarpenterAddOnNodePools'));
    const [[controllerId]] = ofType(template, 'Custom::AWSCDK-EKS-HelmChart').filter(([, r]) => r.Properties.Chart === 'karpenter');
    expect(pools.DependsOn).toContain(controllerId);
    expect(poolsId).toBeDefined();
  });
});

describe('NodePool options', () => {
  test('a spot-only arm64 pool and an on-demand pool with weight, WhenEmpty after 5 minutes', () => {
    const { template } = synth({
      nodePools: [
        { name: 'spot-arm', capacityTypes: [KarpenterCapacityType.SPOT], architectures: [KarpenterArchitecture.ARM64], instanceFamilies: ['m7g', 'c7g'], minGeneration: 7 },
        {
          name: 'steady',
          capacityTypes: [KarpenterCapacityType.ON_DEMAND],
          weight: 10,
          consolidationPolicy: KarpenterConsolidationPolicy.WHEN_EMPTY,
          consolidateAfter: Duration.minutes(5),
          disruptionBudgetPercent: 20,
          labels: { tier: 'steady' },
        },
      ],
    });
    const pools = karpenterObjects(template).filter(o => o.kind === 'NodePool');
    expect(pools.map(p => p.metadata.name)).toEqual(['spot-arm', 'steady']);
    expect(pools[0].spec.template.spec.requirements).toContainEqual({ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m7g', 'c7g'] });
    expect(pools[1].spec).toMatchObject({ weight: 10, disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '5m', budgets: [{ nodes: '20%' }] } });
    expect(pools[1].spec.template.metadata).toEqual({ labels: { tier: 'steady' } });
  });

  test('requirements are matched against the instance-type table', () => {
    expect(matchingInstanceTypes(nodePoolRequirements({ name: 'x' }))).toEqual(expect.arrayContaining(['m7i.large', 'c6a.xlarge', 'r7g.large'].filter(t => !t.startsWith('r7g'))));
    expect(matchingInstanceTypes(nodePoolRequirements({ name: 'x', architectures: [KarpenterArchitecture.ARM64] }))).toContain('m7g.large');
    expect(matchingInstanceTypes(nodePoolRequirements({ name: 'x', instanceFamilies: ['m7i'], architectures: [KarpenterArchitecture.ARM64] }))).toEqual([]);
  });
});

describe('KarpenterAddOn bad input', () => {
  const install = (props: KarpenterAddOnProps) => () => synth(props);

  test('a NodePool that matches no instance type: arm64 with x86 families', () => {
    expect(install({ nodePools: [{ name: 'bad', architectures: [KarpenterArchitecture.ARM64], instanceFamilies: ['m7i'] }] })).toThrow(
      '[Test/Eks] KarpenterAddOn.nodePools[0] is {"name":"bad","architectures":["arm64"],"instanceFamilies":["m7i"]}: its requirements match no EC2 instance type');
  });

  test('a family outside the categories, or a generation none has, matches nothing', () => {
    expect(install({ nodePools: [{ name: 'bad', instanceFamilies: ['t3'] }] })).toThrow(/nodePools\[0\] is .*its requirements match no EC2 instance type/);
    expect(install({ nodePools: [{ name: 'bad', minGeneration: 9 }] })).toThrow(/match no EC2 instance type/);
    expect(install({ nodePools: [{ name: 'bad', requirements: [{ key: 'karpenter.k8s.aws/instance-cpu', operator: KarpenterRequirementOperator.GT, values: ['512'] }] }] }))
      .toThrow(/match no EC2 instance type/);
  });

  test('requirements against the CRD schema: operators, values, reserved keys', () => {
    const req = (r: object) => install({ nodePools: [{ name: 'p', requirements: [r as never] }] });
    expect(req({ key: 'karpenter.k8s.aws/instance-cateogry', operator: 'In', values: ['m'] })).toThrow(
      /KarpenterAddOn\.nodePools\[0\]\.requirements\[0\]\.key is "karpenter\.k8s\.aws\/instance-cateogry": is not a label Karpenter knows in a reserved domain/);
    expect(req({ key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5', '6'] })).toThrow(
      'KarpenterAddOn.nodePools[0].requirements[0].values is ["5","6"]: must be exactly one non-negative integer for Gt (e.g. ["5"]).');
    expect(req({ key: 'example.com/team', operator: 'In', values: [] })).toThrow('requirements[0].values is []: must hold at least one value for In.');
    expect(req({ key: 'example.com/team', operator: 'Exists', values: ['a'] })).toThrow('requirements[0].values is ["a"]: must be empty for Exists.');
    expect(req({ key: 'example.com/team', operator: 'Near' })).toThrow(/requirements\[0\]\.operator is "Near": must be one of In, NotIn/);
  });

  test('pool names, limits and budgets', () => {
    expect(install({ nodePools: [{ name: 'Default' }] })).toThrow(/KarpenterAddOn\.nodePools\[0\]\.name is "Default": must be a DNS-1123 label/);
    expect(install({ nodePools: [{ name: 'a' }, { name: 'a' }] })).toThrow(/nodePools\[\]\.name is "a": each NodePool name may appear only once/);
    expect(install({ nodePools: [] })).toThrow('KarpenterAddOn.nodePools is []: must contain at least one element.');
    expect(install({ nodePools: [{ name: 'a', weight: 0 }] })).toThrow(/nodePools\[0\]\.weight is 0: must be an integer from 1 to 100/);
    expect(install({ nodePools: [{ name: 'a', capacityTypes: ['reserved' as KarpenterCapacityType] }] })).toThrow(/capacityTypes\[0\] is "reserved": must be KarpenterCapacityType.SPOT/);
  });

  test('refused together with the Cluster Autoscaler on the same nodes', () => {
    const { cluster } = eksCluster(ClusterCapacity.managedNodeGroups());
    expect(() => new KarpenterAddOn().install(cluster)).toThrow(
      /\[Test\/Eks\] KarpenterAddOn\.install\(cluster\) is "Test\/Eks \(eks\)": also runs the Cluster Autoscaler: both would add nodes for the same pending pods\. Use ClusterCapacity\.managedNodeGroups\(\{ clusterAutoscaler: false \}\)/);
  });

  test('refused on EKS Auto Mode (Karpenter built in)', () => {
    const { cluster } = eksCluster(ClusterCapacity.autoMode());
    expect(() => new KarpenterAddOn().install(cluster)).toThrow(/install\(cluster\) is "Test\/Eks \(eks\)": runs EKS Auto Mode \(ClusterCapacity\.autoMode\(\)\), which has Karpenter built in/);
  });

  test('refused on k3s, naming the cluster kind', () => {
    const app = new App();
    expect(() => new SelfManagedPlatformStack(app, 'acme-k3s', { platformName: 'acme', distribution: SelfManagedDistribution.k3s(), addOns: [new KarpenterAddOn()] })).toThrow(
      /KarpenterAddOn\.install\(cluster\) is "acme-k3s\/Cluster \(k3s\)": must be an EksPlatformCluster: Karpenter launches EC2 instances for EKS only/);
  });

  test('through the platform stack: addOns with clusterAutoscaler off', () => {
    const app = new App({ context: CONTEXT });
    const stack = new EksPlatformStack(app, 'acme-eks', { platformName: 'acme', capacity: NO_CA, addOns: [new KarpenterAddOn()] });
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 4);
  });
});
