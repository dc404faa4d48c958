#!/usr/bin/env node
// trawl's deployment, checked offline: node validate.mjs <project root>
//  1. knative/: base and overlays built (lib/kustomize.mjs; compared with `kubectl kustomize` when
//     kubectl is installed), every object against the Kubernetes, Knative and Gateway API schemas
//     and strictly against its kind's types (lib/strict.mjs: no unknown field, enums), and the references between objects (lib/references.mjs): each trawl event type (from
//     TrawlEvents.java) routed by a Trigger of knative/base/eventing/triggers.yaml to a Service or
//     JobSink that exists, each /mcp endpoint to the Service of its group (groups read from the
//     code's @FunctionGroup), every TRAWL_* setting one the code reads and the ones each image
//     needs given to it.
//  2. terraform/: syntax of every .tf, references, module inputs/outputs, pinned providers, every
//     argument against the pinned provider's schema (lib/terraform.mjs, lib/providers.mjs);
//     `terraform fmt -check`, and what module apps renders with Terraform's images
//     (lib/terraform-render.mjs), when terraform is installed (offline).
// Prints one line per check and ends with "N passed, N failed"; exits 1 when anything failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { build, objectId } from './lib/kustomize.mjs';
import { validateObject } from './lib/schemas.mjs';
import { strictCheck } from './lib/strict.mjs';
import { imagesBlockErrors, renderWithImages, terraformImages, wrongImages } from './lib/terraform-render.mjs';
import { checkReferences, functionGroupsOf, settingNamesOf } from './lib/references.mjs';
import { checkTerraform } from './lib/terraform.mjs';
import YAML from 'yaml';

const root = path.resolve(process.argv[2] ?? '..');
let passed = 0;
let failed = 0;
function report(name, errors) {
  if (errors.length === 0) { passed++; console.log(`ok    ${name}`); return; }
  failed++;
  console.log(`FAIL  ${name}`);
  for (const e of errors) console.log(`        ${e.replaceAll(root + path.sep, '')}`);
}

export function trawlEventTypes(projectRoot) {
  const java = fs.readFileSync(path.join(projectRoot, 'core/src/main/java/dev/trawl/core/events/TrawlEvents.java'), 'utf8');
  return [...java.matchAll(/static final String \w+ = "(dev\.trawl\.[a-z.]+)"/g)].map((m) => m[1]);
}

function hasCommand(cmd) {
  try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

function canonical(objects) {
  const sortKeys = (v) => Array.isArray(v) ? v.map(sortKeys)
    : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v;
  return new Map(objects.map((o) => [objectId(o), JSON.stringify(sortKeys(o))]));
}

const eventTypes = trawlEventTypes(root);
report(`TrawlEvents declares trawl's event types (${eventTypes.join(', ')})`, eventTypes.length ? [] : ['no dev.trawl.* constants found']);

const functionGroups = functionGroupsOf(root);
report(`the functions declare their endpoint groups (${functionGroups.join(', ')})`, functionGroups.includes('mcp') ? [] : ['no @FunctionGroup("mcp") found in functions/src/main/java']);

const settingNames = settingNamesOf(root);
const knative = path.join(root, 'knative');
const targets = [['base', path.join(knative, 'base'), false]];
for (const o of fs.readdirSync(path.join(knative, 'overlays')).sort()) targets.push([`overlays/${o}`, path.join(knative, 'overlays', o), true]);
const kubectl = hasCommand('kubectl');
for (const [name, dir, isOverlay] of targets) {
  let objects;
  try {
    objects = build(dir);
    report(`knative/${name}: builds (${objects.length} objects)`, []);
  } catch (e) {
    report(`knative/${name}: builds`, [e.message]);
    continue;
  }
  if (kubectl) {
    const errors = [];
    try {
      const theirs = canonical(YAML.parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })).map((d) => d.toJS()).filter(Boolean));
      const ours = canonical(objects);
      for (const [id, json] of ours) if (theirs.get(id) !== json) errors.push(`${id} differs from kubectl kustomize's`);
      for (const id of theirs.keys()) if (!ours.has(id)) errors.push(`${id} is only in kubectl kustomize's output`);
    } catch (e) {
      errors.push(`kubectl kustomize failed: ${e.message.split('\n')[0]}`);
    }
    report(`knative/${name}: same objects as kubectl kustomize`, errors);
  }
  const schemaErrors = [];
  for (const o of objects) for (const e of await validateObject(o)) schemaErrors.push(`${objectId(o)}: ${e}`);
  report(`knative/${name}: every object valid against the Kubernetes, Knative and Gateway API schemas`, schemaErrors);
  const strictErrors = [];
  for (const [id, errors] of strictCheck(objects.map((o) => [objectId(o), o]))) for (const e of errors) strictErrors.push(`${id}: ${e}`);
  report(`knative/${name}: no unknown field and no value outside an enum in any object (strict types of every kind)`, strictErrors);
  report(`knative/${name}: references resolve, every trawl event and /mcp endpoint reaches its receiver`,
    checkReferences(objects, { eventTypes, functionGroups, settingNames, requireMappedImages: isOverlay }));
}

