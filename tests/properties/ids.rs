//! Id validation: `DatabricksId::parse` accepts exactly 1–19 ASCII digits, so nothing a
//! client puts in a path (slashes, `..`, `%00`, unicode digits, whitespace, CR/LF) reaches the
//! Databricks URL.

use proptest::prelude::*;
use shared::databricks::DatabricksId;

use super::{config, hostile_string, id_string};

/// What does not belong in an id, next to digits.
const INTRUDERS: &[&str] = &[
    "/", "..", "../", "%00", "%2F", "\0", "\r", "\n", "\r\n", " ", "\t", "+", "-", ".", "?", "#", "&", "e", "x",
    "\u{a0}", "\u{200b}", "\u{feff}", "٣", "１", "𝟙", "Ⅻ", "²", "0x",
];

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn one_to_nineteen_ascii_digits_are_an_id_as_given(id in id_string()) {
        let parsed = DatabricksId::parse(&id);
        prop_assert_eq!(parsed.as_ref().map(DatabricksId::as_str), Some(id.as_str()));
        prop_assert_eq!(parsed.map(|p| p.to_string()), Some(id));
    }

    #[test]
    fn digits_with_anything_else_in_them_are_no_id(
        before in "[0-9]{0,10}",
        intruder in prop_oneof![3 => prop::sample::select(INTRUDERS).prop_map(String::from), 1 => hostile_string()],
        after in "[0-9]{0,10}",
    ) {
        let id = format!("{before}{intruder}{after}");
        prop_assume!(!intruder.is_empty() && !intruder.bytes().all(|b| b.is_ascii_digit()));
        prop_assert!(DatabricksId::parse(&id).is_none(), "{id:?} was taken for an id");
    }

    #[test]
    fn twenty_digits_or_more_are_no_id(id in "[0-9]{20,40}") {
        prop_assert!(DatabricksId::parse(&id).is_none());
    }

    #[test]
    fn any_string_is_an_id_exactly_when_it_is_1_to_19_ascii_digits(id in any::<String>()) {
        let digits = (1..=19).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit());
        prop_assert_eq!(DatabricksId::parse(&id).is_some(), digits, "{:?}", id);
    }
}
