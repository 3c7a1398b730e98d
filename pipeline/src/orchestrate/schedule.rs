//! The run schedule: five-field cron in UTC (`minute hour day-of-month month
//! day-of-week`, with `*`, lists, ranges and `/steps`; `@hourly`, `@daily`,
//! `@weekly`), or `off`.
//!
//! Missed-run policy ([`Schedule::missed_run`]): at start-up, when the latest
//! scheduled time has passed and no full run (of any trigger) was created
//! since, one catch-up run starts now. However many times were missed, it is
//! one run, never a burst; then the schedule resumes at its next time.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};

/// When the pipeline runs by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    Off,
    Cron(Cron),
}

/// A parsed cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    text: String,
    minutes: u64,
    hours: u32,
    days: u32,
    months: u16,
    weekdays: u8,
    days_any: bool,
    weekdays_any: bool,
}

/// The default: daily at 03:00 UTC.
pub const DEFAULT_SCHEDULE: &str = "0 3 * * *";

/// How far the search for a matching minute goes (a `31 2 *` never matches).
const SEARCH_DAYS: i64 = 366 * 5;

impl std::str::FromStr for Schedule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "off" | "none" | "disabled" | "false" => return Ok(Schedule::Off),
            "@hourly" => return Cron::parse_fields(t, "0 * * * *").map(Schedule::Cron),
            "@daily" | "@midnight" => return Cron::parse_fields(t, "0 0 * * *").map(Schedule::Cron),
            "@weekly" => return Cron::parse_fields(t, "0 0 * * 0").map(Schedule::Cron),
            _ => {}
        }
        let cron = Cron::parse_fields(t, t)?;
        // A day that never comes (`0 0 31 2 *`) would never run: refuse it.
        if cron.next_after(Utc.timestamp_opt(0, 0).single().unwrap_or_default()).is_none() {
            return Err("this schedule never matches a real date".into());
        }
        Ok(Schedule::Cron(cron))
    }
}

impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Schedule::Off => f.write_str("off"),
            Schedule::Cron(c) => f.write_str(&c.text),
        }
    }
}

impl Schedule {
    /// The first scheduled time strictly after `t`.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Off => None,
            Schedule::Cron(c) => c.next_after(t),
        }
    }

    /// The latest scheduled time at or before `t`.
    pub fn latest_at_or_before(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Off => None,
            Schedule::Cron(c) => c.latest_at_or_before(t),
        }
    }

    /// The missed-run policy: true when a catch-up run should start now,
    /// given when the latest full run was created (if ever).
    pub fn missed_run(&self, now: DateTime<Utc>, last_full_run: Option<DateTime<Utc>>) -> bool {
        match self.latest_at_or_before(now) {
            None => false,
            Some(due) => last_full_run.is_none_or(|last| last < due),
        }
    }
}

fn field(spec: &str, min: u32, max: u32, name: &str) -> Result<(u64, bool), String> {
    let mut mask = 0u64;
    let any = spec == "*";
    for part in spec.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s.parse().map_err(|_| format!("bad step `{s}` in the {name} field"))?;
                if step == 0 {
                    return Err(format!("a step of 0 in the {name} field"));
                }
                (r, step)
            }
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            let a: u32 = a.parse().map_err(|_| format!("bad value `{a}` in the {name} field"))?;
            let b: u32 = b.parse().map_err(|_| format!("bad value `{b}` in the {name} field"))?;
            (a, b)
        } else {
            let v: u32 = range.parse().map_err(|_| format!("bad value `{range}` in the {name} field"))?;
            // `5/15` means from 5 to the end, every 15.
            (v, if step > 1 { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(format!("`{part}` is outside {min}-{max} in the {name} field"));
        }
        let mut v = lo;
        while v <= hi {
            mask |= 1 << v;
            v += step;
        }
    }
    Ok((mask, any))
}

impl Cron {
    fn parse_fields(text: &str, fields: &str) -> Result<Self, String> {
        let parts: Vec<&str> = fields.split_whitespace().collect();
        if parts.len() != 5 {
            return Err("expected `off` or five cron fields: minute hour day-of-month month day-of-week".into());
        }
        let (minutes, _) = field(parts[0], 0, 59, "minute")?;
        let (hours, _) = field(parts[1], 0, 23, "hour")?;
        let (days, days_any) = field(parts[2], 1, 31, "day-of-month")?;
        let (months, _) = field(parts[3], 1, 12, "month")?;
        let (mut weekdays, weekdays_any) = field(parts[4], 0, 7, "day-of-week")?;
        // 7 is Sunday too.
        if weekdays & (1 << 7) != 0 {
            weekdays = (weekdays | 1) & 0x7f;
        }
        Ok(Cron {
            text: text.to_owned(),
            minutes,
            hours: hours as u32,
            days: days as u32,
            months: months as u16,
            weekdays: weekdays as u8,
            days_any,
            weekdays_any,
        })
    }

    fn day_matches(&self, t: DateTime<Utc>) -> bool {
        let dom = self.days & (1 << t.day()) != 0;
        let dow = self.weekdays & (1 << t.weekday().num_days_from_sunday()) != 0;
        // Classic cron: when both day fields are restricted, either may match.
        match (self.days_any, self.weekdays_any) {
            (false, false) => dom || dow,
            _ => dom && dow,
        }
    }

    fn month_matches(&self, t: DateTime<Utc>) -> bool {
        self.months & (1 << t.month()) != 0
    }

    fn hour_matches(&self, t: DateTime<Utc>) -> bool {
        self.hours & (1 << t.hour()) != 0
    }

    fn minute_matches(&self, t: DateTime<Utc>) -> bool {
        self.minutes & (1 << t.minute()) != 0
    }

    fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut c = floor_minute(t) + Duration::minutes(1);
        let limit = t + Duration::days(SEARCH_DAYS);
        while c <= limit {
            if !self.month_matches(c) || !self.day_matches(c) {
                c = floor_day(c) + Duration::days(1);
            } else if !self.hour_matches(c) {
                c = floor_hour(c) + Duration::hours(1);
            } else if !self.minute_matches(c) {
                c += Duration::minutes(1);
            } else {
                return Some(c);
            }
        }
        None
    }

    fn latest_at_or_before(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut c = floor_minute(t);
        let limit = t - Duration::days(SEARCH_DAYS);
        while c >= limit {
            if !self.month_matches(c) || !self.day_matches(c) {
                c = floor_day(c) - Duration::minutes(1);
            } else if !self.hour_matches(c) {
                c = floor_hour(c) - Duration::minutes(1);
            } else if !self.minute_matches(c) {
                c -= Duration::minutes(1);
            } else {
                return Some(c);
            }
        }
        None
    }
}

fn floor_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).and_then(|t| t.with_second(0)).unwrap_or(t)
}

fn floor_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    floor_minute(t).with_minute(0).unwrap_or(t)
}

fn floor_day(t: DateTime<Utc>) -> DateTime<Utc> {
    floor_hour(t).with_hour(0).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn sched(s: &str) -> Schedule {
        s.parse().unwrap()
    }

    #[test]
    fn the_default_runs_daily_at_three_utc() {
        let s = sched(DEFAULT_SCHEDULE);
        assert_eq!(s.next_after(at("2026-12-02T15:08:00Z")), Some(at("2026-12-03T03:00:00Z")));
        assert_eq!(s.next_after(at("2026-12-02T02:59:59Z")), Some(at("2026-12-02T03:00:00Z")));
        // Strictly after: at 03:00 sharp the next one is tomorrow.
        assert_eq!(s.next_after(at("2026-12-02T03:00:00Z")), Some(at("2026-12-03T03:00:00Z")));
        assert_eq!(s.next_after(at("2026-12-31T04:00:00Z")), Some(at("2027-01-01T03:00:00Z")));
        assert_eq!(s.latest_at_or_before(at("2026-12-02T03:00:00Z")), Some(at("2026-12-02T03:00:00Z")));
        assert_eq!(s.latest_at_or_before(at("2026-12-02T02:00:00Z")), Some(at("2026-12-01T03:00:00Z")));
        assert_eq!(s.to_string(), "0 3 * * *");
    }

    #[test]
    fn fields_lists_ranges_steps_and_aliases() {
        let s = sched("*/15 9-17 * * 1-5");
        assert_eq!(s.next_after(at("2026-12-04T17:50:00Z")), Some(at("2026-12-07T09:00:00Z")), "Friday → Monday");
        assert_eq!(s.next_after(at("2026-12-07T09:00:00Z")), Some(at("2026-12-07T09:15:00Z")));
        let s = sched("30 4 1,15 * *");
        assert_eq!(s.next_after(at("2026-12-02T00:00:00Z")), Some(at("2026-12-15T04:30:00Z")));
        let s = sched("0 0 29 2 *");
        assert_eq!(s.next_after(at("2026-03-01T00:00:00Z")), Some(at("2028-02-29T00:00:00Z")), "leap day");
        assert_eq!(sched("@hourly").next_after(at("2026-12-02T15:08:00Z")), Some(at("2026-12-02T16:00:00Z")));
        assert_eq!(sched("@weekly").next_after(at("2026-12-02T15:08:00Z")), Some(at("2026-12-06T00:00:00Z")));
        assert_eq!(sched("0 0 * * 7"), sched("0 0 * * 0").clone_with_text("0 0 * * 7"), "7 is Sunday");
        // Both day fields restricted: either matches (the 13th, or any Friday).
        let s = sched("0 12 13 * 5");
        assert_eq!(s.next_after(at("2026-12-02T00:00:00Z")), Some(at("2026-12-04T12:00:00Z")));
    }

    #[test]
    fn off_and_bad_expressions() {
        assert_eq!(sched("off"), Schedule::Off);
        assert_eq!(sched(" OFF "), Schedule::Off);
        assert_eq!(Schedule::Off.next_after(at("2026-12-02T00:00:00Z")), None);
        for bad in ["", "* * * *", "61 * * * *", "0 24 * * *", "0 0 0 * *", "*/0 * * * *", "a b c d e", "0 0 31 2 *"] {
            assert!(bad.parse::<Schedule>().is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn missed_run_policy_runs_once_never_a_burst() {
        let s = sched("0 3 * * *");
        let now = at("2026-12-02T15:00:00Z");
        // Never ran: today's 03:00 was missed → one run now.
        assert!(s.missed_run(now, None));
        // Ran before today's 03:00 (days ago, many runs missed): still exactly one catch-up.
        assert!(s.missed_run(now, Some(at("2026-11-20T03:00:00Z"))));
        // Ran at or after the latest due time: nothing to catch up.
        assert!(!s.missed_run(now, Some(at("2026-12-02T03:00:00Z"))));
        assert!(!s.missed_run(now, Some(at("2026-12-02T09:00:00Z"))));
        // Once the catch-up run exists it counts as the latest run: no second one.
        assert!(!s.missed_run(now, Some(now)));
        assert!(!Schedule::Off.missed_run(now, None));
    }

    impl Schedule {
        fn clone_with_text(&self, text: &str) -> Schedule {
            match self {
                Schedule::Cron(c) => Schedule::Cron(Cron { text: text.to_owned(), ..c.clone() }),
                Schedule::Off => Schedule::Off,
            }
        }
    }
}
