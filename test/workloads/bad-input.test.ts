/*
 * Bad input a new user ran into (issue 18): each is refused at synth time with a message that names the prop or
 * the constructs and says what to change.
 */
import { Size, Testing } from 'cdk8s';
import { expectPropError, newChart, one, synthValid } from './fixtures';
import {
  ClusterTraits, Colour, Cpu, PlatformChart, PlatformNamespace, ReleaseStrategy, StatefulService, ValidationError, WebService, Worker,
} from '../../lib/workloads';

const IMAGE = 'nginx:1.27.3';

describe('resources from plain JavaScript', () => {
  // a string reaches the construct from JavaScript or JSON; TypeScript would refuse it
  const resources = (r: Record<string, unknown>) => r as never;

  test('a CPU request given as a string is refused, not replaced by the default', () => {
    expectPropError(() => new Worker(newChart(), 'w', { image: IMAGE, resources: resources({ cpuRequest: 'abc' }) }),
      { path: 'shop/w', prop: 'Worker.resources.cpuRequest', value: '"abc"', says: 'must be a Cpu such as Cpu.millis(250) or Cpu.units(1), or false for none' });
    expectPropError(() => new Worker(newChart(), 'w', { image: IMAGE, resources: resources({ cpuLimit: 2 }) }),
      { path: 'shop/w', prop: 'Worker.resources.cpuLimit', value: '2', says: 'must be a Cpu' });
  });

  test('a memory size given as a string is refused', () => {
    expectPropError(() => new Worker(newChart(), 'w', { image: IMAGE, resources: resources({ memoryLimit: '512Mi' }) }),
      { path: 'shop/w', prop: 'Worker.resources.memoryLimit', value: '"512Mi"', says: 'must be a Size such as Size.mebibytes(256), or false for none' });
  });

  test('a volume size given as a string, or a Size of no number, is refused naming the fix', () => {
    const volume = (size: unknown) => ({ image: 'postgres:16.4', ports: [{ name: 'pg', port: 5432 }], volumes: [{ name: 'data', mountPath: '/data', size: size as Size }] });
    expectPropError(() => new StatefulService(newChart(), 'db', volume('20Gi')), {
      path: 'shop/db',
      prop: 'StatefulService.volumes[0].size',
      value: '"20Gi"',
      says: 'must be a cdk8s Size, not a string: write Size.gibibytes(20) (import { Size } from \'cdk8s\').',
    });
    expectPropError(() => new StatefulService(newChart(), 'db', volume(Size.gibibytes(NaN))),
      { path: 'shop/db', prop: 'StatefulService.volumes[0].size', value: '"NaN"', says: 'must be a positive size of at least 1 KiB' });
  });

  test('Cpu values and false still pass', () => {
    const chart = newChart();
    new Worker(chart, 'w', { image: IMAGE, resources: { cpuRequest: Cpu.millis(250), cpuLimit: false } });
    expect(one(synthValid(chart), 'Deployment').spec.template.spec.containers[0].resources.requests.cpu).toBe('250m');
  });
});

describe('two objects with one name in a chart', () => {
  test('two workloads with the same name are caught when the chart is synthesized', () => {
    const chart = newChart();
    new Worker(chart, 'a', { name: 'api', image: IMAGE });
    new Worker(chart, 'b', { name: 'api', image: IMAGE });
    expect(() => Testing.synth(chart)).toThrow(
      '[shop] PlatformChart: Deployment "api" is defined twice, by shop/a/Deployment and by shop/b/Deployment: the second would replace the first in the cluster. '
      + 'Give one of the workloads another name (the name prop, or its construct id).');
  });

  test('the same name in two charts with different namespaces is fine', () => {
    const app = Testing.app();
    for (const ns of ['a', 'b']) new Worker(new PlatformChart(app, ns, { traits: ClusterTraits.eks(), namespace: ns }), 'api', { image: IMAGE });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('construct ids', () => {
  test('a PlatformNamespace and a WebService with one id get a clear error', () => {
    const chart = newChart();
    new PlatformNamespace(chart, 'shop');
    let error: unknown;
    try {
      new WebService(chart, 'shop', { image: IMAGE });
    } catch (e) {
      error = e;
    }
    expect(ValidationError.isValidationError(error)).toBe(true);
    expect((error as Error).message).toBe('[shop/shop] WebService: the construct id "shop" is already used by the PlatformNamespace at shop/shop; '
      + 'ids must be unique within a scope. Give one of them another id: the object names come from the name prop, '
      + 'e.g. new PlatformNamespace(scope, \'shop-namespace\', { name: \'shop\' }).');
  });

  test('the other order names the workload', () => {
    const chart = newChart();
    new Worker(chart, 'jobs', { image: IMAGE });
    expect(() => new PlatformNamespace(chart, 'jobs')).toThrow('[shop/jobs] PlatformNamespace: the construct id "jobs" is already used by the Worker at shop/jobs;');
  });
});

describe('blue-green Services carry the labels of the pods they route to', () => {
  test('with blue live, the preview Service has green\'s version and colour, the Service blue\'s', () => {
    const chart = newChart();
    new WebService(chart, 'web', {
      image: 'nginx:1.27.3',
      replicas: 2,
      release: ReleaseStrategy.blueGreen({ live: Colour.BLUE, greenImage: 'nginx:1.28.0' }),
    });
    const objects = synthValid(chart);
    const preview = one(objects, 'Service', 'web-preview');
    const service = one(objects, 'Service', 'web');
    const colourOf = (labels: Record<string, string>) => Object.entries(labels).find(([k]) => k.endsWith('colour'))?.[1];
    expect([colourOf(preview.spec.selector), colourOf(preview.metadata.labels), preview.metadata.labels['app.kubernetes.io/version']]).toEqual(['green', 'green', '1.28.0']);
    expect([colourOf(service.spec.selector), colourOf(service.metadata.labels), service.metadata.labels['app.kubernetes.io/version']]).toEqual(['blue', 'blue', '1.27.3']);
  });

  test('with green live, the Service has green\'s version', () => {
    const chart = newChart();
    new WebService(chart, 'web', { image: 'nginx:1.27.3', replicas: 2, release: ReleaseStrategy.blueGreen({ live: Colour.GREEN, greenImage: 'nginx:1.28.0' }) });
    const objects = synthValid(chart);
    expect(one(objects, 'Service', 'web').metadata.labels['app.kubernetes.io/version']).toBe('1.28.0');
    expect(one(objects, 'Service', 'web-preview').metadata.labels['app.kubernetes.io/version']).toBe('1.27.3');
  });
});
