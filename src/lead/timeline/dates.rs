//! How a matched expression becomes a date: the calendar arithmetic behind each rule.

use time::{Date, Duration, Month, Weekday};

use super::words::{MONTH_NUMBER, NUMBER_VALUE, Unit, unit_of};

pub(super) fn first_group<'t>(c: &regex::Captures<'t>) -> Option<&'t str> {
    c.iter().skip(1).flatten().next().map(|m| m.as_str())
}

pub(super) fn year_of(m: Option<regex::Match<'_>>) -> Option<i32> {
    m.and_then(|m| m.as_str().parse().ok())
}

pub(super) fn month_date(c: &regex::Captures<'_>, group: usize, start: Date) -> Option<Date> {
    let month = *MONTH_NUMBER.get(c.get(group)?.as_str())?;
    let month = Month::try_from(month).ok()?;
    let mut year = start.year();
    if (month as u8) < (start.month() as u8) {
        year += 1;
    }
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    Some(first.max(start))
}

pub(super) fn day_month(day: &str, month: &str, start: Date) -> Option<Date> {
    let day: u8 = day.parse().ok()?;
    let month = Month::try_from(*MONTH_NUMBER.get(month)?).ok()?;
    let date = Date::from_calendar_date(start.year(), month, day).ok()?;
    if date < start {
        return Date::from_calendar_date(start.year() + 1, month, day).ok();
    }
    Some(date)
}

pub(super) fn numeric_date(c: &regex::Captures<'_>, start: Date) -> Option<Date> {
    let (year, month, day) = if let Some(y) = c.get(1) {
        (
            y.as_str().parse().ok()?,
            c.get(2)?.as_str().parse().ok()?,
            c.get(3)?.as_str().parse().ok()?,
        )
    } else {
        let day: u8 = c.get(4)?.as_str().parse().ok()?;
        let month: u8 = c.get(5)?.as_str().parse().ok()?;
        let year = match c.get(6) {
            Some(y) if y.as_str().len() == 2 => 2000 + y.as_str().parse::<i32>().ok()?,
            Some(y) => y.as_str().parse().ok()?,
            None => start.year(),
        };
        (year, month, day)
    };
    let month = Month::try_from(month).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    if date < start && c.get(6).is_none() && c.get(1).is_none() {
        return Date::from_calendar_date(year + 1, month, day).ok();
    }
    (date >= start).then_some(date)
}

pub(super) fn last_day_of_month(d: Date) -> Date {
    let days = d.month().length(d.year());
    d.replace_day(days).unwrap_or(d)
}

/// The Monday of an ISO week: this year's, or next year's when this year's has passed. A week
/// already begun gives its start, which is today or earlier, so the time frame is now.
pub(super) fn iso_week_start(week: u8, start: Date) -> Option<Date> {
    if !(1..=53).contains(&week) {
        return None;
    }
    let monday = |year: i32| Date::from_iso_week_date(year, week, Weekday::Monday).ok();
    let this_year = monday(start.year())?;
    if this_year + Duration::days(6) < start {
        monday(start.year() + 1)
    } else {
        Some(this_year.max(start))
    }
}

pub(super) fn quarter_start(q: u8, year: Option<i32>, start: Date) -> Option<Date> {
    if !(1..=4).contains(&q) {
        return None;
    }
    let first_month = Month::try_from(q * 3 - 2).ok()?;
    let mut year = year.unwrap_or(start.year());
    let quarter_end = Date::from_calendar_date(year, Month::try_from(q * 3).ok()?, 1)
        .ok()
        .map(last_day_of_month)?;
    if quarter_end < start && year == start.year() {
        year += 1;
    }
    let first = Date::from_calendar_date(year, first_month, 1).ok()?;
    Some(first.max(start))
}

pub(super) fn add_units(count: &str, unit: &str, start: Date) -> Option<Date> {
    let n: u32 = match count.parse() {
        Ok(n) => n,
        Err(_) => *NUMBER_VALUE.get(count.trim())?,
    };
    if n == 0 || n > 120 {
        return None;
    }
    match unit_of(unit)? {
        Unit::Day => Some(start + Duration::days(i64::from(n))),
        Unit::Week => Some(start + Duration::weeks(i64::from(n))),
        Unit::Month => add_months(start, n),
        Unit::Year => add_months(start, n * 12),
    }
}

