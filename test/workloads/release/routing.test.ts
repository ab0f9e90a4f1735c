import { byKind, CANDIDATE, COLOUR, Flavour, HOST, inventory, releaseError, SELECTOR, synthRelease } from './release-helpers';
import { Colour, PathType, ReleaseStrategy } from '../../../lib';
import { expectValidManifests } from '../../support/k8s-check';
import { one } from '../fixtures';

const STRATEGIES = {
  'rolling': () => ReleaseStrategy.rolling({ maxSurge: 1 }),
  'recreate': () => ReleaseStrategy.recreate(),
  'blue-green': () => ReleaseStrategy.blueGreen({ live: Colour.GREEN, greenImage: CANDIDATE, previewHost: `preview.${HOST}` }),
  'canary': () => ReleaseStrategy.canary({ image: CANDIDATE, weight: 10 }),
  'ab-test': () => ReleaseStrategy.abTest({ image: CANDIDATE, header: { name: 'X-Canary', value: 'always' } }),
  'ab-test-weighted': () => ReleaseStrategy.abTest({ image: CANDIDATE, header: { name: 'X-Canary', value: 'always' }, weight: 5 }),
  'shadow': () => ReleaseStrategy.shadow({ image: CANDIDATE, percent: 100 }),
  'shadow-20': () => ReleaseStrategy.shadow({ image: CANDIDATE, percent: 20 }),
};
type StrategyName = keyof typeof STRATEGIES;

/** Every emitted object is checked, and the whole output is snapshotted. */
function synth(flavour: Flavour, strategy: StrategyName): any[] {
  const { objects } = synthRelease(flavour, STRATEGIES[strategy]());
  expectValidManifests(objects);
  expect(objects).toMatchSnapshot();
  return objects;
}

const json = (s: string) => JSON.parse(s);
const ALB = 'alb.ingress.kubernetes.io';
const NGINX = 'nginx.ingress.kubernetes.io';

/** The routing that does not depend on the flavour: same Ingress/route as without a release. */
function expectPlainRouting(flavour: Flavour, objects: any[]): void {
  const plain = synthRelease(flavour, undefined).objects;
  const route = (o: any[]) => [...byKind(o, 'Ingress', 'web'), ...byKind(o, 'HTTPRoute', 'web')];
  expect(route(objects)).toEqual(route(plain));
  expect(route(objects)).toHaveLength(1);
}

function expectBlueGreen(objects: any[]): void {
  expect(one(objects, 'Service', 'web').spec.selector).toEqual({ ...SELECTOR, [COLOUR]: 'green' });
  expect(one(objects, 'Service', 'web-preview').spec.selector).toEqual({ ...SELECTOR, [COLOUR]: 'blue' });
  expect(byKind(objects, 'Deployment').map(d => d.metadata.name).sort()).toEqual(['web-blue', 'web-green']);
}

