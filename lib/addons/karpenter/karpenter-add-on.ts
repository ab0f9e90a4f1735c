import { Size } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { ec2NodeClassManifest, KarpenterNodePoolOptions, nodePoolManifest, validateNodePool } from './karpenter-node-pool';
import { controllerStatements } from './private/controller-policy';
import { interruptionQueue } from './private/interruption-queue';
import { ClusterDistribution } from '../../clusters/cluster-distribution';
import { EksPlatformCluster } from '../../clusters/eks/eks-platform-cluster';
import { PodIdentity } from '../../clusters/eks/private/pod-identity';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { acknowledge } from '../../private/nag';
import { cdkPropValidator } from '../../private/validate';
import { PropValidator } from '../../workloads/private/validate';
import { IPlatformAddOn } from '../platform-add-on';

/** Karpenter's charts (`oci://public.ecr.aws/karpenter`) and the node image, pinned. */
export const KARPENTER_VERSIONS = {
  repository: 'oci://public.ecr.aws/karpenter',
  /** Karpenter 1.15.0 (October 2026) supports Kubernetes 1.29 to at least 1.35. */
  version: '1.15.0',
  /** The EKS-optimized AL2023 AMI release the nodes run (EC2NodeClass `amiSelectorTerms[].alias`). */
  amiAlias: 'al2023@v20260930',
} as const;

/** Props of the {@link KarpenterAddOn}. */
export interface KarpenterAddOnProps {
  /**
   * The NodePools. Each gets its own EC2NodeClass-backed nodes; pools are checked at synth against Karpenter's
   * v1 schema for the fields this library writes, and refused when their requirements match no instance type.
   * @default - one pool `default`: spot and on-demand, amd64, categories c/m/r of generation 6 or later, 64 vCPUs at most, consolidation when empty or underutilized
   */
  readonly nodePools?: KarpenterNodePoolOptions[];
  /**
   * Root volume of the nodes (encrypted gp3).
   * @default Size.gibibytes(50)
   */
  readonly diskSize?: Size;
  /**
   * Controller replicas (they elect a leader; the chart's PodDisruptionBudget keeps one running).
   * @default 2
   */
  readonly replicas?: number;
}

const NAMESPACE = 'kube-system';
const SERVICE_ACCOUNT = 'karpenter';
const NODE_CLASS = 'default';

/** ARN patterns of the resources Karpenter creates or selects at run time (its reference controller policy). */
const RUNTIME_RESOURCES = [
  'arn:<AWS::Partition>:ec2:<AWS::Region>::image/*',
  'arn:<AWS::Partition>:ec2:<AWS::Region>::snapshot/*',
  ...['security-group', 'subnet', 'capacity-reservation', 'launch-template', 'fleet', 'instance', 'volume', 'network-interface', 'spot-instances-request']
    .map(type => `arn:<AWS::Partition>:ec2:<AWS::Region>:*:${type}/*`),
  'arn:<AWS::Partition>:ssm:<AWS::Region>::parameter/aws/service/*',
  'arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*',
];

/**
 * Karpenter as the node autoscaler of an EKS platform cluster: the `karpenter-crd` and `karpenter` charts
 * (pinned, the controller on the managed node group with EKS Pod Identity), an interruption queue fed by
 * EventBridge (spot interruptions, rebalance recommendations, instance state changes, scheduled changes), a
 * node role with an EC2_LINUX access entry, one EC2NodeClass (AL2023 pinned, IMDSv2 with hop limit 1,
 * encrypted gp3, the cluster's private subnets and security group) and the NodePools.
 *
 * EKS only, with managed node groups and `clusterAutoscaler: false` (two autoscalers would both add nodes for
 * the same pending pods); EKS Auto Mode has Karpenter built in. `install` refuses the rest, saying why.
 */
export class KarpenterAddOn implements IPlatformAddOn {
  public readonly name = 'karpenter';
  /** The interruption queue, once installed. */
  public queue?: sqs.Queue;
  /** The node role, once installed. */
  public nodeRole?: iam.Role;
  private readonly props: KarpenterAddOnProps;

  constructor(props: KarpenterAddOnProps = {}) {
    this.props = props;
  }

  public install(cluster: IPlatformCluster): IDependable {
    const eksCluster = this.checkCluster(cluster);
    const v = cdkPropValidator(cluster, 'KarpenterAddOn');
    const pools = this.props.nodePools ?? [{ name: 'default' }];
    v.nonEmpty('nodePools', pools);
    pools.forEach((p, i) => validateNodePool(v, `nodePools[${i}]`, p));
    v.unique('nodePools[].name', pools.map(p => p.name), 'NodePool name');
    const diskGib = (this.props.diskSize ?? Size.gibibytes(50)).toGibibytes();
    v.integer('diskSize', diskGib, 20, 16_384, 'GiB');
    const replicas = v.integer('replicas', this.props.replicas ?? 2, 1, 5);
    return this.installOnEks(eksCluster, pools, diskGib, replicas);
  }

