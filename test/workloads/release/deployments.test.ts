import { Testing } from 'cdk8s';
import { CANDIDATE, COLOUR, inventory, SELECTOR, selects, STABLE, synthRelease, TRACK } from './release-helpers';
import { ClusterTraits, Colour, DisruptionBudget, IngressFlavour, PlatformChart, ReleaseKind, ReleaseStrategy, WebService } from '../../../lib';
import { expectValidManifests } from '../../support/k8s-check';
import { one } from '../fixtures';

const canary = (weight = 10) => ReleaseStrategy.canary({ image: CANDIDATE, weight });

describe('rolling and recreate', () => {
  test('no release prop, rolling() and rolling with the defaults give the same objects', () => {
    const none = synthRelease('alb', undefined).objects;
    expect(synthRelease('alb', ReleaseStrategy.rolling()).objects).toEqual(none);
    expect(synthRelease('alb', ReleaseStrategy.rolling({ maxSurge: '25%', maxUnavailable: 0 })).objects).toEqual(none);
    expect(one(none, 'Deployment', 'web').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
  });

  test('rolling takes maxSurge and maxUnavailable as counts or percentages', () => {
    const { objects, web } = synthRelease('alb', ReleaseStrategy.rolling({ maxSurge: 1, maxUnavailable: '10%' }));
    expect(one(objects, 'Deployment', 'web').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '10%' } });
    expect(web.release.kind).toBe(ReleaseKind.ROLLING);
  });

  test('recreate has no rollingUpdate and keeps the stable selector', () => {
    const { objects } = synthRelease('alb', ReleaseStrategy.recreate());
    const d = one(objects, 'Deployment', 'web');
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(d.spec.selector.matchLabels).toEqual(SELECTOR);
    expectValidManifests(objects);
  });
});

