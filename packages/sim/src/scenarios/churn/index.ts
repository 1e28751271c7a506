// The controllers' and users' side of a live cluster, one change per step: scaling, pod lifecycles,
// endpoint slices following pods, config and label edits, lease renewals, short-lived namespaces.

export { type ChurnStats, isNotFound } from "./churn-context.js";
export { type Churner, type ChurnOptions, createChurner } from "./churner.js";
