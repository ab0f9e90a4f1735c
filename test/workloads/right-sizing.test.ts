/* rightSizing: a VerticalPodAutoscaler, checked against its CRD schema, its target and the workload's HPA. */
import { Size } from 'cdk8s';
import { expectPropError, newChart, one, synthValid } from './fixtures';
import {
  ClusterTraits, Cpu, IngressFlavour, NodeAgent, RightSizedResource, RightSizingMode, StatefulService, WebService, Worker,
} from '../../lib/workloads';

const IMAGE = 'ghcr.io/acme/api:1.0.0';
const vpaTraits = () => ClusterTraits.custom({ ingressFlavour: IngressFlavour.ALB, storageClassName: 'gp3', verticalPodAutoscaler: true });

test('recommendations only by default, for every container, targeting the workload', () => {
  const chart = newChart({ traits: vpaTraits() });
  new Worker(chart, 'worker', { image: IMAGE, rightSizing: {} });
  const vpa = one(synthValid(chart), 'VerticalPodAutoscaler');
  expect(vpa.spec).toEqual({
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
    updatePolicy: { updateMode: 'Off' },
    resourcePolicy: { containerPolicies: [{ containerName: '*', controlledResources: ['cpu', 'memory'] }] },
  });
});

test.each([
  ['StatefulService', 'StatefulSet'],
  ['NodeAgent', 'DaemonSet'],
  ['WebService', 'Deployment'],
])('%s: the VPA targets its %s and passes the schema and cross-reference checks', (kind, target) => {
  const chart = newChart({ traits: vpaTraits() });
  const rightSizing = {
    mode: RightSizingMode.INITIAL,
    controlledResources: [RightSizedResource.MEMORY],
    minMemory: Size.mebibytes(64),
    maxMemory: Size.gibibytes(2),
    maxCpu: Cpu.units(2),
  };
  if (kind === 'StatefulService') new StatefulService(chart, 'app', { image: IMAGE, ports: [{ name: 'db', port: 5432 }], rightSizing });
  if (kind === 'NodeAgent') new NodeAgent(chart, 'app', { image: IMAGE, rightSizing });
  if (kind === 'WebService') new WebService(chart, 'app', { image: IMAGE, rightSizing });
  const vpa = one(synthValid(chart), 'VerticalPodAutoscaler');
  expect(vpa.spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: target, name: 'app' });
  expect(vpa.spec.resourcePolicy.containerPolicies[0]).toEqual({
    containerName: '*', controlledResources: ['memory'], minAllowed: { memory: '64Mi' }, maxAllowed: { cpu: '2', memory: '2Gi' },
  });
});

describe('refused while an HPA scales on the same resource', () => {
  test('WebService with its default CPU autoscaling and a VPA setting CPU', () => {
    expectPropError(() => new WebService(newChart({ traits: vpaTraits() }), 'web', { image: IMAGE, rightSizing: { mode: RightSizingMode.AUTO } }), {
      path: 'shop/web',
      prop: 'WebService.rightSizing.controlledResources',
      value: '["cpu","memory"]',
      says: 'lets the Vertical Pod Autoscaler set cpu requests (mode Auto) while autoscaling scales on cpu utilisation, a percentage of that request: the two would chase each other. '
        + 'Either set rightSizing.controlledResources to [RightSizedResource.MEMORY], or use mode RightSizingMode.OFF for recommendations only, or give fixed replicas instead of autoscaling.',
    });
  });

  test('memory autoscaling and a VPA on memory only', () => {
    expectPropError(() => new Worker(newChart(), 'w', {
      image: IMAGE,
      autoscaling: { memoryUtilization: 80 },
      rightSizing: { mode: RightSizingMode.RECREATE, controlledResources: [RightSizedResource.MEMORY] },
    }), { path: 'shop/w', prop: 'Worker.rightSizing.controlledResources', value: '["memory"]', says: 'Either set rightSizing.controlledResources to the resource autoscaling does not use (autoscaling.cpuUtilization)' });
  });

  test('InPlaceOrRecreate with an HPA on cpu is refused like Recreate', () => {
    expectPropError(() => new WebService(newChart({ traits: vpaTraits() }), 'w', { image: IMAGE, rightSizing: { mode: RightSizingMode.IN_PLACE_OR_RECREATE } }),
      { path: 'shop/w', prop: 'WebService.rightSizing.controlledResources', value: '["cpu","memory"]', says: 'lets the Vertical Pod Autoscaler set cpu requests (mode InPlaceOrRecreate) while autoscaling scales on cpu utilisation' });
  });

  test('allowed: mode OFF, the other resource, or fixed replicas', () => {
    const chart = newChart({ traits: vpaTraits() });
    new WebService(chart, 'a', { image: IMAGE, rightSizing: {} });
    new WebService(chart, 'b', { image: IMAGE, rightSizing: { mode: RightSizingMode.AUTO, controlledResources: [RightSizedResource.MEMORY] } });
    new WebService(chart, 'c', { image: IMAGE, replicas: 2, rightSizing: { mode: RightSizingMode.AUTO } });
    expect(synthValid(chart).filter(o => o.kind === 'VerticalPodAutoscaler')).toHaveLength(3);
  });
});

test('InPlaceOrRecreate: written as the VPA updateMode, passes the VPA CRD schema', () => {
  const chart = newChart({ traits: vpaTraits() });
  new WebService(chart, 'web', { image: IMAGE, replicas: 2, rightSizing: { mode: RightSizingMode.IN_PLACE_OR_RECREATE } });
  expect(one(synthValid(chart), 'VerticalPodAutoscaler').spec.updatePolicy).toEqual({ updateMode: 'InPlaceOrRecreate' });
});

test('bad modes and resources name the prop', () => {
  const fail = (rightSizing: object, prop: string, value: string, says: string) =>
    expectPropError(() => new Worker(newChart(), 'w', { image: IMAGE, rightSizing }), { path: 'shop/w', prop: `Worker.${prop}`, value, says });
  fail({ mode: 'Always' }, 'rightSizing.mode', '"Always"', 'must be one of RightSizingMode.OFF ("Off"), RightSizingMode.INITIAL ("Initial"), RightSizingMode.RECREATE ("Recreate"), RightSizingMode.IN_PLACE_OR_RECREATE ("InPlaceOrRecreate") or RightSizingMode.AUTO ("Auto").');
  fail({ controlledResources: [] }, 'rightSizing.controlledResources', '[]', 'must list at least one of RightSizedResource.CPU and RightSizedResource.MEMORY.');
  fail({ controlledResources: ['gpu'] }, 'rightSizing.controlledResources[0]', '"gpu"', 'must be one of RightSizedResource.CPU ("cpu") or RightSizedResource.MEMORY ("memory").');
});

test('a synth warning when the traits say no VPA runs; none when it does', () => {
  const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    const chart = newChart();
    new Worker(chart, 'w', { image: IMAGE, rightSizing: {} });
    synthValid(chart);
    expect(warn).toHaveBeenCalledWith(
      '[shop/w] rightSizing: the cluster\'s traits say no Vertical Pod Autoscaler runs (traits.verticalPodAutoscaler is false), so the VerticalPodAutoscaler object will do nothing. '
      + 'Install VerticalPodAutoscalerAddOn on the cluster, or remove rightSizing.', 'RightSizingWarning');
    warn.mockClear();
    const withVpa = newChart({ traits: vpaTraits() });
    new Worker(withVpa, 'w', { image: IMAGE, rightSizing: {} });
    synthValid(withVpa);
    expect(warn).not.toHaveBeenCalled();
  } finally {
    warn.mockRestore();
  }
});
