# ClickHouse for trawl through the Altinity operator: one installation, the trawl database and
# schema (the repository's V*.sql, in version order), a writer user for trawl's components and a
# read-only user for analysts.

locals {
  installation = "trawl"
  # service of the installation as the operator names it: clickhouse-<installation>
  host = "clickhouse-${local.installation}.${var.namespace}.svc.cluster.local"
  # V1__calls.sql, V2__views.sql, ... ordered by their number, not as text (V10 after V9)
  schema_files = [
    for f in sort([for f in fileset(var.schema_dir, "V*__*.sql") : format("%06d|%s", tonumber(regex("^V([0-9]+)__", f)[0]), f)]) :
    split("|", f)[1]
  ]
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

resource "random_password" "trawl" {
  length  = 32
  special = false
}

resource "random_password" "analyst" {
  length  = 32
  special = false
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
        users = {
          # trawl's components: write calls, drop a dissection's partitions, create the schema
          "trawl/password_sha256_hex" = sha256(random_password.trawl.result)
          "trawl/networks/ip"         = var.allowed_networks
          "trawl/profile"             = "default"
          "trawl/grants/query"        = ["GRANT SELECT, INSERT, ALTER, CREATE, DROP, TRUNCATE, OPTIMIZE, SHOW ON ${var.database}.*"]
          # analysts: plain SQL over the documented views and the calls table, read-only
          "analyst/password_sha256_hex" = sha256(random_password.analyst.result)
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
            shardsCount   = 1
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

  depends_on = [helm_release.operator]
}

# The DDL, as it is in the repository, one key per file.
resource "kubernetes_config_map_v1" "schema" {
  metadata {
    name      = "trawl-clickhouse-schema"
    namespace = var.namespace
  }
  data       = { for f in local.schema_files : f => file("${var.schema_dir}/${f}") }
  depends_on = [helm_release.operator]
}

resource "kubernetes_secret_v1" "schema_credentials" {
  metadata {
    name      = "trawl-clickhouse-schema"
    namespace = var.namespace
  }
  data       = { CLICKHOUSE_PASSWORD = random_password.trawl.result }
  depends_on = [helm_release.operator]
}

# Applies every V*.sql in version order (each is idempotent: CREATE ... IF NOT EXISTS); re-created
# when a file changes, so a new V<n> lands with the next apply.
resource "kubernetes_job_v1" "schema" {
  count = var.install_crds_only ? 0 : 1

  metadata {
    name      = "trawl-clickhouse-schema-${substr(sha256(jsonencode(kubernetes_config_map_v1.schema.data)), 0, 8)}"
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
          image   = var.clickhouse_image
          command = ["/bin/sh", "-ec"]
          args = [join("\n", concat(
            ["clickhouse-client --host ${local.host} --user trawl --password \"$CLICKHOUSE_PASSWORD\" --query 'CREATE DATABASE IF NOT EXISTS ${var.database}'"],
            [for f in local.schema_files : "clickhouse-client --host ${local.host} --user trawl --password \"$CLICKHOUSE_PASSWORD\" --database ${var.database} --multiquery < /schema/${f}"],
          ))]
          env_from {
            secret_ref {
              name = kubernetes_secret_v1.schema_credentials.metadata[0].name
            }
          }
          volume_mount {
            name       = "schema"
            mount_path = "/schema"
            read_only  = true
          }
          security_context {
            run_as_non_root            = true
            run_as_user                = 101
            allow_privilege_escalation = false
          }
        }
        volume {
          name = "schema"
          config_map {
            name = kubernetes_config_map_v1.schema.metadata[0].name
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
