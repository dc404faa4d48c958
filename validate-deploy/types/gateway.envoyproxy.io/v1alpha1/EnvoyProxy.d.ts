// gateway.envoyproxy.io/v1alpha1 EnvoyProxy: how Envoy Gateway runs a Gateway's proxy (the fields
// of spec.provider.kubernetes that trawl sets and their siblings; see ../../README.md).
import { IKubernetesResources, IObjectMeta } from './common.js';

export interface IEnvoyProxy {
  apiVersion: 'gateway.envoyproxy.io/v1alpha1';
  kind: 'EnvoyProxy';
  metadata?: IObjectMeta;
  spec: {
    provider?: {
      type: 'Kubernetes' | 'Custom';
      kubernetes?: {
        envoyDeployment?: {
          replicas?: number;
          pod?: { annotations?: { [key: string]: string }; labels?: { [key: string]: string }; securityContext?: object; affinity?: object; tolerations?: object[]; nodeSelector?: { [key: string]: string } };
          container?: { resources?: IKubernetesResources; securityContext?: object; image?: string; env?: object[] };
          strategy?: object;
          patch?: object;
        };
        envoyService?: {
          type?: 'ClusterIP' | 'LoadBalancer' | 'NodePort';
          annotations?: { [key: string]: string };
          labels?: { [key: string]: string };
          externalTrafficPolicy?: 'Local' | 'Cluster';
          loadBalancerClass?: string;
          loadBalancerSourceRanges?: string[];
          allocateLoadBalancerNodePorts?: boolean;
          name?: string;
          patch?: object;
        };
        envoyHpa?: object;
        envoyPDB?: { minAvailable?: number; maxUnavailable?: number; patch?: object };
      };
    };
    logging?: { level?: { [component: string]: 'debug' | 'info' | 'error' | 'warn' } };
    telemetry?: object;
    shutdown?: { drainTimeout?: string; minDrainDuration?: string };
    mergeGateways?: boolean;
  };
}
