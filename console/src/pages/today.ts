// Today: the day's appointments in queue order, check-in by booking code (typed or scanned),
// the desk (call the next checked-in patient of a slot, mark them seen), no-shows, and the
// waitlist of full or closed slots. Refreshes itself every few seconds while shown.
import { gql, isFailure } from "../api";
import { h, modal, toast } from "../dom";
import {
  CallNextDocument,
  CompleteAppointmentDocument,
  ConsoleCheckInDocument,
  ConsoleMarkNoShowDocument,
  FacilitySlotsDocument,
  SlotWaitlistDocument,
  TodayAppointmentsDocument,
} from "../gql/graphql";
import type { FacilitySlotsQuery, TodayAppointmentsQuery } from "../gql/graphql";
import { t } from "../i18n";
import type { Key } from "../i18n";
import type { Hospital } from "../session";
import { shortDay, today, vnTime } from "../time";

export const REFRESH_SECONDS = 5;
type Appointment = TodayAppointmentsQuery["hospitalAppointments"]["nodes"][number];
type Slot = FacilitySlotsQuery["facilitySlots"][number];
type Waiting = { start: string; waiting: number; offered: number; closed: boolean };

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

async function slotsOf(hospitalId: string, day: string): Promise<Slot[]> {
  const { facilitySlots } = await gql(FacilitySlotsDocument, { filter: { hospitalId, fromDate: day, toDate: day } });
  return facilitySlots;
}

/** Waiting patients exist only for slots that were full when they joined: those full now or closed. */
async function waitlistOf(slots: Slot[]): Promise<Waiting[]> {
  const candidates = slots.filter((s) => s.status === "BUSY" || s.closed).slice(0, 30);
  const counts = await Promise.all(candidates.map((s) => gql(SlotWaitlistDocument, { slotId: s.id })));
  return candidates
    .map((slot, i) => ({ start: slot.start, waiting: counts[i]?.slotWaitlist?.waiting ?? 0, offered: counts[i]?.slotWaitlist?.offered ?? 0, closed: slot.closed }))
    .filter((row) => row.waiting > 0 || row.offered > 0);
}

function waitlistView(waiting: Waiting[]): HTMLElement {
  if (waiting.length === 0) return h("p", { class: "muted" }, t("waitlistEmpty"));
  return h(
    "ul",
    {},
    ...waiting.map((w) => h("li", {}, `${vnTime(w.start)}: ${t("waiting", { waiting: w.waiting, offered: w.offered })}`, w.closed ? ` (${t("statusCLOSED")})` : "")),
  );
}

/** The desk: for each slot of the day with patients checked in, the number called and "Call next". */
function deskView(hospital: Hospital, slots: Slot[], appointments: Appointment[], refresh: () => Promise<void>): HTMLElement {
  const present = slots.filter((s) => appointments.some((a) => a.slot.id === s.id && a.status === "CHECKED_IN"));
  if (present.length === 0) return h("p", { class: "muted" }, t("deskEmpty"));
  const call = async (slot: Slot): Promise<void> => {
    const { callNext } = await gql(CallNextDocument, { slotId: slot.id });
    if (isFailure(callNext)) toast(callNext.message, "error");
    else if (callNext.__typename === "Appointment") toast(t("calling", { number: callNext.queueNumber ?? "", time: vnTime(slot.start) }));
    await refresh();
  };
  return h(
    "ul",
    { class: "desk" },
    ...present.map((slot) =>
      h(
        "li",
        { "data-desk-slot": slot.id },
        h("strong", {}, `${vnTime(slot.start)}–${vnTime(slot.end)}`),
        ` ${hospital.departments.find((d) => d.key === slot.departmentId)?.name ?? slot.departmentId} · `,
        h("span", { class: "serving" }, slot.servingNumber == null ? t("servingNone") : t("servingNumber", { number: slot.servingNumber })),
        " ",
        h("button", { type: "button", class: "call-next", onclick: () => void call(slot).catch(failed) }, t("callNext")),
      ),
    ),
  );
}

