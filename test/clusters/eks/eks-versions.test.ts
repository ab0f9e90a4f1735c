import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import {
  ClusterCapacity, DEFAULT_EKS_VERSION, EKS_VERSION_TABLE, EKS_VERSIONS, EksKubernetesVersion, EksPlatformCluster, EksPlatformClusterProps,
  TODAY_CONTEXT, daysOfStandardSupportLeft, nextEksVersion,
} from '../../../lib/clusters/eks';
import { END_OF_SUPPORT_WARNING } from '../../../lib/clusters/eks/private/support';
import { PlatformNetwork } from '../../../lib/network';

/** The cluster in a stack of its own; `today` fixes the date of the support warning. */
function synth(props: Partial<EksPlatformClusterProps> = {}, today: string | undefined = '2026-11-01') {
  const app = new App({ context: today === undefined ? {} : { [TODAY_CONTEXT]: today } });
  const stack = new Stack(app, 'Test');
  const network = new PlatformNetwork(stack, 'Network');
  const cluster = new EksPlatformCluster(stack, 'Eks', { vpc: network.vpc, vpcCidr: network.vpcCidr, clusterName: 'acme', ...props });
  return { stack, cluster, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties: any; DependsOn?: string[] };
const resources = (t: Template) => t.toJSON().Resources as Record<string, Resource>;
const ofType = (t: Template, type: string) => Object.entries(resources(t)).filter(([, r]) => r.Type === type);

/** Logical IDs `id` depends on: DependsOn, Ref and Fn::GetAtt, transitively. */
function dependenciesOf(t: Template, id: string): Set<string> {
  const all = resources(t);
  const found = new Set<string>();
  const direct = (r: Resource): string[] => {
    const refs: string[] = [...(r.DependsOn ?? [])];
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) {
        x.forEach(walk);
      } else if (x && typeof x === 'object') {
        const o = x as Record<string, unknown>;
        if (typeof o.Ref === 'string' && all[o.Ref]) refs.push(o.Ref);
        if (Array.isArray(o['Fn::GetAtt']) && all[o['Fn::GetAtt'][0] as string]) refs.push(o['Fn::GetAtt'][0] as string);
        Object.values(o).forEach(walk);
      }
    };
    walk(r.Properties);
    return refs;
  };
  const queue = [id];
  while (queue.length) {
    for (const d of direct(all[queue.pop()!])) {
      if (!found.has(d)) {
        found.add(d);
        queue.push(d);
      }
    }
  }
  return found;
}

describe('the version table (lib/clusters/eks/versions.ts)', () => {
  test('one row per EksKubernetesVersion, each naming its own version; the default is 1.35', () => {
    expect(Object.keys(EKS_VERSION_TABLE).sort()).toEqual(Object.values(EksKubernetesVersion).sort());
    for (const [version, pins] of Object.entries(EKS_VERSION_TABLE)) expect(pins.kubernetesVersion.version).toBe(version);
    expect(DEFAULT_EKS_VERSION).toBe('1.35');
    expect(EKS_VERSIONS).toBe(EKS_VERSION_TABLE['1.35']);
  });

  test('at least the two newest minors, consecutive, so that every row but the last has a next step', () => {
    const minors = Object.values(EksKubernetesVersion).map(v => Number(v.split('.')[1])).sort((a, b) => a - b);
    expect(minors.length).toBeGreaterThanOrEqual(2);
    minors.slice(1).forEach((m, i) => expect(m).toBe(minors[i] + 1));
    expect(nextEksVersion(EksKubernetesVersion.V1_34)).toBe('1.35');
    expect(nextEksVersion(EksKubernetesVersion.V1_35)).toBeUndefined();
  });

  test('kube-proxy and the Cluster Autoscaler follow the Kubernetes minor; every version is pinned exactly', () => {
    for (const [version, pins] of Object.entries(EKS_VERSION_TABLE)) {
      expect(pins.addons['kube-proxy']).toMatch(new RegExp(`^v${version.replace('.', '\\.')}\\.\\d+-eksbuild\\.\\d+$`));
      expect(pins.clusterAutoscaler.appVersion).toMatch(new RegExp(`^v${version.replace('.', '\\.')}\\.\\d+$`));
      for (const v of Object.values(pins.addons)) expect(v).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
      for (const c of [pins.albController, pins.clusterAutoscaler]) expect(c.version).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  test('end of standard support: ISO dates; days left count whole UTC days', () => {
    expect(EKS_VERSION_TABLE['1.34'].endOfStandardSupport).toBe('2026-12-02');
    expect(EKS_VERSION_TABLE['1.35'].endOfStandardSupport).toBe('2027-03-27');
    expect(daysOfStandardSupportLeft(EksKubernetesVersion.V1_35, new Date('2026-12-27T15:00:00Z'))).toBe(90);
    expect(daysOfStandardSupportLeft(EksKubernetesVersion.V1_34, new Date('2026-12-12T00:00:00Z'))).toBe(-10);
  });
});

describe('EksPlatformCluster version', () => {
  test('1.34: control plane, every add-on, the Cluster Autoscaler image and every node group on the 1.34 row', () => {
    const { template } = synth({ version: EksKubernetesVersion.V1_34, capacity: ClusterCapacity.managedNodeGroups({ spot: {} }) });
    const pins = EKS_VERSION_TABLE['1.34'];
    template.hasResourceProperties('AWS::EKS::Cluster', { Version: '1.34' });
    const addons = ofType(template, 'AWS::EKS::Addon').map(([, r]) => r.Properties);
    expect(Object.fromEntries(addons.map(a => [a.AddonName, a.AddonVersion]))).toEqual(pins.addons);
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'cluster-autoscaler',
      Values: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('"tag":"v1.34.3"')])] },
    });
    expect(ofType(template, 'AWS::EKS::Nodegroup').map(([, r]) => r.Properties.Version)).toEqual(['1.34', '1.34']);
  });

  test('the default leaves the template as before: 1.35, no node group Version, no UpdateConfig', () => {
    const { template, cluster } = synth();
    expect(cluster.version).toBe('1.35');
    template.hasResourceProperties('AWS::EKS::Cluster', { Version: '1.35' });
    template.hasResourceProperties('AWS::EKS::Nodegroup', { Version: Match.absent(), UpdateConfig: Match.absent() });
  });

  test('an explicit 1.35 sets the node group version too, so that the nodes follow the control plane', () => {
    const { template } = synth({ version: EksKubernetesVersion.V1_35 });
    template.hasResourceProperties('AWS::EKS::Nodegroup', { Version: '1.35' });
  });

  test('a version the table does not know is refused, naming the prop, the value and the supported ones', () => {
    expect(() => synth({ version: '1.33' as EksKubernetesVersion })).toThrow(
      '[Test/Eks] EksPlatformCluster.version is "1.33": must be one of EksKubernetesVersion.V1_34 ("1.34") or EksKubernetesVersion.V1_35 ("1.35").');
    expect(() => synth({ version: 'latest' as EksKubernetesVersion })).toThrow(/EksPlatformCluster\.version is "latest": must be one of/);
  });

  test('upgrade order: control plane, then the networking add-ons, then the node groups, then the pod add-ons and controllers', () => {
    const { template } = synth({ version: EksKubernetesVersion.V1_35 });
    const [[clusterId]] = ofType(template, 'AWS::EKS::Cluster');
    const addon = (name: string) => ofType(template, 'AWS::EKS::Addon').find(([, r]) => r.Properties.AddonName === name)![0];
    const [[ngId]] = ofType(template, 'AWS::EKS::Nodegroup');
    for (const name of ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']) {
      expect(dependenciesOf(template, addon(name))).toContain(clusterId);
      expect(dependenciesOf(template, ngId)).toContain(addon(name));
    }
    expect(dependenciesOf(template, ngId)).toContain(clusterId);
    for (const name of ['coredns', 'aws-ebs-csi-driver', 'metrics-server']) expect(dependenciesOf(template, addon(name))).toContain(ngId);
    for (const [id] of ofType(template, 'Custom::AWSCDK-EKS-HelmChart')) expect(dependenciesOf(template, id)).toContain(ngId);
    // nothing the control plane needs waits for a node group or an add-on
    const cp = dependenciesOf(template, clusterId);
    for (const [id] of [...ofType(template, 'AWS::EKS::Addon'), ...ofType(template, 'AWS::EKS::Nodegroup')]) expect(cp).not.toContain(id);
  });
});

