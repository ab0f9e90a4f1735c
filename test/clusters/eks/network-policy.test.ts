import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EksPlatformStack } from '../../../lib';

test('the VPC CNI add-on enforces NetworkPolicies (its policy agent is off unless enabled)', () => {
  const stack = new EksPlatformStack(new App(), 'acme-eks', { platformName: 'acme' });
  const addons = Template.fromStack(stack).findResources('AWS::EKS::Addon', { Properties: { AddonName: 'vpc-cni' } });
  const [cni] = Object.values(addons);
  expect(JSON.parse(cni.Properties.ConfigurationValues)).toEqual({ enableNetworkPolicy: 'true' });
});
