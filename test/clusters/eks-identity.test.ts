import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { App as Cdk8sApp } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { IPlatformCluster, workloadIdentityGrant } from '../../lib/clusters';
import { EksPlatformCluster, EksWorkloadIdentity } from '../../lib/clusters/eks';
import { PlatformNetwork } from '../../lib/network';
import { ClusterTraits, PlatformChart, WebService, WorkloadIdentity } from '../../lib/workloads';

const IMAGE = 'public.ecr.aws/acme/orders:1.4.2';
type Resource = { Type: string; Properties: any; DependsOn?: string[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
const ofType = (t: Template, type: string) => Object.entries(t.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

const logicalId = (c: IConstruct) => Stack.of(c).getLogicalId(c as CfnElement);

/** An EKS platform cluster `acme` in a fresh stack. */
function eksCluster(): { stack: Stack; cluster: EksPlatformCluster } {
  const stack = new Stack(new App(), 'Test');
  const network = new PlatformNetwork(stack, 'Network');
  return { stack, cluster: new EksPlatformCluster(stack, 'Eks', { vpc: network.vpc, vpcCidr: network.vpcCidr, clusterName: 'acme' }) };
}

/** The chart `shop` (namespace shop); with `identity`, its web service runs as the WorkloadIdentity `orders`. */
function shopChart(cluster: EksPlatformCluster, identity: boolean): { chart: PlatformChart; orders?: WorkloadIdentity } {
  const chart = new PlatformChart(new Cdk8sApp(), 'shop', { traits: cluster.traits, namespace: 'shop' });
  const orders = identity ? new WorkloadIdentity(chart, 'orders') : undefined;
  new WebService(chart, 'api', { image: IMAGE, replicas: 2, identity: orders, ports: [{ name: 'http', port: 8080 }] });
  return { chart, orders };
}

describe('workload identity on EKS (Pod Identity)', () => {
  let template: Template;
  let cluster: EksPlatformCluster;
  let orders: WorkloadIdentity;
  let grant: EksWorkloadIdentity;
  let bucketId: string;
  beforeAll(() => {
    const built = eksCluster();
    cluster = built.cluster;
    const shop = shopChart(cluster, true);
    orders = shop.orders!;
    cluster.addWorkloads('shop', [shop.chart]);
    grant = cluster.workloadIdentity(orders);
    const bucket = new s3.Bucket(built.stack, 'Data', { enforceSSL: true });
    bucket.grantRead(grant);
    bucketId = logicalId(bucket.node.defaultChild!);
    template = Template.fromStack(built.stack);
  });

  test('one Pod Identity association: cluster, namespace and ServiceAccount of the identity, its own role', () => {
    const associations = ofType(template, 'AWS::EKS::PodIdentityAssociation').map(([, r]) => r.Properties).filter(p => p.Namespace === 'shop');
    // the cluster by reference: the association is created after the cluster, never with it
    expect(associations).toEqual([{
      ClusterName: { Ref: logicalId(cluster.cluster.node.defaultChild!) },
      Namespace: 'shop',
      ServiceAccount: 'orders',
      RoleArn: { 'Fn::GetAtt': [logicalId(grant.role.node.defaultChild!), 'Arn'] },
    }]);
  });

  test('the role trusts EKS Pod Identity (AssumeRole + TagSession) for this account and this cluster only', () => {
    const roleId = logicalId(grant.role.node.defaultChild!);
    const clusterId = logicalId(cluster.cluster.node.defaultChild!);
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [clusterId, 'Arn'] } },
      },
    }]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Description).toEqual({ 'Fn::Join': ['', ['Workload identity shop/orders on EKS cluster ', { Ref: clusterId }]] });
  });

  test('it is an iam.IGrantable: bucket.grantRead gives the role read access to that bucket only', () => {
    const roleId = logicalId(grant.role.node.defaultChild!);
    const policies = ofType(template, 'AWS::IAM::Policy').map(([, r]) => r.Properties).filter(p => p.Roles.some((x: { Ref: string }) => x.Ref === roleId));
    expect(policies).toHaveLength(1);
    const bucketArn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
    expect(policies[0].PolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
      Resource: [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }],
    }]);
  });

  test('the workload release waits for the association (pods get credentials from their first start)', () => {
    const associationId = logicalId(grant.association);
    const releases = ofType(template, 'Custom::AWSCDK-EKS-HelmChart').filter(([, r]) => r.Properties.ChartAssetURL !== undefined);
    expect(releases).toHaveLength(1);
    expect(releases[0][1].DependsOn).toContain(associationId);
  });

  test('one identity, one grant: addWorkloads and later calls (also with a plain reference) share it', () => {
    expect(cluster.workloadIdentity(orders)).toBe(grant);
    expect(cluster.workloadIdentity({ namespace: 'shop', serviceAccountName: 'orders' })).toBe(grant);
    expect(workloadIdentityGrant(cluster, orders)).toBe(grant);
    expect(cluster.bindWorkloadIdentity(orders)).toBe(grant);
  });
});

