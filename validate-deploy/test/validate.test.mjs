// The checks must fail on broken deployments, not only pass on this one.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, applyJson6902, mergePatch } from '../lib/kustomize.mjs';
import { validateObject } from '../lib/schemas.mjs';
import { checkReferences, functionGroupsOf, settingNamesOf } from '../lib/references.mjs';
import { checkTerraform } from '../lib/terraform.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EVENT_TYPES = ['dev.trawl.pcap.uploaded', 'dev.trawl.snapshot.requested', 'dev.trawl.dissection.requested', 'dev.trawl.dissection.cancelled'];
const prod = () => build(path.join(root, 'knative/overlays/prod'));
const named = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const GROUPS = functionGroupsOf(root);
const SETTINGS = settingNamesOf(root);
const check = (objects) => checkReferences(objects, { eventTypes: EVENT_TYPES, functionGroups: GROUPS, settingNames: SETTINGS, requireMappedImages: true });

test('the repository\'s prod overlay passes every reference check', () => {
  assert.deepEqual(check(prod()), []);
});

test('a Trigger whose subscriber does not exist is reported', () => {
  const objects = prod();
  named(objects, 'Trigger', 'realtime-dissector-on-pcap-uploaded').spec.subscriber.ref.name = 'trawl-dissectr';
  assert.ok(check(objects).some((e) => e.includes('subscriber serving.knative.dev/v1/Service trawl-dissectr does not exist')));
});

test('the MCP Service without the mcp group, or a group the code does not declare, is reported', () => {
  const objects = prod();
  const env = named(objects, 'Service', 'trawl-mcp').spec.template.spec.containers[0].env.find((e) => e.name === 'TRAWL_FUNCTIONS');
  env.value = env.value.replace(',mcp', '');
  assert.ok(check(objects).some((e) => e.includes('/mcp goes to trawl-mcp') && e.includes('not every group')));
  named(objects, 'Service', 'trawl-calls').spec.template.spec.containers[0].env.find((e) => e.name === 'TRAWL_FUNCTIONS').value = 'call';
  assert.ok(check(objects).includes('Service trawl-calls: TRAWL_FUNCTIONS names call, which is no endpoint group of the functions (' + GROUPS.join(', ') + ')'));
});

test('a setting no code reads, or one a component cannot run without missing, is reported', () => {
  const objects = prod();
  const config = named(objects, 'ConfigMap', 'trawl-config');
  config.data.TRAWL_S3_BUCKT = config.data.TRAWL_S3_BUCKET;
  delete config.data.TRAWL_S3_BUCKET;
  const job = named(objects, 'JobSink', 'trawl-dissection-jobs').spec.job.spec.template.spec.containers[0];
  job.envFrom = job.envFrom.filter((f) => !f.secretRef);
  const errors = check(objects);
  assert.ok(errors.includes('ConfigMap trawl-config: TRAWL_S3_BUCKT is read by no code'));
  assert.ok(errors.includes('Service trawl-calls: trawl-functions needs TRAWL_S3_BUCKET, which neither its env, its ConfigMaps nor its Secrets give'));
  assert.ok(errors.includes('JobSink trawl-dissection-jobs: trawl-dissector needs TRAWL_CLICKHOUSE_PASSWORD, which neither its env, its ConfigMaps nor its Secrets give'));
  assert.ok(!errors.some((e) => e.startsWith('Service trawl-snapshots') && e.includes('CLICKHOUSE')), 'the snapshots group does not talk to ClickHouse');
});

test('a namespaced object without a namespace is reported', () => {
  const objects = prod();
  delete named(objects, 'Trigger', 'snapshots-on-pcap-uploaded').metadata.namespace;
  assert.ok(check(objects).includes('Trigger snapshots-on-pcap-uploaded: no metadata.namespace (it would land in the client\'s default namespace)'));
});

test('an event type that no Trigger routes is reported', () => {
  const objects = prod().filter((o) => !(o.kind === 'Trigger' && o.spec.filter.attributes.type === 'dev.trawl.dissection.cancelled'));
  assert.ok(check(objects).includes('event type dev.trawl.dissection.cancelled is routed by no Trigger to an existing receiver'));
});

test('a Trigger on a type that is not trawl\'s is reported', () => {
  const objects = prod();
  named(objects, 'Trigger', 'snapshots-on-snapshot-requested').spec.filter.attributes.type = 'dev.trawl.snapshot.requestd';
  assert.ok(check(objects).some((e) => e.includes('dev.trawl.snapshot.requestd is not one of TrawlEvents\' types')));
});

