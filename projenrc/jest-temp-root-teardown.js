// @ts-check
/** jest globalTeardown: see jest-temp-root.js. */
module.exports = require('./jest-temp-root').teardown;
