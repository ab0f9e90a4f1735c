/** The labels every object delivered by `HelmChartDelivery` or `ManifestFileAsset` carries. */
export class DeliveryLabels {
  /** Who manages the object: `app.kubernetes.io/managed-by`. */
  public static readonly MANAGED_BY = 'app.kubernetes.io/managed-by';
  /** Value of {@link DeliveryLabels.MANAGED_BY}. */
  public static readonly MANAGED_BY_VALUE = 'cdk-k8s-platform';
  /** The delivery the object belongs to (Helm release name, or `ManifestFileAsset` delivery id). */
  public static readonly DELIVERY = 'platform.cdk-k8s.io/delivery';

  private constructor() {}
}