function failed(error: unknown): void {
  toast(t("error", { message: String(error) }), "error");
}

/** Renders the page; returns a function that stops its refreshing. */
export function renderToday(main: HTMLElement, hospital: Hospital): () => void {
  const day = today();
  const table = h("div", { id: "appointments", "aria-live": "polite" });
  const waitlist = h("div", { id: "waitlist" });
  const desk = h("div", { id: "desk" });
  const updated = h("p", { class: "muted", id: "updated" });
  const code = h("input", { id: "check-in-code", name: "code", autocomplete: "off", required: true, autocapitalize: "characters", spellcheck: "false" });
  let timer = 0;
  let stopped = false;

  const refresh = async (): Promise<void> => {
    window.clearTimeout(timer);
    try {
      const [appointments, slots] = await Promise.all([appointmentsOf(hospital.id, day), slotsOf(hospital.id, day)]);
      const waiting = await waitlistOf(slots);
      table.replaceChildren(appointmentTable(hospital, appointments, refresh));
      desk.replaceChildren(deskView(hospital, slots, appointments, refresh));
      waitlist.replaceChildren(waitlistView(waiting));
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
    h("section", { class: "card" }, h("h2", {}, t("desk")), desk),
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
          h("td", {}, hospital.departments.find((d) => d.key === a.departmentId)?.name ?? a.departmentId),
          h("td", { class: "code" }, a.bookingCode ?? ""),
          h("td", {}, h("span", { class: "badge" }, t(`appt${a.status.toLowerCase().replace("_", "")}` as Key))),
          h(
            "td",
            {},
            rowAction(a, now, refresh),
          ),
        ),
      ),
    ),
  );
}

/** No-show for a booked patient whose time has come; Done for a checked-in one. */
function rowAction(a: Appointment, now: Date, refresh: () => Promise<void>): HTMLElement | null {
  if (a.status === "BOOKED" && new Date(a.start) <= now) {
    const mark = async (): Promise<void> => {
      const { markNoShow } = await gql(ConsoleMarkNoShowDocument, { appointmentId: a.id });
      toast(isFailure(markNoShow) ? markNoShow.message : t("markedNoShow"), isFailure(markNoShow) ? "error" : "ok");
      await refresh();
    };
    return h("button", { type: "button", class: "link danger", "data-action": "noShow", onclick: () => void mark().catch(failed) }, t("noShow"));
  }
  if (a.status === "CHECKED_IN") {
    const done = async (): Promise<void> => {
      const { completeAppointment } = await gql(CompleteAppointmentDocument, { appointmentId: a.id });
      toast(isFailure(completeAppointment) ? completeAppointment.message : t("completed", { number: a.queueNumber ?? "" }), isFailure(completeAppointment) ? "error" : "ok");
      await refresh();
    };
    return h("button", { type: "button", class: "link", "data-action": "complete", onclick: () => void done().catch(failed) }, t("complete"));
  }
  return null;
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
  const video = h("video", { playsinline: true, muted: true, class: "scanner", id: "scanner", "aria-label": t("scanTitle") });
  video.srcObject = stream;
  const canvas = document.createElement("canvas");
  let found: string | null = null;
  let timer = 0;
  let open = true;
  const closed = modal(t("scanTitle"), video, [["cancel", t("scanStop")]]).finally(() => (open = false));
  await video.play().catch(() => undefined);
  // The decoder is loaded only when a scan starts (its own file, from this server), while the
  // dialog already shows the camera.
  const decoder = await import("jsqr").catch((error: unknown) => {
    toast(t("error", { message: String(error) }), "error");
    video.closest("dialog")?.close("failed");
    return null;
  });
  const tick = (): void => {
    if (!open || decoder === null) return;
    const jsQR = decoder.default;
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
