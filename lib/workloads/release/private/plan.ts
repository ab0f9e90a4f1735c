import { checkMember } from '../../private/fixed-set';
import { ImageRef, parseImage } from '../../private/image';
import { k8s } from '../../private/plus';
import { imageString } from '../../private/pod-template';
import { PropValidator } from '../../private/validate';
import { Colour, HeaderMatch, otherColour, releaseHasCandidate, ReleaseKind, ReleaseStrategy } from '../release-strategy';

/** Label on pods of a candidate version (`canary`, `b`, `shadow`); stable pods do not carry it. */
export const TRACK_LABEL = 'platform.cdk-k8s.io/track';
/** Label on pods of a blue-green colour (`blue`, `green`). */
export const COLOUR_LABEL = 'platform.cdk-k8s.io/colour';

/** A candidate version running next to the stable one. */
export interface CandidatePlan {
  /** Track label value and object name suffix: canary, b or shadow. */
  readonly track: string;
  /** `<name>-<track>`. */
  readonly name: string;
  readonly image: ImageRef;
  /** Weighted share of requests (canary; A/B when given). */
  readonly weight?: number;
  /** Header that selects the candidate (A/B). */
  readonly header?: HeaderMatch;
  /** Percentage of requests mirrored (shadow). */
  readonly mirrorPercent?: number;
  /** Percentage of the stable version's load the candidate is sized for. */
  readonly share: number;
}

/** A blue-green release, resolved. */
export interface BlueGreenPlan {
  readonly live: Colour;
  readonly images: { readonly blue?: ImageRef; readonly green?: ImageRef };
  readonly previewHost?: string;
}

/** A release strategy, validated and resolved. */
export interface ReleasePlan {
  readonly strategy: ReleaseStrategy;
  /** Update strategy of every Deployment of the web service. */
  readonly deploymentStrategy: k8s.DeploymentStrategy;
  readonly candidate?: CandidatePlan;
  readonly blueGreen?: BlueGreenPlan;
}

/** What the plan needs to know about the web service. */
export interface PlanInput {
  readonly name: string;
  readonly image: ImageRef;
  readonly hasIngress: boolean;
  readonly ingressHosts: readonly string[];
  readonly replicas?: number;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_|~]+$/;
const HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;

function rollingValue(v: PropValidator, prop: string, value: number | string): k8s.IntOrString {
  if (typeof value === 'number') {
    v.integer(prop, value, 0, 1000);
    return k8s.IntOrString.fromNumber(value);
  }
  const m = typeof value === 'string' ? /^([0-9]{1,3})%$/.exec(value) : null;
  v.check(m !== null && Number(m[1]) <= 100, prop, value, 'must be a whole number of pods or a percentage such as "25%".');
  return k8s.IntOrString.fromString(value);
}

function isZero(value: number | string): boolean {
  return value === 0 || value === '0%';
}

/** Validates the header of an A/B release (flavour-independent rules). */
function checkHeader(v: PropValidator, header: HeaderMatch | undefined): HeaderMatch {
  if (!header || typeof header !== 'object') {
    v.fail('release.header', header, 'is required: give { name, value } of the header that selects the candidate, e.g. { name: "X-Canary", value: "always" }.');
  }
  v.check(typeof header.name === 'string' && header.name.length > 0, 'release.header.name', header.name,
    'must not be empty: name the HTTP header that selects the candidate, e.g. "X-Canary".');
  v.check(header.name.length <= 256 && HEADER_NAME.test(header.name), 'release.header.name', header.name,
    'must be an HTTP header name (at most 256 letters, digits and !#$%&\'*+-.^_|~; no spaces or colons), e.g. "X-Canary".');
  v.check(typeof header.value === 'string' && header.value.length > 0, 'release.header.value', header.value,
    'must not be empty: give the exact header value that selects the candidate, e.g. "always".');
  v.check(header.value.length <= 1024 && HEADER_VALUE.test(header.value) && !header.value.includes('`'), 'release.header.value', header.value,
    'must be at most 1024 printable ASCII characters, without leading or trailing spaces and without backquotes (Traefik rules quote values with them).');
  return header;
}

function candidateImage(v: PropValidator, input: PlanInput, image: string): ImageRef {
  const ref = parseImage(v, 'release.image', image);
  v.check(imageString(ref) !== imageString(input.image), 'release.image', image,
    'is the same as the web service\'s image: a candidate must run a different image (to finish a release, switch back to ReleaseStrategy.rolling()).');
  return ref;
}

