// Publishing slots from a template: the dry run (publishSlotsPreview) shows every slot it gives,
// which exist already and which overlap the doctor's other slots; Publish is possible only
// after a preview of exactly these inputs that found no overlap.
import { gql, isFailure } from "../api";
import { h, toast } from "../dom";
import { ConsolePublishSlotsDocument, PublishSlotsPreviewDocument } from "../gql/graphql";
import type { PublishSlotsInput, PublishSlotsPreviewQuery } from "../gql/graphql";
import { t, weekdayName } from "../i18n";
import type { Hospital } from "../session";
import { addDays, shortDay, today, vnDay, vnTime } from "../time";

type Preview = Extract<PublishSlotsPreviewQuery["publishSlotsPreview"], { __typename: "PublishSlotsPreview" }>;

function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h("label", { class: "field" }, h("span", {}, label), control, hint ? h("small", { class: "muted" }, hint) : null);
}

function parsePeriods(text: string): { start: string; end: string }[] | null {
  const periods = text
    .split(/[,;]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(part));
  if (periods.length === 0 || periods.some((m) => m === null)) return null;
  const pad = (hhmm: string): string => hhmm.padStart(5, "0");
  return periods.map((m) => ({ start: pad(m![1]!), end: pad(m![2]!) }));
}

export function publishForm(hospital: Hospital, published: (from: string) => void): HTMLElement {
  const department = h("select", { id: "publish-department", name: "department" }, ...hospital.departments.map((d) => h("option", { value: d.key }, d.name)));
  const doctor = h("select", { id: "publish-doctor", name: "doctor" }, h("option", { value: "" }, t("none")), ...hospital.doctors.map((d) => h("option", { value: d.key }, `${d.title} ${d.name}`)));
  const start = addDays(today(), 1);
  const from = h("input", { id: "publish-from", name: "from", type: "date", value: start, min: today(), required: true });
  const to = h("input", { id: "publish-to", name: "to", type: "date", value: addDays(start, 6), required: true });
  const days = [1, 2, 3, 4, 5, 6, 7].map((d) => h("input", { type: "checkbox", name: "weekday", value: d, checked: d <= 5, id: `publish-weekday-${d}` }));
  const periods = h("input", { id: "publish-periods", name: "periods", value: "07:30-11:30, 13:30-16:30", required: true });
  const minutes = h("input", { id: "publish-minutes", name: "minutes", type: "number", min: 5, max: 480, value: 30, required: true });
  const capacity = h("input", { id: "publish-capacity", name: "capacity", type: "number", min: 1, max: 500, value: 6, required: true });
  const fee = h("input", { id: "publish-fee", name: "fee", type: "number", min: 0, value: 50600 });
  const bhyt = h("input", { id: "publish-bhyt", name: "bhyt", type: "number", min: 0, value: 40480 });
  const result = h("div", { id: "preview", class: "preview", "aria-live": "polite" });
  const publish = h("button", { type: "button", id: "publish", disabled: true }, t("publish"));
  let previewed: string | null = null;

  const input = (): PublishSlotsInput | null => {
    const parsed = parsePeriods(periods.value);
    if (!parsed) {
      toast(t("badPeriods"), "error");
      return null;
    }
    return {
      hospitalId: hospital.id,
      departmentId: department.value,
      doctorId: doctor.value || null,
      fromDate: from.value,
      toDate: to.value,
      weekdays: days.filter((d) => d.checked).map((d) => Number(d.value)),
      periods: parsed,
      slotMinutes: Number(minutes.value),
      capacity: Number(capacity.value),
      fee: Number(fee.value || 0),
      bhytCovered: Number(bhyt.value || 0),
    };
  };

  const form = h(
    "form",
    {
      class: "card publish",
      id: "publish-form",
      oninput: () => {
        previewed = null;
        publish.disabled = true;
        result.replaceChildren();
      },
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const template = input();
        if (!template) return;
        const { publishSlotsPreview } = await gql(PublishSlotsPreviewDocument, { input: template });
        if (isFailure(publishSlotsPreview)) {
          result.replaceChildren(h("p", { class: "error", role: "alert" }, publishSlotsPreview.message));
          return;
        }
        const preview = publishSlotsPreview as Preview;
        result.replaceChildren(previewView(hospital, preview));
        previewed = JSON.stringify(template);
        publish.disabled = preview.overlaps.length > 0 || preview.created === 0;
      },
    },
    h("h2", {}, t("publishTitle")),
    h(
      "div",
      { class: "fields" },
      field(t("department"), department),
      field(t("doctor"), doctor),
      field(t("fromDate"), from),
      field(t("toDate"), to),
      h("fieldset", { class: "weekdays" }, h("legend", {}, t("weekdays")), ...days.map((box, i) => h("label", { for: box.id }, box, weekdayName(i + 1)))),
      field(t("periods"), periods, t("periodsHint")),
      field(t("slotMinutes"), minutes),
      field(t("capacity"), capacity),
      field(t("fee"), fee),
      field(t("bhytCovered"), bhyt),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", id: "preview-button", class: "secondary" }, t("preview")), publish),
    result,
  );
  publish.addEventListener("click", async () => {
    const template = input();
    if (!template || previewed !== JSON.stringify(template)) return;
    publish.disabled = true;
    const { publishSlots } = await gql(ConsolePublishSlotsDocument, { input: template });
    if (isFailure(publishSlots)) {
      toast(publishSlots.message, "error");
      return;
    }
    if (publishSlots.__typename === "PublishSlotsPayload") {
      toast(t("published", { created: publishSlots.created, existing: publishSlots.existing }));
      published(template.fromDate);
    }
  });
  return form;
}

function previewView(hospital: Hospital, preview: Preview): HTMLElement {
  const clashes = new Map(preview.overlaps.map((o) => [o.start, o]));
  const byDay = new Map<string, Preview["slots"]>();
  for (const slot of preview.slots) {
    const day = vnDay(slot.start);
    byDay.set(day, [...(byDay.get(day) ?? []), slot]);
  }
  return h(
    "div",
    {},
    h("p", { id: "preview-summary" }, t("previewSummary", { created: preview.created, existing: preview.existing })),
    preview.overlaps.length
      ? h("p", { class: "error", role: "alert", id: "preview-overlaps" }, t("overlapsFound", { count: preview.overlaps.length }))
      : null,
    h(
      "ul",
      { class: "preview-days" },
      ...[...byDay].map(([day, slots]) =>
        h(
          "li",
          {},
          h("strong", {}, shortDay(day)),
          " ",
          ...slots.map((slot) => {
            const clash = clashes.get(slot.start);
            const state = clash ? "overlap" : slot.published ? "published" : "new";
            const label = clash
              ? `${t("stateOverlap")}: ${t("overlapWith", { time: `${vnTime(clash.slot.start)}–${vnTime(clash.slot.end)}`, department: hospital.departments.find((d) => d.key === clash.slot.departmentId)?.name ?? clash.slot.departmentId })}`
              : t(slot.published ? "statePublished" : "stateNew");
            return h("span", { class: `chip ${state}`, title: label }, `${vnTime(slot.start)} `, h("small", {}, label));
          }),
        ),
      ),
    ),
  );
}
