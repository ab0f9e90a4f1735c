import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import {
  ClusterCapacity, DEFAULT_EKS_VERSION, EKS_VERSION_TABLE, EKS_VERSIONS, EksKubernetesVersion, EksPlatformCluster, EksPlatformClusterProps,
  TODAY_CONTEXT, daysOfExtendedSupportLeft, daysOfStandardSupportLeft, nextEksVersion,
} from '../../../lib/clusters/eks';
import { checkVersionSupport, END_OF_SUPPORT_WARNING, EXTENDED_SUPPORT_WARNING } from '../../../lib/clusters/eks/private/version-support';
import { PlatformNetwork } from '../../../lib/network';

const ALL_VERSIONS = Object.values(EksKubernetesVersion);

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
    expect(nextEksVersion(EksKubernetesVersion.V1_35)).toBe('1.36');
    expect(nextEksVersion(EksKubernetesVersion.V1_36)).toBeUndefined();
  });

  test('kube-proxy and the Cluster Autoscaler follow the Kubernetes minor; every version is pinned exactly', () => {
    for (const [version, pins] of Object.entries(EKS_VERSION_TABLE)) {
      expect(pins.addons['kube-proxy']).toMatch(new RegExp(`^v${version.replace('.', '\\.')}\\.\\d+-eksbuild\\.\\d+$`));
      expect(pins.clusterAutoscaler.appVersion).toMatch(new RegExp(`^v${version.replace('.', '\\.')}\\.\\d+$`));
      for (const v of Object.values(pins.addons)) expect(v).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
      for (const c of [pins.albController, pins.clusterAutoscaler]) expect(c.version).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  test('end of standard and extended support: the EKS calendar dates, extended support one year after standard', () => {
    const dates = ALL_VERSIONS.map(v => [v, EKS_VERSION_TABLE[v].endOfStandardSupport, EKS_VERSION_TABLE[v].endOfExtendedSupport]);
    expect(dates).toEqual([
      ['1.34', '2026-12-02', '2027-12-02'],
      ['1.35', '2027-03-27', '2028-03-27'],
      ['1.36', '2027-08-02', '2028-08-02'],
    ]);
    for (const [, standard, extended] of dates) {
      expect(extended).toBe(`${Number(standard.slice(0, 4)) + 1}${standard.slice(4)}`);
    }
  });

  test('days left count whole UTC days; the end day itself is the first day of extended support (0 left)', () => {
    expect(daysOfStandardSupportLeft(EksKubernetesVersion.V1_35, new Date('2026-12-27T15:00:00Z'))).toBe(90);
    expect(daysOfStandardSupportLeft(EksKubernetesVersion.V1_34, new Date('2026-12-01T23:59:59Z'))).toBe(1);
    expect(daysOfStandardSupportLeft(EksKubernetesVersion.V1_34, new Date('2026-12-02T00:00:00Z'))).toBe(0);
    expect(daysOfStandardSupportLeft(EksKubernetesVersion.V1_34, new Date('2026-12-12T00:00:00Z'))).toBe(-10);
    expect(daysOfExtendedSupportLeft(EksKubernetesVersion.V1_34, new Date('2026-12-02T00:00:00Z'))).toBe(365);
    expect(daysOfExtendedSupportLeft(EksKubernetesVersion.V1_36, new Date('2028-08-03T08:00:00Z'))).toBe(-1);
  });

  test('1.36 is named with KubernetesVersion.of (not in the peer floor) and brings the kubectl 1.36 layer', () => {
    expect(EKS_VERSION_TABLE['1.36'].kubernetesVersion.version).toBe('1.36');
    const descriptions = ALL_VERSIONS.map(v => {
      const stack = new Stack();
      EKS_VERSION_TABLE[v].kubectlLayer(stack, 'Layer');
      const layers = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::LayerVersion'));
      return [v, ...layers.map(l => l.Properties.Description)];
    });
    expect(descriptions).toEqual([
      ['1.34', '/opt/kubectl/kubectl 1.35.2; /opt/helm/helm 4.1.3'], // kubectl skew: one minor above the API server
      ['1.35', '/opt/kubectl/kubectl 1.35.2; /opt/helm/helm 4.1.3'],
      ['1.36', '/opt/kubectl/kubectl 1.36.3; /opt/helm/helm 4.2.3'],
    ]);
  });

  test('docs/eks.md lists every row with its dates and every pinned version', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../../docs/eks.md'), 'utf8');
    for (const [version, pins] of Object.entries(EKS_VERSION_TABLE)) {
      const row = doc.split('\n').find(l => l.startsWith(`| \`EksKubernetesVersion.V${version.replace('.', '_')}\``));
      expect(row).toBeDefined();
      const expected = [pins.endOfStandardSupport, pins.endOfExtendedSupport, ...Object.values(pins.addons),
        pins.clusterAutoscaler.appVersion, pins.clusterAutoscaler.version, pins.albController.version];
      for (const text of expected) expect(row).toContain(text);
    }
  });
});

