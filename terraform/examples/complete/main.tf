# trawl on an existing EKS cluster: bucket, IAM roles for service accounts, Knative, ClickHouse,
# and the apps. See docs/deploy.md for the commands.

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}

data "aws_eks_cluster" "this" {
  name = var.cluster_name
}

data "aws_eks_cluster_auth" "this" {
  name = var.cluster_name
}

data "aws_iam_openid_connect_provider" "cluster" {
  url = data.aws_eks_cluster.this.identity[0].oidc[0].issuer
}

provider "kubernetes" {
  host                   = data.aws_eks_cluster.this.endpoint
  cluster_ca_certificate = base64decode(data.aws_eks_cluster.this.certificate_authority[0].data)
  token                  = data.aws_eks_cluster_auth.this.token
}

provider "helm" {
  kubernetes {
    host                   = data.aws_eks_cluster.this.endpoint
    cluster_ca_certificate = base64decode(data.aws_eks_cluster.this.certificate_authority[0].data)
    token                  = data.aws_eks_cluster_auth.this.token
  }
}

provider "kustomization" {
  kubeconfig_raw = yamlencode({
    apiVersion = "v1"
    kind       = "Config"
    clusters = [{
      name    = var.cluster_name
      cluster = { server = data.aws_eks_cluster.this.endpoint, "certificate-authority-data" = data.aws_eks_cluster.this.certificate_authority[0].data }
    }]
    users             = [{ name = "terraform", user = { token = data.aws_eks_cluster_auth.this.token } }]
    contexts          = [{ name = "trawl", context = { cluster = var.cluster_name, user = "terraform" } }]
    "current-context" = "trawl"
  })
}

locals {
  bucket_name = coalesce(var.bucket_name, "${var.name}-${data.aws_caller_identity.current.account_id}-${var.region}")
  repo_root   = "${path.module}/../../.."
}

module "bucket" {
  source = "../../modules/s3-bucket"

  bucket_name         = local.bucket_name
  raw_retention_days  = var.raw_retention_days
  object_lock_enabled = var.object_lock_enabled
  vpc_id              = data.aws_eks_cluster.this.vpc_config[0].vpc_id
  tags                = var.tags
}

module "iam" {
  source = "../../modules/iam"

  name_prefix            = var.name
  oidc_provider_arn      = data.aws_iam_openid_connect_provider.cluster.arn
  oidc_issuer_url        = data.aws_eks_cluster.this.identity[0].oidc[0].issuer
  bucket_arn             = module.bucket.bucket_arn
  kms_key_arn            = module.bucket.kms_key_arn
  dead_letter_bucket_arn = module.bucket.dead_letter_bucket_arn
  tags                   = var.tags
}

module "knative" {
  source = "../../modules/knative"

  install_crds_only = var.install_crds_only
}

module "kafka" {
  source = "../../modules/kafka"

  msk_bootstrap_servers = var.msk_bootstrap_servers
  install_crds_only     = var.install_crds_only
}

module "clickhouse" {
  source = "../../modules/clickhouse"

  schema_image      = "${var.image_registry}/trawl-dissector:${var.image_tag}"
  install_crds_only = var.install_crds_only
}

module "apps" {
  source = "../../modules/apps"

  overlay_path              = "${local.repo_root}/knative/overlays/${var.overlay}"
  image_registry            = var.image_registry
  image_tag                 = var.image_tag
  service_account_role_arns = module.iam.service_account_role_arns
  bucket_name               = module.bucket.bucket_name
  bucket_region             = module.bucket.bucket_region
  clickhouse_url            = module.clickhouse.url
  clickhouse_database       = module.clickhouse.database
  clickhouse_cluster        = module.clickhouse.cluster
  raw_retention_days        = var.raw_retention_days
  clickhouse_writer         = module.clickhouse.writer
  clickhouse_reader         = module.clickhouse.reader
  platform_ready            = module.knative.ready
  oidc                      = var.oidc
  public_host               = var.public_host
  kafka                     = var.overlay == "prod" ? { bootstrap_servers = module.kafka.bootstrap_servers, replication_factor = module.kafka.replication_factor } : null
  dead_letter_bucket_arn    = var.overlay == "prod" ? module.bucket.dead_letter_bucket_arn : null
}
