/*
 * The SDF project agrees with itself and with the script: every object file is named after its
 * scriptid with the prefix SDF requires, the script record points at a file that exists, the
 * deployment is released on sales orders, and every parameter or field id the script reads is
 * declared. Only `suitecloud project:validate` against an account checks the XML schema itself.
 */
import fs from 'node:fs';
import path from 'node:path';

const projectFolder = path.resolve(__dirname, '..', 'src');
const objectsFolder = path.join(projectFolder, 'Objects');
const scriptPath = path.join(projectFolder, 'FileCabinet', 'SuiteScripts', 'salesbridge', 'sb_salesorder_ue.js');
const scriptSource = fs.readFileSync(scriptPath, 'utf8');

const PREFIX_BY_ROOT = { usereventscript: 'customscript_', transactionbodycustomfield: 'custbody_' };

function readObjects() {
    return fs
        .readdirSync(objectsFolder)
        .filter((name) => name.endsWith('.xml'))
        .map((name) => {
            const xml = fs.readFileSync(path.join(objectsFolder, name), 'utf8');
            const [, root, scriptid] = /^<(\w+) scriptid="([^"]+)">/.exec(xml) || [];
            return { name, xml, root, scriptid };
        });
}

function element(xml, tag) {
    const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
    return match ? match[1] : undefined;
}

const objects = readObjects();
const userEvent = objects.find((object) => object.root === 'usereventscript');

describe('SDF objects', () => {
    it.each(objects.map((object) => [object.name, object]))('%s is named after its scriptid', (name, object) => {
        expect(object.root).toBeDefined();
        expect(name).toBe(`${object.scriptid}.xml`);
        expect(object.scriptid.startsWith(PREFIX_BY_ROOT[object.root])).toBe(true);
        expect(object.scriptid.length).toBeLessThanOrEqual(object.root === 'transactionbodycustomfield' ? 38 : 40);
    });

    it('declares the four salesbridge body fields on sales transactions', () => {
        const fields = objects.filter((object) => object.root === 'transactionbodycustomfield');
        expect(Object.fromEntries(fields.map((field) => [field.scriptid, element(field.xml, 'fieldtype')]))).toEqual({
            custbody_sb_origin: 'TEXT',
            custbody_sb_send_to_salesforce: 'CHECKBOX',
            custbody_sb_sf_opportunity_id: 'TEXT',
            custbody_sb_sync_status: 'TEXT',
        });
        for (const field of fields) {
            expect(element(field.xml, 'bodysale')).toBe('T');
            expect(element(field.xml, 'label')).toBeTruthy();
        }
    });

    it('points the script record at the script in the File Cabinet', () => {
        const scriptfile = element(userEvent.xml, 'scriptfile');
        expect(scriptfile).toBe('[/SuiteScripts/salesbridge/sb_salesorder_ue.js]');
        expect(fs.existsSync(path.join(projectFolder, 'FileCabinet', scriptfile.slice(1, -1)))).toBe(true);
        expect(scriptSource).toMatch(/@NApiVersion 2\.1/);
        expect(scriptSource).toMatch(/@NScriptType UserEventScript/);
        expect(scriptSource).toMatch(/@NModuleScope SameAccount/);
    });

    it('deploys released on sales orders, switched off until configured', () => {
        expect(element(userEvent.xml, 'recordtype')).toBe('SALESORDER');
        expect(element(userEvent.xml, 'status')).toBe('RELEASED');
        expect(element(userEvent.xml, 'isdeployed')).toBe('T');
        expect(element(userEvent.xml, 'custscript_sb_enabled')).toBe('F');
    });

    it('declares every script parameter the script reads', () => {
        const read = [...scriptSource.matchAll(/'(custscript_[a-z0-9_]+)'/g)].map((match) => match[1]).sort();
        const declared = [...userEvent.xml.matchAll(/<scriptcustomfield scriptid="([^"]+)">/g)].map((match) => match[1]).sort();
        expect(read).toEqual(['custscript_sb_enabled', 'custscript_sb_webhook_secret', 'custscript_sb_webhook_url']);
        expect(declared).toEqual(read);
    });

    it('declares the body fields the script treats as salesbridge write-backs', () => {
        const bodyFields = new Set(objects.map((object) => object.scriptid));
        const read = [...scriptSource.matchAll(/'(custbody_[a-z0-9_]+)'/g)].map((match) => match[1]);
        expect(read.length).toBeGreaterThan(0);
        for (const field of read) {
            expect(bodyFields.has(field)).toBe(true);
        }
    });

    it('deploys the script folder and the objects', () => {
        const deploy = fs.readFileSync(path.join(projectFolder, 'deploy.xml'), 'utf8');
        expect(deploy).toContain('<path>~/FileCabinet/SuiteScripts/salesbridge/*</path>');
        expect(deploy).toContain('<path>~/Objects/*</path>');
        const manifest = fs.readFileSync(path.join(projectFolder, 'manifest.xml'), 'utf8');
        expect(manifest).toContain('projecttype="ACCOUNTCUSTOMIZATION"');
    });
});
