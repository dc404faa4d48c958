output "knative_version" {
  description = "The Knative version installed."
  value       = var.knative_version
}

output "gateway_class_name" {
  description = "GatewayClass for the trawl Gateway (knative/base/routing/gateway.yaml)."
  value       = "eg"
}

output "ready" {
  description = "Serving and Eventing are Ready (their CRDs and webhooks answer), the GatewayClass and the ClusterIssuer exist (false while install_crds_only): the apps module waits for this."
  value = (!var.install_crds_only
    && length(kubernetes_manifest.serving) + length(kubernetes_manifest.eventing) + length(kubernetes_manifest.gateway_class) == 3
    && length(kubernetes_manifest.issuer) == (var.private_ca ? 1 : 0)
  && helm_release.cert_manager.status == "deployed")
}
