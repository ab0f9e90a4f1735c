import { Size } from 'cdk8s';
import { Cpu } from './cpu';

/** What the Vertical Pod Autoscaler does with its recommendations. A string enum; the value is the VPA `updateMode`. */
export enum RightSizingMode {
  /** Recommendations only (in the VPA's status); pods are never changed (the default). */
  OFF = 'Off',
  /** Requests are set when a pod is created; running pods are left alone. */
  INITIAL = 'Initial',
  /** Pods whose requests are far from the recommendation are evicted and recreated with it. */
  RECREATE = 'Recreate',
  /**
   * Running pods are resized in place (no restart) and evicted only when the resize cannot be done, e.g. the
   * node lacks room. GA in the pinned VPA (1.6.0 and later; `VPA_CHART`); needs Kubernetes 1.33 or later
   * (in-place pod resize on by default): on an older cluster every update is an eviction, as RECREATE.
   */
  IN_PLACE_OR_RECREATE = 'InPlaceOrRecreate',
  /** The VPA's automatic mode: as RECREATE (deprecated by the VPA since 1.5.0: say RECREATE or IN_PLACE_OR_RECREATE). */
  AUTO = 'Auto',
}

/** A resource the Vertical Pod Autoscaler may set. A string enum; the value is the resource name. */
export enum RightSizedResource {
  /** CPU requests. */
  CPU = 'cpu',
  /** Memory requests (and limits, in proportion). */
  MEMORY = 'memory',
}

/**
 * Right-sizing of a workload's containers by the Vertical Pod Autoscaler (a `VerticalPodAutoscaler`,
 * autoscaling.k8s.io/v1). The object does nothing unless the VPA runs on the cluster (`VerticalPodAutoscalerAddOn`,
 * which sets `traits.verticalPodAutoscaler`); without it a synth warning says so.
 */
export interface RightSizingOptions {
  /**
   * What the VPA does with its recommendations.
   * @default RightSizingMode.OFF (recommendations only)
   */
  readonly mode?: RightSizingMode;
  /**
   * Resources the VPA sets. While `autoscaling` (an HPA) scales on a resource's utilisation, the VPA may not set
   * that resource (outside mode OFF): both would chase each other.
   * @default [RightSizedResource.CPU, RightSizedResource.MEMORY]
   */
  readonly controlledResources?: RightSizedResource[];
  /**
   * Smallest CPU request the VPA sets.
   * @default - no bound
   */
  readonly minCpu?: Cpu;
  /**
   * Largest CPU request the VPA sets.
   * @default - no bound
   */
  readonly maxCpu?: Cpu;
  /**
   * Smallest memory request the VPA sets.
   * @default - no bound
   */
  readonly minMemory?: Size;
  /**
   * Largest memory request the VPA sets.
   * @default - no bound
   */
  readonly maxMemory?: Size;
}
