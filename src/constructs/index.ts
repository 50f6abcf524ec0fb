export * from "./auth-delegator-binding";
export * from "./cluster-connection";
export * from "./kubernetes-auth-backend";
export * from "./kubernetes-auth-role";
export * from "./policy-rules";
export * from "./reviewer";
export * from "./reviewer-service-account";
export * from "./vault-policy";
