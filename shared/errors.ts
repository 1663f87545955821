// Errors the CLI reports without a stack trace: bad flags (UsageError) and bad files (InputError).
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export class InputError extends Error {
  override readonly name = "InputError";
}
