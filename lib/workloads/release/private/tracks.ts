import { Construct } from 'constructs';
import { COLOUR_LABEL, TRACK_LABEL } from './plan';
import { AutoscalingOptions } from '../../autoscaling';
import { ContainerResources } from '../../container-resources';
import { DisruptionBudget } from '../../disruption-budget';
import { PlatformChart } from '../../platform-chart';
import { ImageRef } from '../../private/image';
import { StandardLabels, standardLabels } from '../../private/labels';
import { buildNetworkPolicy, NetworkPolicyInput } from '../../private/network-policy';
import { k8s } from '../../private/plus';
import { imageString, PodTemplateOutput, SharedPodObjects } from '../../private/pod-template';
import { autoscalingBounds, buildHpa, buildPdb } from '../../private/scaling';
import { PropValidator } from '../../private/validate';
import { IngressFlavour } from '../../traits/ingress-flavour';
import { ReleaseTrack } from '../release-objects';

/** What every track (candidate or colour) of a web service shares. */
export interface TrackContext {
  readonly scope: Construct;
  readonly v: PropValidator;
  readonly chart: PlatformChart;
  readonly name: string;
  readonly namespace?: string;
  /** The web service's standard labels. */
  readonly standard: StandardLabels;
  /** The user's extra labels. */
  readonly userLabels?: Record<string, string>;
  readonly ports: ReadonlyArray<{ name: string; port: number; protocol: string }>;
  /** Autoscaling of the stable version (undefined: fixed replicas). */
  readonly autoscaling?: AutoscalingOptions;
  readonly replicas?: number;
  readonly resources?: ContainerResources;
  readonly disruptionBudget?: DisruptionBudget;
  readonly deploymentStrategy: k8s.DeploymentStrategy;
  /** Builds the secure pod template for an image and labels. */
  readonly buildPod: (image: ImageRef, labels: StandardLabels, idPrefix: string, shared?: SharedPodObjects) => PodTemplateOutput;
  /** NetworkPolicy input of the web service, without metadata and selector. */
  readonly networkPolicy: Omit<NetworkPolicyInput, 'metadata' | 'selector'>;
}

/** How a track differs from the stable version. */
export interface TrackSpec {
  /** Construct id (Canary, Blue, Green). */
  readonly id: string;
  /** Object names: `<name>-<suffix>`. */
  readonly suffix: string;
  readonly image: ImageRef;
  /** Pod label that sets the track apart (track or colour). */
  readonly label: { readonly key: string; readonly value: string };
  /** `app.kubernetes.io/instance` of the pods. */
  readonly instance: string;
  /** Percentage of the stable version's load the track is sized for (100: same scaling as stable). */
  readonly share: number;
  /** Whether the track gets its own Service. */
  readonly service: boolean;
  /** Whether the track gets its own NetworkPolicy (its pods are outside the web service's policy). */
  readonly networkPolicy: boolean;
  /** Shared pod objects (ConfigMap, ExternalSecret) made by an earlier template. */
  readonly shared?: SharedPodObjects;
}

/** Labels of a track: the web service's, with its own instance, version and distinguishing label. */
export function trackLabels(ctx: TrackContext, spec: Pick<TrackSpec, 'image' | 'label' | 'instance'>): StandardLabels {
  const base = standardLabels({
    name: ctx.name,
    instance: spec.instance,
    version: spec.image.version,
    component: ctx.standard.all['app.kubernetes.io/component'],
    partOf: ctx.standard.all['app.kubernetes.io/part-of'],
  });
  return {
    selector: { ...base.selector, [spec.label.key]: spec.label.value },
    all: { ...base.all, [spec.label.key]: spec.label.value },
  };
}

/** Type of a Service that only the ingress controller and in-cluster callers reach. */
export function internalServiceType(chart: PlatformChart): string {
  const t = chart.traits;
  // the ALB in target type instance sends traffic to node ports
  return t.ingressFlavour === IngressFlavour.ALB && !t.albTargetTypeIp ? 'NodePort' : 'ClusterIP';
}

