// The run's admin token check, shared by the launcher's admin endpoint and every worker's
// pause/resume endpoints: one constant-time comparison (timingSafeEqual), so the time an answer
// takes says nothing about how much of a guessed token was right. It trades nothing but a copy of
// the header into a Buffer per request, on endpoints called a few times per run.
import { timingSafeEqual } from "node:crypto";

/** True when `authorization` is exactly `Bearer <token>`, compared in constant time. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = Buffer.from(authorization ?? "");
  const want = Buffer.from(`Bearer ${token}`);
  // Lengths differ only when the guess is wrong; the token's length is no secret (48 hex digits).
  return given.length === want.length && timingSafeEqual(given, want);
}
