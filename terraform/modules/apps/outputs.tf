output "applied_ids" {
  description = "Every object applied (kind, namespace, name), for a plan review."
  value       = sort(concat(tolist(data.kustomization_overlay.trawl.ids_prio[0]), tolist(data.kustomization_overlay.trawl.ids_prio[1]), tolist(data.kustomization_overlay.trawl.ids_prio[2])))
}

output "namespace" {
  description = "trawl's namespace."
  value       = var.namespace
}
