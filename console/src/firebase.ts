// Production sign-in with Firebase Authentication's web SDK (bundled into its own file, loaded
// only where the API says it is configured). Email and password; the Firebase session is kept in
// this tab's sessionStorage (never localStorage) and its ID token, refreshed by the SDK before
// it expires, is what the console sends to the API.
import { initializeApp } from "@firebase/app";
import {
  browserSessionPersistence,
  initializeAuth,
  onIdTokenChanged,
  signInWithEmailAndPassword,
  signOut,
} from "@firebase/auth";
import type { Auth } from "@firebase/auth";

export type FirebaseConfig = { apiKey: string; authDomain: string; projectId: string };

let auth: Auth | null = null;

/** Starts the SDK once; ``onToken`` hears every new ID token (and null on sign-out). */
export function start(config: FirebaseConfig, onToken: (token: string | null) => void): void {
  if (auth) return;
  auth = initializeAuth(initializeApp(config), { persistence: browserSessionPersistence });
  onIdTokenChanged(auth, (user) => {
    if (user) void user.getIdToken().then(onToken);
    else onToken(null);
  });
}

export async function signIn(email: string, password: string): Promise<string> {
  if (!auth) throw new Error("Firebase Authentication is not configured here.");
  const credential = await signInWithEmailAndPassword(auth, email, password);
  return credential.user.getIdToken();
}

export async function signOutOfFirebase(): Promise<void> {
  if (auth) await signOut(auth);
}
