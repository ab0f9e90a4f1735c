import { CfnResource } from 'aws-cdk-lib';
import { guardMarkOf } from './marks';

/**
 * Which resources the {@link ReplacementGuard} protects and which of their properties make CloudFormation
 * replace them (or the instances they run) when changed. From the CloudFormation resource reference
 * ("Update requires: Replacement") and the registry schemas' `createOnlyProperties`; a property path is
 * dotted (`ResourcesVpcConfig.SubnetIds`).
 */

/** One protected resource type. */
export interface ReplacementRule {
  /** Named opt-in category: Network, Cluster, NodeGroup, Server, Token, BackupVault or Release. */
  readonly category: string;
  /** Properties whose change replaces the resource (or, for servers, the running instances). */
  readonly properties: readonly string[];
  /** Only resources for which this holds are protected (e.g. launch templates that pick an AMI). */
  readonly applies?: (properties: Record<string, unknown>, resource: CfnResource) => boolean;
  /** What to do when a given property changes, added to the message (e.g. a prop that keeps the old form). */
  readonly hints?: Readonly<Record<string, string>>;
}

/** The opt-in categories, in the order the docs list them. */
export const CATEGORIES = ['Network', 'Cluster', 'NodeGroup', 'Server', 'Token', 'BackupVault', 'Release'] as const;

/** Opt-in name for a Kubernetes version change that skips a minor version or goes back. */
export const VERSION_SKIP = 'VersionSkip';

/** Opt-in name for a StatefulSet of a workload release whose immutable fields (claim templates) change. */
export const STATEFUL_SET = 'StatefulSet';

/** Auto Scaling group properties whose change a group with a rolling update applies by rolling its nodes. */
export const ROLLING_GROUP_PROPERTIES: readonly string[] = [
  'VPCZoneIdentifier', 'AvailabilityZones', 'LaunchTemplate.LaunchTemplateId', 'LaunchTemplate.LaunchTemplateName',
];

const VAULT_KEY_FIXED = 'AWS Backup fixes a vault\'s key when it creates the vault, and CloudFormation cannot replace a vault whose name '
  + 'stays the same: the deploy would fail and roll back.';

const NODE_GROUP_REPLACED = 'EKS cannot change a managed node group\'s instance types, AMI type, capacity type or disk size in place: '
  + 'CloudFormation creates a new group and then deletes the old one, whose pods are evicted onto the new nodes. To move without '
  + 'a replacement, add a group with the new settings (e.g. the `spot` group), let the pods move, then remove the old one. '
  + 'A Kubernetes version, AMI release or launch template change instead rolls the group in place (maxUnavailable nodes at a time, pod disruption budgets honoured).';

