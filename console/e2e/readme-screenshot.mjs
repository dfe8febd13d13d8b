// The README's screenshot of the console (docs/images/console-schedule.png), taken by hand
// against `make run` (its demo data), from console/: node e2e/readme-screenshot.mjs [API URL] [file].
// Signs in as the first demo facility's front desk, filters to one department, closes one
// future slot of the week to show a closed slot, and photographs the week.
import { chromium } from "playwright-core";

const base = process.argv[2] ?? "http://127.0.0.1:8000";
const file = process.argv[3] ?? "../docs/images/console-schedule.png";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" });
  page.setDefaultTimeout(20_000);
  await page.goto(`${base}/console/`);
  await page.locator('#demo-staff button[data-uid^="demo-staff-"]').first().click();
  await page.locator("#publish-form").waitFor();
  const department = await page.locator("#filter-department option").nth(1).getAttribute("value");
  await page.selectOption("#filter-department", department ?? "");
  await page.locator(".week .grid").waitFor();
  if ((await page.locator(".slot").count()) === 0) await page.click("#next-week");
  const open = page.locator('.slot[data-status="FREE"]:has(button[data-action=closeSlot])').nth(1);
  const slot = await open.getAttribute("data-slot");
  await open.locator("button[data-action=closeSlot]").click();
  await page.locator(`[data-slot="${slot}"][data-status=CLOSED]`).waitFor();
  await page.locator("#toast").evaluate((toast) => toast.remove());
  await page.screenshot({ path: file });
} finally {
  await browser.close();
}
