# ClickHouse for trawl through the Altinity operator: ClickHouse Keeper (keeper_replicas, 3) and one
# installation of `shards` x `replicas`, the trawl database and schema (the repository's V*.sql, in
# version order), and one user per duty: trawl_schema owns the DDL (only the migration Job has its
# password), trawl_writer inserts and drops a dissection's rows (the dissector and the functions
# that delete), trawl_reader answers queries (/mcp/calls), analyst reads for people.

locals {
  installation = "trawl"
  keeper       = "trawl-keeper"
  # service of the installation as the operator names it: clickhouse-<installation>
  host = "clickhouse-${local.installation}.${var.namespace}.svc.cluster.local"
}

resource "helm_release" "operator" {
  name             = "clickhouse-operator"
  namespace        = var.namespace
  create_namespace = true
  repository       = var.operator_chart_repository
  chart            = "altinity-clickhouse-operator"
  version          = var.operator_version
  wait             = true
}

resource "random_password" "user" {
  for_each = toset(["schema", "writer", "reader", "analyst"])
  length   = 32
  special  = false
}

# Keeper: the coordination replicated tables and ON CLUSTER DDL need (three, so one may be lost)
resource "kubernetes_manifest" "keeper" {
  count = var.install_crds_only ? 0 : 1

  manifest = {
    apiVersion = "clickhouse-keeper.altinity.com/v1"
    kind       = "ClickHouseKeeperInstallation"
    metadata = {
      name      = local.keeper
      namespace = var.namespace
    }
    spec = {
      configuration = {
        clusters = [{
          name   = "keeper"
          layout = { replicasCount = var.keeper_replicas }
        }]
      }
      defaults = {
        templates = {
          podTemplate             = "keeper"
          dataVolumeClaimTemplate = "keeper-data"
        }
      }
      templates = {
        podTemplates = [{
          name = "keeper"
          spec = {
            containers = [{
              name  = "clickhouse-keeper"
              image = var.keeper_image
              resources = {
                requests = { cpu = "250m", memory = "512Mi" }
                limits   = { memory = "1Gi" }
              }
            }]
          }
        }]
        volumeClaimTemplates = [{
          name = "keeper-data"
          spec = {
            accessModes      = ["ReadWriteOnce"]
            storageClassName = var.storage_class
            resources        = { requests = { storage = "10Gi" } }
          }
        }]
      }
    }
  }

  depends_on = [helm_release.operator]
}

resource "kubernetes_manifest" "installation" {
  count = var.install_crds_only ? 0 : 1

  manifest = {
    apiVersion = "clickhouse.altinity.com/v1"
    kind       = "ClickHouseInstallation"
    metadata = {
      name      = local.installation
      namespace = var.namespace
    }
    spec = {
      configuration = {
        zookeeper = {
          nodes = [for i in range(var.keeper_replicas) : { host = "chk-${local.keeper}-keeper-0-${i}.${var.namespace}.svc.cluster.local", port = 2181 }]
        }
        users = {
          # the schema's owner: the migration Job alone (ON CLUSTER DDL needs the CLUSTER grant)
          "trawl_schema/password_sha256_hex" = sha256(random_password.user["schema"].result)
          "trawl_schema/networks/ip"         = var.allowed_networks
          "trawl_schema/profile"             = "default"
          "trawl_schema/grants/query"        = ["GRANT CREATE, ALTER, DROP, SELECT, INSERT, SHOW ON ${var.database}.*", "GRANT CREATE DATABASE ON ${var.database}.*", "GRANT CLUSTER ON *.*"]
          # the dissector and the functions that delete: rows in, a dissection's partitions out
          "trawl_writer/password_sha256_hex" = sha256(random_password.user["writer"].result)
          "trawl_writer/networks/ip"         = var.allowed_networks
          "trawl_writer/profile"             = "default"
          "trawl_writer/grants/query"        = ["GRANT SELECT, INSERT, ALTER DELETE, ALTER DROP PARTITION, OPTIMIZE, SHOW ON ${var.database}.*"]
          # the query Services (/mcp/calls): read-only
          "trawl_reader/password_sha256_hex" = sha256(random_password.user["reader"].result)
          "trawl_reader/networks/ip"         = var.allowed_networks
          "trawl_reader/profile"             = "readonly"
          "trawl_reader/grants/query"        = ["GRANT SELECT, SHOW ON ${var.database}.*"]
          # analysts: plain SQL over the documented views and the calls table, read-only
          "analyst/password_sha256_hex" = sha256(random_password.user["analyst"].result)
          "analyst/networks/ip"         = var.allowed_networks
          "analyst/profile"             = "readonly"
          "analyst/grants/query"        = ["GRANT SELECT ON ${var.database}.*"]
        }
        profiles = {
          "readonly/readonly"           = "1"
          "readonly/max_execution_time" = "300"
          "readonly/max_memory_usage"   = "4000000000"
        }
        clusters = [{
          name = "trawl"
          layout = {
            shardsCount   = var.shards
            replicasCount = var.replicas
          }
        }]
      }
      defaults = {
        templates = {
          podTemplate             = "clickhouse"
          dataVolumeClaimTemplate = "data"
        }
      }
      templates = {
        podTemplates = [{
          name = "clickhouse"
          spec = {
            containers = [{
              name  = "clickhouse"
              image = var.clickhouse_image
              resources = {
                requests = { cpu = var.resources.cpu, memory = var.resources.memory }
                limits   = { memory = var.resources.memory }
              }
            }]
          }
        }]
        volumeClaimTemplates = [{
          name = "data"
          spec = {
            accessModes      = ["ReadWriteOnce"]
            storageClassName = var.storage_class
            resources        = { requests = { storage = var.storage_size } }
          }
        }]
      }
    }
  }

  depends_on = [helm_release.operator, kubernetes_manifest.keeper]
}

