/*
 * Stub of N/crypto/random (SuiteScript 2.1, since 2023.1), which @oracle/suitecloud-unit-testing
 * 1.9.1 does not ship. Members as in Oracle's "N/crypto/random Module" help page; tests give
 * them behaviour with jest.mock + mockReturnValue, as with the packaged stubs.
 */
define([], function () {
    var random = function () {};

    /**
     * Generates a cryptographically strong pseudorandom set of bytes.
     * @governance none
     * @param {Object} options
     * @param {number} options.size the number of bytes
     * @return {Uint8Array}
     */
    random.prototype.generateBytes = function (options) {};

    /**
     * Generates a cryptographically strong pseudorandom number.
     * @governance none
     * @param {Object} options
     * @param {number} options.max end of the range (exclusive)
     * @param {number} [options.min] start of the range, 0 by default
     * @return {number}
     */
    random.prototype.generateInt = function (options) {};

    /**
     * Generates a v4 UUID with a cryptographically secure random number generator.
     * @governance none
     * @return {string}
     */
    random.prototype.generateUUID = function () {};

    return new random();
});
