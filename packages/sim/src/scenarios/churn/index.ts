// The controllers' and users' side of a live cluster, one change per step: scaling, pod lifecycles,
// endpoint slices following pods, config and label edits, lease renewals, short-lived namespaces.
export { type Churner, createChurner } from "./churner.js";
export { type ChurnStats, isNotFound } from "./context.js";
