# Kafka for the Knative Kafka Broker (knative/overlays/prod): either an MSK cluster's bootstrap
# servers (msk_bootstrap_servers), or Kafka in the cluster through the Strimzi operator, KRaft mode,
# three brokers that are also controllers, each on its own persistent volume.

locals {
  in_cluster = var.msk_bootstrap_servers == null
  cluster    = "trawl-kafka"
}

resource "helm_release" "strimzi" {
  count = local.in_cluster ? 1 : 0

  name             = "strimzi"
  namespace        = var.namespace
  create_namespace = true
  repository       = var.strimzi_chart_repository
  chart            = "strimzi-kafka-operator"
  version          = var.strimzi_version
  wait             = true
}

resource "kubernetes_manifest" "node_pool" {
  count = local.in_cluster && !var.install_crds_only ? 1 : 0

  manifest = {
    apiVersion = "kafka.strimzi.io/v1beta2"
    kind       = "KafkaNodePool"
    metadata = {
      name      = "brokers"
      namespace = var.namespace
      labels    = { "strimzi.io/cluster" = local.cluster }
    }
    spec = {
      replicas = var.replicas
      roles    = ["controller", "broker"]
      storage = {
        type = "jbod"
        volumes = [{
          id          = 0
          type        = "persistent-claim"
          size        = var.storage_size
          class       = var.storage_class
          deleteClaim = false
        }]
      }
      resources = {
        requests = { cpu = var.resources.cpu, memory = var.resources.memory }
        limits   = { memory = var.resources.memory }
      }
    }
  }
  depends_on = [helm_release.strimzi]
}

resource "kubernetes_manifest" "kafka" {
  count = local.in_cluster && !var.install_crds_only ? 1 : 0

  manifest = {
    apiVersion = "kafka.strimzi.io/v1beta2"
    kind       = "Kafka"
    metadata = {
      name      = local.cluster
      namespace = var.namespace
      annotations = {
        "strimzi.io/node-pools" = "enabled"
        "strimzi.io/kraft"      = "enabled"
      }
    }
    spec = {
      kafka = {
        version = var.kafka_version
        listeners = [{
          name = "plain"
          port = 9092
          type = "internal"
          tls  = false
        }]
        config = {
          # an event is acknowledged once it is on two of the three brokers
          "default.replication.factor"               = min(var.replicas, 3)
          "min.insync.replicas"                      = min(var.replicas, 3) - 1
          "offsets.topic.replication.factor"         = min(var.replicas, 3)
          "transaction.state.log.replication.factor" = min(var.replicas, 3)
          "transaction.state.log.min.isr"            = min(var.replicas, 3) - 1
        }
      }
      entityOperator = {
        topicOperator = {}
        userOperator  = {}
      }
    }
  }

  wait {
    condition {
      type   = "Ready"
      status = "True"
    }
  }
  timeouts {
    create = "20m"
    update = "20m"
  }

  depends_on = [kubernetes_manifest.node_pool]
}
