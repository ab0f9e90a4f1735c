import { CANDIDATE, releaseError, STABLE } from './release-helpers';
import { Colour, ReleaseStrategy } from '../../../lib';

const ab = (name: string, value = 'always', weight?: number) => ReleaseStrategy.abTest({ image: CANDIDATE, header: { name, value }, weight });
const P = '[shop/web] WebService.';

describe('weights and percentages', () => {
  test.each([-1, 101, 2.5])('canary weight %p is refused', (weight) => {
    expect(releaseError('alb', ReleaseStrategy.canary({ image: CANDIDATE, weight }))).toBe(
      `${P}release.weight is ${weight}: must be an integer from 0 to 100 (percent of requests sent to the candidate).`);
  });

  test('A/B weight outside 0-100 is refused', () => {
    expect(releaseError('traefik', ab('X-Canary', 'always', 150))).toBe(
      `${P}release.weight is 150: must be an integer from 0 to 100 (percent of requests without the header sent to the candidate).`);
  });

  test('shadow percent outside 0-100 is refused', () => {
    expect(releaseError('traefik', ReleaseStrategy.shadow({ image: CANDIDATE, percent: 120 }))).toBe(
      `${P}release.percent is 120: must be an integer from 0 to 100 (percent of requests copied to the candidate).`);
  });

  test('weights 0 and 100 are allowed', () => {
    expect(() => releaseError('alb', ReleaseStrategy.canary({ image: CANDIDATE, weight: 0 }))).toThrow('expected an error');
    expect(() => releaseError('alb', ReleaseStrategy.canary({ image: CANDIDATE, weight: 100 }))).toThrow('expected an error');
  });
});

describe('header match', () => {
  test('empty header name', () => {
    expect(releaseError('nginx', ab(''))).toBe(`${P}release.header.name is "": must not be empty: name the HTTP header that selects the candidate, e.g. "X-Canary".`);
  });

  test.each(['X Canary', 'X-Canary:', 'Ä-Header'])('invalid header name %p', (name) => {
    expect(releaseError('nginx', ab(name))).toBe(
      `${P}release.header.name is ${JSON.stringify(name)}: must be an HTTP header name (at most 256 letters, digits and !#$%&'*+-.^_|~; no spaces or colons), e.g. "X-Canary".`);
  });

  test('empty header value', () => {
    expect(releaseError('gateway', ab('X-Canary', ''))).toBe(
      `${P}release.header.value is "": must not be empty: give the exact header value that selects the candidate, e.g. "always".`);
  });

  test.each([' always', 'a`b', 'line\nbreak'])('invalid header value %p', (value) => {
    expect(releaseError('traefik', ab('X-Canary', value))).toBe(
      `${P}release.header.value is ${JSON.stringify(value)}: must be at most 1024 printable ASCII characters, without leading or trailing spaces and without backquotes (Traefik rules quote values with them).`);
  });
});

describe('candidate image', () => {
  test.each([
    ['canary', ReleaseStrategy.canary({ image: STABLE, weight: 10 })],
    ['abTest', ReleaseStrategy.abTest({ image: STABLE, header: { name: 'X-B', value: '1' } })],
    ['shadow', ReleaseStrategy.shadow({ image: STABLE, percent: 100 })],
  ])('%s: the same image as the stable version is refused', (_n, release) => {
    expect(releaseError('traefik', release)).toBe(
      `${P}release.image is "${STABLE}": is the same as the web service's image: a candidate must run a different image (to finish a release, switch back to ReleaseStrategy.rolling()).`);
  });

  test('the candidate image is checked like the main image', () => {
    expect(releaseError('traefik', ReleaseStrategy.canary({ image: 'shop/web:latest', weight: 10 }))).toBe(
      `${P}release.image is "shop/web:latest": uses the "latest" tag: pin a version tag or a digest so every node runs the image you reviewed.`);
  });
});

