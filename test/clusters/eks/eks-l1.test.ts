import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eksV1 from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { eksL1Classes } from '../../../lib/clusters/eks/private/eks-l1';

describe('eksL1Classes', () => {
  test('takes aws-eks-v2\'s L1 classes where it exports them, aws-eks\'s otherwise', () => {
    const v2 = eks as unknown as Record<string, unknown>;
    const classes = eksL1Classes();
    expect(classes.CfnAccessEntry).toBe(v2.CfnAccessEntry ?? eksV1.CfnAccessEntry);
    expect(classes.CfnAddon).toBe(v2.CfnAddon ?? eksV1.CfnAddon);
    expect(classes.CfnPodIdentityAssociation).toBe(v2.CfnPodIdentityAssociation ?? eksV1.CfnPodIdentityAssociation);
  });

  test('either way the classes write the EKS resources', () => {
    const stack = new Stack(new App(), 'S');
    const { CfnAccessEntry, CfnAddon, CfnPodIdentityAssociation } = eksL1Classes();
    new CfnAccessEntry(stack, 'Entry', { clusterName: 'c', principalArn: 'arn:aws:iam::111122223333:role/devs', type: 'STANDARD' });
    const addon = new CfnAddon(stack, 'Addon', { addonName: 'metrics-server', clusterName: 'c' });
    new CfnPodIdentityAssociation(stack, 'Association', { clusterName: 'c', namespace: 'shop', serviceAccount: 'web', roleArn: 'arn:aws:iam::111122223333:role/web' });
    expect(CfnResource.isCfnResource(addon)).toBe(true);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EKS::AccessEntry', { ClusterName: 'c', Type: 'STANDARD' });
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'metrics-server', ClusterName: 'c' });
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'shop', ServiceAccount: 'web' });
  });
});
