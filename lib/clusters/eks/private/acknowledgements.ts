import { CfnCondition, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NagAcknowledgement } from '../../../private/nag';
import type { ClusterEndpointAccess } from '../endpoint-access';


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

/** The deprecated `EncryptionConfig[].Resources`, kept on request for clusters deployed before. */
export const LEGACY_ENCRYPTION_CONFIG: NagAcknowledgement = {
  id: 'CloudFormation-Validate::W9009',
  reason: 'The user set legacyEncryptionConfig: the cluster was deployed with EncryptionConfig[].Resources, and CloudFormation can only change EncryptionConfig by replacing the cluster.',
};

/**
 * CT.EKS.PR.2 asks for `EncryptionConfig[].Resources: ['secrets']`, which CloudFormation's schema deprecates
 * (W9009); the library writes the key alone unless `legacyEncryptionConfig` is set.
 */
export const SECRETS_KEY_WITHOUT_RESOURCES: NagAcknowledgement = {
  id: 'cdk-validator-cfnguard::eks_secrets_encrypted_check',
  reason: 'Secrets are encrypted with the customer-managed key in EncryptionConfig[0].Provider.KeyArn; the rule also wants EncryptionConfig[].Resources = [secrets], which the AWS::EKS::Cluster schema deprecates (W9009) because EKS (Kubernetes 1.28+) encrypts all API data, Secrets included, with that key.',
};

/** Cluster-level design choices, and the user's choice of a public endpoint. */
export function clusterAcknowledgements(endpoint: ClusterEndpointAccess): NagAcknowledgement[] {
  const acks: NagAcknowledgement[] = ['controllerManager', 'scheduler'].map(log => ({
    id: `AwsSolutions-EKS2[LogExport::${log}]`,
    reason: 'The api, audit and authenticator control-plane logs are enabled (with a retention); controllerManager and scheduler logs are left off for their volume and cost.',
  }));
  if (endpoint.publicAccess) {
    const reason = endpoint.openToInternet
      ? 'The user chose a public API endpoint for every address (endpointAccess: ClusterEndpointAccess.publicFromAnywhere()); every request still needs IAM authentication and an access entry. The default is ClusterEndpointAccess.privateOnly().'
      : `The user chose a public API endpoint limited to their CIDRs (endpointAccess: ${endpoint.toString()}); every request still needs IAM authentication and an access entry. The default is ClusterEndpointAccess.privateOnly().`;
    acks.push({ id: 'AwsSolutions-EKS1', reason }, { id: 'cdk-validator-cfnguard::eks_endpoint_no_public_access_check', reason });
  }
  return acks;
}

/** The kubectl/helm handler and the provider framework's onEvent function (aws-eks-v2 KubectlProvider). */
export function kubectlLambdaAcknowledgements(endpoint: ClusterEndpointAccess): NagAcknowledgement[] {
  const acks: NagAcknowledgement[] = [
    {
      id: 'NIST.800.53.R5-LambdaDLQ',
      reason: 'The kubectl/helm functions of aws-eks-v2 serve CloudFormation custom resources: the provider framework reports every failure to CloudFormation, which fails and rolls back the deployment; a dead-letter queue would hold events nobody replays.',
    },
    {
      id: 'NIST.800.53.R5-LambdaConcurrency',
      reason: 'The kubectl/helm functions of aws-eks-v2 run only during deployments of this stack; reserved concurrency would take capacity from the account\'s unreserved pool and fails to deploy in accounts at the minimum quota.',
    },
  ];
  if (endpoint.openToInternet) {
    const reason = 'The user chose a public API endpoint for every address (endpointAccess: ClusterEndpointAccess.publicFromAnywhere()), so the kubectl/helm functions run outside the VPC and reach it over the public endpoint (faster stack deletion).';
    acks.push({ id: 'NIST.800.53.R5-LambdaInsideVPC', reason }, { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason });
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
