// @ts-check
/** jest globalSetup: see jest-temp-root.js. */
module.exports = require('./jest-temp-root').setup;
