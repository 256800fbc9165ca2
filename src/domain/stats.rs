//! Statistics: what can be counted, along which dimensions, and how small counts are kept from
//! identifying anyone (primary and complementary cell suppression). No SQL here: the database computes
//! the cells (see `db::stats`), these rules decide what may be shown.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};

use crate::domain::Code;

code_enum! {
    /// What a table counts.
    Dataset {
        Cases = "cases",
        Interventions = "interventions",
        Referrals = "referrals",
        Activations = "activations",
        Contacts = "contacts",
        Courses = "courses",
    }
}

code_enum! {
    /// A dimension a table may be grouped by. Each dataset accepts its own subset ([`Dataset::dimensions`]).
    Dimension {
        Organization = "organization",
        Desk = "desk",
        District = "district",
        Status = "status",
        Citizenship = "citizenship",
        Sex = "sex",
        AgeBand = "age_band",
        LegalStatus = "legal_status",
        ResidenceMunicipality = "residence_municipality",
        Need = "need",
        Kind = "kind",
        Provider = "provider",
        ProviderCategory = "provider_category",
        Outcome = "outcome",
        Urgency = "urgency",
        Language = "language",
        Sector = "sector",
        Channel = "channel",
        Topic = "topic",
        Level = "level",
        Audience = "audience",
        Year = "year",
    }
}

/// At most this many dimensions at once: finer tables are mostly suppressed cells anyway.
pub const MAX_DIMENSIONS: usize = 3;

/// Cells counting fewer people than this (and more than none) are never shown to analysts.
pub const THRESHOLD: i64 = 5;

/// A figure of a table, and how it is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    pub name: &'static str,
    pub protection: Protection,
    pub unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A whole number.
    Count,
    /// Hours, to one decimal.
    Hours,
    /// A percentage, to one decimal.
    Percent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// The people the cell is about: below the threshold the whole cell is hidden.
    Population,
    /// Another count of people (new, closed, family members): hidden on its own when small.
    People,
    /// Counts of records, minutes, medians: shown only when the cell's population is.
    Follows,
}

const fn m(name: &'static str, protection: Protection) -> Measure {
    Measure { name, protection, unit: Unit::Count }
}

const fn hours(name: &'static str) -> Measure {
    Measure { name, protection: Protection::Follows, unit: Unit::Hours }
}

use Protection::{Follows, People, Population};

const CASE_MEASURES: &[Measure] =
    &[m("in_charge", Population), m("new", People), m("closed", People), m("family_members", People)];
const INTERVENTION_MEASURES: &[Measure] =
    &[m("people", Population), m("interventions", Follows), m("minutes", Follows)];
const REFERRAL_MEASURES: &[Measure] = &[
    m("people", Population),
    m("referrals", Follows),
    m("accepted", Follows),
    m("rejected", Follows),
    m("completed", Follows),
    hours("median_hours_to_acceptance"),
    hours("median_hours_to_completion"),
];
const ACTIVATION_MEASURES: &[Measure] = &[
    m("people", Population),
    m("activations", Follows),
    m("confirmed_within_deadline", Follows),
    m("overdue", Follows),
    Measure { name: "sla_compliance_percent", protection: Follows, unit: Unit::Percent },
    hours("median_hours_to_confirmation"),
];
const CONTACT_MEASURES: &[Measure] =
    &[m("contacts", Population), m("cases_opened", Follows), m("oriented", Follows)];
const COURSE_MEASURES: &[Measure] = &[
    m("people", Population),
    m("courses", Follows),
    m("enrolments", Follows),
    m("completions", Follows),
    Measure { name: "attendance_percent", protection: Follows, unit: Unit::Percent },
];

