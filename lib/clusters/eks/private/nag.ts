import { CfnCondition, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NagAcknowledgement } from '../../../private/nag';

export { acknowledge } from '../../../private/nag';
export type { NagAcknowledgement } from '../../../private/nag';

const policy = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;

/** The control-plane role of the cluster. */
export const CLUSTER_ROLE: NagAcknowledgement[] = [{
  id: policy('AmazonEKSClusterPolicy'),
  reason: 'AmazonEKSClusterPolicy is the AWS-maintained policy EKS requires for the cluster service role; AWS updates it with the service.',
}];

/** Extra policies of the control-plane role in Auto Mode. */
export const AUTO_MODE_ROLES: NagAcknowledgement[] = [
  'AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy',
  'AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly',
].map(name => ({
  id: policy(name),
  reason: `${name} is one of the AWS-maintained policies EKS Auto Mode requires on its cluster and node roles.`,
}));

/** The node role of managed node groups. */
export const NODE_ROLE: NagAcknowledgement[] = [
  { id: policy('AmazonEKSWorkerNodePolicy'), reason: 'Required AWS-maintained policy for EKS worker nodes to join and report to the cluster.' },
  { id: policy('AmazonEKS_CNI_Policy'), reason: 'The VPC CNI (aws-node) assigns pod IPs from the node; AWS maintains the policy with the CNI.' },
  { id: policy('AmazonEC2ContainerRegistryReadOnly'), reason: 'Nodes pull the EKS add-on and controller images from ECR (read only).' },
];

/** The kubectl/helm Lambda and its custom-resource provider, created by aws-eks-v2. */
export const KUBECTL_PROVIDER: NagAcknowledgement[] = [
  { id: policy('service-role/AWSLambdaBasicExecutionRole'), reason: 'The kubectl/helm Lambda of aws-eks-v2 only writes its own logs with this AWS-maintained policy.' },
  { id: policy('service-role/AWSLambdaVPCAccessExecutionRole'), reason: 'When the API endpoint is not open to the internet the kubectl/helm Lambda runs in the VPC and needs to manage its ENIs.' },
  { id: policy('AmazonEC2ContainerRegistryReadOnly'), reason: 'The kubectl/helm Lambda of aws-eks-v2 reads OCI Helm charts from ECR.' },
  { id: 'AwsSolutions-L1', reason: 'The runtimes of the aws-eks-v2 kubectl handler and the custom-resource provider framework are chosen by aws-cdk-lib and move with it.' },
];

/** Cluster-level design choices. */
export function clusterAcknowledgements(publicEndpoint: boolean): NagAcknowledgement[] {
  const acks: NagAcknowledgement[] = ['controllerManager', 'scheduler'].map(log => ({
    id: `AwsSolutions-EKS2[LogExport::${log}]`,
    reason: 'The api, audit and authenticator control-plane logs are enabled (with a retention); controllerManager and scheduler logs are left off for their volume and cost.',
  }));
  if (publicEndpoint) {
    acks.push({
      id: 'AwsSolutions-EKS1',
      reason: 'The public endpoint is a documented choice (ClusterEndpointAccess.publicAndPrivate, optionally restricted to CIDRs); every request needs IAM authentication and an access entry. Use ClusterEndpointAccess.privateOnly() to disable it.',
    });
  }
  return acks;
}

/**
 * Findings on the kubectl provider whose ids contain logical IDs (computed from the construct tree, so they
 * follow the cluster's path).
 */
export function kubectlProviderAcknowledgements(provider: IConstruct): NagAcknowledgement[] {
  const acks: NagAcknowledgement[] = [];
  const handler = provider.node.tryFindChild('Handler');
  const fn = handler?.node.defaultChild;
  if (handler && fn && CfnResource.isCfnResource(fn)) {
    const stack = Stack.of(fn);
    acks.push({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn)}.Arn>:*]`,
      reason: 'The custom-resource provider framework invokes all versions of the kubectl handler function (aws-cdk-lib custom_resources.Provider).',
    });
    const condition = handler.node.tryFindChild('HasEcrPublic');
    if (condition instanceof CfnCondition) {
      const arn = { 'Fn::If': [stack.getLogicalId(condition), { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly']] }, { Ref: 'AWS::NoValue' }] };
      acks.push({
        id: `AwsSolutions-IAM4[Policy::${JSON.stringify(arn)}]`,
        reason: 'aws-eks-v2 lets the kubectl/helm Lambda pull public OCI Helm charts from ECR Public (read only, commercial partition only).',
      });
    }
  }
  return acks;
}
