import { IDependable } from 'constructs';
import { IPlatformAddOn } from '../../addons/platform-add-on';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { PropValidator } from '../../workloads/private/validate';

/** Installs a platform stack's add-ons on its cluster, in order; each name once. */
export function installAddOns(v: PropValidator, cluster: IPlatformCluster, addOns: IPlatformAddOn[] | undefined): Record<string, IDependable> {
  if (addOns === undefined) return {};
  v.check(Array.isArray(addOns), 'addOns', addOns, 'must be a list of platform add-ons (objects with a name and an install method).');
  const installed: Record<string, IDependable> = {};
  addOns.forEach((addOn, i) => {
    v.check(typeof addOn?.install === 'function', `addOns[${i}]`, addOn, 'must be a platform add-on (an IPlatformAddOn: a name and an install method).');
    v.dnsLabel(`addOns[${i}].name`, addOn.name);
    v.check(!(addOn.name in installed), `addOns[${i}].name`, addOn.name, 'is already the name of another add-on of this platform: give each add-on once.');
    installed[addOn.name] = addOn.install(cluster);
  });
  return installed;
}
