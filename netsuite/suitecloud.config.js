// SuiteCloud CLI project settings: the SDF project lives in src/. The unit tests run before every
// `suitecloud project:deploy`, so a failing test stops the deployment.
const SuiteCloudJestUnitTestRunner = require('@oracle/suitecloud-unit-testing/services/SuiteCloudJestUnitTestRunner');

module.exports = {
    defaultProjectFolder: 'src',
    commands: {
        'project:deploy': {
            beforeExecuting: async (args) => {
                await SuiteCloudJestUnitTestRunner.run({});
                return args;
            },
        },
    },
};
