/*
 * The examples of docs/release-strategies.md, as real code: each region between `// example: <name>` and
 * `// end example` is compared with the ```ts block after `<!-- example: <name> -->` in the doc, so the doc
 * cannot drift from code that compiles (tsc) and synthesizes valid manifests (below).
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Testing } from 'cdk8s';
import { ClusterTraits, Colour, PlatformChart, ReleaseStrategy, WebService } from '../../../lib';
import { expectValidManifests } from '../../support/k8s-check';

const FLAVOURS = {
  alb: () => ClusterTraits.eks(),
  traefik: () => ClusterTraits.k3s(),
  nginx: () => ClusterTraits.nginx(),
  gateway: () => ClusterTraits.gatewayApi({ gatewayName: 'public' }),
};

const EXAMPLES: Record<string, (chart: PlatformChart) => void> = {
  'rolling': (chart) => {
    // example: rolling
    new WebService(chart, 'web', {
      image: 'shop/web:1.5.0',
      ingress: { hosts: ['shop.example.com'] },
      release: ReleaseStrategy.rolling({ maxSurge: '50%', maxUnavailable: 0 }),
    });
    // end example
  },
  'recreate': (chart) => {
    // example: recreate
    new WebService(chart, 'web', {
      image: 'shop/web:1.5.0',
      ingress: { hosts: ['shop.example.com'] },
      release: ReleaseStrategy.recreate(),
    });
    // end example
  },
  'blue-green': (chart) => {
    // example: blue-green
    new WebService(chart, 'web', {
      image: 'shop/web:1.4.0', // blue
      ingress: { hosts: ['shop.example.com'] },
      release: ReleaseStrategy.blueGreen({
        live: Colour.BLUE,
        greenImage: 'shop/web:1.5.0',
        previewHost: 'preview.shop.example.com',
      }),
    });
    // end example
  },
  'canary': (chart) => {
    // example: canary
    new WebService(chart, 'web', {
      image: 'shop/web:1.4.0',
      ingress: { hosts: ['shop.example.com'] },
      release: ReleaseStrategy.canary({ image: 'shop/web:1.5.0', weight: 10 }),
    });
    // end example
  },
  'ab-test': (chart) => {
    // example: ab-test
    new WebService(chart, 'web', {
      image: 'shop/web:1.4.0',
      ingress: { hosts: ['shop.example.com'] },
      release: ReleaseStrategy.abTest({
        image: 'shop/web:1.5.0',
        header: { name: 'X-Variant', value: 'b' },
        weight: 5,
      }),
    });
    // end example
  },
  'shadow': (chart) => {
    // example: shadow
    new WebService(chart, 'web', {
      image: 'shop/web:1.4.0',
      ingress: { hosts: ['shop.example.com'] },
      release: ReleaseStrategy.shadow({ image: 'shop/web:1.5.0', percent: 100 }),
    });
    // end example
  },
};

function dedent(text: string): string {
  const lines = text.replace(/^\n+|\s+$/g, '').split('\n');
  const indent = Math.min(...lines.filter(l => l.trim()).map(l => /^ */.exec(l)![0].length));
  return lines.map(l => l.slice(indent)).join('\n');
}

function docExamples(): Record<string, string> {
  const doc = readFileSync(join(__dirname, '../../../docs/release-strategies.md'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of doc.matchAll(/<!-- example: ([a-z-]+) -->\n```ts\n([\s\S]*?)```/g)) out[m[1]] = dedent(m[2]);
  return out;
}

function codeExamples(): Record<string, string> {
  const src = readFileSync(__filename, 'utf8');
  const out: Record<string, string> = {};
  for (const m of src.matchAll(/\/\/ example: ([a-z-]+)\n([\s\S]*?)\n\s*\/\/ end example/g)) out[m[1]] = dedent(m[2]);
  return out;
}

test('every example of the doc is the code below, verbatim', () => {
  const doc = docExamples();
  const code = codeExamples();
  expect(Object.keys(doc).sort()).toEqual(Object.keys(EXAMPLES).sort());
  expect(code).toEqual(doc);
});

describe.each(Object.keys(FLAVOURS) as Array<keyof typeof FLAVOURS>)('examples on %s', (flavour) => {
  test.each(Object.keys(EXAMPLES))('%s synthesizes valid manifests (or is refused with the documented reason)', (name) => {
    const chart = new PlatformChart(Testing.app(), 'shop', { traits: FLAVOURS[flavour](), namespace: 'shop' });
    if (flavour === 'alb' && name === 'shadow') {
      expect(() => EXAMPLES[name](chart)).toThrow(/an ALB cannot mirror requests/);
      return;
    }
    EXAMPLES[name](chart);
    expectValidManifests(Testing.synth(chart));
  });
});