/** A Service for `selector` with the web service's ports. */
export function buildTrackService(scope: Construct, id: string, ctx: TrackContext, name: string, labels: Record<string, string>,
  selector: Record<string, string>): k8s.KubeService {
  return new k8s.KubeService(scope, id, {
    metadata: { name, labels },
    spec: {
      type: internalServiceType(ctx.chart),
      selector,
      ports: ctx.ports.map(p => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: p.protocol })),
    },
  });
}

/**
 * A Deployment with its Service, HorizontalPodAutoscaler, PodDisruptionBudget and NetworkPolicy for one track
 * of a release. A track sized below 100% gets an autoscaler from 1 to the stable maximum times the share
 * (at least 1), or that share of the fixed replica count, and a budget of one unavailable pod.
 */
export function buildTrack(ctx: TrackContext, spec: TrackSpec): ReleaseTrack {
  const scope = new Construct(ctx.scope, spec.id);
  const name = `${ctx.name}-${spec.suffix}`;
  const labels = trackLabels(ctx, spec);
  const metaLabels = { ...ctx.userLabels, ...labels.all };
  const metadata: k8s.ObjectMeta = { name, labels: metaLabels };
  const pod = ctx.buildPod(spec.image, labels, spec.id, spec.shared);
  const full = spec.share >= 100;

  let replicas: number | undefined;
  let autoscaling: AutoscalingOptions | undefined;
  if (ctx.autoscaling) {
    const max = autoscalingBounds(ctx.autoscaling).max;
    autoscaling = full ? ctx.autoscaling : { ...ctx.autoscaling, minReplicas: 1, maxReplicas: Math.max(1, Math.ceil(max * spec.share / 100)) };
  } else {
    const n = ctx.replicas ?? 0;
    replicas = full || n === 0 ? n : Math.max(1, Math.ceil(n * spec.share / 100));
  }

  const deployment = new k8s.KubeDeployment(scope, 'Deployment', {
    metadata,
    spec: {
      replicas,
      selector: { matchLabels: labels.selector },
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: 600,
      strategy: ctx.deploymentStrategy,
      template: pod.template,
    },
  });
  const service = spec.service ? buildTrackService(scope, 'Service', ctx, name, metaLabels, labels.selector) : undefined;
  const autoscaler = autoscaling
    ? buildHpa(scope, ctx.v, name, metadata, { kind: 'Deployment', name }, autoscaling, ctx.resources)
    : undefined;
  const userBudget = ctx.disruptionBudget ?? DisruptionBudget.maxUnavailable(1);
  const noBudget = userBudget.spec.maxUnavailable === undefined && userBudget.spec.minAvailable === undefined;
  const budget = full || noBudget ? userBudget : DisruptionBudget.maxUnavailable(1);
  const disruptionBudget = buildPdb(scope, ctx.v, metadata, labels.selector, budget,
    autoscaling ? autoscalingBounds(autoscaling).min : replicas);
  const networkPolicy = spec.networkPolicy
    ? buildNetworkPolicy(scope, ctx.v, ctx.chart, { ...ctx.networkPolicy, metadata, selector: labels.selector })
    : undefined;
  return {
    name,
    track: spec.label.value,
    image: imageString(spec.image),
    selectorLabels: labels.selector,
    namespace: ctx.namespace,
    deployment,
    service,
    autoscaler,
    disruptionBudget,
    networkPolicy,
  };
}

/** The candidate track of a canary, A/B or shadow release. */
export function candidateTrack(track: string, image: ImageRef, share: number, name: string, shared: SharedPodObjects): TrackSpec {
  return {
    id: track === 'b' ? 'CandidateB' : track.charAt(0).toUpperCase() + track.slice(1),
    suffix: track,
    image,
    label: { key: TRACK_LABEL, value: track },
    instance: `${name}-${track}`,
    share,
    service: true,
    networkPolicy: true,
    shared,
  };
}

/** A colour track of a blue-green release: same instance as the web service, told apart by the colour label. */
export function colourTrack(colour: string, image: ImageRef, name: string, shared: SharedPodObjects | undefined): TrackSpec {
  return {
    id: colour === 'blue' ? 'Blue' : 'Green',
    suffix: colour,
    image,
    label: { key: COLOUR_LABEL, value: colour },
    instance: name,
    share: 100,
    service: false,
    networkPolicy: false,
    shared,
  };
}
