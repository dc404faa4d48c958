output "bootstrap_servers" {
  description = "Kafka's bootstrap servers for the Knative Kafka Broker (bootstrap.servers of ConfigMap trawl-kafka-broker)."
  value       = coalesce(var.msk_bootstrap_servers, "${local.cluster}-kafka-bootstrap.${var.namespace}.svc.cluster.local:9092")
}

output "replication_factor" {
  description = "Replication factor of the broker's topics (default.topic.replication.factor)."
  value       = var.msk_bootstrap_servers == null ? min(var.replicas, 3) : 3
}