describe('candidate Deployments (canary, A/B, shadow)', () => {
  const cases: Array<[string, ReleaseStrategy, string]> = [
    ['canary', canary(), 'canary'],
    ['abTest', ReleaseStrategy.abTest({ image: CANDIDATE, header: { name: 'X-Canary', value: 'always' } }), 'b'],
    ['shadow', ReleaseStrategy.shadow({ image: CANDIDATE, percent: 50 }), 'shadow'],
  ];
  const rollingSelector = one(synthRelease('traefik', undefined).objects, 'Deployment', 'web').spec.selector;

  test.each(cases)('%s: a second Deployment with its own instance, version and track label', (_n, release, track) => {
    const { objects, web } = synthRelease('traefik', release);
    const name = `web-${track}`;
    const stable = one(objects, 'Deployment', 'web');
    const cand = one(objects, 'Deployment', name);
    const podLabels = cand.spec.template.metadata.labels;
    expect(podLabels).toMatchObject({
      'app.kubernetes.io/name': 'web',
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/version': '1.5.0',
      [TRACK]: track,
    });
    expect(cand.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': name, [TRACK]: track });
    expect(cand.spec.template.spec.containers[0].image).toBe(CANDIDATE);
    // the stable Deployment's (immutable) selector is the rolling one, and it does not select candidate pods
    expect(stable.spec.selector).toEqual(rollingSelector);
    expect(selects(stable.spec.selector.matchLabels, podLabels)).toBe(false);
    expect(stable.spec.template.spec.containers[0].image).toBe(STABLE);
    expect(stable.spec.template.metadata.labels[TRACK]).toBeUndefined();
    // Services: the stable one selects only stable pods, the candidate's only candidate pods
    const stableSvc = one(objects, 'Service', 'web');
    const candSvc = one(objects, 'Service', name);
    expect(stableSvc.spec.selector).toEqual(SELECTOR);
    expect(selects(stableSvc.spec.selector, podLabels)).toBe(false);
    expect(candSvc.spec.selector).toEqual(cand.spec.selector.matchLabels);
    expect(selects(candSvc.spec.selector, stable.spec.template.metadata.labels)).toBe(false);
    expect(candSvc.spec.type).toBe('ClusterIP');
    // own NetworkPolicy (same callers, ingress controller admitted), own PDB selecting only candidate pods
    const np = one(objects, 'NetworkPolicy', name);
    expect(np.spec.podSelector.matchLabels).toEqual(cand.spec.selector.matchLabels);
    expect(np.spec.ingress).toEqual(one(objects, 'NetworkPolicy', 'web').spec.ingress);
    expect(one(objects, 'PodDisruptionBudget', name).spec.selector.matchLabels).toEqual(cand.spec.selector.matchLabels);
    expect(one(objects, 'PodDisruptionBudget', 'web').spec.selector.matchLabels).toEqual(SELECTOR);
    // exposed for callers
    expect(web.releaseObjects.candidate).toMatchObject({ name, track, image: CANDIDATE, namespace: 'shop', selectorLabels: cand.spec.selector.matchLabels });
    expectValidManifests(objects);
  });

  test('the candidate shares the ConfigMap of the stable version', () => {
    const { objects } = synthRelease('traefik', canary(), { config: { env: { MODE: 'shop' } } });
    expect(inventory(objects).filter(x => x.startsWith('ConfigMap/'))).toEqual(['ConfigMap/web-config']);
    const configEnv = (d: any) => d.spec.template.spec.containers[0].env;
    expect(configEnv(one(objects, 'Deployment', 'web-canary'))).toEqual(configEnv(one(objects, 'Deployment', 'web')));
    expect(one(objects, 'Deployment', 'web-canary').spec.template.metadata.annotations['checksum/config'])
      .toBe(one(objects, 'Deployment', 'web').spec.template.metadata.annotations['checksum/config']);
  });

  test('candidate Service is a NodePort when the ALB registers instances', () => {
    const instanceChart = new PlatformChart(Testing.app(), 'shop', {
      traits: ClusterTraits.custom({ ingressFlavour: IngressFlavour.ALB, storageClassName: 'gp3', albTargetTypeIp: false }),
    });
    new WebService(instanceChart, 'web', { image: STABLE, ingress: {}, release: canary() });
    expect(one(Testing.synth(instanceChart), 'Service', 'web-canary').spec.type).toBe('NodePort');
  });
});

describe('candidate scaling', () => {
  const hpa = (objects: any[], name: string) => one(objects, 'HorizontalPodAutoscaler', name).spec;

  test('canary: autoscaler from 1 to the stable maximum times the weight', () => {
    const { objects } = synthRelease('nginx', canary(25), { autoscaling: { minReplicas: 3, maxReplicas: 20, cpuUtilization: 60 } });
    expect(hpa(objects, 'web')).toMatchObject({ minReplicas: 3, maxReplicas: 20 });
    const c = hpa(objects, 'web-canary');
    expect(c).toMatchObject({ minReplicas: 1, maxReplicas: 5, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-canary' } });
    expect(c.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
    expect(one(objects, 'Deployment', 'web-canary').spec.replicas).toBeUndefined();
  });

  test('canary at weight 0 and shadow at 10% keep one pod at most', () => {
    expect(hpa(synthRelease('nginx', canary(0)).objects, 'web-canary')).toMatchObject({ minReplicas: 1, maxReplicas: 1 });
    expect(hpa(synthRelease('traefik', ReleaseStrategy.shadow({ image: CANDIDATE, percent: 10 })).objects, 'web-shadow'))
      .toMatchObject({ minReplicas: 1, maxReplicas: 1 });
  });

  test('A/B: the header share is unknown, so the candidate scales like the stable version', () => {
    const { objects } = synthRelease('nginx', ReleaseStrategy.abTest({ image: CANDIDATE, header: { name: 'X-B', value: '1' } }), { autoscaling: { maxReplicas: 8 } });
    expect(hpa(objects, 'web-b')).toMatchObject({ minReplicas: 2, maxReplicas: 8 });
  });

  test('fixed replicas: the candidate gets the weight\'s share (at least 1)', () => {
    const { objects } = synthRelease('nginx', canary(30), { replicas: 10 });
    expect(one(objects, 'Deployment', 'web').spec.replicas).toBe(10);
    expect(one(objects, 'Deployment', 'web-canary').spec.replicas).toBe(3);
    expect(one(synthRelease('nginx', canary(1), { replicas: 4 }).objects, 'Deployment', 'web-canary').spec.replicas).toBe(1);
    expect(inventory(synthRelease('nginx', canary(1), { replicas: 4 }).objects)).not.toContain('HorizontalPodAutoscaler/web-canary');
  });

  test('a reduced candidate gets a budget of one unavailable pod; none stays none', () => {
    const withMin = synthRelease('nginx', canary(10), { replicas: 6, disruptionBudget: DisruptionBudget.minAvailable(4) }).objects;
    expect(one(withMin, 'PodDisruptionBudget', 'web').spec).toMatchObject({ minAvailable: 4 });
    expect(one(withMin, 'PodDisruptionBudget', 'web-canary').spec).toMatchObject({ maxUnavailable: 1 });
    expect(one(withMin, 'PodDisruptionBudget', 'web-canary').spec.minAvailable).toBeUndefined();
    const none = synthRelease('nginx', canary(10), { disruptionBudget: DisruptionBudget.none() }).objects;
    expect(inventory(none).filter(x => x.startsWith('PodDisruptionBudget/'))).toEqual([]);
  });
});

describe('blue-green', () => {
  const bg = (live: Colour | 'blue' | 'green', previewHost?: string) =>
    ReleaseStrategy.blueGreen({ live, greenImage: CANDIDATE, previewHost });

  test('two colour Deployments; the Service selects the live colour, the preview Service the idle one', () => {
    const { objects, web } = synthRelease('alb', bg(Colour.BLUE));
    expect(inventory(objects)).toEqual([
      'Deployment/web-blue', 'Deployment/web-green',
      'HorizontalPodAutoscaler/web-blue', 'HorizontalPodAutoscaler/web-green',
      'Ingress/web', 'NetworkPolicy/web',
      'PodDisruptionBudget/web-blue', 'PodDisruptionBudget/web-green',
      'Service/web', 'Service/web-preview',
    ]);
    const blue = one(objects, 'Deployment', 'web-blue');
    const green = one(objects, 'Deployment', 'web-green');
    expect(blue.spec.selector.matchLabels).toEqual({ ...SELECTOR, [COLOUR]: 'blue' });
    expect(green.spec.selector.matchLabels).toEqual({ ...SELECTOR, [COLOUR]: 'green' });
    expect(blue.spec.template.spec.containers[0].image).toBe(STABLE);
    expect(green.spec.template.spec.containers[0].image).toBe(CANDIDATE);
    expect(blue.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('1.4.0');
    expect(green.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('1.5.0');
    expect(one(objects, 'Service', 'web').spec.selector).toEqual({ ...SELECTOR, [COLOUR]: 'blue' });
    expect(one(objects, 'Service', 'web-preview').spec.selector).toEqual({ ...SELECTOR, [COLOUR]: 'green' });
    // one NetworkPolicy covers both colours (same instance); each colour has the full scaling and budget
    expect(one(objects, 'NetworkPolicy', 'web').spec.podSelector.matchLabels).toEqual(SELECTOR);
    expect(one(objects, 'HorizontalPodAutoscaler', 'web-green').spec).toMatchObject({ minReplicas: 2, maxReplicas: 10, scaleTargetRef: { name: 'web-green' } });
    expect(one(objects, 'PodDisruptionBudget', 'web-green').spec.selector.matchLabels).toEqual(green.spec.selector.matchLabels);
    // the Ingress still points at the web service's Service
    expect(one(objects, 'Ingress', 'web').spec.rules[0].http.paths[0].backend.service.name).toBe('web');
    expect(web.deployment).toBe(web.releaseObjects.blue!.deployment);
    expectValidManifests(objects);
  });

  test('switching colour is one line: only the two Services change (selector, and the labels of the pods they route to)', () => {
    const blue = synthRelease('alb', bg(Colour.BLUE)).objects;
    const green = synthRelease('alb', bg('green')).objects;
    const strip = (objects: any[]) => objects.map(o => (o.kind === 'Service'
      ? { ...o, metadata: { ...o.metadata, labels: undefined }, spec: { ...o.spec, selector: undefined } }
      : o));
    expect(strip(green)).toEqual(strip(blue));
    expect(one(green, 'Service', 'web').spec.selector[COLOUR]).toBe('green');
    expect(one(green, 'Service', 'web-preview').spec.selector[COLOUR]).toBe('blue');
    expect(one(green, 'Service', 'web').metadata.labels[COLOUR]).toBe('green');
    expect(one(green, 'Service', 'web-preview').metadata.labels[COLOUR]).toBe('blue');
    expectValidManifests(green);
  });

  test('blue only: no green Deployment and no preview Service', () => {
    const { objects, web } = synthRelease('alb', ReleaseStrategy.blueGreen({ live: Colour.BLUE }), { replicas: 3 });
    expect(inventory(objects)).toEqual(['Deployment/web-blue', 'Ingress/web', 'NetworkPolicy/web', 'PodDisruptionBudget/web-blue', 'Service/web']);
    expect(one(objects, 'Deployment', 'web-blue').spec.replicas).toBe(3);
    expect(web.releaseObjects.green).toBeUndefined();
    expect(web.releaseObjects.previewService).toBeUndefined();
    expectValidManifests(objects);
  });
});
