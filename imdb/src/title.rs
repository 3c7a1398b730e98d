//! Title pages: `__NEXT_DATA__` first, JSON-LD as the fallback.

use serde_json::Value;

use crate::error::{Blob, ParseError};
use crate::html::{self, decode_entities};
use crate::json::{array_at, as_f64, as_i64, at, first_at, first_f64, first_i64, first_str, one_or_many, str_at};
use crate::model::{CastMember, Money, Person, Source, TitlePage};

/// Parses a saved title page (`/title/tt…/`).
///
/// Reads `__NEXT_DATA__` → `props.pageProps.aboveTheFoldData` / `mainColumnData` (old and newer
/// shapes: `principalCredits` / `principalCreditsV2`, `cast.edges` / `castV2`). When that blob is
/// missing, is not valid JSON, or yields no id and title, the record is read from the page's
/// JSON-LD instead ([`Source::JsonLd`]). Fields a blob lacks are `None` or empty.
///
/// # Errors
/// [`ParseError::BadJson`] when a blob is not valid JSON and nothing else yields an id and a
/// title; [`ParseError::NoData`] naming what was missing when neither blob has them.
pub fn parse_title_page(html: &str) -> Result<TitlePage, ParseError> {
    let next = html::next_data(html).map(serde_json::from_str::<Value>);
    title_from(html, next.as_ref())
}

/// [`parse_title_page`] with `__NEXT_DATA__` already parsed (or found missing).
pub(crate) fn title_from(html: &str, next: Option<&Result<Value, serde_json::Error>>) -> Result<TitlePage, ParseError> {
    let mut bad_json = None;
    let next_reason = match next {
        Some(Ok(v)) => match from_next_data(v) {
            Ok(page) => return Ok(page),
            Err(reason) => reason,
        },
        Some(Err(e)) => {
            bad_json = Some(ParseError::bad_json(Blob::NextData, e));
            "__NEXT_DATA__ is not valid JSON".to_string()
        }
        None => "no <script id=\"__NEXT_DATA__\"> block".to_string(),
    };
    let mut ld_reason = "no <script type=\"application/ld+json\"> block".to_string();
    for body in html::json_ld(html) {
        match serde_json::from_str::<Value>(body) {
            Ok(v) => {
                for candidate in ld_candidates(&v) {
                    match from_json_ld(candidate) {
                        Ok(page) => return Ok(page),
                        Err(reason) => ld_reason = reason,
                    }
                }
            }
            Err(e) => {
                ld_reason = "JSON-LD is not valid JSON".to_string();
                bad_json.get_or_insert_with(|| ParseError::bad_json(Blob::JsonLd, &e));
            }
        }
    }
    Err(bad_json.unwrap_or_else(|| ParseError::no_data(format!("{next_reason}; {ld_reason}"))))
}

/// Whether a parsed `__NEXT_DATA__` looks like a title page's.
pub(crate) fn is_title_next_data(v: &Value) -> bool {
    at(v, &["props", "pageProps", "aboveTheFoldData"]).is_some()
}

