//! What the overview page is made of: its elements and attributes, and the
//! elements an HTML parser adds itself. Anything else in a parsed page came
//! from the hub. Needs nothing but `core`, so the fuzz crate includes it.

/// Elements the page is made of, and those an HTML parser adds itself
/// (`tbody`). Anything else in a parsed page came from the hub.
pub const ELEMENTS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "p",
    "strong",
    "span",
    "small",
    "main",
    "section",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "bdi",
    "br",
    "div",
    "details",
    "summary",
    "figure",
    "figcaption",
    "svg",
    "rect",
    "path",
    "ol",
    "li",
    "footer",
    "a",
];

/// Attributes the page writes, and the values some of them may have.
pub const ATTRIBUTES: &[&str] = &[
    "lang",
    "charset",
    "name",
    "content",
    "id",
    "class",
    "href",
    "viewBox",
    "viewbox",
    "preserveAspectRatio",
    "preserveaspectratio",
    "role",
    "aria-label",
    "x",
    "y",
    "width",
    "height",
    "d",
    "reversed",
    "vector-effect",
];
/// The only links the page has: to its own two documents.
pub const LINKS: &[&str] = &["/metrics", "/status.json"];
