import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { sampleChart } from './support/fixtures';
import { callIndex, runWithStubs } from './support/stub-run';
import { bashSyntaxErrors, flatten, shellcheckFindings } from './support/user-data';
import { K3sCluster } from '../../../lib/clusters/k3s';
import { KubeadmCluster } from '../../../lib/clusters/kubeadm';
import { PlatformNetwork } from '../../../lib/network';
import { ClusterTraits } from '../../../lib/workloads';

// The association's command (the sync script, rendered from a real synth) runs under stubbed aws/k3s/kubectl.
let k3sSync: string;
let kubeadmSync: string;
let manifestsFile: string;
beforeAll(() => {
  const stack = new Stack(new App(), 'sync');
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  const k3s = new K3sCluster(stack, 'K3s', { vpc, clusterName: 'a' });
  k3s.addWorkloads('shop', [sampleChart(k3s.traits)]);
  const kubeadm = new KubeadmCluster(stack, 'Kubeadm', { vpc, clusterName: 'b' });
  kubeadm.addWorkloads('shop', [sampleChart(ClusterTraits.k3s())]);
  const t = Template.fromStack(stack);
  const commands = (part: string) => {
    const [, assoc] = Object.entries(t.findResources('AWS::SSM::Association')).find(([id]) => id.startsWith(part))!;
    return (assoc.Properties.Parameters.commands as unknown[]).map(flatten).join('\n');
  };
  k3sSync = commands('K3s');
  kubeadmSync = commands('Kubeadm');
  manifestsFile = /^DELIVERIES='shop (\S+)'$/m.exec(k3sSync)![1].split('/').pop()!;
});

const LIVE = {
  API_RESOURCES: 'namespaces\\nconfigmaps\\ndeployments.apps\\nreplicasets.apps',
  LIVE_namespaces: 'Namespace||shop|\\n',
  LIVE_configmaps: 'ConfigMap|shop|web-config|\\nConfigMap|shop|old-config|\\nConfigMap|default|gone|\\n',
  LIVE_deployments_apps: 'Deployment|shop|removed-web|\\n',
  LIVE_replicasets_apps: 'ReplicaSet|shop|web-abc|1234-uid\\n',
};
// A manifest file in the delivery format v1 (ManifestFileAsset): the inventory in its header.
const FILE = '# cdk-k8s-platform manifest v1\n# delivery: shop\n# objects: 2\n# object: v1|Namespace||shop\n# object: v1|ConfigMap|shop|web-config\n'
  + '---\napiVersion: v1\nkind: Namespace\n---\napiVersion: v1\nkind: ConfigMap\n';
const ready = (root: string) => {
  require('fs').mkdirSync(`${root}/var/lib/cdk-k8s-platform`, { recursive: true });
  require('fs').writeFileSync(`${root}/var/lib/cdk-k8s-platform/ready`, 'x');
};

test('the sync commands parse and pass shellcheck', () => {
  for (const script of [k3sSync, kubeadmSync]) {
    expect(bashSyntaxErrors(script)).toBe('');
    const body = script.slice(script.indexOf('#!/bin/bash'), script.lastIndexOf('CDK_K8S_PLATFORM_SYNC'));
    const findings = shellcheckFindings(body);
    if (findings !== undefined) expect(findings).toBe('');
  }
});

