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

// The exact bytes `kubectl create deployment hello2 --image=nginx:1.27 --port=80 -- sleep 10` sends.
const deploymentBody = Buffer.from(
  "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412d4010a250a0668656c6c6f32" +
    "12001a0022002a003200380042005a0d0a03617070120668656c6c6f32129c010801120f0a0d0a03" +
    "617070120668656c6c6f321a7f0a1f0a0012001a0022002a003200380042005a0d0a036170701206" +
    "68656c6c6f32125c123e0a056e67696e78120a6e67696e783a312e32371a05736c6565701a023130" +
    "2a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a00" +
    "52005800600068008201008a01009a0100c2010022020a00280038001a0c08001000180020002800" +
    "38001a002200",
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

  it("decodes the deployment kubectl create deployment sends, keeping only what is set", () => {
    const labels = { app: "hello2" };
    expect(decodeProtobufObject(deploymentBody)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "hello2", labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: "nginx",
                image: "nginx:1.27",
                command: ["sleep", "10"],
                ports: [{ containerPort: 80 }],
              },
            ],
          },
        },
      },
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
    expect(code(envelope("apps/v1", "StatefulSet", metadata))).toBe(415);
    // ConfigMap has no field 9: refusing beats storing the object without it.
    expect(code(envelope("v1", "ConfigMap", Buffer.concat([metadata, Buffer.from([0x48, 0x01])])))).toBe(415);
    expect(code(Buffer.from("not protobuf"))).toBe(415);
    expect(code(envelope("v1", "ConfigMap", Buffer.from([0x0a, 0x7f])))).toBe(415);
  });
});
