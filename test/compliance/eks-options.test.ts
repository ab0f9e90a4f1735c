/**
 * The EKS platform's options that the shared compliance stacks (test/compliance) do not build, under the same
 * judges: CloudFormation's validation (strict), AWS's guard rules, and cdk-nag NIST 800-53 R5 and AwsSolutions.
 * With a customer-managed key the key findings are gone (not acknowledged); the user's own choices (a public
 * endpoint for every address, the legacy encryption configuration, short or endless retention) are
 * acknowledged naming their prop.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CloudFormationValidatePlugin, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { ClusterEndpointAccess, EksPlatformCluster } from '../../lib/clusters/eks';
import { FlowLogs, PlatformNetwork } from '../../lib/network';
import { EksPlatformStack } from '../../lib/platform';
import { denyGrantsExceptForAwsServices } from '../../lib/private/kms';
import { acknowledgementsOf } from '../network/acknowledgements';

/** A key as a compliant user would make it: rotation, and grants only for AWS services (CT.KMS.PR.3). */
function userKey(scope: Stack, id: string, compliant = true): kms.Key {
  const key = new kms.Key(scope, id, { enableKeyRotation: true });
  if (compliant) {
    denyGrantsExceptForAwsServices(key);
  }
  return key;
}

/** Network and cluster in one stack with the user's key, flow logs to a created bucket. */
function keyedStack(app: App): Stack {
  const stack = new Stack(app, 'keyed');
  const encryptionKey = userKey(stack, 'PlatformKey');
  const network = new PlatformNetwork(stack, 'Network', { encryptionKey, flowLogs: FlowLogs.s3() });
  new EksPlatformCluster(stack, 'Eks', { vpc: network.vpc, vpcCidr: network.vpcCidr, clusterName: 'keyed', encryptionKey });
  return stack;
}

const VARIANTS: Record<string, (app: App) => Stack> = {
  keyed: keyedStack,
  anywhere: app => new EksPlatformStack(app, 'anywhere', { platformName: 'anywhere', endpointAccess: ClusterEndpointAccess.publicFromAnywhere() }),
  legacy: app => new EksPlatformStack(app, 'legacy', { platformName: 'legacy', legacyEncryptionConfig: true }),
  retention: app => new EksPlatformStack(app, 'retention', {
    platformName: 'retention',
    controlPlaneLogRetention: logs.RetentionDays.ONE_MONTH,
    network: { flowLogs: FlowLogs.cloudWatch({ retention: logs.RetentionDays.INFINITE }) },
  }),
};

describe('EKS platform options under CloudFormation validation, AWS guard rules and cdk-nag', () => {
  const stacks: Record<string, Stack> = {};
  let findings: string[] = [];
  beforeAll(() => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-platform-eks-options-'));
    try {
      const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
      Validations.of(app).addPlugins(new CloudFormationValidatePlugin(), new CfnGuardValidator());
      for (const [name, build] of Object.entries(VARIANTS)) stacks[name] = build(app);
      userKey(new Stack(app, 'canary'), 'Key', false); // known bad: a key anyone may create grants on
      const previous = process.exitCode;
      app.synth();
      process.exitCode = previous;
      const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
      findings = report.pluginReports.flatMap((p: any) => p.violations.flatMap((v: any) => v.violatingConstructs
        .filter((c: any) => c.constructPath)
        .map((c: any) => `${p.pluginName} ${v.ruleName} at ${c.constructPath}`)));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }, 600_000);

  test('the plugins can fail: the canary key is reported', () => {
    expect(findings).toContain('cdk-validator-cfnguard kms_create_grant_aws_service_check at canary/Key/Resource');
  });

  test('no unacknowledged finding in any option', () => {
    expect(findings.filter(f => !f.includes(' at canary/'))).toEqual([]);
  });

  test('cdk-nag NIST 800-53 R5 and AwsSolutions: no unacknowledged finding in any option', () => {
    for (const build of Object.values(VARIANTS)) {
      const stack = build(new App());
      for (const pack of [new NIST80053R5Checks(), new AwsSolutionsChecks()]) {
        const violations = pack.validateScope(stack).violations.flatMap(v => v.violatingResources.map(r => `${v.ruleName} at ${r.constructPath}`));
        expect({ stack: stack.stackName, violations }).toEqual({ stack: stack.stackName, violations: [] });
      }
    }
  });

  test('with the key, the encryption findings are gone, not acknowledged', () => {
    const ids = acknowledgementsOf(stacks.keyed).map(a => a.id);
    expect(ids.filter(id => /[Ee]ncrypt|KMS/.test(id) && id !== 'cdk-validator-cfnguard::eks_secrets_encrypted_check')).toEqual([]);
  });

  test('the user\'s choices are acknowledged naming them', () => {
    const reasons = (name: string, id: string) => acknowledgementsOf(stacks[name]).filter(a => a.id === id).map(a => a.reason);
    expect(reasons('anywhere', 'cdk-validator-cfnguard::eks_endpoint_no_public_access_check')).toEqual([expect.stringContaining('ClusterEndpointAccess.publicFromAnywhere()')]);
    expect(reasons('anywhere', 'cdk-validator-cfnguard::lambda_inside_vpc_check').filter(r => r.includes('publicFromAnywhere'))).toHaveLength(1);
    expect(reasons('legacy', 'CloudFormation-Validate::W9009')).toEqual([expect.stringContaining('legacyEncryptionConfig')]);
    expect(reasons('retention', 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check')).toEqual(expect.arrayContaining([
      expect.stringContaining('controlPlaneLogRetention'), expect.stringContaining('RetentionDays.INFINITE'),
    ]));
  });
});
