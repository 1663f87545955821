// Streams the elements of one JSON array out of a document read in chunks, so a Zipkin v2 file (a
// top-level array of spans) or a Jaeger file ({"data": [trace, ...]}) of any size is read with
// memory for one element at a time. A hand-written scanner of ~100 lines instead of a streaming JSON
// library: it only has to track strings, escapes and bracket depth to cut element texts, each then
// given to JSON.parse (fast, native); no new dependency. Trades away: it trusts the document's outer
// shape (the array must be the root or a property of the root object) and does not validate the
// text between elements.

export interface ElementSink {
  /** One complete element's text, with its 1-based position in the array. */
  element(text: string, index: number): void;
}

export interface ScanEnd {
  /** Elements seen complete. */
  readonly elements: number;
  /** Text of an element cut off by the end of the input, if any. */
  readonly truncated: string | undefined;
  /** Whether the document never opened an array at the root or at a property of the root. */
  readonly noArray: boolean;
}

const QUOTE = 34, BACKSLASH = 92, LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93, COMMA = 44;

/** Incremental scanner: feed chunks with `push`, then `end`. */
export class JsonArrayElements {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Depth of the target array's contents (1 for a root array, 2 for a property of the root). */
  private target = -1;
  private done = false;
  private parts: string[] = [];
  private elementStart = -1;
  private count = 0;

  constructor(private readonly sink: ElementSink) {}

  push(chunk: string): void {
    this.elementStart = this.inElement() ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) {
        this.inString = true;
        if (this.atTargetLevel()) this.startElement(i);
      } else if (c === LBRACE || c === LBRACKET) {
        if (this.atTargetLevel()) this.startElement(i);
        this.depth++;
        if (c === LBRACKET && this.target < 0 && !this.done && this.depth <= 2) this.target = this.depth;
      } else if (c === RBRACE || c === RBRACKET) {
        this.depth--;
        if (this.target > 0 && this.depth === this.target - 1) {
          if (this.elementStart >= 0) this.finishElement(chunk, i); // a scalar last element
          this.target = -1; // the target array closed: nothing after it is an element
          this.done = true;
        } else if (this.target > 0 && this.depth === this.target && this.elementStart >= 0) {
          this.finishElement(chunk, i + 1);
        }
      } else if (c === COMMA && this.target > 0 && this.depth === this.target) {
        if (this.elementStart >= 0) this.finishElement(chunk, i); // a scalar element ends at the comma
      } else if (c > 32 && this.atTargetLevel()) {
        this.startElement(i); // a number, true, false or null as an element
      }
    }
    if (this.elementStart >= 0) this.parts.push(chunk.slice(this.elementStart));
  }

  end(): ScanEnd {
    const rest = this.parts.join("").trim();
    return { elements: this.count, truncated: rest.length > 0 ? rest : undefined, noArray: this.target < 0 && !this.done };
  }

  private inElement(): boolean {
    return this.parts.length > 0;
  }

  private atTargetLevel(): boolean {
    return this.target > 0 && this.depth === this.target && this.elementStart < 0;
  }

  private startElement(i: number): void {
    this.elementStart = i;
    this.parts = [];
  }

  private finishElement(chunk: string, endIndex: number): void {
    this.parts.push(chunk.slice(this.elementStart, endIndex));
    const text = this.parts.join("").trim();
    this.parts = [];
    this.elementStart = -1;
    if (text.length > 0) this.sink.element(text, ++this.count);
  }
}
