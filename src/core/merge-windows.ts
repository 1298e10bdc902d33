/**
 * Merge windows (`environments.<name>.windows`): whether an instant is inside one, and when that
 * changes. Wall-clock times are the zone's, through luxon (IANA data from the runtime's Intl), so
 * a daylight-saving change moves the window with the clock: `09:00 Europe/Berlin` is 08:00 UTC in
 * winter and 07:00 UTC in summer. A local time the change skips (02:30 on the spring-forward
 * night) stands for the first instant after the gap (03:00); a time that occurs twice (02:30 on
 * the autumn night) is luxon's choice, the second occurrence (the table test pins both).
 */
import { DateTime } from "luxon";
import type { MergeWindow, Weekday } from "../config/config.schema.js";

const WEEKDAY_NUMBER: Record<Weekday, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };
const WEEKDAY_NAME = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

export type WindowState =
  /** Inside a window until `closesAt` (the end of the window that holds `now`, or of the one it runs into). */
  | { open: true; closesAt: Date; description: string }
  /** Outside every window; `opensAt` is the next start (undefined: never, which the schema prevents). */
  | { open: false; opensAt: Date | undefined; description: string };

/** The instants [start, end) of `window` on the local date `day` (a DateTime in the window's zone). */
function occurrence(window: MergeWindow, day: DateTime): { start: DateTime; end: DateTime } {
  const at = (clock: string) => {
    const [hour, minute] = clock.split(":").map(Number) as [number, number];
    // 24:00 is the end of the day: midnight of the next one.
    if (hour === 24) return day.plus({ days: 1 }).startOf("day");
    const local = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone: window.timeZone });
    // A time the spring-forward gap skips (02:30 when 02:00 jumps to 03:00): luxon moves it on by the
    // gap (03:30); the window starts (or ends) instead at the first instant after the gap, 03:00.
    return local.hour === hour && local.minute === minute ? local : local.startOf("hour");
  };
  return { start: at(window.from), end: at(window.to) };
}

/** Every occurrence of every window that could hold or follow `now`: from the day before to eight days on. */
function occurrences(windows: readonly MergeWindow[], now: Date): Array<{ window: MergeWindow; start: DateTime; end: DateTime }> {
  return windows.flatMap((window) => {
    const today = DateTime.fromJSDate(now, { zone: window.timeZone }).startOf("day");
    const days = Array.from({ length: 10 }, (_, i) => today.plus({ days: i - 1 }));
    return days
      .filter((day) => window.days.some((name) => WEEKDAY_NUMBER[name] === day.weekday))
      .map((day) => ({ window, ...occurrence(window, day) }))
      .filter(({ start, end }) => end > start);
  });
}

/** `Mon 09:00 Europe/Berlin`: how a window's start or end is named to people. */
export function describeLocal(at: Date, timeZone: string): string {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  return `${WEEKDAY_NAME[local.weekday]} ${local.toFormat("HH:mm")} ${timeZone}`;
}

/**
 * Whether `now` is inside one of `windows`. Open: until when (windows that touch or overlap are
 * one stretch). Closed: when the next one opens.
 */
export function windowState(windows: readonly MergeWindow[], now: Date): WindowState {
  const at = now.getTime();
  const all = occurrences(windows, now).sort((a, b) => a.start.toMillis() - b.start.toMillis());
  const holding = all.filter(({ start, end }) => start.toMillis() <= at && at < end.toMillis());
  if (holding.length > 0) {
    // Extend through windows that start before the stretch ends.
    let end = Math.max(...holding.map((o) => o.end.toMillis()));
    let last = holding.reduce((a, b) => (a.end.toMillis() >= b.end.toMillis() ? a : b));
    for (const o of all) {
      if (o.start.toMillis() <= end && o.end.toMillis() > end) {
        end = o.end.toMillis();
        last = o;
      }
    }
    const closesAt = new Date(end);
    return { open: true, closesAt, description: `inside the merge window until ${describeLocal(closesAt, last.window.timeZone)}` };
  }
  const next = all.find(({ start }) => start.toMillis() > at);
  if (next === undefined) return { open: false, opensAt: undefined, description: "outside the merge windows, and none opens in the next week" };
  const opensAt = next.start.toJSDate();
  return { open: false, opensAt, description: `outside the merge window, next opens ${describeLocal(opensAt, next.window.timeZone)}` };
}
