/**
 * The app of the "cli" contender: copies a ready-made cloud assembly of one empty stack into CDK_OUTDIR
 * without loading aws-cdk-lib, so `npx cdk synth --app "node cli-empty-app.js"` measures the CDK CLI's own
 * start-up and work (npx, loading the CLI, starting the app process, reading the assembly), which every
 * `npx cdk synth` pays before and after the app's own work.
 * Prepare the assembly once (this loads aws-cdk-lib): node cli-empty-app.js --prepare <dir>
 * Run (by the CLI): CDK_OUTDIR=<outdir> BENCH_EMPTY_ASSEMBLY=<dir> node cli-empty-app.js
 */
import * as fs from 'fs';
import * as path from 'path';

if (process.argv[2] === '--prepare') {
  const dir = process.argv[3];
  if (!dir) throw new Error('usage: node cli-empty-app.js --prepare <dir>');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cdk = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const app = new cdk.App({ outdir: dir });
  new cdk.Stack(app, 'empty');
  app.synth();
} else {
  const from = process.env.BENCH_EMPTY_ASSEMBLY;
  const to = process.env.CDK_OUTDIR;
  if (!from || !to) throw new Error('BENCH_EMPTY_ASSEMBLY and CDK_OUTDIR must be set (bench/run.ts and the CDK CLI set them).');
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(to, f));
}
