//! Character references in WXML text and attribute values: the named ones templates use,
//! and numeric ones. Anything else is left as written.

use std::borrow::Cow;

const NAMED: &[(&str, char)] = &[
    ("lt", '<'),
    ("gt", '>'),
    ("amp", '&'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("hellip", '…'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("middot", '·'),
    ("times", '×'),
    ("divide", '÷'),
    ("yen", '¥'),
    ("laquo", '«'),
    ("raquo", '»'),
];

/// Decodes `&lt;`, `&#60;`, `&#x3c;` and the other references in [`NAMED`].
///
/// ```
/// use capsule_template::entities::decode;
/// assert_eq!(decode("a &lt; b &amp;&amp; c&#33; &#x263a; &unknown; & done"), "a < b && c! ☺ &unknown; & done");
/// ```
pub fn decode(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let name = &after[..semi];
            let c = if let Some(num) = name.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse().ok(),
                };
                code.and_then(char::from_u32)
            } else {
                NAMED.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
            };
            c.map(|c| (c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}