impl Dataset {
    /// The dimensions this dataset can be grouped by, in the order the documentation lists them.
    pub fn dimensions(self) -> &'static [Dimension] {
        use Dimension::*;
        match self {
            Dataset::Cases => &[
                Organization,
                Desk,
                District,
                Status,
                Citizenship,
                Sex,
                AgeBand,
                LegalStatus,
                ResidenceMunicipality,
                Need,
            ],
            Dataset::Interventions => &[
                Kind,
                Organization,
                Desk,
                District,
                Citizenship,
                Sex,
                AgeBand,
                LegalStatus,
                ResidenceMunicipality,
            ],
            Dataset::Referrals => &[
                ProviderCategory,
                Provider,
                Outcome,
                Need,
                Urgency,
                Organization,
                Desk,
                District,
                Citizenship,
                Sex,
                AgeBand,
                LegalStatus,
            ],
            Dataset::Activations => &[Kind, Language, Sector, Urgency, Outcome, Organization, District],
            Dataset::Contacts => &[Desk, Organization, District, Channel, Topic, Citizenship, Sex, AgeBand],
            Dataset::Courses => &[Organization, District, Desk, Language, Level, Audience, Year, Outcome],
        }
    }

    /// The figures of each cell, in order; the first one is the cell's population.
    pub fn measures(self) -> &'static [Measure] {
        match self {
            Dataset::Cases => CASE_MEASURES,
            Dataset::Interventions => INTERVENTION_MEASURES,
            Dataset::Referrals => REFERRAL_MEASURES,
            Dataset::Activations => ACTIVATION_MEASURES,
            Dataset::Contacts => CONTACT_MEASURES,
            Dataset::Courses => COURSE_MEASURES,
        }
    }

    /// Parses `group_by` (`citizenship,sex`): up to [`MAX_DIMENSIONS`] dimensions of this dataset, separated
    /// by commas, repeats dropped; empty for none. Exactly what the documented pattern accepts.
    pub fn parse_group_by(self, raw: &str) -> Result<Vec<Dimension>, String> {
        if raw.is_empty() {
            return Ok(vec![]);
        }
        let names: Vec<&str> = raw.split(',').collect();
        if names.len() > MAX_DIMENSIONS {
            return Err(format!("at most {MAX_DIMENSIONS} dimensions at once"));
        }
        let mut out = Vec::new();
        for name in names {
            let dim = Dimension::parse(name).filter(|d| self.dimensions().contains(d)).ok_or_else(|| {
                format!("'{name}' is not a dimension of {self}; one of: {}", self.dimension_list())
            })?;
            if !out.contains(&dim) {
                out.push(dim);
            }
        }
        Ok(out)
    }

    /// The regular expression of a valid `group_by`, for the OpenAPI document.
    pub fn group_by_pattern(self) -> String {
        let one = self.dimensions().iter().map(|d| d.as_str()).collect::<Vec<_>>().join("|");
        format!("^(({one})(,({one})){{0,{}}})?$", MAX_DIMENSIONS - 1)
    }

    fn dimension_list(self) -> String {
        self.dimensions().iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// Age bands, by their lowest age; a person's band is taken at the end of the period.
pub const AGE_BANDS: &[(u32, &str)] =
    &[(0, "0-17"), (18, "18-24"), (25, "25-34"), (35, "35-44"), (45, "45-54"), (55, "55-64"), (65, "65+")];

/// The latest birth date of someone aged `years` on `on` (Feb 29 births count from Feb 28).
pub fn born_by(on: NaiveDate, years: u32) -> NaiveDate {
    on.checked_sub_months(Months::new(years.saturating_mul(12))).unwrap_or(NaiveDate::MIN)
}

/// Which cells of one column of people counts must be hidden.
///
/// Primary suppression hides every count from 1 to [`THRESHOLD`]` - 1` (and whatever `hidden` already
/// hides). Complementary suppression then makes sure none of them can be recovered by subtraction from a
/// total an analyst can also ask for: along every dimension, the cells that agree on all the other
/// dimensions (a line) add up to a cell of the coarser table (or to the grand total). Wherever a line
/// hides exactly one cell, or hidden cells adding up to a small count, a partner in that line is hidden
/// too, until no line does. The partner is the smallest shown cell whose own other lines can protect it in
/// turn (a cell alone in another line equals that line's total and would give itself away).
///
/// Known limit: when every candidate partner is alone in another line, the one chosen is recoverable
/// from that line's total in a coarser table; protecting it would need suppression across tables.
pub fn suppress(keys: &[Vec<Option<String>>], values: &[i64], mut hidden: Vec<bool>) -> Vec<bool> {
    for (h, v) in hidden.iter_mut().zip(values) {
        *h |= (1..THRESHOLD).contains(v);
    }
    let width = keys.first().map_or(0, Vec::len);
    let lines: Vec<Vec<Vec<usize>>> = (0..width).map(|dim| lines_along(keys, dim)).collect();
    // For each cell, the index of its line along each dimension.
    let mut line_of = vec![vec![0; width]; keys.len()];
    for (dim, dim_lines) in lines.iter().enumerate() {
        for (l, cells) in dim_lines.iter().enumerate() {
            for &i in cells {
                line_of[i][dim] = l;
            }
        }
    }
    loop {
        let mut changed = false;
        for (dim, dim_lines) in lines.iter().enumerate() {
            for cells in dim_lines {
                // A line is safe when it hides nothing, or at least two cells adding up to a count that is
                // not small itself (two hidden cells of 2 and 1 would still say "3 between them").
                let (count, sum) =
                    cells.iter().filter(|&&i| hidden[i]).fold((0, 0), |(n, s), &i| (n + 1, s + values[i]));
                if count == 0 || (count >= 2 && !(1..THRESHOLD).contains(&sum)) {
                    continue;
                }
                // Can cell i be hidden without standing alone in one of its other lines?
                let protectable = |i: usize| {
                    (0..width).filter(|&d| d != dim).all(|d| {
                        let other = &lines[d][line_of[i][d]];
                        other.iter().any(|&j| j != i && (hidden[j] || other.len() > 1))
                    })
                };
                // Protectable first, then a count over a listed zero, then the smallest.
                let rank = |i: usize| (!protectable(i), values[i] == 0, values[i]);
                let partner = cells
                    .iter()
                    .copied()
                    .filter(|&i| !hidden[i])
                    .min_by(|&a, &b| rank(a).cmp(&rank(b)).then_with(|| keys[a].cmp(&keys[b])));
                if let Some(i) = partner {
                    hidden[i] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            return hidden;
        }
    }
}

/// The lines along `dim`: groups of cells (indexes) equal in every other dimension.
fn lines_along(keys: &[Vec<Option<String>>], dim: usize) -> Vec<Vec<usize>> {
    let mut lines: BTreeMap<Vec<&Option<String>>, Vec<usize>> = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        let rest = key.iter().enumerate().filter(|(j, _)| *j != dim).map(|(_, v)| v).collect();
        lines.entry(rest).or_default().push(i);
    }
    lines.into_values().collect()
}

/// Hides what must not be shown of a table (its cells' figures in `rows`, in measure order, and the
/// total), in place: a cell whose population is small or complementary-suppressed loses every figure;
/// another count of people is suppressed on its own. Returns how many figures it hid.
pub fn protect(
    dataset: Dataset,
    keys: &[Vec<Option<String>>],
    rows: &mut [Vec<Option<f64>>],
    total: &mut [Option<f64>],
) -> usize {
    fn column(rows: &[Vec<Option<f64>>], j: usize) -> Vec<i64> {
        rows.iter().map(|r| r[j].unwrap_or(0.0) as i64).collect()
    }
    let measures = dataset.measures();
    let population = suppress(keys, &column(rows, 0), vec![false; rows.len()]);
    let mut hidden = 0;
    for (j, measure) in measures.iter().enumerate() {
        let mask = match measure.protection {
            Protection::People => suppress(keys, &column(rows, j), population.clone()),
            Protection::Population | Protection::Follows => population.clone(),
        };
        for (row, hide) in rows.iter_mut().zip(mask) {
            if hide && row[j].take().is_some() {
                hidden += 1;
            }
        }
    }
    // The total is the top of every line: only its own size matters.
    let small = |v: Option<f64>| v.is_some_and(|v| (1..THRESHOLD).contains(&(v as i64)));
    let total_hidden = small(total[0]);
    for (j, measure) in measures.iter().enumerate() {
        let hide = total_hidden || (measure.protection == Protection::People && small(total[j]));
        if hide && total[j].take().is_some() {
            hidden += 1;
        }
    }
    hidden
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: &[&str]) -> Vec<Option<String>> {
        parts.iter().map(|p| Some(p.to_string())).collect()
    }

    /// Every line (cells equal but in one dimension) hides none or at least two cells.
    fn no_line_hides_one(keys: &[Vec<Option<String>>], hidden: &[bool]) -> bool {
        let width = keys[0].len();
        (0..width).all(|dim| {
            let mut lines: BTreeMap<Vec<Option<String>>, usize> = BTreeMap::new();
            for (k, h) in keys.iter().zip(hidden) {
                let mut rest = k.clone();
                rest.remove(dim);
                *lines.entry(rest).or_default() += usize::from(*h);
            }
            lines.values().all(|n| *n != 1)
        })
    }

    #[test]
    fn parses_group_by_for_its_dataset() {
        use Dimension::*;
        assert_eq!(Dataset::Cases.parse_group_by("citizenship,sex,citizenship"), Ok(vec![Citizenship, Sex]));
        assert!(Dataset::Cases.parse_group_by("citizenship, sex").is_err());
        assert!(Dataset::Cases.parse_group_by("citizenship,").is_err());
        assert_eq!(Dataset::Cases.parse_group_by(""), Ok(vec![]));
        assert!(Dataset::Cases.parse_group_by("kind").unwrap_err().contains("not a dimension of cases"));
        assert!(Dataset::Cases.parse_group_by("sex,status,need,desk").unwrap_err().contains("at most 3"));
        assert!(Dataset::Activations.parse_group_by("language,kind").is_ok());
    }

    #[test]
    fn every_dataset_starts_with_its_population() {
        for d in Dataset::ALL {
            assert_eq!(d.measures()[0].protection, Protection::Population, "{d}");
            assert!(d.measures()[1..].iter().all(|m| m.protection != Protection::Population));
        }
    }

    #[test]
    fn age_band_limits() {
        let on = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(born_by(on, 18), NaiveDate::from_ymd_opt(2008, 12, 31).unwrap());
        let leap = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        assert_eq!(born_by(leap, 1), NaiveDate::from_ymd_opt(2027, 2, 28).unwrap());
        assert!(AGE_BANDS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn small_counts_are_hidden_and_zero_is_not() {
        let keys = vec![key(&["MA"]), key(&["SN"]), key(&["UA"]), key(&["IN"])];
        let hidden = suppress(&keys, &[12, 4, 0, 9], vec![false; 4]);
        // SN (4) is hidden; the line (the whole table, whose total is public) then hides IN too.
        assert_eq!(hidden, vec![false, true, false, true]);
    }

    #[test]
    fn a_single_small_cell_takes_the_smallest_partner() {
        let keys = vec![key(&["MA"]), key(&["SN"]), key(&["UA"])];
        assert_eq!(suppress(&keys, &[7, 3, 6], vec![false; 3]), vec![false, true, true]);
        // Two small cells protect each other.
        assert_eq!(suppress(&keys, &[7, 3, 2], vec![false; 3]), vec![false, true, true]);
        // Already hidden elsewhere (the population of the row) counts as hidden.
        assert_eq!(suppress(&keys, &[7, 8, 6], vec![false, true, false]), vec![false, true, true]);
    }

    #[test]
    fn two_dimensions_protect_rows_and_columns() {
        // citizenship × sex
        let keys = vec![
            key(&["MA", "F"]),
            key(&["MA", "M"]),
            key(&["SN", "F"]),
            key(&["SN", "M"]),
            key(&["UA", "F"]),
            key(&["UA", "M"]),
        ];
        let values = [20, 3, 8, 15, 11, 9];
        let hidden = suppress(&keys, &values, vec![false; 6]);
        assert!(hidden[1]);
        assert!(no_line_hides_one(&keys, &hidden), "{hidden:?}");
        // Nothing is recoverable: in each line the hidden cells number 0 or ≥ 2.
        assert!(hidden.iter().filter(|h| **h).count() >= 4);
    }

    #[test]
    fn protecting_a_table_hides_whole_cells_and_small_people_counts() {
        let keys = vec![key(&["MA"]), key(&["SN"]), key(&["UA"])];
        // in_charge, new, closed, family_members
        let mut rows = vec![
            vec![Some(30.0), Some(10.0), Some(2.0), Some(40.0)],
            vec![Some(3.0), Some(3.0), Some(0.0), Some(6.0)],
            vec![Some(9.0), Some(8.0), Some(6.0), Some(0.0)],
        ];
        let mut total = vec![Some(42.0), Some(21.0), Some(8.0), Some(46.0)];
        let hidden = protect(Dataset::Cases, &keys, &mut rows, &mut total);
        // SN is small: all of it goes, and UA (the smallest partner) goes with it in every column.
        assert_eq!(rows[1], vec![None; 4]);
        assert_eq!(rows[2], vec![None; 4]);
        // MA's 2 closed is small; with SN's and UA's closed already hidden, nothing more is needed.
        assert_eq!(rows[0], vec![Some(30.0), Some(10.0), None, Some(40.0)]);
        assert_eq!(total, vec![Some(42.0), Some(21.0), Some(8.0), Some(46.0)]);
        assert_eq!(hidden, 4 + 4 + 1);
        let mut tiny_total = vec![Some(3.0), Some(1.0), Some(0.0), Some(9.0)];
        protect(Dataset::Cases, &[], &mut [], &mut tiny_total);
        assert_eq!(tiny_total, vec![None; 4]);
    }

    #[test]
    fn random_tables_hide_none_or_enough_in_every_line() {
        // A small deterministic generator: tables of 3 × 4 × 2 with many small counts.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..500 {
            let mut keys = Vec::new();
            let mut values = Vec::new();
            for a in ["a", "b", "c"] {
                for b in ["w", "x", "y", "z"] {
                    for c in ["F", "M"] {
                        if next() % 5 == 0 {
                            continue; // absent cell: nobody there
                        }
                        keys.push(key(&[a, b, c]));
                        values.push((next() % 12) as i64);
                    }
                }
            }
            let hidden = suppress(&keys, &values, vec![false; keys.len()]);
            for (v, h) in values.iter().zip(&hidden) {
                assert!(*h || !(1..THRESHOLD).contains(v));
            }
            // Every line of two or more cells hides none, or at least two adding up to a count that is not
            // small. A line of one cell is its coarser table's cell: small, it is hidden there as well.
            for dim in 0..3 {
                for cells in lines_along(&keys, dim) {
                    let hid: Vec<usize> = cells.iter().copied().filter(|&i| hidden[i]).collect();
                    let sum: i64 = hid.iter().map(|&i| values[i]).sum();
                    if cells.len() >= 2 && !hid.is_empty() {
                        assert!(hid.len() >= 2, "one hidden cell in a line of {}", cells.len());
                        let shown: i64 = cells.iter().filter(|&&i| !hidden[i]).map(|&i| values[i]).sum();
                        assert!(sum == 0 || sum >= THRESHOLD || shown == 0, "hidden cells add up to {sum}");
                    }
                }
            }
        }
    }
}
