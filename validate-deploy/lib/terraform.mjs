// Terraform without terraform init: syntax (the HCL parser Terraform uses, via @cdktf/hcl2json),
// and the references a `terraform validate` would catch first: variables, locals, resources, data
// sources, module inputs and outputs, files, pinned provider versions, and every argument and
// block of every resource, data source and provider against the pinned provider's schema.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { providerSchema } from './providers.mjs';

const META_ARGS = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each']);
// Terraform's own arguments and blocks of every resource and data source, and of a provider block
const RESOURCE_META = new Set(['count', 'for_each', 'provider', 'depends_on', 'lifecycle', 'provisioner', 'connection']);
const PROVIDER_META = new Set(['alias', 'version']);
const EXACT_VERSION = /^=?\s*\d+\.\d+\.\d+$/;

/** Parses every .tf file of one directory into one module description. */
export async function loadModule(dir) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.tf')).sort();
  const mod = { dir, files, errors: [], variables: {}, outputs: {}, locals: new Set(), localValues: {}, resources: new Set(), data: new Set(), modules: {}, providers: {}, requiredVersion: undefined, bodies: [] };
  for (const f of files) {
    let json;
    try {
      json = await parse(f, fs.readFileSync(path.join(dir, f), 'utf8'));
    } catch (e) {
      mod.errors.push(`${path.join(dir, f)}: ${String(e.message ?? e).replace(/^Error: /, '')}`);
      continue;
    }
    mod.bodies.push([f, json]);
    for (const [name, [body]] of Object.entries(json.variable ?? {})) mod.variables[name] = body;
    for (const [name, [body]] of Object.entries(json.output ?? {})) mod.outputs[name] = body;
    for (const block of json.locals ?? []) for (const [name, value] of Object.entries(block)) { mod.locals.add(name); mod.localValues[name] = value; }
    for (const [type, byName] of Object.entries(json.resource ?? {})) for (const name of Object.keys(byName)) mod.resources.add(`${type}.${name}`);
    for (const [type, byName] of Object.entries(json.data ?? {})) for (const name of Object.keys(byName)) mod.data.add(`${type}.${name}`);
    for (const [name, [body]] of Object.entries(json.module ?? {})) mod.modules[name] = body;
    for (const t of json.terraform ?? []) {
      if (t.required_version) mod.requiredVersion = t.required_version;
      for (const rp of t.required_providers ?? []) Object.assign(mod.providers, rp);
    }
  }
  return mod;
}

function strings(node, out = []) {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) node.forEach((n) => strings(n, out));
  else if (node && typeof node === 'object') Object.values(node).forEach((n) => strings(n, out));
  return out;
}

function resolveLocals(s, values) {
  let out = s;
  for (let i = 0; i < 5; i++) {
    const next = out.replace(/\$\{local\.([A-Za-z_][\w-]*)\}/g, (m, name) => (typeof values[name] === 'string' ? values[name] : m));
    if (next === out) break;
    out = next;
  }
  return out;
}

