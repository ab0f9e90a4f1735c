/**
 * Removing a chart that holds a PlatformNamespace from an EKS delivery (`helm uninstall` of its release, after
 * the replacement guard's `Release` opt-in) against a model of a live cluster with Helm's release semantics
 * (test/support/cluster-model/helm-model.ts): the namespace is kept (`helm.sh/resource-policy: keep`), and with it
 * the claims its StatefulSets' controller made, which are in no release. Without the annotation the namespace
 * controller deletes the claims with the namespace: the control case shows the model would catch that.
 */
import { parseDocuments } from './helpers';
import { HelmChartDirectory } from '../../lib/delivery';
import { ClusterTraits, synthesizeManifests } from '../../lib/workloads';
import { ClusterModel } from '../support/cluster-model/cluster-model';
import { HelmModel, RenderedObject, RESOURCE_POLICY } from '../support/cluster-model/helm-model';
import { shopChart } from '../support/cluster-model/shop';

/** The objects of the shop chart's release, as the delivery's Helm chart holds them (nothing in them needs Helm's escape). */
function releaseObjects(): RenderedObject[] {
  const directory = HelmChartDirectory.render(synthesizeManifests([shopChart(ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' }))]), { chartName: 'shop' });
  return [...directory.files].filter(([file]) => file.startsWith('templates/')).flatMap(([, text]) => parseDocuments(text) as RenderedObject[]);
}

/** Installs the release, lets the controllers make the claim, uninstalls it: what is left of the namespace. */
function installThenRemove(objects: RenderedObject[]): { namespace: boolean; claims: string[]; statefulSets: number } {
  const model = new ClusterModel({ distribution: 'kubeadm' });
  const helm = new HelmModel(model);
  helm.upgradeInstall('shop', 'default', objects);
  model.settle();
  expect(model.list(model.typeOf('v1', 'PersistentVolumeClaim')!, 'shop').map(c => c.metadata.name)).toEqual(['data-postgres-0']);
  helm.uninstall('shop', 'default');
  model.settle();
  return {
    namespace: model.get('Namespace', undefined, 'shop') !== undefined,
    claims: model.list(model.typeOf('v1', 'PersistentVolumeClaim')!, 'shop').map(c => c.metadata.name),
    statefulSets: model.list(model.typeOf('apps/v1', 'StatefulSet')!, 'shop').length,
  };
}

describe('a delivered namespace outlives its release', () => {
  test('the namespace carries helm.sh/resource-policy: keep', () => {
    const ns = releaseObjects().find(o => o.kind === 'Namespace');
    expect(ns?.metadata.annotations).toEqual({ [RESOURCE_POLICY]: 'keep' });
  });

  test('helm uninstall of the chart\'s release deletes its workloads and keeps the namespace with the database\'s claim', () => {
    expect(installThenRemove(releaseObjects())).toEqual({ namespace: true, claims: ['data-postgres-0'], statefulSets: 0 });
  });

  test('control: without the annotation the claim goes with the namespace', () => {
    const unkept = releaseObjects().map(o => (o.kind === 'Namespace' ? { ...o, metadata: { ...o.metadata, annotations: undefined } } : o));
    expect(installThenRemove(unkept)).toEqual({ namespace: false, claims: [], statefulSets: 0 });
  });
});
