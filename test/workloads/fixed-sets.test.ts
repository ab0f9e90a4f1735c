/*
 * Fixed sets are string enums: their values are the Kubernetes (or short) names, they compare by value, and a
 * value from another copy of the library (or plain JavaScript's string) is the same value. An unknown string
 * from plain JavaScript gets the standard error naming the prop, the value and the allowed values.
 */
import { Size } from 'cdk8s';
import { expectPropError, newChart, one, synthValid } from './fixtures';
import * as lib from '../../lib/workloads';
import {
  ClusterTraits, Colour, colourOf, ConcurrencyPolicy, CronSchedule, IngressFlavour, JobRestartPolicy, otherColour, PathType,
  PlatformChart, PlatformNamespace, PodManagementPolicy, PodSecurityLevel, Protocol, releaseHasCandidate, ReleaseKind, ReleaseStrategy,
  ScheduledJob, ServiceType, StatefulService, ValidationError, VolumeAccessMode, WebService,
} from '../../lib/workloads';

/** A second, separately loaded copy of lib/workloads: what an app gets when two copies of the library meet. */
function otherCopy(): typeof lib {
  let copy: typeof lib | undefined;
  jest.isolateModules(() => {
    copy = require('../../lib/workloads'); // eslint-disable-line @typescript-eslint/no-require-imports
  });
  return copy!;
}

describe('values', () => {
  // the values are what the manifests carry: changing one changes every user's manifests
  test.each<[string, Record<string, string>, Record<string, string>]>([
    ['ServiceType', ServiceType, { CLUSTER_IP: 'ClusterIP', NODE_PORT: 'NodePort', LOAD_BALANCER: 'LoadBalancer' }],
    ['Protocol', Protocol, { TCP: 'TCP', UDP: 'UDP', SCTP: 'SCTP' }],
    ['IngressFlavour', IngressFlavour, { ALB: 'alb', TRAEFIK: 'traefik', NGINX: 'nginx', GATEWAY_API: 'gateway-api' }],
    ['Colour', Colour, { BLUE: 'blue', GREEN: 'green' }],
    ['ReleaseKind', ReleaseKind, { ROLLING: 'rolling', RECREATE: 'recreate', BLUE_GREEN: 'blue-green', CANARY: 'canary', AB_TEST: 'ab-test', SHADOW: 'shadow' }],
    ['VolumeAccessMode', VolumeAccessMode, { READ_WRITE_ONCE: 'ReadWriteOnce', READ_WRITE_ONCE_POD: 'ReadWriteOncePod', READ_ONLY_MANY: 'ReadOnlyMany', READ_WRITE_MANY: 'ReadWriteMany' }],
    ['PodManagementPolicy', PodManagementPolicy, { ORDERED_READY: 'OrderedReady', PARALLEL: 'Parallel' }],
    ['ConcurrencyPolicy', ConcurrencyPolicy, { FORBID: 'Forbid', ALLOW: 'Allow', REPLACE: 'Replace' }],
    ['JobRestartPolicy', JobRestartPolicy, { ON_FAILURE: 'OnFailure', NEVER: 'Never' }],
    ['PathType', PathType, { PREFIX: 'Prefix', EXACT: 'Exact' }],
    ['PodSecurityLevel', PodSecurityLevel, { RESTRICTED: 'restricted', BASELINE: 'baseline', PRIVILEGED: 'privileged' }],
  ])('%s has exactly its Kubernetes values', (_name, set, expected) => {
    expect({ ...set }).toEqual(expected);
  });

  test('the colour helpers replace Colour.of and .other', () => {
    expect(colourOf('blue')).toBe(Colour.BLUE);
    expect(colourOf(Colour.GREEN)).toBe(Colour.GREEN);
    expect(otherColour(Colour.BLUE)).toBe(Colour.GREEN);
    expect(otherColour('green')).toBe(Colour.BLUE);
    let error: unknown;
    try {
      colourOf('red' as Colour);
    } catch (e) {
      error = e;
    }
    expect(ValidationError.isValidationError(error)).toBe(true);
    expect((error as ValidationError).message).toBe('colourOf(colour) is "red": must be one of Colour.BLUE ("blue") or Colour.GREEN ("green").');
    expect((error as ValidationError).value).toBe('red');
  });

  test('only canary, A/B and shadow releases run a candidate', () => {
    expect(Object.values(ReleaseKind).filter(releaseHasCandidate)).toEqual([ReleaseKind.CANARY, ReleaseKind.AB_TEST, ReleaseKind.SHADOW]);
  });
});

