import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { K3S_UPGRADE_PATH, K3sCluster, K3sVersion } from '../../../lib/clusters/k3s';
import { KUBEADM_UPGRADE_PATH, KubeadmCluster, KubeadmVersion } from '../../../lib/clusters/kubeadm';
import {
  END_OF_LIFE_SOON_WARNING, END_OF_LIFE_WARNING, UNTESTED_VERSION_WARNING, UPSTREAM_END_OF_LIFE,
} from '../../../lib/clusters/self-managed/private/upstream-support';

/** The cluster's warnings on a day (`cdk-k8s-platform:today`), without the nodes' other warnings. */
function warnings(today: string, cluster: 'k3s' | 'kubeadm', version?: K3sVersion | KubeadmVersion): string[] {
  const stack = new Stack(new App({ context: { 'cdk-k8s-platform:today': today } }), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  if (cluster === 'k3s') new K3sCluster(stack, 'Cluster', { vpc, clusterName: 'acme', version: version as K3sVersion | undefined });
  else new KubeadmCluster(stack, 'Cluster', { vpc, clusterName: 'acme', version: version as KubeadmVersion | undefined });
  return Annotations.fromStack(stack).findWarning('/Test/Cluster', Match.stringLikeRegexp('Kubernetes 1\\.\\d+ \\(')).map(w => w.entry.data as string);
}

describe('the upstream support calendar of k3s and kubeadm releases', () => {
  test('the defaults on the day of this release: no warning', () => {
    expect(warnings('2026-12-03', 'k3s')).toEqual([]);
    expect(warnings('2026-12-03', 'kubeadm')).toEqual([]);
  });

  test('past its end of life: a warning that it gets no security fixes, with every release of the upgrade, one minor at a time', () => {
    const [warning, ...rest] = warnings('2026-12-03', 'k3s', K3sVersion.V1_33_1);
    expect(rest).toEqual([]);
    expect(warning).toBe('Kubernetes 1.33 (K3sCluster.version v1.33.1+k3s1) reached its upstream end of life 158 days ago (2026-06-28): it gets no more '
      + 'patch releases, security fixes included. Upgrade, one minor version at a time (each deploy rolls the nodes, servers first): '
      + 'version: K3sVersion.V1_34_12, then version: K3sVersion.V1_35_9, then version: K3sVersion.V1_36_5 (docs/operations.md "Upgrade"). '
      + `[ack: ${END_OF_LIFE_WARNING}]`);
    expect(warnings('2026-10-27', 'kubeadm', KubeadmVersion.V1_34_12)).toEqual([expect.stringContaining(
      'Kubernetes 1.34 (KubeadmCluster.version 1.34.12) reached its upstream end of life today (2026-10-27): it gets no more patch releases, security '
      + 'fixes included. Upgrade, one minor version at a time (each deploy rolls the nodes, servers first): version: KubeadmVersion.V1_35_9, then '
      + 'version: KubeadmVersion.V1_36_5')]);
  });

  test('90 days or fewer before it: a warning of its own with the date; the newest pinned release points to a library upgrade', () => {
    expect(warnings('2026-11-30', 'kubeadm', KubeadmVersion.V1_35_9)).toEqual([
      'Kubernetes 1.35 (KubeadmCluster.version 1.35.9) reaches its upstream end of life in 90 days (2027-02-28): from that day it gets no more patch '
      + 'releases, security fixes included. Upgrade before then, one minor version at a time (each deploy rolls the nodes, servers first): '
      + `version: KubeadmVersion.V1_36_5 (docs/operations.md "Upgrade"). [ack: ${END_OF_LIFE_SOON_WARNING}]`,
    ]);
    expect(warnings('2026-11-29', 'kubeadm', KubeadmVersion.V1_35_9)).toEqual([]);
    expect(warnings('2027-06-27', 'k3s')).toEqual([expect.stringContaining('Kubernetes 1.36 (K3sCluster.version v1.36.5+k3s1) reaches its upstream end '
      + 'of life in 1 day (2027-06-28): from that day it gets no more patch releases, security fixes included. Upgrade before then: upgrade '
      + 'cdk-k8s-platform to a release that pins the next minor version, then deploy it (docs/operations.md "Upgrade").')]);
  });

  test('a minor version newer than the pinned ones: a warning that the library did not check it, whatever the date', () => {
    expect(warnings('2026-12-03', 'k3s', K3sVersion.of('v1.37.1+k3s1'))).toEqual([
      'Kubernetes 1.37 (K3sCluster.version v1.37.1+k3s1) is newer than the releases this version of cdk-k8s-platform pins and tests (up to 1.36): '
      + 'the add-on charts, the node scripts and the NetworkPolicy engine were not checked against it. Upgrade cdk-k8s-platform to a release '
      + `that pins 1.37 before you deploy it; a cluster that does not run it yet can stay on K3sVersion.V1_36_5. [ack: ${UNTESTED_VERSION_WARNING}]`,
    ]);
  });

  test('a malformed date in the context is an error naming the construct and the key', () => {
    expect(() => warnings('next week', 'k3s')).toThrow('[Test/Cluster] K3sCluster.context cdk-k8s-platform:today is "next week": must be an ISO date such as "2027-01-15".');
  });

  test('every pinned release has an end-of-life date, the dates follow the minor versions, and both distributions pin the same minors', () => {
    expect(Object.keys(K3S_UPGRADE_PATH)).toEqual(Object.keys(KUBEADM_UPGRADE_PATH));
    for (const minor of Object.keys(K3S_UPGRADE_PATH)) expect([minor, UPSTREAM_END_OF_LIFE[minor]]).toEqual([minor, expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)]);
    const dates = Object.keys(UPSTREAM_END_OF_LIFE).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])).map(m => UPSTREAM_END_OF_LIFE[m]);
    expect([...dates].sort()).toEqual(dates);
    expect(K3sVersion.V1_36_5.minor).toBe('1.36');
    expect(Object.values(K3S_UPGRADE_PATH)).toEqual(['K3sVersion.V1_32_5', 'K3sVersion.V1_33_1', 'K3sVersion.V1_34_12', 'K3sVersion.V1_35_9', 'K3sVersion.V1_36_5']);
  });
});
