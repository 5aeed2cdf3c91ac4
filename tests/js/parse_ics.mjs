// Reads an iCalendar object on stdin, parses it with ical.js (Thunderbird's parser) and prints
// what tests/agenda/test_ics_itip.py asserts on, as JSON. Exits non-zero on a parse error.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(0, "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const start = event.startDate;
  const organizer = component.getFirstProperty("organizer");
  return {
    uid: event.uid,
    summary: event.summary,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    dtstamp: component.getFirstPropertyValue("dtstamp")?.toString() ?? null,
    start_tzid: start.timezone ?? start.zone?.tzid ?? null,
    start_local: start.toString(),
    start_utc: start.toUnixTime(),
    end_utc: event.endDate.toUnixTime(),
    organizer: organizer ? organizer.getFirstValue() : null,
    organizer_cn: organizer ? organizer.getParameter("cn") : null,
    location: event.location,
    url: component.getFirstPropertyValue("url"),
    description: event.description,
  };
});
process.stdout.write(
  JSON.stringify({
    method: calendar.getFirstPropertyValue("method"),
    version: calendar.getFirstPropertyValue("version"),
    prodid: calendar.getFirstPropertyValue("prodid"),
    timezones: calendar.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid")),
    events,
  }),
);