/// Reads a title from a parsed `__NEXT_DATA__`; `Err` says what identity field was missing.
fn from_next_data(v: &Value) -> Result<TitlePage, String> {
    let Some(pp) = at(v, &["props", "pageProps"]) else {
        return Err("__NEXT_DATA__ has no props.pageProps".to_string());
    };
    let null = Value::Null;
    let atf = at(pp, &["aboveTheFoldData"]).unwrap_or(&null);
    let mc = at(pp, &["mainColumnData"]).unwrap_or(&null);
    let both = [atf, mc];

    let Some(title) = first_str(&both, &["titleText", "text"]) else {
        return Err("__NEXT_DATA__ has no props.pageProps.aboveTheFoldData.titleText.text".to_string());
    };
    let Some(id) = first_str(&[atf, pp, mc], &["id"]).or_else(|| str_at(pp, &["tconst"])) else {
        return Err("__NEXT_DATA__ has no props.pageProps.aboveTheFoldData.id".to_string());
    };

    let principal = principal_groups(&both);
    let from_principal = |role: Role| -> Vec<Person> {
        dedup_people(
            principal
                .iter()
                .filter(|(r, _)| *r == role)
                .flat_map(|(_, g)| group_credits(g))
                .filter_map(person)
                .collect(),
        )
    };
    let people_or_principal = |key: &str, role: Role| -> Vec<Person> {
        let people = people_from_groups(array_at(mc, &[key]));
        if people.is_empty() {
            from_principal(role)
        } else {
            people
        }
    };

    let gross_worldwide = money(at(mc, &["worldwideGross", "total"]));
    let gross_worldwide_usd = gross_worldwide.as_ref().filter(|m| m.currency == "USD").map(|m| m.amount);

    Ok(TitlePage {
        id: id.to_string(),
        title: title.to_string(),
        original_title: first_str(&both, &["originalTitleText", "text"]).map(str::to_string),
        title_type: first_str(&both, &["titleType", "id"]).map(str::to_string),
        year: first_i64(&both, &["releaseYear", "year"]).and_then(|y| i32::try_from(y).ok()),
        end_year: first_i64(&both, &["releaseYear", "endYear"]).and_then(|y| i32::try_from(y).ok()),
        runtime_minutes: first_at(&both, &["runtime", "seconds"]).and_then(as_f64).and_then(seconds_to_minutes),
        rating: first_f64(&both, &["ratingsSummary", "aggregateRating"]),
        votes: first_i64(&both, &["ratingsSummary", "voteCount"]),
        metascore: first_i64(&both, &["metacritic", "metascore", "score"]).and_then(|s| u32::try_from(s).ok()),
        plot: first_str(&both, &["plot", "plotText", "plainText"]).map(str::to_string),
        genres: genres(&both),
        poster_url: first_str(&both, &["primaryImage", "url"]).map(str::to_string),
        directors: people_or_principal("directors", Role::Director),
        creators: people_or_principal("creators", Role::Creator),
        writers: people_or_principal("writers", Role::Writer),
        cast: cast(atf, mc, &principal),
        languages: texts(first_at(&both, &["spokenLanguages", "spokenLanguages"])),
        countries: {
            let c = texts(first_at(&both, &["countriesOfOrigin", "countries"]));
            if c.is_empty() {
                texts(first_at(&both, &["countriesDetails", "countries"]))
            } else {
                c
            }
        },
        gross_worldwide,
        gross_worldwide_usd,
        gross_domestic: money(at(mc, &["lifetimeGross", "total"])),
        budget: money(at(mc, &["productionBudget", "budget"])),
        user_review_count: first_i64(&both, &["reviews", "total"]),
        critic_review_count: first_i64(&both, &["criticReviewsTotal", "total"]),
        top_rank: first_i64(&[mc, atf], &["ratingsSummary", "topRanking", "rank"]),
        source: Source::NextData,
    })
}

/// A credit group's role, from `category` (old shape) or `grouping` (newer shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Director,
    Writer,
    Creator,
    Cast,
    Other,
}

fn role_of(group: &Value) -> Role {
    let label = [["category", "id"], ["category", "text"], ["grouping", "id"], ["grouping", "text"]]
        .iter()
        .filter_map(|p| str_at(group, p))
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join(" ");
    if label.contains("director") {
        Role::Director
    } else if label.contains("writer") {
        Role::Writer
    } else if label.contains("creator") {
        Role::Creator
    } else if label.contains("star") || label.contains("cast") {
        Role::Cast
    } else {
        Role::Other
    }
}

/// `principalCredits[]` and `principalCreditsV2[]` groups with their roles.
fn principal_groups<'a>(roots: &[&'a Value]) -> Vec<(Role, &'a Value)> {
    ["principalCredits", "principalCreditsV2"]
        .iter()
        .find_map(|key| {
            let groups: Vec<_> = roots.iter().flat_map(|r| array_at(r, &[key])).map(|g| (role_of(g), g)).collect();
            (!groups.is_empty()).then_some(groups)
        })
        .unwrap_or_default()
}

