import { describe, expect, it } from "vitest";
import type { MergeWindow } from "../../src/config/config.schema.js";
import { windowState } from "../../src/core/merge-windows.js";

const berlin: MergeWindow = { days: ["mon", "tue", "wed", "thu"], from: "09:00", to: "16:00", timeZone: "Europe/Berlin" };
const newYork: MergeWindow = { days: ["fri"], from: "10:00", to: "12:00", timeZone: "America/New_York" };
const night: MergeWindow = { days: ["sun"], from: "01:00", to: "04:00", timeZone: "Europe/Berlin" };
const gap: MergeWindow = { days: ["sun"], from: "02:30", to: "03:30", timeZone: "Europe/Berlin" };
const lateSat: MergeWindow = { days: ["sat"], from: "22:00", to: "24:00", timeZone: "UTC" };
const earlySun: MergeWindow = { days: ["sun"], from: "00:00", to: "02:00", timeZone: "UTC" };

const at = (iso: string) => new Date(iso);
const state = (windows: MergeWindow[], now: string) => {
  const s = windowState(windows, at(now));
  return s.open ? { open: true, until: s.closesAt.toISOString(), text: s.description } : { open: false, next: s.opensAt?.toISOString(), text: s.description };
};

describe("merge windows", () => {
  it.each<[string, MergeWindow[], string, ReturnType<typeof state>]>([
    // Winter (CET, UTC+1): 09:00 Berlin is 08:00 UTC.
    ["a Monday inside, winter", [berlin], "2026-12-07T08:00:00Z", { open: true, until: "2026-12-07T15:00:00.000Z", text: "inside the merge window until Mon 16:00 Europe/Berlin" }],
    ["a Monday one minute before, winter", [berlin], "2026-12-07T07:59:00Z", { open: false, next: "2026-12-07T08:00:00.000Z", text: "outside the merge window, next opens Mon 09:00 Europe/Berlin" }],
    ["the end is outside", [berlin], "2026-12-07T15:00:00Z", { open: false, next: "2026-12-08T08:00:00.000Z", text: "outside the merge window, next opens Tue 09:00 Europe/Berlin" }],
    // Summer (CEST, UTC+2): the same local window is an hour earlier in UTC.
    ["a Monday inside, summer", [berlin], "2026-07-06T07:00:00Z", { open: true, until: "2026-07-06T14:00:00.000Z", text: "inside the merge window until Mon 16:00 Europe/Berlin" }],
    ["08:00 UTC is 10:00 in summer", [berlin], "2026-07-06T06:59:00Z", { open: false, next: "2026-07-06T07:00:00.000Z", text: "outside the merge window, next opens Mon 09:00 Europe/Berlin" }],
    // Thursday 16:00 → the next window is Monday.
    ["Thursday evening waits for Monday", [berlin], "2026-12-03T18:00:00Z", { open: false, next: "2026-12-07T08:00:00.000Z", text: "outside the merge window, next opens Mon 09:00 Europe/Berlin" }],
    // The day is the zone's: Friday 15:30 UTC is 10:30 in New York; Monday 00:00 UTC is still Sunday there.
    ["the weekday is the zone's own", [newYork], "2026-12-04T15:30:00Z", { open: true, until: "2026-12-04T17:00:00.000Z", text: "inside the merge window until Fri 12:00 America/New_York" }],
    ["a Friday window seen on Monday UTC is next Friday", [newYork], "2026-12-07T00:00:00Z", { open: false, next: "2026-12-11T15:00:00.000Z", text: "outside the merge window, next opens Fri 10:00 America/New_York" }],
    // Spring forward (Berlin, 2026-03-29 02:00 → 03:00): the 01:00–04:00 window lasts two hours.
    ["the spring-forward night: opens 01:00 CET", [night], "2026-03-29T00:00:00Z", { open: true, until: "2026-03-29T02:00:00.000Z", text: "inside the merge window until Sun 04:00 Europe/Berlin" }],
    ["the spring-forward night: closed at 04:00 CEST", [night], "2026-03-29T02:00:00Z", { open: false, next: "2026-04-04T23:00:00.000Z", text: "outside the merge window, next opens Sun 01:00 Europe/Berlin" }],
    // Fall back (Berlin, 2026-10-25 03:00 → 02:00): the same window lasts four hours.
    ["the fall-back night: still open at 02:30 UTC (03:30 CET)", [night], "2026-10-25T02:30:00Z", { open: true, until: "2026-10-25T03:00:00.000Z", text: "inside the merge window until Sun 04:00 Europe/Berlin" }],
    ["the fall-back night: opens 01:00 CEST", [night], "2026-10-24T22:59:00Z", { open: false, next: "2026-10-24T23:00:00.000Z", text: "outside the merge window, next opens Sun 01:00 Europe/Berlin" }],
    // A window that starts inside the spring-forward gap opens when the gap ends: 02:30–03:30 is 03:00–03:30 CEST that night.
    ["a window starting in the spring-forward gap opens at its end", [gap], "2026-03-29T00:30:00Z", { open: false, next: "2026-03-29T01:00:00.000Z", text: "outside the merge window, next opens Sun 03:00 Europe/Berlin" }],
    ["… and is open until 03:30 CEST", [gap], "2026-03-29T01:10:00Z", { open: true, until: "2026-03-29T01:30:00.000Z", text: "inside the merge window until Sun 03:30 Europe/Berlin" }],
    // 02:30 occurs twice on the fall-back night: the window starts at the second (CET, 01:30 UTC).
    ["a window starting at the doubled 02:30 starts at its second occurrence", [gap], "2026-10-25T00:45:00Z", { open: false, next: "2026-10-25T01:30:00.000Z", text: "outside the merge window, next opens Sun 02:30 Europe/Berlin" }],
    // Windows that touch are one stretch: Saturday 22:00–24:00 then Sunday 00:00–02:00.
    ["windows that touch across midnight are one stretch", [lateSat, earlySun], "2026-12-05T23:00:00Z", { open: true, until: "2026-12-06T02:00:00.000Z", text: "inside the merge window until Sun 02:00 UTC" }],
    ["the earliest of several windows opens next", [berlin, newYork], "2026-12-04T06:00:00Z", { open: false, next: "2026-12-04T15:00:00.000Z", text: "outside the merge window, next opens Fri 10:00 America/New_York" }],
  ])("%s", (_, windows, now, expected) => {
    expect(state(windows, now)).toEqual(expected);
  });
});
