import { ApiObject, JsonPatch, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformChart } from '../../workloads/platform-chart';
import { EBS_CSI_DRIVER } from '../../workloads/private/csi-drivers';
import { checkMember } from '../../workloads/private/fixed-set';
import { reserveVolume } from '../../workloads/private/pre-bound-volumes';
import { PropValidator } from '../../workloads/private/validate';
import { VolumeAccessMode } from '../../workloads/traits/volume-access-mode';

/** Props of a {@link RestoredVolume}. */
export interface RestoredVolumeProps {
  /**
   * The EBS volume that holds the data: made from an AWS Backup recovery point (its snapshot) with
   * `aws ec2 create-volume`, carrying the driver's and the cluster's tags (docs/storage.md, "Restore").
   */
  readonly volumeId: string;
  /** The zone of the volume (e.g. `eu-west-1a`): the pod is scheduled onto a node there. */
  readonly availabilityZone: string;
  /** The volume's size (at least the claim's request). */
  readonly size: Size;
  /** Name of the StatefulService whose claim the volume becomes. */
  readonly statefulService: string;
  /** Name of the service's volume (`StatefulVolume.name`). */
  readonly volume: string;
  /**
   * The pod ordinal whose claim it becomes (`<volume>-<service>-<ordinal>`).
   * @default 0
   */
  readonly ordinal?: number;
  /**
   * Access mode of the claim (the service's volume's `accessMode`): a claim binds only to a volume offering its
   * mode, and ReadWriteOncePod cannot be offered next to another mode.
   * @default VolumeAccessMode.READ_WRITE_ONCE (the default of `StatefulVolume.accessMode`)
   */
  readonly accessMode?: VolumeAccessMode;
  /**
   * StorageClass of the claim (the service's volume's class). Its volumes must be the aws-ebs-csi-driver's
   * (`ebs.csi.aws.com`): a class the traits describe with another provisioner (EKS Auto Mode) is refused.
   * @default 'gp3'
   */
  readonly storageClassName?: string;
  /**
   * File system on the volume.
   * @default 'ext4' (what the gp3 classes format)
   */
  readonly fsType?: string;
}

const EBS_VOLUME = /^vol-[0-9a-f]{8,17}$/;
const ZONE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;

/**
 * Restore on every cluster kind with the EBS CSI driver (k3s and kubeadm through {@link EbsCsiAddOn}): an
 * existing EBS volume becomes the claim of one StatefulService pod. A PersistentVolume (cluster-scoped, kept
 * when released: deleting it never deletes the EBS volume) reserved for the claim `<volume>-<service>-<ordinal>`
 * of the chart's namespace and pinned to the volume's zone; when the StatefulSet creates that claim, it binds
 * to this volume instead of a new one. One per pod, so each replica gets its own data back.
 *
 * Put it in the chart of the StatefulService: every delivery then applies the volume before the StatefulSet,
 * and synthesis checks that the claim binds to it (name, class, access mode, size, ordinal). Deploy it BEFORE
 * deleting the old claim: a volume reserved by claim name waits, Available, for the claim. On k3s and kubeadm the
 * workload sync leaves the volume alone once a claim is bound to it (re-applying it would drop its claimRef's uid
 * and the claim would be Lost) and never deletes a PersistentVolume (docs/storage.md, "Restore"). Needs the aws-ebs-csi-driver (`ebs.csi.aws.com`); refused on a
 * class the traits say another driver serves (EKS Auto Mode).
 */
export class RestoredVolume extends Construct {
  /** Name of the claim the volume is reserved for. */
  public readonly claimName: string;
  /** The PersistentVolume. */
  public readonly persistentVolume: ApiObject;

  constructor(scope: Construct, id: string, props: RestoredVolumeProps) {
    super(scope, id);
    const v = new PropValidator(this, 'RestoredVolume');
    const chart = PlatformChart.of(this);
    const namespace = chart.namespace;
    v.check(typeof props.volumeId === 'string' && EBS_VOLUME.test(props.volumeId), 'volumeId', props.volumeId,
      'must be an EBS volume id such as "vol-0123456789abcdef0" (the volume made from the recovery point\'s snapshot).');
    v.check(typeof props.availabilityZone === 'string' && ZONE.test(props.availabilityZone), 'availabilityZone', props.availabilityZone,
      'must be the volume\'s Availability Zone, such as "eu-west-1a".');
    v.check(namespace !== undefined, 'namespace', namespace, 'must be set on the PlatformChart: the claim the volume is reserved for lives in it.');
    const gib = props.size instanceof Size ? props.size.toMebibytes() / 1024 : NaN;
    v.check(Number.isInteger(gib) && gib >= 1, 'size', props.size === undefined ? undefined : `${gib} GiB`, 'must be the volume\'s size, a whole number of GiB (e.g. Size.gibibytes(10)).');
    const ordinal = v.integer('ordinal', props.ordinal ?? 0, 0, 9999);
    v.dnsLabel('statefulService', props.statefulService);
    v.dnsLabel('volume', props.volume);
    this.claimName = v.dnsSubdomain('volume', `${props.volume}-${props.statefulService}-${ordinal}`);
    const name = v.dnsSubdomain('statefulService', `${namespace}-${this.claimName}`);
    const accessMode = checkMember(v, 'accessMode', props.accessMode, 'VolumeAccessMode', VolumeAccessMode, VolumeAccessMode.READ_WRITE_ONCE);
    const storageClassName = v.dnsSubdomain('storageClassName', props.storageClassName ?? 'gp3');
    checkDriver(v, chart, storageClassName);
    this.persistentVolume = new ApiObject(this, 'Volume', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name },
      spec: {
        capacity: { storage: `${gib}Gi` },
        accessModes: [accessMode],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName,
        volumeMode: 'Filesystem',
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name: this.claimName },
        csi: { driver: EBS_CSI_DRIVER, volumeHandle: props.volumeId, fsType: props.fsType ?? 'ext4' },
        // the well-known key: the driver (v1.64) reports it next to its own topology.ebs.csi.aws.com/zone
        nodeAffinity: {
          required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [props.availabilityZone] }] }] },
        },
      },
    });
    // cdk8s puts the chart's namespace on every object; a PersistentVolume is cluster-scoped
    this.persistentVolume.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    applyBeforeTheClaim(chart, this.claimName, this.persistentVolume, props.statefulService);
    const expected = { service: props.statefulService, volume: props.volume, ordinal, gib, storageClassName, accessMode };
    this.node.addValidation({ validate: () => claimMismatches(chart, expected) });
  }
}

