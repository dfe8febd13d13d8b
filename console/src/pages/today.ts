// Today: the day's appointments in queue order, check-in by booking code (typed or scanned),
// no-shows, the waitlist of full slots. Refreshes itself every few seconds while shown.
import { gql, isFailure } from "../api";
import { h, modal, toast } from "../dom";
import {
  ConsoleCheckInDocument,
  ConsoleMarkNoShowDocument,
  FacilitySlotsDocument,
  SlotWaitlistDocument,
  TodayAppointmentsDocument,
} from "../gql/graphql";
import type { TodayAppointmentsQuery } from "../gql/graphql";
import { t } from "../i18n";
import type { Key } from "../i18n";
import type { Hospital } from "../session";
import { shortDay, today, vnTime } from "../time";

export const REFRESH_SECONDS = 5;
type Appointment = TodayAppointmentsQuery["hospitalAppointments"]["nodes"][number];

async function appointmentsOf(hospitalId: string, day: string): Promise<Appointment[]> {
  const all: Appointment[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page++) {
    const { hospitalAppointments }: TodayAppointmentsQuery = await gql(TodayAppointmentsDocument, { hospitalId, date: day, after });
    all.push(...hospitalAppointments.nodes);
    if (!hospitalAppointments.pageInfo.hasNextPage) break;
    after = hospitalAppointments.pageInfo.endCursor ?? null;
  }
  return all;
}

async function waitlistOf(hospitalId: string, day: string): Promise<{ start: string; waiting: number; offered: number }[]> {
  const { facilitySlots } = await gql(FacilitySlotsDocument, { filter: { hospitalId, fromDate: day, toDate: day } });
  const full = facilitySlots.filter((s) => s.status === "BUSY").slice(0, 30);
  const counts = await Promise.all(full.map((s) => gql(SlotWaitlistDocument, { slotId: s.id })));
  return full
    .map((slot, i) => ({ start: slot.start, waiting: counts[i]?.slotWaitlist?.waiting ?? 0, offered: counts[i]?.slotWaitlist?.offered ?? 0 }))
    .filter((row) => row.waiting > 0 || row.offered > 0);
}

/** Renders the page; returns a function that stops its refreshing. */
export function renderToday(main: HTMLElement, hospital: Hospital): () => void {
  const day = today();
  const table = h("div", { id: "appointments", "aria-live": "polite" });
  const waitlist = h("div", { id: "waitlist" });
  const updated = h("p", { class: "muted", id: "updated" });
  const code = h("input", { id: "check-in-code", name: "code", autocomplete: "off", required: true, autocapitalize: "characters", spellcheck: "false" });
  let timer = 0;
  let stopped = false;

  const refresh = async (): Promise<void> => {
    window.clearTimeout(timer);
    try {
      const [appointments, waiting] = await Promise.all([appointmentsOf(hospital.id, day), waitlistOf(hospital.id, day)]);
      table.replaceChildren(appointmentTable(hospital, appointments, refresh));
      waitlist.replaceChildren(
        waiting.length === 0
          ? h("p", { class: "muted" }, t("waitlistEmpty"))
          : h("ul", {}, ...waiting.map((w) => h("li", {}, `${vnTime(w.start)}: ${t("waiting", { waiting: w.waiting, offered: w.offered })}`))),
      );
      updated.textContent = t("updatedAt", { time: vnTime(new Date()), seconds: REFRESH_SECONDS });
    } catch (error) {
      updated.textContent = t("offline");
      void error;
    }
    if (!stopped) timer = window.setTimeout(() => void refresh(), REFRESH_SECONDS * 1000);
  };

  const checkIn = async (bookingCode: string): Promise<void> => {
    const { checkIn: result } = await gql(ConsoleCheckInDocument, { bookingCode: bookingCode.trim() });
    if (isFailure(result)) toast(result.message, "error");
    else if (result.__typename === "Appointment") toast(t("checkedIn", { number: result.queueNumber ?? "" }));
    code.value = "";
    await refresh();
  };

  main.replaceChildren(
    h("h1", {}, t("todayTitle", { day: shortDay(day) }), " · ", hospital.name),
    h(
      "form",
      {
        class: "card check-in",
        id: "check-in-form",
        onsubmit: (event: Event) => {
          event.preventDefault();
          void checkIn(code.value).catch((error: unknown) => toast(t("error", { message: String(error) }), "error"));
        },
      },
      h("label", { for: "check-in-code" }, t("checkInCode")),
      code,
      h("button", { type: "submit", id: "check-in" }, t("checkIn")),
      h("button", { type: "button", class: "secondary", id: "scan", onclick: () => void scan().then((text) => (text ? checkIn(text) : undefined)) }, t("scanQr")),
    ),
    updated,
    table,
    h("section", { class: "card" }, h("h2", {}, t("waitlist")), waitlist),
  );
  void refresh();
  const visibility = (): void => {
    if (document.visibilityState === "visible" && !stopped) void refresh();
  };
  document.addEventListener("visibilitychange", visibility);
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    document.removeEventListener("visibilitychange", visibility);
  };
}

