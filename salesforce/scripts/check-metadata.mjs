// Checks salesbridge's Salesforce metadata offline with Salesforce's own library.
//
// source-deploy-retrieve is the code the Salesforce CLI uses to read SFDX source and turn it
// into a deployable metadata package. Converting every folder catches what a deploy would
// reject before it reaches an org: unknown metadata types, misplaced files, unreadable XML.
// It also insists that every file belongs to a component: the library silently skips files it
// does not recognise (a misspelt suffix, a field in the wrong folder), which a deploy would too.
// force-app is the package salesbridge installs; org-config holds per-org settings deployed once
// and never packaged (the console app's global OAuth settings); org-fixtures only mimics other vendors'
// managed packages for the local sandbox, so it is converted on its own and never deployed.
//
// Usage (from salesforce/): node scripts/check-metadata.mjs [folder ...]

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ComponentSet, MetadataConverter } from '@salesforce/source-deploy-retrieve';

const projectDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const folders = process.argv.length > 2 ? process.argv.slice(2) : ['force-app', 'org-config', 'org-fixtures'];

async function filesUnder(directory) {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

function claimedFiles(component, claimed) {
  if (component.xml) claimed.add(component.xml);
  if (component.content) component.walkContent().forEach((file) => claimed.add(file));
  component.getChildren().forEach((child) => claimedFiles(child, claimed));
}

async function checkFolder(folder) {
  const root = path.resolve(projectDir, folder);
  const components = ComponentSet.fromSource(root);
  const counts = new Map();
  const claimed = new Set();
  for (const component of components.getSourceComponents()) {
    claimedFiles(component, claimed);
    counts.set(component.type.name, (counts.get(component.type.name) ?? 0) + 1);
    for (const child of component.getChildren()) {
      counts.set(child.type.name, (counts.get(child.type.name) ?? 0) + 1);
    }
  }
  if (counts.size === 0) throw new Error('no metadata components found');
  const strays = (await filesUnder(root)).filter((file) => !claimed.has(file));
  if (strays.length > 0) throw new Error(`files that are no metadata component:\n  ${strays.join('\n  ')}`);

  const outputDirectory = await mkdtemp(path.join(tmpdir(), 'sfdx-check-'));
  try {
    await new MetadataConverter().convert(components, 'metadata', {
      type: 'directory',
      outputDirectory,
    });
  } finally {
    await rm(outputDirectory, { recursive: true, force: true });
  }

  console.log(`${folder}: converted to metadata format`);
  for (const [type, count] of [...counts].sort()) console.log(`  ${type.padEnd(16)} ${count}`);
}

let failed = false;
for (const folder of folders) {
  try {
    await checkFolder(folder);
  } catch (error) {
    failed = true;
    console.error(`${folder}: ${error.message ?? error}`);
  }
}
process.exit(failed ? 1 : 0);
