const { resolve } = require("node:path");

/** Inside Stryker's sandbox (this file's copy lives there), outside jest's roots. */
exports.RECORD_DIR = resolve(__dirname, "..", "..", ".stryker-recorded-tests");