/// One unit and a half after `start`: a month and fifteen days, ten days and a half rounded
/// down, a year and six months.
pub(super) fn add_half_more(unit: &str, start: Date) -> Option<Date> {
    match unit_of(unit)? {
        Unit::Day => Some(start + Duration::days(1)),
        Unit::Week => Some(start + Duration::days(10)),
        Unit::Month => add_months(start, 1).map(|d| d + Duration::days(15)),
        Unit::Year => add_months(start, 18),
    }
}

fn add_months(d: Date, n: u32) -> Option<Date> {
    let total = d.year() * 12 + i32::from(d.month() as u8 - 1) + n as i32;
    let year = total.div_euclid(12);
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).ok()?;
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

pub(super) fn next_period(unit: &str, start: Date) -> Option<Date> {
    let u = unit;
    if u.starts_with("week")
        || u.starts_with("woche")
        || u.starts_with("tydz")
        || u.starts_with("tygod")
        || u.starts_with("semana")
        || u.starts_with("semaine")
    {
        return Some(next_weekday(start, Weekday::Monday));
    }
    if u.starts_with("quart") || u.starts_with("kwarta") || u.starts_with("trimestre") {
        let q = (start.month() as u8 - 1) / 3 + 1;
        let (year, next_q) = if q == 4 {
            (start.year() + 1, 1)
        } else {
            (start.year(), q + 1)
        };
        return Date::from_calendar_date(year, Month::try_from(next_q * 3 - 2).ok()?, 1).ok();
    }
    if u.starts_with("year")
        || u.starts_with("jahr")
        || u.starts_with("rok")
        || u.starts_with("año")
        || u == "an"
        || u.starts_with("année")
    {
        return Date::from_calendar_date(start.year() + 1, Month::January, 1).ok();
    }
    // A month.
    let next = add_months(start.replace_day(1).ok()?, 1)?;
    Some(next)
}

pub(super) fn end_of_period(unit: &str, start: Date) -> Option<Date> {
    let u = unit;
    if u.starts_with("month")
        || u.starts_with("monat")
        || u.starts_with("miesi")
        || u == "mes"
        || u.starts_with("mois")
    {
        return Some(last_day_of_month(start));
    }
    if u.starts_with("quart") || u.starts_with("kwarta") || u.starts_with("trimestre") {
        let q = (start.month() as u8 - 1) / 3 + 1;
        let last = Date::from_calendar_date(start.year(), Month::try_from(q * 3).ok()?, 1).ok()?;
        return Some(last_day_of_month(last));
    }
    Date::from_calendar_date(start.year(), Month::December, 31).ok()
}

pub(super) fn season_start(word: &str, start: Date) -> Option<Date> {
    let month = match word {
        w if w.starts_with("spring")
            || w.starts_with("frühling")
            || w.starts_with("frühjahr")
            || w.starts_with("wios")
            || w.starts_with("wioś")
            || w == "primavera"
            || w == "printemps" =>
        {
            3
        }
        w if w.starts_with("summer")
            || w == "sommer"
            || w.starts_with("lat")
            || w == "lecie"
            || w == "verano"
            || w == "été" =>
        {
            6
        }
        w if w.starts_with("autumn")
            || w == "fall"
            || w == "herbst"
            || w.starts_with("jesie")
            || w == "otoño"
            || w == "automne" =>
        {
            9
        }
        _ => 12,
    };
    let month = Month::try_from(month).ok()?;
    let mut first = Date::from_calendar_date(start.year(), month, 1).ok()?;
    let season_end = add_months(first, 3)?;
    if season_end <= start {
        first = Date::from_calendar_date(start.year() + 1, month, 1).ok()?;
    }
    Some(first.max(start))
}

/// The next such weekday after `start` (a week later when `start` is that day).
pub(super) fn next_weekday(start: Date, day: Weekday) -> Date {
    let mut d = start + Duration::days(1);
    while d.weekday() != day {
        d += Duration::days(1);
    }
    d
}
