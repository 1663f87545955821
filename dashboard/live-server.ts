// The server behind `--dashboard` on `headroom load` and `headroom validate`: the built dashboard
// (serveDirectory, 127.0.0.1 only, its Host check) under a secret per-run path segment, so only
// who has the printed URL reads the run, and the run's event stream at <token>/live/events.
import { randomBytes } from "node:crypto";
import { serveDirectory } from "./server.ts";
import { LiveChannel } from "./live-channel.ts";

export interface LiveServer {
  /** The page's address, token included; `?live` opens the live view. */
  readonly url: string;
  readonly port: number;
  readonly channel: LiveChannel;
  /** Ends the event streams and closes the server (its port released). */
  close(): Promise<void>;
}

export const EVENTS_PATH = "/live/events";

export async function startLiveServer(dist: string, port = 0): Promise<LiveServer> {
  const token = randomBytes(18).toString("base64url");
  const channel = new LiveChannel();
  const server = await serveDirectory(dist, port, {
    prefix: token,
    handle: (req, res, path) => {
      if (path !== EVENTS_PATH) return false;
      channel.attach(req, res);
      return true;
    },
  });
  return {
    url: `${server.url}?live`,
    port: server.port,
    channel,
    async close() {
      channel.close();
      await server.close();
    },
  };
}
