import fs from 'node:fs';
import path from 'node:path';
// Checks between the objects of one kustomize build: every name that one object gives another
// resolves, events reach a receiver, /mcp paths reach the Service that serves them.
import { containersOf, objectId, parseImage } from './kustomize.mjs';

// The HTTP API (seeds/ plus Kubeshark's extras): a request path and the endpoint group that serves
// it. '*' is the MCP server at /mcp: its tools call every group's endpoints on the same pod.
export const ENDPOINTS = [
  ['/mcp/raw-capture', 'raw-capture'],
  ['/mcp/data-boundaries', 'data-boundaries'],
  ['/mcp/snapshots', 'snapshots'],
  ['/mcp/snapshots/incident-001', 'snapshots'],
  ['/mcp/snapshots/incident-001/pcap', 'snapshots'],
  ['/mcp/dissections', 'dissections'],
  ['/mcp/dissections/incident-001/full', 'dissections'],
  ['/mcp/dissections/incident-001/full/stop', 'dissections'],
  ['/mcp/databases', 'databases'],
  ['/mcp/calls', 'calls'],
  ['/mcp', '*'],
];

// Secrets that are written outside the manifests, never committed, and who writes them.
export const EXTERNAL_SECRETS = new Map([
  ['trawl/trawl-clickhouse', 'terraform/modules/apps (or kubectl create secret)'],
  ['trawl/trawl-tls', 'the certificate of the prod Gateway (cert-manager or by hand)'],
  ['trawl/trawl-job-repository', 'the PostgreSQL of the dissections\' Spring Batch job repository (terraform/modules/apps or kubectl create secret)'],
]);

// The variables each external Secret holds (envFrom of it gives exactly these).
const EXTERNAL_SECRET_KEYS = new Map([
  ['trawl/trawl-clickhouse', ['TRAWL_CLICKHOUSE_PASSWORD']],
  ['trawl/trawl-job-repository', ['TRAWL_JOB_REPOSITORY_URL', 'TRAWL_JOB_REPOSITORY_USER', 'TRAWL_JOB_REPOSITORY_PASSWORD']],
]);

// What each image cannot run without in a cluster (the code's defaults are the local stack's:
// ClickHouse on 127.0.0.1, the bucket "trawl"), and, for the functions, what only the groups that
// talk to ClickHouse need.
const REQUIRED_SETTINGS = {
  'trawl-capture-daemon': ['TRAWL_NODE', 'TRAWL_S3_BUCKET', 'TRAWL_S3_REGION'],
  'trawl-dissector': ['TRAWL_S3_BUCKET', 'TRAWL_S3_REGION', 'TRAWL_CLICKHOUSE_URL', 'TRAWL_CLICKHOUSE_USER', 'TRAWL_CLICKHOUSE_PASSWORD', 'TRAWL_CLICKHOUSE_DATABASE'],
  'trawl-functions': ['TRAWL_S3_BUCKET', 'TRAWL_S3_REGION', 'TRAWL_FUNCTIONS'],
};
const CLICKHOUSE_GROUPS = new Set(['dissections', 'databases', 'calls', 'mcp']);
const CLICKHOUSE_SETTINGS = ['TRAWL_CLICKHOUSE_URL', 'TRAWL_CLICKHOUSE_USER', 'TRAWL_CLICKHOUSE_PASSWORD', 'TRAWL_CLICKHOUSE_DATABASE'];

// The TRAWL_* settings the code reads (string literals in every module's main sources): a name
// set in a manifest and read by nothing is a typo or a leftover.
export function settingNamesOf(projectRoot) {
  const names = new Set();
  for (const module of fs.readdirSync(projectRoot)) {
    const dir = path.join(projectRoot, module, 'src/main/java');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.java'))) {
      for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/"(TRAWL_[A-Z0-9_]+)"/g)) names.add(m[1]);
    }
  }
  return names;
}

