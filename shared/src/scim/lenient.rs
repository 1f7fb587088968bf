//! Serde readers for JSON written by others (Databricks answers), as tolerant as the bridge has
//! always been: an attribute of an unexpected type reads as absent, an element of a list that
//! is not an object is skipped, and an answer that is not an object at all reads as empty.
//! Nothing here fails on well-formed JSON, so a malformed attribute costs that attribute only.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A JSON object read as `T`; any other JSON (a number, a list, `null`) reads as `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectOr<T>(pub Option<T>);

impl<T: Default> ObjectOr<T> {
    /// The object read, or an empty `T` for anything that was not an object.
    pub fn into_inner(self) -> T {
        self.0.unwrap_or_default()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOr<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObjectVisitor(PhantomData))
    }
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = ObjectOr<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ObjectOr<T>, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(|t| ObjectOr(Some(t)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ObjectOr<T>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(ObjectOr(None))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr(None))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr(None))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr(None))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr(None))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<ObjectOr<T>, E> {
        Ok(ObjectOr(None))
    }
}

/// The expected type, or anything else (ignored).
#[derive(Deserialize)]
#[serde(untagged)]
enum Either<T> {
    Expected(T),
    Other(IgnoredAny),
}

/// `#[serde(default, deserialize_with = "lenient")]`: the attribute when it has the expected
/// type; `None` when it has another (or is `null`).
pub fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(match Either::<T>::deserialize(deserializer)? {
        Either::Expected(value) => Some(value),
        Either::Other(_) => None,
    })
}

/// `#[serde(default, deserialize_with = "object")]`: the attribute when it is an object read as
/// `T`; `None` for anything else.
pub fn object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    ObjectOr::<T>::deserialize(deserializer).map(|o| o.0)
}

/// `#[serde(default, deserialize_with = "optional_list")]`: a list whose elements that are
/// objects are read as `T` (the others as an empty `T`); `None` for anything but a list.
pub fn optional_list<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    let list: Option<Vec<ObjectOr<T>>> = lenient(deserializer)?;
    Ok(list.map(|items| items.into_iter().map(ObjectOr::into_inner).collect()))
}

/// `#[serde(default, deserialize_with = "lenient_list")]`: as [`optional_list`], with anything
/// but a list read as an empty list.
pub fn lenient_list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(optional_list(deserializer)?.unwrap_or_default())
}

/// `#[serde(default, deserialize_with = "present")]`: `Some` whenever the attribute is there,
/// `null` included (for attributes whose mere presence means something).
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// For `skip_serializing_if`: a list with nothing in it.
pub fn is_empty<T>(list: &[T]) -> bool {
    list.is_empty()
}