/** Validates a release strategy against the web service and resolves it. */
export function planRelease(v: PropValidator, strategy: ReleaseStrategy | undefined, input: PlanInput): ReleasePlan {
  const s = strategy ?? ReleaseStrategy.rolling();
  if (!ReleaseStrategy.isReleaseStrategy(s)) {
    v.fail('release', s, 'must be a ReleaseStrategy, e.g. ReleaseStrategy.rolling() or ReleaseStrategy.canary({ image, weight }).');
  }
  let deploymentStrategy: k8s.DeploymentStrategy;
  if (s.kind === ReleaseKind.RECREATE) {
    deploymentStrategy = { type: 'Recreate' };
  } else {
    const o = s.rollingOptions ?? {};
    const maxSurge = o.maxSurge ?? '25%';
    const maxUnavailable = o.maxUnavailable ?? 0;
    const surge = rollingValue(v, 'release.maxSurge', maxSurge);
    const unavailable = rollingValue(v, 'release.maxUnavailable', maxUnavailable);
    v.check(!(isZero(maxSurge) && isZero(maxUnavailable)), 'release.maxUnavailable', maxUnavailable,
      'cannot be 0 when maxSurge is 0 too: a rolling update could then neither add nor remove a pod.');
    deploymentStrategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } };
  }

  if (s.kind === ReleaseKind.BLUE_GREEN) {
    const o = s.blueGreenOptions!;
    v.check(o !== null && typeof o === 'object', 'release', o, 'needs options: ReleaseStrategy.blueGreen({ live: Colour.BLUE, greenImage }).');
    v.check(input.name.length <= 55, 'name', input.name,
      `is too long for ReleaseStrategy.blueGreen: its objects are named "${input.name}-preview" (at most 63 characters). Shorten the name.`);
    const live: Colour = checkMember(v, 'release.live', o.live as Colour, 'Colour', Colour);
    const images = {
      blue: parseImage(v, 'release.blueImage', o.blueImage ?? imageString(input.image)),
      green: o.greenImage !== undefined ? parseImage(v, 'release.greenImage', o.greenImage) : undefined,
    };
    v.check(images[live] !== undefined, 'release.live', live,
      `switches to the ${live} colour, which does not exist: ${live}Image is not set. Set ${live}Image to the image to switch to, or keep live ${otherColour(live)}.`);
    if (o.previewHost !== undefined) {
      v.hostname('release.previewHost', o.previewHost);
      v.check(input.hasIngress, 'release.previewHost', o.previewHost,
        'needs the web service\'s ingress (the preview route copies its paths, TLS and annotations): set ingress, or remove previewHost.');
      v.check(!input.ingressHosts.includes(o.previewHost), 'release.previewHost', o.previewHost,
        'is also one of ingress.hosts: the preview host must be a separate host name, e.g. "preview.app.example.com".');
      const idle = otherColour(live);
      v.check(images[idle] !== undefined, 'release.previewHost', o.previewHost,
        `routes to the idle colour (${idle}), which does not exist: set ${idle}Image, or remove previewHost.`);
    }
    return { strategy: s, deploymentStrategy, blueGreen: { live, images, previewHost: o.previewHost } };
  }

  if (!releaseHasCandidate(s.kind)) return { strategy: s, deploymentStrategy };

  const what = `ReleaseStrategy.${s.kind === ReleaseKind.AB_TEST ? 'abTest' : s.kind}`;
  v.check(input.hasIngress, 'release', what,
    'routes requests to a candidate through the ingress controller, but the web service has no ingress: set ingress (hosts/paths), or use ReleaseStrategy.blueGreen() which works with the Service alone.');
  v.check(input.replicas !== 0, 'replicas', input.replicas,
    `must be at least 1 with ${what}: the stable version keeps serving requests next to the candidate.`);

  let candidate: CandidatePlan;
  if (s.kind === ReleaseKind.CANARY) {
    const o = s.canaryOptions!;
    const image = candidateImage(v, input, o.image);
    v.integer('release.weight', o.weight, 0, 100, 'percent of requests sent to the candidate');
    candidate = { track: 'canary', name: '', image, weight: o.weight, share: o.weight };
  } else if (s.kind === ReleaseKind.AB_TEST) {
    const o = s.abTestOptions!;
    const image = candidateImage(v, input, o.image);
    const header = checkHeader(v, o.header);
    if (o.weight !== undefined) v.integer('release.weight', o.weight, 0, 100, 'percent of requests without the header sent to the candidate');
    // the share of requests carrying the header is unknown: size the candidate like the stable version
    candidate = { track: 'b', name: '', image, header, weight: o.weight, share: 100 };
  } else {
    const o = s.shadowOptions!;
    const image = candidateImage(v, input, o.image);
    v.integer('release.percent', o.percent, 0, 100, 'percent of requests copied to the candidate');
    candidate = { track: 'shadow', name: '', image, mirrorPercent: o.percent, share: o.percent };
  }
  const name = `${input.name}-${candidate.track}`;
  v.check(name.length <= 63, 'name', input.name,
    `is too long for ${what}: the candidate objects are named "${name}" (${name.length} characters; at most 63). Shorten the name.`);
  return { strategy: s, deploymentStrategy, candidate: { ...candidate, name } };
}
