import { Construct } from 'constructs';
import { IWorkloadSelector } from './network-access';
import { PlatformChart } from './platform-chart';
import { freeId } from './private/construct-id';
import { ImageRef, parseImage } from './private/image';
import { standardLabels, StandardLabels } from './private/labels';
import { k8s } from './private/plus';
import { buildPodTemplate, checkUserLabels, ContainerPortSpec, PodTemplateOutput, SharedPodObjects } from './private/pod-template';
import { PropValidator } from './private/validate';
import { ProbeOptions } from './probe';
import { ContainerWorkloadProps } from './workload-props';

/**
 * What every workload of this library shares: its name, labels, image and secure pod template.
 */
export abstract class WorkloadBase extends Construct implements IWorkloadSelector {
  /** Name of the workload's objects. */
  public readonly name: string;
  /** Namespace (from the chart), or undefined for the default namespace. */
  public readonly namespace?: string;
  /** Labels selecting the workload's pods (stable across versions). */
  public readonly selectorLabels: Record<string, string>;
  /** All standard labels of the workload's objects. */
  public readonly labels: Record<string, string>;
  /** The parsed image. */
  public readonly image: ImageRef;
  /** @internal */
  protected readonly validator: PropValidator;
  /** @internal */
  protected readonly standard: StandardLabels;
  /** @internal */
  protected readonly workloadProps: ContainerWorkloadProps;

  protected constructor(scope: Construct, id: string, props: ContainerWorkloadProps, kind: string, component: string) {
    super(scope, freeId(scope, id, kind));
    const v = new PropValidator(this, kind);
    this.validator = v;
    if (!props || typeof props !== 'object') v.fail('props', props, 'are required.');
    const chart = PlatformChart.of(this);
    this.name = v.dnsLabel('name', props.name ?? id);
    this.namespace = chart.namespace;
    this.image = parseImage(v, 'image', props.image);
    checkUserLabels(v, props.labels);
    this.workloadProps = props;
    this.standard = standardLabels({
      name: this.name,
      instance: this.name,
      version: this.image.version,
      component: v.labelValue('component', props.component ?? component),
      partOf: chart.partOf,
    });
    this.selectorLabels = this.standard.selector;
    this.labels = { ...props.labels, ...this.standard.all };
  }

  /** Object metadata with the workload's name and labels. @internal */
  protected metadata(annotations?: Record<string, string>, nameSuffix = ''): k8s.ObjectMeta {
    return { name: `${this.name}${nameSuffix}`, labels: this.labels, annotations };
  }

  /** The secure pod template of this workload. @internal */
  protected buildPod(opts: {
    ports?: ContainerPortSpec[];
    probes?: ProbeOptions;
    healthCheckPath?: string;
    extraMounts?: Array<{ name: string; mountPath: string }>;
    restartPolicy?: string;
    image?: ImageRef;
    labels?: StandardLabels;
    shared?: SharedPodObjects;
    idPrefix?: string;
    spread?: boolean;
  }): PodTemplateOutput {
    return buildPodTemplate({
      scope: this,
      v: this.validator,
      props: this.workloadProps,
      name: this.name,
      image: opts.image ?? this.image,
      labels: opts.labels ?? this.standard,
      ports: opts.ports,
      probes: opts.probes,
      healthCheckPath: opts.healthCheckPath,
      extraMounts: opts.extraMounts,
      restartPolicy: opts.restartPolicy,
      shared: opts.shared,
      idPrefix: opts.idPrefix,
      spread: opts.spread,
    });
  }
}