test('an /mcp path routed to a Service that does not serve its group is reported', () => {
  const objects = prod();
  const route = named(objects, 'HTTPRoute', 'trawl-mcp');
  const calls = route.spec.rules.find((r) => r.matches.some((m) => m.path.value === '/mcp/calls'));
  calls.filters[0].urlRewrite.hostname = 'trawl-snapshots.trawl.svc.cluster.local';
  calls.timeouts.request = '3600s';
  assert.ok(check(objects).some((e) => e.includes('/mcp/calls goes to trawl-snapshots, which serves snapshots, not calls')));
});

test('the MCP server on a Service without every group is reported (its tools call them all on the same pod)', () => {
  const objects = prod();
  const env = named(objects, 'Service', 'trawl-mcp').spec.template.spec.containers[0].env;
  env.find((e) => e.name === 'TRAWL_FUNCTIONS').value = 'calls';
  assert.ok(check(objects).some((e) => e.includes('/mcp goes to trawl-mcp, which serves calls, not every group')));
});

test('host networking or NET_ADMIN outside the privileged namespace is reported', () => {
  const objects = prod();
  const ds = named(objects, 'DaemonSet', 'trawl-capture');
  ds.metadata.namespace = 'trawl';
  const errors = check(objects);
  assert.ok(errors.includes('DaemonSet trawl-capture: hostNetwork is refused by namespace trawl (Pod Security baseline)'));
  assert.ok(errors.includes('DaemonSet trawl-capture: capability NET_ADMIN is refused by namespace trawl (Pod Security baseline)'));
  assert.ok(errors.includes('DaemonSet trawl-capture: capability NET_RAW is refused by namespace trawl (Pod Security baseline)'));
  assert.ok(!errors.some((e) => e.includes('namespace trawl-capture')), 'the privileged namespace allows the daemon');
});

test('a gateway timeout shorter than the export\'s is reported', () => {
  const objects = prod();
  const route = named(objects, 'HTTPRoute', 'trawl-mcp');
  route.spec.rules.find((r) => r.matches.some((m) => m.path.value === '/mcp/snapshots')).timeouts.request = '60s';
  assert.ok(check(objects).some((e) => e.includes("is shorter than trawl-snapshots's 3600s")));
});

test('the capture daemon without NET_RAW, host network or a bounded spool is reported', () => {
  const objects = prod();
  const spec = named(objects, 'DaemonSet', 'trawl-capture').spec.template.spec;
  spec.containers[0].securityContext.capabilities.add = ['NET_ADMIN'];
  delete spec.hostNetwork;
  delete spec.volumes[0].emptyDir.sizeLimit;
  const errors = check(objects);
  assert.ok(errors.includes('DaemonSet trawl-capture: lacks capability NET_RAW'));
  assert.ok(errors.includes('DaemonSet trawl-capture: needs hostNetwork'));
  assert.ok(errors.includes('DaemonSet trawl-capture: emptyDir spool has no sizeLimit'));
});

test('a dissection JobSink whose Job is not Indexed, or whose workers or job repository are missing, is reported', () => {
  const objects = prod();
  const job = named(objects, 'JobSink', 'trawl-dissection-jobs').spec.job.spec;
  delete job.completionMode;
  job.completions = 8;
  const container = job.template.spec.containers[0];
  container.envFrom = container.envFrom.filter((f) => f.secretRef?.name !== 'trawl-job-repository');
  const errors = check(objects);
  assert.ok(errors.includes('JobSink trawl-dissection-jobs: its Job is not Indexed (completionMode: Indexed spreads a dissection\'s partitions over pods)'));
  assert.ok(errors.includes('JobSink trawl-dissection-jobs: TRAWL_DISSECTION_WORKERS (4) is not the Job\'s completions (8)'));
  assert.ok(errors.includes('JobSink trawl-dissection-jobs: no TRAWL_JOB_REPOSITORY_URL (the workers\' shared job repository)'));
});

test('a missing ServiceAccount, ConfigMap, PriorityClass or unmapped image is reported', () => {
  const objects = prod().filter((o) => !(o.kind === 'ServiceAccount' && o.metadata.name === 'trawl-dissector') && o.kind !== 'ConfigMap' && o.kind !== 'PriorityClass');
  named(objects, 'Service', 'trawl-calls').spec.template.spec.containers[0].image = 'trawl-functions';
  const errors = check(objects);
  assert.ok(errors.includes('JobSink trawl-dissection-jobs: ServiceAccount trawl-dissector does not exist'));
  assert.ok(errors.includes('Service trawl-calls: ConfigMap trawl-config does not exist'));
  assert.ok(errors.includes('Service trawl-calls: image trawl-functions is not mapped to a registry and tag by the overlay'));
  assert.ok(errors.includes('DaemonSet trawl-capture: PriorityClass trawl-capture does not exist'));
});

