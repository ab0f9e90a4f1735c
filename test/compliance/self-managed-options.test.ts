/**
 * The self-managed stacks' decisions under AWS's guard rules and NIST 800-53 R5 (test/compliance checks the
 * defaults of every stack kind): the `encryptionKey` option removes the customer-managed-key findings instead
 * of acknowledging them, `deletionProtection: false` is acknowledged as the user's choice, and what the
 * library fixed (detailed monitoring, EventBridge notifications, the state key's CreateGrant statement) is in
 * the template.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { NIST80053R5Checks } from 'cdk-nag';
import { IngressExposure } from '../../lib/clusters/self-managed';
import { SelfManagedPlatformStack, SelfManagedDistribution } from '../../lib/platform';
import { reportingApp, nagFindings } from '../clusters/self-managed/support/user-data';

/** The customer-managed-key rules: gone with a key, acknowledged (naming encryptionKey) without one. */
const KEY_RULES = [
  'NIST.800.53.R5-SecretsManagerUsingKMSKey', 'NIST.800.53.R5-S3DefaultEncryptionKMS', 'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
  'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
];
const DELETION_RULES = ['cdk-validator-cfnguard::elbv2_deletion_protection_enabled_check', 'NIST.800.53.R5-ELBDeletionProtectionEnabled'];