function appointmentTable(hospital: Hospital, appointments: Appointment[], refresh: () => Promise<void>): HTMLElement {
  if (appointments.length === 0) return h("p", { class: "muted" }, t("noAppointments"));
  const now = new Date();
  const ordered = [...appointments].sort((a, b) => a.start.localeCompare(b.start) || (a.queueNumber ?? 0) - (b.queueNumber ?? 0));
  return h(
    "table",
    { class: "appointments" },
    h("thead", {}, h("tr", {}, ...[t("time"), t("queue"), t("patient"), t("department"), t("code"), t("status"), t("actions")].map((c) => h("th", { scope: "col" }, c)))),
    h(
      "tbody",
      {},
      ...ordered.map((a) =>
        h(
          "tr",
          { class: `status-${a.status.toLowerCase()}`, "data-code": a.bookingCode ?? "" },
          h("td", {}, vnTime(a.start)),
          h("td", { class: "queue" }, String(a.queueNumber ?? "")),
          h("td", {}, a.patient?.fullName ?? "—"),
          h("td", {}, hospital.departments.find((d) => d.id === a.departmentId)?.name ?? a.departmentId),
          h("td", { class: "code" }, a.bookingCode ?? ""),
          h("td", {}, h("span", { class: "badge" }, t(`appt${a.status.toLowerCase().replace("_", "")}` as Key))),
          h(
            "td",
            {},
            a.status === "BOOKED" && new Date(a.start) <= now
              ? h(
                  "button",
                  {
                    type: "button",
                    class: "link danger",
                    onclick: async () => {
                      const { markNoShow } = await gql(ConsoleMarkNoShowDocument, { appointmentId: a.id });
                      toast(isFailure(markNoShow) ? markNoShow.message : t("markedNoShow"), isFailure(markNoShow) ? "error" : "ok");
                      await refresh();
                    },
                  },
                  t("noShow"),
                )
              : null,
          ),
        ),
      ),
    ),
  );
}

/** Scans a QR code with the device camera; resolves with its text, or null when closed. */
async function scan(): Promise<string | null> {
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (error) {
    toast(t("cameraUnavailable", { error: String(error) }), "error");
    return null;
  }
  // The decoder is loaded only when a scan starts (its own file, from this server).
  const { default: jsQR } = await import("jsqr");
  const video = h("video", { playsinline: true, muted: true, class: "scanner", id: "scanner" });
  video.srcObject = stream;
  const canvas = document.createElement("canvas");
  let found: string | null = null;
  let timer = 0;
  const closed = modal(t("scanTitle"), video, [["cancel", t("scanStop")]]);
  await video.play().catch(() => undefined);
  const tick = (): void => {
    if (video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext("2d", { willReadFrequently: true });
      if (context) {
        context.drawImage(video, 0, 0);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = jsQR(image.data, image.width, image.height);
        if (code?.data) {
          found = code.data;
          video.closest("dialog")?.close("found");
          return;
        }
      }
    }
    timer = window.setTimeout(tick, 200);
  };
  tick();
  await closed;
  window.clearTimeout(timer);
  for (const track of stream.getTracks()) track.stop();
  return found;
}
