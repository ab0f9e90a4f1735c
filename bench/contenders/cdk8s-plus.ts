/**
 * Contender "cdk8s-plus": cdk8s-plus-28 alone writing N web services to YAML (no CDK, no cluster).
 * Run: node cdk8s-plus.js <N> <outdir>
 */
import { App, Chart } from 'cdk8s';
import { addPlusServices, contenderArgs } from './private/plus-services';

const { count, outdir } = contenderArgs();
const app = new App({ outdir });
addPlusServices(new Chart(app, 'shop', { namespace: 'shop' }), count);
app.synth();
