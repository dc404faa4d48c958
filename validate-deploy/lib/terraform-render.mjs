// What Terraform's module apps applies, rendered offline: its images.tf evaluated by Terraform
// itself (`terraform console`, no providers needed) with a test registry and tag, then the overlay
// built with those images, as the kustomization_overlay data source does, by kubectl kustomize
// when installed and by lib/kustomize.mjs always.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import YAML from 'yaml';
import { parse } from '@cdktf/hcl2json';
import { build, containersOf, objectId } from './kustomize.mjs';

export const TEST_REGISTRY = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/trawl-check';
export const TEST_TAG = '9.9.9-check';

const DUMMY = { string: 'x', number: 1, bool: false };

/** The images Terraform would pass to Kustomize for this overlay: [{ name, new_name, new_tag }]. */
export async function terraformImages(appsModule, overlayDir) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'trawl-tf-images-'));
  try {
    const variables = fs.readFileSync(path.join(appsModule, 'variables.tf'), 'utf8');
    fs.writeFileSync(path.join(scratch, 'variables.tf'), variables);
    fs.copyFileSync(path.join(appsModule, 'images.tf'), path.join(scratch, 'images.tf'));
    const values = { overlay_path: overlayDir, image_registry: TEST_REGISTRY, image_tag: TEST_TAG };
    for (const [name, [body]] of Object.entries((await parse('variables.tf', variables)).variable ?? {})) {
      if (name in values || 'default' in body) continue;
      const type = /^\$\{(\w+)/.exec(body.type ?? '')?.[1] ?? 'string';
      values[name] = DUMMY[type] ?? {};
    }
    fs.writeFileSync(path.join(scratch, 'terraform.tfvars.json'), JSON.stringify(values));
    const out = execFileSync('terraform', ['console'], {
      cwd: scratch, input: 'jsonencode(local.images)\n', encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
    });
    return JSON.parse(JSON.parse(out.trim().split('\n').pop()));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The objects of the overlay with Terraform's images applied. `kubectl` also renders it when true. */
export function renderWithImages(overlayDir, images, { kubectl = false } = {}) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'trawl-tf-render-'));
  try {
    fs.writeFileSync(path.join(scratch, 'kustomization.yaml'), YAML.stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [path.relative(scratch, overlayDir)],
      images: images.map((i) => ({ name: i.name, newName: i.new_name, newTag: i.new_tag })),
    }));
    const ours = build(scratch);
    const theirs = kubectl
      ? YAML.parseAllDocuments(execFileSync('kubectl', ['kustomize', scratch], { encoding: 'utf8' })).map((d) => d.toJS()).filter(Boolean)
      : undefined;
    return { ours, theirs };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Every container whose image is not the configured registry's image of that name at the configured tag. */
export function wrongImages(objects, logicalNames) {
  const expected = new Set(logicalNames.map((n) => `${TEST_REGISTRY}/${n}:${TEST_TAG}`));
  const errors = [];
  for (const o of objects) {
    for (const c of containersOf(o)) {
      if (!expected.has(c.image) && logicalNames.some((n) => c.image?.includes(n))) errors.push(`${objectId(o)} container ${c.name}: image ${c.image}, not Terraform's ${TEST_REGISTRY}/…:${TEST_TAG}`);
    }
  }
  return errors;
}

/** The data source's images block must take its three fields from local.images, as images.tf computes them. */
export async function imagesBlockErrors(appsModule) {
  const json = await parse('main.tf', fs.readFileSync(path.join(appsModule, 'main.tf'), 'utf8'));
  const overlay = Object.values(json.data?.kustomization_overlay ?? {})[0]?.[0];
  const dyn = overlay?.dynamic?.images?.[0];
  const content = dyn?.content?.[0] ?? {};
  const errors = [];
  if (dyn?.for_each !== '${local.images}') errors.push(`modules/apps/main.tf: the overlay's dynamic "images" does not iterate over local.images (images.tf)`);
  for (const f of ['name', 'new_name', 'new_tag']) {
    if (content[f] !== `\${images.value.${f}}`) errors.push(`modules/apps/main.tf: images.${f} is ${content[f]}, not images.value.${f}`);
  }
  if (overlay?.images) errors.push('modules/apps/main.tf: a static images block beside the dynamic one');
  return errors;
}
