/* Bad input: a clear ValidationError naming the file, line and key, and saying what to change. */
import * as fs from 'fs';
import { App } from 'cdk8s';
import { tempCompose } from './support';
import { ClusterTraits, composeToTypeScript, composeToWorkloads, PlatformChart, ValidationError } from '../../lib';
import { interpolate, InterpolationIssue } from '../../lib/compose/private/interpolate';
import { SERVICE_KEYS, TOP_LEVEL_KEYS } from '../../lib/compose/private/service-keys';
import schema from '../../lib/compose/schema/compose-spec.json';

function importError(content: string, options: { env?: Record<string, string>; strict?: boolean } = {}): ValidationError {
  const file = tempCompose(content);
  try {
    composeToWorkloads(new PlatformChart(new App(), 'c', { traits: ClusterTraits.k3s() }), file, options);
  } catch (e) {
    expect(ValidationError.isValidationError(e)).toBe(true);
    expect((e as ValidationError).prop).toBe(file);
    return e as ValidationError;
  }
  throw new Error(`imported without an error:\n${content}`);
}

test('a file that is not YAML', () => {
  expect(importError('services:\n  web:\n    image: [a\n').message).toMatch(/docker-compose.yml:\d+:\d+ error: is not valid YAML/);
});

test('a file that is not a mapping', () => {
  expect(importError('- a\n- b\n').message).toMatch(/is not a Compose file: its top level must be a mapping with a `services:` key/);
});

test('a file failing the schema names the line and the key', () => {
  const e = importError('services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n    prots: ["80:80"]\n');
  expect(e.message).toMatch(/docker-compose.yml:4:5 error services.web.prots: fails the Compose Specification schema: this key is not part of the specification/);
  expect(importError('services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n    ports: 80\n').message)
    .toMatch(/:4:5 error services.web.ports: fails the Compose Specification schema: must be array/);
});

test('an unset variable without a default names file:line:key and the fix', () => {
  const e = importError('services:\n  web:\n    image: ghcr.io/acme/web:${TAG}\n');
  expect(e.message).toMatch(/docker-compose.yml:3:5 error services.web.image: uses \$\{TAG\}, which is not set: set TAG in the environment or the .env file, or give a default/);
  expect(importError('services:\n  web:\n    image: ghcr.io/acme/web:${TAG:?pin the release}\n').message).toMatch(/requires TAG to be set and not empty \(pin the release\)/);
});

test('two services publishing the same port', () => {
  const e = importError('services:\n  a:\n    image: ghcr.io/acme/a:1.0.0\n    ports: ["8080:80"]\n  b:\n    image: ghcr.io/acme/b:1.0.0\n    ports: ["8080:8080"]\n');
  expect(e.message).toMatch(/:7:\d+ error services.b.ports\[0\]: publishes port 8080\/tcp, which service "a" publishes too/);
});

test('an image without a tag, or with latest', () => {
  expect(importError('services:\n  web:\n    image: nginx\n').message)
    .toMatch(/:3:5 error services.web.image: is "nginx", without a tag: that means "latest", which changes under you. Pin a version, e.g. "nginx:1.2.3"/);
  expect(importError('services:\n  web:\n    image: nginx:latest\n').message).toMatch(/the "latest" tag changes under you/);
});

test('strict turns warnings into errors; without it they are diagnostics', () => {
  const content = 'services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n    privileged: true\n';
  expect(importError(content, { strict: true }).message).toMatch(/:4:5 warning services.web.privileged: is not supported/);
  const { diagnostics } = composeToTypeScript(tempCompose(content));
  expect(diagnostics.map(d => [d.severity, d.key, d.line])).toEqual([['warning', 'services.web.privileged', 4]]);
});

test('a secret value is never in an error, the code or a diagnostic', () => {
  const file = tempCompose('services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n    environment:\n      API_TOKEN: tok-very-secret\n      URL: https://u:hunter2@example.com\n');
  const { code, diagnostics } = composeToTypeScript(file);
  const text = code + JSON.stringify(diagnostics);
  expect(text).not.toMatch(/tok-very-secret|hunter2/);
  expect(code).toContain("API_TOKEN: SecretRef.fromSecret('web-env', 'API_TOKEN')");
});

test('a missing file', () => {
  expect(() => composeToTypeScript('no/such/docker-compose.yml')).toThrow(/Compose file no\/such\/docker-compose.yml does not exist/);
});

describe('interpolation', () => {
  const env = { A: 'a', EMPTY: '' };
  test.each([
    ['$$A', '$A'], ['${A}', 'a'], ['$A-x', 'a-x'], ['${B:-d}', 'd'], ['${EMPTY:-d}', 'd'], ['${EMPTY-d}', ''], ['${B-${A}}', 'a'],
    ['${A:+alt}', 'alt'], ['${B:+alt}', ''], ['${EMPTY+alt}', 'alt'], ['price: 5$', 'price: 5$'],
  ])('%s → %s', (text, expected) => expect(interpolate(text, env)).toBe(expected));
  test.each([['${B}'], ['${B?}'], ['${EMPTY:?}'], ['${A'], ['${1}']])('%s is an issue', text => expect(interpolate(text, env)).toBeInstanceOf(InterpolationIssue));
});

test('the key table names every top-level and service key of the vendored schema, and docs/compose.md every one of them', () => {
  expect(Object.keys(TOP_LEVEL_KEYS).sort()).toEqual(Object.keys(schema.properties).sort());
  expect(Object.keys(SERVICE_KEYS).sort()).toEqual(Object.keys(schema.definitions.service.properties).sort());
  const doc = fs.readFileSync(`${__dirname}/../../docs/compose.md`, 'utf8');
  const missing = [...Object.keys(TOP_LEVEL_KEYS), ...Object.keys(SERVICE_KEYS)].filter(k => !doc.includes(`| \`${k}\` |`));
  expect(missing).toEqual([]);
});

test('network options (aliases, fixed addresses) are reported; services on separate networks cannot call each other', () => {
  const file = tempCompose([
    'services:',
    '  web:',
    '    image: ghcr.io/acme/web:1.0.0',
    '    networks:',
    '      front:',
    '        aliases: [www]',
    '    depends_on: [db]',
    '  db:',
    '    image: postgres:16.4-alpine',
    '    networks: [back]',
    'networks:',
    '  front: {}',
    '  back: {}',
    '',
  ].join('\n'));
  const { diagnostics, code } = composeToTypeScript(file);
  expect(diagnostics.filter(d => d.severity === 'warning').map(d => `${d.line} ${d.key}`)).toEqual([
    '6 services.web.networks.front.aliases',
    '7 services.web.depends_on[0]',
  ]);
  expect(code).toContain('callers: Callers.only()');
  expect(code).not.toContain('NetworkRules');
});

test('a named volume of two services is reported: each pod gets its own claim', () => {
  const volume = (name: string) => [`  ${name}:`, `    image: ghcr.io/acme/${name}:1.0.0`, '    expose: ["8080"]', '    volumes: ["data:/data"]'];
  const file = tempCompose(['services:', ...volume('a'), ...volume('b'), 'volumes:', '  data: {}', ''].join('\n'));
  const { diagnostics } = composeToTypeScript(file);
  expect(diagnostics.filter(d => d.severity === 'warning').map(d => `${d.line} ${d.key}: ${d.message}`))
    .toEqual([expect.stringMatching(/^9 services.b.volumes: mount the volume "data" that "a" mounts too: each pod gets its own claim/)]);
});