describe('a value from another copy of the library is the same value', () => {
  const copy = otherCopy();

  test('the second copy really is another copy (its classes are not ours)', () => {
    expect(copy.WebService).not.toBe(WebService);
    expect(copy.ReleaseStrategy.rolling()).not.toBeInstanceOf(ReleaseStrategy);
  });

  test('its enum values, and plain strings, equal ours', () => {
    expect(copy.ServiceType.LOAD_BALANCER).toBe(ServiceType.LOAD_BALANCER);
    expect(copy.IngressFlavour.ALB).toBe(IngressFlavour.ALB);
    expect('Exact' as PathType).toBe(PathType.EXACT);
  });

  test('a web service built from its values renders what ours renders', () => {
    const render = (v: typeof lib) => {
      const chart = newChart({ traits: ClusterTraits.custom({ ingressFlavour: v.IngressFlavour.ALB, storageClassName: 'gp3', internalLoadBalancerAnnotations: {} }) });
      new WebService(chart, 'web', {
        image: 'nginx:1.27.3',
        replicas: 2,
        serviceType: v.ServiceType.LOAD_BALANCER,
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: v.Protocol.TCP }],
        ingress: { hosts: ['app.example.com'], pathType: v.PathType.EXACT },
        release: v.ReleaseStrategy.blueGreen({ live: v.Colour.GREEN, greenImage: 'nginx:1.27.4' }),
      });
      return synthValid(chart);
    };
    const ours = render(lib);
    expect(render(copy)).toEqual(ours);
    expect(one(ours, 'Service', 'web').spec.type).toBe('LoadBalancer');
    expect(one(ours, 'Service', 'web').spec.selector['platform.cdk-k8s.io/colour']).toBe('green');
    expect(one(ours, 'Ingress').spec.rules[0].http.paths[0].pathType).toBe('Exact');
    expect(one(ours, 'Ingress').spec.ingressClassName).toBe('alb');
  });

  test('plain strings (JavaScript users) work as the enum values', () => {
    const chart = newChart();
    new StatefulService(chart, 'db', {
      image: 'postgres:16.4',
      ports: [{ name: 'postgres', port: 5432, protocol: 'TCP' as Protocol }],
      volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(10), accessMode: 'ReadWriteOncePod' as VolumeAccessMode }],
      podManagementPolicy: 'Parallel' as PodManagementPolicy,
    });
    new ScheduledJob(chart, 'backup', {
      image: 'ghcr.io/acme/backup:1.4.0',
      schedule: CronSchedule.daily(),
      concurrencyPolicy: 'Replace' as ConcurrencyPolicy,
      restartPolicy: 'Never' as JobRestartPolicy,
    });
    new PlatformNamespace(chart, 'ns', { name: 'legacy', podSecurity: 'baseline' as PodSecurityLevel });
    const objects = synthValid(chart);
    const sts = one(objects, 'StatefulSet', 'db');
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.volumeClaimTemplates[0].spec.accessModes).toEqual(['ReadWriteOncePod']);
    const cron = one(objects, 'CronJob', 'backup');
    expect(cron.spec.concurrencyPolicy).toBe('Replace');
    expect(cron.spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Never');
    expect(one(objects, 'Namespace', 'legacy').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
  });
});

