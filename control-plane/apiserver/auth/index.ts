// The apiserver's authentication and authorization: request info, token file, authenticator,
// RBAC authorizer and bootstrap policy, plus the PKI and kubeconfig files `flotilla up` writes.
export { parseRequestInfo, type RequestInfo } from './request-info.js';
export { parseTokenFile, loadTokenFile, type UserInfo } from './token-file.js';
export {
  Authenticator, serviceAccountUserInfo, GROUP_AUTHENTICATED, GROUP_UNAUTHENTICATED, USER_ANONYMOUS,
  type AuthenticatorOptions, type AuthenticationResult, type PeerCertificateSubject,
} from './authenticator.js';
export {
  RbacAuthorizer, forbiddenMessage, forbiddenStatus, type RbacSource, type AuthorizationAttributes,
  type AuthorizationDecision,
} from './rbac.js';
export { staticRbacSource, type RbacObjects } from './rbac-source.js';
export { ruleAllows, subjectApplies, serviceAccountUsername, type RuleRequest } from './rbac-rules.js';
export { bootstrapClusterRoles, bootstrapClusterRoleBindings } from './bootstrap-policy.js';
export {
  generateCa, issueServingCert, issueClientCert, ensurePki, ADMIN_USER, ADMIN_GROUPS,
  type CertKeyPair, type ServingCertOptions, type ClientCertOptions, type PkiFiles,
} from './pki.js';
export { kubeconfigYaml, writeKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
export { TokenFileError, PkiError, RequestInfoError, KubeconfigError } from './errors.js';
export * from './limits.js';
