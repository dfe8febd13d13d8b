// A few DOM helpers: elements are built with properties, never from HTML strings, so text from
// the API is always text (and the Content-Security-Policy needs no inline code or style).

type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      element.addEventListener(name.replace(/^on/, ""), value);
    } else if (name === "class") {
      element.className = String(value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing`);
  return element as T;
}

export function toast(message: string, kind: "ok" | "error" = "ok"): void {
  const box = byId("toast");
  box.className = `toast ${kind}`;
  box.textContent = message;
  window.setTimeout(() => {
    if (box.textContent === message) box.textContent = "";
  }, 6000);
}

/** A modal dialog; resolves with the value of the button that closed it ("" for Escape). */
export function modal(title: string, body: Node, buttons: [string, string][]): Promise<string> {
  const dialog = h(
    "dialog",
    { "aria-labelledby": "dialog-title", class: "dialog" },
    h("h2", { id: "dialog-title" }, title),
    h("form", { method: "dialog" }, body, h("div", { class: "actions" }, ...buttons.map(([value, label]) => h("button", { value, class: value === "cancel" ? "secondary" : "" }, label)))),
  );
  document.body.append(dialog);
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue);
      dialog.remove();
    });
  });
}
