//! Finders for the facts that have a shape of their own: email addresses (plain and spoken),
//! phone numbers, company sizes and competitor names.

mod competitors;
mod email;
mod phone;
mod size;
#[cfg(test)]
mod tests;

use std::ops::Range;

pub use competitors::Competitors;
pub(crate) use email::emails;
pub(crate) use phone::phones;
pub(crate) use size::company_sizes;

/// An address found in a message.
pub(crate) struct Found<T> {
    pub span: Range<usize>,
    pub value: T,
}
