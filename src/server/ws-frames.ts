// WebSocket data frames (RFC 6455 5.2) written straight to the socket, unmasked as a server's are: the
// fan-out's shared payloads are never copied or re-encoded, and a long result goes out as fragments, one
// a turn. ws writes its own frames (ping, pong, close) synchronously and whole, and compression is off,
// so frames never interleave; control frames may come between the fragments of one message (5.4).
import type { Socket } from "node:net";

const textOpcode = 0x1;
const continuationOpcode = 0x0;
const finBit = 0x80;
const frameEnd = Buffer.from("}");

/** A frame's header for a payload of `length` bytes, with `room` bytes after it for the payload's start. */
function frameHead(firstByte: number, length: number, room = 0): { head: Buffer; at: number } {
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const head = Buffer.allocUnsafe(2 + lengthBytes + room);
  head[0] = firstByte;
  if (lengthBytes === 0) head[1] = length;
  else if (lengthBytes === 2) {
    head[1] = 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  return { head, at: 2 + lengthBytes };
}

/** One final text frame of prefix + payload + "}": a `next` of the fan-out. */
export function writeTextFrame(socket: Socket, prefix: Buffer, payload: Buffer): void {
  const { head, at } = frameHead(
    finBit | textOpcode,
    prefix.length + payload.length + frameEnd.length,
    prefix.length,
  );
  prefix.copy(head, at);
  socket.write(head);
  socket.write(payload);
  socket.write(frameEnd);
}

/** One fragment of a text message: the first carries the text opcode, the last the FIN bit. */
export function writeFragment(
  socket: Socket,
  bytes: Buffer,
  first: boolean,
  last: boolean,
  onWritten?: () => void,
): void {
  const { head } = frameHead((last ? finBit : 0) | (first ? textOpcode : continuationOpcode), bytes.length);
  socket.write(head);
  socket.write(bytes, onWritten === undefined ? undefined : () => onWritten());
}
