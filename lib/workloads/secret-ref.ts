/** Options of a secret kept in AWS Secrets Manager and synchronised into the cluster at run time. */
export interface ExternalSecretOptions {
  /** Name or ARN of the secret in AWS Secrets Manager (the value itself never enters the code). */
  readonly remoteName: string;
  /**
   * JSON property of the secret to read.
   * @default - the whole secret string
   */
  readonly property?: string;
  /**
   * Name of the External Secrets Operator ClusterSecretStore that reaches Secrets Manager.
   * @default - the store of the cluster's traits (`aws-secrets-manager` on the EKS platform)
   */
  readonly store?: string;
}

/**
 * A reference to a secret value: the value never appears in code, templates or manifests. There is no way
 * to pass a literal secret value.
 */
export class SecretRef {
  /** A key of a Kubernetes Secret that already exists in the namespace. */
  public static fromSecret(secretName: string, key: string): SecretRef {
    return new SecretRef({ kind: 'secret', secretName, key });
  }

  /**
   * A value in AWS Secrets Manager, copied into a Kubernetes Secret by the External Secrets Operator
   * (an `ExternalSecret` object is generated next to the workload).
   */
  public static fromAwsSecretsManager(options: ExternalSecretOptions): SecretRef {
    return new SecretRef({ kind: 'external', ...options });
  }

  private constructor(
    /** Where the value comes from. */
    public readonly source:
    | { readonly kind: 'secret'; readonly secretName: string; readonly key: string }
    | ({ readonly kind: 'external' } & ExternalSecretOptions),
  ) {}
}
