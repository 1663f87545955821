// The message a stream framer (http-framer.ts, resp-framer.ts, pg-framer.ts) is in the middle of:
// its chunks in arrival order and their total length, handed to the sink whole once the framer
// knows where it ends. One place for the bookkeeping the three protocols share; each framer keeps
// its own idea of which of the bytes are head (framing) and which the model's.

/** Where a whole message goes (http-framer.ts FramerSink's first half). */
interface MessageSink {
  message(parts: Buffer[], bytes: number, headBytes: number): void;
}

export class HeldMessage {
  private parts: Buffer[] = [];
  /** Bytes held so far. */
  bytes = 0;

  add(b: Buffer): void {
    if (b.length === 0) return;
    this.parts.push(b);
    this.bytes += b.length;
  }

  /** Hands what is held to `sink` as one message with `headBytes` of head, and starts the next. */
  emit(sink: MessageSink, headBytes: number): void {
    const parts = this.parts;
    const bytes = this.bytes;
    this.parts = [];
    this.bytes = 0;
    sink.message(parts, bytes, headBytes);
  }
}
