import { Construct } from 'constructs';
import { ProbeOptions } from '../../probe';
import { ContainerWorkloadProps } from '../../workload-props';
import { ImageRef } from '../image';
import { StandardLabels } from '../labels';
import { k8s } from '../plus';
import { PropValidator } from '../validate';

/** A container port of a workload. */
export interface ContainerPortSpec {
  readonly name: string;
  readonly containerPort: number;
  readonly protocol: string;
}

/** Input of `buildPodTemplate`. */
export interface PodTemplateInput {
  /** Where extra objects (ConfigMap, ExternalSecret) are created; also the path in errors. */
  readonly scope: Construct;
  readonly v: PropValidator;
  readonly props: ContainerWorkloadProps;
  readonly name: string;
  readonly image: ImageRef;
  readonly labels: StandardLabels;
  readonly ports?: ContainerPortSpec[];
  readonly probes?: ProbeOptions;
  /** HTTP path for default probes. */
  readonly healthCheckPath?: string;
  /** Extra mounts (e.g. StatefulSet volume claims), name → path. */
  readonly extraMounts?: Array<{ name: string; mountPath: string }>;
  /** Pod restart policy (jobs: OnFailure / Never). */
  readonly restartPolicy?: string;
  /** Id prefix of the extra objects (when several templates share a scope). */
  readonly idPrefix?: string;
  /** Share extra objects built by a previous call (release strategies: one ConfigMap for both versions). */
  readonly shared?: SharedPodObjects;
  /**
   * Spread pods over zones and nodes (when `props.topologySpread` allows).
   * @default true (false for DaemonSets: one pod per node anyway)
   */
  readonly spread?: boolean;
}

/** Objects a pod template refers to, shared between the versions of one workload. */
export interface SharedPodObjects {
  readonly configMapName?: string;
  readonly configChecksum?: string;
  readonly externalSecretName?: string;
  /** The objects of the init containers and sidecars, by container name. */
  readonly containers?: Readonly<Record<string, SharedPodObjects>>;
}

/** Output of `buildPodTemplate`. */
export interface PodTemplateOutput {
  readonly template: k8s.PodTemplateSpec;
  readonly shared: SharedPodObjects;
  /** Names of Secrets the pods read (existing ones, by reference). */
  readonly secretNames: string[];
}

/** Volumes of the pod and the container's mounts of them, in order. */
export interface PodVolumes {
  readonly volumes: k8s.Volume[];
  readonly mounts: k8s.VolumeMount[];
}

/** Variable names that look like secrets. */
export const SECRET_LIKE = /(PASSWORD|PASSWD|PASSPHRASE|(^|_)PASS($|_)|(^|_)PWD($|_)|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)/i;
