import { createHash } from 'crypto';
import { WorkloadConfig } from '../../workload-props';
import { k8s } from '../plus';
import { PropValidator } from '../validate';
import { PodTemplateInput, PodVolumes, SECRET_LIKE } from './types';

/** Output of {@link buildConfig}. */
export interface ConfigOutput extends PodVolumes {
  readonly env: k8s.EnvVar[];
  readonly configMapName?: string;
  readonly configChecksum?: string;
}

function sha256(data: unknown): string {
  return createHash('sha256').update(JSON.stringify(data)).digest('hex');
}

/**
 * `config`: one ConfigMap (created in the scope unless shared) read as variables (one per key) and as files
 * mounted read-only. `names` holds the variables already set.
 */
export function buildConfig(input: PodTemplateInput, names: ReadonlySet<string>): ConfigOutput {
  const { v, props, name } = input;
  const config = props.config;
  const out = { env: [], volumes: [], mounts: [], configMapName: input.shared?.configMapName, configChecksum: input.shared?.configChecksum };
  if (!config || !(config.env || config.files)) return out;
  checkConfig(v, config, names);
  const shared = out.configMapName ? { configMapName: out.configMapName, configChecksum: out.configChecksum } : buildConfigMap(input, config);
  const configMapName = shared.configMapName;
  // One variable per key (not envFrom): envFrom would also turn every config file into a variable.
  const env: k8s.EnvVar[] = Object.keys(config.env ?? {}).map(key => ({ name: key, valueFrom: { configMapKeyRef: { name: configMapName, key } } }));
  if (!config.files || !Object.keys(config.files).length) return { ...shared, env, volumes: [], mounts: [] };
  const mountPath = v.absolutePath('config.mountPath', config.mountPath ?? `/etc/${name}`);
  return {
    ...shared,
    env,
    volumes: [{ name: 'config', configMap: { name: configMapName, items: Object.keys(config.files).map(k => ({ key: k, path: k })) } }],
    mounts: [{ name: 'config', mountPath, readOnly: true }],
  };
}

function checkConfig(v: PropValidator, config: WorkloadConfig, names: ReadonlySet<string>): void {
  for (const key of Object.keys(config.env ?? {})) {
    v.envName(`config.env.${key}`, key);
    if (SECRET_LIKE.test(key)) v.fail(`config.env.${key}`, '(value hidden)', 'looks like a secret: ConfigMaps are not secret. Use secretEnv with a SecretRef.');
    v.check(!names.has(key), `config.env.${key}`, key, 'is also set in env or secretEnv: each variable may be set once.');
  }
  for (const file of Object.keys(config.files ?? {})) {
    v.check(/^[-._a-zA-Z0-9]+$/.test(file) && file !== '.' && file !== '..', `config.files.${file}`, file, 'must be a file name of letters, digits, "-", "_" and "." (no directories).');
  }
  v.check(!(config.env && config.files && Object.keys(config.env).some(k => k in config.files!)), 'config', Object.keys(config.env ?? {}), 'env keys and file names must differ (they share one ConfigMap).');
}

function buildConfigMap(input: PodTemplateInput, config: WorkloadConfig): { configMapName: string; configChecksum: string } {
  const data = { ...config.env, ...config.files };
  const configMapName = `${input.name}-config`;
  new k8s.KubeConfigMap(input.scope, `${input.idPrefix ?? ''}ConfigMap`, {
    metadata: { name: configMapName, labels: { ...input.labels.all, ...input.props.labels } },
    data,
  });
  return { configMapName, configChecksum: sha256(data) };
}
