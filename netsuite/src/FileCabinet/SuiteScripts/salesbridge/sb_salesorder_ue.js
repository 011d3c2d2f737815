/**
 * @NApiVersion 2.1
 * @NScriptType UserEventScript
 * @NModuleScope SameAccount
 */

/*
 * salesbridge change capture: after a sales order is saved, tell salesbridge which order changed.
 *
 * The event carries ids, not data; salesbridge's worker reads the order itself. What is sent is
 * exactly what functions/netsuite_webhook accepts (NetsuiteOrderEvent in
 * shared/flows/netsuite_orders_to_salesforce/events.py, extra keys forbidden):
 *
 *   POST <custscript_sb_webhook_url>
 *   Content-Type: application/json
 *   X-Salesbridge-Timestamp: <unix seconds>
 *   X-Salesbridge-Signature: v1=<lowercase hex HMAC-SHA256(key, "<timestamp>.<body>")>
 *   {"recordType":"salesorder","id":"123","eventType":"edit",
 *    "lastModifiedDate":"2026-11-22T09:41:07Z","accountId":"1234567","eventId":"<uuid v4>"}
 *
 * The key never appears in this file or in a script parameter: the parameter holds the script id
 * of a NetSuite API secret, and N/crypto computes the HMAC with the secret NetSuite keeps.
 * The signature covers the exact string that is posted.
 *
 * Saving an order must never fail because of salesbridge: afterSubmit catches everything and logs
 * it, and makes one HTTPS attempt only. A missed event is not lost for good: salesbridge's
 * backstop reads the orders modified since its watermark.
 *
 * Where the documentation is silent (choices, written down):
 * - Hmac.digest() with encode.Encoding.HEX: Oracle does not say which letter case comes back
 *   (public SuiteScript code lower-cases it, which suggests upper case), so the digest is
 *   lower-cased, which is right either way.
 * - N/https has no timeout option; the platform limits are 5 s to connect and 45 s to send
 *   (https.request help). There is one attempt, no retry.
 * - Echo suppression: salesbridge writes the Opportunity id back into the order. An inline edit
 *   (xedit: newRecord holds only the edited fields, per the afterSubmit help) whose edited fields,
 *   ignoring NetSuite's own bookkeeping fields, are all salesbridge's fields is not posted. Any
 *   field this script does not recognise counts as a real change, so the rule can only err
 *   towards posting; salesbridge suppresses echoes on its side too. Other event types are
 *   always posted (an edit carries the whole record, so its changes cannot be told cheaply).
 * - lastModifiedDate is the version salesbridge deduplicates on (order id + version), so it must
 *   be the saved order's own value:
 *     create/edit/approve/cancel/xedit: newRecord's lastmodifieddate when it is present and newer
 *       than oldRecord's (a stale copy would make salesbridge drop the event as a duplicate of
 *       the previous save); otherwise search.lookupFields (1 governance unit, against 10 for
 *       loading a transaction), parsed with format.parse in the user's time zone. Search values
 *       may carry minutes only: two such saves in one minute would share a version and the
 *       second would be taken for a duplicate, until the backstop (versions to the second)
 *       picks it up.
 *     delete: the current time. oldRecord's value is the version of the last save, already
 *       sent, so reusing it would make salesbridge treat the deletion as a duplicate.
 *     If no value can be found, the current time.
 */
