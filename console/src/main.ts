// The hospital staff console: sign-in, then Schedule and Today for the chosen facility. Pages
// are chosen by the location hash (#schedule, #today): nothing personal ever goes in the URL.
import "./style.css";
import { ApiError, hasToken, setToken, whenSignedOut } from "./api";
import { firebase } from "./config";
import { byId, h, toast } from "./dom";
import { lang, setLang, t } from "./i18n";
import type { Key } from "./i18n";
import { renderSchedule } from "./pages/schedule";
import { renderSignIn } from "./pages/signin";
import { renderToday } from "./pages/today";
import { loadHospital, loadSession } from "./session";
import type { Session } from "./session";

let session: Session | null = null;
let stopPage: () => void = () => undefined;
const main = byId("main");

function chrome(): void {
  document.documentElement.lang = lang();
  document.title = t("title");
  byId("app-title").textContent = t("title");
  byId("lang").textContent = t("switchLang");
  byId("sign-out").textContent = t("signOut");
  byId("facility-label").textContent = t("facility");
  byId("sign-out").hidden = session === null;
  byId("facility-field").hidden = session === null;
  byId("who").textContent = session?.uid ?? "";
  const nav = byId("nav");
  nav.hidden = session === null;
  const page = currentPage();
  nav.replaceChildren(
    ...(["schedule", "today"] as const).map((name) =>
      h("a", { href: `#${name}`, "aria-current": page === name ? "page" : null }, t(`nav${name[0]!.toUpperCase()}${name.slice(1)}` as Key)),
    ),
  );
}

function currentPage(): "schedule" | "today" {
  return location.hash === "#today" ? "today" : "schedule";
}

async function route(): Promise<void> {
  stopPage();
  stopPage = () => undefined;
  chrome();
  if (!session) {
    await renderSignIn(main, signedIn);
    return;
  }
  if (!session.hospital) {
    main.replaceChildren(h("p", { class: "error" }, t("notStaff")));
    return;
  }
  if (currentPage() === "today") stopPage = renderToday(main, session.hospital);
  else renderSchedule(main, session.hospital);
  main.focus();
}

async function chooseFacility(id: string): Promise<void> {
  if (!session) return;
  session.hospital = await loadHospital(id);
  await route();
}

async function signedIn(): Promise<void> {
  try {
    session = await loadSession();
  } catch (error) {
    setToken(null);
    session = null;
    toast(error instanceof ApiError ? error.message : String(error), "error");
    return;
  }
  const picker = byId<HTMLSelectElement>("facility");
  picker.replaceChildren(...session.facilities.map((f) => h("option", { value: f.id }, f.name)));
  const first = session.facilities[0];
  if (!first) {
    session.hospital = null;
    await route();
    return;
  }
  await chooseFacility(first.id);
}

function signOut(message?: string): void {
  stopPage();
  setToken(null);
  void firebase(() => undefined).then((sdk) => sdk?.signOutOfFirebase());
  session = null;
  byId<HTMLSelectElement>("facility").replaceChildren();
  void route();
  if (message) toast(message);
}

byId("lang").addEventListener("click", () => {
  setLang(lang() === "vi" ? "en" : "vi");
  if (session?.hospital) void chooseFacility(session.hospital.id);
  else void route();
});
byId("sign-out").addEventListener("click", () => signOut(t("signedOut")));
byId("facility").addEventListener("change", (event) => void chooseFacility((event.target as HTMLSelectElement).value));
window.addEventListener("hashchange", () => void route());
whenSignedOut(() => signOut());

// Where staff sign in with Firebase, its SDK keeps the ID token fresh across reloads.
void firebase((token) => {
  if (token && session) setToken(token);
});
if (hasToken()) void signedIn();
else void route();
