import { ApiObject } from 'cdk8s';
import { PlatformChart } from '../../platform-chart';
import { ExternalSecretOptions, SecretRef } from '../../secret-ref';
import { k8s } from '../plus';
import { PropValidator } from '../validate';
import { PodTemplateInput } from './types';

type SecretSource = SecretRef['source'];
type ExternalSource = Extract<SecretSource, { kind: 'external' }>;

/** A variable read from AWS Secrets Manager through the External Secrets Operator. */
interface ExternalEnv {
  readonly envName: string;
  readonly remoteName: string;
  readonly property?: string;
  readonly store: string;
}

/** Output of {@link buildSecretEnv}. */
export interface SecretEnvOutput {
  readonly env: k8s.EnvVar[];
  /** Names of existing Secrets the variables read. */
  readonly secretNames: string[];
  readonly externalSecretName?: string;
}

/**
 * `secretEnv` variables: Secret key references, plus one ExternalSecret (created in the scope unless shared)
 * for the Secrets Manager ones. Adds each name to `names`.
 */
export function buildSecretEnv(input: PodTemplateInput, names: Set<string>): SecretEnvOutput {
  const { v } = input;
  const env: k8s.EnvVar[] = [];
  const secretNames: string[] = [];
  const externals: ExternalEnv[] = [];
  for (const [key, ref] of Object.entries(input.props.secretEnv ?? {})) {
    const src = secretSource(v, key, ref, names);
    if (src.kind === 'secret') {
      v.dnsSubdomain(`secretEnv.${key}.secretName`, src.secretName);
      v.check(typeof src.key === 'string' && /^[-._a-zA-Z0-9]+$/.test(src.key), `secretEnv.${key}.key`, src.key, 'must be a Secret key: letters, digits, "-", "_" and ".".');
      secretNames.push(src.secretName);
      env.push({ name: key, valueFrom: { secretKeyRef: { name: src.secretName, key: src.key } } });
    } else {
      externals.push(externalEnv(input, key, src));
    }
  }
  const externalSecretName = buildExternalSecret(input, externals);
  for (const e of externals) {
    env.push({ name: e.envName, valueFrom: { secretKeyRef: { name: externalSecretName!, key: e.envName } } });
  }
  return { env, secretNames, externalSecretName };
}

/** Checks the variable name and that the value is a SecretRef. */
function secretSource(v: PropValidator, key: string, ref: SecretRef | undefined, names: Set<string>): SecretSource {
  v.envName(`secretEnv.${key}`, key);
  v.check(!names.has(key), `secretEnv.${key}`, key, 'is also set in env: each variable may be set once.');
  names.add(key);
  const src = ref?.source;
  if (!src) v.fail(`secretEnv.${key}`, ref, 'must be a SecretRef (SecretRef.fromSecret or SecretRef.fromAwsSecretsManager); literal values are not accepted.');
  return src;
}

/** Checks a Secrets Manager reference against the cluster's store. */
function externalEnv(input: PodTemplateInput, key: string, src: ExternalSource & ExternalSecretOptions): ExternalEnv {
  const { v } = input;
  v.check(typeof src.remoteName === 'string' && src.remoteName.length > 0 && src.remoteName.length <= 2048, `secretEnv.${key}.remoteName`, src.remoteName, 'must be the name or ARN of a Secrets Manager secret.');
  const clusterStore = PlatformChart.of(input.scope).traits.externalSecretStore
    ?? v.fail(`secretEnv.${key}`, `SecretRef.fromAwsSecretsManager(${src.remoteName})`,
      'needs the External Secrets Operator, which this cluster\'s traits do not offer (it is installed on the EKS platform). '
      + 'Use SecretRef.fromSecret() with a Secret you create, or give the traits an externalSecretStore.');
  const prefix = clusterStore.secretNamePrefix;
  if (prefix) {
    const secretName = src.remoteName.startsWith('arn:') ? src.remoteName.replace(/^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:/, '') : src.remoteName;
    v.check(secretName.startsWith(prefix), `secretEnv.${key}.remoteName`, src.remoteName,
      `is outside the secrets the cluster's store may read: name it "${prefix}..." (the operator's IAM role is scoped to that prefix).`);
  }
  const store = src.store ?? clusterStore.name;
  v.dnsSubdomain(`secretEnv.${key}.store`, store);
  return { envName: key, remoteName: src.remoteName, property: src.property, store };
}

/** The ExternalSecret of the Secrets Manager variables; its name (the shared one when given). */
function buildExternalSecret(input: PodTemplateInput, externals: ExternalEnv[]): string | undefined {
  const shared = input.shared?.externalSecretName;
  if (externals.length === 0 || shared) return shared;
  const { v, name, props } = input;
  const stores = new Set(externals.map(e => e.store));
  v.check(stores.size === 1, 'secretEnv', [...stores], 'all SecretRef.fromAwsSecretsManager references of one workload must use the same store.');
  const externalSecretName = `${name}-external`;
  new ApiObject(input.scope, `${input.idPrefix ?? ''}ExternalSecret`, {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: externalSecretName, labels: { ...input.labels.all, ...props.labels } },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: externals[0].store },
      target: { name: externalSecretName, creationPolicy: 'Owner' },
      data: externals.map(e => ({ secretKey: e.envName, remoteRef: { key: e.remoteName, ...(e.property ? { property: e.property } : {}) } })),
    },
  });
  return externalSecretName;
}
