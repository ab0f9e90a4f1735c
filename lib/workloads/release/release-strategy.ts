/** One of the two colours of a blue-green release. */
export class Colour {
  /** The blue Deployment (`<name>-blue`). */
  public static readonly BLUE = new Colour('blue');
  /** The green Deployment (`<name>-green`). */
  public static readonly GREEN = new Colour('green');

  /** The colour for `'blue'` or `'green'` (or a Colour, returned as is). */
  public static of(colour: Colour | 'blue' | 'green'): Colour {
    if (colour instanceof Colour) return colour;
    if (colour === 'blue') return Colour.BLUE;
    if (colour === 'green') return Colour.GREEN;
    return new Colour(colour);
  }

  private constructor(
    /** `blue` or `green`: the object name suffix and the colour label value. */
    public readonly name: string,
  ) {}

  /** The other colour. */
  public get other(): Colour {
    return this === Colour.BLUE ? Colour.GREEN : Colour.BLUE;
  }

  public toString(): string {
    return this.name;
  }
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

/** The kind of a {@link ReleaseStrategy}. */
export class ReleaseKind {
  /** Replace pods gradually in one Deployment. */
  public static readonly ROLLING = new ReleaseKind('rolling', false);
  /** Stop every old pod, then start the new ones. */
  public static readonly RECREATE = new ReleaseKind('recreate', false);
  /** Two Deployments; the Service selects the live colour. */
  public static readonly BLUE_GREEN = new ReleaseKind('blue-green', false);
  /** A candidate Deployment receiving a weighted share of requests. */
  public static readonly CANARY = new ReleaseKind('canary', true);
  /** A candidate Deployment receiving requests that carry a header. */
  public static readonly AB_TEST = new ReleaseKind('ab-test', true);
  /** A candidate Deployment receiving a copy of requests; its responses are discarded. */
  public static readonly SHADOW = new ReleaseKind('shadow', true);

  private constructor(
    /** A short name. */
    public readonly name: string,
    /** Whether the release runs a candidate next to the stable version and routes through the ingress. */
    public readonly hasCandidate: boolean,
  ) {}

  public toString(): string {
    return this.name;
  }
}

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
    this.kind = kind;
    this.rollingOptions = o.rolling;
    this.blueGreenOptions = o.blueGreen;
    this.canaryOptions = o.canary;
    this.abTestOptions = o.abTest;
    this.shadowOptions = o.shadow;
  }
}
