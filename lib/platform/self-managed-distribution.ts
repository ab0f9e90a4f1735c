import { Construct } from 'constructs';
import { K3sCluster, K3sClusterProps } from '../clusters/k3s';
import { KubeadmCluster, KubeadmClusterProps } from '../clusters/kubeadm';
import { SelfManagedClusterBase, SelfManagedClusterProps } from '../clusters/self-managed';

/** Options of the k3s distribution. */
export type K3sDistributionOptions = Omit<K3sClusterProps, keyof SelfManagedClusterProps>;
/** Options of the kubeadm distribution. */
export type KubeadmDistributionOptions = Omit<KubeadmClusterProps, keyof SelfManagedClusterProps>;

/** Which Kubernetes distribution a self-managed platform runs. */
export class SelfManagedDistribution {
  /** k3s (default): packaged Traefik, ServiceLB, local-path, metrics-server; etcd snapshots to S3. */
  public static k3s(options: K3sDistributionOptions = {}): SelfManagedDistribution {
    return new SelfManagedDistribution('k3s', (scope, id, props) => new K3sCluster(scope, id, { ...props, ...options }));
  }

  /** kubeadm: upstream Kubernetes with flannel, local-path, metrics-server and Traefik. */
  public static kubeadm(options: KubeadmDistributionOptions = {}): SelfManagedDistribution {
    return new SelfManagedDistribution('kubeadm', (scope, id, props) => new KubeadmCluster(scope, id, { ...props, ...options }));
  }

  private constructor(
    /** k3s or kubeadm. */
    public readonly name: string,
    private readonly factory: (scope: Construct, id: string, props: SelfManagedClusterProps) => SelfManagedClusterBase,
  ) {}

  /** Creates the cluster. @internal */
  public _create(scope: Construct, id: string, props: SelfManagedClusterProps): SelfManagedClusterBase {
    return this.factory(scope, id, props);
  }
}
