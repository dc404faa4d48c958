// gateway.envoyproxy.io/v1alpha1 SecurityPolicy: authentication and authorization at the Gateway
// (the fields of spec.targetRefs, spec.jwt and spec.authorization; see ../../README.md).
import { IBackendRef, IObjectMeta } from './common.js';

export interface ISecurityPolicy {
  apiVersion: 'gateway.envoyproxy.io/v1alpha1';
  kind: 'SecurityPolicy';
  metadata?: IObjectMeta;
  spec: {
    targetRef?: IPolicyTargetReference;
    targetRefs?: IPolicyTargetReference[];
    targetSelectors?: { group?: string; kind: string; matchLabels: { [key: string]: string } }[];
    jwt?: IJWT;
    authorization?: IAuthorization;
    cors?: object;
    basicAuth?: object;
    apiKeyAuth?: object;
    oidc?: object;
    extAuth?: object;
  };
}

export interface IPolicyTargetReference {
  group: 'gateway.networking.k8s.io';
  kind: 'Gateway' | 'HTTPRoute' | 'GRPCRoute' | 'TCPRoute' | 'UDPRoute' | 'TLSRoute';
  name: string;
  sectionName?: string;
}

export interface IJWT {
  optional?: boolean;
  providers: IJWTProvider[];
}

export interface IJWTProvider {
  name: string;
  issuer?: string;
  audiences?: string[];
  remoteJWKS?: {
    uri: string;
    backendRef?: IBackendRef;
    backendRefs?: IBackendRef[];
    backendSettings?: object;
    cacheDuration?: string;
  };
  localJWKS?: { type?: 'Inline' | 'ValueRef'; inline?: string; valueRef?: { group: string; kind: string; name: string } };
  claimToHeaders?: { header: string; claim: string }[];
  recomputeRoute?: boolean;
  extractFrom?: {
    headers?: { name: string; valuePrefix?: string }[];
    cookies?: string[];
    params?: string[];
  };
}

export interface IAuthorization {
  defaultAction?: 'Allow' | 'Deny';
  rules?: {
    name?: string;
    action: 'Allow' | 'Deny';
    principal: {
      clientCIDRs?: string[];
      jwt?: { provider: string; scopes?: string[]; claims?: { name: string; valueType?: 'String' | 'StringArray'; values: string[] }[] };
      headers?: { name: string; values: string[] }[];
    };
  }[];
}
