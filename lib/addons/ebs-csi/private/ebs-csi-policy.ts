import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { NagAcknowledgement } from '../../../private/nag';

/** The tag the EBS CSI driver puts on every volume it creates. */
export const DRIVER_TAG = 'ebs.csi.aws.com/cluster';
/** The tag the driver puts on every volume it creates for this cluster (`--k8s-tag-cluster-id`). */
export function ownerTag(clusterName: string): string {
  return `kubernetes.io/cluster/${clusterName}`;
}

/** What the controller's statements are scoped to. */
export interface EbsCsiPolicyScope {
  readonly clusterName: string;
  /** Tag key and value every node of the cluster carries (volumes attach to these instances only). */
  readonly nodeTag: { readonly key: string; readonly value: string };
  /** The key of the volumes, when a customer-managed one encrypts them. */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The least permissions of the EBS CSI controller on k3s and kubeadm, after the AWS managed policy
 * AmazonEBSCSIDriverPolicy, narrowed to this region and account and to this cluster's volumes: create a volume
 * only when the request carries the driver's tag and this cluster's owner tag (the driver adds both), tag it
 * only while creating it, attach and detach only such volumes and only to this cluster's nodes, modify
 * (expand) and delete only such volumes. No snapshot permissions: backups are AWS Backup's (its own role).
 */
export function ebsCsiControllerStatements(stack: Stack, scope: EbsCsiPolicyScope): iam.PolicyStatement[] {
  const arn = (type: string) => stack.formatArn({ service: 'ec2', resource: type, resourceName: '*' });
  const owned = { [`aws:RequestTag/${DRIVER_TAG}`]: 'true', [`aws:RequestTag/${ownerTag(scope.clusterName)}`]: 'owned' };
  const ours = { [`aws:ResourceTag/${DRIVER_TAG}`]: 'true', [`aws:ResourceTag/${ownerTag(scope.clusterName)}`]: 'owned' };
  const statements = [
    new iam.PolicyStatement({
      sid: 'EbsCsiDescribe',
      actions: ['ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances', 'ec2:DescribeInstanceTypes', 'ec2:DescribeSnapshots', 'ec2:DescribeTags',
        'ec2:DescribeVolumes', 'ec2:DescribeVolumesModifications', 'ec2:DescribeVolumeStatus'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
    }),
    new iam.PolicyStatement({ sid: 'EbsCsiCreateVolumes', actions: ['ec2:CreateVolume'], resources: [arn('volume')], conditions: { StringEquals: owned } }),
    new iam.PolicyStatement({
      sid: 'EbsCsiTagOnCreate', actions: ['ec2:CreateTags'], resources: [arn('volume')], conditions: { StringEquals: { 'ec2:CreateAction': 'CreateVolume' } },
    }),
    new iam.PolicyStatement({
      sid: 'EbsCsiOwnVolumes', actions: ['ec2:AttachVolume', 'ec2:DetachVolume', 'ec2:ModifyVolume', 'ec2:DeleteVolume'], resources: [arn('volume')], conditions: { StringEquals: ours },
    }),
    new iam.PolicyStatement({
      sid: 'EbsCsiClusterNodes',
      actions: ['ec2:AttachVolume', 'ec2:DetachVolume'],
      resources: [arn('instance')],
      conditions: { StringEquals: { [`aws:ResourceTag/${scope.nodeTag.key}`]: scope.nodeTag.value } },
    }),
  ];
  if (scope.encryptionKey) statements.push(...keyStatements(stack, scope.encryptionKey));
  return statements;
}

/** A customer-managed key of the volumes: the grants and data-key calls EC2 makes for the driver, through EC2 only. */
function keyStatements(stack: Stack, key: kms.IKey): iam.PolicyStatement[] {
  const viaEc2 = { 'kms:ViaService': `ec2.${stack.region}.amazonaws.com` };
  return [
    new iam.PolicyStatement({
      sid: 'EbsCsiVolumeKey',
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: viaEc2 },
    }),
    new iam.PolicyStatement({
      sid: 'EbsCsiVolumeKeyGrants',
      actions: ['kms:CreateGrant'],
      resources: [key.keyArn],
      conditions: { StringEquals: viaEc2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
  ];
}

/** The cdk-nag findings of these statements on a node role, with why each is accepted. */
export function ebsCsiFindings(regionAccount: string): NagAcknowledgement[] {
  return [
    { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'EC2 Describe calls have no resource-level permissions; the EBS CSI controller lists volumes, instances and zones in this region only (aws:RequestedRegion).' },
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${regionAccount}:volume/*]`,
      reason: 'A volume id is made when the EBS CSI driver creates it: creation needs the driver\'s and this cluster\'s owner tags in the request, every later call needs them on the volume.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${regionAccount}:instance/*]`,
      reason: 'Nodes are replaced by their Auto Scaling groups: volumes attach to and detach from instances carrying this cluster\'s tag only.',
    },
  ];
}
