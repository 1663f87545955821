// The text of anything thrown, for a message on the page: never throws itself (a value whose
// conversion to text throws gets a fixed sentence). Its own module, so that the page's entry can
// use it without the scenario parser (validate.ts imports the simulator).
/** A thrown value as one line of text, whatever was thrown (an Error, a string, a null-prototype object). */
export function errorText(e: unknown): string {
  try {
    if (e instanceof Error) return `${e.name}: ${e.message}`;
    return String(e);
  } catch {
    return "an error that cannot be printed";
  }
}