test('k3s: copies the delivery into the auto-deploy directory, removes stale files and deleted objects', () => {
  const run = runWithStubs(k3sSync, {
    env: LIVE,
    fixtures: { [manifestsFile]: FILE },
    setup: root => {
      ready(root);
      require('fs').mkdirSync(`${root}/var/lib/rancher/k3s/server/manifests`, { recursive: true });
      require('fs').writeFileSync(`${root}/var/lib/rancher/k3s/server/manifests/cdk-k8s-platform-legacy.yaml`, 'old');
      require('fs').writeFileSync(`${root}/var/lib/rancher/k3s/server/manifests/traefik.yaml`, 'k3s');
    },
  });
  expect(run.output).toContain('workloads in sync (2 objects)');
  expect(run.status).toBe(0);
  expect(run.file('var/lib/rancher/k3s/server/manifests/cdk-k8s-platform-shop.yaml')).toBe(FILE);
  expect(run.mode('var/lib/rancher/k3s/server/manifests/cdk-k8s-platform-shop.yaml')).toBe(0o600);
  expect(run.exists('var/lib/rancher/k3s/server/manifests/cdk-k8s-platform-legacy.yaml')).toBe(false);
  expect(run.exists('var/lib/rancher/k3s/server/manifests/traefik.yaml')).toBe(true);
  const deletes = run.calls.filter(c => c.includes(' delete ')).sort();
  expect(deletes).toEqual([
    'k3s kubectl delete configmaps gone -n default --ignore-not-found --wait=false',
    'k3s kubectl delete configmaps old-config -n shop --ignore-not-found --wait=false',
    'k3s kubectl delete deployments.apps removed-web -n shop --ignore-not-found --wait=false',
  ]);
  expect(run.calls).toContain('k3s kubectl get configmaps --all-namespaces -l app.kubernetes.io/managed-by=cdk-k8s-platform --ignore-not-found -o jsonpath={range .items[*]}{.kind}{"|"}{.metadata.namespace}{"|"}{.metadata.name}{"|"}{.metadata.ownerReferences[0].uid}{"\\n"}{end}');
  expect(callIndex(run.calls, 'aws s3 cp')).toBeLessThan(callIndex(run.calls, 'k3s kubectl api-resources'));
});

test('k3s: an object without namespace in the code matches the live object in "default"', () => {
  const run = runWithStubs(k3sSync, {
    env: { API_RESOURCES: 'configmaps', LIVE_configmaps: 'ConfigMap|default|gone|\\n' },
    fixtures: { [manifestsFile]: '# cdk-k8s-platform manifest v1\n# object: v1|ConfigMap||gone\n---\nkind: ConfigMap\n' },
    setup: ready,
  });
  expect(run.status).toBe(0);
  expect(run.calls.filter(c => c.includes(' delete '))).toEqual([]);
});

test('a failed download stops before anything is deleted', () => {
  const run = runWithStubs(k3sSync, { env: LIVE, fixtures: {}, setup: ready });
  expect(run.status).not.toBe(0);
  expect(run.calls.filter(c => c.includes(' delete ') || c.includes('api-resources'))).toEqual([]);
});

test('waits for the node bootstrap and fails when it never finishes', () => {
  const run = runWithStubs(k3sSync, { env: LIVE });
  expect(run.status).toBe(1);
  expect(run.output).toContain('the node bootstrap did not finish');
  expect(run.calls.filter(c => c.startsWith('aws'))).toEqual([]);
});

test('kubeadm: server-side apply with the library field manager, then prune', () => {
  const file = /^DELIVERIES='shop (\S+)'$/m.exec(kubeadmSync)![1].split('/').pop()!;
  const run = runWithStubs(kubeadmSync, {
    env: LIVE,
    fixtures: { [file]: FILE },
    setup: ready,
  });
  expect(run.status).toBe(0);
  const apply = callIndex(run.calls, `kubectl --kubeconfig ${run.root}/etc/kubernetes/admin.conf apply --server-side --force-conflicts --field-manager=cdk-k8s-platform -f ${run.root}/var/lib/cdk-k8s-platform/deliveries/shop.yaml`);
  expect(apply).toBeGreaterThanOrEqual(0);
  const firstDelete = run.calls.findIndex(c => c.includes(' delete '));
  expect(firstDelete).toBeGreaterThan(apply);
  expect(run.calls.filter(c => c.includes(' delete '))).toHaveLength(3);
  expect(run.exists('var/lib/rancher/k3s/server/manifests/cdk-k8s-platform-shop.yaml')).toBe(false);
});
