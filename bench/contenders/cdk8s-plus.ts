/**
 * Contender "cdk8s-plus": cdk8s-plus-28 alone writing N web services to YAML (no CDK, no cluster).
 * Run: node cdk8s-plus.js <N> <outdir>
 */
import { App, Chart } from 'cdk8s';
import { addPlusServices, contenderArgs, serviceGroups } from './private/plus-services';

const { count, outdir } = contenderArgs();
const app = new App({ outdir });
for (const group of serviceGroups(count)) addPlusServices(new Chart(app, group.name, { namespace: 'shop' }), group);
app.synth();
