import { Duration } from 'cdk8s';
import { ContainerResources } from './container-resources';
import { SecretRef } from './secret-ref';

/** Configuration kept in a ConfigMap; pods roll when it changes (checksum annotation). */
export interface WorkloadConfig {
  /**
   * Non-secret environment variables, kept in the ConfigMap (each read with `configMapKeyRef`).
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Files, name → content, mounted read-only at `mountPath`.
   * @default - none
   */
  readonly files?: Record<string, string>;
  /**
   * Where `files` are mounted.
   * @default '/etc/<workload name>'
   */
  readonly mountPath?: string;
}

/** A Secret (by reference) mounted as files. */
export interface SecretFiles {
  /** Name of an existing Secret in the namespace. */
  readonly secretName: string;
  /** Absolute mount path. */
  readonly mountPath: string;
}

/** The container and pod settings every workload of this library shares. */
export interface ContainerWorkloadProps {
  /**
   * Name of the workload and its objects (a DNS-1123 label; Services need a DNS-1035 label).
   * @default - the construct id
   */
  readonly name?: string;
  /** Container image with a pinned tag or digest (`latest` and untagged images are refused). */
  readonly image: string;
  /**
   * Entrypoint override.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - the image's command
   */
  readonly args?: string[];
  /**
   * Plain, non-secret environment variables. Variables that look like secrets (names such as PASSWORD,
   * PASS, TOKEN, SECRET, API_KEY, or a URL with a password in it) are refused: use `secretEnv`.
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables from secrets, by reference only.
   * @default - none
   */
  readonly secretEnv?: Record<string, SecretRef>;
  /**
   * Existing Secrets mounted as files.
   * @default - none
   */
  readonly secretFiles?: SecretFiles[];
  /**
   * Configuration in a ConfigMap, as env and/or files.
   * @default - no ConfigMap
   */
  readonly config?: WorkloadConfig;
  /**
   * Requests and limits.
   * @default - see ContainerResources: 100m CPU and 128Mi memory requested, 256Mi memory limit
   */
  readonly resources?: ContainerResources;
  /**
   * Writable directories (emptyDir volumes); the root filesystem is read-only.
   * @default ['/tmp']
   */
  readonly writablePaths?: string[];
  /**
   * Keep the root filesystem read-only.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * User id the container runs as (never 0).
   * @default 10001
   */
  readonly runAsUser?: number;
  /**
   * Group id the container runs as; also the fsGroup of volumes.
   * @default 10001
   */
  readonly runAsGroup?: number;
  /**
   * Service account of the pods.
   * @default - the namespace's default service account, without a token mounted
   */
  readonly serviceAccountName?: string;
  /**
   * Mount the service account token (only for pods that call the Kubernetes API).
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * The `app.kubernetes.io/component` label.
   * @default 'server' for services, 'worker', 'job' or 'database' for the others
   */
  readonly component?: string;
  /**
   * Extra labels on all objects (never used in selectors).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Extra annotations on the pods.
   * @default - none
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Node labels the pods must run on.
   * @default - any node
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Spread pods across zones and nodes (soft: pods still schedule when impossible).
   * @default true
   */
  readonly topologySpread?: boolean;
  /**
   * Time the process gets to stop after SIGTERM.
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;
}

// The `metrics` prop of WebService, StatefulService and Worker (lib/workloads/metrics.ts).
export * from './metrics';