define([
    'N/crypto', 'N/crypto/random', 'N/encode', 'N/format', 'N/https', 'N/log', 'N/runtime', 'N/search',
], (crypto, random, encode, format, https, log, runtime, search) => {
    const PARAMETER = {
        enabled: 'custscript_sb_enabled',
        webhookUrl: 'custscript_sb_webhook_url',
        secretId: 'custscript_sb_webhook_secret',
    };

    const RECORD_TYPE = 'salesorder';
    const POSTED_EVENT_TYPES = ['create', 'edit', 'xedit', 'delete', 'approve', 'cancel'];
    const LAST_MODIFIED = 'lastmodifieddate';

    // The fields salesbridge itself writes into an order.
    const SALESBRIDGE_FIELDS = ['custbody_sb_sf_opportunity_id', 'custbody_sb_sync_status'];

    // Bookkeeping fields NetSuite may list beside the edited ones; they say nothing about a change.
    const BOOKKEEPING_FIELDS = [
        'id',
        'type',
        'rectype',
        'baserecordtype',
        'lastmodifieddate',
        'linenumber',
        'version',
        'sys_id',
        'sys_parentid',
        'nsapiCT',
        'nlloc',
        'nlsub',
        'nldept',
        'nluser',
        'nlrole',
        '_csrf',
        '_eml_nkey_',
        'entryformquerystring',
        'wfinstances',
    ];

    const SIGNATURE_SCHEME = 'v1';
    const MAX_LOGGED_BODY = 300;

    /** Entry point: never throws into the user's save. */
    const afterSubmit = (context) => {
        try {
            notifySalesbridge(context);
        } catch (error) {
            log.error({ title: 'salesbridge: order event not sent', details: describeError(error) });
        }
    };

    function notifySalesbridge(context) {
        if (!POSTED_EVENT_TYPES.includes(context.type)) {
            return;
        }
        const settings = readSettings();
        if (!settings.enabled) {
            return;
        }
        const problem = settingsProblem(settings);
        if (problem) {
            log.error({ title: 'salesbridge: script parameters incomplete', details: problem });
            return;
        }
        const record = context.type === 'delete' ? context.oldRecord : context.newRecord;
        if (record.type !== RECORD_TYPE) {
            log.error({ title: 'salesbridge: wrong deployment', details: `record type ${record.type}` });
            return;
        }
        if (context.type === 'xedit' && isSalesbridgeWriteBack(context.newRecord)) {
            log.debug({ title: 'salesbridge: own write-back, not posted', details: `sales order ${record.id}` });
            return;
        }
        postEvent(settings, buildEvent(context, record));
    }

    function readSettings() {
        const script = runtime.getCurrentScript();
        const parameter = (name) => script.getParameter({ name });
        return {
            enabled: isChecked(parameter(PARAMETER.enabled)),
            webhookUrl: String(parameter(PARAMETER.webhookUrl) || '').trim(),
            secretId: String(parameter(PARAMETER.secretId) || '').trim(),
        };
    }

    // Checkbox parameters read as booleans in SuiteScript 2.x; 'T' is accepted as well.
    function isChecked(value) {
        return value === true || value === 'T';
    }

    function settingsProblem(settings) {
        if (!settings.webhookUrl.startsWith('https://')) {
            return `${PARAMETER.webhookUrl} must be an https:// URL`;
        }
        if (!settings.secretId) {
            return `${PARAMETER.secretId} must name an API secret (custsecret_...)`;
        }
        return null;
    }

    function isSalesbridgeWriteBack(partialRecord) {
        const edited = partialRecord.getFields().filter((field) => !BOOKKEEPING_FIELDS.includes(field));
        return edited.length > 0 && edited.every((field) => SALESBRIDGE_FIELDS.includes(field));
    }

    function buildEvent(context, record) {
        const id = String(record.id);
        if (!/^[0-9]{1,18}$/.test(id)) {
            throw new Error(`sales order id ${id} is not an internal id`);
        }
        return {
            recordType: RECORD_TYPE,
            id,
            eventType: context.type,
            lastModifiedDate: isoSeconds(savedVersion(context, id)),
            accountId: runtime.accountId,
            eventId: random.generateUUID(),
        };
    }

    function savedVersion(context, id) {
        if (context.type === 'delete') {
            return new Date();
        }
        const saved = asDate(context.newRecord.getValue({ fieldId: LAST_MODIFIED }));
        const before = context.oldRecord ? asDate(context.oldRecord.getValue({ fieldId: LAST_MODIFIED })) : null;
        if (saved && (!before || saved.getTime() > before.getTime())) {
            return saved;
        }
        return lookUpLastModified(id) || new Date();
    }

    function lookUpLastModified(id) {
        try {
            const found = search.lookupFields({ type: search.Type.SALES_ORDER, id, columns: [LAST_MODIFIED] });
            const value = found && found[LAST_MODIFIED];
            return value ? asDate(format.parse({ value, type: format.Type.DATETIME })) : null;
        } catch (error) {
            log.debug({ title: 'salesbridge: lastmodifieddate lookup failed', details: describeError(error) });
            return null;
        }
    }

    function asDate(value) {
        return value && typeof value.getTime === 'function' && !isNaN(value.getTime()) ? value : null;
    }

    // 2026-11-22T09:41:07Z: UTC, whole seconds, as salesbridge formats versions.
    function isoSeconds(date) {
        return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
    }

    function postEvent(settings, event) {
        const body = JSON.stringify(event);
        const timestamp = String(Math.floor(Date.now() / 1000));
        const signature = `${SIGNATURE_SCHEME}=${hmacSha256Hex(settings.secretId, `${timestamp}.${body}`)}`;
        const response = https.post({
            url: settings.webhookUrl,
            body,
            headers: {
                'Content-Type': 'application/json',
                'X-Salesbridge-Timestamp': timestamp,
                'X-Salesbridge-Signature': signature,
            },
        });
        const what = `sales order ${event.id} (${event.eventType}, event ${event.eventId})`;
        if (response.code >= 200 && response.code < 300) {
            log.debug({ title: 'salesbridge: order event accepted', details: `${what}: HTTP ${response.code}` });
        } else {
            log.error({
                title: 'salesbridge: order event refused',
                details: `${what}: HTTP ${response.code} ${truncate(response.body)}`,
            });
        }
    }

    function hmacSha256Hex(secretId, message) {
        const key = crypto.createSecretKey({ secret: secretId, encoding: encode.Encoding.UTF_8 });
        const hmac = crypto.createHmac({ algorithm: crypto.HashAlg.SHA256, key });
        hmac.update({ input: message, inputEncoding: encode.Encoding.UTF_8 });
        return hmac.digest({ outputEncoding: encode.Encoding.HEX }).toLowerCase();
    }

    function truncate(text) {
        const value = String(text || '');
        return value.length > MAX_LOGGED_BODY ? `${value.slice(0, MAX_LOGGED_BODY)}...` : value;
    }

    function describeError(error) {
        if (error && error.name && error.message) {
            return `${error.name}: ${error.message}`;
        }
        return String(error);
    }

    return { afterSubmit };
});
