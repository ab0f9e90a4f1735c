import { show, ValidationError } from '../../errors';
import { isMember, mustBeOneOf } from '../private/fixed-set';

/**
 * One of the two colours of a blue-green release: a string enum whose value (`blue` or `green`) is the
 * object name suffix and the colour label value. Props that take a colour also take `'blue'` or `'green'`.
 */
export enum Colour {
  /** The blue Deployment (`<name>-blue`). */
  BLUE = 'blue',
  /** The green Deployment (`<name>-green`). */
  GREEN = 'green',
}

/**
 * The colour for `'blue'` or `'green'` (a Colour is returned as is).
 * @throws ValidationError for anything else
 */
export function colourOf(colour: Colour | 'blue' | 'green'): Colour {
  if (!isMember(Colour, colour)) {
    throw new ValidationError(`colourOf(colour) is ${show(colour)}: ${mustBeOneOf('Colour', Colour)}`, { prop: 'colour', value: colour });
  }
  return colour;
}

/** The other colour: green for blue, blue for green. */
export function otherColour(colour: Colour | 'blue' | 'green'): Colour {
  return colourOf(colour) === Colour.BLUE ? Colour.GREEN : Colour.BLUE;
}

/** Options of a rolling update. */
export interface RollingUpdateOptions {
  /**
   * Pods created above the desired count during an update: a count or a percentage such as `'25%'`.
   * @default '25%'
   */
  readonly maxSurge?: number | string;
  /**
   * Pods that may be unavailable during an update: a count or a percentage such as `'25%'`.
   * @default 0 (capacity never drops during a deploy)
   */
  readonly maxUnavailable?: number | string;
}

/** Options of a blue-green release. */
export interface BlueGreenOptions {
  /**
   * The colour the web service's Service (and so its Ingress) sends traffic to. Switching is this one line
   * and a deploy; switching back is a rollback.
   */
  readonly live: Colour | 'blue' | 'green';
  /**
   * Image of the blue Deployment.
   * @default - the web service's `image`
   */
  readonly blueImage?: string;
  /**
   * Image of the green Deployment.
   * @default - no green Deployment (blue only; `live` must then be blue)
   */
  readonly greenImage?: string;
  /**
   * A host name routed to the idle colour (through `<name>-preview`), for tests before switching. Needs the
   * web service's `ingress`.
   * @default - no preview route (the `<name>-preview` Service is still reachable inside the cluster)
   */
  readonly previewHost?: string;
}

/** An HTTP header that selects the candidate. */
export interface HeaderMatch {
  /** Header name, e.g. `X-Canary` (an HTTP token: letters, digits and ``!#$%&'*+-.^_|~``). */
  readonly name: string;
  /** Exact header value that selects the candidate, e.g. `always`. */
  readonly value: string;
}

/** Options of a canary release. */
export interface CanaryOptions {
  /** Image of the candidate (must differ from the web service's `image`). */
  readonly image: string;
  /** Percentage of requests (0-100) sent to the candidate; the rest go to the stable version. */
  readonly weight: number;
}

/** Options of an A/B release. */
export interface AbTestOptions {
  /** Image of the candidate (version B; must differ from the web service's `image`). */
  readonly image: string;
  /** Requests carrying this header (with this exact value) go to the candidate. */
  readonly header: HeaderMatch;
  /**
   * Percentage (0-100) of the requests without the header that also go to the candidate.
   * @default - none: only requests with the header reach the candidate
   */
  readonly weight?: number;
}

/** Options of a shadow release. */
export interface ShadowOptions {
  /** Image of the candidate (must differ from the web service's `image`). */
  readonly image: string;
  /**
   * Percentage (0-100) of requests copied to the candidate. The stable version answers every request; the
   * candidate's responses are discarded by the ingress controller.
   */
  readonly percent: number;
}

/** The kind of a {@link ReleaseStrategy}: a string enum of short names. */
export enum ReleaseKind {
  /** Replace pods gradually in one Deployment. */
  ROLLING = 'rolling',
  /** Stop every old pod, then start the new ones. */
  RECREATE = 'recreate',
  /** Two Deployments; the Service selects the live colour. */
  BLUE_GREEN = 'blue-green',
  /** A candidate Deployment receiving a weighted share of requests. */
  CANARY = 'canary',
  /** A candidate Deployment receiving requests that carry a header. */
  AB_TEST = 'ab-test',
  /** A candidate Deployment receiving a copy of requests; its responses are discarded. */
  SHADOW = 'shadow',
}

/** Which kinds run a candidate next to the stable version (every kind listed: a new kind must decide). */
const HAS_CANDIDATE: Readonly<Record<ReleaseKind, boolean>> = {
  [ReleaseKind.ROLLING]: false,
  [ReleaseKind.RECREATE]: false,
  [ReleaseKind.BLUE_GREEN]: false,
  [ReleaseKind.CANARY]: true,
  [ReleaseKind.AB_TEST]: true,
  [ReleaseKind.SHADOW]: true,
};

