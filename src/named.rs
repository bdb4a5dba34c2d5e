//! `named!`: enums whose variants JS knows by name and index (the ABI of
//! [`crate::abi`], the option paths of [`crate::session::Opt`]).

/// Defines a fieldless `#[repr(u32)]` enum with a JS name per variant and
/// `ALL` in index order, so Rust and the generated JS cannot disagree.
macro_rules! named {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $js:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u32)]
        $vis enum $name { $($(#[$vmeta])* $variant,)* }

        impl $name {
            /// Every variant, in index order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The name JS uses for it.
            pub const fn js(self) -> &'static str {
                match self { $($name::$variant => $js,)* }
            }

            /// The variant with index `i`.
            pub fn from_index(i: u32) -> Option<$name> {
                Self::ALL.get(i as usize).copied()
            }
        }
    };
}

pub(crate) use named;