describe('adding or removing an identity', () => {
  test('never changes the cluster, its node groups or add-ons: it adds a role, a policy and an association', () => {
    const build = (identity: boolean) => {
      const { stack, cluster } = eksCluster();
      cluster.addWorkloads('shop', [shopChart(cluster, identity).chart]);
      return Template.fromStack(stack);
    };
    const [without, withIdentity] = [build(false), build(true)];
    for (const type of ['AWS::EKS::Cluster', 'AWS::EKS::Nodegroup', 'AWS::EKS::Addon', 'AWS::EC2::LaunchTemplate', 'AWS::IAM::Role']) {
      const before = Object.fromEntries(ofType(without, type));
      const after = Object.fromEntries(ofType(withIdentity, type));
      for (const [id, resource] of Object.entries(before)) expect(after[id]).toEqual(resource);
    }
    const added = Object.keys(withIdentity.toJSON().Resources).filter(id => !(id in without.toJSON().Resources))
      .map(id => withIdentity.toJSON().Resources[id].Type).sort();
    expect(added).toEqual(['AWS::EKS::PodIdentityAssociation', 'AWS::IAM::Role']);
  });
});

describe('workload identity: bad input and other clusters', () => {
  test('two WorkloadIdentities of one namespace and name in two charts delivered to one cluster: a clash', () => {
    const { cluster } = eksCluster();
    const a = shopChart(cluster, true).chart;
    const b = new PlatformChart(new Cdk8sApp(), 'shop-b', { traits: cluster.traits, namespace: 'shop' });
    new WorkloadIdentity(b, 'orders');
    cluster.addWorkloads('a', [a]);
    expect(() => cluster.addWorkloads('b', [b])).toThrow(
      '[Test/Eks] EksPlatformCluster.identity is "shop/orders": is declared twice, by shop/orders and by shop-b/orders: two ServiceAccounts cannot share a namespace and name');
  });

  test('a grant on a cluster kind that cannot give pods AWS credentials is refused with the alternative', () => {
    class NoIdentityCluster extends Construct {
      public readonly clusterName = 'lab';
      public readonly distribution = 'kubeadm';
      public readonly traits = ClusterTraits.k3s();
      public addWorkloads(): void {}
      public addHelmChart(): never {
        throw new Error('unused');
      }
    }
    const cluster = new NoIdentityCluster(new Stack(new App(), 'Lab'), 'Kubeadm') as unknown as IPlatformCluster;
    expect(() => workloadIdentityGrant(cluster, { namespace: 'shop', serviceAccountName: 'orders' })).toThrow(
      '[Lab/Kubeadm] NoIdentityCluster.identity is "shop/orders": cannot get AWS credentials on this kubeadm cluster: it does not bind workload identities yet. '
      + 'Run the workload on an EksPlatformCluster (EKS Pod Identity)');
  });

  test('an identity whose namespace or name is no Kubernetes name is refused', () => {
    const { cluster } = eksCluster();
    expect(() => cluster.workloadIdentity({ namespace: 'Shop', serviceAccountName: 'orders' }))
      .toThrow('EksWorkloadIdentity.identity.namespace is "Shop": must be a Kubernetes namespace name');
    expect(() => cluster.workloadIdentity({ namespace: 'shop', serviceAccountName: 'a'.repeat(101) }))
      .toThrow(/EksWorkloadIdentity\.identity\.serviceAccountName is "a+": must be a ServiceAccount name/);
  });
});

describe('EksWorkloadIdentity on a cluster imported into another CDK app', () => {
  test('an aws-eks-v2 cluster from its attributes: role trusted for that cluster, association by name', () => {
    const stack = new Stack(new App(), 'Other', { env: { account: '111111111111', region: 'eu-west-1' } });
    const imported = eks.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'legacy' });
    const orders = new EksWorkloadIdentity(stack, 'Orders', { cluster: imported, identity: { namespace: 'shop', serviceAccountName: 'orders' } });
    new s3.Bucket(stack, 'Data', { enforceSSL: true }).grantRead(orders);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { ClusterName: 'legacy', Namespace: 'shop', ServiceAccount: 'orders' });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111111111111' },
            ArnEquals: { 'aws:SourceArn': Match.anyValue() },
          },
        })],
      },
    });
    expect(JSON.stringify(template.toJSON())).toContain(':cluster/legacy');
  });
});