# The schema owner's password as a file, mounted read-only (TRAWL_CLICKHOUSE_PASSWORD_FILE): never
# on a command line or in the Job's environment.
resource "kubernetes_secret_v1" "schema_credentials" {
  metadata {
    name      = "trawl-clickhouse-schema"
    namespace = var.namespace
  }
  data       = { password = random_password.user["schema"].result }
  depends_on = [helm_release.operator]
}

# The schema, applied by its owner: the dissector's image runs trawl's migration runner
# (ClickHouseSchema migrate) in the cluster form (TRAWL_CLICKHOUSE_CLUSTER): the database and every
# table ON CLUSTER, Replicated local tables, Distributed tables, the cluster-wide ledger. A new
# image (new scripts) is a new Job; the runner applies only what the ledger lacks.
resource "kubernetes_job_v1" "schema" {
  count = var.install_crds_only ? 0 : 1

  metadata {
    name      = "trawl-clickhouse-schema-${substr(sha256(var.schema_image), 0, 8)}"
    namespace = var.namespace
  }
  spec {
    backoff_limit              = 10
    ttl_seconds_after_finished = 86400
    template {
      metadata {}
      spec {
        restart_policy = "Never"
        container {
          name    = "schema"
          image   = var.schema_image
          command = ["java", "-cp", "@/app/jib-classpath-file", "dev.trawl.core.clickhouse.ClickHouseSchema", "migrate"]
          env {
            name  = "TRAWL_CLICKHOUSE_URL"
            value = "http://${local.host}:8123"
          }
          env {
            name  = "TRAWL_CLICKHOUSE_USER"
            value = "trawl_schema"
          }
          env {
            name  = "TRAWL_CLICKHOUSE_PASSWORD_FILE"
            value = "/credentials/password"
          }
          env {
            name  = "TRAWL_CLICKHOUSE_DATABASE"
            value = var.database
          }
          env {
            name  = "TRAWL_CLICKHOUSE_CLUSTER"
            value = local.installation
          }
          volume_mount {
            name       = "credentials"
            mount_path = "/credentials"
            read_only  = true
          }
          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
          resources {
            requests = { cpu = "100m", memory = "256Mi", "ephemeral-storage" = "64Mi" }
            limits   = { memory = "512Mi", "ephemeral-storage" = "64Mi" }
          }
          security_context {
            run_as_non_root            = true
            run_as_user                = 65532
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
          }
        }
        volume {
          name = "credentials"
          secret {
            secret_name = kubernetes_secret_v1.schema_credentials.metadata[0].name
          }
        }
        volume {
          name = "tmp"
          empty_dir {
            size_limit = "64Mi"
          }
        }
      }
    }
  }
  wait_for_completion = true
  timeouts {
    create = "15m"
  }

  depends_on = [kubernetes_manifest.installation]
}
