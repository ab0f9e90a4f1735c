import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClusterCapacity, EksPlatformCluster } from '../../lib/clusters/eks';
import { K3sCluster } from '../../lib/clusters/k3s';
import { checkInstanceType } from '../../lib/clusters/private/instance-type';
import { PlatformNetwork } from '../../lib/network';
import { cdkPropValidator } from '../../lib/private/validate';
import { expectPropError } from '../workloads/fixtures';

const SAYS = 'is not an EC2 instance type: write <family>.<size>, e.g. "m7i.large" or "t4g.medium"';

function check(name: string): Stack {
  const stack = new Stack(new App(), 'S');
  checkInstanceType(stack, cdkPropValidator(stack, 'Kind'), 'instanceType', new ec2.InstanceType(name));
  return stack;
}
const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('unknownInstanceFamily')).map(w => w.entry.data);

describe('instance types are spelled as EC2 spells them', () => {
  test('every size aws-cdk-lib knows passes, with every family it knows and no warning', () => {
    for (const size of Object.values(ec2.InstanceSize)) expect(warnings(check(`m7i.${size}`))).toEqual([]);
    // a few InstanceClass values are not EC2 family codes (e.g. 'io4_intel'): aws-cdk-lib spells those types otherwise
    const codes = [...new Set<string>(Object.values(ec2.InstanceClass))].filter(f => /^[a-z][a-z0-9-]*$/.test(f));
    expect(codes.length).toBeGreaterThan(250);
    for (const family of codes) expect(warnings(check(`${family}.large`))).toEqual([]);
  });

  test.each(['m7i.largee', 't4g.meduim', 'm7i', 'm7i.', '.large', 'm7i.xlarg', 'm7i.0xlarge', 'M7I.large', 'm7i.metal-xl'])('"%s" is refused', name => {
    expectPropError(() => check(name), { path: 'S', prop: 'Kind.instanceType', value: JSON.stringify(name), says: SAYS });
  });

  test('a family aws-cdk-lib does not know is a warning (it may be newer than aws-cdk-lib)', () => {
    expect(warnings(check('zz9.large'))).toEqual([
      'instanceType is "zz9.large": aws-cdk-lib knows no instance family "zz9". Check the spelling (EC2 refuses an unknown type only at deploy time); '
      + 'acknowledge this warning if the family is newer than aws-cdk-lib. [ack: cdk-k8s-platform:unknownInstanceFamily]',
    ]);
  });

  test('the clusters check their instance types', () => {
    const stack = new Stack(new App(), 'T');
    const network = new PlatformNetwork(stack, 'Network');
    expectPropError(() => new K3sCluster(stack, 'K3s', { vpc: network.vpc, serverInstanceType: new ec2.InstanceType('t4g.meduim') }),
      { path: 'T/K3s', prop: 'serverInstanceType', value: '"t4g.meduim"', says: SAYS });
    const capacity = ClusterCapacity.managedNodeGroups({ onDemand: { instanceTypes: [new ec2.InstanceType('m7i.largee')] } });
    expectPropError(() => new EksPlatformCluster(stack, 'Eks', { vpc: network.vpc, vpcCidr: network.vpcCidr, clusterName: 'acme', capacity }),
      { path: 'T/Eks/OnDemand', prop: 'instanceTypes[0]', value: '"m7i.largee"', says: SAYS });
  });
});
