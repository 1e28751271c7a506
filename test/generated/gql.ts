/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Resources($filter: ResourceFilter, $first: Int, $after: String) {\n  resources(filter: $filter, first: $first, after: $after) {\n    totalCount\n    sequence\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        uid\n        kind\n        apiVersion\n        namespace\n        name\n        resourceVersion\n        labels\n        cluster {\n          id\n          name\n        }\n      }\n    }\n  }\n}\n\nquery ResourceDetail($id: ID!) {\n  node(id: $id) {\n    id\n    ... on Resource {\n      uid\n      kind\n      name\n      namespace\n      labels\n      annotations\n      ownerReferences {\n        kind\n        name\n        uid\n        controller\n      }\n      spec\n      status\n      object\n    }\n  }\n}\n\nquery Clusters {\n  clusters {\n    id\n    name\n  }\n}\n\nquery ApiResources($clusterIds: [ID!]) {\n  apiResources(clusterIds: $clusterIds) {\n    clusterId\n    apiVersion\n    resource\n    kind\n    namespaced\n    typeName\n  }\n}\n\nmutation Resync($clusterId: ID!) {\n  resync(clusterId: $clusterId)\n}\n\nsubscription ResourceChanges($filter: ResourceFilter, $since: String) {\n  resourceChanges(filter: $filter, since: $since) {\n    sequence\n    type\n    resource {\n      id\n      kind\n      namespace\n      name\n      resourceVersion\n    }\n  }\n}": typeof types.ResourcesDocument,
    "subscription FollowChanges($filter: ResourceFilter, $since: String) {\n  resourceChanges(filter: $filter, since: $since) {\n    sequence\n    type\n    resource {\n      uid\n      kind\n      namespace\n      name\n      resourceVersion\n    }\n  }\n}\n\nquery SyncStatus {\n  syncStatus {\n    clusterId\n    typeName\n    phase\n    synced\n    objectCount\n    error\n    skipped\n    forbidden\n    relists\n  }\n}\n\nquery ClusterHealth {\n  clusters {\n    id\n    name\n    reachable\n    since\n    lastError\n    lastContact\n    synced\n  }\n}\n\nquery TypePositions {\n  syncStatus {\n    clusterId\n    typeName\n    resourceVersion\n    synced\n  }\n}": typeof types.FollowChangesDocument,
};
const documents: Documents = {
    "query Resources($filter: ResourceFilter, $first: Int, $after: String) {\n  resources(filter: $filter, first: $first, after: $after) {\n    totalCount\n    sequence\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        uid\n        kind\n        apiVersion\n        namespace\n        name\n        resourceVersion\n        labels\n        cluster {\n          id\n          name\n        }\n      }\n    }\n  }\n}\n\nquery ResourceDetail($id: ID!) {\n  node(id: $id) {\n    id\n    ... on Resource {\n      uid\n      kind\n      name\n      namespace\n      labels\n      annotations\n      ownerReferences {\n        kind\n        name\n        uid\n        controller\n      }\n      spec\n      status\n      object\n    }\n  }\n}\n\nquery Clusters {\n  clusters {\n    id\n    name\n  }\n}\n\nquery ApiResources($clusterIds: [ID!]) {\n  apiResources(clusterIds: $clusterIds) {\n    clusterId\n    apiVersion\n    resource\n    kind\n    namespaced\n    typeName\n  }\n}\n\nmutation Resync($clusterId: ID!) {\n  resync(clusterId: $clusterId)\n}\n\nsubscription ResourceChanges($filter: ResourceFilter, $since: String) {\n  resourceChanges(filter: $filter, since: $since) {\n    sequence\n    type\n    resource {\n      id\n      kind\n      namespace\n      name\n      resourceVersion\n    }\n  }\n}": types.ResourcesDocument,
    "subscription FollowChanges($filter: ResourceFilter, $since: String) {\n  resourceChanges(filter: $filter, since: $since) {\n    sequence\n    type\n    resource {\n      uid\n      kind\n      namespace\n      name\n      resourceVersion\n    }\n  }\n}\n\nquery SyncStatus {\n  syncStatus {\n    clusterId\n    typeName\n    phase\n    synced\n    objectCount\n    error\n    skipped\n    forbidden\n    relists\n  }\n}\n\nquery ClusterHealth {\n  clusters {\n    id\n    name\n    reachable\n    since\n    lastError\n    lastContact\n    synced\n  }\n}\n\nquery TypePositions {\n  syncStatus {\n    clusterId\n    typeName\n    resourceVersion\n    synced\n  }\n}": types.FollowChangesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Resources($filter: ResourceFilter, $first: Int, $after: String) {\n  resources(filter: $filter, first: $first, after: $after) {\n    totalCount\n    sequence\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        uid\n        kind\n        apiVersion\n        namespace\n        name\n        resourceVersion\n        labels\n        cluster {\n          id\n          name\n        }\n      }\n    }\n  }\n}\n\nquery ResourceDetail($id: ID!) {\n  node(id: $id) {\n    id\n    ... on Resource {\n      uid\n      kind\n      name\n      namespace\n      labels\n      annotations\n      ownerReferences {\n        kind\n        name\n        uid\n        controller\n      }\n      spec\n      status\n      object\n    }\n  }\n}\n\nquery Clusters {\n  clusters {\n    id\n    name\n  }\n}\n\nquery ApiResources($clusterIds: [ID!]) {\n  apiResources(clusterIds: $clusterIds) {\n    clusterId\n    apiVersion\n    resource\n    kind\n    namespaced\n    typeName\n  }\n}\n\nmutation Resync($clusterId: ID!) {\n  resync(clusterId: $clusterId)\n}\n\nsubscription ResourceChanges($filter: ResourceFilter, $since: String) {\n  resourceChanges(filter: $filter, since: $since) {\n    sequence\n    type\n    resource {\n      id\n      kind\n      namespace\n      name\n      resourceVersion\n    }\n  }\n}"): (typeof documents)["query Resources($filter: ResourceFilter, $first: Int, $after: String) {\n  resources(filter: $filter, first: $first, after: $after) {\n    totalCount\n    sequence\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        uid\n        kind\n        apiVersion\n        namespace\n        name\n        resourceVersion\n        labels\n        cluster {\n          id\n          name\n        }\n      }\n    }\n  }\n}\n\nquery ResourceDetail($id: ID!) {\n  node(id: $id) {\n    id\n    ... on Resource {\n      uid\n      kind\n      name\n      namespace\n      labels\n      annotations\n      ownerReferences {\n        kind\n        name\n        uid\n        controller\n      }\n      spec\n      status\n      object\n    }\n  }\n}\n\nquery Clusters {\n  clusters {\n    id\n    name\n  }\n}\n\nquery ApiResources($clusterIds: [ID!]) {\n  apiResources(clusterIds: $clusterIds) {\n    clusterId\n    apiVersion\n    resource\n    kind\n    namespaced\n    typeName\n  }\n}\n\nmutation Resync($clusterId: ID!) {\n  resync(clusterId: $clusterId)\n}\n\nsubscription ResourceChanges($filter: ResourceFilter, $since: String) {\n  resourceChanges(filter: $filter, since: $since) {\n    sequence\n    type\n    resource {\n      id\n      kind\n      namespace\n      name\n      resourceVersion\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription FollowChanges($filter: ResourceFilter, $since: String) {\n  resourceChanges(filter: $filter, since: $since) {\n    sequence\n    type\n    resource {\n      uid\n      kind\n      namespace\n      name\n      resourceVersion\n    }\n  }\n}\n\nquery SyncStatus {\n  syncStatus {\n    clusterId\n    typeName\n    phase\n    synced\n    objectCount\n    error\n    skipped\n    forbidden\n    relists\n  }\n}\n\nquery ClusterHealth {\n  clusters {\n    id\n    name\n    reachable\n    since\n    lastError\n    lastContact\n    synced\n  }\n}\n\nquery TypePositions {\n  syncStatus {\n    clusterId\n    typeName\n    resourceVersion\n    synced\n  }\n}"): (typeof documents)["subscription FollowChanges($filter: ResourceFilter, $since: String) {\n  resourceChanges(filter: $filter, since: $since) {\n    sequence\n    type\n    resource {\n      uid\n      kind\n      namespace\n      name\n      resourceVersion\n    }\n  }\n}\n\nquery SyncStatus {\n  syncStatus {\n    clusterId\n    typeName\n    phase\n    synced\n    objectCount\n    error\n    skipped\n    forbidden\n    relists\n  }\n}\n\nquery ClusterHealth {\n  clusters {\n    id\n    name\n    reachable\n    since\n    lastError\n    lastContact\n    synced\n  }\n}\n\nquery TypePositions {\n  syncStatus {\n    clusterId\n    typeName\n    resourceVersion\n    synced\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;