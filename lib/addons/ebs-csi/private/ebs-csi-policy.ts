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
  /**
   * The key of the volumes, when the class names one; otherwise EC2 encrypts with the account's EBS default
   * key, which may be customer-managed: the statements then name every key in the region, through EC2 only.
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The least permissions of the EBS CSI controller on k3s and kubeadm, after the AWS managed policy
 * AmazonEBSCSIDriverPolicy, narrowed to this region and account and to this cluster's volumes: create a volume
 * only when the request carries the driver's tag and this cluster's owner tag (the driver adds both), tag it
 * only while creating it, attach and detach only such volumes and only to this cluster's nodes, modify
 * (expand) and delete only such volumes (the class retains its volumes: the driver deletes one only when a
 * user sets a volume's reclaim policy to Delete), use the volumes' key through EC2 only. No snapshot
 * permissions: backups are AWS Backup's (its own role), restores static volumes (docs/storage.md).
 */
export function ebsCsiControllerStatements(stack: Stack, scope: EbsCsiPolicyScope): iam.PolicyStatement[] {
  const arn = (type: string) => stack.formatArn({ service: 'ec2', resource: type, resourceName: '*' });
  const owned = { [`aws:RequestTag/${DRIVER_TAG}`]: 'true', [`aws:RequestTag/${ownerTag(scope.clusterName)}`]: 'owned' };
  const ours = { [`aws:ResourceTag/${DRIVER_TAG}`]: 'true', [`aws:ResourceTag/${ownerTag(scope.clusterName)}`]: 'owned' };
  const statements = [
    new iam.PolicyStatement({
      sid: 'EbsCsiDescribe',
      actions: ['ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances', 'ec2:DescribeInstanceTypes', 'ec2:DescribeTags',
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
  return [...statements, ...keyStatements(stack, scope.encryptionKey)];
}

/** Every KMS key of this account in this region (the account's EBS default key may be any of them). */
function regionKeys(stack: Stack): string {
  return stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
}

/**
 * The key of the volumes (the given one, or any key of this account and region when EC2 uses the account's default key):
 * the grants and data-key calls EC2 makes for the driver, through EC2 in this region only.
 */
function keyStatements(stack: Stack, key: kms.IKey | undefined): iam.PolicyStatement[] {
  const resources = [key?.keyArn ?? regionKeys(stack)];
  const viaEc2 = { 'kms:ViaService': `ec2.${stack.region}.amazonaws.com` };
  return [
    new iam.PolicyStatement({
      sid: 'EbsCsiVolumeKey',
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      resources,
      conditions: { StringEquals: viaEc2 },
    }),
    new iam.PolicyStatement({
      sid: 'EbsCsiVolumeKeyGrants',
      actions: ['kms:CreateGrant'],
      resources,
      conditions: { StringEquals: viaEc2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
  ];
}

/** The cdk-nag findings of these statements on a node role, with why each is accepted. */
export function ebsCsiFindings(regionAccount: string, defaultKey: boolean): NagAcknowledgement[] {
  return [
    { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'EC2 Describe calls have no resource-level permissions; the EBS CSI controller lists volumes, instances and zones in this region only (aws:RequestedRegion).' },
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${regionAccount}:volume/*]`,
      reason: 'A volume id is made when the EBS CSI driver creates it: creation needs the driver\'s and this cluster\'s owner tags in the request, every later call '
        + '(attach, detach, expand, and delete: only for a volume whose reclaim policy a user set to Delete, the class retains them) needs them on the volume.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${regionAccount}:instance/*]`,
      reason: 'Nodes are replaced by their Auto Scaling groups: volumes attach to and detach from instances carrying this cluster\'s tag only.',
    },
    ...defaultKey ? [{
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${regionAccount}:key/*]`,
      reason: 'The volumes use the account\'s EBS default key, which may be customer-managed and is not known at synth: any key of this account, used only through EC2 in this region '
        + '(kms:ViaService) and granted only to AWS resources (kms:GrantIsForAWSResource).',
    }] : [],
  ];
}
