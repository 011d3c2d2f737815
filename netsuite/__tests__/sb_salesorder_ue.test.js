/*
 * The sales order user event, run against Oracle's SuiteCloud stubs of the N/* modules.
 *
 * N/crypto is given a working HMAC (Node's) keyed by API secret id, so the signature can be
 * checked independently; like NetSuite it answers HEX digests in upper case (see the script's
 * notes), which the script must lower-case. The last test hands one real request to salesbridge's
 * own Python receiver code (signing.verify and NetsuiteOrderEvent) when the project's .venv exists.
 */
import { spawnSync } from 'node:child_process';
import nodeCrypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import script from 'SuiteScripts/salesbridge/sb_salesorder_ue';

import crypto from 'N/crypto';
import random from 'N/crypto/random';
import format from 'N/format';
import https from 'N/https';
import log from 'N/log';
import runtime from 'N/runtime';
import search from 'N/search';

jest.mock('N/crypto');
jest.mock('N/crypto/random');
jest.mock('N/format');
jest.mock('N/https');
jest.mock('N/log');
jest.mock('N/runtime');
jest.mock('N/search');

const SECRET_ID = 'custsecret_salesbridge_webhook';
const KEY_VALUE = 'whsec-test-7f3a9c1e5b2d4086';
const WEBHOOK_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/webhooks/netsuite/orders';
const ACCOUNT_ID = '1234567_SB1';
const EVENT_ID = '3f2b8c1e-6a4d-4f7b-9c2e-8d1a5b7e9f30';
const NOW = new Date('2026-11-22T09:41:30.250Z');
const NOW_SECONDS = String(Math.floor(NOW.getTime() / 1000));
const SAVED = new Date('2026-11-22T09:41:07.512Z');
const PREVIOUS = new Date('2026-11-20T16:02:55.000Z');

const RECEIVER_KEYS = ['recordType', 'id', 'eventType', 'lastModifiedDate', 'accountId', 'eventId'];
const ISO_SECONDS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const SECRETS = { [SECRET_ID]: KEY_VALUE };

let parameters;

// A record as the user event sees it: values by field id, plus the field ids it carries.
function fakeRecord({ id = 4242, type = 'salesorder', values = {}, fields = Object.keys(values) } = {}) {
    return {
        id,
        type,
        getValue: jest.fn(({ fieldId }) => (fieldId in values ? values[fieldId] : null)),
        getFields: jest.fn(() => fields),
    };
}

function contextFor(type, overrides = {}) {
    return {
        type,
        newRecord: fakeRecord({ values: { lastmodifieddate: SAVED, memo: 'two more seats' } }),
        // NetSuite gives no oldRecord on create.
        oldRecord: type === 'create' ? null : fakeRecord({ values: { lastmodifieddate: PREVIOUS, memo: 'one more seat' } }),
        ...overrides,
    };
}

// Node's HMAC keyed by the API secret NetSuite would resolve; digests come back upper-case.
function workingHmac({ key }) {
    const mac = nodeCrypto.createHmac('sha256', SECRETS[key.secret]);
    return {
        update: jest.fn(({ input }) => mac.update(input, 'utf8')),
        digest: jest.fn(() => mac.digest('hex').toUpperCase()),
    };
}

