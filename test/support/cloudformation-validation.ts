/**
 * Runs first in every jest worker (jest `setupFiles`).
 *
 * aws-cdk-lib (2.262 and later) runs its built-in "CloudFormation Validate" plugin at every `app.synth()`.
 * The suite synthesizes hundreds of apps; validating each one tripled the run (58 s → 193 s on 2 cores).
 * So the suite switches the built-in plugin off here, and test/compliance/ runs it, strict (warnings fail),
 * over every stack the library produces, by registering the plugin explicitly (which this switch does not
 * affect). An explicit `CDK_VALIDATION=true` in the environment keeps it on everywhere.
 */
if (process.env.CDK_VALIDATION === undefined) process.env.CDK_VALIDATION = 'false';
