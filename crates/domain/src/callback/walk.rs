//! Every value a type's `Deserialize` can build, for the codec's tests and
//! (feature `testing`) other crates' tests: one per path through its enums and
//! options, each number at its smallest, at one (the least some types take) and
//! at its largest, each text one of a few ids (the longest a [`super::Slug`]
//! takes, and one a [`crate::ids::NodeId`] takes). A value the type refuses (an
//! id of the wrong shape) is skipped. Nothing is listed by hand, so a new
//! variant is walked the day it is written.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

/// The ids offered wherever a type reads text.
const TEXTS: [&str; 2] = ["zzzzzzzz", "z0-zzzzzzzzzzzzzzzzzzzzzzzzzzzzz"];

/// Every value of `T`, and for each enum met on the way, which of its variants
/// were in at least one value. Panics if some variant never was (the walk
/// could not build it), so that no variant goes untested unnoticed.
pub fn every<T: DeserializeOwned>() -> Vec<T> {
    walk(false)
}

/// One value for each path through the enums (every variant, nested ones
/// too), each option present, each number at one, each text the first: what
/// pins an encoding.
pub fn every_variant<T: DeserializeOwned>() -> Vec<T> {
    walk(true)
}

fn walk<T: DeserializeOwned>(pinned: bool) -> Vec<T> {
    let mut path: Vec<Choice> = Vec::new();
    let mut values = Vec::new();
    let mut met: BTreeMap<&'static str, (usize, BTreeSet<usize>)> = BTreeMap::new();
    loop {
        let mut walker = Walker {
            path: &mut path,
            depth: 0,
            variants: Vec::new(),
            pinned,
        };
        let built = T::deserialize(&mut walker);
        let (depth, variants) = (walker.depth, walker.variants);
        for &(name, count, variant) in &variants {
            let (_, built_ones) = met.entry(name).or_insert((count, BTreeSet::new()));
            if built.is_ok() {
                built_ones.insert(variant);
            }
        }
        if let Ok(value) = built {
            values.push(value);
        }
        path.truncate(depth);
        while path.last().is_some_and(|c| c.at + 1 == c.of) {
            path.pop();
        }
        match path.last_mut() {
            Some(last) => last.at += 1,
            None => break,
        }
    }
    for (name, (count, built)) in met {
        assert_eq!(built.len(), count, "{name}: variants {built:?} of {count}");
    }
    values
}

/// One decision on a path: the `at`-th of `of` possibilities.
struct Choice {
    at: usize,
    of: usize,
}

struct Walker<'a> {
    path: &'a mut Vec<Choice>,
    depth: usize,
    /// The enums met on this path: (name, variant count, variant taken).
    variants: Vec<(&'static str, usize, usize)>,
    /// Whether only enums branch (see [`every_variant`]).
    pinned: bool,
}

impl Walker<'_> {
    /// The next decision: as on the path so far, or the first of `of`.
    fn choose(&mut self, of: usize) -> usize {
        if self.depth == self.path.len() {
            self.path.push(Choice { at: 0, of });
        }
        let at = self.path[self.depth].at;
        self.depth += 1;
        at
    }

    /// A decision that is not an enum's: `pinned` when only enums branch.
    fn pick(&mut self, of: usize, pinned: usize) -> usize {
        if self.pinned { pinned } else { self.choose(of) }
    }
}

#[derive(Debug)]
struct Refused(String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

impl de::Error for Refused {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Refused(msg.to_string())
    }
}

macro_rules! extremes {
    ($($method:ident $visit:ident $ty:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
            match self.pick(3, 1) {
                0 => visitor.$visit(<$ty>::MIN),
                1 => visitor.$visit(1),
                _ => visitor.$visit(<$ty>::MAX),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for &mut Walker<'_> {
    type Error = Refused;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Refused> {
        Err(Refused("the walk needs to know the type".into()))
    }

    extremes!(
        deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32, deserialize_u64 visit_u64 u64,
        deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16,
        deserialize_i32 visit_i32 i32, deserialize_i64 visit_i64 i64
    );

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        visitor.visit_bool(self.pick(2, 0) == 1)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        visitor.visit_str(TEXTS[self.pick(TEXTS.len(), 0)])
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        if self.pick(2, 1) == 0 {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Refused> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Refused> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Refused> {
        visitor.visit_seq(Fields {
            walker: self,
            left: len,
        })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Refused> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Refused> {
        self.deserialize_tuple(fields.len(), visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Refused> {
        let variant = self.choose(variants.len());
        self.variants.push((name, variants.len(), variant));
        visitor.visit_enum(Variant {
            walker: self,
            index: variant,
        })
    }

    serde::forward_to_deserialize_any! {
        i128 u128 f32 f64 char bytes byte_buf seq map identifier ignored_any
    }
}

/// The fields of a struct, tuple or variant, in order.
struct Fields<'w, 'a> {
    walker: &'w mut Walker<'a>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for Fields<'_, '_> {
    type Error = Refused;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Refused> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.walker).map(Some)
    }
}

/// The variant the walk chose, by its index.
struct Variant<'w, 'a> {
    walker: &'w mut Walker<'a>,
    index: usize,
}

impl<'de, 'w, 'a> de::EnumAccess<'de> for Variant<'w, 'a> {
    type Error = Refused;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), Refused> {
        let index = u32::try_from(self.index).map_err(|_| Refused("too many variants".into()))?;
        let value = seed.deserialize(index.into_deserializer())?;
        Ok((value, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, '_> {
    type Error = Refused;

    fn unit_variant(self) -> Result<(), Refused> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Refused> {
        seed.deserialize(self.walker)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Refused> {
        visitor.visit_seq(Fields {
            walker: self.walker,
            left: len,
        })
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Refused> {
        self.tuple_variant(fields.len(), visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    enum Shape {
        Dot,
        Line(Option<u8>),
        Box { wide: bool, tall: u16 },
    }

    #[test]
    fn walks_every_variant_option_and_extreme() {
        let mut expected = vec![
            Shape::Dot,
            Shape::Line(None),
            Shape::Line(Some(0)),
            Shape::Line(Some(1)),
            Shape::Line(Some(255)),
        ];
        for wide in [false, true] {
            for tall in [0, 1, u16::MAX] {
                expected.push(Shape::Box { wide, tall });
            }
        }
        assert_eq!(every::<Shape>(), expected);
    }

    #[test]
    fn pinning_walks_every_variant_once() {
        assert_eq!(
            every_variant::<Shape>(),
            vec![
                Shape::Dot,
                Shape::Line(Some(1)),
                Shape::Box {
                    wide: false,
                    tall: 1
                },
            ]
        );
    }

    #[derive(Debug, serde::Deserialize)]
    enum Unbuildable {
        Fine,
        Refused(Never),
    }

    #[derive(Debug)]
    struct Never;

    impl<'de> serde::Deserialize<'de> for Never {
        fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Never, D::Error> {
            Err(de::Error::custom("never"))
        }
    }

    #[test]
    #[should_panic(expected = "Unbuildable: variants {0} of 2")]
    fn a_variant_no_walk_can_build_is_reported() {
        every::<Unbuildable>();
    }
}
