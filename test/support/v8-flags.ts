/**
 * Runs first in every jest worker (jest `setupFiles`).
 *
 * Node 20's optimizing compiler (TurboFan) can spend many minutes on the escape analysis of aws-cdk-lib's
 * `ec2.InstanceType.of` (one function building a map of ~400 computed keys) once it is hot: aws-eks-v2
 * node groups call it for every instance type, and a test file that synthesizes dozens of EKS stacks makes
 * it hot. The compile runs in the background and the process cannot exit until it ends: the tests pass,
 * then jest hangs for up to ten minutes. Without escape analysis the same code compiles in milliseconds.
 * See "Known issues" in docs/testing.md (apps that synthesize a few stacks never get there).
 */
import * as v8 from 'v8';

v8.setFlagsFromString('--no-turbo-escape');
