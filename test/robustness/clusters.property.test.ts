import { App } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fc from 'fast-check';
import { brokenEksPlatform, eksPlatformProps, fuzzParams } from './arbitraries';
import { thrownMessage, tmpDir } from './support';
import { SelfManagedPlatformStack, SelfManagedDistribution } from '../../lib/platform';
import { EksPlatformStack } from '../../lib/platform/eks-platform-stack';

describe('EKS platform props (property-based)', () => {
  test('valid network, endpoint and node group props synthesize (few runs: each is a whole stack)', () => {
    const outdir = tmpDir('fuzz-eks');
    fc.assert(fc.property(eksPlatformProps, props => {
      const app = new App({ outdir });
      const stack = new EksPlatformStack(app, 'fuzz', props);
      const template = app.synth().getStackByName('fuzz').template;
      const resources = Object.values(template.Resources) as Array<{ Type: string; Properties: any }>;
      const vpc = resources.find(r => r.Type === 'AWS::EC2::VPC')!;
      expect(vpc.Properties.CidrBlock).toBe(props.network!.cidr);
      expect(resources.filter(r => r.Type === 'AWS::EC2::Subnet')).toHaveLength(2 * props.network!.azCount!);
      expect(resources.filter(r => r.Type === 'AWS::EKS::Nodegroup')).toHaveLength(stack.cluster.nodeGroups.length);
      expect(resources.find(r => r.Type === 'AWS::EKS::Cluster')!.Properties.Name).toBe(props.platformName);
    }), fuzzParams(0.08));
  });

  test('one broken field: construction fails with an error that names the prop and shows the value', () => {
    fc.assert(fc.property(brokenEksPlatform, ({ props, prop }) => {
      const message = thrownMessage(() => new EksPlatformStack(new App(), 'fuzz', props));
      if (message === undefined || !new RegExp(`\\.${prop.replace(/[.[\]]/g, '\\$&')} is `).test(message)) {
        throw new Error(`expected an error naming ${prop}, got: ${message ?? 'no error'}`);
      }
    }), fuzzParams(0.3));
  });
});

describe('self-managed platform props (property-based)', () => {
  const fcK3s = () => fc.record({
    platformName: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/),
    azCount: fc.constantFrom(2, 3),
    distribution: fc.constantFrom('k3s', 'kubeadm'),
    adminCidrs: fc.option(fc.uniqueArray(fc.tuple(fc.integer({ min: 11, max: 100 }), fc.integer({ min: 16, max: 32 })).map(([a, p]) => `${a}.0.0.0/${p}`), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    serverType: fc.constantFrom('t4g.medium', 't4g.large', 'm7g.large'),
  }).map(r => ({
    platformName: r.platformName,
    network: { azCount: r.azCount },
    distribution: r.distribution === 'k3s' ? SelfManagedDistribution.k3s() : SelfManagedDistribution.kubeadm(),
    cluster: { adminCidrs: r.adminCidrs, serverInstanceType: new ec2.InstanceType(r.serverType) },
  }));

  test('valid props synthesize', () => {
    const outdir = tmpDir('fuzz-k3s');
    fc.assert(fc.property(fcK3s(), props => {
      const app = new App({ outdir });
      new SelfManagedPlatformStack(app, 'fuzz', props);
      const template = app.synth().getStackByName('fuzz').template;
      const lts = Object.values(template.Resources as Record<string, any>).filter(r => r.Type === 'AWS::EC2::LaunchTemplate');
      expect(lts.length).toBeGreaterThan(0);
      for (const lt of lts) expect(lt.Properties.LaunchTemplateData.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    }), fuzzParams(0.08));
  });

  test('one broken field names the prop', () => {
    const broken = fc.constantFrom(
      { change: { platformName: 'Acme' }, prop: 'platformName' },
      { change: { network: { cidr: '10.0.0.0/8' } }, prop: 'cidr' },
      { change: { network: { azCount: 5 } }, prop: 'azCount' },
      { change: { cluster: { adminCidrs: ['10.0.0.0/33'] } }, prop: 'adminCidrs[0]' },
      { change: { cluster: { adminCidrs: ['0.0.0.0/0'] } }, prop: 'adminCidrs[0]' },
    );
    fc.assert(fc.property(broken, ({ change, prop }) => {
      const message = thrownMessage(() => new SelfManagedPlatformStack(new App(), 'fuzz', { platformName: 'acme', ...change } as any));
      if (message === undefined || !message.includes(`.${prop} is `)) throw new Error(`expected an error naming ${prop}, got: ${message ?? 'no error'}`);
    }), fuzzParams(0.25));
  });
});

test('a CIDR with host bits is refused with the network address it probably meant (CDK would carve another range)', () => {
  expect(thrownMessage(() => new EksPlatformStack(new App(), 'x', { platformName: 'acme', network: { cidr: '10.0.1.0/16' } })))
    .toContain('PlatformNetwork.cidr is "10.0.1.0/16": is not a network address: the bits after /16 must be zero. Did you mean "10.0.0.0/16"?');
});
