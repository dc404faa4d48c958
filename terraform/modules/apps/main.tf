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
      data = {
        TRAWL_S3_BUCKET           = var.bucket_name
        TRAWL_S3_REGION           = var.bucket_region
        TRAWL_CLICKHOUSE_URL      = var.clickhouse_url
        TRAWL_CLICKHOUSE_USER     = var.clickhouse_user
        TRAWL_CLICKHOUSE_DATABASE = var.clickhouse_database
        TRAWL_RAW_RETENTION       = "${var.raw_retention_days}d"
      }
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

resource "kubernetes_secret_v1" "clickhouse" {
  count = var.platform_ready ? 1 : 0

  metadata {
    name      = "trawl-clickhouse"
    namespace = var.namespace
  }
  data       = { TRAWL_CLICKHOUSE_PASSWORD = var.clickhouse_password }
  depends_on = [kustomization_resource.p0]
}

resource "kustomization_resource" "p1" {
  for_each   = data.kustomization_overlay.trawl.ids_prio[1]
  manifest   = data.kustomization_overlay.trawl.manifests[each.value]
  depends_on = [kustomization_resource.p0, kubernetes_secret_v1.clickhouse]
}

resource "kustomization_resource" "p2" {
  for_each   = data.kustomization_overlay.trawl.ids_prio[2]
  manifest   = data.kustomization_overlay.trawl.manifests[each.value]
  depends_on = [kustomization_resource.p1]
}