describe('blue-green', () => {
  test('switching to a colour without an image is refused', () => {
    expect(releaseError('alb', ReleaseStrategy.blueGreen({ live: Colour.GREEN }))).toBe(
      `${P}release.live is "green": switches to the green colour, which does not exist: greenImage is not set. Set greenImage to the image to switch to, or keep live blue.`);
  });

  test('a colour other than blue and green is refused', () => {
    expect(releaseError('alb', ReleaseStrategy.blueGreen({ live: 'red' as 'blue', greenImage: CANDIDATE }))).toBe(
      `${P}release.live is "red": must be one of Colour.BLUE ("blue") or Colour.GREEN ("green").`);
  });

  test('a preview host needs an ingress', () => {
    expect(releaseError('alb', ReleaseStrategy.blueGreen({ live: 'blue', greenImage: CANDIDATE, previewHost: 'preview.shop.example.com' }), { ingress: undefined })).toBe(
      `${P}release.previewHost is "preview.shop.example.com": needs the web service's ingress (the preview route copies its paths, TLS and annotations): set ingress, or remove previewHost.`);
  });

  test('a preview host must differ from the ingress hosts', () => {
    expect(releaseError('alb', ReleaseStrategy.blueGreen({ live: 'blue', greenImage: CANDIDATE, previewHost: 'shop.example.com' }))).toBe(
      `${P}release.previewHost is "shop.example.com": is also one of ingress.hosts: the preview host must be a separate host name, e.g. "preview.app.example.com".`);
  });

  test('a preview host needs an idle colour', () => {
    expect(releaseError('alb', ReleaseStrategy.blueGreen({ live: 'blue', previewHost: 'preview.shop.example.com' }))).toBe(
      `${P}release.previewHost is "preview.shop.example.com": routes to the idle colour (green), which does not exist: set greenImage, or remove previewHost.`);
  });

  test('a bad colour image is refused', () => {
    expect(releaseError('alb', ReleaseStrategy.blueGreen({ live: 'blue', greenImage: 'shop/web' }))).toBe(
      `${P}release.greenImage is "shop/web": must name a tag or a digest (e.g. "nginx:1.27.3" or "nginx@sha256:..."): an untagged image means "latest", which changes under you.`);
  });
});

describe('combinations', () => {
  test.each([
    ['canary', ReleaseStrategy.canary({ image: CANDIDATE, weight: 10 }), 'ReleaseStrategy.canary'],
    ['abTest', ab('X-Canary'), 'ReleaseStrategy.abTest'],
    ['shadow', ReleaseStrategy.shadow({ image: CANDIDATE, percent: 100 }), 'ReleaseStrategy.shadow'],
  ])('%s without an ingress is refused', (_n, release, what) => {
    expect(releaseError('nginx', release, { ingress: undefined })).toBe(
      `${P}release is "${what}": routes requests to a candidate through the ingress controller, but the web service has no ingress: set ingress (hosts/paths), or use ReleaseStrategy.blueGreen() which works with the Service alone.`);
  });

  test('a candidate next to a stable version scaled to 0 is refused', () => {
    expect(releaseError('nginx', ReleaseStrategy.canary({ image: CANDIDATE, weight: 10 }), { replicas: 0 })).toBe(
      `${P}replicas is 0: must be at least 1 with ReleaseStrategy.canary: the stable version keeps serving requests next to the candidate.`);
  });

  test('a name too long for the candidate objects is refused', () => {
    const name = 'a'.repeat(60);
    expect(releaseError('nginx', ReleaseStrategy.shadow({ image: CANDIDATE, percent: 100 }), { name })).toBe(
      `[shop/web] WebService.name is "${name}": is too long for ReleaseStrategy.shadow: the candidate objects are named "${name}-shadow" (67 characters; at most 63). Shorten the name.`);
  });

  test('rolling options', () => {
    expect(releaseError('alb', ReleaseStrategy.rolling({ maxSurge: 0, maxUnavailable: '0%' }))).toBe(
      `${P}release.maxUnavailable is "0%": cannot be 0 when maxSurge is 0 too: a rolling update could then neither add nor remove a pod.`);
    expect(releaseError('alb', ReleaseStrategy.rolling({ maxSurge: '150%' }))).toBe(
      `${P}release.maxSurge is "150%": must be a whole number of pods or a percentage such as "25%".`);
    expect(releaseError('alb', ReleaseStrategy.rolling({ maxUnavailable: -1 }))).toBe(
      `${P}release.maxUnavailable is -1: must be an integer from 0 to 1000.`);
  });

  test('replicas and autoscaling are still exclusive with a release', () => {
    expect(releaseError('alb', ReleaseStrategy.canary({ image: CANDIDATE, weight: 10 }), { replicas: 2, autoscaling: {} })).toBe(
      `${P}replicas is 2: cannot be combined with autoscaling: give a fixed replica count or autoscaling, not both.`);
  });

  test('a release that is not a ReleaseStrategy is refused', () => {
    expect(releaseError('alb', { kind: 'canary' } as unknown as ReleaseStrategy)).toBe(
      `${P}release is {"kind":"canary"}: must be a ReleaseStrategy, e.g. ReleaseStrategy.rolling() or ReleaseStrategy.canary({ image, weight }).`);
  });

  test('a Traefik path with a backquote is refused', () => {
    expect(releaseError('traefik', ab('X-Canary'), { ingress: { paths: ['/a`b'] } })).toBe(
      `${P}ingress.paths[0] is "/a\`b": must not contain a backquote: Traefik rules quote paths with them.`);
  });
});
