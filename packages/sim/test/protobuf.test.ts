import { describe, expect, it } from "vitest";
import { decodeProtobufObject } from "../src/http/protobuf.js";
import type { StatusError } from "../src/store/status-error.js";

// The exact bytes `kubectl create configmap pbcm --from-literal=a=b --from-literal=c=d` sends.
const configMapBody = Buffer.from(
  "6b3873000a0f0a0276311209436f6e6669674d617012260a140a0470626" +
    "36d12001a0022002a00320038004200120" +
    "60a016112016212060a016312016" +
    "41a002200",
  "hex",
);

describe("protobuf request bodies", () => {
  it("decodes what kubectl's typed create sends", () => {
    expect(decodeProtobufObject(configMapBody)).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "pbcm" },
      data: { a: "b", c: "d" },
    });
  });

  it("refuses kinds and fields it does not know with 415 rather than dropping data", () => {
    const field = (number: number, bytes: Buffer) =>
      Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
    const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
      Buffer.concat([
        Buffer.from("6b387300", "hex"),
        field(1, Buffer.concat([field(1, Buffer.from(apiVersion)), field(2, Buffer.from(kind))])),
        field(2, raw),
      ]);
    const metadata = field(1, field(1, Buffer.from("x")));
    expect(decodeProtobufObject(envelope("v1", "ConfigMap", metadata))).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x" },
    });
    const code = (body: Buffer) => {
      try {
        decodeProtobufObject(body);
      } catch (error) {
        return (error as StatusError).code;
      }
      return 0;
    };
    expect(code(envelope("apps/v1", "Deployment", metadata))).toBe(415);
    // ConfigMap has no field 9: refusing beats storing the object without it.
    expect(code(envelope("v1", "ConfigMap", Buffer.concat([metadata, Buffer.from([0x48, 0x01])])))).toBe(415);
    expect(code(Buffer.from("not protobuf"))).toBe(415);
    expect(code(envelope("v1", "ConfigMap", Buffer.from([0x0a, 0x7f])))).toBe(415);
  });
});