describe('EksPlatformCluster version', () => {
  test.each(ALL_VERSIONS)('%s: control plane, every add-on, the Cluster Autoscaler image and every node group on its row', (version) => {
    const { template } = synth({ version, capacity: ClusterCapacity.managedNodeGroups({ spot: {} }) }, '2026-11-01');
    const pins = EKS_VERSION_TABLE[version];
    template.hasResourceProperties('AWS::EKS::Cluster', { Version: version });
    const addons = ofType(template, 'AWS::EKS::Addon').map(([, r]) => r.Properties);
    expect(Object.fromEntries(addons.map(a => [a.AddonName, a.AddonVersion]))).toEqual(pins.addons);
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'cluster-autoscaler',
      Version: pins.clusterAutoscaler.version,
      Values: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`"tag":"${pins.clusterAutoscaler.appVersion}"`)])] },
    });
    expect(ofType(template, 'AWS::EKS::Nodegroup').map(([, r]) => r.Properties.Version)).toEqual([version, version]);
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
    expect(() => synth({ version: '1.33' as EksKubernetesVersion })).toThrow('[Test/Eks] EksPlatformCluster.version is "1.33": must be one of '
      + 'EksKubernetesVersion.V1_34 ("1.34"), EksKubernetesVersion.V1_35 ("1.35") or EksKubernetesVersion.V1_36 ("1.36").');
    expect(() => synth({ version: 'latest' as EksKubernetesVersion })).toThrow(/EksPlatformCluster\.version is "latest": must be one of/);
  });

  test.each([EksKubernetesVersion.V1_35, EksKubernetesVersion.V1_36])('upgrade order onto %s: control plane, then the networking add-ons, then the node groups, then the pod add-ons and controllers', (version) => {
    const { template } = synth({ version });
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

  test('the cluster runs the extended-support check: its own warning id in extended support, an error after it', () => {
    const found = warnings(synth({ version: EksKubernetesVersion.V1_34 }, '2026-12-02').stack);
    expect(found).toHaveLength(1);
    expect(found[0].entry.data).toContain(`[ack: ${EXTENDED_SUPPORT_WARNING}]`);
    expect(() => synth({ version: EksKubernetesVersion.V1_34 }, '2027-12-03')).toThrow(/\[Test\/Eks\] .*1\.34.*1\.35/);
  });

  test('a context date that is not an ISO date is refused, naming the context key', () => {
    expect(() => synth({}, 'tomorrow')).toThrow('[Test/Eks] EksPlatformCluster.context cdk-k8s-platform:today is "tomorrow": must be an ISO date such as "2027-01-15".');
  });
});

/** checkVersionSupport on a construct `Test/Eks` whose app says today is `today`. */
function checkOn(version: EksKubernetesVersion, today: string) {
  const stack = new Stack(new App({ context: { [TODAY_CONTEXT]: today } }), 'Test');
  checkVersionSupport(new Construct(stack, 'Eks'), version);
  return Annotations.fromStack(stack).findWarning('/Test/Eks', Match.anyValue()).map(w => w.entry.data as string);
}

