// Oracle's SuiteCloud Jest preset: N/* modules resolve to the stubs in
// @oracle/suitecloud-unit-testing, "SuiteScripts/..." to src/FileCabinet/SuiteScripts/...
const SuiteCloudJestConfiguration = require('@oracle/suitecloud-unit-testing/jest-configuration/SuiteCloudJestConfiguration');

module.exports = SuiteCloudJestConfiguration.build({
    projectFolder: 'src',
    projectType: SuiteCloudJestConfiguration.ProjectType.ACP,
    customStubs: [{ module: 'N/crypto/random', path: '<rootDir>/customStubs/random.js' }],
});
