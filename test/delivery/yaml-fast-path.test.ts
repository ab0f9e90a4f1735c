import { App } from 'cdk8s';
import * as fc from 'fast-check';
import { renderYaml, toYamlDocument } from '../../lib/delivery/private/render';
import { fastYamlDocument } from '../../lib/delivery/private/yaml-fast-path';
import { ClusterTraits, PlatformChart, synthesizeManifests, WebService } from '../../lib/workloads';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** The fast path with a counting reference renderer: how many values went to the `yaml` library. */
function counted(): { render: (o: unknown) => string; calls: () => number } {
  let calls = 0;
  const cache = new Map<string, string | null>();
  const slow = (v: unknown) => {
    calls++;
    return renderYaml(v);
  };
  return { render: (o: unknown) => fastYamlDocument(o, slow, cache), calls: () => calls };
}

describe('the YAML fast path', () => {
  test('depends on exactly the yaml version it is proven against (package.json pins it, no range)', () => {
    const pkg = require('../../package.json') as { dependencies: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-require-imports
    const installed = (require('yaml/package.json') as { version: string }).version; // eslint-disable-line @typescript-eslint/no-require-imports
    expect(pkg.dependencies.yaml).toBe(installed);
  });

  test('writes the same bytes as the yaml library for every object of 50 web services, without falling back', () => {
    const chart = new PlatformChart(new App(), 'shop', { traits: ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' }), namespace: 'shop' });
    for (let i = 0; i < 50; i++) {
      new WebService(chart, `svc-${i}`, { image: 'public.ecr.aws/nginx/nginx:1.27.3', ingress: { hosts: [`svc-${i}.example.com`] }, healthCheckPath: '/healthz' });
    }
    const objects = synthesizeManifests(chart)[0].objects;
    const fast = counted();
    for (const o of objects) expect(fast.render(o)).toBe(renderYaml(o));
    expect(objects.length).toBeGreaterThanOrEqual(250);
    // quantities, versions, paths and image references are written without the yaml library at all
    expect(fast.calls()).toBe(0);
  });

  test('writes strings YAML 1.1 would read as another type double-quoted, without the yaml library', () => {
    const fast = counted();
    const o = { metadata: { labels: { 'app.kubernetes.io/version': '1.27', 'enabled': 'yes', 'mode': 'Off', 'port': '8080', 'mask': '0777', 'time': '1:20', 'hex': '0x1F', 'exp': '1e3', 'nothing': 'null' } } };
    expect(fast.render(o)).toBe(renderYaml(o));
    expect(fast.render(o)).toContain('app.kubernetes.io/version: "1.27"\n');
    expect(fast.calls()).toBe(0);
    // a date-like prefix is not certain without the library: it is asked (and its answer cached)
    const dated = { data: { a: '2024-1-1x', b: '2024-01-01' } };
    expect(fast.render(dated)).toBe(renderYaml(dated));
    expect(fast.calls()).toBe(2);
  });

  test.each([
    ['a YAML 1.1 boolean word', { data: { enabled: 'yes', mode: 'off', letter: 'y' } }],
    ['numbers written as strings', { data: { octal: '0777', port: '8080', time: '1:20', underscored: '1_000', date: '2001-12-14' } }],
    ['a multi-line string (block scalar)', { data: { 'app.yaml': 'a: 1\nb: 2\n' } }],
    ['quoting and indicators', { data: { colon: 'a: b', hash: 'a #b', empty: '', braces: '{{ x }}', star: '*x', lead: ' x' } }],
    ['unusual keys', { data: { '1key': 'v', 'y': 'v', '<<': 'v', '_x': 'v', 'a:b': 'v' } }],
    ['non-integer and special numbers', { spec: { ratio: 0.5, big: 1e21, tiny: 1e-7, neg: -0, nan: NaN } }],
    ['nested and empty collections', { spec: { list: [[1, 2], []], map: {}, items: [{}, { a: [] }, null, true] } }],
  ])('falls back to the yaml library, with the same bytes, for %s', (_, obj) => {
    expect(toYamlDocument(obj)).toBe(renderYaml(obj));
  });

  test.each([
    '1.27.3', '1.27.3-alpine', '250m', '128Mi', '0.5', '25%', '1e3', '1E+3', '1:30', '12:30:45', '1:30.5', '0755', '0x1F', '0b101',
    '2024-01-01', '2024-1-1T10:00', 'yes', 'No', 'ON', 'y', '~', 'null', '.5', '1_000', '+1', '-1', '.inf', '.NaN', '<<',
    'a:b', 'a:', 'a::b', 'ghcr.io/x/y:1.2.3', 'repo@sha256:0123abcd', '/healthz', '/', '10.0.0.0/16', 'http://x:8080/y', 'a=b', 'a%b', '1+1',
    'x-1', '9', '09', '08', '1.', '.', '-', '+', 'sha256:abc', 'k=v:w', 'e1', 'E5', 'e-3', 'E+5', 'e1x', 'e', 'ex1',
  ])('writes %j exactly as the yaml library, as a value and as a key', s => {
    const o = { data: { v: s, [s]: 'v' } };
    expect(toYamlDocument(o)).toBe(renderYaml(o));
  });

  test('writes the same bytes as the yaml library for any JSON-like object', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom('a', 'Z', 'y', 'e', 'x', 'o', 'b', '0', '1', '9', '.', '-', '_', ':', ' ', '#', '\'', '"', '/', '\n', '\t', '{', '}', '[', ']', '+', '~', '%', '@', '&', '*', '!', '|', '>', '?', ',', '\\') }),
      fc.constantFrom('yes', 'No', 'on', 'null', '~', '0777', '1_000', '1:20', '2001-12-14', '.inf', '1e3', '0x1F', '<<', '=', '250m', '512Mi', '10.0.0.0/16', 'nginx:1.27.3', 'a: b', ''),
      fc.string({ unit: fc.constantFrom('a', 'e', 'E', 'x', 'b', 'o', 'n', 'y', '0', '1', '5', '7', '9', '.', '-', '+', '_', ':', '/', '%', '@', '=') }),
    );
    const key = fc.oneof(text, fc.constantFrom('name', 'app.kubernetes.io/name', 'spec', 'y', '<<', '1', '_x', 'a:b'));
    const leaf = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.maxSafeInteger());
    const { tree } = fc.letrec(tie => ({
      tree: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('map')),
      list: fc.array(tie('tree'), { maxLength: 4 }),
      map: fc.dictionary(key, tie('tree'), { maxKeys: 5 }),
    }));
    fc.assert(fc.property(fc.dictionary(key, tree, { maxKeys: 6 }), o => {
      expect(toYamlDocument(o)).toBe(renderYaml(o));
    }), { numRuns: RUNS });
  });
});
