//! The hub's odd encodings, each undone by a pure function: XML whose
//! attributes hold JavaScript-like arrays of percent-encoded, `;`-separated
//! strings. Layers are peeled in order: XML entities ([`xml`]), then the JS
//! literal ([`crate::script::literal`]), then `;`-splitting, then
//! percent-decoding ([`percent`]).

pub mod percent;
pub mod xml;