/**
 * Refuses a class the traits say another CSI driver serves (EKS Auto Mode's `ebs.csi.eks.amazonaws.com`): the
 * volume would be bound and never attached.
 */
function checkDriver(v: PropValidator, chart: PlatformChart, storageClassName: string): void {
  const provisioner = chart.traits.storageClass(storageClassName)?.provisioner;
  if (provisioner === undefined || provisioner === EBS_CSI_DRIVER) return;
  v.fail('storageClassName', storageClassName, `is provisioned by ${provisioner}, not by the aws-ebs-csi-driver (${EBS_CSI_DRIVER}) a RestoredVolume is `
    + 'attached by: the claim would bind and its pod never start. On EKS Auto Mode restore with a VolumeSnapshotImport and StatefulVolume.fromSnapshot '
    + 'once the cluster runs the snapshot controller, or run the aws-ebs-csi-driver (managed node groups) and name its class; docs/storage.md, "Restore".');
}

/**
 * The volume is applied before the StatefulSet that makes the claim, in every delivery: a StatefulSet already
 * in the chart depends on it now; one built later finds it (`reservedVolumesFor`).
 */
function applyBeforeTheClaim(chart: PlatformChart, claimName: string, volume: ApiObject, service: string): void {
  reserveVolume(chart, claimName, volume);
  const sts = statefulSetOf(chart, service);
  if (sts !== undefined) sts.node.addDependency(volume);
}

function statefulSetOf(chart: PlatformChart, name: string): ApiObject | undefined {
  return chart.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'StatefulSet' && c.metadata.name === name);
}

/**
/** What the claim must be to bind to the volume. */
interface Expected {
  readonly service: string;
  readonly volume: string;
  readonly ordinal: number;
  readonly gib: number;
  readonly storageClassName: string;
  readonly accessMode: VolumeAccessMode;
}

/**
 * When the chart holds the StatefulService, what would keep its claim from binding to the volume (the claim
 * would get a new, empty volume instead): no such volume, another class or access mode, a bigger request, an
 * ordinal it does not have.
 */
function claimMismatches(chart: PlatformChart, e: Expected): string[] {
  const sts = statefulSetOf(chart, e.service);
  if (sts === undefined) return [];
  const spec = sts.toJson().spec ?? {};
  const claim = (spec.volumeClaimTemplates ?? []).find((t: { metadata?: { name?: string } }) => t.metadata?.name === e.volume);
  const at = `RestoredVolume for ${e.volume}-${e.service}-${e.ordinal}`;
  if (claim === undefined) return [`${at}: StatefulService "${e.service}" has no volume "${e.volume}": name one of its volumes.`];
  const errors: string[] = [];
  if (claim.spec?.storageClassName !== e.storageClassName) {
    errors.push(`${at}: storageClassName is "${e.storageClassName}" but the claim asks for "${claim.spec?.storageClassName}": give the volume's class, or the claim gets a new empty volume.`);
  }
  const modes: string[] = claim.spec?.accessModes ?? [];
  if (modes.length !== 1 || modes[0] !== e.accessMode) {
    errors.push(`${at}: accessMode is ${e.accessMode} but the claim asks for ${modes.join(', ')}: give the volume's accessMode, or the claim gets a new empty volume.`);
  }
  const requested = mebibytes(String(claim.spec?.resources?.requests?.storage ?? '0'));
  if (requested > e.gib * 1024) errors.push(`${at}: size is ${e.gib} GiB but the claim requests ${claim.spec?.resources?.requests?.storage}: a volume smaller than the request is not bound.`);
  if (e.ordinal >= (spec.replicas ?? 1)) errors.push(`${at}: ordinal is ${e.ordinal} but the service has ${spec.replicas ?? 1} replica(s): pod ${e.ordinal} never claims it.`);
  return errors;
}

/** A Kubernetes quantity in Mi/Gi/Ti (what StatefulService writes) in mebibytes. */
function mebibytes(quantity: string): number {
  const m = /^(\d+)(Mi|Gi|Ti)$/.exec(quantity);
  if (!m) return 0;
  return Number(m[1]) * { Mi: 1, Gi: 1024, Ti: 1024 * 1024 }[m[2] as 'Mi' | 'Gi' | 'Ti'];
}
