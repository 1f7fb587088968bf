//! docs/databricks-behaviour.md is part of the product: the evidence register every emulator
//! default and bridge decision rests on. These checks keep its shape honest.

fn register() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/databricks-behaviour.md"))
        .expect("docs/databricks-behaviour.md is readable")
}

/// The cells of every numbered table row.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.starts_with("| ") && l.chars().nth(2).is_some_and(|c| c.is_ascii_digit()))
        .map(|l| l.trim().trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect())
        .collect()
}

#[test]
fn the_register_has_at_least_25_rows_of_eight_cells() {
    let rows = rows(&register());
    assert!(rows.len() >= 25, "{} rows", rows.len());
    for row in &rows {
        assert_eq!(row.len(), 8, "row {} has {} cells: {row:?}", row[0], row.len());
    }
}

#[test]
fn every_row_cites_a_source_or_is_unverified_with_a_switch() {
    for row in rows(&register()) {
        let (number, source, sure, switch) = (&row[0], &row[3], &row[4], &row[6]);
        let cited = source.contains("http") || source.contains('#') || source.contains('`');
        let unverified_with_switch = sure.contains("unverified") && !switch.trim().starts_with('—');
        assert!(
            cited || unverified_with_switch,
            "row {number} cites no source and is not an unverified row with a switch: {row:?}"
        );
        assert!(
            ["documented", "observed", "unverified"].iter().any(|s| sure.contains(s)),
            "row {number} does not say how sure it is: {sure}"
        );
    }
}

#[test]
fn the_readme_links_the_register_and_the_register_cites_nothing_outside_the_repository() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README");
    assert!(readme.contains("docs/databricks-behaviour.md"));
    let text = register();
    for outside in ["../shared", "shared/spec", "shared/seeds"] {
        assert!(!text.contains(outside), "the register cites {outside}");
    }
}
