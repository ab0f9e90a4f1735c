// @ts-check
/**
 * One temporary directory per jest run. jest's global setup points TMPDIR at a fresh directory under the system
 * one before any worker starts (workers inherit the environment), so every `os.tmpdir()` user in the tests —
 * CDK and cdk8s apps without an outdir, the cluster models, the stubbed script runs — writes under it; the global
 * teardown deletes it. Roots left by runs that were killed (their process is gone) are deleted on the next run.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const PREFIX = 'cdk-k8s-platform-jest-';
const ENV = 'CDK_K8S_PLATFORM_JEST_TMP_ROOT';

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return /** @type {NodeJS.ErrnoException} */ (e).code === 'EPERM';
  }
}

/** Deletes the roots of runs whose process has ended. @param {string} parent */
function removeAbandoned(parent) {
  for (const name of fs.readdirSync(parent)) {
    const pid = Number(name.startsWith(PREFIX) ? name.slice(PREFIX.length).split('-')[0] : NaN);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) {
      fs.rmSync(path.join(parent, name), { recursive: true, force: true });
    }
  }
}

/** Creates this run's root under `parent` after deleting abandoned ones. @param {string} parent */
function createRoot(parent) {
  removeAbandoned(parent);
  return fs.mkdtempSync(path.join(parent, `${PREFIX}${process.pid}-`));
}

/** @param {string | undefined} root */
function removeRoot(root) {
  if (root && path.basename(root).startsWith(PREFIX)) fs.rmSync(root, { recursive: true, force: true });
}

function setup() {
  const root = createRoot(os.tmpdir());
  process.env[ENV] = root;
  process.env.TMPDIR = root;
}

function teardown() {
  removeRoot(process.env[ENV]);
}

module.exports = { setup, teardown, createRoot, removeRoot, PREFIX, ENV };