describe('an unknown value from plain JavaScript is refused, naming the prop, the value and the allowed values', () => {
  const web = (props: Partial<lib.WebServiceProps>) => () => new WebService(newChart(), 'web', { image: 'nginx:1.27.3', replicas: 2, ...props });

  test('WebService.serviceType', () => {
    expect(() => web({ serviceType: 'External' as ServiceType })()).toThrow(
      '[shop/web] WebService.serviceType is "External": must be one of ServiceType.CLUSTER_IP ("ClusterIP"), ServiceType.NODE_PORT ("NodePort") or ServiceType.LOAD_BALANCER ("LoadBalancer").');
  });

  test('WebService.ports[].protocol', () => {
    expectPropError(web({ ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'udp' as Protocol }] }), {
      path: 'shop/web', prop: 'WebService.ports[1].protocol', value: '"udp"', says: 'must be one of Protocol.TCP ("TCP"), Protocol.UDP ("UDP") or Protocol.SCTP ("SCTP").',
    });
  });

  test('WebService.ingress.pathType', () => {
    expectPropError(web({ ingress: { hosts: ['app.example.com'], pathType: 'ImplementationSpecific' as PathType } }), {
      path: 'shop/web', prop: 'WebService.ingress.pathType', value: '"ImplementationSpecific"', says: 'must be one of PathType.PREFIX ("Prefix") or PathType.EXACT ("Exact").',
    });
  });

  test('WebService.release.live', () => {
    expectPropError(web({ release: ReleaseStrategy.blueGreen({ live: undefined as unknown as Colour }) }), {
      path: 'shop/web', prop: 'WebService.release.live', value: 'undefined', says: 'must be one of Colour.BLUE ("blue") or Colour.GREEN ("green").',
    });
  });

  test('StatefulService.volumes[].accessMode and podManagementPolicy', () => {
    const db = (props: Partial<lib.StatefulServiceProps>) => () => new StatefulService(newChart(), 'db', {
      image: 'postgres:16.4', ports: [{ name: 'postgres', port: 5432 }], volumes: [{ name: 'data', mountPath: '/data', size: Size.gibibytes(10) }], ...props,
    });
    expectPropError(db({ volumes: [{ name: 'data', mountPath: '/data', size: Size.gibibytes(10), accessMode: 'RWO' as VolumeAccessMode }] }), {
      path: 'shop/db',
      prop: 'StatefulService.volumes[0].accessMode',
      value: '"RWO"',
      says: 'must be one of VolumeAccessMode.READ_WRITE_ONCE ("ReadWriteOnce"), VolumeAccessMode.READ_WRITE_ONCE_POD ("ReadWriteOncePod"), VolumeAccessMode.READ_ONLY_MANY ("ReadOnlyMany") or VolumeAccessMode.READ_WRITE_MANY ("ReadWriteMany").',
    });
    expectPropError(db({ podManagementPolicy: 'parallel' as PodManagementPolicy }), {
      path: 'shop/db',
      prop: 'StatefulService.podManagementPolicy',
      value: '"parallel"',
      says: 'must be one of PodManagementPolicy.ORDERED_READY ("OrderedReady") or PodManagementPolicy.PARALLEL ("Parallel").',
    });
  });

  test('ScheduledJob.concurrencyPolicy and restartPolicy', () => {
    const job = (props: Partial<lib.ScheduledJobProps>) => () => new ScheduledJob(newChart(), 'backup', {
      image: 'ghcr.io/acme/backup:1.4.0', schedule: CronSchedule.daily(), ...props,
    });
    expectPropError(job({ concurrencyPolicy: 'Skip' as ConcurrencyPolicy }), {
      path: 'shop/backup',
      prop: 'ScheduledJob.concurrencyPolicy',
      value: '"Skip"',
      says: 'must be one of ConcurrencyPolicy.FORBID ("Forbid"), ConcurrencyPolicy.ALLOW ("Allow") or ConcurrencyPolicy.REPLACE ("Replace").',
    });
    expectPropError(job({ restartPolicy: 'Always' as JobRestartPolicy }), {
      path: 'shop/backup',
      prop: 'ScheduledJob.restartPolicy',
      value: '"Always"',
      says: 'must be one of JobRestartPolicy.ON_FAILURE ("OnFailure") or JobRestartPolicy.NEVER ("Never").',
    });
  });

  test('PlatformNamespace.podSecurity', () => {
    expectPropError(() => new PlatformNamespace(newChart(), 'ns', { podSecurity: 'strict' as PodSecurityLevel }), {
      path: 'shop/ns',
      prop: 'PlatformNamespace.podSecurity',
      value: '"strict"',
      says: 'must be one of PodSecurityLevel.RESTRICTED ("restricted"), PodSecurityLevel.BASELINE ("baseline") or PodSecurityLevel.PRIVILEGED ("privileged").',
    });
  });

  test('ClusterTraits.ingressFlavour', () => {
    let error: unknown;
    try {
      ClusterTraits.custom({ ingressFlavour: 'istio' as IngressFlavour, storageClassName: 'gp3', internalLoadBalancerAnnotations: {} });
    } catch (e) {
      error = e;
    }
    expect(ValidationError.isValidationError(error)).toBe(true);
    expect((error as ValidationError).message).toBe('ClusterTraits.ingressFlavour is "istio": must be one of IngressFlavour.ALB ("alb"), '
      + 'IngressFlavour.TRAEFIK ("traefik"), IngressFlavour.NGINX ("nginx") or IngressFlavour.GATEWAY_API ("gateway-api").');
    expect((error as ValidationError).prop).toBe('ingressFlavour');
  });

  test('a release that is not a ReleaseStrategy of any copy', () => {
    expect(PlatformChart.isPlatformChart(newChart())).toBe(true);
    expect(ReleaseStrategy.isReleaseStrategy({ kind: ReleaseKind.CANARY })).toBe(false);
    expect(ReleaseStrategy.isReleaseStrategy(otherCopy().ReleaseStrategy.recreate())).toBe(true);
  });
});
