// What meshsync sends its state to besides GraphQL: MeshSync's snapshot file and its NATS events.
export * from "./file/snapshot-accumulator.js";
export * from "./file/snapshot-file.js";
export * from "./jetstream/index.js";
export * from "./nats/index.js";