describe('end-of-standard-support warning', () => {
  const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('EKS standard support'));

  test('none more than 90 days before the end', () => {
    expect(warnings(synth({}, '2026-12-26').stack)).toEqual([]);
  });

  test('within 90 days: a warning with an id, the days left, the date and the next version', () => {
    const { stack } = synth({ version: EksKubernetesVersion.V1_35 }, '2027-01-26');
    const found = warnings(stack);
    expect(found).toHaveLength(1);
    expect(found[0].id).toBe('/Test/Eks');
    expect(found[0].entry.data).toContain('EKS standard support of Kubernetes 1.35 ends in 60 days (2027-03-27)');
    expect(found[0].entry.data).toContain(`[ack: ${END_OF_SUPPORT_WARNING}]`);
  });

  test('after the end: says so and names the next step (1.34 to 1.35)', () => {
    const found = warnings(synth({ version: EksKubernetesVersion.V1_34 }, '2026-12-12').stack);
    expect(found[0].entry.data).toContain('EKS standard support of Kubernetes 1.34 ended 10 days ago (2026-12-02)');
    expect(found[0].entry.data).toContain('version: EksKubernetesVersion.V1_35 ("1.35")');
  });

  test('a context date that is not an ISO date is refused, naming the context key', () => {
    expect(() => synth({}, 'tomorrow')).toThrow('[Test/Eks] EksPlatformCluster.context cdk-k8s-platform:today is "tomorrow": must be an ISO date such as "2027-01-15".');
  });
});

describe('node group roll settings', () => {
  test('maxUnavailable reaches UpdateConfig', () => {
    const { template } = synth({ capacity: ClusterCapacity.managedNodeGroups({ onDemand: { maxUnavailable: 2 }, spot: { maxUnavailablePercentage: 50 } }) });
    template.hasResourceProperties('AWS::EKS::Nodegroup', { CapacityType: 'ON_DEMAND', UpdateConfig: { MaxUnavailable: 2 } });
    template.hasResourceProperties('AWS::EKS::Nodegroup', { CapacityType: 'SPOT', UpdateConfig: { MaxUnavailablePercentage: 50 } });
  });

  test('bad roll settings are refused with the prop and value', () => {
    const nodes = (onDemand: object) => ({ capacity: ClusterCapacity.managedNodeGroups({ onDemand }) });
    expect(() => synth(nodes({ maxUnavailable: 1, maxUnavailablePercentage: 10 }))).toThrow(
      '[Test/Eks/OnDemand] EksNodeGroup.maxUnavailablePercentage is 10: cannot be set together with maxUnavailable (1): keep one of them.');
    expect(() => synth(nodes({ maxUnavailable: 7 }))).toThrow('[Test/Eks/OnDemand] EksNodeGroup.maxUnavailable is 7: must be an integer from 1 to 6 (nodes, at most maxSize).');
    expect(() => synth(nodes({ maxUnavailablePercentage: 0 }))).toThrow(/EksNodeGroup\.maxUnavailablePercentage is 0: must be an integer from 1 to 100/);
  });
});
