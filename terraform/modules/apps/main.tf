# trawl's manifests, applied from the repository's Kustomize overlay with this account's images,
# IAM roles and configuration, so that the same files serve kubectl users and Terraform users.

data "kustomization_overlay" "trawl" {
  resources = var.platform_ready ? [var.overlay_path] : []

  # images.tf: every container's image, matched on the name the overlay gave it
  dynamic "images" {
    for_each = local.images
    content {
      name     = images.value.name
      new_name = images.value.new_name
      new_tag  = images.value.new_tag
    }
  }

  patches {
    target {
      kind = "ConfigMap"
      name = "trawl-config"
    }
    patch = yamlencode({
      apiVersion = "v1"
      kind       = "ConfigMap"
      metadata   = { name = "trawl-config" }
      data = merge({
        TRAWL_S3_BUCKET           = var.bucket_name
        TRAWL_S3_REGION           = var.bucket_region
        TRAWL_CLICKHOUSE_URL      = var.clickhouse_url
        TRAWL_CLICKHOUSE_DATABASE = var.clickhouse_database
        TRAWL_CLICKHOUSE_CLUSTER  = var.clickhouse_cluster
        TRAWL_RAW_RETENTION       = "${var.raw_retention_days}d"
        }, var.oidc == null ? {} : {
        TRAWL_AUTH_OIDC_ISSUER      = var.oidc.issuer_url
        TRAWL_AUTH_OIDC_AUDIENCE    = var.oidc.audience
        TRAWL_AUTH_OIDC_ROLES_CLAIM = var.oidc.roles_claim
        TRAWL_AUTH_OIDC_ROLE_MAP    = var.oidc.role_map
      })
    })
  }

  patches {
    target {
      kind = "ConfigMap"
      name = "trawl-capture-config"
    }
    patch = yamlencode({
      apiVersion = "v1"
      kind       = "ConfigMap"
      metadata   = { name = "trawl-capture-config" }
      data = {
        TRAWL_S3_BUCKET = var.bucket_name
        TRAWL_S3_REGION = var.bucket_region
      }
    })
  }

  # prod: the Gateway's JWT check and its certificate follow the same issuer and host
  dynamic "patches" {
    for_each = var.oidc == null ? [] : [var.oidc]
    content {
      target {
        kind = "SecurityPolicy"
        name = "trawl-jwt"
      }
      patch = yamlencode([{
        op   = "replace"
        path = "/spec/jwt/providers/0"
        value = {
          name       = "trawl-oidc"
          issuer     = patches.value.issuer_url
          audiences  = [patches.value.audience]
          remoteJWKS = { uri = patches.value.jwks_url }
        }
      }])
    }
  }

  dynamic "patches" {
    for_each = var.public_host == null ? [] : [var.public_host]
    content {
      target {
        kind = "Certificate"
        name = "trawl-tls"
      }
      patch = yamlencode([{ op = "replace", path = "/spec/dnsNames", value = [patches.value] }])
    }
  }

  # prod: the Kafka Broker's Kafka (module kafka) and the dead-letter bucket (module s3-bucket)
  dynamic "patches" {
    for_each = var.kafka == null ? [] : [var.kafka]
    content {
      target {
        kind = "ConfigMap"
        name = "trawl-kafka-broker"
      }
      patch = yamlencode({
        apiVersion = "v1"
        kind       = "ConfigMap"
        metadata   = { name = "trawl-kafka-broker" }
        data = {
          "bootstrap.servers"                = patches.value.bootstrap_servers
          "default.topic.replication.factor" = tostring(patches.value.replication_factor)
        }
      })
    }
  }

  dynamic "patches" {
    for_each = var.dead_letter_bucket_arn == null ? [] : [var.dead_letter_bucket_arn]
    content {
      target {
        kind = "IntegrationSink"
        name = "trawl-dead-letters"
      }
      patch = yamlencode([
        { op = "replace", path = "/spec/aws/s3/arn", value = patches.value },
        { op = "replace", path = "/spec/aws/s3/region", value = var.bucket_region },
      ])
    }
  }

  # ServiceAccount names are unique across trawl's two namespaces: the target is the name alone
  dynamic "patches" {
    for_each = var.service_account_role_arns
    content {
      target {
        kind = "ServiceAccount"
        name = patches.key
      }
      patch = yamlencode({
        apiVersion = "v1"
        kind       = "ServiceAccount"
        metadata = {
          name        = patches.key
          annotations = { "eks.amazonaws.com/role-arn" = patches.value }
        }
      })
    }
  }
}

# Namespaces and cluster-wide objects first, then everything else, then what depends on both.
resource "kustomization_resource" "p0" {
  for_each = data.kustomization_overlay.trawl.ids_prio[0]
  manifest = data.kustomization_overlay.trawl.manifests[each.value]
}

# ClickHouse credentials, one Secret per duty: trawl-clickhouse (the writer: the dissector and the
# functions that delete a dissection) and trawl-clickhouse-reader (the query Services)
resource "kubernetes_secret_v1" "clickhouse" {
  for_each = var.platform_ready ? { "trawl-clickhouse" = var.clickhouse_writer, "trawl-clickhouse-reader" = var.clickhouse_reader } : {}

  metadata {
    name      = each.key
    namespace = var.namespace
  }
  data       = { TRAWL_CLICKHOUSE_USER = each.value.user, TRAWL_CLICKHOUSE_PASSWORD = each.value.password }
  depends_on = [kustomization_resource.p0]
}

# The key of the secrets' masks (docs/security.md): one per cluster, so every pod of the dissector
# masks a token the same way and two calls with one token still match; kept in the state like the
# ClickHouse passwords
resource "random_password" "redact_key" {
  length  = 64
  special = false
}

resource "kubernetes_secret_v1" "redact_key" {
  count = var.platform_ready ? 1 : 0

  metadata {
    name      = "trawl-redact-key"
    namespace = var.namespace
  }
  data       = { TRAWL_REDACT_KEY = random_password.redact_key.result }
  depends_on = [kustomization_resource.p0]
}

resource "kustomization_resource" "p1" {
  for_each   = data.kustomization_overlay.trawl.ids_prio[1]
  manifest   = data.kustomization_overlay.trawl.manifests[each.value]
  depends_on = [kustomization_resource.p0, kubernetes_secret_v1.clickhouse, kubernetes_secret_v1.redact_key]
}

resource "kustomization_resource" "p2" {
  for_each   = data.kustomization_overlay.trawl.ids_prio[2]
  manifest   = data.kustomization_overlay.trawl.manifests[each.value]
  depends_on = [kustomization_resource.p1]
}
