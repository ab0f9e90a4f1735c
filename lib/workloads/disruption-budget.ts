/** How many pods a voluntary disruption (node drain, upgrade) may take down at once. */
export class DisruptionBudget {
  /** At most `count` pods (or a percentage such as '25%') unavailable. */
  public static maxUnavailable(count: number | string): DisruptionBudget {
    return new DisruptionBudget({ maxUnavailable: count });
  }

  /** At least `count` pods (or a percentage such as '50%') available. */
  public static minAvailable(count: number | string): DisruptionBudget {
    return new DisruptionBudget({ minAvailable: count });
  }

  /** No PodDisruptionBudget. */
  public static none(): DisruptionBudget {
    return new DisruptionBudget({});
  }

  private constructor(
    /** The PDB spec fields. */
    public readonly spec: { readonly maxUnavailable?: number | string; readonly minAvailable?: number | string },
  ) {}
}
