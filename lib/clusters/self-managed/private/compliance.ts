import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { acknowledge, CDK_DEFAULT_POLICY } from '../../../private/nag';

/**
 * Where a self-managed cluster meets AWS's guard rules (Control Tower proactive controls) and cdk-nag's
 * NIST 800-53 R5 pack by design: the acknowledgements with their reasons, in one place. docs/security.md
 * explains each decision.
 */

const GUARD = 'cdk-validator-cfnguard::';
const NIST = 'NIST.800.53.R5-';

/** The customer-managed-key findings when `encryptionKey` is not given. */
const NO_KEY_REASON = 'encryptionKey is not set, so AWS-managed keys encrypt it (the secure default of the service); '
  + 'pass encryptionKey to use a customer-managed KMS key.';

/**
 * Acknowledges what a TCP pass-through load balancer of a self-managed cluster cannot satisfy. `tls` says who
 * terminates TLS behind it and with which certificates.
 */
export function tcpLoadBalancerFindings(lb: IConstruct, tls: string, deletionProtection: boolean): void {
  acknowledge(lb,
    {
      id: `${GUARD}elbv2_logging_enabled_check`,
      reason: 'NLB access logs are written only for TLS listeners (ELB docs, "Access logs for your Network Load Balancer"); '
        + `its listeners are TCP pass-through (${tls}), so the log bucket would stay empty. VPC flow logs record its connections.`,
    },
    {
      id: `${NIST}ELBLoggingEnabled`,
      reason: 'NLB access logs are written only for TLS listeners; its listeners are TCP pass-through, so the log bucket would stay empty. VPC flow logs record its connections.',
    },
    {
      id: `${NIST}ELBv2ACMCertificateRequired`,
      reason: `TCP pass-through: ${tls}; an ACM certificate on the load balancer would break that end-to-end TLS.`,
    });
  if (!deletionProtection) {
    acknowledge(lb,
      { id: `${GUARD}elbv2_deletion_protection_enabled_check`, reason: 'deletionProtection: false was chosen, so `cdk destroy` can delete the load balancer without a prior deploy.' },
      { id: `${NIST}ELBDeletionProtectionEnabled`, reason: 'deletionProtection: false was chosen, so `cdk destroy` can delete the load balancer without a prior deploy.' });
  }
}

/**
 * EC2RestrictedSSH and EC2RestrictedCommonPorts cannot read an ingress rule whose CIDR is a token (the VPC's
 * CIDR of an internal ingress, `Fn::GetAtt Vpc.CidrBlock`) and report it; the group admits TCP 80 and 443 only.
 */
export function ingressSecurityGroupFindings(group: ec2.SecurityGroup, peers: ec2.IPeer[]): void {
  if (!peers.some(p => Token.isUnresolved(p.uniqueId))) return;
  const reason = 'The rule cannot resolve a CIDR that is a CloudFormation token (the VPC CIDR an internal ingress admits) and reports it; '
    + 'this group admits TCP 80 and 443 only, never 22 or another common port.';
  acknowledge(group, { id: `${NIST}EC2RestrictedSSH`, reason }, { id: `${NIST}EC2RestrictedCommonPorts`, reason });
}

/**
 * The Auto Scaling group findings of a fixed-size node group: explicit AvailabilityZones and several
 * instance types.
 */
export function nodeGroupFindings(group: IConstruct, typeProp: string): void {
  acknowledge(group,
    {
      id: `${GUARD}autoscaling_multiple_az_check`,
      reason: 'The group spans the AZs of its subnets (VPCZoneIdentifier: vpcSubnets, by default a private subnet in each AZ of the VPC); '
        + 'the rule reads only AvailabilityZones, which CloudFormation needs without VPCZoneIdentifier, and setting it would roll the nodes.',
    },
    {
      id: `${GUARD}autoscaling_mixed_instances_policy_multiple_instance_types_check`,
      reason: `A fixed-size On-Demand group of one instance type (${typeProp}): every node of the group has the same capacity, and a mixed instances policy would roll the nodes without adding capacity choices.`,
    });
}

/** The agent group is attached to the ingress target groups but replaces agents on EC2 status only. */
export function agentHealthCheckFindings(group: IConstruct): void {
  const reason = 'The ingress target groups check Traefik, a workload: an ELB health check would terminate healthy agents whenever '
    + 'the ingress controller is down or not scheduled on them; agents are replaced on EC2 status, the servers on the API check.';
  acknowledge(group, { id: `${GUARD}autoscaling_group_elb_healthcheck_required_check`, reason }, { id: `${NIST}AutoScalingGroupELBHealthCheckRequired`, reason });
}

/** A role whose policies CDK writes as its DefaultPolicy (the shared reason of every such role). */
export function inlinePolicyFindings(role: IConstruct): void {
  acknowledge(role, CDK_DEFAULT_POLICY);
}

/** A cluster secret: rotation (`rotation` says who renews it, or why it cannot be) and the key. */
export function secretFindings(secret: secretsmanager.Secret, rotation: string, keyGiven: boolean): void {
  acknowledge(secret, { id: `${NIST}SecretsManagerRotationEnabled`, reason: rotation });
  if (!keyGiven) acknowledge(secret, { id: `${NIST}SecretsManagerUsingKMSKey`, reason: NO_KEY_REASON });
}

/**
 * A retained, versioned bucket of cluster state (etcd snapshots, PKI backup): events go to EventBridge (free
 * on the default bus; a rule can alert on missing snapshots); access logging, replication and Object Lock
 * are acknowledged. `cmk`: the bucket is encrypted with a customer-managed key.
 */
export function stateBucketFindings(bucket: s3.Bucket, cmk: boolean): void {
  // CloudFormation's own EventBridgeConfiguration: no notifications custom resource (a Lambda) as `eventBridgeEnabled` would add.
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  const logging = 'Only the servers\' role reads and writes this bucket; CloudTrail data events audit it better than a second log bucket (which would need its own).';
  acknowledge(bucket,
    { id: `${GUARD}s3_bucket_logging_enabled_check`, reason: logging },
    { id: `${NIST}S3BucketLoggingEnabled`, reason: logging },
    {
      id: `${NIST}S3BucketReplicationEnabled`,
      reason: 'Snapshots restore into the same region\'s cluster; the bucket is versioned and retained. Cross-region copies need a bucket in another region, which the user adds.',
    },
    {
      id: `${GUARD}s3_bucket_object_lock_enabled_check`,
      reason: 'Snapshots are pruned by count (snapshotRetention); versioning keeps a deleted or overwritten object 30 days and the bucket is retained. '
        + 'Object Lock cannot be turned off again and would keep every pruned version billed for its retention.',
    });
  if (!cmk) {
    acknowledge(bucket,
      { id: `${GUARD}s3_bucket_default_encryption_kms_check`, reason: `${NO_KEY_REASON} (SSE-S3 here)` },
      { id: `${NIST}S3DefaultEncryptionKMS`, reason: `${NO_KEY_REASON} (SSE-S3 here)` });
  }
}
