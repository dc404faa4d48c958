output "knative_version" {
  description = "The Knative version installed."
  value       = var.knative_version
}

output "gateway_class_name" {
  description = "GatewayClass for the trawl Gateway (knative/base/routing/gateway.yaml)."
  value       = "eg"
}

output "ready" {
  description = "Serving, Eventing and the GatewayClass exist (false while install_crds_only): the apps module waits for this."
  value       = !var.install_crds_only && length(kubernetes_manifest.serving) + length(kubernetes_manifest.eventing) + length(kubernetes_manifest.gateway_class) == 3
}