/// The credits of a group: `credits[]`, or `edges[].node` (GraphQL connection shape).
fn group_credits(group: &Value) -> Vec<&Value> {
    if let Some(credits) = at(group, &["credits"]).and_then(Value::as_array) {
        return credits.iter().collect();
    }
    if let Some(edges) = at(group, &["credits", "edges"]).or_else(|| at(group, &["edges"])).and_then(Value::as_array) {
        return edges.iter().map(|e| at(e, &["node"]).unwrap_or(e)).collect();
    }
    Vec::new()
}

/// The `Name` object of a credit: `credit.name`, `credit.node.name`, or the credit itself.
fn name_object(credit: &Value) -> &Value {
    at(credit, &["name"]).filter(|n| n.is_object()).or_else(|| at(credit, &["node", "name"])).unwrap_or(credit)
}

fn person(credit: &Value) -> Option<Person> {
    let name = name_object(credit);
    let text = str_at(name, &["nameText", "text"])?;
    Some(Person { id: str_at(name, &["id"]).map(str::to_string), name: text.to_string() })
}

fn cast_member(credit: &Value) -> Option<CastMember> {
    let p = person(credit)?;
    let credit = at(credit, &["node"]).filter(|n| n.get("name").is_some()).unwrap_or(credit);
    let mut characters: Vec<String> =
        array_at(credit, &["characters"]).iter().filter_map(|c| str_at(c, &["name"])).map(str::to_string).collect();
    if characters.is_empty() {
        // Newer shape: creditedRoles.edges[].node.characters.edges[].node.name.
        for role in array_at(credit, &["creditedRoles", "edges"]) {
            for ch in array_at(role, &["node", "characters", "edges"]) {
                if let Some(name) = str_at(ch, &["node", "name"]) {
                    characters.push(name.to_string());
                }
            }
        }
    }
    Some(CastMember { id: p.id, name: p.name, characters })
}

fn people_from_groups(groups: &[Value]) -> Vec<Person> {
    dedup_people(groups.iter().flat_map(group_credits).filter_map(person).collect())
}

fn dedup_people(people: Vec<Person>) -> Vec<Person> {
    let mut seen = std::collections::HashSet::new();
    people.into_iter().filter(|p| seen.insert(p.id.clone().unwrap_or_else(|| format!("name:{}", p.name)))).collect()
}