  /** The cluster, if Karpenter may run on it; otherwise the error says why and what to use. */
  private checkCluster(cluster: IPlatformCluster): EksPlatformCluster {
    const v = new PropValidator(cluster, 'KarpenterAddOn');
    const where = `${cluster.node.path} (${cluster.distribution})`;
    if (cluster.distribution !== ClusterDistribution.EKS || !(cluster instanceof EksPlatformCluster)) {
      return v.fail('install(cluster)', where, 'must be an EksPlatformCluster: Karpenter launches EC2 instances for EKS only. '
        + 'k3s and kubeadm clusters scale their Auto Scaling groups (minSize/maxSize of their node groups).');
    }
    if (cluster.nodeGroups.length === 0) {
      const fargate = cluster.node.findAll().some(c => c instanceof eks.FargateProfile);
      return v.fail('install(cluster)', where, fargate
        ? 'is a Fargate-only cluster: Karpenter launches EC2 nodes and needs a managed node group for its controller. Use ClusterCapacity.managedNodeGroups({ clusterAutoscaler: false }).'
        : 'runs EKS Auto Mode (ClusterCapacity.autoMode()), which has Karpenter built in: remove the KarpenterAddOn, or use ClusterCapacity.managedNodeGroups({ clusterAutoscaler: false }).');
    }
    if (cluster.clusterAutoscaler) {
      return v.fail('install(cluster)', where, 'also runs the Cluster Autoscaler: both would add nodes for the same pending pods. '
        + 'Use ClusterCapacity.managedNodeGroups({ clusterAutoscaler: false }) with the KarpenterAddOn.');
    }
    return cluster;
  }

  private installOnEks(cluster: EksPlatformCluster, pools: KarpenterNodePoolOptions[], diskGib: number, replicas: number): IDependable {
    const scope = new Construct(cluster, 'KarpenterAddOn');
    const clusterName = cluster.clusterName;
    const queue = interruptionQueue(scope, clusterName);
    const nodeRole = this.nodeRoleOf(scope, cluster);
    const identity = new PodIdentity(scope, 'ControllerIdentity', {
      cluster: cluster.cluster,
      namespace: NAMESPACE,
      serviceAccount: SERVICE_ACCOUNT,
      statements: controllerStatements(scope, { clusterName, clusterArn: cluster.cluster.clusterArn, nodeRole, queue }),
    });
    const reason = 'Karpenter\'s reference policy: EC2 Describe calls and pricing:GetProducts support no resource-level permissions (limited to the region by aws:RequestedRegion); launching, tagging and terminating are limited by this cluster\'s ownership tags instead of ARNs of instances that do not exist yet.';
    acknowledge(identity.role, { id: 'AwsSolutions-IAM5[Resource::*]', reason }, ...RUNTIME_RESOURCES.map(resource => ({
      id: `AwsSolutions-IAM5[Resource::${resource}]`,
      reason: `${reason} The images, snapshots, subnets and security groups it launches from are chosen by the EC2NodeClass's selectors at run time; `
        + 'instance profiles are created and deleted by Karpenter for the node role only (iam:PassRole is limited to that role).',
    })));
    this.queue = queue;
    this.nodeRole = nodeRole;

    const crds = cluster.addHelmChart('karpenter-crd', {
      repository: KARPENTER_VERSIONS.repository,
      chart: 'karpenter-crd',
      version: KARPENTER_VERSIONS.version,
      namespace: NAMESPACE,
      createNamespace: false,
    });
    const controller = cluster.addHelmChart(this.name, {
      repository: KARPENTER_VERSIONS.repository,
      chart: 'karpenter',
      version: KARPENTER_VERSIONS.version,
      namespace: NAMESPACE,
      createNamespace: false,
      dependsOn: [crds, identity],
      values: {
        replicas,
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        settings: { clusterName, interruptionQueue: queue.queueName },
        controller: { resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } } },
      },
    });
    const subnetIds = cluster.cluster.vpc.privateSubnets.map(s => s.subnetId);
    const objects = new eks.KubernetesManifest(scope, 'NodePools', {
      cluster: cluster.cluster,
      overwrite: true,
      manifest: [
        ec2NodeClassManifest({
          name: NODE_CLASS,
          role: nodeRole.roleName,
          subnetIds,
          securityGroupIds: [cluster.cluster.clusterSecurityGroupId],
          amiAlias: KARPENTER_VERSIONS.amiAlias,
          diskGib,
          tags: { 'karpenter.sh/discovery': clusterName },
        }),
        ...pools.map(p => nodePoolManifest(p, NODE_CLASS)),
      ],
    });
    objects.node.addDependency(controller);
    const ready = new DependencyGroup(controller, objects);
    cluster.workloadDependencies.push(ready);
    return ready;
  }

  /** The role of Karpenter's nodes, admitted to the cluster by an EC2_LINUX access entry. */
  private nodeRoleOf(scope: Construct, cluster: EksPlatformCluster): iam.Role {
    const role = new iam.Role(scope, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Nodes that Karpenter launches for EKS cluster ${cluster.clusterName}`,
      managedPolicies: ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore']
        .map(n => iam.ManagedPolicy.fromAwsManagedPolicyName(n)),
    });
    for (const n of ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore']) {
      acknowledge(role, {
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${n}]`,
        reason: 'The AWS managed policies EKS documents for worker nodes (kubelet, VPC CNI, image pulls, Session Manager instead of SSH); AWS keeps them current with EKS.',
      });
    }
    new eks.AccessEntry(scope, 'NodeAccess', {
      cluster: cluster.cluster,
      principal: role.roleArn,
      accessPolicies: [],
      accessEntryType: eks.AccessEntryType.EC2_LINUX,
    });
    return role;
  }
}
