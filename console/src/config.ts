// How staff sign in on this server (from the API: /console/config.json).
import type { FirebaseConfig } from "./firebase";

export type ClientConfig = { firebase: FirebaseConfig | null; devSignIn: boolean };

let loaded: Promise<ClientConfig> | null = null;

export function clientConfig(): Promise<ClientConfig> {
  loaded ??= fetch("/console/config.json", { cache: "no-cache", credentials: "omit" })
    .then((response) => (response.ok ? (response.json() as Promise<ClientConfig>) : { firebase: null, devSignIn: false }))
    .catch(() => ({ firebase: null, devSignIn: false }));
  return loaded;
}

/** The Firebase module, started, when this server signs staff in with Firebase. */
export async function firebase(onToken: (token: string | null) => void): Promise<typeof import("./firebase") | null> {
  const config = await clientConfig();
  if (!config.firebase) return null;
  const module = await import("./firebase");
  module.start(config.firebase, onToken);
  return module;
}
