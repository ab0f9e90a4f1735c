import { Token } from 'aws-cdk-lib';
import { PropValidator } from '../../../workloads/private/validate';
import { ClusterEndpointAccess } from '../endpoint-access';

/**
 * Checks an endpoint choice: `publicAndPrivate` needs at least one IPv4 CIDR, none of them `/0`, each a valid
 * network address. `prop` is the prop's name in the messages (e.g. `endpointAccess`).
 */
export function validateEndpointAccess(v: PropValidator, prop: string, endpoint: ClusterEndpointAccess): void {
  if (endpoint.kind !== 'publicAndPrivate') return;
  const shown = endpoint.toString();
  const cidrs = endpoint.publicCidrs;
  v.check(cidrs.length > 0, prop, shown,
    'lists no CIDR: give the addresses that may reach the public endpoint (e.g. ClusterEndpointAccess.publicAndPrivate(\'203.0.113.0/24\')), '
    + 'or use ClusterEndpointAccess.privateOnly() (the default) or ClusterEndpointAccess.publicFromAnywhere().');
  for (const cidr of cidrs) {
    if (Token.isUnresolved(cidr)) continue;
    v.check(!(typeof cidr === 'string' && /\/0+$/.test(cidr.trim())), prop, shown,
      `opens the public endpoint to every address (${JSON.stringify(cidr)}). List narrower CIDRs, or opt in explicitly with `
      + 'ClusterEndpointAccess.publicFromAnywhere() if the API must be reachable from anywhere.');
  }
  cidrs.forEach((cidr, i) => v.cidr(`${prop}.publicCidrs[${i}]`, cidr, 1, 32));
}