/** Checks one module on its own; `loadTarget` loads a called module (for inputs and outputs). */
export async function checkModule(mod, { isRoot, loadTarget }) {
  const errors = [...mod.errors];
  const where = mod.dir;
  const usedVariables = new Set();
  const providerNames = new Set([...Object.keys(mod.providers), 'terraform']);
  for (const [file, json] of mod.bodies) {
    const at = `${path.join(where, file)}`;
    // a moved block names addresses that are gone by design
    for (const s of strings({ ...json, moved: undefined })) {
      if (!s.includes('${')) continue;
      for (const [, name] of s.matchAll(/(?<![\w.])var\.([A-Za-z_][\w-]*)/g)) {
        usedVariables.add(name);
        if (!(name in mod.variables)) errors.push(`${at}: var.${name} is not declared`);
      }
      for (const [, name] of s.matchAll(/(?<![\w.])local\.([A-Za-z_][\w-]*)/g)) {
        if (!mod.locals.has(name)) errors.push(`${at}: local.${name} is not declared`);
      }
      for (const [, type, name] of s.matchAll(/(?<![\w.])data\.([a-z][\w]*)\.([A-Za-z_][\w-]*)/g)) {
        if (!mod.data.has(`${type}.${name}`)) errors.push(`${at}: data.${type}.${name} is not declared`);
      }
      for (const [, type, name] of s.matchAll(/(?<![\w.])([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)/g)) {
        if (!providerNames.has(type.split('_')[0])) continue;
        if (!mod.resources.has(`${type}.${name}`)) errors.push(`${at}: ${type}.${name} is not declared`);
      }
      for (const [, name, output] of s.matchAll(/(?<![\w.])module\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?/g)) {
        const call = mod.modules[name];
        if (!call) { errors.push(`${at}: module.${name} is not declared`); continue; }
        const target = await loadTarget(mod.dir, call.source);
        if (target && output && !(output in target.outputs)) errors.push(`${at}: module.${name}.${output}: ${call.source} has no output ${output}`);
      }
      // a path under the module, directly or through locals: it must exist in the repository
      const resolved = resolveLocals(s, mod.localValues);
      const local = /^\$\{path\.module\}\/([^$]+)$/.exec(resolved);
      if (local && !fs.existsSync(path.join(mod.dir, local[1]))) errors.push(`${at}: path ${local[1]} (from ${s}) does not exist`);
      for (const [, fn, rel] of s.matchAll(/\b(file|templatefile|filebase64|fileset)\(\s*"\$\{path\.module\}\/([^"]+)"/g)) {
        const p = path.join(mod.dir, rel);
        if (!fs.existsSync(p)) errors.push(`${at}: ${fn}() reads ${rel}, which does not exist`);
      }
    }
  }
  for (const name of Object.keys(mod.variables)) {
    if (!usedVariables.has(name)) errors.push(`${where}: variable ${name} is declared but never used`);
    if (!mod.variables[name].description) errors.push(`${where}: variable ${name} has no description`);
  }
  for (const [name, body] of Object.entries(mod.outputs)) {
    if (!body.description) errors.push(`${where}: output ${name} has no description`);
  }
  // every provider whose resources are used is required here, at an exact version
  const usedProviders = new Set([...mod.resources, ...mod.data].map((r) => r.split('_')[0]).filter((p) => p !== 'terraform'));
  for (const p of usedProviders) {
    if (!(p in mod.providers)) errors.push(`${where}: provider ${p} is used but not in required_providers`);
  }
  for (const [p, spec] of Object.entries(mod.providers)) {
    if (!spec?.source) errors.push(`${where}: provider ${p} has no source`);
    if (!EXACT_VERSION.test(spec?.version ?? '')) errors.push(`${where}: provider ${p} is not pinned to an exact version (${spec?.version})`);
  }
  if (isRoot && !mod.requiredVersion) errors.push(`${where}: a root module sets terraform.required_version`);
  errors.push(...await checkArguments(mod));
  // module calls: inputs that exist, required inputs given
  for (const [name, call] of Object.entries(mod.modules)) {
    const target = await loadTarget(mod.dir, call.source);
    if (!target) { errors.push(`${where}: module ${name}: source ${call.source} is not a local module here`); continue; }
    for (const arg of Object.keys(call)) {
      if (!META_ARGS.has(arg) && !(arg in target.variables)) errors.push(`${where}: module ${name} passes ${arg}, which ${call.source} does not declare`);
    }
    for (const [v, body] of Object.entries(target.variables)) {
      if (!('default' in body) && !(v in call)) errors.push(`${where}: module ${name} does not pass required variable ${v} of ${call.source}`);
    }
  }
  return errors;
}

/** Every argument and nested block of the module's resources, data sources and provider blocks, against the pinned provider's schema. */
export async function checkArguments(mod) {
  const errors = [];
  const schemas = new Map();
  const schemaOf = async (local) => {
    if (!schemas.has(local)) {
      const spec = mod.providers[local];
      const version = /^=?\s*(\d+\.\d+\.\d+)$/.exec(spec?.version ?? '')?.[1];
      let schema = null;
      if (spec?.source && version) {
        try { schema = await providerSchema(spec.source, version); } catch (e) { errors.push(`${mod.dir}: ${e.message}`); }
      }
      schemas.set(local, schema);
    }
    return schemas.get(local);
  };
  for (const [file, json] of mod.bodies) {
    const at = path.join(mod.dir, file);
    for (const kind of ['resource', 'data']) {
      for (const [type, byName] of Object.entries(json[kind] ?? {})) {
        const schema = await schemaOf(type.split('_')[0]);
        if (!schema) continue;
        const block = schema[kind][type];
        const label = `${kind === 'data' ? 'data.' : ''}${type}`;
        if (!block) { errors.push(`${at}: ${label}: the provider ${schema.package} has no ${kind === 'data' ? 'data source' : 'resource'} ${type}`); continue; }
        for (const [name, bodies] of Object.entries(byName)) {
          for (const body of bodies) errors.push(...checkBlock(body, block, `${at}: ${label}.${name}`, RESOURCE_META));
        }
      }
    }
    for (const [local, bodies] of Object.entries(json.provider ?? {})) {
      const schema = await schemaOf(local);
      if (!schema?.provider) continue;
      for (const body of bodies) errors.push(...checkBlock(body, schema.provider, `${at}: provider ${local}`, PROVIDER_META));
    }
  }
  return errors;
}

// hcl2json gives a nested block as a list of bodies, and `dynamic "x" { content { ... } }` under
// `dynamic`; an argument's value (a map or a list of objects) is not descended into.
function checkBlock(body, schema, where, meta = new Set()) {
  const errors = [];
  for (const [key, value] of Object.entries(body ?? {})) {
    if (meta.has(key)) continue;
    if (key === 'dynamic') {
      for (const [name, dynamics] of Object.entries(value)) {
        if (!schema.blocks[name]) { errors.push(`${where}: dynamic "${name}": no block ${name} here (blocks: ${Object.keys(schema.blocks).join(', ') || 'none'})`); continue; }
        for (const d of dynamics) for (const content of d.content ?? []) errors.push(...checkBlock(content, schema.blocks[name], `${where}.${name}`));
      }
    } else if (schema.blocks[key]) {
      for (const nested of Array.isArray(value) ? value : [value]) {
        if (nested && typeof nested === 'object' && !Array.isArray(nested)) errors.push(...checkBlock(nested, schema.blocks[key], `${where}.${key}`));
      }
    } else if (!schema.arguments.includes(key)) {
      errors.push(`${where}: unknown argument ${key} (${nearest(key, [...schema.arguments, ...Object.keys(schema.blocks)])})`);
    }
  }
  return errors;
}

function nearest(key, names) {
  const distance = (a, b) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const best = names.map((n) => [distance(key, n), n]).sort((x, y) => x[0] - y[0])[0];
  return best && best[0] <= 3 ? `did you mean ${best[1]}?` : `known: ${names.join(', ')}`;
}

/** Checks terraform/: every module, with a variables.tf, outputs.tf and README.md each, and every root. */
export async function checkTerraform(root) {
  const errors = [];
  const cache = new Map();
  const load = async (dir) => {
    const key = path.resolve(dir);
    if (!cache.has(key)) cache.set(key, fs.existsSync(key) ? await loadModule(key) : null);
    return cache.get(key);
  };
  const loadTarget = async (fromDir, source) => (typeof source === 'string' && source.startsWith('.') ? load(path.join(fromDir, source)) : null);
  const modulesDir = path.join(root, 'modules');
  const moduleDirs = fs.existsSync(modulesDir) ? fs.readdirSync(modulesDir).map((d) => path.join(modulesDir, d)).filter((d) => fs.statSync(d).isDirectory()) : [];
  if (moduleDirs.length === 0) errors.push(`${root}: no modules`);
  for (const dir of moduleDirs) {
    for (const f of ['variables.tf', 'outputs.tf', 'README.md']) if (!fs.existsSync(path.join(dir, f))) errors.push(`${dir}: has no ${f}`);
    errors.push(...await checkModule(await load(dir), { isRoot: false, loadTarget }));
  }
  const examplesDir = path.join(root, 'examples');
  const roots = fs.existsSync(examplesDir) ? fs.readdirSync(examplesDir).map((d) => path.join(examplesDir, d)).filter((d) => fs.statSync(d).isDirectory()) : [];
  if (roots.length === 0) errors.push(`${root}: no root module under examples/`);
  for (const dir of roots) errors.push(...await checkModule(await load(dir), { isRoot: true, loadTarget }));
  return { errors, modules: moduleDirs.length, roots: roots.length, files: [...cache.values()].filter(Boolean).reduce((n, m) => n + m.files.length, 0) };
}