// Namespaces trawl's objects may live in without creating them (installed with Knative Serving).
export const EXTERNAL_NAMESPACES = new Set(['knative-serving']);
// Kinds without a namespace. Every other object must name its own: the overlays use no namespace
// transformer, and `kubectl apply -k` (or Terraform's kustomization provider) would put an object
// without one in whatever namespace the client defaults to, away from the Broker and Services.
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'GatewayClass',
  'CustomResourceDefinition', 'StorageClass', 'PersistentVolume', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);

// Capabilities the baseline Pod Security Standard allows a container to add.
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

// The endpoint groups the functions' code declares (@FunctionGroup): the only names TRAWL_FUNCTIONS
// can select. "mcp" (POST /mcp, the MCP server) is one of them, with no /mcp/... path of its own.
export function functionGroupsOf(projectRoot) {
  const groups = new Set();
  const dir = path.join(projectRoot, 'functions/src/main/java');
  for (const f of fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.java'))) {
    for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/@FunctionGroup\(\{?([^)}]*)\}?\)/g)) {
      for (const g of m[1].matchAll(/"([a-z-]+)"/g)) groups.add(g[1]);
    }
  }
  return [...groups].sort();
}

export function checkReferences(objects, { eventTypes, functionGroups: declaredGroups, settingNames, requireMappedImages = false, maxRevisionTimeout = 3600 }) {
  const errors = [];
  if (settingNames) errors.push(...checkSettings(objects, settingNames));
  for (const o of objects) {
    for (const c of containersOf(o)) {
      for (const g of declaredGroups ? functionGroupsOfService(c) : []) {
        if (!declaredGroups.includes(g)) errors.push(`${o.kind} ${o.metadata?.name}: TRAWL_FUNCTIONS names ${g}, which is no endpoint group of the functions (${declaredGroups.join(', ')})`);
      }
    }
  }
  const byKind = (apiVersion, kind) => objects.filter((o) => o.apiVersion === apiVersion && o.kind === kind);
  const find = (apiVersion, kind, namespace, name) =>
    objects.find((o) => o.apiVersion === apiVersion && o.kind === kind && o.metadata?.name === name
      && (namespace === undefined || o.metadata?.namespace === namespace));
  const ns = (o) => o.metadata?.namespace;
  const labelsMatch = (o, matchLabels) => Object.entries(matchLabels ?? {}).every(([k, v]) => o.metadata?.labels?.[k] === v);

  // a dissection spreads over pods: the JobSink's Job is Indexed, every index a worker that knows
  // how many there are, all on one persistent job repository
  for (const sink of byKind('sinks.knative.dev/v1alpha1', 'JobSink')) {
    const job = sink.spec?.job?.spec ?? {};
    const id = `JobSink ${sink.metadata?.name}`;
    if (job.completionMode !== 'Indexed') errors.push(`${id}: its Job is not Indexed (completionMode: Indexed spreads a dissection's partitions over pods)`);
    for (const c of job.template?.spec?.containers ?? []) {
      const workers = (c.env ?? []).find((e) => e.name === 'TRAWL_DISSECTION_WORKERS')?.value;
      if (String(workers) !== String(job.completions)) errors.push(`${id}: TRAWL_DISSECTION_WORKERS (${workers}) is not the Job's completions (${job.completions})`);
      const repository = (c.envFrom ?? []).some((f) => (EXTERNAL_SECRET_KEYS.get(`${ns(sink)}/${f.secretRef?.name}`) ?? []).includes('TRAWL_JOB_REPOSITORY_URL'))
        || (c.env ?? []).some((e) => e.name === 'TRAWL_JOB_REPOSITORY_URL');
      if (!repository) errors.push(`${id}: no TRAWL_JOB_REPOSITORY_URL (the workers' shared job repository)`);
    }
  }

  // Triggers: trawl's event types, each to a receiver that exists
  const triggers = byKind('eventing.knative.dev/v1', 'Trigger');
  const routed = new Map();
  for (const t of triggers) {
    const id = `Trigger ${t.metadata.name}`;
    if (!find('eventing.knative.dev/v1', 'Broker', ns(t), t.spec?.broker)) errors.push(`${id}: broker ${t.spec?.broker} does not exist in ${ns(t)}`);
    const type = t.spec?.filter?.attributes?.type;
    if (!type?.startsWith('dev.trawl.')) errors.push(`${id}: filters on type ${type}, not a trawl event type`);
    else if (!eventTypes.includes(type)) errors.push(`${id}: ${type} is not one of TrawlEvents' types (${eventTypes.join(', ')})`);
    const ref = t.spec?.subscriber?.ref;
    const target = ref && find(ref.apiVersion, ref.kind, ref.namespace ?? ns(t), ref.name);
    if (!target) errors.push(`${id}: subscriber ${ref?.apiVersion}/${ref?.kind} ${ref?.name} does not exist`);
    else if (!['Service', 'JobSink'].includes(ref.kind)) errors.push(`${id}: subscriber kind ${ref.kind} is neither a Knative Service nor a JobSink`);
    if (ref?.kind === 'Service' && t.spec.subscriber.uri !== '/events') errors.push(`${id}: a Service receives events at /events, not ${t.spec.subscriber.uri}`);
    if (target) routed.set(type, [...(routed.get(type) ?? []), `${ref.kind}/${ref.name}`]);
  }
  for (const type of eventTypes) {
    if (!routed.has(type)) errors.push(`event type ${type} is routed by no Trigger to an existing receiver`);
  }

  // SinkBindings: a subject to inject into, a sink to point at
  for (const b of byKind('sources.knative.dev/v1', 'SinkBinding')) {
    const id = `SinkBinding ${b.metadata.name}`;
    const s = b.spec?.subject ?? {};
    const subjects = objects.filter((o) => o.apiVersion === s.apiVersion && o.kind === s.kind && ns(o) === (s.namespace ?? ns(b))
      && (s.name ? o.metadata.name === s.name : labelsMatch(o, s.selector?.matchLabels)));
    if (subjects.length === 0) errors.push(`${id}: its subject ${s.kind} ${s.name ?? JSON.stringify(s.selector)} matches nothing`);
    const sink = b.spec?.sink?.ref;
    if (!sink || !find(sink.apiVersion, sink.kind, sink.namespace ?? ns(b), sink.name)) errors.push(`${id}: sink ${sink?.kind} ${sink?.name} does not exist`);
  }

  // Namespaces: every namespaced object names one, and every one used exists (or comes with the platform)
  for (const o of objects) {
    const n = ns(o);
    if (!n && !CLUSTER_SCOPED.has(o.kind)) errors.push(`${o.kind} ${o.metadata?.name}: no metadata.namespace (it would land in the client's default namespace)`);
    if (n && CLUSTER_SCOPED.has(o.kind)) errors.push(`${o.kind} ${o.metadata?.name}: cluster-scoped, but names namespace ${n}`);
    if (n && !EXTERNAL_NAMESPACES.has(n) && !find('v1', 'Namespace', undefined, n)) errors.push(`${o.kind} ${o.metadata.name}: namespace ${n} is not created here`);
  }

  // Pod specs: the namespace's Pod Security level, the ServiceAccounts, ConfigMaps and Secrets they name
  for (const o of objects) {
    for (const podSpec of podSpecsOf(o)) {
      const id = `${o.kind} ${o.metadata.name}`;
      const level = find('v1', 'Namespace', undefined, ns(o))?.metadata?.labels?.['pod-security.kubernetes.io/enforce'] ?? 'privileged';
      if (level !== 'privileged') {
        for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) if (podSpec[host]) errors.push(`${id}: ${host} is refused by namespace ${ns(o)} (Pod Security ${level})`);
        if ((podSpec.volumes ?? []).some((v) => v.hostPath)) errors.push(`${id}: hostPath volumes are refused by namespace ${ns(o)} (Pod Security ${level})`);
        for (const c of [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])]) {
          if (c.securityContext?.privileged) errors.push(`${id}: a privileged container is refused by namespace ${ns(o)} (Pod Security ${level})`);
          for (const cap of c.securityContext?.capabilities?.add ?? []) {
            if (!BASELINE_CAPABILITIES.has(cap)) errors.push(`${id}: capability ${cap} is refused by namespace ${ns(o)} (Pod Security ${level})`);
          }
        }
      }
      const pc = podSpec.priorityClassName;
      if (pc && !pc.startsWith('system-') && !find('scheduling.k8s.io/v1', 'PriorityClass', undefined, pc)) errors.push(`${id}: PriorityClass ${pc} does not exist`);
      const sa = podSpec.serviceAccountName;
      if (sa && !find('v1', 'ServiceAccount', ns(o), sa)) errors.push(`${id}: ServiceAccount ${sa} does not exist`);
      for (const c of podSpec.containers ?? []) {
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef && !find('v1', 'ConfigMap', ns(o), from.configMapRef.name)) errors.push(`${id}: ConfigMap ${from.configMapRef.name} does not exist`);
          if (from.secretRef) checkSecret(from.secretRef.name, id, ns(o));
        }
        for (const e of c.env ?? []) {
          if (e.valueFrom?.configMapKeyRef && !find('v1', 'ConfigMap', ns(o), e.valueFrom.configMapKeyRef.name)) errors.push(`${id}: ConfigMap ${e.valueFrom.configMapKeyRef.name} does not exist`);
          if (e.valueFrom?.secretKeyRef) checkSecret(e.valueFrom.secretKeyRef.name, id, ns(o));
        }
        if (requireMappedImages) {
          const image = parseImage(c.image ?? '');
          if (!image.name.includes('/') || (!image.tag && !image.digest)) errors.push(`${id}: image ${c.image} is not mapped to a registry and tag by the overlay`);
        }
      }
      for (const v of podSpec.volumes ?? []) {
        if (v.emptyDir && !v.emptyDir.sizeLimit) errors.push(`${id}: emptyDir ${v.name} has no sizeLimit`);
      }
    }
  }
  function checkSecret(name, id, namespace) {
    if (!find('v1', 'Secret', namespace, name) && !EXTERNAL_SECRETS.has(`${namespace}/${name}`)) errors.push(`${id}: Secret ${name} does not exist and is not a known external Secret`);
  }

  // RBAC: bindings to roles and ServiceAccounts that exist
  for (const b of [...byKind('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'), ...byKind('rbac.authorization.k8s.io/v1', 'RoleBinding')]) {
    const id = `${b.kind} ${b.metadata.name}`;
    if (!find('rbac.authorization.k8s.io/v1', b.roleRef.kind, b.roleRef.kind === 'ClusterRole' ? undefined : ns(b), b.roleRef.name)) errors.push(`${id}: ${b.roleRef.kind} ${b.roleRef.name} does not exist`);
    for (const s of b.subjects ?? []) {
      if (s.kind === 'ServiceAccount' && !find('v1', 'ServiceAccount', s.namespace, s.name)) errors.push(`${id}: ServiceAccount ${s.namespace}/${s.name} does not exist`);
    }
  }

  // Knative Services: bounded concurrency and a timeout Knative accepts
  const ksvcs = byKind('serving.knative.dev/v1', 'Service');
  for (const s of ksvcs) {
    const spec = s.spec?.template?.spec ?? {};
    const id = `Knative Service ${s.metadata.name}`;
    if (!(spec.containerConcurrency > 0)) errors.push(`${id}: containerConcurrency is not set`);
    if (!(spec.timeoutSeconds > 0)) errors.push(`${id}: timeoutSeconds is not set`);
    if (spec.timeoutSeconds > maxRevisionTimeout) errors.push(`${id}: timeoutSeconds ${spec.timeoutSeconds} exceeds max-revision-timeout-seconds ${maxRevisionTimeout}`);
    if (s.metadata?.labels?.['networking.knative.dev/visibility'] !== 'cluster-local') errors.push(`${id}: is not cluster-local (the Gateway is the only public entry)`);
    // what Knative's webhook refuses
    const containers = spec.containers ?? [];
    const serving = containers.filter((c) => (c.ports ?? []).length > 0);
    if (serving.length !== 1 || serving[0].ports.length !== 1) errors.push(`${id}: exactly one container with exactly one port serves a Knative Service`);
    for (const c of serving) {
      const port = c.ports[0];
      if (port.name && !['http1', 'h2c'].includes(port.name)) errors.push(`${id}: port name ${port.name} is neither http1 nor h2c`);
      for (const probe of [c.readinessProbe, c.livenessProbe].filter(Boolean)) {
        const p = probe.httpGet?.port ?? probe.tcpSocket?.port;
        if (p !== undefined && p !== port.containerPort) errors.push(`${id}: a probe's port ${p} is not the container port ${port.containerPort}`);
      }
    }
    const annotations = s.spec?.template?.metadata?.annotations ?? {};
    const min = Number(annotations['autoscaling.knative.dev/min-scale'] ?? 0);
    const max = Number(annotations['autoscaling.knative.dev/max-scale'] ?? Infinity);
    if (!(min <= max)) errors.push(`${id}: min-scale ${min} exceeds max-scale ${max}`);
  }

  // HTTPRoutes: parents, backends, and every /mcp endpoint to the Service of its group
  for (const r of byKind('gateway.networking.k8s.io/v1', 'HTTPRoute')) {
    const id = `HTTPRoute ${r.metadata.name}`;
    for (const p of r.spec?.parentRefs ?? []) {
      const gw = find('gateway.networking.k8s.io/v1', 'Gateway', p.namespace ?? ns(r), p.name);
      if (!gw) errors.push(`${id}: parent Gateway ${p.name} does not exist`);
      else if (p.sectionName && !gw.spec.listeners.some((l) => l.name === p.sectionName)) errors.push(`${id}: Gateway ${p.name} has no listener ${p.sectionName}`);
    }
    const rules = (r.spec?.rules ?? []).map((rule, i) => {
      const host = rule.filters?.find((f) => f.type === 'URLRewrite')?.urlRewrite?.hostname;
      const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(host ?? '');
      const service = m && find('serving.knative.dev/v1', 'Service', m[2], m[1]);
      if (!service) errors.push(`${id}: rules[${i}] rewrites to ${host}, which is no Knative Service here`);
      for (const b of rule.backendRefs ?? []) {
        const bns = b.namespace ?? ns(r);
        if (bns !== ns(r)) {
          const granted = objects.some((g) => g.kind === 'ReferenceGrant' && ns(g) === bns
            && g.spec.from.some((f) => f.kind === 'HTTPRoute' && f.namespace === ns(r))
            && g.spec.to.some((t) => t.kind === (b.kind ?? 'Service') && (!t.name || t.name === b.name)));
          if (!granted) errors.push(`${id}: rules[${i}] backend ${bns}/${b.name} is not granted by a ReferenceGrant`);
        }
      }
      const timeout = parseDuration(rule.timeouts?.request);
      const ksvcTimeout = service?.spec?.template?.spec?.timeoutSeconds;
      if (service && (timeout === undefined || timeout < ksvcTimeout)) errors.push(`${id}: rules[${i}] request timeout ${rule.timeouts?.request} is shorter than ${m[1]}'s ${ksvcTimeout}s`);
      return { prefixes: (rule.matches ?? []).filter((x) => x.path?.type === 'PathPrefix').map((x) => x.path.value), service };
    });
    for (const [path, group] of ENDPOINTS) {
      let best;
      for (const rule of rules) for (const prefix of rule.prefixes) {
        const hit = path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
        if (hit && (!best || prefix.length > best.prefix.length)) best = { prefix, service: rule.service };
      }
      if (!best?.service) { errors.push(`${id}: ${path} is routed nowhere`); continue; }
      const groups = functionGroups(best.service);
      // '*': the MCP server, whose tools call every group on the same pod; it is the group mcp itself
      const all = declaredGroups ?? [...new Set(ENDPOINTS.map(([, g]) => g).filter((g) => g !== '*'))];
      if (group === '*' ? !all.every((g) => groups.includes(g)) : !groups.includes(group)) errors.push(`${id}: ${path} goes to ${best.service.metadata.name}, which serves ${groups.join(',') || 'no group'}, not ${group === '*' ? 'every group' : group}`);
    }
  }

  // The capture daemon: what capturing every node's traffic needs
  for (const d of byKind('apps/v1', 'DaemonSet').filter((x) => x.metadata.name === 'trawl-capture')) {
    const spec = d.spec.template.spec;
    const c = spec.containers[0];
    const id = 'DaemonSet trawl-capture';
    if (spec.hostNetwork !== true) errors.push(`${id}: needs hostNetwork`);
    if (spec.dnsPolicy !== 'ClusterFirstWithHostNet') errors.push(`${id}: with hostNetwork, dnsPolicy must be ClusterFirstWithHostNet to resolve K_SINK`);
    for (const cap of ['NET_RAW', 'NET_ADMIN']) if (!c.securityContext?.capabilities?.add?.includes(cap)) errors.push(`${id}: lacks capability ${cap}`);
    if (c.env?.find((e) => e.name === 'TRAWL_NODE')?.valueFrom?.fieldRef?.fieldPath !== 'spec.nodeName') errors.push(`${id}: TRAWL_NODE must come from spec.nodeName`);
    if (!c.ports?.some((p) => p.name === 'metrics')) errors.push(`${id}: has no metrics port`);
  }
  return errors;
}