test('schema validation rejects wrong types and missing required fields', async () => {
  const objects = prod();
  const ksvc = structuredClone(named(objects, 'Service', 'trawl-snapshots'));
  ksvc.spec.template.spec.containerConcurrency = 'four';
  assert.ok((await validateObject(ksvc)).some((e) => e.includes('containerConcurrency must be integer')));
  const job = structuredClone(named(objects, 'JobSink', 'trawl-dissection-jobs'));
  delete job.spec.job.spec.template.spec.containers[0].name;
  assert.ok((await validateObject(job)).some((e) => e.includes("must have required property 'name'") || e.includes('must have required property name')));
  assert.deepEqual(await validateObject({ apiVersion: 'serving.knative.dev/v9', kind: 'Service' }), ['serving.knative.dev/v9 is not a known API group/version']);
});

test('kustomize subset: a JSON6902 test guards an index, a list in a built-in strategic patch is refused', () => {
  const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'x' }, spec: { env: [{ name: 'A', value: '1' }] } };
  assert.throws(() => applyJson6902(ds, [{ op: 'test', path: '/spec/env/0/name', value: 'B' }], 'p'), /expected "B", found "A"/);
  assert.equal(applyJson6902(ds, [{ op: 'replace', path: '/spec/env/0/value', value: '2' }], 'p').spec.env[0].value, '2');
  assert.throws(() => mergePatch(ds, { spec: { env: [] } }, true, 'p'), /use a JSON6902 patch/);
  assert.deepEqual(mergePatch({ a: { b: 1, c: 2 } }, { a: { b: null, d: 3 } }, false, 'p'), { a: { c: 2, d: 3 } });
});

test('kustomize subset: an unsupported field fails instead of being ignored', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-'));
  scratch.push(dir);
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: []\nnamePrefix: x-\n');
  assert.throws(() => build(dir), /'namePrefix' is outside the checked Kustomize subset/);
});

const scratch = [];
after(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function terraformTree(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-'));
  scratch.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const GOOD_MODULE = {
  'modules/m/variables.tf': 'variable "name" {\n  description = "n"\n  type = string\n}\n',
  'modules/m/main.tf': 'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n      version = "5.100.0"\n    }\n  }\n}\nresource "aws_s3_bucket" "b" {\n  bucket = var.name\n}\n',
  'modules/m/outputs.tf': 'output "arn" {\n  description = "a"\n  value = aws_s3_bucket.b.arn\n}\n',
  'modules/m/README.md': '# m\n',
  'examples/e/main.tf': 'terraform {\n  required_version = ">= 1.6.0"\n}\nmodule "m" {\n  source = "../../modules/m"\n  name = "x"\n}\noutput "arn" {\n  description = "a"\n  value = module.m.arn\n}\n',
};

test('terraform: a correct tree passes', async () => {
  assert.deepEqual((await checkTerraform(terraformTree(GOOD_MODULE))).errors, []);
});

test('terraform: undeclared and unused variables, unknown outputs and inputs, missing inputs, loose pins, bad syntax', async () => {
  const cases = [
    ['modules/m/main.tf', (t) => t.replace('bucket = var.name', 'bucket = var.nme'), /var\.nme is not declared/],
    ['modules/m/variables.tf', (t) => `${t}variable "unused" {\n  description = "u"\n}\n`, /variable unused is declared but never used/],
    ['examples/e/main.tf', (t) => t.replace('module.m.arn', 'module.m.id'), /module\.m\.id: \.\.\/\.\.\/modules\/m has no output id/],
    ['examples/e/main.tf', (t) => t.replace('name = "x"', 'name = "x"\n  nme = "y"'), /passes nme, which \.\.\/\.\.\/modules\/m does not declare/],
    ['examples/e/main.tf', (t) => t.replace('name = "x"', ''), /does not pass required variable name/],
    ['modules/m/main.tf', (t) => t.replace('"5.100.0"', '"~> 5.0"'), /provider aws is not pinned to an exact version/],
    ['modules/m/outputs.tf', (t) => t.replace('aws_s3_bucket.b.arn', 'aws_s3_bucket.c.arn'), /aws_s3_bucket\.c is not declared/],
    ['modules/m/main.tf', (t) => t.replace('bucket = var.name', 'bucket = '), /Invalid expression|parse/],
    ['modules/m/outputs.tf', () => '', null],
  ];
  for (const [file, edit, expected] of cases) {
    const files = { ...GOOD_MODULE, [file]: edit(GOOD_MODULE[file]) };
    const { errors } = await checkTerraform(terraformTree(files));
    if (expected) assert.ok(errors.some((e) => expected.test(e)), `${expected} in ${JSON.stringify(errors)}`);
    else assert.ok(errors.some((e) => /module\.m\.arn: .* has no output arn/.test(e)), JSON.stringify(errors));
  }
});

test('the repository\'s terraform passes', async () => {
  assert.deepEqual((await checkTerraform(path.join(root, 'terraform'))).errors, []);
});
