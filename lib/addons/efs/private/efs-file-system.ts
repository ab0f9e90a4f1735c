import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** What the shared file system needs from the cluster. */
export interface EfsFileSystemProps {
  readonly vpc: ec2.IVpc;
  /** The group every node that mounts volumes carries: the only source allowed to reach NFS. */
  readonly nodeSecurityGroup: ec2.ISecurityGroup;
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * An encrypted EFS file system for the cluster's ReadWriteMany volumes: mount targets in the private subnets
 * (one per zone) behind a group that admits NFS (2049) from the nodes only; daily AWS Backup of the file
 * system (its automatic backups); retained by default when the stack is deleted.
 */
export function efsFileSystem(scope: Construct, props: EfsFileSystemProps): efs.FileSystem {
  const securityGroup = new ec2.SecurityGroup(scope, 'MountTargetSecurityGroup', {
    vpc: props.vpc,
    allowAllOutbound: false,
    description: 'EFS mount targets: NFS from the cluster nodes only',
  });
  securityGroup.addIngressRule(props.nodeSecurityGroup, ec2.Port.tcp(efs.FileSystem.DEFAULT_PORT), 'NFS (TLS) from the cluster nodes');
  return new efs.FileSystem(scope, 'FileSystem', {
    vpc: props.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, onePerAz: true },
    securityGroup,
    encrypted: true,
    kmsKey: props.encryptionKey,
    performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
    throughputMode: efs.ThroughputMode.ELASTIC,
    enableAutomaticBackups: true,
    // Clients authenticate by network (the nodes' group) and mount with TLS; see docs/storage.md.
    allowAnonymousAccess: true,
    removalPolicy: props.removalPolicy,
  });
}

/**
 * The least permissions of the EFS CSI controller: describe this file system, create access points on it
 * (tagged by the driver), tag and delete only the access points it tagged.
 */
export function efsCsiControllerStatements(fileSystem: efs.FileSystem): iam.PolicyStatement[] {
  const accessPoints = Stack.of(fileSystem).formatArn({ service: 'elasticfilesystem', resource: 'access-point', resourceName: '*' });
  const driverTag = { 'aws:ResourceTag/efs.csi.aws.com/cluster': 'true' };
  return [
    new iam.PolicyStatement({
      actions: ['elasticfilesystem:DescribeAccessPoints', 'elasticfilesystem:DescribeFileSystems', 'elasticfilesystem:DescribeMountTargets'],
      resources: [fileSystem.fileSystemArn, accessPoints],
    }),
    new iam.PolicyStatement({ actions: ['ec2:DescribeAvailabilityZones'], resources: ['*'] }),
    new iam.PolicyStatement({
      actions: ['elasticfilesystem:CreateAccessPoint'],
      resources: [fileSystem.fileSystemArn],
      conditions: { StringEquals: { 'aws:RequestTag/efs.csi.aws.com/cluster': 'true' } },
    }),
    new iam.PolicyStatement({
      actions: ['elasticfilesystem:TagResource'],
      resources: [fileSystem.fileSystemArn, accessPoints],
      conditions: { StringEquals: driverTag },
    }),
    new iam.PolicyStatement({ actions: ['elasticfilesystem:DeleteAccessPoint'], resources: [accessPoints], conditions: { StringEquals: driverTag } }),
  ];
}

/**
 * What the node plugin's mount helper (efs-utils) calls with the node's own role: it falls back to a mount
 * target's IP address when the file system's DNS name does not resolve (a VPC without DNS hostnames, a custom
 * resolver, the first minutes of new mount targets), and looks the mount targets and zones up for it.
 */
export function efsNodeStatements(fileSystem: efs.FileSystem): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['elasticfilesystem:DescribeMountTargets'], resources: [fileSystem.fileSystemArn] }),
    new iam.PolicyStatement({ actions: ['ec2:DescribeAvailabilityZones'], resources: ['*'] }),
  ];
}

/** The StorageClass parameters: an access point per volume under /dynamic, owned by a fresh POSIX id. */
export function efsStorageClassParameters(fileSystemRef: { fileSystemId: string } | { configRef: string }): Record<string, string> {
  return {
    provisioningMode: 'efs-ap',
    ...('fileSystemId' in fileSystemRef ? { fileSystemId: fileSystemRef.fileSystemId } : { fileSystemIdConfigRef: fileSystemRef.configRef }),
    directoryPerms: '700',
    basePath: '/dynamic',
    ensureUniqueDirectory: 'true',
  };
}