export function podSpecsOf(o) {
  const specs = [];
  const walk = (node) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node.containers)) { specs.push(node); return; }
    Object.values(node).forEach(walk);
  };
  walk(o.spec);
  return specs;
}

function functionGroups(ksvc) {
  return containersOf(ksvc).flatMap(functionGroupsOfService);
}

function functionGroupsOfService(container) {
  const value = (container.env ?? []).find((e) => e.name === 'TRAWL_FUNCTIONS')?.value;
  return value ? value.split(',').map((s) => s.trim()) : [];
}

function parseDuration(d) {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d ?? '');
  if (!m) return undefined;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
}

export { objectId };

// Every TRAWL_* name a manifest sets is one the code reads, and every trawl container gets what its
// image cannot run without (from env, its ConfigMaps or a known external Secret).
function checkSettings(objects, settingNames) {
  const errors = [];
  const configMap = (namespace, name) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.namespace === namespace && o.metadata?.name === name);
  for (const o of objects.filter((x) => x.kind === 'ConfigMap')) {
    for (const key of Object.keys(o.data ?? {})) {
      if (key.startsWith('TRAWL_') && !settingNames.has(key)) errors.push(`ConfigMap ${o.metadata.name}: ${key} is read by no code`);
    }
  }
  for (const o of objects) {
    for (const c of containersOf(o)) {
      const id = `${o.kind} ${o.metadata?.name}`;
      const present = new Set();
      for (const e of c.env ?? []) {
        present.add(e.name);
        if (e.name.startsWith('TRAWL_') && !settingNames.has(e.name)) errors.push(`${id}: ${e.name} is read by no code`);
      }
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef) Object.keys(configMap(o.metadata?.namespace, from.configMapRef.name)?.data ?? {}).forEach((k) => present.add(k));
        if (from.secretRef) (EXTERNAL_SECRET_KEYS.get(`${o.metadata?.namespace}/${from.secretRef.name}`) ?? []).forEach((k) => present.add(k));
      }
      const image = parseImage(c.image ?? '').name.split('/').pop();
      const required = [...(REQUIRED_SETTINGS[image] ?? [])];
      if (image === 'trawl-functions') {
        const groups = functionGroupsOfService(c);
        if (groups.some((g) => CLICKHOUSE_GROUPS.has(g))) required.push(...CLICKHOUSE_SETTINGS);
      }
      for (const name of required) if (!present.has(name)) errors.push(`${id}: ${image} needs ${name}, which neither its env, its ConfigMaps nor its Secrets give`);
    }
  }
  return errors;
}
