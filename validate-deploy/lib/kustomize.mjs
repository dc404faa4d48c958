// A small, strict Kustomize: the subset trawl's knative/ uses (resources, patches, images), built
// without a kustomize binary. Anything outside the subset is an error, never silently skipped, and
// validate.mjs compares the result with `kubectl kustomize` wherever kubectl is installed.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const SUPPORTED_KEYS = new Set(['apiVersion', 'kind', 'resources', 'patches', 'images']);

export function readYamlDocs(file, text = fs.readFileSync(file, 'utf8')) {
  const docs = YAML.parseAllDocuments(text);
  const out = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

export function build(dir) {
  const kfile = path.join(dir, 'kustomization.yaml');
  if (!fs.existsSync(kfile)) throw new Error(`${dir}: no kustomization.yaml`);
  const [k] = readYamlDocs(kfile);
  for (const key of Object.keys(k)) {
    if (!SUPPORTED_KEYS.has(key)) throw new Error(`${kfile}: '${key}' is outside the checked Kustomize subset (${[...SUPPORTED_KEYS].join(', ')})`);
  }
  let objects = [];
  for (const entry of k.resources ?? []) {
    const target = path.join(dir, entry);
    if (!fs.existsSync(target)) throw new Error(`${kfile}: resource ${entry} does not exist`);
    objects.push(...(fs.statSync(target).isDirectory() ? build(target) : readYamlDocs(target)));
  }
  const seen = new Set();
  for (const o of objects) {
    const id = objectId(o);
    if (seen.has(id)) throw new Error(`${kfile}: ${id} is defined twice`);
    seen.add(id);
  }
  for (const [i, p] of (k.patches ?? []).entries()) {
    const where = `${kfile}: patches[${i}]`;
    const text = p.path ? fs.readFileSync(path.join(dir, p.path), 'utf8') : p.patch;
    if (typeof text !== 'string') throw new Error(`${where}: needs path or patch`);
    const docs = readYamlDocs(p.path ?? where, text);
    if (docs.length === 1 && Array.isArray(docs[0])) {
      if (!p.target) throw new Error(`${where}: a JSON6902 patch needs a target`);
      const targets = objects.filter((o) => matchesTarget(o, p.target));
      if (targets.length === 0) throw new Error(`${where}: target ${JSON.stringify(p.target)} matches nothing`);
      objects = objects.map((o) => (targets.includes(o) ? applyJson6902(o, docs[0], where) : o));
    } else {
      for (const patch of docs) {
        const targets = objects.filter((o) =>
          p.target ? matchesTarget(o, p.target) : sameObject(o, patch));
        if (targets.length === 0) throw new Error(`${where}: patch for ${objectId(patch)} matches nothing`);
        objects = objects.map((o) => (targets.includes(o) ? mergePatch(o, patch, isBuiltIn(o), `${where} ${objectId(o)}`) : o));
      }
    }
  }
  for (const image of k.images ?? []) {
    let used = false;
    objects = objects.map((o) => mapImages(o, (ref) => {
      const parsed = parseImage(ref);
      if (parsed.name !== image.name) return ref;
      used = true;
      const name = image.newName ?? parsed.name;
      if (image.digest) return `${name}@${image.digest}`;
      const tag = image.newTag ?? parsed.tag;
      return parsed.digest && !image.newTag ? `${name}@${parsed.digest}` : tag ? `${name}:${tag}` : name;
    }));
    if (!used) throw new Error(`${kfile}: image ${image.name} is used by no container`);
  }
  return objects;
}

export function objectId(o) {
  return `${o?.apiVersion}/${o?.kind}/${o?.metadata?.namespace ?? ''}/${o?.metadata?.name}`;
}

function group(apiVersion) {
  return apiVersion?.includes('/') ? apiVersion.split('/')[0] : '';
}

function isBuiltIn(o) {
  const g = group(o.apiVersion);
  return g === '' || !g.includes('.') || g.endsWith('.k8s.io') && !g.startsWith('gateway.');
}

function sameObject(o, patch) {
  return o.kind === patch.kind && o.metadata?.name === patch.metadata?.name
    && (patch.metadata?.namespace === undefined || o.metadata?.namespace === patch.metadata.namespace)
    && (patch.apiVersion === undefined || group(o.apiVersion) === group(patch.apiVersion));
}

function matchesTarget(o, t) {
  const [g, v] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  return (t.kind === undefined || t.kind === o.kind)
    && (t.name === undefined || t.name === o.metadata?.name)
    && (t.namespace === undefined || t.namespace === o.metadata?.namespace)
    && (t.group === undefined || t.group === g)
    && (t.version === undefined || t.version === v);
}

// Strategic merge for maps; lists are replaced (JSON merge patch), which is what Kustomize does for
// custom resources. For built-in kinds Kustomize merges lists by key instead, so a list there is
// refused: write a JSON6902 patch.
export function mergePatch(target, patch, builtIn, where) {
  const walk = (t, p, at) => {
    if (p === null) return undefined;
    if (Array.isArray(p)) {
      if (builtIn) throw new Error(`${where}: list at ${at} in a strategic merge patch of a built-in kind; use a JSON6902 patch`);
      return structuredClone(p);
    }
    if (typeof p !== 'object') return p;
    const out = t && typeof t === 'object' && !Array.isArray(t) ? { ...t } : {};
    for (const [key, value] of Object.entries(p)) {
      const merged = walk(out[key], value, `${at}/${key}`);
      if (merged === undefined) delete out[key]; else out[key] = merged;
    }
    return out;
  };
  return walk(structuredClone(target), patch, '');
}

function pointer(p) {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new Error(`bad JSON pointer ${p}`);
  return p.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function applyJson6902(target, ops, where) {
  const doc = structuredClone(target);
  for (const op of ops) {
    const parts = pointer(op.path);
    const last = parts.pop();
    let parent = doc;
    for (const part of parts) {
      parent = Array.isArray(parent) ? parent[Number(part)] : parent?.[part];
      if (parent === undefined) throw new Error(`${where}: ${op.op} ${op.path}: no such path in ${objectId(target)}`);
    }
    const has = Array.isArray(parent) ? Number(last) < parent.length : Object.hasOwn(parent, last);
    switch (op.op) {
      case 'test':
        if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) {
          throw new Error(`${where}: test ${op.path} expected ${JSON.stringify(op.value)}, found ${JSON.stringify(parent[last])} in ${objectId(target)}`);
        }
        break;
      case 'replace':
        if (!has) throw new Error(`${where}: replace ${op.path}: no such path in ${objectId(target)}`);
        parent[last] = structuredClone(op.value);
        break;
      case 'add':
        if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, structuredClone(op.value));
        else parent[last] = structuredClone(op.value);
        break;
      case 'remove':
        if (!has) throw new Error(`${where}: remove ${op.path}: no such path in ${objectId(target)}`);
        if (Array.isArray(parent)) parent.splice(Number(last), 1); else delete parent[last];
        break;
      default:
        throw new Error(`${where}: JSON6902 op '${op.op}' is outside the checked subset`);
    }
  }
  return doc;
}

export function parseImage(ref) {
  let rest = ref;
  let digest;
  const at = rest.indexOf('@');
  if (at >= 0) { digest = rest.slice(at + 1); rest = rest.slice(0, at); }
  let tag;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) { tag = rest.slice(colon + 1); rest = rest.slice(0, colon); }
  return { name: rest, tag, digest };
}

/** Every container of any pod template, wherever it sits (Deployment, DaemonSet, Knative Service, JobSink's Job). */
export function containersOf(o) {
  const found = [];
  const walk = (node) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach(walk); return; }
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
        value.filter((c) => c && typeof c === 'object').forEach((c) => found.push(c));
      } else walk(value);
    }
  };
  walk(o);
  return found;
}

export function mapImages(o, fn) {
  const copy = structuredClone(o);
  for (const c of containersOf(copy)) if (typeof c.image === 'string') c.image = fn(c.image);
  return copy;
}
