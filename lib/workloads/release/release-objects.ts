import { ApiObject } from 'cdk8s';
import { IWorkloadSelector } from '../network-access';
import { k8s } from '../private/plus';

/**
 * The objects of one version of a release: a blue-green colour or a candidate (canary, A/B, shadow). It is an
 * {@link IWorkloadSelector}, so other workloads can admit its pods as callers (`Callers.only(web, web.releaseObjects.candidate!)`).
 */
export interface ReleaseTrack extends IWorkloadSelector {
  /** Name of its objects, e.g. `web-canary` or `web-blue`. */
  readonly name: string;
  /** Track (`canary`, `b`, `shadow`) or colour (`blue`, `green`). */
  readonly track: string;
  /** The image it runs. */
  readonly image: string;
  /** The Deployment (L1 escape hatch). */
  readonly deployment: k8s.KubeDeployment;
  /** Its own Service (candidates; colours are reached through the web service's and the preview Service). */
  readonly service?: k8s.KubeService;
  /** Its HorizontalPodAutoscaler, when the web service autoscales. */
  readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  /** Its PodDisruptionBudget, unless the web service has none. */
  readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** Its NetworkPolicy (candidates: their pods are a different instance than the web service's). */
  readonly networkPolicy?: k8s.KubeNetworkPolicy;
}

/** What a release strategy added to a web service. */
export interface ReleaseObjects {
  /** The candidate of a canary, A/B or shadow release. */
  readonly candidate?: ReleaseTrack;
  /** The blue Deployment of a blue-green release. */
  readonly blue?: ReleaseTrack;
  /** The green Deployment of a blue-green release (when greenImage is set). */
  readonly green?: ReleaseTrack;
  /** `<name>-preview`, selecting the idle colour of a blue-green release (when it exists). */
  readonly previewService?: k8s.KubeService;
  /**
   * Routing objects besides the web service's Ingress: the preview Ingress/HTTPRoute, the canary Ingress
   * (ingress-nginx), TraefikServices and the IngressRoute (Traefik), the HTTPRoute (Gateway API).
   */
  readonly routing: ApiObject[];
}
