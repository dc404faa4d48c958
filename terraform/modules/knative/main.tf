# Knative Serving (ingress: Kourier) and Eventing through the Knative Operator, Envoy Gateway as
# the Gateway API implementation of the public entry (GatewayClass `eg`, used by knative/base/routing),
# the Kafka Broker's controller and data plane (broker class Kafka), and cert-manager with the
# ClusterIssuer `trawl` that issues the Gateway's certificate. `ready` is true only once Serving and
# Eventing report Ready (their CRDs and admission webhooks answer): the apps apply after that.

resource "helm_release" "knative_operator" {
  name             = "knative-operator"
  namespace        = "knative-operator"
  create_namespace = true
  repository       = var.knative_operator_chart_repository
  chart            = "knative-operator"
  version          = "v${var.knative_version}"
  wait             = true
}

resource "helm_release" "envoy_gateway" {
  name             = "envoy-gateway"
  namespace        = "envoy-gateway-system"
  create_namespace = true
  repository       = var.envoy_gateway_chart_repository
  chart            = "gateway-helm"
  version          = var.envoy_gateway_version
  wait             = true
}

resource "kubernetes_namespace_v1" "serving" {
  metadata {
    name = "knative-serving"
  }
}

resource "kubernetes_namespace_v1" "eventing" {
  metadata {
    name = "knative-eventing"
  }
}

resource "kubernetes_manifest" "serving" {
  count = var.install_crds_only ? 0 : 1

  manifest = {
    apiVersion = "operator.knative.dev/v1beta1"
    kind       = "KnativeServing"
    metadata = {
      name      = "knative-serving"
      namespace = kubernetes_namespace_v1.serving.metadata[0].name
    }
    spec = {
      version = var.knative_version
      ingress = {
        # cluster-local only: the public entry is the Gateway, so no load balancer for Kourier
        kourier = { enabled = true, "service-type" = "ClusterIP" }
      }
      config = {
        network = {
          "ingress-class" = "kourier.ingress.networking.knative.dev"
        }
        defaults = {
          # the export of a large snapshot streams for up to an hour
          "max-revision-timeout-seconds" = tostring(var.max_revision_timeout_seconds)
        }
        autoscaler = {
          "enable-scale-to-zero" = "true"
        }
        features = {
          # /tmp of a read-only root filesystem
          "kubernetes.podspec-emptydir" = "enabled"
          # seccompProfile and capabilities in the trawl Services' securityContext
          "kubernetes.podspec-securitycontext" = "enabled"
          # queue-proxy and defaults that meet the restricted Pod Security Standard (namespace trawl warns on it)
          "secure-pod-defaults" = "enabled"
        }
      }
    }
  }

  # the operator reports Ready once the components run and their webhooks answer
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

  depends_on = [helm_release.knative_operator]
}

resource "kubernetes_manifest" "eventing" {
  count = var.install_crds_only ? 0 : 1

  manifest = {
    apiVersion = "operator.knative.dev/v1beta1"
    kind       = "KnativeEventing"
    metadata = {
      name      = "knative-eventing"
      namespace = kubernetes_namespace_v1.eventing.metadata[0].name
    }
    spec = {
      version = var.knative_version
      # the Kafka Broker (class Kafka): its controller and data plane, released with Knative
      additionalManifests = var.kafka_broker ? [
        { URL = "${var.knative_kafka_release_url}/knative-v${var.knative_version}/eventing-kafka-controller.yaml" },
        { URL = "${var.knative_kafka_release_url}/knative-v${var.knative_version}/eventing-kafka-broker.yaml" },
      ] : []
      config = {
        "config-br-defaults" = {
          "default-br-config" = yamlencode({
            clusterDefault = {
              brokerClass = "MTChannelBasedBroker"
              apiVersion  = "v1"
              kind        = "ConfigMap"
              name        = "config-br-default-channel"
              namespace   = "knative-eventing"
            }
          })
        }
        "config-features" = {
          # sender identity: senders present a ServiceAccount token for the receiver's audience,
          # and an addressable takes events only from what an EventPolicy names
          "authentication-oidc"        = var.sender_identity ? "enabled" : "disabled"
          "default-authorization-mode" = var.sender_identity ? "deny-all" : "allow-all"
        }
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

  depends_on = [helm_release.knative_operator]
}

resource "kubernetes_manifest" "gateway_class" {
  count = var.install_crds_only ? 0 : 1

  manifest = {
    apiVersion = "gateway.networking.k8s.io/v1"
    kind       = "GatewayClass"
    metadata = {
      name = "eg"
    }
    spec = {
      controllerName = "gateway.envoyproxy.io/gatewayclass-controller"
    }
  }

  depends_on = [helm_release.envoy_gateway]
}

resource "helm_release" "cert_manager" {
  name             = "cert-manager"
  namespace        = "cert-manager"
  create_namespace = true
  repository       = var.cert_manager_chart_repository
  chart            = "cert-manager"
  version          = var.cert_manager_version
  wait             = true

  set {
    name  = "crds.enabled"
    value = "true"
  }
}

# The ClusterIssuer `trawl` that signs the Gateway's certificate (knative/overlays/prod, Certificate
# trawl-tls): by default a private CA made here, which suits the internal load balancer (clients
# trust ca.crt of the Secret trawl-ca in cert-manager). docs/deploy.md shows an ACME issuer instead.
resource "kubernetes_manifest" "selfsigned_issuer" {
  count = var.install_crds_only || !var.private_ca ? 0 : 1

  manifest = {
    apiVersion = "cert-manager.io/v1"
    kind       = "ClusterIssuer"
    metadata   = { name = "trawl-selfsigned" }
    spec       = { selfSigned = {} }
  }
  depends_on = [helm_release.cert_manager]
}

resource "kubernetes_manifest" "ca" {
  count = var.install_crds_only || !var.private_ca ? 0 : 1

  manifest = {
    apiVersion = "cert-manager.io/v1"
    kind       = "Certificate"
    metadata   = { name = "trawl-ca", namespace = "cert-manager" }
    spec = {
      isCA       = true
      commonName = "trawl private CA"
      secretName = "trawl-ca"
      duration   = "87600h"
      privateKey = { algorithm = "ECDSA", size = 256 }
      issuerRef  = { group = "cert-manager.io", kind = "ClusterIssuer", name = "trawl-selfsigned" }
    }
  }
  depends_on = [kubernetes_manifest.selfsigned_issuer]
}

resource "kubernetes_manifest" "issuer" {
  count = var.install_crds_only || !var.private_ca ? 0 : 1

  manifest = {
    apiVersion = "cert-manager.io/v1"
    kind       = "ClusterIssuer"
    metadata   = { name = "trawl" }
    spec       = { ca = { secretName = "trawl-ca" } }
  }
  wait {
    condition {
      type   = "Ready"
      status = "True"
    }
  }
  depends_on = [kubernetes_manifest.ca]
}
