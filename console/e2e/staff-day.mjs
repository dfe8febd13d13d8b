// The staff console's browser scenario: Playwright (playwright-core, no browser download)
// driving Debian's Chromium. Run by tests/console/test_console_browser.py, which starts the API,
// makes the data the scenario starts from and passes it in the SCENARIO environment variable
// (JSON); this script exits non-zero with the failed step on stderr.
//
// A member of staff signs in from the demo list, previews a template (an overlap shown, Publish
// held back), fixes it and publishes a week's day; closes a slot (a citizen's booking through the
// API is refused) and reopens it; opens the cancel dialog. In Today the bookings made before are
// listed, and one made through the API while the page is open appears by itself, with the
// waitlist; one patient is checked in by the QR code of their booking (Chromium's fake camera),
// one by typed code, a third marked a no-show; the desk calls the next patient and marks them
// seen. The page is switched to English; staff of another hospital see none of it. The browser
// runs in UTC; the console shows Vietnam time. axe-core checks every page and dialog; a
// screenshot of each step goes to SCENARIO.screenshots.
import { mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
// A guard against a hang, never a wait the scenario relies on: every wait is for a condition.
const GUARD_MS = 20_000;
// The flags the issue names, then the fake camera (allowed without a prompt) and a quiet profile.
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

const s = JSON.parse(process.env.SCENARIO ?? "{}");
const problems = [];
let shots = 0;
let step = "start";

/** A matcher of an element's whole text (Playwright's `hasText` string matches any part of it). */
function exactly(text) {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function screenshot(page, name) {
  shots += 1;
  await page.screenshot({ path: join(s.screenshots, `${String(shots).padStart(2, "0")}-${name}.png`), fullPage: true });
}

/** axe-core's serious and critical violations on what the page shows now (or in `scope`). */
async function accessible(page, what) {
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(AXE);
  const found = await page.evaluate(
    ({ tags }) =>
      window.axe
        .run(document, { runOnly: tags })
        .then((r) => r.violations.filter((v) => ["serious", "critical"].includes(v.impact)).map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)),
    { tags: AXE_TAGS },
  );
  check(found.length === 0, `axe-core on ${what}: ${found.join("; ")}`);
}

/** A GraphQL call as a citizen's app makes it (not through the console). */
async function api(token, query, variables) {
  const response = await fetch(`${s.base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  check(!body.errors, `GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const BOOK = `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) {
  __typename ... on Appointment { bookingCode } ... on UserError { code } } }`;

async function book(who, slotId) {
  const input = { slotId, patientProfileId: who.profile, reason: "Khám định kỳ", idempotencyKey: crypto.randomUUID() };
  return (await api(who.token, BOOK, { input })).bookAppointment;
}

async function signIn(page, uid) {
  await page.locator(`#demo-staff button[data-uid="${uid}"]`).click();
  await page.locator("#sign-out").waitFor({ state: "visible" });
}

async function schedule(page) {
  step = "sign in";
  await page.goto(`${s.base}/console/`);
  await page.locator("#demo-staff button").first().waitFor();
  check((await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)) === "UTC", "the browser is not in UTC");
  await accessible(page, "the sign-in page");
  await screenshot(page, "sign-in");
  await signIn(page, `demo-staff-${s.here}`);
  await page.locator("#publish-form").waitFor();
  await accessible(page, "the schedule");
  await screenshot(page, "schedule");

  step = "preview a template that overlaps";
  await page.selectOption("#publish-department", "noi");
  await page.selectOption("#publish-doctor", "bs-a");
  await page.fill("#publish-from", s.day);
  await page.fill("#publish-to", s.day);
  for (const box of await page.locator("input[name=weekday]").all()) await box.check();
  await page.fill("#publish-periods", "08:00-09:00");
  await page.fill("#publish-capacity", "2");
  await page.click("#preview-button");
  await page.locator("#preview-overlaps").waitFor();
  check(await page.locator("#publish").isDisabled(), "Publish is enabled despite an overlap");
  check((await page.locator(".chip.overlap").count()) === 1, "the overlap is not shown on its slot");
  await accessible(page, "the preview with an overlap");
  await screenshot(page, "preview-with-overlap");

  step = "preview and publish";
  await page.fill("#publish-periods", "09:00-10:00");
  check(await page.locator("#publish").isDisabled(), "Publish is enabled before a preview of the new template");
  await page.click("#preview-button");
  await page.locator("#preview-summary").waitFor();
  check((await page.locator(".chip.new").count()) === 2, "the preview does not show two new slots");
  await screenshot(page, "preview");
  await page.click("#publish"); // the week of the template's first day is shown then
  const day = page.locator(`[data-day="${s.day}"]`);
  await day.locator(".slot").nth(2).waitFor();
  check((await day.locator(".slot").count()) === 3, "the day does not show its 3 slots");
  // 09:00 in Vietnam is 02:00 in the browser's UTC: the console shows Vietnam time.
  await day.getByText("09:00–09:30").waitFor();
  await day.getByText("09:30–10:00").waitFor();
  check((await day.getByText("02:00–02:30").count()) === 0, "a time shown in UTC");
  await day.getByText("0/2").first().waitFor();
  await screenshot(page, "schedule-published");

  step = "close a slot";
  const slot = day.locator(".slot", { hasText: "09:00–09:30" });
  const slotId = await slot.getAttribute("data-slot");
  await slot.locator("button[data-action=closeSlot]").click();
  await page.locator(`[data-slot="${slotId}"][data-status=CLOSED]`).waitFor();
  const refused = await book(s.second, slotId);
  check(refused.__typename === "SlotNotBookable", `booking a closed slot: ${JSON.stringify(refused)}`);
  await screenshot(page, "slot-closed");
  await page.locator(`[data-slot="${slotId}"] button[data-action=reopenSlot]`).click();
  await page.locator(`[data-slot="${slotId}"][data-status=FREE]`).waitFor();

  step = "the cancel dialog";
  await page.locator(`[data-slot="${slotId}"] button[data-action=cancelSlot]`).click();
  await page.locator("dialog[open] #cancel-reason").waitFor();
  await accessible(page, "the cancel dialog");
  await screenshot(page, "cancel-dialog");
  await page.click("dialog[open] button[value=cancel]");
  await page.locator("dialog").waitFor({ state: "detached" });
}

async function today(page) {
  step = "Today lists the bookings, and one made while it is open";
  await page.click('nav a[href="#today"]');
  const rows = page.locator("#appointments");
  await rows.getByText(s.first.name).waitFor();
  const second = await book(s.second, s.slotToday);
  check(second.__typename === "Appointment", `the second booking: ${JSON.stringify(second)}`);
  await rows.getByText(s.second.name).waitFor();
  // The slot is full now: its waitlist (a patient the test put on it) shows, counted exactly.
  await page.locator("#waitlist li", { hasText: exactly(`${s.slotTodayTime}: 1 người chờ, 0 chỗ đang giữ`) }).waitFor();
  await accessible(page, "Today");
  await screenshot(page, "today");

  step = "check in by QR code (the fake camera)";
  // The decoder is held back until the scanner's dialog has been checked and photographed.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route(/\/assets\/jsQR-[^/]*\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.click("#scan");
  await page.locator("dialog[open] #scanner").waitFor();
  await accessible(page, "the QR scanner dialog");
  await screenshot(page, "scanner");
  release();
  const row = (code) => page.locator(`tr[data-code="${code}"]`);
  await page.locator(`tr[data-code="${s.first.code}"].status-checked_in`).waitFor();
  await page.unroute(/\/assets\/jsQR-[^/]*\.js$/);

  step = "check in by typed code, mark a no-show";
  await page.fill("#check-in-code", second.bookingCode.toLowerCase());
  await page.click("#check-in");
  await page.locator(`tr[data-code="${second.bookingCode}"].status-checked_in`).waitFor();
  await row(s.third.code).locator("button[data-action=noShow]").click();
  await page.locator(`tr[data-code="${s.third.code}"].status-noshow`).waitFor();
  await screenshot(page, "checked-in-and-no-show");

  step = "the desk calls the next patient and marks them seen";
  await page.locator("#desk button.call-next").click();
  await page.locator("#desk .serving", { hasText: exactly("đang gọi số 1") }).waitFor();
  const firstNumber = (await row(s.first.code).locator(".queue").textContent()) ?? "";
  check(firstNumber === "1", `the first patient's queue number is ${firstNumber}`);
  await row(s.first.code).locator("button[data-action=complete]").click();
  await page.locator(`tr[data-code="${s.first.code}"].status-fulfilled`).waitFor();
  await accessible(page, "Today after the desk's calls");
  await screenshot(page, "desk");
  return second.bookingCode;
}

async function otherHospital(page, secondCode) {
  step = "English";
  await page.click("#lang");
  await page.locator("h1", { hasText: /^Today, / }).waitFor();  // "Today, 6/12 · <facility>"
  await screenshot(page, "today-in-english");

  step = "staff of another hospital see none of it";
  await page.click("#sign-out");
  await signIn(page, `demo-staff-${s.other}`);
  await page.locator("#appointments", { hasText: "No appointments today yet." }).waitFor();
  await page.click('nav a[href="#schedule"]');
  await page.locator(".week .grid").waitFor();
  if ((await page.locator(`[data-day="${s.day}"]`).count()) === 0) await page.click("#next-week");
  await page.locator(`[data-day="${s.day}"]`).waitFor();
  check((await page.locator(`[data-day="${s.day}"] .slot`).count()) === 0, "another hospital's staff see the slots");
  const text = await page.evaluate(() => document.body.innerText);
  for (const secret of [s.first.name, s.second.name, s.first.code, secondCode]) check(!text.includes(secret), `another hospital's staff see ${secret}`);
  await accessible(page, "another hospital's schedule");
  await screenshot(page, "other-hospital-sees-nothing");
  const storage = await page.evaluate(() => JSON.stringify(localStorage));
  check(!storage.includes("Nguyễn") && !storage.includes("eyJ"), `localStorage holds ${storage}`);
}

async function main() {
  mkdirSync(s.screenshots, { recursive: true });
  for (const old of readdirSync(s.screenshots)) if (old.endsWith(".png")) rmSync(join(s.screenshots, old));
  const browser = await chromium.launch({
    executablePath: s.chromium,
    headless: true,
    chromiumSandbox: false,
    args: [...FLAGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${s.camera}`],
    env: { ...process.env, TZ: "UTC" },
    timeout: GUARD_MS,
  });
  try {
    const context = await browser.newContext({ timezoneId: "UTC", locale: "vi-VN", viewport: { width: 1440, height: 1000 } });
    await context.grantPermissions(["camera"], { origin: s.base });
    context.setDefaultTimeout(GUARD_MS);
    // Every Content-Security-Policy violation, uncaught error and console error fails the scenario.
    await context.addInitScript(() => document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(`${step}: uncaught ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`${step}: console: ${message.text()}`);
    });
    page.on("requestfailed", (request) => problems.push(`${step}: failed ${request.url()} ${request.failure()?.errorText}`));
    await schedule(page);
    const secondCode = await today(page);
    await otherHospital(page, secondCode);
    check(problems.length === 0, `problems in the page: ${problems.join("; ")}`);
    console.log(JSON.stringify({ screenshots: shots, secondCode }));
  } catch (error) {
    const pages = browser.contexts().flatMap((c) => c.pages());
    if (pages[0]) await screenshot(pages[0], "failed").catch(() => undefined);
    console.error(`step "${step}" failed: ${error instanceof Error ? error.stack : error}`);
    if (problems.length) console.error(`problems in the page: ${problems.join("; ")}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

await main();
