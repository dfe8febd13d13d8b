// Sign-in. Development: a demo staff account picked from the list the API offers (only outside
// production), or a token from `xuthanh dev-token` pasted once. Production: Firebase
// Authentication (docs/console.md says how it is switched on).
import { setToken } from "../api";
import { clientConfig, firebase } from "../config";
import { h, toast } from "../dom";
import { t } from "../i18n";

type DemoStaff = { uid: string; label: string; hospitalIds: string[] };

async function demoStaff(): Promise<DemoStaff[]> {
  if (!(await clientConfig()).devSignIn) return [];
  try {
    const response = await fetch("/console/dev/staff", { cache: "no-store", credentials: "omit" });
    return response.ok ? ((await response.json()) as DemoStaff[]) : [];
  } catch {
    return [];
  }
}

async function demoToken(uid: string): Promise<string> {
  const response = await fetch("/console/dev/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ uid }),
    credentials: "omit",
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

export async function renderSignIn(main: HTMLElement, signedIn: () => Promise<void>): Promise<void> {
  const tokenInput = h("textarea", { id: "token", name: "token", rows: 3, required: true, autocomplete: "off", spellcheck: "false" });
  const pasteForm = h(
    "form",
    {
      class: "card",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        setToken(tokenInput.value.trim());
        tokenInput.value = "";
        await signedIn();
      },
    },
    h("label", { for: "token" }, t("pasteToken")),
    tokenInput,
    h("button", { type: "submit", id: "token-sign-in" }, t("signIn")),
  );
  const staffList = h("ul", { class: "demo-staff", id: "demo-staff" });
  const devCard = h("section", { class: "card", hidden: true, "aria-labelledby": "dev-title" }, h("h2", { id: "dev-title" }, t("devStaff")), staffList);
  const firebaseCard = h("section", { class: "card", hidden: true });
  main.replaceChildren(
    h("section", { class: "sign-in" }, h("h1", {}, t("signInTitle")), h("p", {}, t("signInIntro")), firebaseCard, devCard, pasteForm),
  );
  const sdk = await firebase((token) => {
    if (token) setToken(token);
  });
  if (sdk) {
    const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true });
    const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
    firebaseCard.append(
      h(
        "form",
        {
          onsubmit: async (event: Event) => {
            event.preventDefault();
            try {
              setToken(await sdk.signIn(email.value.trim(), password.value));
              password.value = "";
              await signedIn();
            } catch (error) {
              toast(t("error", { message: String(error) }), "error");
            }
          },
        },
        h("h2", {}, t("firebaseSignIn")),
        h("label", { for: "email" }, t("email")),
        email,
        h("label", { for: "password" }, t("password")),
        password,
        h("button", { type: "submit", id: "email-sign-in" }, t("signIn")),
      ),
    );
    firebaseCard.hidden = false;
  }
  pasteForm.hidden = !(await clientConfig()).devSignIn;
  const staff = await demoStaff();
  for (const member of staff) {
    staffList.append(
      h(
        "li",
        {},
        h("span", {}, member.label),
        h(
          "button",
          {
            type: "button",
            "data-uid": member.uid,
            onclick: async () => {
              try {
                setToken(await demoToken(member.uid));
                await signedIn();
              } catch (error) {
                toast(t("error", { message: String(error) }), "error");
              }
            },
          },
          t("signInAs"),
        ),
      ),
    );
  }
  devCard.hidden = staff.length === 0;
}