// triggers.yaml is the one routing definition: the local router reads exactly this file
const triggersFile = path.join(knative, 'base/eventing/triggers.yaml');
const triggerErrors = [];
const base = YAML.parseAllDocuments(fs.readFileSync(path.join(knative, 'base/kustomization.yaml'), 'utf8'))[0].toJS();
if (!base.resources.includes('eventing/triggers.yaml')) triggerErrors.push('knative/base does not include eventing/triggers.yaml');
for (const dir of targets.map((t) => t[1])) {
  for (const f of fs.readdirSync(dir, { recursive: true }).filter((f) => /\.ya?ml$/.test(f))) {
    const full = path.join(dir, f);
    if (full === triggersFile) continue;
    if (/^kind:\s*Trigger\s*$/m.test(fs.readFileSync(full, 'utf8'))) triggerErrors.push(`${path.relative(root, full)} defines a Trigger outside triggers.yaml`);
  }
}
report('knative/base/eventing/triggers.yaml is the only place Triggers are defined', triggerErrors);

// images: each module that ships one names a main class that exists (once the module has sources)
const imageErrors = [];
const imageModules = [];
for (const module of fs.readdirSync(root)) {
  const pom = path.join(root, module, 'pom.xml');
  if (!fs.existsSync(pom)) continue;
  const text = fs.readFileSync(pom, 'utf8');
  const main = /<trawl\.image\.mainClass>([^<]+)<\/trawl\.image\.mainClass>/.exec(text)?.[1];
  if (!main) continue;
  imageModules.push(module);
  if (!/<jib\.skip>false<\/jib\.skip>/.test(text)) imageErrors.push(`${module}: names a main class but does not set jib.skip=false`);
  const sources = path.join(root, module, 'src/main/java');
  if (fs.existsSync(sources) && !fs.existsSync(path.join(sources, `${main.replaceAll('.', '/')}.java`))) {
    imageErrors.push(`${module}: image main class ${main} has no source in ${module}/src/main/java`);
  }
}
for (const image of ['trawl-functions', 'trawl-dissector', 'trawl-capture-daemon']) {
  if (!imageModules.some((m) => fs.readFileSync(path.join(root, m, 'pom.xml'), 'utf8').includes(`<trawl.image.name>${image}</trawl.image.name>`))) {
    imageErrors.push(`no module builds the image ${image} that the manifests use`);
  }
}
report(`images: ${imageModules.join(', ')} build the manifests' images from main classes that exist`, imageErrors);

