//! The hub's odd encodings, each undone by a pure function: XML whose
//! attributes hold JavaScript-like arrays of percent-encoded, `;`-separated
//! strings. Layers are peeled in order: XML entities, then the JS literal,
//! then `;`-splitting, then percent-decoding.

pub mod js_literal;
pub mod percent;
pub mod xml;