export const REPLACEMENT_RULES: Readonly<Record<string, ReplacementRule>> = {
  // The network: a new VPC or subnet means new ENIs for everything in it.
  'AWS::EC2::VPC': {
    category: 'Network',
    properties: ['CidrBlock', 'Ipv4IpamPoolId', 'Ipv4NetmaskLength', 'InstanceTenancy'],
  },
  'AWS::EC2::Subnet': {
    category: 'Network',
    properties: ['VpcId', 'CidrBlock', 'AvailabilityZone', 'AvailabilityZoneId', 'Ipv4IpamPoolId', 'Ipv4NetmaskLength', 'OutpostArn'],
  },
  // The EKS control plane (aws-cdk issues 28584 and 30107: a replaced cluster is a new, empty cluster).
  'AWS::EKS::Cluster': {
    category: 'Cluster',
    properties: [
      'Name', 'RoleArn', 'ResourcesVpcConfig.SubnetIds', 'ResourcesVpcConfig.SecurityGroupIds', 'EncryptionConfig',
      'KubernetesNetworkConfig.ServiceIpv4Cidr', 'KubernetesNetworkConfig.ServiceIpv6Cidr', 'KubernetesNetworkConfig.IpFamily',
      'AccessConfig.BootstrapClusterCreatorAdminPermissions', 'BootstrapSelfManagedAddons', 'OutpostConfig',
    ],
    hints: {
      EncryptionConfig: 'If the only change is the dropped `Resources: ["secrets"]` (earlier versions of cdk-k8s-platform wrote it; '
        + 'CloudFormation now marks it deprecated), keep the deployed form with `legacyEncryptionConfig: true` on the EksPlatformStack.',
    },
  },
  // EKS managed node groups: createOnlyProperties of AWS::EKS::Nodegroup. `Version`, `ReleaseVersion` (the AMI
  // release) and the launch template version are updated in place: EKS rolls the nodes, maxUnavailable at a time.
  'AWS::EKS::Nodegroup': {
    category: 'NodeGroup',
    properties: ['ClusterName', 'NodegroupName', 'AmiType', 'CapacityType', 'InstanceTypes', 'DiskSize', 'NodeRole', 'Subnets', 'RemoteAccess'],
    hints: Object.fromEntries(['InstanceTypes', 'AmiType', 'CapacityType', 'DiskSize'].map(p => [p, NODE_GROUP_REPLACED])),
  },
  // Self-managed nodes: a launch template that picks the AMI is a server's (or agent's) definition; every
  // change of its data is a new version, and the group rolls onto new instances (the named properties say
  // what changed; `LaunchTemplateData` as a whole catches the rest, e.g. monitoring or metadata options).
  'AWS::EC2::LaunchTemplate': {
    category: 'Server',
    properties: [
      'LaunchTemplateName', 'LaunchTemplateData.ImageId', 'LaunchTemplateData.InstanceType', 'LaunchTemplateData.UserData',
      'LaunchTemplateData.BlockDeviceMappings', 'LaunchTemplateData.IamInstanceProfile', 'LaunchTemplateData',
    ],
    applies: p => isObject(p.LaunchTemplateData) && p.LaunchTemplateData.ImageId !== undefined,
  },
  'AWS::AutoScaling::AutoScalingGroup': {
    category: 'Server',
    properties: ['AutoScalingGroupName', 'InstanceId', 'VPCZoneIdentifier', 'AvailabilityZones', 'LaunchTemplate.LaunchTemplateId', 'LaunchTemplate.LaunchTemplateName'],
  },
  'AWS::EC2::Instance': {
    category: 'Server',
    properties: [
      'ImageId', 'InstanceType', 'UserData', 'AvailabilityZone', 'SubnetId', 'KeyName', 'PrivateIpAddress', 'NetworkInterfaces',
      'LaunchTemplate', 'BlockDeviceMappings', 'Tenancy',
    ],
  },
  // Cluster tokens (k3s server and agent tokens, the kubeadm bootstrap token): a new name replaces the secret
  // and new generation settings make CloudFormation generate a new value; either locks every node out.
  'AWS::SecretsManager::Secret': {
    category: 'Token',
    properties: [
      'Name', 'SecretString',
      ...['ExcludeCharacters', 'ExcludeLowercase', 'ExcludeNumbers', 'ExcludePunctuation', 'ExcludeUppercase', 'GenerateStringKey',
        'IncludeSpace', 'PasswordLength', 'RequireEachIncludedType', 'SecretStringTemplate'].map(p => `GenerateSecretString.${p}`),
    ],
    applies: (_, resource) => guardMarkOf(resource)?.role === 'cluster-token',
  },
  // The volume backup vault (its name is the platform's): AWS Backup fixes a vault's name and key when it creates
  // it (createOnlyProperties), and CloudFormation cannot replace a resource with a fixed name.
  'AWS::Backup::BackupVault': {
    category: 'BackupVault',
    properties: ['BackupVaultName', 'EncryptionKeyArn'],
    hints: {
      EncryptionKeyArn: `${VAULT_KEY_FIXED} Keep the key the vault was created with: give it as volumeBackup: { encryptionKey } (a vault `
        + 'created without a key cannot take one later).',
      BackupVaultName: 'A new name is a new, empty vault: the old one leaves the stack and stays in the account (retained) with its '
        + 'recovery points, which do not move.',
    },
  },
  // The Helm release of a workload delivery (aws-eks-v2 HelmChart): no property replaces it, but deleting it
  // uninstalls the release (Helm deletes its objects), and a chart moving out of it moves objects between
  // releases (Helm refuses them, or deletes and recreates them). The lock records the charts of each release.
  'Custom::AWSCDK-EKS-HelmChart': {
    category: 'Release',
    properties: [],
    applies: (_, resource) => guardMarkOf(resource)?.role === 'workload-release',
  },
};

export function isObject(x: unknown): x is Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The value at a dotted path, or undefined. */
export function valueAt(properties: Record<string, unknown>, path: string): unknown {
  let cur: unknown = properties;
  for (const key of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}
