// Shared shapes of Envoy Gateway's v1alpha1 CRDs (see ../../README.md).
export interface IObjectMeta {
  name?: string;
  namespace?: string;
  labels?: { [key: string]: string };
  annotations?: { [key: string]: string };
}
export interface IBackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
}
export interface IKubernetesResources {
  limits?: { [key: string]: string | number };
  requests?: { [key: string]: string | number };
}