describe('EKS support calendar (private/version-support.ts)', () => {
  test('in standard support, the day before it ends: a warning with one day left', () => {
    const [warning, ...rest] = checkOn(EksKubernetesVersion.V1_34, '2026-12-01');
    expect(rest).toEqual([]);
    expect(warning).toContain('EKS standard support of Kubernetes 1.34 ends in 1 day (2026-12-02): from that day EKS upgrades the control plane by itself');
    expect(warning).toContain('bills extended support (a higher price per cluster-hour) until 2027-12-02');
    expect(warning).toContain(`[ack: ${END_OF_SUPPORT_WARNING}]`);
  });

  test('extended support from the end day on: a warning of its own that says so, the cost, the end of extended support and the next version', () => {
    const [warning, ...rest] = checkOn(EksKubernetesVersion.V1_34, '2026-12-02');
    expect(rest).toEqual([]);
    expect(warning).toContain('EKS standard support of Kubernetes 1.34 ended today (2026-12-02): 1.34 is in EKS extended support until 2027-12-02.');
    expect(warning).toContain('With upgradePolicy STANDARD (as this library sets it) EKS upgrades the control plane by itself');
    expect(warning).toContain('is billed the extended-support price per cluster-hour (higher than the standard one) until 2027-12-02');
    expect(warning).toContain('Upgrade now: version: EksKubernetesVersion.V1_35 ("1.35"), one minor version at a time (docs/eks.md "Upgrading Kubernetes").');
    expect(warning).toContain(`[ack: ${EXTENDED_SUPPORT_WARNING}]`);
    expect(checkOn(EksKubernetesVersion.V1_34, '2027-12-01')[0]).toContain('ended 364 days ago (2026-12-02): 1.34 is in EKS extended support until 2027-12-02');
  });

  test('past extended support: refused, naming the prop, the value, the date and the next version', () => {
    expect(() => checkOn(EksKubernetesVersion.V1_34, '2027-12-02')).toThrow('[Test/Eks] EksPlatformCluster.version is "1.34": EKS extended support of '
      + 'Kubernetes 1.34 ended today (2027-12-02): EKS no longer runs 1.34 (it upgrades the control plane of every cluster still on it by itself and '
      + 'creates no new cluster with it). Set version: EksKubernetesVersion.V1_35 ("1.35"), one minor version at a time (docs/eks.md "Upgrading Kubernetes").');
    expect(() => checkOn(EksKubernetesVersion.V1_35, '2028-04-06')).toThrow(/Kubernetes 1\.35 ended 10 days ago \(2028-03-27\).*Set version: EksKubernetesVersion\.V1_36/);
  });

  test('the newest row has no next version: the step is a library upgrade', () => {
    const [warning] = checkOn(EksKubernetesVersion.V1_36, '2027-07-01');
    expect(warning).toContain('ends in 32 days (2027-08-02)');
    expect(warning).toContain('until 2028-08-02. Upgrade cdk-k8s-platform to a release that supports the next Kubernetes version, then upgrade');
    expect(() => checkOn(EksKubernetesVersion.V1_36, '2028-08-02')).toThrow(/version is "1\.36": .*\. Upgrade cdk-k8s-platform to a release that supports the next Kubernetes version/);
  });

  test('nothing while more than 90 days of standard support are left, for every row', () => {
    for (const version of ALL_VERSIONS) {
      const end = new Date(`${EKS_VERSION_TABLE[version].endOfStandardSupport}T00:00:00Z`);
      const quiet = new Date(end.getTime() - 91 * 86_400_000).toISOString().slice(0, 10);
      const loud = new Date(end.getTime() - 90 * 86_400_000).toISOString().slice(0, 10);
      expect({ version, quiet: checkOn(version, quiet) }).toEqual({ version, quiet: [] });
      expect(checkOn(version, loud)).toHaveLength(1);
    }
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
