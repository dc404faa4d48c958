// Strict structural check of Kubernetes objects: each object is type-checked by the TypeScript
// compiler as an object literal of its kind's published type (kubernetes-models, Knative, Gateway
// API, cert-manager, Prometheus operator; types/ holds the few CRDs no package publishes). An
// object literal gets TypeScript's excess-property check at every depth, so an unknown field
// (`timeoutSecond`, `runAsNonRot`) fails, and so does a value outside a string-literal enum. The
// JSON-schema check (schemas.mjs) still runs for formats and required fields.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODULES = path.join(HERE, 'node_modules');

// Which package publishes the types of an API group (first match wins).
const SOURCES = [
  [(g) => g.endsWith('knative.dev'), '@kubernetes-models/knative'],
  [(g) => g.startsWith('gateway.networking.'), '@kubernetes-models/gateway-api'],
  [(g) => g === 'cert-manager.io' || g === 'acme.cert-manager.io', '@kubernetes-models/cert-manager'],
  [(g) => g === 'monitoring.coreos.com', '@kubernetes-models/prometheus-operator'],
  [(g) => g === '' || !g.includes('.') || g.endsWith('.k8s.io'), 'kubernetes-models'],
];

/** The .d.ts that declares I<Kind> for this apiVersion, or undefined. */
export function typeFileOf(apiVersion, kind) {
  const [g, v] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const own = path.join(HERE, 'types', g, v, `${kind}.d.ts`);
  if (fs.existsSync(own)) return own;
  const pkg = SOURCES.find(([accepts]) => accepts(g))?.[1];
  if (!pkg) return undefined;
  const file = path.join(MODULES, pkg, ...(g ? [g, v] : [v]), `${kind}.d.ts`);
  return fs.existsSync(file) ? file : undefined;
}

const OPTIONS = {
  strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['lib.es2022.d.ts'],
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
};

/**
 * Checks many objects. `objects` is a list of [label, object]; the answer maps each label to its
 * errors (empty when the object is valid). TypeScript stops at an object's first mismatch, so an
 * object with an unknown field is checked again without it, to report every one (a few rounds).
 */
export function strictCheck(objects, rounds = 6) {
  const result = new Map(objects.map(([label]) => [label, []]));
  let pending = objects.map(([label, o]) => [label, structuredClone(o)]);
  for (let round = 0; round < rounds && pending.length; round++) {
    const found = checkOnce(pending);
    const again = [];
    for (const [label, o] of pending) {
      const errors = found.get(label);
      result.get(label).push(...errors.map((e) => e.text));
      const removable = errors.filter((e) => e.unknown);
      if (removable.length && removable.length === errors.length) {
        for (const e of removable) deletePath(o, e.path);
        again.push([label, o]);
      }
    }
    pending = again;
  }
  return result;
}

function deletePath(o, parts) {
  let node = o;
  for (const p of parts.slice(0, -1)) node = node?.[p];
  if (node && typeof node === 'object') delete node[parts.at(-1)];
}

function checkOnce(objects) {
  const virtual = new Map();
  const labels = new Map();
  const result = new Map(objects.map(([label]) => [label, []]));
  objects.forEach(([label, o], i) => {
    const file = typeof o?.apiVersion === 'string' && typeof o?.kind === 'string' ? typeFileOf(o.apiVersion, o.kind) : undefined;
    if (!file) { result.get(label).push({ text: `no published schema for ${o?.apiVersion} ${o?.kind}` }); return; }
    const name = path.join(HERE, '.strict', `o${i}.ts`);
    const spec = path.relative(path.dirname(name), file).replace(/\.d\.ts$/, '.js').split(path.sep).join('/');
    virtual.set(name, `import type { I${o.kind} } from "${spec}";\n// status is the controller's, never a manifest's (some models make it required)
export const o: Omit<I${o.kind}, "status"> = ${JSON.stringify(o, null, 1)};\n`);
    labels.set(name, label);
  });
  if (virtual.size === 0) return result;
  const host = ts.createCompilerHost(OPTIONS, true);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const source = host.getSourceFile.bind(host);
  host.readFile = (f) => virtual.get(path.resolve(f)) ?? read(f);
  host.fileExists = (f) => virtual.has(path.resolve(f)) || exists(f);
  host.getSourceFile = (f, lang, onError) => (virtual.has(path.resolve(f))
    ? ts.createSourceFile(f, virtual.get(path.resolve(f)), lang, true) : source(f, lang, onError));
  const program = ts.createProgram([...virtual.keys()], OPTIONS, host);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const label = d.file && labels.get(path.resolve(d.file.fileName));
    const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (!label) throw new Error(`type check of the schemas themselves failed: ${text}`);
    const where = fieldPath(d);
    const unknown = /Object literal may only specify known properties, and '"?([^'"]+)"?' does not exist/.exec(text)?.[1];
    result.get(label).push({ text: `${where.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1) || '(object)'}: ${conciseMessage(text)}`, unknown, path: where });
  }
  return result;
}

// The JSON path of the literal a diagnostic points at (spec.template.spec.timeoutSecond).
function fieldPath(d) {
  let node = findNode(d.file, d.start);
  const parts = [];
  while (node) {
    if (ts.isPropertyAssignment(node)) parts.unshift(node.name.text ?? node.name.getText());
    else if (node.parent && ts.isArrayLiteralExpression(node.parent)) parts.unshift(node.parent.elements.indexOf(node));
    node = node.parent;
  }
  return parts;
}

function findNode(file, pos) {
  let found;
  const visit = (n) => { if (pos >= n.getStart(file) && pos < n.getEnd()) { found = n; ts.forEachChild(n, visit); } };
  ts.forEachChild(file, visit);
  return found;
}

// TypeScript names the interface chain; the field and what is wrong with it is what a reader needs.
function conciseMessage(text) {
  const unknown = /Object literal may only specify known properties, and '"?([^'"]+)"?' does not exist in type '([^']+)'/.exec(text);
  if (unknown) return `unknown field ${unknown[1]} (not in ${unknown[2].replace(/^I(IoK8s|Dev|Io)?/, '')})`;
  const notAssignable = /Type '([^']+)' is not assignable to type '([^']+)'/.exec(text);
  if (notAssignable) return `${notAssignable[1]} is not one of ${notAssignable[2]}`;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
