/** `npm run test:package`: packs the package and runs it as an installed dependency (slow, so not in `npm test`). */
const base = require("../../jest.config");

module.exports = {
  ...base,
  rootDir: "../..",
  testMatch: ["<rootDir>/test/package/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/"],
};
