/** Pods a NetworkPolicy can name: a workload of this library, or any selector. */
export interface IWorkloadSelector {
  /** Labels that select the workload's pods. */
  readonly selectorLabels: Record<string, string>;
  /** The workload's namespace (undefined: the chart's or the default namespace). */
  readonly namespace?: string;
  /**
   * Labels of the workload's other pods, which `selectorLabels` does not select: the candidate of a canary,
   * A/B or shadow release (another instance, `web-canary`). A NetworkPolicy that names the workload, as a
   * caller or as a target, names these pods too.
   *
   * @default - none: `selectorLabels` selects every pod of the workload
   */
  readonly additionalSelectorLabels?: ReadonlyArray<Record<string, string>>;
}

/**
 * Who may open connections to a workload's ports. A NetworkPolicy is generated from it; the ingress
 * controller (or load balancer) is always admitted to workloads it routes to.
 */
export class Callers {
  /** Any pod of the same namespace (the default). */
  public static sameNamespace(): Callers {
    return new Callers('same-namespace', []);
  }

  /** Only the listed workloads (and the ingress controller when the workload is exposed). */
  public static only(...workloads: IWorkloadSelector[]): Callers {
    return new Callers('only', workloads);
  }

  /** Any pod in the same namespace plus the listed workloads from other namespaces. */
  public static sameNamespaceAnd(...workloads: IWorkloadSelector[]): Callers {
    return new Callers('same-namespace', workloads);
  }

  /** Anyone: no NetworkPolicy is generated. */
  public static any(): Callers {
    return new Callers('any', []);
  }

  private constructor(
    /** The base rule. */
    public readonly mode: 'same-namespace' | 'only' | 'any',
    /** Workloads allowed in addition. */
    public readonly workloads: IWorkloadSelector[],
  ) {}
}
