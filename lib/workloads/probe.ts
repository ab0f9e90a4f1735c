import { Duration } from 'cdk8s';

/** Timings of a probe. */
export interface ProbeTimings {
  /**
   * Delay before the first probe.
   * @default Duration.seconds(0)
   */
  readonly initialDelay?: Duration;
  /**
   * How often to probe.
   * @default Duration.seconds(10) (startup probes: 5 seconds)
   */
  readonly period?: Duration;
  /**
   * How long one probe may take; must not exceed the period.
   * @default Duration.seconds(3)
   */
  readonly timeout?: Duration;
  /**
   * Consecutive failures before the probe fails.
   * @default 3 (startup probes: 30, i.e. 150 s to start)
   */
  readonly failureThreshold?: number;
}

/** Options of an HTTP probe. */
export interface HttpProbeOptions extends ProbeTimings {
  /**
   * Name of the port to probe.
   * @default - the workload's first port
   */
  readonly port?: string;
  /**
   * HTTPS instead of HTTP.
   * @default false
   */
  readonly https?: boolean;
}

/** Options of a TCP probe. */
export interface TcpProbeOptions extends ProbeTimings {
  /**
   * Name of the port to probe.
   * @default - the workload's first port
   */
  readonly port?: string;
}

/** What a probe checks. */
export type ProbeCheck =
  | { readonly kind: 'http'; readonly path: string; readonly port?: string; readonly https: boolean }
  | { readonly kind: 'tcp'; readonly port?: string }
  | { readonly kind: 'exec'; readonly command: string[] };

/** A readiness, liveness or startup probe. */
export class Probe {
  /** An HTTP GET that must answer 200-399. */
  public static http(path: string, options: HttpProbeOptions = {}): Probe {
    return new Probe({ kind: 'http', path, port: options.port, https: options.https ?? false }, options);
  }

  /** A TCP connection that must open. */
  public static tcp(options: TcpProbeOptions = {}): Probe {
    return new Probe({ kind: 'tcp', port: options.port }, options);
  }

  /** A command inside the container that must exit 0. */
  public static exec(command: string[], options: ProbeTimings = {}): Probe {
    return new Probe({ kind: 'exec', command }, options);
  }

  private constructor(
    /** What is checked. */
    public readonly check: ProbeCheck,
    /** When and how often. */
    public readonly timings: ProbeTimings,
  ) {}
}

/** The probes of a container; `false` turns one off. */
export interface ProbeOptions {
  /**
   * When the pod may receive traffic.
   * @default - HTTP GET of `healthCheckPath` on the first port if given, else TCP on the first port; none without ports
   */
  readonly readiness?: Probe | false;
  /**
   * When the container is restarted.
   * @default - same check as readiness, every 20 s
   */
  readonly liveness?: Probe | false;
  /**
   * Holds the other probes back while the process starts.
   * @default - same check as readiness, every 5 s up to 30 times
   */
  readonly startup?: Probe | false;
}