/// Top-billed cast: `mainColumnData.principalCast` (else the principal credits' stars), then the
/// page's top cast (`mainColumnData.cast.edges`, newer `castV2`), without repeats. This is the
/// order the page itself shows under "Top cast".
fn cast(atf: &Value, mc: &Value, principal: &[(Role, &Value)]) -> Vec<CastMember> {
    let mut credits: Vec<&Value> =
        [mc, atf].iter().flat_map(|r| array_at(r, &["principalCast"])).flat_map(group_credits).collect();
    if credits.is_empty() {
        credits = principal.iter().filter(|(r, _)| *r == Role::Cast).flat_map(|(_, g)| group_credits(g)).collect();
    }
    for root in [mc, atf] {
        credits.extend(array_at(root, &["cast", "edges"]).iter().map(|e| at(e, &["node"]).unwrap_or(e)));
        match at(root, &["castV2"]) {
            Some(Value::Array(groups)) => {
                credits.extend(groups.iter().flat_map(|g| {
                    let inner = group_credits(g);
                    // castV2 may list credits directly rather than in groups.
                    if inner.is_empty() {
                        vec![g]
                    } else {
                        inner
                    }
                }));
            }
            Some(obj @ Value::Object(_)) => credits.extend(group_credits(obj)),
            _ => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    credits
        .into_iter()
        .filter_map(cast_member)
        .filter(|c| seen.insert(c.id.clone().unwrap_or_else(|| format!("name:{}", c.name))))
        .collect()
}

fn genres(roots: &[&Value]) -> Vec<String> {
    let list = first_at(roots, &["genres", "genres"]).or_else(|| first_at(roots, &["titleGenres", "genres"]));
    list.and_then(Value::as_array)
        .map(|gs| {
            gs.iter()
                .filter_map(|g| str_at(g, &["text"]).or_else(|| str_at(g, &["genre", "text"])).or_else(|| g.as_str()))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// `[{text}]` → the texts.
fn texts(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|i| str_at(i, &["text"])).map(str::to_string).collect())
        .unwrap_or_default()
}

fn money(v: Option<&Value>) -> Option<Money> {
    let v = v?;
    let amount = at(v, &["amount"]).and_then(as_i64)?;
    let currency = str_at(v, &["currency"])?;
    Some(Money { amount, currency: currency.to_string() })
}

fn seconds_to_minutes(seconds: f64) -> Option<u32> {
    if !(seconds > 0.0 && seconds < 1.0e9) {
        return None;
    }
    Some(((seconds + 30.0) / 60.0).floor() as u32)
}

/// Parses an ISO-8601 duration ("PT2H22M", "PT21M", "P1DT2H", "PT5400S") into minutes.
pub fn parse_iso_duration(s: &str) -> Option<u32> {
    let s = s.trim();
    let rest = s.strip_prefix(['P', 'p'])?;
    if rest.is_empty() || s.len() > 64 {
        return None;
    }
    let (date, time) = match rest.find(['T', 't']) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    let mut seconds = 0.0f64;
    let mut any = false;
    for (part, units) in
        [(date, &[('W', 604_800.0), ('D', 86_400.0)][..]), (time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)][..])]
    {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                num.push(if c == ',' { '.' } else { c });
                continue;
            }
            let unit = units.iter().find(|(u, _)| u.eq_ignore_ascii_case(&c))?;
            let n: f64 = num.parse().ok()?;
            seconds += n * unit.1;
            num.clear();
            any = true;
        }
        if !num.is_empty() {
            return None;
        }
    }
    if !any {
        return None;
    }
    seconds_to_minutes(seconds)
}

/// The objects of a JSON-LD document that may describe the title: the document, its array
/// elements, or its `@graph`.
fn ld_candidates(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().filter(|i| i.is_object()).collect(),
        Value::Object(_) => {
            let mut out = vec![v];
            out.extend(array_at(v, &["@graph"]).iter().filter(|i| i.is_object()));
            out
        }
        _ => Vec::new(),
    }
}

/// The `tt…` id in a `/title/tt…/` URL.
fn title_id_in(url: &str) -> Option<String> {
    html::title_links(url, 0, url.len()).into_iter().next()
}

/// The `nm…` id in a `/name/nm…/` URL.
fn name_id_in(url: &str) -> Option<String> {
    let start = url.find("/name/nm")? + "/name/".len();
    let digits = url.as_bytes()[start + 2..].iter().take_while(|b| b.is_ascii_digit()).count();
    (digits > 0).then(|| url[start..start + 2 + digits].to_string())
}

