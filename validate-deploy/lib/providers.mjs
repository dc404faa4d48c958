// Terraform providers' schemas, offline: every argument and nested block of every resource and
// data source, read from the prebuilt cdktf provider packages (npm), which are generated from the
// provider's own schema at one exact provider version. `npm pack` fetches a package's tarball once
// into .cache/ (CI reaches the npm registry; nothing is unpacked to disk), and the schema drawn
// from it is cached beside it as JSON.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = path.join(HERE, '.cache', 'providers');

// The provider versions terraform/ pins, and the cdktf package built from exactly that version
// (its package.json's cdktf.provider.version). A pin without an entry here fails the check, so a
// provider upgrade comes with its schema.
export const SCHEMA_PACKAGES = {
  'hashicorp/aws@5.100.0': '@cdktf/provider-aws@20.1.0',
  'hashicorp/kubernetes@2.38.0': '@cdktf/provider-kubernetes@12.1.1',
  'hashicorp/helm@2.17.0': '@cdktf/provider-helm@11.0.0',
  'hashicorp/random@3.7.2': '@cdktf/provider-random@12.0.1',
  // no cdktf package is published for this provider: its schema is kept in providers/, transcribed
  // from the provider's documentation at this version
  'kbst/kustomization@0.9.6': 'providers/kustomization-0.9.6.json',
};

/** The schema of one pinned provider: { provider, resource: {type: block}, data: {type: block} }. */
export async function providerSchema(source, version) {
  const spec = SCHEMA_PACKAGES[`${source}@${version}`];
  if (!spec) throw new Error(`no schema package is known for provider ${source} ${version} (add it to lib/providers.mjs SCHEMA_PACKAGES)`);
  if (spec.startsWith('providers/')) return JSON.parse(fs.readFileSync(path.join(HERE, spec), 'utf8'));
  const cached = path.join(CACHE, `${spec.replace(/[@/]/g, '_')}.json`);
  if (fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, 'utf8'));
  fs.mkdirSync(CACHE, { recursive: true });
  const tarball = path.join(CACHE, execFileSync('npm', ['pack', spec, '--pack-destination', CACHE, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop());
  const schema = { package: spec, provider: undefined, resource: {}, data: {} };
  for await (const [name, text] of tarEntries(tarball, /^package\/lib\/[^/]+\/index\.js$/)) {
    const described = describe(text);
    if (!described) continue;
    if (described.kind === 'provider') schema.provider = described.block;
    else schema[described.kind][described.type] = described.block;
  }
  if (Object.keys(schema.resource).length === 0) throw new Error(`${spec}: no resources found in its lib/*/index.js`);
  fs.writeFileSync(cached, JSON.stringify(schema));
  fs.rmSync(tarball);
  return schema;
}

// One generated file: the class's tfResourceType, its synthesizeAttributes() keys (the arguments
// and top-level blocks), and for each block the keys of its <struct>ToTerraform function.
function describe(js) {
  const type = /\.tfResourceType = "([^"]+)";/.exec(js)?.[1];
  if (!type) return undefined;
  const kind = /extends cdktf\.TerraformDataSource\b/.test(js) ? 'data' : /extends cdktf\.TerraformProvider\b/.test(js) ? 'provider' : 'resource';
  const structs = new Map();
  for (const m of js.matchAll(/\nfunction (\w+)ToTerraform\(struct\) \{([\s\S]*?)\n\}/g)) {
    const body = /return \{\n([\s\S]*?)\n\s*\};/.exec(m[2])?.[1];
    if (body !== undefined) structs.set(m[1], body);
  }
  const top = /synthesizeAttributes\(\) \{\n\s*return \{\n([\s\S]*?)\n\s*\};/.exec(js)?.[1];
  if (top === undefined) return undefined;
  const block = (body, depth) => {
    const out = { arguments: [], blocks: {} };
    for (const [, key, value] of body.matchAll(/^\s*(\w+): (.*),$/gm)) {
      const nested = [...value.matchAll(/\b(\w+)ToTerraform\b/g)].map((n) => n[1]).find((n) => structs.has(n));
      if (nested && depth < 12) out.blocks[key] = block(structs.get(nested), depth + 1);
      else out.arguments.push(key);
    }
    return out;
  };
  return { kind, type, block: block(top, 0) };
}

// The entries of a .tgz whose names match, read as a stream (a provider's package unpacks to
// hundreds of MB; only the matching files are kept in memory, one at a time).
async function* tarEntries(file, wanted) {
  let buffer = Buffer.alloc(0);
  let entry = null; // the entry being read: its data and the padding to 512 bytes are `left`
  for await (const chunk of fs.createReadStream(file).pipe(zlib.createGunzip())) {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      if (entry) {
        const take = Math.min(entry.left, buffer.length);
        if (entry.keep) entry.chunks.push(buffer.subarray(0, Math.min(take, Math.max(0, entry.left - entry.pad))));
        buffer = buffer.subarray(take);
        entry.left -= take;
        if (entry.left > 0) break;
        if (entry.keep) yield [entry.name, Buffer.concat(entry.chunks).toString('utf8')];
        entry = null;
      }
      if (buffer.length < 512) break;
      const header = buffer.subarray(0, 512);
      buffer = buffer.subarray(512);
      if (header.every((b) => b === 0)) continue;
      const field = (from, len) => header.subarray(from, from + len).toString('utf8').replace(/\0.*$/s, '');
      const name = (field(345, 155) ? `${field(345, 155)}/` : '') + field(0, 100);
      const size = parseInt(field(124, 12).trim() || '0', 8);
      const pad = (512 - (size % 512)) % 512;
      const typeFlag = field(156, 1);
      entry = { name, pad, left: size + pad, keep: (typeFlag === '0' || typeFlag === '') && wanted.test(name), chunks: [] };
    }
  }
}
