// Vietnam time (the province's), whatever the browser's time zone: days are "YYYY-MM-DD".
export const TZ = "Asia/Ho_Chi_Minh";

const dayFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: TZ,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const timeFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: TZ,
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** The Vietnam date of an instant. */
export function vnDay(instant: string | Date): string {
  return dayFormat.format(typeof instant === "string" ? new Date(instant) : instant);
}

/** "07:30", Vietnam time. */
export function vnTime(instant: string | Date): string {
  return timeFormat.format(typeof instant === "string" ? new Date(instant) : instant);
}

export function today(): string {
  return vnDay(new Date());
}

function utcOf(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export function addDays(day: string, days: number): string {
  const date = utcOf(day);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** ISO weekday: 1 = Monday .. 7 = Sunday. */
export function weekday(day: string): number {
  return utcOf(day).getUTCDay() || 7;
}

export function mondayOf(day: string): string {
  return addDays(day, 1 - weekday(day));
}

/** "07/12" */
export function shortDay(day: string): string {
  return `${day.slice(8, 10)}/${day.slice(5, 7)}`;
}