describe.each(['alb', 'traefik', 'nginx', 'gateway'] as Flavour[])('%s: strategies that need no routing change', (flavour) => {
  test('rolling', () => {
    const objects = synth(flavour, 'rolling');
    expectPlainRouting(flavour, objects);
    expect(one(objects, 'Deployment', 'web').spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  test('recreate', () => {
    const objects = synth(flavour, 'recreate');
    expectPlainRouting(flavour, objects);
    expect(one(objects, 'Deployment', 'web').spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('blue-green: selector flip, plus a preview route to web-preview', () => {
    const objects = synth(flavour, 'blue-green');
    expectPlainRouting(flavour, objects);
    expectBlueGreen(objects);
    if (flavour === 'gateway') {
      const preview = one(objects, 'HTTPRoute', 'web-preview');
      expect(preview.spec.hostnames).toEqual([`preview.${HOST}`]);
      expect(preview.spec.rules[0].backendRefs).toEqual([{ name: 'web-preview', port: 80 }]);
      expect(preview.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateways' }]);
    } else {
      const preview = one(objects, 'Ingress', 'web-preview');
      expect(preview.spec.rules).toEqual([{
        host: `preview.${HOST}`,
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-preview', port: { name: 'http' } } } }] },
      }]);
      expect(preview.spec.ingressClassName).toBe(one(objects, 'Ingress', 'web').spec.ingressClassName);
    }
  });
});

describe('ALB', () => {
  test('canary: weighted forward action, use-annotation backend', () => {
    const objects = synth('alb', 'canary');
    const ing = one(objects, 'Ingress', 'web');
    expect(json(ing.metadata.annotations[`${ALB}/actions.web-weighted`])).toEqual({
      type: 'forward',
      forwardConfig: { targetGroups: [{ serviceName: 'web', servicePort: '80', weight: 90 }, { serviceName: 'web-canary', servicePort: '80', weight: 10 }] },
    });
    expect(ing.spec.rules).toEqual([{
      host: HOST,
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-weighted', port: { name: 'use-annotation' } } } }] },
    }]);
    expect(ing.metadata.annotations).toMatchObject({ [`${ALB}/target-type`]: 'ip', [`${ALB}/healthcheck-path`]: '/healthz' });
    expect(Object.keys(ing.metadata.annotations).filter(k => k.includes('conditions.'))).toEqual([]);
  });

  test('A/B: a conditions.* http-header rule before the default rule', () => {
    const objects = synth('alb', 'ab-test');
    const ing = one(objects, 'Ingress', 'web');
    expect(json(ing.metadata.annotations[`${ALB}/conditions.web-by-header`])).toEqual([
      { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Canary', values: ['always'] } },
    ]);
    expect(json(ing.metadata.annotations[`${ALB}/actions.web-by-header`])).toEqual({
      type: 'forward', forwardConfig: { targetGroups: [{ serviceName: 'web-b', servicePort: '80', weight: 100 }] },
    });
    expect(ing.spec.rules[0].http.paths.map((p: any) => p.backend.service)).toEqual([
      { name: 'web-by-header', port: { name: 'use-annotation' } },
      { name: 'web', port: { name: 'http' } },
    ]);
    expect(ing.metadata.annotations[`${ALB}/actions.web-weighted`]).toBeUndefined();
  });

  test('A/B with a weight: the default rule is the weighted action', () => {
    const objects = synth('alb', 'ab-test-weighted');
    const ing = one(objects, 'Ingress', 'web');
    expect(ing.spec.rules[0].http.paths.map((p: any) => p.backend.service.name)).toEqual(['web-by-header', 'web-weighted']);
    expect(json(ing.metadata.annotations[`${ALB}/actions.web-weighted`]).forwardConfig.targetGroups.map((t: any) => [t.serviceName, t.weight]))
      .toEqual([['web', 95], ['web-b', 5]]);
  });

  test('shadow is refused: an ALB cannot mirror', () => {
    expect(releaseError('alb', STRATEGIES.shadow())).toBe(
      '[shop/web] WebService.release is "ReleaseStrategy.shadow": is not possible with the AWS Load Balancer Controller (ingress flavour alb): '
      + 'an ALB cannot mirror requests, so a shadow candidate would never receive any. Mirroring works with Traefik (TraefikService mirroring), '
      + 'Gateway API (RequestMirror filter, on implementations that support it) and ingress-nginx (mirror-target, 100% only). '
      + 'On ALB, use ReleaseStrategy.canary({ weight }) with a small weight or ReleaseStrategy.abTest({ header }) instead.');
  });

  test('a header value with ALB wildcards is refused', () => {
    expect(releaseError('alb', ReleaseStrategy.abTest({ image: CANDIDATE, header: { name: 'X-Canary', value: 'beta*' } }))).toBe(
      '[shop/web] WebService.release.header.value is "beta*": contains "*" or "?", which an ALB http-header condition treats as wildcards: use a value without them.');
  });
});

describe('Traefik', () => {
  test('canary: weighted TraefikService behind an IngressRoute', () => {
    const objects = synth('traefik', 'canary');
    expect(byKind(objects, 'Ingress')).toEqual([]);
    const ts = one(objects, 'TraefikService', 'web-weighted');
    expect(ts.apiVersion).toBe('traefik.io/v1alpha1');
    expect(ts.spec).toEqual({ weighted: { services: [{ name: 'web', port: 80, weight: 90 }, { name: 'web-canary', port: 80, weight: 10 }] } });
    const ir = one(objects, 'IngressRoute', 'web');
    expect(ir.apiVersion).toBe('traefik.io/v1alpha1');
    expect(ir.metadata.annotations).toEqual({ 'kubernetes.io/ingress.class': 'traefik' });
    expect(ir.spec.routes).toEqual([{
      kind: 'Rule',
      match: 'Host(`shop.example.com`) && PathPrefix(`/`)',
      priority: 'Host(`shop.example.com`) && PathPrefix(`/`)'.length,
      services: [{ name: 'web-weighted', kind: 'TraefikService' }],
    }]);
  });

  test('A/B: Header() route with a priority just above the default route', () => {
    const objects = synth('traefik', 'ab-test');
    const routes = one(objects, 'IngressRoute', 'web').spec.routes;
    const base = 'Host(`shop.example.com`) && PathPrefix(`/`)';
    expect(routes).toEqual([
      { kind: 'Rule', match: `${base} && Header(\`X-Canary\`, \`always\`)`, priority: base.length + 1, services: [{ name: 'web-b', port: 80 }] },
      { kind: 'Rule', match: base, priority: base.length, services: [{ name: 'web', port: 80 }] },
    ]);
    expect(byKind(objects, 'TraefikService')).toEqual([]);
  });

  test('A/B with a weight: default route through the weighted TraefikService', () => {
    const objects = synth('traefik', 'ab-test-weighted');
    const routes = one(objects, 'IngressRoute', 'web').spec.routes;
    expect(routes.map((r: any) => r.services)).toEqual([[{ name: 'web-b', port: 80 }], [{ name: 'web-weighted', kind: 'TraefikService' }]]);
    expect(one(objects, 'TraefikService', 'web-weighted').spec.weighted.services.map((s: any) => s.weight)).toEqual([95, 5]);
  });

  test.each([['shadow', 100], ['shadow-20', 20]] as Array<[StrategyName, number]>)('%s: mirroring TraefikService with percent', (strategy, percent) => {
    const objects = synth('traefik', strategy);
    expect(one(objects, 'TraefikService', 'web-mirror').spec).toEqual({
      mirroring: { name: 'web', port: 80, mirrors: [{ name: 'web-shadow', port: 80, percent }] },
    });
    expect(one(objects, 'IngressRoute', 'web').spec.routes.map((r: any) => r.services)).toEqual([[{ name: 'web-mirror', kind: 'TraefikService' }]]);
  });

  test('several hosts and paths, exact paths and TLS', () => {
    const { objects } = synthRelease('traefik', STRATEGIES['ab-test'](), {
      ingress: { hosts: ['a.example.com', 'b.example.com'], paths: ['/api', '/v2'], pathType: PathType.EXACT, tls: { secretName: 'shop-tls' } },
    });
    expectValidManifests(objects, { externalSecrets: ['shop-tls'] });
    const ir = one(objects, 'IngressRoute', 'web');
    expect(ir.spec.tls).toEqual({ secretName: 'shop-tls' });
    expect(ir.spec.routes.map((r: any) => r.match)).toEqual([
      '(Host(`a.example.com`) || Host(`b.example.com`)) && Path(`/api`) && Header(`X-Canary`, `always`)',
      '(Host(`a.example.com`) || Host(`b.example.com`)) && Path(`/api`)',
      '(Host(`a.example.com`) || Host(`b.example.com`)) && Path(`/v2`) && Header(`X-Canary`, `always`)',
      '(Host(`a.example.com`) || Host(`b.example.com`)) && Path(`/v2`)',
    ]);
  });
});

describe('ingress-nginx', () => {
  test('canary: a canary Ingress with canary-weight next to the unchanged main Ingress', () => {
    const objects = synth('nginx', 'canary');
    expectPlainRouting('nginx', objects.filter(o => o.metadata.name !== 'web-canary' || o.kind !== 'Ingress'));
    const c = one(objects, 'Ingress', 'web-canary');
    expect(c.metadata.annotations).toEqual({ [`${NGINX}/canary`]: 'true', [`${NGINX}/canary-weight`]: '10' });
    expect(c.spec.rules).toEqual([{
      host: HOST,
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-canary', port: { name: 'http' } } } }] },
    }]);
    expect(c.spec.ingressClassName).toBe('nginx');
  });

  test('A/B: canary-by-header and canary-by-header-value', () => {
    const objects = synth('nginx', 'ab-test');
    expect(one(objects, 'Ingress', 'web-b').metadata.annotations).toEqual({
      [`${NGINX}/canary`]: 'true', [`${NGINX}/canary-by-header`]: 'X-Canary', [`${NGINX}/canary-by-header-value`]: 'always',
    });
  });

  test('A/B with a weight: header first, then canary-weight', () => {
    const objects = synth('nginx', 'ab-test-weighted');
    expect(one(objects, 'Ingress', 'web-b').metadata.annotations).toMatchObject({ [`${NGINX}/canary-by-header`]: 'X-Canary', [`${NGINX}/canary-weight`]: '5' });
  });

  test('shadow at 100%: mirror-target on the main Ingress, no canary Ingress', () => {
    const objects = synth('nginx', 'shadow');
    expect(inventory(objects).filter(x => x.startsWith('Ingress/'))).toEqual(['Ingress/web']);
    expect(one(objects, 'Ingress', 'web').metadata.annotations).toEqual({
      [`${NGINX}/mirror-target`]: 'http://web-shadow.shop.svc.cluster.local$request_uri',
    });
    expect(one(objects, 'Ingress', 'web').spec.rules[0].http.paths[0].backend.service.name).toBe('web');
  });

  test('shadow below 100% is refused', () => {
    expect(releaseError('nginx', STRATEGIES['shadow-20']())).toBe(
      '[shop/web] WebService.release.percent is 20: must be 100 with ingress-nginx: its mirror-target copies every request and has no percentage. '
      + 'Use percent 100, or a cluster whose ingress can mirror a share (Traefik, Gateway API).');
  });

  test('mirror-target names the port when it is not 80', () => {
    const { objects } = synthRelease('nginx', STRATEGIES.shadow(), { ports: [{ name: 'http', port: 8080 }] });
    expect(one(objects, 'Ingress', 'web').metadata.annotations[`${NGINX}/mirror-target`]).toBe('http://web-shadow.shop.svc.cluster.local:8080$request_uri');
    expectValidManifests(objects);
  });
});

describe('Gateway API', () => {
  const parentRefs = [{ name: 'public', namespace: 'gateways' }];

  test('canary: backendRefs weights', () => {
    const objects = synth('gateway', 'canary');
    const route = one(objects, 'HTTPRoute', 'web');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec).toEqual({
      parentRefs,
      hostnames: [HOST],
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ name: 'web', port: 80, weight: 90 }, { name: 'web-canary', port: 80, weight: 10 }],
      }],
    });
  });

  test('A/B: a rule with a header match before the default rule', () => {
    const objects = synth('gateway', 'ab-test');
    expect(one(objects, 'HTTPRoute', 'web').spec.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'X-Canary', value: 'always' }] }],
        backendRefs: [{ name: 'web-b', port: 80 }],
      },
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] },
    ]);
  });

  test('A/B with a weight: the default rule is weighted', () => {
    const objects = synth('gateway', 'ab-test-weighted');
    expect(one(objects, 'HTTPRoute', 'web').spec.rules[1].backendRefs).toEqual([{ name: 'web', port: 80, weight: 95 }, { name: 'web-b', port: 80, weight: 5 }]);
  });

  test('shadow: RequestMirror filter with percent; every response comes from the stable Service', () => {
    const objects = synth('gateway', 'shadow-20');
    expect(one(objects, 'HTTPRoute', 'web').spec.rules).toEqual([{
      matches: [{ path: { type: 'PathPrefix', value: '/' } }],
      filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'web-shadow', port: 80 }, percent: 20 } }],
      backendRefs: [{ name: 'web', port: 80 }],
    }]);
  });

  test('shadow at 100% leaves percent out (works with Gateway API CRDs before v1.2)', () => {
    const objects = synth('gateway', 'shadow');
    expect(one(objects, 'HTTPRoute', 'web').spec.rules[0].filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'web-shadow', port: 80 } } }]);
  });
});

describe('shadow: the candidate gets no real traffic', () => {
  test.each(['traefik', 'nginx', 'gateway'] as Flavour[])('%s: web-shadow is only a mirror target', (flavour) => {
    const { objects } = synthRelease(flavour, ReleaseStrategy.shadow({ image: CANDIDATE, percent: 100 }));
    const text = (o: any) => JSON.stringify(o);
    // no Service selecting both versions, and no route, weighted entry or canary Ingress sending requests to web-shadow
    expect(one(objects, 'Service', 'web').spec.selector).toEqual(SELECTOR);
    for (const o of objects) {
      if (o.kind === 'Ingress') for (const r of o.spec.rules) for (const p of r.http.paths) expect(p.backend.service.name).toBe('web');
      if (o.kind === 'HTTPRoute') for (const r of o.spec.rules) expect(r.backendRefs.map((b: any) => b.name)).toEqual(['web']);
      if (o.kind === 'IngressRoute') for (const r of o.spec.routes) expect(text(r.services)).not.toContain('web-shadow');
      if (o.kind === 'TraefikService') {
        expect(o.spec.weighted).toBeUndefined();
        expect(o.spec.mirroring.name).toBe('web');
      }
    }
  });
});
