import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { App as Cdk8sApp } from 'cdk8s';
import { EksPlatformCluster } from '../../lib/clusters/eks';
import { K3sCluster } from '../../lib/clusters/k3s';
import { PlatformNetwork } from '../../lib/network';
import { ClusterTraits, PlatformChart, WebService } from '../../lib/workloads';
import { expectPropError } from '../workloads/fixtures';

/** An EKS and a k3s cluster in one stack (nothing is synthesized: the checks run in addWorkloads). */
function clusters() {
  const stack = new Stack(new App(), 'Test');
  const network = new PlatformNetwork(stack, 'Network');
  const eks = new EksPlatformCluster(stack, 'Eks', { vpc: network.vpc, vpcCidr: network.vpcCidr, clusterName: 'acme' });
  const k3s = new K3sCluster(stack, 'K3s', { vpc: network.vpc, clusterName: 'acme-k3s' });
  return { stack, eks, k3s };
}

function chart(traits: ClusterTraits, id = 'shop'): PlatformChart {
  const c = new PlatformChart(new Cdk8sApp(), id, { traits, namespace: 'shop' });
  new WebService(c, 'web', { image: 'nginx:1.27.3', replicas: 2, ingress: { hosts: ['shop.example.com'] } });
  return c;
}

describe('addWorkloads refuses a chart built for another kind of cluster', () => {
  const { stack, eks, k3s } = clusters();

  test('a k3s chart (Traefik routing) on EKS', () => {
    expectPropError(() => eks.addWorkloads('shop', [chart(k3s.traits)]), {
      path: 'Test/Eks',
      prop: 'EksPlatformCluster.addWorkloads(charts) "shop" traits.ingressFlavour',
      value: '"traefik"',
      says: 'differs from this cluster\'s ingress flavour "alb": its routing objects would fail or do nothing here; build the chart with this cluster\'s traits: new PlatformChart(app, id, { traits: cluster.traits }).',
    });
  });

  test('an EKS chart (ALB Ingresses) on k3s', () => {
    expectPropError(() => k3s.addWorkloads('shop', [chart(ClusterTraits.eks())]), {
      path: 'Test/K3s',
      prop: 'addWorkloads(charts) "shop" traits.ingressFlavour',
      value: '"alb"',
      says: 'differs from this cluster\'s ingress flavour "traefik"',
    });
  });

  test('the cluster\'s own traits pass without a warning; a preset of the same flavour passes with one naming the differences', () => {
    k3s.addWorkloads('own', [chart(k3s.traits, 'own')]);
    eks.addWorkloads('own', [chart(eks.traits, 'own')]);
    eks.addWorkloads('preset', [chart(ClusterTraits.eks({ storageClassName: 'fast' }), 'preset')]);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('chartTraits'));
    expect(warnings.map(w => [w.id, w.entry.data])).toEqual([['/Test/Eks', 'Chart "preset" was built with traits that differ from this cluster\'s: '
      + `storageClassName "fast" (the cluster: "${eks.traits.storageClassName}"). Its objects follow the chart's traits; `
      + 'build the chart with this cluster\'s traits: new PlatformChart(app, id, { traits: cluster.traits }). [ack: cdk-k8s-platform:chartTraits]']]);
  });
});

test('EksPlatformCluster.addWorkloads refuses an id used twice, naming it', () => {
  const { eks } = clusters();
  eks.addWorkloads('shop', [chart(eks.traits)]);
  expectPropError(() => eks.addWorkloads('shop', [chart(eks.traits, 'more')]), {
    path: 'Test/Eks',
    prop: 'EksPlatformCluster.addWorkloads(id)',
    value: '"shop"',
    says: 'is already used by another delivery of this cluster: pick a unique id (each delivery\'s charts become the releases <id>-<chart>).',
  });
  expectPropError(() => eks.addWorkloads('Cluster', [chart(eks.traits, 'x')]), {
    path: 'Test/Eks', prop: 'EksPlatformCluster.addWorkloads(id)', value: '"Cluster"', says: 'is the id of another construct of this cluster (Test/Eks/Cluster): pick another id.',
  });
});

