export declare const buildStamp: string;
export declare function compiledState(root: string): "current" | "stale" | "no-sources";
