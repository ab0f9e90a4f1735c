import { Aws } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/** Construct id of the endpoint under the VPC (the id `vpc.addGatewayEndpoint` is given). */
export const S3_ENDPOINT_ID = 'S3Endpoint';

/**
 * Adds the VPC's S3 gateway endpoint exactly as `vpc.addGatewayEndpoint('S3Endpoint',
 * { service: ec2.GatewayVpcEndpointAwsService.S3 })` writes it: the same construct path, logical ID and
 * properties (every route table of the VPC's subnets, no policy). It builds the L1 itself because the L2 lives in
 * aws-ec2's VPC endpoint module, whose hundreds of interface-endpoint service constants take about 15 ms to load
 * in every synth of a platform stack. test/network/s3-gateway-endpoint.test.ts compares both templates.
 */
export function addS3GatewayEndpoint(vpc: ec2.Vpc): ec2.CfnVPCEndpoint {
  const subnets = [...vpc.privateSubnets, ...vpc.publicSubnets, ...vpc.isolatedSubnets];
  const routeTableIds = [...new Set(subnets.map(subnet => subnet.routeTable?.routeTableId).filter(isDefined))];
  return new ec2.CfnVPCEndpoint(new Construct(vpc, S3_ENDPOINT_ID), 'Resource', {
    routeTableIds,
    serviceName: `com.amazonaws.${Aws.REGION}.s3`,
    vpcEndpointType: 'Gateway',
    vpcId: vpc.vpcId,
  });
}

function isDefined(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