/** Acknowledgements of the two checks below `stack` (ids stored as `Annotation::<id>` or `annotation::<id>`). */
function ackIds(stack: Stack): Array<{ id: string; reason: string; path: string }> {
  const out: Array<{ id: string; reason: string; path: string }> = [];
  for (const c of [stack, ...stack.node.findAll()]) {
    for (const m of c.node.metadata.filter(x => x.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
      for (const [raw, reason] of Object.entries(m.data as Record<string, string>)) {
        const id = raw.replace(/^annotation::/i, '');
        if (/^(NIST\.800\.53\.R5-|cdk-validator-cfnguard::)/.test(id)) out.push({ id, reason, path: c.node.path });
      }
    }
  }
  return out;
}
const resourcesOf = (stack: Stack, type: string) => Object.entries(Template.fromStack(stack).findResources(type)) as Array<[string, any]>;
const policyOf = (stack: Stack, role: string) => resourcesOf(stack, 'AWS::IAM::Policy').find(([id]) => id.includes(role))![1].Properties.PolicyDocument.Statement as any[];

describe('with encryptionKey and deletionProtection: false (k3s, internet-facing ingress; kubeadm)', () => {
  let k3s: SelfManagedPlatformStack;
  let kubeadm: SelfManagedPlatformStack;
  let key: kms.Key;
  let guard: string[];
  beforeAll(() => {
    const app = reportingApp();
    Validations.of(app).addPlugins(new CfnGuardValidator());
    key = new kms.Key(new Stack(app, 'keys'), 'Key'); // another stack: no reference cycle with the clusters' roles
    k3s = new SelfManagedPlatformStack(app, 'k3s', {
      platformName: 'acme', encryptionKey: key, cluster: { deletionProtection: false, ingress: IngressExposure.internetFacing() },
    });
    kubeadm = new SelfManagedPlatformStack(app, 'kubeadm', { platformName: 'acme-kubeadm', encryptionKey: key, distribution: SelfManagedDistribution.kubeadm() });
    guard = nagFindings(app);
  });

  test('no guard-rule or NIST finding left in the clusters', () => {
    // the network (flow-log group) is judged in test/network
    expect(guard.filter(f => /^\S+ (k3s|kubeadm)\/Cluster\//.test(f))).toEqual([]);
    for (const stack of [k3s, kubeadm]) {
      const report = new NIST80053R5Checks().validateScope(stack);
      expect(report.violations.flatMap(v => v.violatingResources.map(r => `${v.ruleName} ${r.constructPath}`))).toEqual([]);
    }
  });

  test('the clusters\' customer-managed-key findings are fixed, not acknowledged', () => {
    // (the flow-log group is the network's: test/network judges a key from another stack)
    for (const stack of [k3s, kubeadm]) {
      expect(ackIds(stack).filter(a => a.path.startsWith(`${stack.stackName}/Cluster`) && KEY_RULES.includes(a.id))).toEqual([]);
    }
  });

  test('secrets, the snapshot bucket and the flow-log group use the key', () => {
    const keyArn = { 'Fn::ImportValue': expect.stringMatching(/^keys:ExportsOutputFnGetAttKey/) };
    const secrets = resourcesOf(k3s, 'AWS::SecretsManager::Secret');
    expect(secrets.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['ClusterAgentToken', 'ClusterKubeconfigSecret', 'ClusterServerToken']);
    for (const [, secret] of [...secrets, ...resourcesOf(kubeadm, 'AWS::SecretsManager::Secret')]) expect(secret.Properties.KmsKeyId).toEqual(keyArn);
    const [, bucket] = resourcesOf(k3s, 'AWS::S3::Bucket').find(([id]) => id.startsWith('ClusterSnapshotBucket'))!;
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } },
    ]);
    expect(resourcesOf(k3s, 'AWS::Logs::LogGroup').map(([, g]) => g.Properties.KmsKeyId)).toEqual([keyArn]);
  });

  test('node roles may use the key only through Secrets Manager (and S3 for k3s snapshots): servers decrypt and generate, agents decrypt', () => {
    const keyArn = { 'Fn::ImportValue': expect.stringMatching(/^keys:ExportsOutputFnGetAttKey/) };
    const via = (service: string) => ({ StringEquals: { 'kms:ViaService': [{ 'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.amazonaws.com']] }] } });
    const kmsStatements = (stack: Stack, role: string) => policyOf(stack, role).filter(s => [s.Action].flat().some((a: string) => a.startsWith('kms:')) && !String(s.Sid).startsWith('EbsCsi'));
    expect(kmsStatements(k3s, 'ServerRole')).toEqual([
      { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: via('secretsmanager'), Effect: 'Allow', Resource: keyArn },
      { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: via('s3'), Effect: 'Allow', Resource: keyArn },
    ]);
    expect(kmsStatements(k3s, 'AgentRole')).toEqual([{ Action: 'kms:Decrypt', Condition: via('secretsmanager'), Effect: 'Allow', Resource: keyArn }]);
    // kubeadm: its state bucket keeps its own key (the PKI backup is written once with it)
    expect(kmsStatements(kubeadm, 'ServerRole').map(s => s.Condition ?? s.Resource)).toEqual([via('secretsmanager'), { 'Fn::GetAtt': [expect.stringMatching(/^ClusterStateKey/), 'Arn'] }]);
  });

  test('deletionProtection: false turns protection off and is acknowledged naming the prop; the default keeps it', () => {
    const attributes = (stack: Stack) => resourcesOf(stack, 'AWS::ElasticLoadBalancingV2::LoadBalancer')
      .map(([, lb]) => lb.Properties.LoadBalancerAttributes.find((a: any) => a.Key === 'deletion_protection.enabled').Value);
    expect(attributes(k3s)).toEqual(['false', 'false']);
    expect(attributes(kubeadm)).toEqual(['true', 'true']);
    const acks = ackIds(k3s).filter(a => DELETION_RULES.includes(a.id));
    expect(acks.map(a => `${a.id} ${a.path}`).sort()).toEqual([
      ...DELETION_RULES.map(id => `${id} k3s/Cluster/ApiLoadBalancer`), ...DELETION_RULES.map(id => `${id} k3s/Cluster/IngressLoadBalancer`),
    ].sort());
    for (const a of acks) expect(a.reason).toContain('deletionProtection: false');
    expect(ackIds(kubeadm).filter(a => DELETION_RULES.includes(a.id))).toEqual([]);
  });

  test('an internet-facing ingress (0.0.0.0/0 on 80/443 only) is judged by the NIST port rules, not acknowledged', () => {
    expect(ackIds(k3s).filter(a => /EC2Restricted/.test(a.id))).toEqual([]);
    expect(ackIds(kubeadm).filter(a => /EC2Restricted/.test(a.id)).map(a => `${a.id} ${a.path}`)).toEqual([
      'NIST.800.53.R5-EC2RestrictedSSH kubeadm/Cluster/IngressSecurityGroup', 'NIST.800.53.R5-EC2RestrictedCommonPorts kubeadm/Cluster/IngressSecurityGroup',
    ]);
  });

  test('the guard check can fail: the key stack\'s key lacks the CreateGrant statement and is reported', () => {
    expect(guard).toContainEqual(expect.stringMatching(/^kms_create_grant_aws_service_check keys\/Key/));
  });
});

