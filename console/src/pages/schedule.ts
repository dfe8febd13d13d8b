// Schedule: a week per department and doctor (booked/capacity and status of every slot),
// closing a slot to new bookings (and reopening it), cancelling a slot, and publishing from a template after a dry-run preview.
import { gql, isFailure } from "../api";
import { h, modal, toast } from "../dom";
import { ConsoleCancelSlotsDocument, ConsoleCloseSlotDocument, ConsoleReopenSlotDocument, FacilitySlotsDocument } from "../gql/graphql";
import type { FacilitySlotsQuery } from "../gql/graphql";
import { t, weekdayName } from "../i18n";
import type { Key } from "../i18n";
import type { Hospital } from "../session";
import { publishForm } from "./publish";
import { addDays, mondayOf, shortDay, today, vnDay, vnTime } from "../time";

type Slot = FacilitySlotsQuery["facilitySlots"][number];

type State = { week: string; department: string; doctor: string };
const state: State = { week: mondayOf(today()), department: "", doctor: "" };

function departmentName(hospital: Hospital, id: string): string {
  return hospital.departments.find((d) => d.key === id)?.name ?? id;
}

function doctorName(hospital: Hospital, id: string | null): string {
  return hospital.doctors.find((d) => d.key === id)?.name ?? t("none");
}

function select(id: string, label: string, options: [string, string][], value: string, onchange: (v: string) => void): HTMLElement {
  const control = h("select", { id, name: id }, ...options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
  control.addEventListener("change", () => onchange(control.value));
  return h("label", { class: "field" }, h("span", {}, label), control);
}

export function renderSchedule(main: HTMLElement, hospital: Hospital): void {
  const week = h("section", { class: "week", "aria-live": "polite" });
  const label = h("strong", { id: "week-label" });
  let latest = 0;
  const load = async (): Promise<void> => {
    const asked = ++latest;
    label.textContent = `${t("week")} ${shortDay(state.week)} – ${shortDay(addDays(state.week, 6))}`;
    const { facilitySlots } = await gql(FacilitySlotsDocument, {
      filter: {
        hospitalId: hospital.id,
        fromDate: state.week,
        toDate: addDays(state.week, 6),
        departmentId: state.department || null,
        doctorId: state.doctor || null,
      },
    });
    if (asked === latest) week.replaceChildren(weekGrid(hospital, facilitySlots, load));
  };
  const refresh = (): void => void load().catch((error: unknown) => toast(t("error", { message: String(error) }), "error"));
  const departments: [string, string][] = [["", t("all")], ...hospital.departments.map((d): [string, string] => [d.key, d.name])];
  const doctors: [string, string][] = [["", t("all")], ...hospital.doctors.map((d): [string, string] => [d.key, `${d.title} ${d.name}`])];
  const toolbar = h(
    "div",
    { class: "toolbar" },
    h("button", { type: "button", class: "secondary", id: "previous-week", onclick: () => { state.week = addDays(state.week, -7); refresh(); } }, t("previousWeek")),
    h("button", { type: "button", class: "secondary", id: "this-week", onclick: () => { state.week = mondayOf(today()); refresh(); } }, t("thisWeek")),
    h("button", { type: "button", class: "secondary", id: "next-week", onclick: () => { state.week = addDays(state.week, 7); refresh(); } }, t("nextWeek")),
    label,
    select("filter-department", t("department"), departments, state.department, (v) => { state.department = v; refresh(); }),
    select("filter-doctor", t("doctor"), doctors, state.doctor, (v) => { state.doctor = v; refresh(); }),
  );
  main.replaceChildren(
    h("h1", {}, hospital.name),
    toolbar,
    week,
    publishForm(hospital, (from) => { state.week = mondayOf(from); main.replaceChildren(); renderSchedule(main, hospital); }),
  );
  refresh();
}

function weekGrid(hospital: Hospital, slots: Slot[], reload: () => Promise<void>): HTMLElement {
  const days = Array.from({ length: 7 }, (_, i) => addDays(state.week, i));
  return h(
    "div",
    { class: "grid" },
    ...days.map((day, i) => {
      const mine = slots.filter((s) => vnDay(s.start) === day);
      return h(
        "div",
        { class: day === today() ? "day today" : "day", "data-day": day },
        h("h3", {}, `${weekdayName(i + 1)} ${shortDay(day)}`),
        mine.length === 0 ? h("p", { class: "muted" }, t("noSlots")) : null,
        ...mine.map((slot) => slotCard(hospital, slot, reload)),
      );
    }),
  );
}

function slotCard(hospital: Hospital, slot: Slot, reload: () => Promise<void>): HTMLElement {
  const future = new Date(slot.start) > new Date();
  const cancelled = slot.status === "BUSY_UNAVAILABLE" && !slot.closed;
  const status = slot.closed ? "CLOSED" : slot.status;
  const button = (key: Key, action: () => Promise<void>, className = "link"): HTMLElement =>
    h("button", { type: "button", class: className, "data-action": key, onclick: () => void action().catch((error: unknown) => toast(t("error", { message: String(error) }), "error")) }, t(key));
  return h(
    "article",
    { class: `slot ${status.toLowerCase()}`, "data-slot": slot.id, "data-status": status },
    h("div", { class: "slot-time" }, `${vnTime(slot.start)}–${vnTime(slot.end)}`),
    h("div", {}, departmentName(hospital, slot.departmentId)),
    h("div", { class: "muted" }, doctorName(hospital, slot.doctorId)),
    h("div", { class: "slot-count" }, `${t("booked")} ${slot.booked}/${slot.capacity}`),
    h("span", { class: "badge" }, t(`status${status}` as Key)),
    future && !cancelled
      ? button(slot.closed ? "reopenSlot" : "closeSlot", () => setClosed(slot, !slot.closed, reload))
      : null,
    future && !cancelled
      ? button("cancelSlot", () => cancelSlot(hospital, slot, reload), "link danger")
      : null,
  );
}

async function setClosed(slot: Slot, close: boolean, reload: () => Promise<void>): Promise<void> {
  const result = close
    ? (await gql(ConsoleCloseSlotDocument, { id: slot.id })).closeSlot
    : (await gql(ConsoleReopenSlotDocument, { id: slot.id })).reopenSlot;
  if (isFailure(result)) toast(result.message, "error");
  else toast(t(close ? "slotClosed" : "slotReopened", { time: vnTime(slot.start) }));
  await reload();
}

async function cancelSlot(hospital: Hospital, slot: Slot, reload: () => Promise<void>): Promise<void> {
  const reason = h("textarea", { id: "cancel-reason", name: "reason", rows: 2, minlength: 3, maxlength: 300 });
  const day = vnDay(slot.start);
  const body = h("div", {}, h("p", {}, t("cancelSlotBody")), h("label", { for: "cancel-reason" }, t("reason")), reason);
  const choice = await modal(t("cancelSlotTitle", { time: vnTime(slot.start), day: shortDay(day) }), body, [["cancel", t("back")], ["confirm", t("confirmCancel")]]);
  if (choice !== "confirm") return;
  const { cancelSlots } = await gql(ConsoleCancelSlotsDocument, {
    filter: { hospitalId: hospital.id, fromDate: day, toDate: day, slotIds: [slot.id] },
    reason: reason.value,
  }).catch((error: unknown) => {
    toast(t("error", { message: String(error) }), "error");
    throw error;
  });
  if (isFailure(cancelSlots)) toast(cancelSlots.message, "error");
  else toast(t("slotCancelled", { slots: cancelSlots.slotsCancelled, appointments: cancelSlots.appointmentsCancelled }));
  await reload();
}
