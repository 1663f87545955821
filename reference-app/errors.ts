// Typed failures of the reference-app launcher: each says which part failed and what to do about it,
// so the CLI can print them without a stack trace.
import { Data } from "effect";

/** A binary the scenario needs is not installed (haproxy, nginx, redis-server, PostgreSQL). */
export class MissingPart extends Data.TaggedError("MissingPart")<{
  readonly part: string;
  readonly install: string;
  /** A host limit too low rather than a program missing (`part` then names what is short). */
  readonly limit?: boolean;
}> {
  override get message(): string {
    return this.limit
      ? `reference app: not enough ${this.part}. Raise it: ${this.install}`
      : `reference app: ${this.part} is not installed. Install it with: ${this.install}`;
  }
}

/** The scenario asks for something the reference app does not realize (a kind, a feature). */
export class Unrealizable extends Data.TaggedError("Unrealizable")<{
  readonly file: string;
  readonly field: string;
  readonly reason: string;
}> {
  override get message(): string {
    return `${this.file}: ${this.field}: ${this.reason}`;
  }
}

/** A part was started but did not become ready, or exited; `log` is the tail of its log file. */
export class StartFailed extends Data.TaggedError("StartFailed")<{
  readonly part: string;
  readonly reason: string;
  readonly log?: string;
}> {
  override get message(): string {
    const tail = this.log ? `\n--- last lines of its log ---\n${this.log}` : "";
    return `reference app: ${this.part} failed to start: ${this.reason}${tail}`;
  }
}

/** No free port could be allocated on 127.0.0.1 (checked for the whole run before anything starts). */
export class PortsExhausted extends Data.TaggedError("PortsExhausted")<{ readonly reason: string }> {
  override get message(): string {
    return `reference app: no free TCP port on 127.0.0.1 (${this.reason}); stop other listeners, or give a wider --ports range, and retry`;
  }
}

export type AppError = MissingPart | Unrealizable | StartFailed | PortsExhausted;