describe('the defaults', () => {
  const k3s = new SelfManagedPlatformStack(new App(), 'k3s', { platformName: 'acme' });
  const kubeadm = new SelfManagedPlatformStack(new App(), 'kubeadm', { platformName: 'acme', distribution: SelfManagedDistribution.kubeadm() });

  test('without encryptionKey the customer-managed-key findings are acknowledged, naming encryptionKey', () => {
    const acks = ackIds(k3s).filter(a => KEY_RULES.includes(a.id));
    expect([...new Set(acks.map(a => a.id))].sort()).toEqual([...KEY_RULES].sort());
    for (const a of acks) expect(a.reason).toMatch(/encryptionKey/);
    // kubeadm's state bucket has its own key: only the secret's and the log group's findings
    expect([...new Set(ackIds(kubeadm).filter(a => KEY_RULES.includes(a.id)).map(a => a.id))].sort()).toEqual([
      'NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'NIST.800.53.R5-SecretsManagerUsingKMSKey', 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    ]);
  });

  test('detailed monitoring on every launch template; EventBridge notifications on the state buckets, without a custom resource', () => {
    for (const stack of [k3s, kubeadm]) {
      const templates = resourcesOf(stack, 'AWS::EC2::LaunchTemplate');
      expect(templates.map(([, lt]) => lt.Properties.LaunchTemplateData.Monitoring)).toEqual([{ Enabled: true }, { Enabled: true }]);
      const state = resourcesOf(stack, 'AWS::S3::Bucket').filter(([id]) => /^Cluster(Snapshot|State)Bucket/.test(id));
      expect(state.map(([, b]) => b.Properties.NotificationConfiguration)).toEqual([{ EventBridgeConfiguration: { EventBridgeEnabled: true } }]);
      expect(resourcesOf(stack, 'Custom::S3BucketNotifications')).toEqual([]);
    }
  });

  test('kubeadm\'s state key lets only AWS services create grants (CT.KMS.PR.3) and keeps the account\'s IAM delegation', () => {
    const [[, key]] = resourcesOf(kubeadm, 'AWS::KMS::Key');
    expect(key.Properties.KeyPolicy.Statement).toEqual([
      expect.objectContaining({ Action: 'kms:*', Effect: 'Allow' }),
      {
        Sid: 'DenyGrantsExceptForAwsServices',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      },
    ]);
  });

  test('the agents replace on EC2 status; the missing ELB health check is acknowledged only where the ingress is attached', () => {
    const rule = 'NIST.800.53.R5-AutoScalingGroupELBHealthCheckRequired';
    expect(ackIds(k3s).filter(a => a.id === rule).map(a => a.path)).toEqual(['k3s/Cluster/AgentGroup']);
    const none = new SelfManagedPlatformStack(new App(), 'none', { platformName: 'acme', cluster: { ingress: IngressExposure.none() } });
    expect(ackIds(none).filter(a => a.id === rule)).toEqual([]);
    const [, agents] = resourcesOf(k3s, 'AWS::AutoScaling::AutoScalingGroup').find(([id]) => id.startsWith('ClusterAgentGroup'))!;
    expect(agents.Properties.HealthCheckType).toBeUndefined();
  });
});

describe('grantKubeconfigRead with an encryptionKey from another stack', () => {
  test('the grantee gets the secret and kms:Decrypt through Secrets Manager in its own policy; no reference cycle', () => {
    const app = new App();
    const key = new kms.Key(new Stack(app, 'keys'), 'Key');
    const k3s = new SelfManagedPlatformStack(app, 'k3s', { platformName: 'acme', encryptionKey: key });
    const reader = new iam.Role(k3s, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    k3s.cluster.grantKubeconfigRead(reader);
    expect(() => app.synth()).not.toThrow();
    expect(policyOf(k3s, 'Reader')).toEqual([
      { Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^ClusterKubeconfigSecret/) } },
      {
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': [{ 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] }] } },
        Effect: 'Allow',
        Resource: { 'Fn::ImportValue': expect.stringMatching(/^keys:ExportsOutputFnGetAttKey/) },
      },
    ]);
  });
});

describe('encryptionKey errors', () => {
  test('an asymmetric key is refused at synth, naming the prop and the key', () => {
    const app = new App();
    const key = new kms.Key(new Stack(app, 'keys'), 'Signing', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY });
    expect(() => new SelfManagedPlatformStack(app, 'k3s', { platformName: 'acme', encryptionKey: key })).toThrow(
      '[k3s/Cluster] K3sCluster.encryptionKey is "keys/Signing (RSA_2048, SIGN_VERIFY)": must be a symmetric encryption key (keySpec SYMMETRIC_DEFAULT, keyUsage ENCRYPT_DECRYPT): Secrets Manager and S3 encrypt with no other kind.');
  });
});
