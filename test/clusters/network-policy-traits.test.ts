import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { K3sCluster } from '../../lib/clusters/k3s';
import { KubeadmCluster } from '../../lib/clusters/kubeadm';
import { KUBE_ROUTER, networkPolicyEngineObjects } from '../../lib/clusters/kubeadm/network-policy-engine';
import { PlatformNetwork } from '../../lib/network';
import { EksPlatformStack } from '../../lib/platform/eks-platform-stack';
import { checkManifests } from '../support/k8s-check';
import { userDataOf } from './self-managed/support/user-data';

/**
 * Each cluster kind says `networkPolicySupport: true` only because its CNI enforces NetworkPolicies: this
 * test ties the trait to what each cluster really ships.
 */
function selfManaged<T>(build: (stack: Stack, vpc: PlatformNetwork['vpc']) => T): { cluster: T; template: Template; app: App } {
  const app = new App();
  const stack = new Stack(app, 'np');
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  const cluster = build(stack, vpc);
  return { cluster, template: Template.fromStack(stack), app };
}

describe('NetworkPolicy support: traits match what each cluster\'s CNI enforces', () => {
  test('EKS: the VPC CNI add-on runs its network-policy agent', () => {
    const stack = new EksPlatformStack(new App(), 'acme-eks', { platformName: 'acme' });
    expect(stack.cluster.traits.networkPolicySupport).toBe(true);
    const [cni] = Object.values(Template.fromStack(stack).findResources('AWS::EKS::Addon', { Properties: { AddonName: 'vpc-cni' } }));
    expect(JSON.parse(cni.Properties.ConfigurationValues).enableNetworkPolicy).toBe('true');
  });

  test('k3s: the embedded kube-router policy controller is never disabled', () => {
    for (const highAvailability of [false, true]) {
      const { cluster, template } = selfManaged((stack, vpc) => new K3sCluster(stack, 'Cluster', { vpc, highAvailability }));
      expect(cluster.traits.networkPolicySupport).toBe(true);
      const server = userDataOf(template, 'Server');
      expect(server).toContain('k3s');
      expect(server).not.toMatch(/disable-network-policy/);
    }
  });

  describe('kubeadm: flannel enforces nothing, so the control plane ships kube-router\'s policy controller', () => {
    let cluster: KubeadmCluster;
    let template: Template;
    let app: App;
    beforeAll(() => {
      ({ cluster, template, app } = selfManaged((stack, vpc) => new KubeadmCluster(stack, 'Cluster', { vpc })));
    });

    test('traits say true, and the control plane fetches and applies the engine\'s asset after flannel', () => {
      expect(cluster.traits.networkPolicySupport).toBe(true);
      const server = userDataOf(template, 'Server');
      const key = cluster.networkPolicyEngine.s3ObjectKey;
      expect(key).toMatch(/^[0-9a-f]{64}\.json$/);
      expect(server).toContain(`NETWORK_POLICY_URL='s3://cdk-hnb659fds-assets-111111111111-eu-west-1/${key}'`);
      const flannel = server.indexOf('apply -f "$FLANNEL_MANIFEST"');
      const engine = server.indexOf('-f "$STATE_DIR/network-policy.json"');
      expect(flannel).toBeGreaterThan(-1);
      expect(engine).toBeGreaterThan(flannel);
      expect(userDataOf(template, 'Agent')).not.toContain('NETWORK_POLICY_URL');
    });

    test('the asset is the generated kube-router manifest: policy controller only, pinned image, read-only RBAC', () => {
      const assembly = app.synth();
      const staged = path.join(assembly.directory, cluster.networkPolicyEngine.assetPath);
      const list = JSON.parse(fs.readFileSync(staged, 'utf8'));
      expect(list).toEqual(expect.objectContaining({ apiVersion: 'v1', kind: 'List' }));
      const objects: any[] = list.items;
      expect(objects).toEqual(JSON.parse(JSON.stringify(networkPolicyEngineObjects())));
      expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['ServiceAccount/kube-router', 'ClusterRole/kube-router',
        'ClusterRoleBinding/kube-router', 'DaemonSet/kube-router']);
      const ds = objects.find(o => o.kind === 'DaemonSet');
      expect(ds.metadata.namespace).toBe('kube-system');
      const container = ds.spec.template.spec.containers[0];
      expect(container.image).toBe(KUBE_ROUTER.image);
      expect(container.image).toMatch(/:v\d+\.\d+\.\d+$/);
      expect(container.args).toEqual(expect.arrayContaining(['--run-firewall=true', '--run-router=false', '--run-service-proxy=false']));
      expect(ds.spec.template.spec.tolerations).toEqual([{ operator: 'Exists' }]);
      const role = objects.find(o => o.kind === 'ClusterRole');
      expect(role.rules.flatMap((r: any) => r.verbs).every((v: string) => ['get', 'list', 'watch'].includes(v))).toBe(true);
    });

    test('the shipped objects pass the project\'s schema and reference checks; the only Pod Security findings are the host access it needs', () => {
      const findings = checkManifests(networkPolicyEngineObjects(), { allowServiceAccountToken: ['DaemonSet/kube-router'], requireReadOnlyRootFilesystem: false });
      expect(findings.filter(f => !f.rule.startsWith('pss/'))).toEqual([]);
      // kube-system is outside Pod Security "restricted": iptables/ipset on the host need these (docs/self-managed.md).
      expect([...new Set(findings.map(f => f.rule))].sort()).toEqual([
        'pss/capabilities', 'pss/host-namespaces', 'pss/host-path', 'pss/privilege-escalation', 'pss/privileged',
        'pss/run-as-non-root', 'pss/seccomp', 'pss/volume-types',
      ]);
    });
  });
});
