# Knative Serving (ingress: Kourier) and Eventing through the Knative Operator, and Envoy Gateway as
# the Gateway API implementation of the public entry (GatewayClass `eg`, used by knative/base/routing).

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
          # seccompProfile and capabilities in the trawl Services' securityContext
          "kubernetes.podspec-securitycontext" = "enabled"
          # queue-proxy and defaults that meet the restricted Pod Security Standard (namespace trawl warns on it)
          "secure-pod-defaults" = "enabled"
        }
      }
    }
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
      }
    }
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
