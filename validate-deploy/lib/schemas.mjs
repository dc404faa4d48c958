// Validation of Kubernetes, Knative and Gateway API objects against their published schemas
// (types, required fields, enums and formats; the models do not reject unknown fields).
const PACKAGES = [
  [(g) => g.endsWith('knative.dev'), '@kubernetes-models/knative'],
  [(g) => g.startsWith('gateway.networking.'), '@kubernetes-models/gateway-api'],
  [(g) => g === 'cert-manager.io', '@kubernetes-models/cert-manager'],
  [(g) => g === 'monitoring.coreos.com', '@kubernetes-models/prometheus-operator'],
  [() => true, 'kubernetes-models'],
];

// The models' SinkBinding schema makes `status` required, which no manifest carries (the
// controller writes it); an empty status is added for the check only.
const STATUS_REQUIRED_BY_MODEL = new Set(['sources.knative.dev/SinkBinding']);

const HAND_TYPED_GROUPS = new Set(['gateway.envoyproxy.io']);

export async function validateObject(o) {
  if (typeof o?.apiVersion !== 'string' || typeof o?.kind !== 'string') {
    return [`object without apiVersion/kind: ${JSON.stringify(o).slice(0, 120)}`];
  }
  const [g, v] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  // no JSON schema is published for these; their types in types/ are checked by lib/strict.mjs
  if (HAND_TYPED_GROUPS.has(g)) return [];
  const pkg = PACKAGES.find(([accepts]) => accepts(g))[1];
  let module;
  try {
    module = await import(g ? `${pkg}/${g}/${v}` : `${pkg}/${v}`);
  } catch {
    return [`${o.apiVersion} is not a known API group/version`];
  }
  const Model = module[o.kind];
  if (typeof Model !== 'function') return [`${o.kind} is not a kind of ${o.apiVersion}`];
  const value = STATUS_REQUIRED_BY_MODEL.has(`${g}/${o.kind}`) && o.status === undefined ? { ...o, status: {} } : o;
  try {
    new Model(value).validate();
    return [];
  } catch (e) {
    return String(e.message ?? e).split(/,\s*(?=data)/).map((m) => m.trim());
  }
}
