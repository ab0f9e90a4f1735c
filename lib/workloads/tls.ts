import { IngressTls } from './web-service';

/** Where the certificate of an Ingress comes from (see {@link Tls}). A string enum of short names. */
export enum TlsSource {
  /** ACM certificates served by the ALB (AWS Load Balancer Controller only). */
  ACM = 'acm',
  /** A Let's Encrypt certificate that cert-manager requests and renews into a Secret. */
  LETS_ENCRYPT = 'lets-encrypt',
  /** A Kubernetes TLS Secret you create (bring your own certificate). */
  SECRET = 'secret',
}

/** Options of {@link Tls.letsEncrypt}. */
export interface LetsEncryptTlsOptions {
  /**
   * The cert-manager ClusterIssuer that signs the certificate (`CertManager` creates `letsencrypt-production`
   * and `letsencrypt-staging`).
   * @default - the cluster's first issuer (`traits.certificateIssuers[0]`)
   */
  readonly issuer?: string;
  /**
   * The Secret cert-manager writes the certificate and key to.
   * @default - `<workload name>-tls`
   */
  readonly secretName?: string;
  /**
   * Redirect plain HTTP requests to HTTPS (Traefik: a redirectScheme Middleware; ingress-nginx: `ssl-redirect`).
   * @default true
   */
  readonly httpsRedirect?: boolean;
}

/** Options of {@link Tls.secret}. */
export interface SecretTlsOptions {
  /**
   * Redirect plain HTTP requests to HTTPS (Traefik: a redirectScheme Middleware; ingress-nginx: `ssl-redirect`).
   * @default true
   */
  readonly httpsRedirect?: boolean;
}

const TLS = Symbol.for('cdk-k8s-platform.Tls');

/**
 * TLS termination of a web service's Ingress, as a typed choice: `ingress: { hosts, tls: Tls.letsEncrypt() }`.
 *
 * | choice | ALB (EKS) | Traefik (k3s) | ingress-nginx | Gateway API |
 * | --- | --- | --- | --- | --- |
 * | `Tls.acm(arn)` | listen-ports 80/443, certificate-arn, ssl-redirect | refused | refused | refused |
 * | `Tls.letsEncrypt()` | refused (an ALB serves ACM certificates only) | Certificate + Secret, redirect Middleware | Certificate + Secret, `ssl-redirect` | refused (TLS is on the Gateway) |
 * | `Tls.secret(name)` | refused | your Secret, redirect Middleware | your Secret, `ssl-redirect` | refused |
 *
 * A plain `{ secretName, certificateArns }` object (the earlier form of `tls`) still works and emits what it
 * always did (no HTTPS redirect on Traefik).
 */
export class Tls implements IngressTls {
  /** True if `x` is a Tls of any copy of this library (`instanceof` holds for this copy's only). */
  public static isTls(x: unknown): x is Tls {
    return typeof x === 'object' && x !== null && (x as { [TLS]?: unknown })[TLS] === true;
  }

  /**
   * ACM certificates served by the ALB (EKS with the AWS Load Balancer Controller only): the ALB listens on 80
   * and 443, redirects HTTP to HTTPS, and uses TLS 1.2/1.3 only.
   * @param certificateArn the ACM certificate (`arn:aws:acm:<region>:<account>:certificate/<id>`)
   * @param more further certificates (SNI) for other hosts of the same Ingress
   */
  public static acm(certificateArn: string, ...more: string[]): Tls {
    return new Tls(TlsSource.ACM, { certificateArns: [certificateArn, ...more], httpsRedirect: true });
  }

  /**
   * A Let's Encrypt certificate for the Ingress hosts, requested and renewed by cert-manager through a
   * ClusterIssuer (install the `CertManager` add-on with `letsEncrypt`). The workload gets a `Certificate`
   * object; cert-manager writes the Secret the Ingress names.
   */
  public static letsEncrypt(options: LetsEncryptTlsOptions = {}): Tls {
    return new Tls(TlsSource.LETS_ENCRYPT, {
      issuer: options.issuer,
      secretName: options.secretName,
      httpsRedirect: options.httpsRedirect ?? true,
    });
  }

  /** A Kubernetes TLS Secret you create and renew (`kubernetes.io/tls`, in the workload's namespace). */
  public static secret(secretName: string, options: SecretTlsOptions = {}): Tls {
    return new Tls(TlsSource.SECRET, { secretName, httpsRedirect: options.httpsRedirect ?? true });
  }

  /** Where the certificate comes from. */
  public readonly source: TlsSource;
  /** The Secret holding the certificate (Let's Encrypt: undefined until the workload's default applies). */
  public readonly secretName?: string;
  /** The ACM certificates (ACM only). */
  public readonly certificateArns?: string[];
  /** The ClusterIssuer (Let's Encrypt only; undefined: the cluster's default). */
  public readonly issuer?: string;
  /** Plain HTTP is redirected to HTTPS. */
  public readonly httpsRedirect: boolean;

  private constructor(source: TlsSource, fields: Omit<Tls, 'source' | 'withSecretName'>) {
    Object.defineProperty(this, TLS, { value: true });
    this.source = source;
    this.secretName = fields.secretName;
    this.certificateArns = fields.certificateArns && [...fields.certificateArns];
    this.issuer = fields.issuer;
    this.httpsRedirect = fields.httpsRedirect;
  }

  /** The same choice with `secretName` set when it has none (a workload's default Secret name). */
  public withSecretName(secretName: string): Tls {
    return this.secretName !== undefined ? this : new Tls(this.source, { ...this, secretName });
  }
}
