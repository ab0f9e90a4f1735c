import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fc from 'fast-check';
import { NatGateways, PlatformNetwork } from '../../lib/network';
import { addS3GatewayEndpoint } from '../../lib/network/private/s3-gateway-endpoint';

/** The template without the CDKMetadata resource (its analytics string names the L2 classes used). */
function resourcesOf(stack: Stack): Record<string, unknown> {
  const { CDKMetadata: _metadata, ...resources } = Template.fromStack(stack).toJSON().Resources as Record<string, unknown>;
  return resources;
}

describe('the S3 gateway endpoint', () => {
  test('PlatformNetwork writes the template vpc.addGatewayEndpoint writes (path, logical ID, properties)', () => {
    const ours = new Stack(new App(), 'Net');
    new PlatformNetwork(ours, 'Network', { natGateways: NatGateways.onePerAz() });
    const l2 = new Stack(new App(), 'Net');
    const network = new PlatformNetwork(l2, 'Network', { natGateways: NatGateways.onePerAz(), s3GatewayEndpoint: false });
    network.createdVpc!.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3 });

    expect(resourcesOf(ours)).toEqual(resourcesOf(l2));
    expect(Object.keys(Template.fromStack(ours).findResources('AWS::EC2::VPCEndpoint'))).toEqual(['NetworkVpcS3Endpoint87783328']);
  });

  test('any subnet layout: the same endpoint as the L2 (every distinct route table of the subnets)', () => {
    const subnetTypes = fc.constantFrom(ec2.SubnetType.PUBLIC, ec2.SubnetType.PRIVATE_WITH_EGRESS, ec2.SubnetType.PRIVATE_ISOLATED);
    // Private subnets with egress need a public subnet for their NAT gateway.
    const layouts = fc.uniqueArray(subnetTypes, { minLength: 1, maxLength: 3 })
      .filter(types => !types.includes(ec2.SubnetType.PRIVATE_WITH_EGRESS) || types.includes(ec2.SubnetType.PUBLIC));
    fc.assert(fc.property(
      layouts,
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 3 }),
      (types, maxAzs, natGateways) => {
        const vpcIn = (stack: Stack) => new ec2.Vpc(stack, 'Vpc', {
          maxAzs,
          natGateways: types.includes(ec2.SubnetType.PRIVATE_WITH_EGRESS) ? Math.max(1, Math.min(natGateways, maxAzs)) : 0,
          subnetConfiguration: types.map((subnetType, i) => ({ name: `s${i}`, subnetType, cidrMask: 24 })),
        });
        const ours = new Stack(new App(), 'S');
        addS3GatewayEndpoint(vpcIn(ours));
        const l2 = new Stack(new App(), 'S');
        vpcIn(l2).addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3 });
        expect(resourcesOf(ours)).toEqual(resourcesOf(l2));
      }), { numRuns: 15 });
  });
});