/** Whether a release of this kind runs a candidate next to the stable version and routes through the ingress. */
export function releaseHasCandidate(kind: ReleaseKind): boolean {
  return HAS_CANDIDATE[kind] === true;
}

const RELEASE_STRATEGY = Symbol.for('cdk-k8s-platform.ReleaseStrategy');

/**
 * How a new version of a web service reaches users. Every strategy is plain Kubernetes objects written for
 * the cluster's ingress controller (no rollout controller needed); promotion and rollback are code changes.
 * A strategy a controller cannot carry out is refused at synth time.
 *
 * | strategy | ALB | Traefik v3 | ingress-nginx | Gateway API |
 * | --- | --- | --- | --- | --- |
 * | canary | `actions.*` weighted forward | `TraefikService` weighted | canary Ingress `canary-weight` | `backendRefs[].weight` |
 * | A/B | `conditions.*` http-header | `IngressRoute` `Header()` + priority | `canary-by-header(-value)` | `matches[].headers` |
 * | shadow | refused | `TraefikService` mirroring | `mirror-target` (100% only) | `RequestMirror` |
 * | blue-green | Service selector flip | same | same | same |
 */
export class ReleaseStrategy {
  /**
   * True if `x` is a ReleaseStrategy of any copy of this library (`instanceof` holds for this copy's only).
   */
  public static isReleaseStrategy(x: unknown): x is ReleaseStrategy {
    return typeof x === 'object' && x !== null && (x as { [RELEASE_STRATEGY]?: unknown })[RELEASE_STRATEGY] === true;
  }

  /** Rolling update of one Deployment (the default: 25% surge, nothing unavailable). */
  public static rolling(options: RollingUpdateOptions = {}): ReleaseStrategy {
    return new ReleaseStrategy(ReleaseKind.ROLLING, { rolling: options });
  }

  /**
   * Stop all old pods before starting new ones (for apps that cannot run two versions at once). Requests
   * fail while no pod is ready.
   */
  public static recreate(): ReleaseStrategy {
    return new ReleaseStrategy(ReleaseKind.RECREATE, {});
  }

  /**
   * Two Deployments, `<name>-blue` and `<name>-green`; the web service's Service selects the `live` colour and
   * `<name>-preview` selects the other one.
   */
  public static blueGreen(options: BlueGreenOptions): ReleaseStrategy {
    return new ReleaseStrategy(ReleaseKind.BLUE_GREEN, { blueGreen: options });
  }

  /** A candidate Deployment `<name>-canary` that receives `weight` percent of requests. Needs `ingress`. */
  public static canary(options: CanaryOptions): ReleaseStrategy {
    return new ReleaseStrategy(ReleaseKind.CANARY, { canary: options });
  }

  /**
   * A candidate Deployment `<name>-b` that receives the requests carrying a header (and optionally a weighted
   * share of the others). Needs `ingress`.
   */
  public static abTest(options: AbTestOptions): ReleaseStrategy {
    return new ReleaseStrategy(ReleaseKind.AB_TEST, { abTest: options });
  }

  /**
   * A candidate Deployment `<name>-shadow` that receives a copy of `percent` percent of requests; users only
   * ever see the stable version's responses. Needs `ingress`; not possible on ALB.
   */
  public static shadow(options: ShadowOptions): ReleaseStrategy {
    return new ReleaseStrategy(ReleaseKind.SHADOW, { shadow: options });
  }

  /** The kind of release. */
  public readonly kind: ReleaseKind;
  /** Options of a rolling update (kind ROLLING). */
  public readonly rollingOptions?: RollingUpdateOptions;
  /** Options of a blue-green release (kind BLUE_GREEN). */
  public readonly blueGreenOptions?: BlueGreenOptions;
  /** Options of a canary release (kind CANARY). */
  public readonly canaryOptions?: CanaryOptions;
  /** Options of an A/B release (kind AB_TEST). */
  public readonly abTestOptions?: AbTestOptions;
  /** Options of a shadow release (kind SHADOW). */
  public readonly shadowOptions?: ShadowOptions;

  private constructor(kind: ReleaseKind, o: {
    rolling?: RollingUpdateOptions; blueGreen?: BlueGreenOptions; canary?: CanaryOptions; abTest?: AbTestOptions; shadow?: ShadowOptions;
  }) {
    Object.defineProperty(this, RELEASE_STRATEGY, { value: true });
    this.kind = kind;
    this.rollingOptions = o.rolling;
    this.blueGreenOptions = o.blueGreen;
    this.canaryOptions = o.canary;
    this.abTestOptions = o.abTest;
    this.shadowOptions = o.shadow;
  }
}