// one layout, one retention: the IAM prefixes and the bucket's lifecycle are core's S3Layout, and
// the functions' TRAWL_RAW_RETENTION is the bucket's raw_retention_days
{
  const errors = [];
  const layout = fs.readFileSync(path.join(root, 'core/src/main/java/dev/trawl/core/s3/S3Layout.java'), 'utf8');
  const prefixes = new Set([...layout.matchAll(/static final String [A-Z]+ = "([a-z]+\/)"/g)].map((m) => m[1]));
  const iam = fs.readFileSync(path.join(root, 'terraform/modules/iam/main.tf'), 'utf8');
  const access = /access = tomap\(\{([\s\S]*?)\n  \}\)/.exec(iam)?.[1] ?? '';
  // list holds prefixes ("raw/"), read/write/delete key patterns ("raw/*", "nodes/*/raw-range.json")
  const used = new Set([...access.matchAll(/"([a-z]+\/)[^"]*"/g)].map((m) => m[1]));
  if (used.size === 0) errors.push('terraform/modules/iam: no prefixes found in local.access');
  for (const p of used) if (!prefixes.has(p)) errors.push(`terraform/modules/iam grants ${p}, which is no prefix of S3Layout (${[...prefixes].join(', ')})`);
  for (const p of prefixes) if (!used.has(p)) errors.push(`S3Layout's ${p} is granted to no component in terraform/modules/iam`);
  const bucket = fs.readFileSync(path.join(root, 'terraform/modules/s3-bucket/main.tf'), 'utf8');
  if (!/prefix = "raw\/"/.test(bucket) || !prefixes.has('raw/')) errors.push('the bucket lifecycle does not expire S3Layout\'s raw/');
  const days = /variable "raw_retention_days"[\s\S]*?default\s*=\s*(\d+)/.exec(fs.readFileSync(path.join(root, 'terraform/modules/s3-bucket/variables.tf'), 'utf8'))?.[1];
  const config = YAML.parseAllDocuments(fs.readFileSync(path.join(knative, 'base/config.yaml'), 'utf8'))
    .map((d) => d.toJS()).find((o) => o?.kind === 'ConfigMap' && o.metadata?.name === 'trawl-config');
  if (config?.data?.TRAWL_RAW_RETENTION !== `${days}d`) errors.push(`knative/base/config.yaml TRAWL_RAW_RETENTION ${config?.data?.TRAWL_RAW_RETENTION} differs from the bucket's default raw_retention_days ${days}`);
  report('S3 layout and retention agree between core, terraform and knative', errors);
}

// What Terraform applies: module apps' images (evaluated by Terraform) reach every container
if (hasCommand('terraform')) {
  const apps = path.join(root, 'terraform/modules/apps');
  for (const overlay of targets.filter((t) => t[2])) {
    const errors = await imagesBlockErrors(apps);
    try {
      const images = await terraformImages(apps, overlay[1]);
      const { ours, theirs } = renderWithImages(overlay[1], images, { kubectl });
      errors.push(...wrongImages(ours, ['trawl-functions', 'trawl-dissector', 'trawl-capture-daemon']));
      if (theirs) errors.push(...wrongImages(theirs, ['trawl-functions', 'trawl-dissector', 'trawl-capture-daemon']).map((e) => `kubectl kustomize: ${e}`));
    } catch (e) {
      errors.push(String(e.stderr || e.message).split('\n').filter(Boolean).slice(0, 3).join(' '));
    }
    report(`terraform/modules/apps on knative/${overlay[0]}: every container gets Terraform's image registry and tag`, errors);
  }
}

const tf = await checkTerraform(path.join(root, 'terraform'));
report(`terraform: ${tf.modules} modules and ${tf.roots} root module(s), ${tf.files} files: syntax, references, inputs/outputs, pinned providers`, tf.errors);
if (hasCommand('terraform')) {
  let errors = [];
  try {
    execFileSync('terraform', ['fmt', '-check', '-recursive', '-list=true', path.join(root, 'terraform')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    errors = [`not formatted: ${String(e.stdout || e.stderr).trim().split('\n').join(', ')}`];
  }
  report('terraform: terraform fmt -check', errors);
  // Terraform's own configuration loader on each root (local modules only, no provider download),
  // in a scratch copy so no .terraform directory lands in the repository
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'trawl-tf-'));
  try {
    fs.cpSync(path.join(root, 'terraform'), path.join(scratch, 'terraform'), { recursive: true });
    // file() paths that climb out of terraform/ must still resolve in the copy
    fs.cpSync(path.join(root, 'knative'), path.join(scratch, 'knative'), { recursive: true });
    fs.cpSync(path.join(root, 'core/src/main/resources'), path.join(scratch, 'core/src/main/resources'), { recursive: true });
    const loadErrors = [];
    for (const dir of fs.readdirSync(path.join(scratch, 'terraform/examples'))) {
      const cwd = path.join(scratch, 'terraform/examples', dir);
      for (const args of [['get', '-no-color'], ['providers', '-no-color']]) {
        try {
          execFileSync('terraform', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' } });
        } catch (e) {
          loadErrors.push(`examples/${dir}: terraform ${args[0]}: ${String(e.stderr || e.stdout).split('\n').filter((l) => /Error/.test(l)).join('; ')}`);
        }
      }
    }
    report('terraform: the roots load with Terraform itself (terraform get, terraform providers)', loadErrors);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