function expectedSignature(timestamp, body) {
    return `v1=${nodeCrypto.createHmac('sha256', KEY_VALUE).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

function sentRequest() {
    expect(https.post).toHaveBeenCalledTimes(1);
    return https.post.mock.calls[0][0];
}

function loggedText() {
    return JSON.stringify([log.debug.mock.calls, log.audit.mock.calls, log.error.mock.calls]);
}

beforeEach(() => {
    jest.clearAllMocks();
    jest.useFakeTimers({ now: NOW });
    parameters = {
        custscript_sb_enabled: true,
        custscript_sb_webhook_url: WEBHOOK_URL,
        custscript_sb_webhook_secret: SECRET_ID,
    };
    runtime.getCurrentScript.mockReturnValue({ getParameter: ({ name }) => parameters[name] });
    runtime.accountId = ACCOUNT_ID;
    random.generateUUID.mockReturnValue(EVENT_ID);
    crypto.createSecretKey.mockImplementation(({ secret, encoding }) => ({ secret, encoding }));
    crypto.createHmac.mockImplementation(workingHmac);
    https.post.mockReturnValue({ code: 202, body: '{"jobId":"j-1","status":"received","duplicate":false}' });
    search.lookupFields.mockReturnValue({ lastmodifieddate: '11/22/2026 9:41 am' });
    format.parse.mockReturnValue(new Date('2026-11-22T09:41:00.000Z'));
});

afterEach(() => {
    jest.useRealTimers();
});

describe('every posted event type', () => {
    it.each(['create', 'edit', 'approve', 'cancel'])('%s posts once with the receiver body and headers', (type) => {
        script.afterSubmit(contextFor(type));

        const request = sentRequest();
        expect(request.url).toBe(WEBHOOK_URL);
        expect(request.headers).toEqual({
            'Content-Type': 'application/json',
            'X-Salesbridge-Timestamp': NOW_SECONDS,
            'X-Salesbridge-Signature': expectedSignature(NOW_SECONDS, request.body),
        });
        expect(JSON.parse(request.body)).toEqual({
            recordType: 'salesorder',
            id: '4242',
            eventType: type,
            lastModifiedDate: '2026-11-22T09:41:07Z',
            accountId: ACCOUNT_ID,
            eventId: EVENT_ID,
        });
        expect(search.lookupFields).not.toHaveBeenCalled();
    });

    it('xedit of a business field posts, with the saved lastmodifieddate looked up', () => {
        const newRecord = fakeRecord({ fields: ['id', 'type', 'memo'], values: { memo: 'rush' } });

        script.afterSubmit(contextFor('xedit', { newRecord }));

        const body = JSON.parse(sentRequest().body);
        expect(body.eventType).toBe('xedit');
        expect(body.lastModifiedDate).toBe('2026-11-22T09:41:00Z');
        expect(search.lookupFields).toHaveBeenCalledWith({
            type: 'salesorder',
            id: '4242',
            columns: ['lastmodifieddate'],
        });
        expect(format.parse).toHaveBeenCalledWith({ value: '11/22/2026 9:41 am', type: 'datetime' });
    });

    it('delete posts the old record id, versioned now rather than by the last save', () => {
        const context = contextFor('delete', {
            oldRecord: fakeRecord({ id: 977, values: { lastmodifieddate: SAVED } }),
        });

        script.afterSubmit(context);

        const body = JSON.parse(sentRequest().body);
        expect(body.id).toBe('977');
        expect(body.eventType).toBe('delete');
        expect(body.lastModifiedDate).toBe('2026-11-22T09:41:30Z');
        expect(search.lookupFields).not.toHaveBeenCalled();
    });
});

describe('signing', () => {
    it('signs exactly "<timestamp>.<body>" with the API secret and sends v1=<lowercase hex>', () => {
        script.afterSubmit(contextFor('edit'));

        const request = sentRequest();
        expect(crypto.createSecretKey).toHaveBeenCalledWith({ secret: SECRET_ID, encoding: 'UTF_8' });
        expect(crypto.createHmac).toHaveBeenCalledWith({
            algorithm: 'SHA256',
            key: { secret: SECRET_ID, encoding: 'UTF_8' },
        });
        const hmac = crypto.createHmac.mock.results[0].value;
        expect(hmac.update).toHaveBeenCalledTimes(1);
        expect(hmac.update).toHaveBeenCalledWith({
            input: `${NOW_SECONDS}.${request.body}`,
            inputEncoding: 'UTF_8',
        });
        expect(hmac.digest).toHaveBeenCalledWith({ outputEncoding: 'HEX' });
        const platformDigest = hmac.digest.mock.results[0].value;
        expect(request.headers['X-Salesbridge-Signature']).toBe(`v1=${platformDigest.toLowerCase()}`);
        expect(request.headers['X-Salesbridge-Signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    });
});

describe('lastModifiedDate', () => {
    it('looks the saved value up when newRecord only repeats the previous save', () => {
        const context = contextFor('edit', {
            newRecord: fakeRecord({ values: { lastmodifieddate: PREVIOUS } }),
        });

        script.afterSubmit(context);

        expect(search.lookupFields).toHaveBeenCalledTimes(1);
        expect(JSON.parse(sentRequest().body).lastModifiedDate).toBe('2026-11-22T09:41:00Z');
    });

    it('falls back to now when the lookup fails, and still posts', () => {
        search.lookupFields.mockImplementation(() => {
            throw Object.assign(new Error('That record does not exist.'), { name: 'RCRD_DSNT_EXIST' });
        });
        const newRecord = fakeRecord({ fields: ['memo'], values: { memo: 'rush' } });

        script.afterSubmit(contextFor('xedit', { newRecord }));

        expect(JSON.parse(sentRequest().body).lastModifiedDate).toBe('2026-11-22T09:41:30Z');
    });
});

describe('posting nothing', () => {
    it.each([
        ['the Opportunity id alone', ['custbody_sb_sf_opportunity_id']],
        ['both salesbridge fields with bookkeeping', ['id', 'type', 'custbody_sb_sf_opportunity_id', 'custbody_sb_sync_status', 'lastmodifieddate']],
    ])('xedit of %s is salesbridge writing back', (_label, fields) => {
        const newRecord = fakeRecord({ fields, values: { custbody_sb_sf_opportunity_id: '006Dn00000A1b2cIAB' } });

        script.afterSubmit(contextFor('xedit', { newRecord }));

        expect(https.post).not.toHaveBeenCalled();
        expect(search.lookupFields).not.toHaveBeenCalled();
    });

    it('xedit of a salesbridge field together with a user field posts', () => {
        const newRecord = fakeRecord({ fields: ['custbody_sb_sync_status', 'shipdate'] });

        script.afterSubmit(contextFor('xedit', { newRecord }));

        expect(https.post).toHaveBeenCalledTimes(1);
    });

    it.each([false, 'F', undefined, null])('a switch read as %p posts nothing', (value) => {
        parameters.custscript_sb_enabled = value;

        script.afterSubmit(contextFor('edit'));

        expect(https.post).not.toHaveBeenCalled();
        expect(log.error).not.toHaveBeenCalled();
    });

    it.each([
        ['no webhook URL', { custscript_sb_webhook_url: '' }, 'custscript_sb_webhook_url'],
        ['a plain http URL', { custscript_sb_webhook_url: 'http://example.com/hook' }, 'custscript_sb_webhook_url'],
        ['no API secret id', { custscript_sb_webhook_secret: ' ' }, 'custscript_sb_webhook_secret'],
    ])('%s is logged as a configuration error and posts nothing', (_label, change, named) => {
        Object.assign(parameters, change);

        script.afterSubmit(contextFor('create'));

        expect(https.post).not.toHaveBeenCalled();
        expect(log.error).toHaveBeenCalledTimes(1);
        expect(log.error.mock.calls[0][0].details).toContain(named);
    });

    it.each(['copy', 'print', 'view', 'pack', 'ship', 'dropship', 'email', 'transform', 'reject'])(
        'context type %s posts nothing and reads no settings',
        (type) => {
            script.afterSubmit(contextFor(type));

            expect(https.post).not.toHaveBeenCalled();
            expect(runtime.getCurrentScript).not.toHaveBeenCalled();
        },
    );

    it('a deployment on another record type posts nothing', () => {
        script.afterSubmit(contextFor('edit', { newRecord: fakeRecord({ type: 'invoice' }) }));

        expect(https.post).not.toHaveBeenCalled();
        expect(log.error).toHaveBeenCalledTimes(1);
    });
});

describe('failures never reach the user', () => {
    it('an https error is logged and afterSubmit returns normally', () => {
        https.post.mockImplementation(() => {
            throw Object.assign(new Error('The request could not be completed in time.'), {
                name: 'SSS_REQUEST_TIME_EXCEEDED',
            });
        });

        expect(() => script.afterSubmit(contextFor('edit'))).not.toThrow();

        expect(https.post).toHaveBeenCalledTimes(1);
        expect(log.error).toHaveBeenCalledWith({
            title: 'salesbridge: order event not sent',
            details: 'SSS_REQUEST_TIME_EXCEEDED: The request could not be completed in time.',
        });
    });

    it.each([401, 413, 422, 500, 503])('HTTP %i is logged with its status and not retried', (status) => {
        https.post.mockReturnValue({ code: status, body: '{"message":"refused"}' });

        expect(() => script.afterSubmit(contextFor('edit'))).not.toThrow();

        expect(https.post).toHaveBeenCalledTimes(1);
        expect(log.error).toHaveBeenCalledTimes(1);
        const { title, details } = log.error.mock.calls[0][0];
        expect(title).toBe('salesbridge: order event refused');
        expect(details).toContain(`HTTP ${status}`);
        expect(details).toContain('sales order 4242 (edit');
    });

    it('a failing API secret lookup is logged, not thrown', () => {
        crypto.createSecretKey.mockImplementation(() => {
            throw Object.assign(new Error('Secret not found'), { name: 'INVALID_SECRET_KEY' });
        });

        expect(() => script.afterSubmit(contextFor('create'))).not.toThrow();

        expect(https.post).not.toHaveBeenCalled();
        expect(log.error).toHaveBeenCalledTimes(1);
    });

    it('a non-numeric record id is logged, not posted', () => {
        script.afterSubmit(contextFor('create', { newRecord: fakeRecord({ id: 'abc' }) }));

        expect(https.post).not.toHaveBeenCalled();
        expect(log.error.mock.calls[0][0].details).toContain('not an internal id');
    });
});

describe('logs', () => {
    it('never carry the key, the signature or the secret id, on any path', () => {
        script.afterSubmit(contextFor('edit'));
        const signature = sentRequest().headers['X-Salesbridge-Signature'];
        https.post.mockReturnValue({ code: 401, body: 'X-Salesbridge-Signature does not match' });
        script.afterSubmit(contextFor('edit'));
        https.post.mockImplementation(() => {
            throw new Error('connection reset');
        });
        script.afterSubmit(contextFor('edit'));

        expect(log.debug.mock.calls.length + log.error.mock.calls.length).toBeGreaterThanOrEqual(3);
        const logged = loggedText();
        expect(logged).not.toContain(KEY_VALUE);
        expect(logged).not.toContain(signature.slice(3));
        expect(logged).not.toContain(SECRET_ID);
    });
});

describe('what salesbridge accepts', () => {
    function sentBody() {
        script.afterSubmit(contextFor('edit'));
        return sentRequest();
    }

    it('carries exactly the receiver keys, in its formats', () => {
        const { body } = sentBody();
        const event = JSON.parse(body);

        expect(Object.keys(event).sort()).toEqual([...RECEIVER_KEYS].sort());
        expect(event.recordType).toBe('salesorder');
        expect(event.id).toMatch(/^[0-9]{1,18}$/);
        expect(['create', 'edit', 'xedit', 'delete', 'approve', 'cancel']).toContain(event.eventType);
        expect(event.lastModifiedDate).toMatch(ISO_SECONDS_UTC);
        expect(event.accountId.length).toBeLessThanOrEqual(64);
        expect(event.eventId).toMatch(UUID_V4);
        expect(Buffer.byteLength(body)).toBeLessThan(65536);
    });

    // The real receiver code, when the project's Python environment is there (make install).
    const repository = path.resolve(__dirname, '..', '..');
    const python = path.join(repository, '.venv', 'bin', 'python');
    const receiverTest = fs.existsSync(python) ? it : it.skip;

    receiverTest('passes salesbridge signing.verify and NetsuiteOrderEvent', () => {
        const { body, headers } = sentBody();
        const check = [
            'import json, sys',
            'from shared import signing',
            'from shared.flows.netsuite_orders_to_salesforce.events import NetsuiteOrderEvent',
            'request = json.load(sys.stdin)',
            'signing.verify([request["key"]], request["timestamp"], request["signature"],',
            '               request["body"].encode(), window_seconds=300, now=int(request["timestamp"]))',
            'event = NetsuiteOrderEvent.model_validate_json(request["body"])',
            'print(json.dumps({"id": event.id, "version": event.version, "type": event.event_type}))',
        ].join('\n');
        const request = {
            key: KEY_VALUE,
            timestamp: headers['X-Salesbridge-Timestamp'],
            signature: headers['X-Salesbridge-Signature'],
            body,
        };

        const result = spawnSync(python, ['-c', check], {
            cwd: repository,
            env: { ...process.env, PYTHONPATH: repository },
            input: JSON.stringify(request),
            encoding: 'utf8',
        });

        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        expect(JSON.parse(result.stdout)).toEqual({ id: '4242', version: '2026-11-22T09:41:07Z', type: 'edit' });
    });
});