/// JSON-LD `@type` → IMDb title type id.
fn ld_type_to_title_type(t: &str) -> String {
    match t {
        "Movie" => "movie".to_string(),
        "TVSeries" => "tvSeries".to_string(),
        "TVEpisode" => "tvEpisode".to_string(),
        "VideoGame" => "videoGame".to_string(),
        "TVSeason" => "tvSeason".to_string(),
        other => {
            let mut chars = other.chars();
            chars.next().map(|c| c.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
        }
    }
}

fn ld_str(v: &Value, key: &str) -> Option<String> {
    str_at(v, &[key]).map(decode_entities).filter(|s| !s.trim().is_empty())
}

fn ld_person(v: &Value) -> Option<Person> {
    if str_at(v, &["@type"]).is_some_and(|t| t != "Person") {
        return None;
    }
    let name = ld_str(v, "name")?;
    Some(Person { id: str_at(v, &["url"]).and_then(name_id_in), name })
}

fn from_json_ld(v: &Value) -> Result<TitlePage, String> {
    let ty = one_or_many(at(v, &["@type"])).into_iter().find_map(Value::as_str).unwrap_or_default();
    let Some(id) = ["url", "@id"].iter().filter_map(|k| str_at(v, &[k])).find_map(title_id_in) else {
        return Err("JSON-LD has no url with a /title/tt… id".to_string());
    };
    let Some(name) = ld_str(v, "name") else {
        return Err("JSON-LD has no name".to_string());
    };
    let people = |key: &str| -> Vec<Person> {
        dedup_people(one_or_many(at(v, &[key])).into_iter().filter_map(ld_person).collect())
    };
    let is_series = ty == "TVSeries";
    let creators = people("creator");
    Ok(TitlePage {
        id,
        title: ld_str(v, "alternateName").unwrap_or_else(|| name.clone()),
        original_title: Some(name),
        title_type: (!ty.is_empty()).then(|| ld_type_to_title_type(ty)),
        year: str_at(v, &["datePublished"])
            .and_then(|d| d.get(..4))
            .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|y| y.parse().ok()),
        end_year: None,
        runtime_minutes: str_at(v, &["duration"]).and_then(parse_iso_duration),
        rating: at(v, &["aggregateRating", "ratingValue"]).and_then(as_f64),
        votes: at(v, &["aggregateRating", "ratingCount"]).and_then(as_i64),
        metascore: None,
        plot: ld_str(v, "description"),
        genres: one_or_many(at(v, &["genre"])).into_iter().filter_map(Value::as_str).map(decode_entities).collect(),
        poster_url: str_at(v, &["image"]).or_else(|| str_at(v, &["image", "url"])).map(decode_entities),
        directors: people("director"),
        // JSON-LD's `creator` lists a series' creators, and a film's or episode's writers.
        creators: if is_series { creators.clone() } else { Vec::new() },
        writers: if is_series { Vec::new() } else { creators },
        cast: people("actor")
            .into_iter()
            .map(|p| CastMember { id: p.id, name: p.name, characters: Vec::new() })
            .collect(),
        source: Source::JsonLd,
        ..TitlePage::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations() {
        assert_eq!(parse_iso_duration("PT2H22M"), Some(142));
        assert_eq!(parse_iso_duration("PT1H34M"), Some(94));
        assert_eq!(parse_iso_duration("PT21M"), Some(21));
        assert_eq!(parse_iso_duration("PT2H"), Some(120));
        assert_eq!(parse_iso_duration("PT5400S"), Some(90));
        assert_eq!(parse_iso_duration("PT1H29M40S"), Some(90));
        assert_eq!(parse_iso_duration("P1DT2H"), Some(1560));
        assert_eq!(parse_iso_duration("pt1h"), Some(60));
        for bad in ["", "P", "PT", "2H", "PTxM", "PT1X", "PT12", "PT1.2.3M", "PT0M", "P99999999999999999999999999999W"]
        {
            assert_eq!(parse_iso_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn ids_in_urls() {
        assert_eq!(title_id_in("/title/tt0375568/").as_deref(), Some("tt0375568"));
        assert_eq!(title_id_in("https://www.imdb.com/title/tt0111161"), Some("tt0111161".to_string()));
        assert_eq!(title_id_in("/name/nm1/"), None);
        assert_eq!(name_id_in("/name/nm0101047/").as_deref(), Some("nm0101047"));
        assert_eq!(name_id_in("/name/nm/"), None);
        assert_eq!(name_id_in("/company/co0100472/"), None);
    }

    #[test]
    fn json_ld_types() {
        assert_eq!(ld_type_to_title_type("Movie"), "movie");
        assert_eq!(ld_type_to_title_type("TVSeries"), "tvSeries");
        assert_eq!(ld_type_to_title_type("CreativeWork"), "creativeWork");
        assert_eq!(ld_type_to_title_type(""), "");
    }
}
